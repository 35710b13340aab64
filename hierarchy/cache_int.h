/*
 * cache_int.h - the layout of struct mw_cache, for cache.c and the fast
 * paths of hierarchy.c only.  Everyone else uses cache.h.
 *
 * Built-in orders (the hot policies without an indirect call): a
 * set-associative lru or fifo level with at most AGE_WAYS ways keeps, per
 * set, one byte per way in uint64_t words (8 ways a word): the way's rank
 * in the policy's order, 0 = newest (lru: last touched; fifo: last
 * filled), AGE_NONE for an invalid way and for the padding lanes of the
 * last word.  The valid ways of a set always hold the ranks 0..nvalid-1
 * once each, so this is exactly the order repl.c's stamps give (stamps
 * are unique and increase; the rank is the stamp's position among the
 * set's valid stamps, newest first).  Touching a way of rank a (a hit
 * under lru, any fill) ages by one every valid way of rank < a and gives
 * it rank 0; an invalid way has rank AGE_NONE, above every valid rank,
 * so a fill ages every valid way.  Invalidating a way of rank a lowers
 * every rank above a.  The victim of a full set is the way of rank
 * ways-1, the oldest stamp.  All of it is SWAR on the words: no loop over
 * the ways.  Every other policy (and fully associative or wider levels)
 * goes through the vtable of repl.h.
 */
#ifndef MW_CACHE_INT_H
#define MW_CACHE_INT_H

#include "common/hash.h"
#include "common/hot.h"
#include "hierarchy/cache.h"
#include "hierarchy/repl.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define TAG_NONE UINT64_MAX
#define NO_SLOT	 UINT32_MAX
#define AGE_WAYS 64   /* widest set with a built-in order */
#define AGE_NONE 0x7f /* rank of an invalid way or a padding lane */
#define AGE_LO	 0x0101010101010101ull
#define AGE_HI	 0x8080808080808080ull

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
	uint64_t *tag;		    /* [sets * ways], 64-byte aligned */
	struct mw_cache_meta *meta; /* [sets * ways], beside each other so a
				       victim costs one memory access;
				       64-byte aligned */
	void *tag_mem, *meta_mem;   /* the allocations holding tag, meta */
	const struct mw_repl_ops *ops;
	struct mw_repl *repl;
	void (*hit)(struct mw_repl *r, uint32_t set,
		    uint32_t way); /* ops->hit */
	/* built-in order (see the top): repl is then NULL */
	bool ages, age_on_hit; /* age_on_hit: lru (else fifo) */
	uint32_t awords;       /* words per set: ceil(ways / 8), at least 2
				  (so sets of up to 16 ways take one
				  branch-free form) */
	uint64_t *age;	       /* [sets * awords] */
	/* per set, the way (mod 256) last found or filled by the fast path:
	   checked first, so a run of hits on one line costs one compare;
	   only a hint (a wrong one just falls back to the scan) */
	uint8_t *hint; /* [sets]; set-associative only */
	/* set = line & set_mask (one slice, modulo, power-of-two sets) */
	bool mask_index;
	uint64_t set_mask;
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

	if (MW_LIKELY(c->mask_index))
		return (uint32_t)(line & c->set_mask);
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

/* ---- the built-in order (SWAR on rank bytes) ---------------------------- */

/* High bit of each lane whose rank is < a (a <= AGE_NONE). */
static inline uint64_t age_below(uint64_t x, unsigned a)
{
	return (AGE_LO * (AGE_NONE + a) - x) & AGE_HI;
}

/* Rank a of (set, way) becomes 0; valid ranks below a age by one (none
   when a == 0).  No branch for the common sets of up to 16 ways. */
static inline __attribute__((always_inline)) void
age_touch(struct mw_cache *c, uint32_t set, uint32_t way)
{
	uint64_t *x = &c->age[(size_t)set * c->awords];
	unsigned sh = (way & 7) * 8, a = (unsigned)(x[way >> 3] >> sh) & 0xff;
	uint32_t i;

	if (MW_LIKELY(c->awords == 2)) {
		uint64_t x0 = x[0], x1 = x[1];

		x[0] = x0 + (age_below(x0, a) >> 7);
		x[1] = x1 + (age_below(x1, a) >> 7);
	} else {
		for (i = 0; i < c->awords; i++)
			x[i] += age_below(x[i], a) >> 7;
	}
	x[way >> 3] &= ~(0xffull << sh);
}

/* (set, way) becomes invalid: valid ranks above its rank drop by one. */
static inline void age_invalidate(struct mw_cache *c, uint32_t set,
				  uint32_t way)
{
	uint64_t *x = &c->age[(size_t)set * c->awords];
	unsigned sh = (way & 7) * 8, a = (unsigned)(x[way >> 3] >> sh) & 0xff;
	uint32_t i;

	for (i = 0; i < c->awords; i++) {
		/* lanes > a: x + (AGE_NONE - a) carries into the high bit;
		   valid lanes: < AGE_NONE */
		uint64_t above = (x[i] + AGE_LO * (AGE_NONE - a)) & AGE_HI;

		x[i] -= (above & age_below(x[i], AGE_NONE)) >> 7;
	}
	x[way >> 3] |= (uint64_t)AGE_NONE << sh;
}

/* High bit of the lowest lane of x equal to r (other flags only above
   it: borrow noise). */
static inline uint64_t age_lanes_eq(uint64_t x, uint64_t r)
{
	uint64_t t = x ^ (AGE_LO * r);

	return (t - AGE_LO) & ~t & AGE_HI;
}

/* The way of rank ways-1 (the oldest) of a full set: exactly one. */
static inline uint32_t age_victim(const struct mw_cache *c, uint32_t set)
{
	const uint64_t *x = &c->age[(size_t)set * c->awords];
	uint32_t i;

	if (MW_LIKELY(c->awords == 2)) {
		uint64_t z0 = age_lanes_eq(x[0], c->ways - 1);
		uint64_t z1 = age_lanes_eq(x[1], c->ways - 1);
		/* no branch: ctz of the 128-bit z1:z0 */
		uint32_t w0 = (uint32_t)__builtin_ctzll(z0 | (1ull << 63)) / 8;
		uint32_t w1 =
			8 + (uint32_t)__builtin_ctzll(z1 | (1ull << 63)) / 8;

		return z0 ? w0 : w1;
	}
	for (i = 0;; i++) {
		uint64_t z = age_lanes_eq(x[i], c->ways - 1);

		if (z)
			return i * 8 + (uint32_t)__builtin_ctzll(z) / 8;
	}
}

/* ---- policy dispatch: built-in order or the vtable ----------------------- */

static inline __attribute__((always_inline)) void
mw_cache_pol_hit(struct mw_cache *c, uint32_t set, uint32_t way)
{
	if (MW_LIKELY(c->ages)) {
		/* a hit on the newest way (a run of hits on one line) changes
		   nothing */
		if (c->age_on_hit &&
		    (c->age[(size_t)set * c->awords + (way >> 3)] >>
			     (way & 7) * 8 &
		     0xff) != 0)
			age_touch(c, set, way);
		return;
	}
	c->hit(c->repl, set, way);
}

static inline void mw_cache_pol_fill(struct mw_cache *c, uint32_t set,
				     uint32_t way)
{
	if (MW_LIKELY(c->ages))
		age_touch(c, set, way);
	else
		c->ops->fill(c->repl, set, way);
}

static inline uint32_t mw_cache_pol_victim(struct mw_cache *c, uint32_t set)
{
	if (MW_LIKELY(c->ages))
		return age_victim(c, set);
	return c->ops->victim(c->repl, set);
}

static inline void mw_cache_pol_invalidate(struct mw_cache *c, uint32_t set,
					   uint32_t way)
{
	if (MW_LIKELY(c->ages))
		age_invalidate(c, set, way);
	else
		c->ops->invalidate(c->repl, set, way);
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
	mw_cache_pol_hit(c, set, w);
	if (op == MW_OP_WRITE)
		c->meta[base + w].dirty |= need;
	k = &c->st.c[(size_t)tensor * MW_OP_COUNT + op];
	k->v[MW_STAT_ACCESSES]++;
	k->v[MW_STAT_HITS]++;
	return true;
}

__extension__ typedef uint64_t mw_v4u64 __attribute__((vector_size(32)));

/* Bit w set where t[w] == key, for w < ways (4, 8 or 16). */
static inline __attribute__((always_inline)) uint64_t
mw_match16(const uint64_t *t, uint64_t key, unsigned ways)
{
	static const mw_v4u64 b0 = {1, 2, 4, 8}, b1 = {16, 32, 64, 128};
	static const mw_v4u64 b2 = {256, 512, 1024, 2048};
	static const mw_v4u64 b3 = {4096, 8192, 16384, 32768};
	mw_v4u64 k = {key, key, key, key}, v0, v1, r;

	memcpy(&v0, t, sizeof(v0));
	r = (mw_v4u64)(v0 == k) & b0;
	if (ways != 4) {
		memcpy(&v1, t + 4, sizeof(v1));
		r |= (mw_v4u64)(v1 == k) & b1;
	}
	if (ways == 16) {
		mw_v4u64 v2, v3;

		memcpy(&v2, t + 8, sizeof(v2));
		memcpy(&v3, t + 12, sizeof(v3));
		r |= ((mw_v4u64)(v2 == k) & b2) | ((mw_v4u64)(v3 == k) & b3);
	}
	/* the OR of the four lanes by two shuffles: fewer instructions
	   than extracting each lane (GCC 12 and clang both have
	   __builtin_shufflevector; GCC's own __builtin_shuffle is not in
	   clang, which builds the fuzz harnesses) */
	r |= __builtin_shufflevector(r, r, 2, 3, 0, 1);
	r |= __builtin_shufflevector(r, r, 1, 0, 3, 2);
	return r[0];
}

/*
 * The way of set holding line, or ways; set-associative caches only.
 * The hinted way first, then a plain scan: its branch is taken once, at
 * the way found, and most lookups that are not misses end at the hint.
 */
static inline __attribute__((always_inline)) uint32_t
mw_cache_find(struct mw_cache *c, uint32_t set, uint64_t line)
{
	const uint64_t *t = &c->tag[(size_t)set * c->ways];
	uint32_t w = c->hint[set];

	if (MW_LIKELY(t[w] == line))
		return w;
	if (c->ways == 8 || c->ways == 16 || c->ways == 4) {
		/* vector compares (AVX2 in the x86-64-v3 clones), no branch
		   until the answer */
		uint64_t m = mw_match16(t, line, c->ways);

		if (!m)
			return c->ways;
		w = (uint32_t)__builtin_ctzll(m);
		c->hint[set] = (uint8_t)w;
		return w;
	}
	for (w = 0; w < c->ways; w++) {
		if (t[w] == line) {
			c->hint[set] = (uint8_t)w;
			return w;
		}
	}
	return c->ways;
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

/* Set bits of x: the instruction where the build has it, else SWAR (the
   baseline x86-64 builtin is a libgcc call). */
static inline unsigned mw_popcount64(uint64_t x)
{
#if defined(__POPCNT__) || !defined(__x86_64__)
	return (unsigned)__builtin_popcountll(x);
#else
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
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
	return (uint64_t)mw_popcount64(mask) << c->sector_shift;
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
			mw_cache_pol_hit(c, set, slot - set * c->ways);
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
		mw_cache_pol_hit(c, set, slot - set * c->ways);
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
