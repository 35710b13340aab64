/*
 * hierarchy.h - a machine's cache levels wired together, fed access
 * records, answering exact traffic statistics.
 *
 * Built from a struct mw_hw_cfg (config.h): levels[0] is private to each
 * unit (machine.units copies), levels[1..] are shared; after the last
 * level comes the memory, which counts bytes and forwards every request
 * to an optional sink (the DRAM/HBM timing model).  With nlevels == 0
 * every access goes straight to memory, cut into MW_HIER_MEM_LINE-byte
 * pieces.
 *
 * An access record is cut into the lines of the first level it touches,
 * each line request carrying the mask of sectors it needs.  On a miss the
 * demand fill is sent below before the victim's write-back.  See
 * docs/hierarchy.md for every modelling assumption and metric.
 */
#ifndef MW_HIERARCHY_H
#define MW_HIERARCHY_H

#include "common/err.h"
#include "common/results.h"
#include "hierarchy/config.h"
#include "hierarchy/stats.h"
#include "traces/access.h"
#include "traces/stream.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Request size at memory when there are no cache levels (bytes). */
#define MW_HIER_MEM_LINE 64

/*
 * Where the memory level sends each request it receives, in order: a
 * fill (write false) or a write-back / write-through (write true) of
 * bytes at addr.  access returns 0 or a negative enum mw_err, which
 * stops the batch and is returned by mw_hier_access_batch.  ctx is
 * borrowed.
 */
struct mw_mem_sink {
	void *ctx;
	int (*access)(void *ctx, mw_addr addr, uint32_t bytes, bool write);
};

struct mw_hier;

/*
 * Builds the hierarchy for cfg (borrowed; copied) with per-tensor
 * counters for tensors 0..ntensors (ntensors <= MW_TENSOR_MAX).  Checks
 * the geometry of every level: returns NULL with d filled (MW_ECONFIG
 * naming the level and the reason: zero units, a line that is not a
 * power of two, a sector that does not divide the line or gives more
 * than 64 sectors, a size that is not a multiple of line x ways x slices,
 * an unknown replacement policy, an exclusive level whose line or sector
 * differs from the level above) or MW_ENOMEM.  Returns owned (free with
 * mw_hier_destroy).
 */
struct mw_hier *mw_hier_create(const struct mw_hw_cfg *cfg, uint32_t ntensors,
			       struct mw_diag *d);

/* Accepts NULL. */
void mw_hier_destroy(struct mw_hier *h);

/* Sets (sink non-NULL, copied) or removes (NULL) the memory sink. */
void mw_hier_set_memory_sink(struct mw_hier *h, const struct mw_mem_sink *sink);

/*
 * What a record whose unit >= machine.units does: false (the default)
 * is an error (MW_ERANGE), true folds it to unit % units.
 */
void mw_hier_set_unit_fold(struct mw_hier *h, bool fold);

/*
 * Simulates n records (borrowed) in order.  Returns 0, or a negative
 * enum mw_err with mw_hier_diag saying why: MW_ERANGE for a unit out of
 * range (not folded), a tensor > ntensors, a size of 0 or an access
 * that wraps past the end of the address space; or the sink's error.
 * Records before the failing one have been simulated.
 */
int mw_hier_access_batch(struct mw_hier *h, const struct mw_access *recs,
			 size_t n);

/*
 * Writes back every dirty line of every level (top first, as an
 * end-of-run flush), counting them as writebacks.  Optional: without it
 * dirty data left in the caches is not counted (as DineroIV without
 * -flushcount).  0 or the sink's error.
 */
int mw_hier_flush(struct mw_hier *h);

/* Why the last call failed. Borrowed. */
const struct mw_diag *mw_hier_diag(const struct mw_hier *h);

/* Cache levels (cfg->nlevels) and units. */
uint32_t mw_hier_levels(const struct mw_hier *h);
uint32_t mw_hier_units(const struct mw_hier *h);
/* The (copied) config of a level, level < mw_hier_levels. Borrowed. */
const struct mw_level_cfg *mw_hier_level_cfg(const struct mw_hier *h,
					     uint32_t level);

/*
 * Counters of a level summed over its instances (for level 0: over every
 * unit, or only unit when unit != MW_STATS_ALL; a shared level has one
 * instance, unit MW_STATS_ALL or 0), for tensor and op (each a value or
 * MW_STATS_ALL).  Fills *out (cleared first).  0, or
 * MW_EINVAL for a level, unit, tensor or op out of range.
 */
int mw_hier_level_stats(const struct mw_hier *h, uint32_t level, uint32_t unit,
			uint32_t tensor, uint32_t op, struct mw_counters *out);

/* Memory counters for tensor and op (values or MW_STATS_ALL). */
int mw_hier_memory_stats(const struct mw_hier *h, uint32_t tensor, uint32_t op,
			 struct mw_mem_counters *out);

/*
 * Appends every statistic to out in long form (scope, metric, value):
 *   scope LEVEL (its config name, l1 summed over units), metrics
 *     accesses hits misses sector_misses writebacks bytes_from_below
 *     bytes_to_below invalidations victim_fills (all ops), then
 *     reads.M, writes.M, ifetches.M for each metric M (per op; the
 *     ifetches.* rows only when the level saw instruction fetches);
 *   scope memory: reads writes bytes_read bytes_written;
 *   scope LEVEL:TENSOR and memory:TENSOR: the same metrics for each
 *     tensor 1..ntensors that has any access at that scope (name from
 *     hdr; hdr may be NULL, then the tensor's number), and
 *     LEVEL:untagged for tensor 0 when it has accesses and others exist.
 * 0 or MW_ENOMEM.
 */
int mw_hier_results(const struct mw_hier *h, const struct mw_trace_header *hdr,
		    struct mw_results *out);

/*
 * Full invariant check of every cache (tags unique within a set, policy
 * state consistent with the valid lines, counters adding up, exclusive
 * levels hold no line present above them, inclusive levels hold every
 * line present above them).  0, or MW_ECORRUPT with d saying what broke.
 * Runs after every access (touched sets only) when built with MW_DEBUG.
 */
int mw_hier_check(const struct mw_hier *h, struct mw_diag *d);

#endif
