/*
 * repl.h - replacement policies, one table of vtables.
 *
 * A policy keeps its own state for a cache of sets x ways lines and is
 * told about every hit, fill and invalidation; when a set is full the
 * cache asks it for a victim.  The cache itself fills invalid ways first
 * (lowest way index for set-associative caches), so victim() is only
 * called on a full set.  Every policy is deterministic: random and the
 * bimodal insertions of brrip/drrip draw from a generator seeded by the
 * level's seed, so the same trace and config give the same result.
 *
 * Adding a policy = one struct mw_repl_ops (in repl.c or its own file)
 * plus one line in mw_repl_policies[].
 */
#ifndef MW_REPL_H
#define MW_REPL_H

#include <stdbool.h>
#include <stdint.h>

/* A policy instance: opaque, owned by the cache that created it. */
struct mw_repl;

struct mw_repl_ops {
	const char *name;    /* as written in a config: "lru", "srrip" */
	const char *summary; /* one line for `memwall hw` and help texts */
	/*
	 * Returns owned state for sets x ways lines (sets, ways >= 1), all
	 * ways invalid, or NULL when out of memory.  Free with destroy.
	 */
	struct mw_repl *(*create)(uint32_t sets, uint32_t ways, uint64_t seed);
	/* Accepts NULL. */
	void (*destroy)(struct mw_repl *r);
	/* A request found its line in (set, way). */
	void (*hit)(struct mw_repl *r, uint32_t set, uint32_t way);
	/* A line was placed in (set, way), which was invalid. */
	void (*fill)(struct mw_repl *r, uint32_t set, uint32_t way);
	/* The way to evict from a full set (every way valid). */
	uint32_t (*victim)(struct mw_repl *r, uint32_t set);
	/* (set, way) became invalid (eviction, back-invalidation, move). */
	void (*invalidate)(struct mw_repl *r, uint32_t set, uint32_t way);
	/*
	 * Checks the state of one set against which ways are valid
	 * (valid[0..ways-1], borrowed): e.g. the LRU order is a permutation
	 * of the valid ways.  Returns true when consistent.
	 */
	bool (*check)(const struct mw_repl *r, uint32_t set, const bool *valid);
};

/* Every policy, NULL-terminated, in the order `memwall hw` lists them. */
extern const struct mw_repl_ops *const mw_repl_policies[];

/* The policy named name (exact, lower case), or NULL. */
const struct mw_repl_ops *mw_repl_find(const char *name);

#endif
