/*
 * bounds.h - closed-form traffic bounds and FLOPs of a kernel, printed
 * beside simulated memory bytes (formulas in docs/kernels.md).
 *
 *   compulsory: every input read once, every output written once
 *               (intermediates such as split-K partials or S are free:
 *               they could stay on chip or in L2);
 *   no-reuse:   every CTA fetches its own tiles (= the bytes of all the
 *               records the generator emits);
 *   wave:       CTAs of one wave (units x ctas-per-unit consecutive CTAs
 *               in grid order) share what they load: each wave's distinct
 *               tiles counted once, summed over waves.
 * Always compulsory <= wave <= no-reuse.
 */
#ifndef MW_BOUNDS_H
#define MW_BOUNDS_H

#include "common/results.h"
#include "model/kernel.h"

#include <stdint.h>

struct mw_bounds {
	uint64_t compulsory_read, compulsory_write; /* bytes */
	uint64_t no_reuse_read, no_reuse_write;	    /* bytes */
	uint64_t wave_read, wave_write;		    /* bytes */
	uint64_t flops;				    /* multiply-add = 2 */
	uint64_t ctas;				    /* CTAs over all launches */
	uint64_t waves; /* waves over all launches */
};

/*
 * Computes the bounds of k scheduled with cfg (ctas-per-unit as in
 * mw_kernel_stream).  0, or MW_EINVAL (invalid point), MW_ENOMEM, d
 * filled.
 */
int mw_kernel_bounds(const struct mw_kernel *k, const struct mw_sched_cfg *cfg,
		     struct mw_bounds *b, struct mw_diag *d);

/*
 * Appends scope "bounds": compulsory_bytes, no_reuse_bytes, wave_bytes,
 * flops (and the _read/_write parts, ctas, waves).  0 or MW_ENOMEM.
 */
int mw_bounds_results(const struct mw_bounds *b, struct mw_results *r);

#endif
