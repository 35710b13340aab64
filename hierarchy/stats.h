/*
 * stats.h - the statistics every later feature reads: per cache level,
 * per op and per tensor counters, and the memory's byte counts.
 *
 * All counters are uint64_t and exact.  A level sees requests: at the
 * first level one per cache line an access touches; at lower levels the
 * fills and write-backs the level above sends.  Definitions (per request,
 * attributed to the request's op and tensor unless said otherwise):
 *
 *   accesses          requests that reached this level
 *   hits              line present with every needed sector
 *   misses            line absent
 *   sector_misses     line absent, or present without some needed sector
 *                     (so hits + sector_misses == accesses and
 *                     misses <= sector_misses)
 *   writebacks        dirty lines evicted and written below (attributed
 *                     to the victim's tensor and the op that evicted it)
 *   bytes_from_below  bytes fetched from the level below (fills)
 *   bytes_to_below    bytes sent below: write-backs, write-throughs,
 *                     writes that do not allocate, and (above an
 *                     exclusive level) clean victims
 *   invalidations     lines dropped because an inclusive level below
 *                     evicted them (back-invalidation; tensor of the line)
 *   victim_fills      lines inserted as victims from the level above
 *                     (exclusive levels only; tensor of the line)
 *
 * Memory: reads / writes (requests), bytes_read / bytes_written.
 */
#ifndef MW_STATS_H
#define MW_STATS_H

#include "traces/access.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mw_stat {
	MW_STAT_ACCESSES = 0,
	MW_STAT_HITS,
	MW_STAT_MISSES,
	MW_STAT_SECTOR_MISSES,
	MW_STAT_WRITEBACKS,
	MW_STAT_BYTES_FROM_BELOW,
	MW_STAT_BYTES_TO_BELOW,
	MW_STAT_INVALIDATIONS,
	MW_STAT_VICTIM_FILLS,
	MW_STAT_COUNT
};

/* One set of level counters, indexed by enum mw_stat. */
struct mw_counters {
	uint64_t v[MW_STAT_COUNT];
};

enum mw_mem_stat {
	MW_MEM_READS = 0, /* read requests (fills from the last level) */
	MW_MEM_WRITES,	  /* write requests (write-backs, write-throughs) */
	MW_MEM_BYTES_READ,
	MW_MEM_BYTES_WRITTEN,
	MW_MEM_STAT_COUNT
};

struct mw_mem_counters {
	uint64_t v[MW_MEM_STAT_COUNT];
};

/* Metric names as they appear in results: "accesses", "sector_misses". */
extern const char *const mw_stat_names[MW_STAT_COUNT];
extern const char *const mw_mem_stat_names[MW_MEM_STAT_COUNT];

/*
 * Counters of one level (or one cache instance): [tensor][op] for
 * tensor 0..ntensors, op 0..MW_OP_COUNT-1.  Plain data; init allocates,
 * fini frees.
 */
struct mw_level_stats {
	uint32_t ntensors;
	struct mw_counters *c; /* owned, (ntensors + 1) * MW_OP_COUNT */
};

struct mw_mem_stats {
	uint32_t ntensors;
	struct mw_mem_counters *c; /* owned, (ntensors + 1) * MW_OP_COUNT */
};

#define MW_STATS_ALL UINT32_MAX /* "every tensor" / "every op" */

/* Zeroed counters for tensors 0..ntensors.  0 or MW_ENOMEM. */
int mw_level_stats_init(struct mw_level_stats *s, uint32_t ntensors);
void mw_level_stats_fini(struct mw_level_stats *s);
int mw_mem_stats_init(struct mw_mem_stats *s, uint32_t ntensors);
void mw_mem_stats_fini(struct mw_mem_stats *s);

/* The counters of (tensor, op); both must be in range. */
static inline struct mw_counters *
mw_level_stats_at(struct mw_level_stats *s, unsigned tensor, unsigned op)
{
	return &s->c[(size_t)tensor * MW_OP_COUNT + op];
}

static inline struct mw_mem_counters *
mw_mem_stats_at(struct mw_mem_stats *s, unsigned tensor, unsigned op)
{
	return &s->c[(size_t)tensor * MW_OP_COUNT + op];
}

/*
 * Adds into out the counters of tensor (or MW_STATS_ALL) and op (or
 * MW_STATS_ALL).  out is not cleared first, so instances can be summed.
 */
void mw_level_stats_sum(const struct mw_level_stats *s, uint32_t tensor,
			uint32_t op, struct mw_counters *out);
void mw_mem_stats_sum(const struct mw_mem_stats *s, uint32_t tensor,
		      uint32_t op, struct mw_mem_counters *out);

/* Adds every counter of src into dst (same ntensors). */
void mw_level_stats_merge(struct mw_level_stats *dst,
			  const struct mw_level_stats *src);

/*
 * true when the counters add up: hits + sector_misses == accesses and
 * misses <= sector_misses for every (tensor, op).
 */
bool mw_counters_consistent(const struct mw_counters *c);

#endif
