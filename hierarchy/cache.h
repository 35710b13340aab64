/*
 * cache.h - one cache instance: set-associative (or fully associative),
 * sectored, with one replacement policy from repl.h and its own counters.
 *
 * A cache is a state machine: it is told about requests for one of its
 * lines (with the mask of sectors needed) and answers what must happen
 * below (sectors to fetch, bytes to write through, the victim it
 * evicted).  It never talks to other levels itself; hierarchy.c does the
 * wiring, the inclusion policy and the order of requests.  Used by
 * hierarchy.c and by tests; callers above hierarchy/ use hierarchy.h.
 *
 * Lines are named by their line number (address >> log2(line)).  A
 * sector mask has bit i set for sector i of the line (at most 64).
 */
#ifndef MW_CACHE_H
#define MW_CACHE_H

#include "common/err.h"
#include "hierarchy/config.h"
#include "hierarchy/stats.h"

#include <stdbool.h>
#include <stdint.h>

struct mw_cache;

/* A line leaving the cache. */
struct mw_cache_victim {
	bool valid;	/* false: nothing was evicted */
	uint64_t line;	/* its line number */
	uint64_t mask;	/* its valid sectors */
	uint64_t dirty; /* its dirty sectors (0 = clean) */
	uint8_t tensor; /* the tensor that filled it */
};

/* What one request needs from below, in the order it must be sent. */
struct mw_cache_result {
	bool hit;		  /* line present with every needed sector */
	bool miss;		  /* line absent */
	uint64_t fetch;		  /* 1. sectors to fetch from below (fill) */
	bool forward;		  /* 2. pass the write itself below (write-
				     through, or a write that does not
				     allocate) */
	struct mw_cache_victim v; /* 3. the victim (write back if dirty) */
};

/*
 * Creates an empty cache for cfg (borrowed; not kept) counting tensors
 * 0..ntensors.  cfg->size is this instance's size (all slices).
 * Returns owned (free with mw_cache_destroy) or NULL with d filled:
 * MW_ECONFIG with a message naming cfg->name (a geometry that does not
 * divide, a line that is not a power of two, a sector that does not
 * divide the line or gives more than 64 sectors, an unknown policy,
 * zero slices) or MW_ENOMEM.
 */
struct mw_cache *mw_cache_create(const struct mw_level_cfg *cfg,
				 uint32_t ntensors, struct mw_diag *d);
/* Accepts NULL. */
void mw_cache_destroy(struct mw_cache *c);

/* Geometry: sets (all slices), ways per set, log2 line and sector bytes,
   sectors per line. */
uint32_t mw_cache_sets(const struct mw_cache *c);
uint32_t mw_cache_ways(const struct mw_cache *c);
unsigned mw_cache_line_shift(const struct mw_cache *c);
unsigned mw_cache_sector_shift(const struct mw_cache *c);
unsigned mw_cache_sectors(const struct mw_cache *c);
/* The set (0..sets-1, slice included) a line maps to. */
uint32_t mw_cache_set_of(const struct mw_cache *c, uint64_t line);

/*
 * A request for sectors need (non-zero) of line, of which sectors full
 * are entirely overwritten (writes only; a subset of need), by op
 * (enum mw_op; MW_OP_WRITE is a write, anything else a read) on behalf
 * of tensor; bytes is the size of the request (counted in bytes_to_below
 * when the write is forwarded).  Applies the level's write and allocation policy, updates
 * the replacement state and the counters, and fills *r.  Reads and
 * allocating writes fetch the needed sectors that are absent, except
 * sectors a write overwrites entirely.
 */
void mw_cache_access(struct mw_cache *c, uint64_t line, uint64_t need,
		     uint64_t full, uint32_t bytes, unsigned op,
		     unsigned tensor, struct mw_cache_result *r);

/*
 * The same for an exclusive level (a victim cache): never allocates.  A
 * read that finds the line takes it out of the cache: r->v describes it
 * (its sectors and dirtiness move to the requester), r->fetch the
 * needed sectors it lacked.  A write that finds every needed sector
 * updates the line in place (write-back: dirty; write-through: forward);
 * otherwise the write is forwarded.
 */
void mw_cache_access_exclusive(struct mw_cache *c, uint64_t line, uint64_t need,
			       uint64_t full, uint32_t bytes, unsigned op,
			       unsigned tensor, struct mw_cache_result *r);

/*
 * Inserts a victim from the level above (valid sectors mask, dirty
 * sectors dirty), counted as a victim fill of (tensor, op: the op that
 * caused the eviction above); merges with the
 * line if present.  *v receives the line this evicts, if any.
 */
void mw_cache_insert(struct mw_cache *c, uint64_t line, uint64_t mask,
		     uint64_t dirty, unsigned op, unsigned tensor,
		     struct mw_cache_victim *v);

/* ORs sectors into a present line (an exclusive level's line moving up). */
void mw_cache_merge(struct mw_cache *c, uint64_t line, uint64_t mask,
		    uint64_t dirty);

/*
 * Drops line if present (back-invalidation), counted as an invalidation
 * of (its tensor, op: the op of the request that caused it).  Returns true and fills *v when it was present.
 */
bool mw_cache_invalidate(struct mw_cache *c, uint64_t line, unsigned op,
			 struct mw_cache_victim *v);

/* true when line is present (any sector). */
bool mw_cache_contains(const struct mw_cache *c, uint64_t line);

/*
 * Calls fn for every dirty line (as a victim description) and marks it
 * clean, counting a writeback and its bytes for each.  Stops at and
 * returns the first non-zero value fn returns.
 */
int mw_cache_flush(struct mw_cache *c,
		   int (*fn)(void *ctx, const struct mw_cache_victim *v),
		   void *ctx);

/* Calls fn for every present line; for checks. */
void mw_cache_foreach(const struct mw_cache *c,
		      void (*fn)(void *ctx, uint64_t line, uint64_t mask),
		      void *ctx);

/* Adds n to one counter of (tensor, op) (the hierarchy's own traffic,
   e.g. clean victims moved to an exclusive level). */
void mw_cache_count(struct mw_cache *c, unsigned tensor, unsigned op,
		    enum mw_stat stat, uint64_t n);

/* Counters of this instance. Borrowed. */
const struct mw_level_stats *mw_cache_stats(const struct mw_cache *c);

/*
 * Invariant checks: of one set (cheap; after each access in MW_DEBUG
 * builds) or the whole cache.  Tags unique within a set and mapping to
 * it, masks within the line, dirty within valid, the policy's state
 * consistent with the valid ways, the counters adding up.  0, or
 * MW_ECORRUPT with d filled (d may be NULL).
 */
int mw_cache_check_set(const struct mw_cache *c, uint32_t set,
		       struct mw_diag *d);
int mw_cache_check(const struct mw_cache *c, struct mw_diag *d);

#endif
