/*
 * run.h - one call that runs a kernel on a machine: generate its
 * accesses, simulate them through the caches and the memory, and report
 * the traffic, the bounds and the time estimate in long form.
 *
 * This is what `memwall run`, the sweep evaluator and the validation
 * evaluator call:
 *
 *   struct mw_run_opts o;
 *   mw_run_opts_init(&o);
 *   rc = mw_run(kernel, &hw, &o, results, &diag);
 *   rc == MW_EINVAL: the kernel rejects the point (mw_kernel_validate)
 */
#ifndef MW_RUN_H
#define MW_RUN_H

#include "common/err.h"
#include "common/results.h"
#include "hierarchy/config.h"
#include "model/kernel.h"
#include "model/reuse.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct mw_run_opts {
	/* Also run the reuse-distance analysis on the accesses (one shared
	   LRU stack over every unit) with reuse_opts; results scopes reuse,
	   reuse:TENSOR (with a tensor split) and mrc. */
	bool reuse;
	struct mw_reuse_opts reuse_opts;
	/* Run the kernel twice without clearing the caches and report the
	   second pass only (measurements taken with warm caches). */
	bool warm;
	/* Called after each batch with the records simulated so far (both
	   passes when warm); borrows ctx.  NULL = none. */
	void (*progress)(void *ctx, uint64_t records);
	void *progress_ctx;
	/* Checked after each batch; when it becomes non-zero mw_run stops
	   and returns MW_ECANCEL.  NULL = never. */
	const volatile sig_atomic_t *interrupt;
};

/* Defaults: no reuse (reuse_opts: mw_reuse_opts_init with a tensor
   split), cold caches, no progress, no interrupt. */
void mw_run_opts_init(struct mw_run_opts *o);

/*
 * Runs kernel k (borrowed) on machine hw (borrowed, validated) with
 * options o (borrowed; NULL = defaults) and appends its results to out:
 *   scope kernel: name, dtype, params (every parameter as text);
 *   scope run: hw, units, ctas_per_unit, passes, records (of the pass
 *     reported), seconds, accesses_per_s (all passes);
 *   the hierarchy's scopes (l1, l2, ..., memory, LEVEL:TENSOR,
 *     memory:TENSOR) and the memory model's (memory, memory:chN);
 *   scope bounds (bounds.h) plus simulated_read_bytes and
 *     read_over_compulsory;
 *   scopes time and intensity (timing.h);
 *   with o->reuse: reuse, reuse:TENSOR, mrc.
 * The caches are written back at the end (flush) and the memory model
 * drained.  CTAs run on machine.units units with machine.ctas_per_unit
 * resident each (the kernel's ctas-per-unit wins when set).
 * Returns 0; MW_EINVAL when the kernel rejects its parameters; MW_ECANCEL
 * when interrupted; MW_ECONFIG for a machine the hierarchy or memory
 * model refuses; MW_ENOMEM.  d says why.  On error out may hold part of
 * the results.
 */
int mw_run(const struct mw_kernel *k, const struct mw_hw_cfg *hw,
	   const struct mw_run_opts *o, struct mw_results *out,
	   struct mw_diag *d);

#endif
