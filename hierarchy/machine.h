/*
 * machine.h - a whole simulated machine built from one struct mw_hw_cfg:
 * the cache hierarchy (hierarchy.h) wired to the memory model (dram.h)
 * of its [memory] section, fed batches of access records, answering the
 * statistics of every level and of the memory in one results list.
 *
 * The memory runs in timing mode when [memory] has keys (and not
 * `timing = off`), in counting mode otherwise (bytes, transactions and
 * row outcomes, no time).  With no cache levels (nlevels == 0) every
 * access goes straight to the memory, widened to whole transactions.
 *
 * Usage: mw_machine_create, mw_machine_access_batch for each batch,
 * mw_machine_finish once at the end, mw_machine_results,
 * mw_machine_destroy.  docs/sim.md lists every metric.
 */
#ifndef MW_MACHINE_H
#define MW_MACHINE_H

#include "common/err.h"
#include "common/results.h"
#include "hierarchy/config.h"
#include "hierarchy/dram.h"
#include "hierarchy/hierarchy.h"
#include "traces/access.h"
#include "traces/stream.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_machine;

/*
 * Builds the machine of cfg (borrowed; copied) with per-tensor counters
 * for tensors 0..ntensors: the hierarchy (mw_hier_create's checks) and
 * the memory model of cfg->mem[] (mw_dram_cfg_from_kv, naming
 * cfg->source:line and the key of a bad [memory] line).  Returns owned
 * (free with mw_machine_destroy), or NULL with d filled (MW_ECONFIG,
 * MW_EPARSE, MW_ENOMEM).
 */
struct mw_machine *mw_machine_create(const struct mw_hw_cfg *cfg,
				     uint32_t ntensors, struct mw_diag *d);

/* Accepts NULL. */
void mw_machine_destroy(struct mw_machine *m);

/*
 * Simulates n records (borrowed) in order, through the caches to the
 * memory.  0, or a negative enum mw_err with mw_machine_diag saying why
 * (as mw_hier_access_batch; "record K: ..." numbers the failing record
 * from 0 within the batch).  MW_EINVAL after mw_machine_finish.
 */
int mw_machine_access_batch(struct mw_machine *m, const struct mw_access *recs,
			    size_t n);

/*
 * Ends the run: with flush, writes back the dirty lines left in the
 * caches (mw_hier_flush: counted as writebacks, sent to the memory),
 * then drains the memory (every queued request completes).  Call once;
 * later calls return 0 and do nothing.  0 or a negative enum mw_err
 * with mw_machine_diag.
 */
int mw_machine_finish(struct mw_machine *m, bool flush);

/*
 * Appends every statistic (after mw_machine_finish; MW_EINVAL before):
 * the hierarchy's (mw_hier_results: levels, LEVEL:TENSOR, memory reads,
 * writes, bytes_read, bytes_written and memory:TENSOR), then the memory
 * model's under scope memory (standard, mode, transaction_bytes,
 * transactions, row_hits, row_misses, row_conflicts, activations,
 * precharges, refreshes, peak_bandwidth_GBps, imbalance, overfetch_bytes
 * and in timing mode time_ns, effective_bandwidth_GBps, efficiency,
 * idle_share,
 * read_latency_mean_ns, read_latency_p50_ns, read_latency_p99_ns) and
 * memory:chN.  bytes_read / bytes_written of scope memory come from the
 * hierarchy only; overfetch_bytes = the bytes the memory moved (whole
 * transactions) minus those.  hdr (borrowed, may be NULL) names the
 * tensors.  0, MW_EINVAL or MW_ENOMEM.
 */
int mw_machine_results(const struct mw_machine *m,
		       const struct mw_trace_header *hdr,
		       struct mw_results *out);

/* Why the last call failed.  Borrowed. */
const struct mw_diag *mw_machine_diag(const struct mw_machine *m);

/* The parts, borrowed (valid until destroy). */
struct mw_hier *mw_machine_hier(struct mw_machine *m);
const struct mw_hier *mw_machine_hier_const(const struct mw_machine *m);
const struct mw_dram *mw_machine_dram(const struct mw_machine *m);
/* The resolved (validated) memory config. */
const struct mw_dram_cfg *mw_machine_dram_cfg(const struct mw_machine *m);
/* true: timing mode; false: counting mode. */
bool mw_machine_timed(const struct mw_machine *m);
/* Peak memory bandwidth, bytes/s (mw_dram_peak_bw). */
double mw_machine_peak_bw(const struct mw_machine *m);

/* The memory's totals (as mw_dram_stats; valid after finish). */
void mw_machine_memory_stats(const struct mw_machine *m,
			     struct mw_dram_stats *s);

#endif
