/*
 * cache_int.h - the layout of struct mw_cache, for cache.c and the first-
 * level hit fast path in hierarchy.c only.  Everyone else uses cache.h.
 */
#ifndef MW_CACHE_INT_H
#define MW_CACHE_INT_H

#include "common/hash.h"
#include "common/hot.h"
#include "hierarchy/cache.h"
#include "hierarchy/repl.h"

#include <stdbool.h>
#include <stdint.h>

#define TAG_NONE UINT64_MAX
#define NO_SLOT	 UINT32_MAX

__extension__ typedef unsigned __int128 u128;

/* x mod d for a fixed d >= 1, without a division. */
struct mw_divider {
	uint64_t d, m, mask;
	unsigned s; /* shift after the multiply */
	bool pow2;
};

static inline uint64_t mw_divider_mod(const struct mw_divider *v, uint64_t x)
{
	uint64_t t, q;

	if (v->pow2)
		return x & v->mask;
	t = (uint64_t)(((u128)v->m * x) >> 64);
	q = (t + ((x - t) >> 1)) >> v->s;
	return x - q * v->d;
}

/* d >= 1 */
void mw_divider_init(struct mw_divider *v, uint64_t d);

/* What a way holds besides its tag. */
struct mw_cache_meta {
	uint64_t valid; /* sector masks */
	uint64_t dirty;
	uint8_t tensor; /* the tensor that filled the line */
};

struct mw_cache {
	char name[MW_NAME_MAX];
	uint32_t sets, ways, slices, sets_per_slice;
	unsigned line_shift, sector_shift, nsect, fold_bits;
	uint64_t all_mask;
	bool xor_index, full, write_back, alloc_write;
	struct mw_divider set_div, slice_div;
	uint64_t *tag;		    /* [sets * ways] */
	struct mw_cache_meta *meta; /* [sets * ways], beside each other so a
				       victim costs one memory access */
	const struct mw_repl_ops *ops;
	struct mw_repl *repl;
	void (*hit)(struct mw_repl *r, uint32_t set,
		    uint32_t way); /* ops->hit */
	/* fully associative */
	uint64_t *hkey; /* TAG_NONE = empty */
	uint32_t *hval;
	uint64_t hmask;
	uint64_t *freemap; /* bit set = way free */
	size_t freewords, freehint;
	uint32_t nvalid; /* ways holding a line */
	uint32_t lines;	 /* sets * ways */
	struct mw_level_stats st;
};

static inline uint32_t mw_cache_set_of_int(const struct mw_cache *c,
					   uint64_t line)
{
	uint64_t x = line, slice = 0;

	if (c->full)
		return 0;
	if (MW_UNLIKELY(c->slices > 1))
		slice = mw_divider_mod(&c->slice_div, mw_mix64(line));
	if (c->xor_index) {
		unsigned b = c->fold_bits;

		x = line ^ (line >> b) ^ (b < 32 ? line >> (2 * b) : 0);
	}
	return (uint32_t)(slice * c->sets_per_slice +
			  mw_divider_mod(&c->set_div, x));
}

/*
 * The first way of t[0..ways-1] holding key, or ways.  Four ways per
 * branch when ways is a multiple of four: the hit way is unpredictable,
 * so one mispredicted branch per four ways at most.
 */
static inline __attribute__((always_inline)) uint32_t
mw_cache_match(const uint64_t *t, uint32_t ways, uint64_t key)
{
	uint32_t w = 0;

	if ((ways & 3) == 0) {
		for (; w < ways; w += 4) {
			unsigned m = (unsigned)(t[w] == key) |
				     (unsigned)(t[w + 1] == key) << 1 |
				     (unsigned)(t[w + 2] == key) << 2 |
				     (unsigned)(t[w + 3] == key) << 3;

			if (m)
				return w + (uint32_t)__builtin_ctz(m);
		}
		return ways;
	}
	for (; w < ways; w++)
		if (t[w] == key)
			return w;
	return ways;
}

/*
 * The common case, inline: need (sectors of line) all present, and the
 * request is a read or a write a write-back level absorbs.  Updates the
 * policy and the counters and returns true; otherwise changes nothing and
 * returns false (the caller then calls mw_cache_access).
 */
static inline __attribute__((always_inline)) bool
mw_cache_try_hit(struct mw_cache *c, uint64_t line, uint64_t need, unsigned op,
		 unsigned tensor)
{
	uint32_t set, w, base;
	const uint64_t *t;
	struct mw_counters *k;

	if (MW_UNLIKELY(c->full) || (op == MW_OP_WRITE && !c->write_back))
		return false;
	set = mw_cache_set_of_int(c, line);
	base = set * c->ways;
	t = &c->tag[base];
	w = mw_cache_match(t, c->ways, line);
	if (w == c->ways)
		return false;
	if (c->nsect != 1 && (c->meta[base + w].valid & need) != need)
		return false;
	c->hit(c->repl, set, w);
	if (op == MW_OP_WRITE)
		c->meta[base + w].dirty |= need;
	k = &c->st.c[(size_t)tensor * MW_OP_COUNT + op];
	k->v[MW_STAT_ACCESSES]++;
	k->v[MW_STAT_HITS]++;
	return true;
}

static inline uint32_t mw_cache_hash_find(const struct mw_cache *c,
					  uint64_t line)
{
	uint64_t i = mw_mix64(line) & c->hmask;

	for (;; i = (i + 1) & c->hmask) {
		if (c->hkey[i] == line)
			return c->hval[i];
		if (c->hkey[i] == TAG_NONE)
			return NO_SLOT;
	}
}

/* The slot of line in set, or NO_SLOT; *inval gets the lowest invalid way's
   slot (NO_SLOT when none). */
static inline __attribute__((always_inline)) uint32_t
mw_cache_lookup(const struct mw_cache *c, uint32_t set, uint64_t line,
		uint32_t *inval)
{
	const uint64_t *t;
	uint32_t w, base;

	if (c->full)
		return mw_cache_hash_find(c, line);
	base = set * c->ways;
	t = &c->tag[base];
	w = mw_cache_match(t, c->ways, line);
	if (w < c->ways)
		return base + w;
	if (inval) {
		/* once every way holds a line there is nothing to look for */
		if (c->nvalid == c->lines) {
			*inval = NO_SLOT;
			return NO_SLOT;
		}
		w = mw_cache_match(t, c->ways, TAG_NONE);
		*inval = w < c->ways ? base + w : NO_SLOT;
	}
	return NO_SLOT;
}

static inline struct mw_counters *mw_cache_ctr(struct mw_cache *c,
					       unsigned tensor, unsigned op)
{
	return &c->st.c[(size_t)tensor * MW_OP_COUNT + op];
}

static inline uint64_t mw_cache_sector_bytes(const struct mw_cache *c,
					     uint64_t mask)
{
	/* unsectored masks are 0 or 1: no popcount (a libgcc call in the
	   baseline x86-64 build) */
	if (c->nsect == 1)
		return (mask & 1) << c->sector_shift;
	return (uint64_t)__builtin_popcountll(mask) << c->sector_shift;
}

/* Places line in set (in way slot inval when one is free), evicting a
   victim into *v when the set is full.  Returns the slot.  cache.c. */
uint32_t mw_cache_place(struct mw_cache *c, uint32_t set, uint32_t inval,
			uint64_t line, unsigned op, struct mw_cache_victim *v);

/* The body of mw_cache_access, inline for the hierarchy's hot path. */
static inline __attribute__((always_inline)) void
mw_cache_access_int(struct mw_cache *c, uint64_t line, uint64_t need,
		    uint64_t full, uint32_t bytes, unsigned op, unsigned tensor,
		    struct mw_cache_result *r)
{
	struct mw_counters *k = mw_cache_ctr(c, tensor, op);
	bool wr = op == MW_OP_WRITE;
	uint32_t set = mw_cache_set_of_int(c, line), inval = NO_SLOT, slot;
	uint64_t have, fetch;

	r->fetch = 0;
	r->forward = false;
	r->hit = false;
	r->miss = false;
	r->v.valid = false;
	k->v[MW_STAT_ACCESSES]++;
	slot = mw_cache_lookup(c, set, line, &inval);
	if (MW_LIKELY(slot != NO_SLOT)) {
		/* unsectored: a present line has its one sector */
		have = c->nsect == 1 ? 1 : c->meta[slot].valid;
		if (MW_LIKELY((have & need) == need)) {
			k->v[MW_STAT_HITS]++;
			r->hit = true;
			c->ops->hit(c->repl, set, slot - set * c->ways);
			if (wr) {
				if (c->write_back) {
					c->meta[slot].dirty |= need;
				} else {
					r->forward = true;
					k->v[MW_STAT_BYTES_TO_BELOW] += bytes;
				}
			}
			return;
		}
		k->v[MW_STAT_SECTOR_MISSES]++;
		if (wr && !c->alloc_write) {
			r->forward = true;
			k->v[MW_STAT_BYTES_TO_BELOW] += bytes;
			return;
		}
		fetch = need & ~have & ~(wr ? full : 0);
		c->meta[slot].valid = have | need;
		c->ops->hit(c->repl, set, slot - set * c->ways);
	} else {
		k->v[MW_STAT_MISSES]++;
		k->v[MW_STAT_SECTOR_MISSES]++;
		r->miss = true;
		if (wr && !c->alloc_write) {
			r->forward = true;
			k->v[MW_STAT_BYTES_TO_BELOW] += bytes;
			return;
		}
		slot = mw_cache_place(c, set, inval, line, op, &r->v);
		fetch = need & ~(wr ? full : 0);
		c->meta[slot].valid = need;
		c->meta[slot].dirty = 0;
		c->meta[slot].tensor = (uint8_t)tensor;
	}
	r->fetch = fetch;
	k->v[MW_STAT_BYTES_FROM_BELOW] += mw_cache_sector_bytes(c, fetch);
	if (wr) {
		if (c->write_back) {
			c->meta[slot].dirty |= need;
		} else {
			r->forward = true;
			k->v[MW_STAT_BYTES_TO_BELOW] += bytes;
		}
	}
}

#endif
