/*
 * hierarchy.c - cache levels wired into a machine: private first level
 * per unit, shared levels below, then the memory.
 *
 * Notes:
 *  - Splitting: a record is cut into the lines of the first level it
 *    touches; each piece asks for the sectors it overlaps.  A level sends
 *    below, in this order: the demand fill (each run of consecutive
 *    missing sectors as one request), then the write itself when it is
 *    forwarded (write-through, or a write that does not allocate: its own
 *    bytes), then the victim's write-back (each run of dirty sectors).
 *    Requests below are cut again into that level's lines, so levels may
 *    have different line and sector sizes.
 *  - Ops below: fills are reads (ifetch fills stay ifetch); write-backs,
 *    write-throughs and forwarded writes are writes.  Counters at lower
 *    levels are per op of the request that arrives there.
 *  - Units: levels[0] has machine.units instances; a record's unit picks
 *    one.  unit >= units is an error (MW_ERANGE) unless folding is on
 *    (mw_hier_set_unit_fold), then unit % units.  Lower levels are one
 *    shared instance each (slices live inside it).
 *  - Inclusive level k: when k evicts a line, every copy of any part of
 *    it in the levels above (all units) is invalidated; a dirty copy is
 *    written back straight below k (counted as a writeback of the level
 *    that held it), after k's own victim.  Inclusion at level 0 means
 *    nothing and is ignored.
 *  - Exclusive level k (a victim cache of k-1; same line and sector size
 *    required): filled only by lines evicted from k-1, clean or dirty (a
 *    clean victim's bytes count in k-1's bytes_to_below); a fill request
 *    from k-1 that finds the line takes it out of k and the line moves up
 *    with its sectors and dirtiness; a miss goes below k without
 *    allocating in k.  A line allocated in k-1 without any fetch (a write
 *    covering whole sectors) still takes its copy out of k.  A victim
 *    that an inclusive level below k no longer holds (it was
 *    back-invalidated while in flight, by the fill that evicted it) is
 *    not inserted into k: if dirty it is written back through k.
 *  - A write-allocate miss does not fetch the sectors it overwrites
 *    entirely, unless some level below is inclusive: there it fetches
 *    them, so that the inclusive level holds every line above it.
 *  - nlevels == 0: records go to memory cut into MW_HIER_MEM_LINE-byte
 *    aligned pieces.
 *  - Memory counts requests and bytes per op and tensor and passes each
 *    request to the sink.  A sink error stops the batch.
 *  - With MW_DEBUG the touched set of every first-level line request is
 *    checked after the access (mw_cache_check_set); mw_hier_check does
 *    the full check.
 *  - Request paths (same results, see "the fast request path" below):
 *    the general one (line_access, any configuration); the fast one when
 *    no level is inclusive, exclusive or fully associative (fast_line /
 *    fast_miss); within it the uniform one when moreover every level is
 *    unsectored, write-back, write-allocate with one line size
 *    (uni_line / uni_fill).  Batch loops specialised for common shapes
 *    on top (each documented at its definition with why it gives the
 *    same results): batch_uni2 (uniform, one unit, two lru levels: both
 *    levels inline, constant ways for 8 + 16, counters derived at the
 *    end of a batch), batch_uni1 (uniform, one unit, any number of
 *    levels: the first level in locals), batch_gpu2 (two sectored lru
 *    levels, a write-through no-allocate first level over a write-back
 *    write-allocate second one, any units: both inline, constant ways
 *    for 4 + 16).  mw_hier_set_fast_path (hierarchy_int.h) turns all
 *    of them off, for the tests.
 *  - Derived counters (batch_uni2 only, in batches of at least four
 *    records per (tensor, op) counter cell): during such a batch
 *    accesses, sector_misses, bytes_to_below and the memory's bytes are
 *    not counted per request; uni2_derive sets them from hits, misses,
 *    writebacks and the memory's requests before the batch returns
 *    (exact on uniform levels, see there).  Counters are read between
 *    batches only (a memory sink sees addresses, not counters).
 *  - Record checks in batch_uni2 and batch_gpu2: one branch on the OR
 *    of every check and of the line crossing, the cause sorted out
 *    behind it.  The overflow term stays: a record ending exactly at
 *    2^64 wraps without crossing its line.
 */
#include "hierarchy/hierarchy.h"
#include "common/alloc.h"
#include "common/hot.h"
#include "hierarchy/cache.h"
#include "hierarchy/cache_int.h"
#include "hierarchy/hierarchy_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct level {
	struct mw_level_cfg cfg;
	struct mw_cache **inst;
	uint32_t ninst;
	bool exclusive, inclusive;
	bool fetch_full; /* an inclusive level below: writes fetch whole
			    sectors too, so that level holds the line */
	unsigned line_shift, sector_shift;
};

struct mw_hier {
	uint32_t nlevels, units, ntensors;
	struct level lv[MW_LEVELS_MAX];
	struct mw_mem_stats mem;
	struct mw_mem_sink sink;
	bool has_sink, fold;
	bool fast; /* every level set-associative and non-inclusive,
		      non-exclusive: the fast request path (see below) */
	bool uni;  /* fast, and every level unsectored, write-back,
		      write-allocate, with one line size: the uniform path */
	int err;   /* first sink or check error inside a batch */
	struct mw_diag diag;
};

/* Bits lo..hi, lo <= hi <= 63; no branch. */
static inline uint64_t mask_range(unsigned lo, unsigned hi)
{
	return (UINT64_MAX >> (63 - hi)) & (UINT64_MAX << lo);
}

static unsigned log2u32(uint32_t v)
{
	unsigned l = 0;

	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

struct mw_hier *mw_hier_create(const struct mw_hw_cfg *cfg, uint32_t ntensors,
			       struct mw_diag *d)
{
	struct mw_hier *h;
	uint32_t i, k;

	if (cfg->machine.units == 0 || cfg->machine.units > MW_UNITS_MAX) {
		mw_diag_set(d, MW_ECONFIG, "", 0,
			    "machine: units must be 1..%d", MW_UNITS_MAX);
		return NULL;
	}
	if (cfg->nlevels > MW_LEVELS_MAX) {
		mw_diag_set(d, MW_ECONFIG, "", 0, "more than %d cache levels",
			    MW_LEVELS_MAX);
		return NULL;
	}
	if (ntensors > MW_TENSOR_MAX) {
		mw_diag_set(d, MW_EINVAL, "", 0, "more than %d tensors",
			    MW_TENSOR_MAX);
		return NULL;
	}
	for (i = 1; i < cfg->nlevels; i++) {
		const struct mw_level_cfg *a = &cfg->levels[i - 1];
		const struct mw_level_cfg *b = &cfg->levels[i];

		if (b->inclusion == MW_INCL_EXCLUSIVE &&
		    (a->line != b->line || a->sector != b->sector)) {
			mw_diag_set(d, MW_ECONFIG, "", 0,
				    "level %s: an exclusive level needs the "
				    "line and sector size of %s",
				    b->name, a->name);
			return NULL;
		}
	}
	h = mw_calloc(1, sizeof(*h));
	if (!h)
		goto out_nomem;
	h->nlevels = cfg->nlevels;
	h->units = cfg->machine.units;
	h->ntensors = ntensors;
	if (mw_mem_stats_init(&h->mem, ntensors) < 0)
		goto out_destroy_nomem;
	for (i = 0; i < h->nlevels; i++) {
		struct level *l = &h->lv[i];

		l->cfg = cfg->levels[i];
		l->cfg.name[MW_NAME_MAX - 1] = '\0';
		l->exclusive = i > 0 && l->cfg.inclusion == MW_INCL_EXCLUSIVE;
		l->inclusive = i > 0 && l->cfg.inclusion == MW_INCL_INCLUSIVE;
		l->ninst = i == 0 ? h->units : 1;
		l->inst = mw_calloc(l->ninst, sizeof(*l->inst));
		if (!l->inst)
			goto out_destroy_nomem;
		for (k = 0; k < l->ninst; k++) {
			l->inst[k] = mw_cache_create(&l->cfg, ntensors, d);
			if (!l->inst[k])
				goto out_destroy;
		}
		l->line_shift = log2u32(l->cfg.line);
		l->sector_shift = log2u32(l->cfg.sector);
	}
	for (i = 0; i < h->nlevels; i++)
		for (k = i + 1; k < h->nlevels; k++)
			if (h->lv[k].inclusive)
				h->lv[i].fetch_full = true;
	mw_hier_set_fast_path(h, true);
	mw_diag_clear(&h->diag);
	return h;
out_destroy_nomem:
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
out_destroy:
	mw_hier_destroy(h);
	return NULL;
out_nomem:
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	return NULL;
}

void mw_hier_destroy(struct mw_hier *h)
{
	uint32_t i, k;

	if (!h)
		return;
	for (i = 0; i < h->nlevels; i++) {
		if (!h->lv[i].inst)
			continue;
		for (k = 0; k < h->lv[i].ninst; k++)
			mw_cache_destroy(h->lv[i].inst[k]);
		mw_free(h->lv[i].inst);
	}
	mw_mem_stats_fini(&h->mem);
	mw_free(h);
}

void mw_hier_set_memory_sink(struct mw_hier *h, const struct mw_mem_sink *sink)
{
	h->has_sink = sink != NULL;
	if (sink)
		h->sink = *sink;
}

void mw_hier_set_unit_fold(struct mw_hier *h, bool fold)
{
	h->fold = fold;
}

const struct mw_diag *mw_hier_diag(const struct mw_hier *h)
{
	return &h->diag;
}

uint32_t mw_hier_levels(const struct mw_hier *h)
{
	return h->nlevels;
}

uint32_t mw_hier_units(const struct mw_hier *h)
{
	return h->units;
}

const struct mw_level_cfg *mw_hier_level_cfg(const struct mw_hier *h,
					     uint32_t level)
{
	return level < h->nlevels ? &h->lv[level].cfg : NULL;
}

/* ---- the request path --------------------------------------------------- */

static void send(struct mw_hier *h, uint32_t lvl, uint32_t unit, mw_addr addr,
		 uint64_t bytes, unsigned op, unsigned tensor);
static inline void line_access(struct mw_hier *h, uint32_t lvl, uint32_t unit,
			       mw_addr addr, uint32_t n, unsigned op,
			       unsigned tensor);

/* Passes a memory request to the sink (none after an error). */
static void sink_access(struct mw_hier *h, mw_addr addr, uint64_t bytes,
			unsigned op)
{
	int rc;

	if (h->err)
		return;
	rc = h->sink.access(h->sink.ctx, addr, (uint32_t)bytes,
			    op == MW_OP_WRITE);
	if (rc < 0) {
		h->err = rc;
		mw_diag_set(&h->diag, rc, "", 0, "memory model: %s",
			    mw_strerror(rc));
	}
}

static inline void memory(struct mw_hier *h, mw_addr addr, uint64_t bytes,
			  unsigned op, unsigned tensor)
{
	struct mw_mem_counters *m = mw_mem_stats_at(&h->mem, tensor, op);
	bool wr = op == MW_OP_WRITE;

	m->v[wr ? MW_MEM_WRITES : MW_MEM_READS]++;
	m->v[wr ? MW_MEM_BYTES_WRITTEN : MW_MEM_BYTES_READ] += bytes;
	if (h->has_sink)
		sink_access(h, addr, bytes, op);
}

static inline struct mw_cache *inst_of(const struct mw_hier *h, uint32_t lvl,
				       uint32_t unit)
{
	return h->lv[lvl].inst[lvl == 0 ? unit : 0];
}

/* Sends each run of consecutive sectors of mask in line below lvl. */
static void send_runs(struct mw_hier *h, uint32_t lvl, uint32_t unit,
		      uint64_t line, uint64_t mask, unsigned op,
		      unsigned tensor)
{
	const struct level *l = &h->lv[lvl];
	mw_addr base = line << l->line_shift;

	if (!mask)
		return;
	if (l->sector_shift == l->line_shift) {
		/* unsectored: the whole line; straight to the line of the level
		   below when it holds it whole */
		if (lvl + 1 < h->nlevels &&
		    h->lv[lvl + 1].line_shift >= l->line_shift)
			line_access(h, lvl + 1, unit, base,
				    (uint32_t)1 << l->line_shift, op, tensor);
		else
			send(h, lvl + 1, unit, base,
			     (uint64_t)1 << l->line_shift, op, tensor);
		return;
	}
	while (mask) {
		unsigned lo = (unsigned)__builtin_ctzll(mask);
		uint64_t rest = mask >> lo;
		unsigned n = rest == UINT64_MAX
				     ? 64
				     : (unsigned)__builtin_ctzll(~rest);

		send(h, lvl + 1, unit, base + ((mw_addr)lo << l->sector_shift),
		     (uint64_t)n << l->sector_shift, op, tensor);
		mask = n + lo >= 64 ? 0 : mask & ~mask_range(lo, lo + n - 1);
	}
}

static void evict(struct mw_hier *h, uint32_t lvl, uint32_t unit,
		  const struct mw_cache_victim *v, unsigned op);

/* Fetches sectors mask of line (a line of lvl) from below lvl. */
static void fetch_below(struct mw_hier *h, uint32_t lvl, uint32_t unit,
			uint64_t line, uint64_t mask, bool allocated,
			unsigned op, unsigned tensor)
{
	struct mw_cache *up = inst_of(h, lvl, unit), *c;
	struct mw_cache_result r;
	unsigned fop = op == MW_OP_IFETCH ? MW_OP_IFETCH : MW_OP_READ;

	if (lvl + 1 >= h->nlevels || !h->lv[lvl + 1].exclusive) {
		send_runs(h, lvl, unit, line, mask, fop, tensor);
		return;
	}
	c = inst_of(h, lvl + 1, unit);
	if (!mask) {
		struct mw_cache_victim v;

		if (allocated && mw_cache_invalidate(c, line, op, &v))
			mw_cache_merge(up, line, v.mask, v.dirty);
		return;
	}
	mw_cache_access_exclusive(c, line, mask, 0,
				  (uint32_t)__builtin_popcountll(mask)
					  << h->lv[lvl].sector_shift,
				  fop, tensor, &r);
	if (r.fetch)
		fetch_below(h, lvl + 1, unit, line, r.fetch, false, fop,
			    tensor);
	if (r.v.valid)
		mw_cache_merge(up, line, r.v.mask, r.v.dirty);
}

/* Back-invalidates every copy above lvl of victim v (a line of lvl). */
static void back_invalidate(struct mw_hier *h, uint32_t lvl, uint32_t unit,
			    const struct mw_cache_victim *v, unsigned op)
{
	mw_addr lo = v->line << h->lv[lvl].line_shift;
	mw_addr hi = lo + ((mw_addr)1 << h->lv[lvl].line_shift) - 1;
	uint32_t j, k;

	for (j = 0; j < lvl; j++) {
		const struct level *u = &h->lv[j];
		uint64_t first = lo >> u->line_shift,
			 last = hi >> u->line_shift;

		for (k = 0; k < u->ninst; k++) {
			uint64_t x;

			for (x = first; x <= last; x++) {
				struct mw_cache_victim c;

				if (!mw_cache_invalidate(u->inst[k], x, op, &c))
					continue;
				if (!c.dirty)
					continue;
				mw_cache_count(u->inst[k], c.tensor, op,
					       MW_STAT_WRITEBACKS, 1);
				mw_cache_count(
					u->inst[k], c.tensor, op,
					MW_STAT_BYTES_TO_BELOW,
					(uint64_t)__builtin_popcountll(c.dirty)
						<< u->sector_shift);
				/* the copy's dirty runs, straight below lvl */
				{
					mw_addr b = x << u->line_shift;
					uint64_t m = c.dirty;

					while (m) {
						unsigned s = (unsigned)
							__builtin_ctzll(m);

						m &= m - 1;
						send(h, lvl + 1, unit,
						     b + ((mw_addr)s
							  << u->sector_shift),
						     (uint64_t)1
							     << u->sector_shift,
						     MW_OP_WRITE, c.tensor);
					}
				}
			}
		}
	}
}

/* true when an inclusive level below k lacks line (a line of k): it was
   back-invalidated while it was a victim in flight. */
static bool orphaned(const struct mw_hier *h, uint32_t k, uint64_t line)
{
	mw_addr a = line << h->lv[k].line_shift;
	uint32_t m;

	for (m = k + 1; m < h->nlevels; m++)
		if (h->lv[m].inclusive &&
		    !mw_cache_contains(h->lv[m].inst[0],
				       a >> h->lv[m].line_shift))
			return true;
	return false;
}

static void evict(struct mw_hier *h, uint32_t lvl, uint32_t unit,
		  const struct mw_cache_victim *v, unsigned op)
{
	if (lvl + 1 < h->nlevels && h->lv[lvl + 1].exclusive &&
	    !orphaned(h, lvl + 1, v->line)) {
		struct mw_cache_victim v2;

		mw_cache_count(
			inst_of(h, lvl, unit), v->tensor, op,
			MW_STAT_BYTES_TO_BELOW,
			(uint64_t)__builtin_popcountll(v->mask & ~v->dirty)
				<< h->lv[lvl].sector_shift);
		mw_cache_insert(inst_of(h, lvl + 1, unit), v->line, v->mask,
				v->dirty, op, v->tensor, &v2);
		if (v2.valid)
			evict(h, lvl + 1, unit, &v2, op);
	} else if (v->dirty) {
		send_runs(h, lvl, unit, v->line, v->dirty, MW_OP_WRITE,
			  v->tensor);
	}
	if (h->lv[lvl].inclusive)
		back_invalidate(h, lvl, unit, v, op);
}

static void debug_check(struct mw_hier *h, struct mw_cache *c, uint64_t line)
{
#if defined(MW_DEBUG) && MW_DEBUG
	if (!h->err &&
	    mw_cache_check_set(c, mw_cache_set_of(c, line), &h->diag) < 0)
		h->err = MW_ECORRUPT;
#else
	(void)h;
	(void)c;
	(void)line;
#endif
}

/* One request for a piece of one line of level lvl. */
static inline void line_access(struct mw_hier *h, uint32_t lvl, uint32_t unit,
			       mw_addr addr, uint32_t n, unsigned op,
			       unsigned tensor)
{
	const struct level *l = &h->lv[lvl];
	struct mw_cache *c = inst_of(h, lvl, unit);
	struct mw_cache_result r;
	uint64_t line = addr >> l->line_shift;
	uint64_t lmask = ((uint64_t)1 << l->line_shift) - 1;
	uint64_t smask = ((uint64_t)1 << l->sector_shift) - 1;
	mw_addr off = addr & lmask, end = off + n; /* end <= line size */
	unsigned s0 = (unsigned)(off >> l->sector_shift);
	unsigned s1 = (unsigned)((end - 1) >> l->sector_shift);
	uint64_t need = mask_range(s0, s1), full = 0;

	if (op == MW_OP_WRITE && !l->fetch_full) {
		/* sectors [off, end) covers entirely */
		unsigned f0 = (unsigned)((off + smask) >> l->sector_shift);
		unsigned f1 =
			(unsigned)(end >> l->sector_shift); /* exclusive */

		if (f0 < f1)
			full = mask_range(f0, f1 - 1);
	}
	if (l->exclusive)
		mw_cache_access_exclusive(c, line, need, full, n, op, tensor,
					  &r);
	else
		mw_cache_access_int(c, line, need, full, n, op, tensor, &r);
	if (lvl == 0)
		debug_check(h, c, line);
	if (MW_LIKELY(r.hit && !r.forward))
		return;
	if (l->exclusive) {
		/* a moved-up line is merged by fetch_below one level up */
		if (r.fetch)
			fetch_below(h, lvl, unit, line, r.fetch, false, op,
				    tensor);
		if (r.forward)
			send(h, lvl + 1, unit, addr, n, MW_OP_WRITE, tensor);
		return;
	}
	if (r.fetch || r.miss)
		fetch_below(h, lvl, unit, line, r.fetch, r.miss && !r.forward,
			    op, tensor);
	if (r.forward)
		send(h, lvl + 1, unit, addr, n, MW_OP_WRITE, tensor);
	if (r.v.valid)
		evict(h, lvl, unit, &r.v, op);
}

static void send(struct mw_hier *h, uint32_t lvl, uint32_t unit, mw_addr addr,
		 uint64_t bytes, unsigned op, unsigned tensor)
{
	mw_addr end = addr + bytes;
	uint64_t lsize;

	if (lvl >= h->nlevels) {
		memory(h, addr, bytes, op, tensor);
		return;
	}
	lsize = (uint64_t)1 << h->lv[lvl].line_shift;
	while (addr < end) {
		uint64_t n = lsize - (addr & (lsize - 1));

		if (n > end - addr)
			n = end - addr;
		line_access(h, lvl, unit, addr, (uint32_t)n, op, tensor);
		addr += n;
	}
}

/* ---- the fast request path ----------------------------------------------
 *
 * When no level is inclusive or exclusive and none is fully associative
 * (h->fast), a request at a level never looks at another level's state:
 * line_access reduces to "access this cache, then send below the fill
 * runs, the forwarded write and the victim's dirty runs, in that order".
 * fast_line / fast_miss are that reduction written out: the same counter
 * updates, the same policy calls (the built-in order of cache_int.h, or
 * the vtable) and the same requests below in the same order as
 * mw_cache_access_int + line_access + fetch_below + send_runs + evict,
 * without the result struct, the generic victim placement or the checks
 * for the modes h->fast excludes.  A plain hit (line present with its
 * sectors; a read, or a write a write-back level absorbs) is inline; all
 * else is fast_miss.  tests/test_cache.c runs every differential case on
 * both paths (mw_hier_set_fast_path) against the naive model.
 */

static void fast_send(struct mw_hier *h, uint32_t lvl, uint32_t unit,
		      mw_addr addr, uint64_t bytes, unsigned op,
		      unsigned tensor);
static inline __attribute__((always_inline)) void
fast_below(struct mw_hier *h, uint32_t lvl, uint32_t unit, mw_addr addr,
	   uint64_t bytes, unsigned op, unsigned tensor);
static inline __attribute__((always_inline)) void
fast_runs(struct mw_hier *h, uint32_t lvl, uint32_t unit, uint64_t line,
	  uint64_t mask, unsigned op, unsigned tensor);

/*
 * Everything but a plain hit, for the request (addr, n, op, tensor) for
 * sectors need of line of level lvl, after the lookup found it in way w
 * of set (w == ways: absent).
 */
MW_HOT_CLONES
static void fast_miss(struct mw_hier *h, uint32_t lvl, uint32_t unit,
		      struct mw_cache *c, uint32_t set, uint32_t w,
		      uint64_t line, uint64_t need, mw_addr addr, uint32_t n,
		      unsigned op, unsigned tensor)
{
	const struct level *l = &h->lv[lvl];
	struct mw_counters *k = mw_cache_ctr(c, tensor, op);
	bool wr = op == MW_OP_WRITE;
	uint32_t base = set * c->ways;
	uint64_t fetch, full = 0, vline = 0, vdirty = 0;
	unsigned vtensor = 0;
	struct mw_cache_meta *m;

	k->v[MW_STAT_ACCESSES]++;
	if (wr) {
		/* sectors [off, end) covers entirely (no level below is
		   inclusive on this path) */
		uint64_t smask = ((uint64_t)1 << l->sector_shift) - 1;
		mw_addr off = addr & (((uint64_t)1 << l->line_shift) - 1);
		unsigned f0 = (unsigned)((off + smask) >> l->sector_shift);
		unsigned f1 = (unsigned)((off + n) >> l->sector_shift);

		if (f0 < f1)
			full = mask_range(f0, f1 - 1);
	}
	if (w < c->ways) {
		uint64_t have;

		m = &c->meta[base + w];
		have = c->nsect == 1 ? 1 : m->valid;
		if ((have & need) == need) {
			/* a write-through write hit, or a plain hit */
			k->v[MW_STAT_HITS]++;
			mw_cache_pol_hit(c, set, w);
			if (lvl == 0)
				debug_check(h, c, line);
			if (!wr)
				return;
			if (c->write_back) {
				m->dirty |= need;
				return;
			}
			k->v[MW_STAT_BYTES_TO_BELOW] += n;
			fast_below(h, lvl + 1, unit, addr, n, MW_OP_WRITE,
				   tensor);
			return;
		}
		k->v[MW_STAT_SECTOR_MISSES]++;
		if (wr && !c->alloc_write)
			goto forward_only;
		fetch = need & ~have & ~full;
		m->valid = have | need;
		mw_cache_pol_hit(c, set, w);
	} else {
		const uint64_t *t = &c->tag[base];

		k->v[MW_STAT_MISSES]++;
		k->v[MW_STAT_SECTOR_MISSES]++;
		if (wr && !c->alloc_write)
			goto forward_only;
		/* mw_cache_place: the lowest invalid way, else the victim */
		w = c->nvalid == c->lines
			    ? c->ways
			    : mw_cache_match(t, c->ways, TAG_NONE);
		if (w < c->ways) {
			mw_cache_pol_fill(c, set, w);
			c->nvalid++;
		} else {
			w = mw_cache_pol_victim(c, set);
			m = &c->meta[base + w];
			vline = t[w];
			vdirty = m->dirty;
			vtensor = m->tensor;
			{
				/* no branch: a clean victim adds 0 */
				struct mw_counters *kv =
					mw_cache_ctr(c, vtensor, op);

				kv->v[MW_STAT_WRITEBACKS] += vdirty != 0;
				kv->v[MW_STAT_BYTES_TO_BELOW] +=
					mw_cache_sector_bytes(c, vdirty);
			}
			/* invalidate then fill; with the built-in order one
			   touch: the victim has the highest rank, so the
			   invalidation lowers none, and the fill ages every
			   other way */
			if (c->ages) {
				age_touch(c, set, w);
			} else {
				c->ops->invalidate(c->repl, set, w);
				c->ops->fill(c->repl, set, w);
			}
		}
		c->tag[base + w] = line;
		c->hint[set] = (uint8_t)w;
		m = &c->meta[base + w];
		m->valid = need;
		m->dirty = 0;
		m->tensor = (uint8_t)tensor;
		fetch = need & ~full;
	}
	k->v[MW_STAT_BYTES_FROM_BELOW] += mw_cache_sector_bytes(c, fetch);
	if (c->write_back)
		m->dirty |= need & -(uint64_t)wr; /* no branch on the op */
	else if (wr)
		k->v[MW_STAT_BYTES_TO_BELOW] += n;
	if (lvl == 0)
		debug_check(h, c, line);
	if (fetch)
		fast_runs(h, lvl, unit, line, fetch,
			  op == MW_OP_IFETCH ? MW_OP_IFETCH : MW_OP_READ,
			  tensor);
	if (!c->write_back && wr)
		fast_below(h, lvl + 1, unit, addr, n, MW_OP_WRITE, tensor);
	if (vdirty)
		fast_runs(h, lvl, unit, vline, vdirty, MW_OP_WRITE, vtensor);
	return;
forward_only:
	/* a write that does not allocate: below, nothing changes here */
	k->v[MW_STAT_BYTES_TO_BELOW] += n;
	if (lvl == 0)
		debug_check(h, c, line);
	fast_below(h, lvl + 1, unit, addr, n, MW_OP_WRITE, tensor);
}

/* One request for the piece [addr, addr + n) of one line of level lvl. */
static inline __attribute__((always_inline)) void
fast_line(struct mw_hier *h, uint32_t lvl, uint32_t unit, mw_addr addr,
	  uint32_t n, unsigned op, unsigned tensor)
{
	const struct level *l = &h->lv[lvl];
	struct mw_cache *c = inst_of(h, lvl, unit);
	uint64_t line = addr >> l->line_shift, need = 1;
	uint32_t set, w, base;

	if (l->sector_shift != l->line_shift) {
		mw_addr off = addr & (((uint64_t)1 << l->line_shift) - 1);

		need = mask_range((unsigned)(off >> l->sector_shift),
				  (unsigned)((off + n - 1) >> l->sector_shift));
	}
	set = mw_cache_set_of_int(c, line);
	base = set * c->ways;
	w = mw_cache_find(c, set, line);
	if (MW_LIKELY(w < c->ways) &&
	    (c->nsect == 1 || (c->meta[base + w].valid & need) == need) &&
	    (op != MW_OP_WRITE || c->write_back)) {
		struct mw_counters *k = mw_cache_ctr(c, tensor, op);

		k->v[MW_STAT_ACCESSES]++;
		k->v[MW_STAT_HITS]++;
		mw_cache_pol_hit(c, set, w);
		/* no branch on the op */
		c->meta[base + w].dirty |= need &
					   -(uint64_t)(op == MW_OP_WRITE);
		if (lvl == 0)
			debug_check(h, c, line);
		return;
	}
	fast_miss(h, lvl, unit, c, set, w, line, need, addr, n, op, tensor);
}

/* send on the fast path, inline for a request within one line of lvl. */
static inline __attribute__((always_inline)) void
fast_below(struct mw_hier *h, uint32_t lvl, uint32_t unit, mw_addr addr,
	   uint64_t bytes, unsigned op, unsigned tensor)
{
	uint64_t lsize;

	if (lvl >= h->nlevels) {
		memory(h, addr, bytes, op, tensor);
		return;
	}
	lsize = (uint64_t)1 << h->lv[lvl].line_shift;
	if (MW_LIKELY((addr & (lsize - 1)) + bytes <= lsize))
		fast_line(h, lvl, unit, addr, (uint32_t)bytes, op, tensor);
	else
		fast_send(h, lvl, unit, addr, bytes, op, tensor);
}

/* Sends each run of consecutive sectors of mask of line (a line of lvl)
   below lvl: send_runs. */
static inline __attribute__((always_inline)) void
fast_runs(struct mw_hier *h, uint32_t lvl, uint32_t unit, uint64_t line,
	  uint64_t mask, unsigned op, unsigned tensor)
{
	const struct level *l = &h->lv[lvl];
	mw_addr base = line << l->line_shift;

	if (l->sector_shift == l->line_shift) {
		fast_below(h, lvl + 1, unit, base, (uint64_t)1 << l->line_shift,
			   op, tensor);
		return;
	}
	while (mask) {
		unsigned lo = (unsigned)__builtin_ctzll(mask);
		uint64_t rest = mask >> lo;
		unsigned n = rest == UINT64_MAX
				     ? 64
				     : (unsigned)__builtin_ctzll(~rest);

		fast_below(h, lvl + 1, unit,
			   base + ((mw_addr)lo << l->sector_shift),
			   (uint64_t)n << l->sector_shift, op, tensor);
		mask = n + lo >= 64 ? 0 : mask & ~mask_range(lo, lo + n - 1);
	}
}

/* send on the fast path: cut into lvl's lines, or to memory. */
MW_HOT_CLONES
static void fast_send(struct mw_hier *h, uint32_t lvl, uint32_t unit,
		      mw_addr addr, uint64_t bytes, unsigned op,
		      unsigned tensor)
{
	mw_addr end = addr + bytes;
	uint64_t lsize;

	if (lvl >= h->nlevels) {
		memory(h, addr, bytes, op, tensor);
		return;
	}
	lsize = (uint64_t)1 << h->lv[lvl].line_shift;
	while (addr < end) {
		uint64_t n = lsize - (addr & (lsize - 1));

		if (n > end - addr)
			n = end - addr;
		fast_line(h, lvl, unit, addr, (uint32_t)n, op, tensor);
		addr += n;
	}
}

/* ---- the uniform path ----------------------------------------------------
 *
 * With h->uni every level is unsectored, write-back and write-allocate
 * and has the same line size, so on the fast path a request is one whole
 * line (need = 1) and nothing is ever forwarded: a present line is a hit;
 * an absent one is placed, fetched from below unless the request writes
 * the whole line (full: a write-back from above, or a record covering
 * it), and the victim, when dirty, is written to the level below as one
 * whole-line write.  uni_line / uni_fill are fast_line / fast_miss with
 * those constants folded in (the same counters, policy calls and order of
 * requests below).
 */

/* The request of uni_fill packed in one word (fewer arguments: the call
   is on the path of every miss). */
#define UNI_WHO(lvl, op, tensor, full)                                         \
	((uint32_t)(op) | (uint32_t)(full) << 2 | (uint32_t)(lvl) << 3 |       \
	 (uint32_t)(tensor) << 8)

static void uni_fill(struct mw_hier *h, struct mw_cache *c, uint32_t set,
		     uint64_t line, uint32_t who);

/* A request for line of level lvl (or the memory below the last). */
static inline __attribute__((always_inline)) void
uni_line(struct mw_hier *h, uint32_t lvl, uint32_t unit, uint64_t line,
	 unsigned op, unsigned tensor, bool full)
{
	struct mw_cache *c;
	uint32_t set, w;

	if (lvl >= h->nlevels) {
		unsigned ls = h->lv[0].line_shift;

		memory(h, line << ls, (uint64_t)1 << ls, op, tensor);
		return;
	}
	c = inst_of(h, lvl, unit);
	set = mw_cache_set_of_int(c, line);
	w = mw_cache_find(c, set, line);
	if (MW_LIKELY(w < c->ways)) {
		struct mw_counters *k = mw_cache_ctr(c, tensor, op);

		k->v[MW_STAT_ACCESSES]++;
		k->v[MW_STAT_HITS]++;
		mw_cache_pol_hit(c, set, w);
		c->meta[(size_t)set * c->ways + w].dirty |= op == MW_OP_WRITE;
		if (lvl == 0)
			debug_check(h, c, line);
		return;
	}
	uni_fill(h, c, set, line, UNI_WHO(lvl, op, tensor, full));
}

/* line is absent from set of c (level lvl): a miss. */
MW_HOT_CLONES
static void uni_fill(struct mw_hier *h, struct mw_cache *c, uint32_t set,
		     uint64_t line, uint32_t who)
{
	unsigned op = who & 3, tensor = who >> 8;
	uint32_t lvl = (who >> 3) & 31;
	bool full = who >> 2 & 1;
	struct mw_counters *k = mw_cache_ctr(c, tensor, op);
	uint32_t base = set * c->ways, w;
	uint64_t vline = 0, vdirty = 0;
	unsigned vtensor = 0;
	struct mw_cache_meta *m;
	bool fetch = !(full && op == MW_OP_WRITE);

	k->v[MW_STAT_ACCESSES]++;
	k->v[MW_STAT_MISSES]++;
	k->v[MW_STAT_SECTOR_MISSES]++;
	k->v[MW_STAT_BYTES_FROM_BELOW] += (uint64_t)fetch << c->line_shift;
	/* mw_cache_place: the lowest invalid way, else the victim */
	w = c->nvalid == c->lines
		    ? c->ways
		    : mw_cache_match(&c->tag[base], c->ways, TAG_NONE);
	if (w < c->ways) {
		mw_cache_pol_fill(c, set, w);
		c->nvalid++;
		m = &c->meta[base + w];
	} else {
		struct mw_counters *kv;

		w = mw_cache_pol_victim(c, set);
		m = &c->meta[base + w];
		vline = c->tag[base + w];
		vdirty = m->dirty;
		vtensor = m->tensor;
		kv = mw_cache_ctr(c, vtensor, op);
		kv->v[MW_STAT_WRITEBACKS] += vdirty;
		kv->v[MW_STAT_BYTES_TO_BELOW] += vdirty << c->line_shift;
		/* as in fast_miss: invalidate + fill is one touch */
		if (c->ages) {
			age_touch(c, set, w);
		} else {
			c->ops->invalidate(c->repl, set, w);
			c->ops->fill(c->repl, set, w);
		}
	}
	c->tag[base + w] = line;
	c->hint[set] = (uint8_t)w;
	m->valid = 1;
	m->dirty = op == MW_OP_WRITE;
	m->tensor = (uint8_t)tensor;
	if (lvl == 0)
		debug_check(h, c, line);
	/* the levels below the first are shared: no unit */
	if (fetch)
		uni_line(h, lvl + 1, 0, line,
			 op == MW_OP_IFETCH ? MW_OP_IFETCH : MW_OP_READ, tensor,
			 false);
	if (vdirty)
		uni_line(h, lvl + 1, 0, vline, MW_OP_WRITE, vtensor, true);
}

void mw_hier_set_fast_path(struct mw_hier *h, bool on)
{
	uint32_t i;

	h->fast = false;
	h->uni = false;
	if (!on || h->nlevels == 0)
		return;
	for (i = 0; i < h->nlevels; i++)
		if (h->lv[i].exclusive || h->lv[i].inclusive ||
		    h->lv[i].cfg.ways == 0)
			return;
	h->fast = true;
	h->uni = true;
	for (i = 0; i < h->nlevels; i++)
		if (h->lv[i].sector_shift != h->lv[i].line_shift ||
		    h->lv[i].line_shift != h->lv[0].line_shift ||
		    h->lv[i].cfg.write != MW_WRITE_BACK ||
		    h->lv[i].cfg.allocate != MW_ALLOC_WRITE)
			h->uni = false;
}

/* A record mw_hier_access_batch refuses: 0 or MW_ERANGE with h->diag. */
static int bad_record(struct mw_hier *h, size_t i, const struct mw_access *a)
{
	return mw_diag_set(&h->diag, MW_ERANGE, "", 0,
			   "record %zu: tensor %u, size "
			   "%" PRIu32 ", op %u, address "
			   "0x%" PRIx64 " out of "
			   "range",
			   i, a->tensor, a->size, a->op, a->addr);
}

static int bad_unit(struct mw_hier *h, size_t i, uint32_t unit)
{
	return mw_diag_set(&h->diag, MW_ERANGE, "", 0,
			   "record %zu: unit %" PRIu32 " but the machine has "
			   "%" PRIu32 " units",
			   i, unit, h->units);
}

/*
 * The uniform path with one unit whose first level has the common shape
 * (one slice, modulo index, power-of-two sets, lru of at most 16 ways):
 * that level's arrays and geometry are held in locals across the batch
 * (nothing reallocates them), so a first-level hit is a few loads, the
 * rank update of age_touch and two counter increments.  Everything else
 * goes to uni_fill / fast_send exactly as in batch_fast.
 */
static bool uni1_ok(const struct mw_hier *h)
{
	const struct mw_cache *c = h->lv[0].inst[0];

	return h->uni && h->units == 1 && c->mask_index && c->ages &&
	       c->age_on_hit && c->awords == 2;
}

MW_HOT_CLONES
static int batch_uni1(struct mw_hier *h, const struct mw_access *recs, size_t n)
{
	struct mw_cache *c = h->lv[0].inst[0];
	const uint64_t *tag = c->tag;
	struct mw_cache_meta *meta = c->meta;
	uint64_t *age = c->age, set_mask = c->set_mask;
	uint8_t *hint = c->hint;
	struct mw_counters *st = c->st.c;
	unsigned ls = c->line_shift;
	uint64_t lsize = (uint64_t)1 << ls;
	uint32_t ways = c->ways, ntensors = h->ntensors;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		uint64_t addr = a->addr, line, x0, x1, *x;
		uint32_t size = a->size, set, w, base;
		unsigned op = a->op, tensor = a->tensor, r, sh;
		struct mw_counters *k;

		if (MW_UNLIKELY(a->unit != 0) && !h->fold)
			return bad_unit(h, i, a->unit);
		if (MW_UNLIKELY((tensor > ntensors) | (size == 0) |
				(addr + size < addr) | (op >= MW_OP_COUNT)))
			return bad_record(h, i, a);
		if (MW_UNLIKELY((addr & (lsize - 1)) + size > lsize)) {
			fast_send(h, 0, 0, addr, size, op, tensor);
			goto next;
		}
		line = addr >> ls;
		set = (uint32_t)(line & set_mask);
		base = set * ways;
		w = hint[set];
		if (MW_UNLIKELY(tag[base + w] != line)) {
			w = mw_cache_find(c, set, line);
			if (w == ways) {
				uni_fill(h, c, set, line,
					 UNI_WHO(0, op, tensor, size == lsize));
				goto next;
			}
		}
		/* a hit: uni_line's hit branch */
		k = &st[(size_t)tensor * MW_OP_COUNT + op];
		k->v[MW_STAT_ACCESSES]++;
		k->v[MW_STAT_HITS]++;
		x = &age[(size_t)set * 2];
		sh = (w & 7) * 8;
		r = (unsigned)(x[w >> 3] >> sh) & 0xff;
		if (r != 0) {
			/* age_touch with two words */
			x0 = x[0];
			x1 = x[1];
			x[0] = x0 + (age_below(x0, r) >> 7);
			x[1] = x1 + (age_below(x1, r) >> 7);
			x[w >> 3] &= ~(0xffull << sh);
		}
		meta[base + w].dirty |= op == MW_OP_WRITE;
		debug_check(h, c, line);
	next:
		if (MW_UNLIKELY(h->err))
			return h->err;
	}
	return 0;
}

/* ---- two levels, one unit: the uniform path with constant geometry -------
 *
 * The commonest CPU shape (one core, an L1 and an L2, both unsectored
 * write-back write-allocate lru levels of one line size, one slice,
 * modulo index, power-of-two sets, at most 16 ways; uni2_ok) gets a
 * batch loop of its own, uni2_body.  It is uni_line / uni_fill / memory
 * written out for that shape: the same rank updates (age_touch and
 * age_victim of cache_int.h restricted to the words that can change),
 * the same placement (lowest invalid way while the level is not full,
 * else the oldest way), the same requests below in the same order (the
 * fill, then the dirty victim's write-back; at the second level: memory
 * read, then memory write, each passed to the sink as they happen), so
 * the same results.  What makes it faster:
 *  - both levels' arrays and masks are locals for the whole batch
 *    (nothing reallocates them), the second level and the memory are
 *    inline (no call on a miss);
 *  - the ways are compile-time constants for 8 + 16 ways (else the same
 *    code with the ways read once), and a set of at most 8 ways has one
 *    rank word (its second word holds only padding lanes at AGE_NONE,
 *    which age_touch leaves as they are and age_victim never picks);
 *  - fewer counter updates (when the batch is long enough for the
 *    fix-up to pay, see uni2_derive): only hits, misses,
 *    bytes_from_below and writebacks are counted per request, and
 *    memory only its reads and writes; accesses, sector_misses,
 *    bytes_to_below and the memory's bytes are derived from them at the
 *    end of the batch.
 * tests/test_cache.c compares it with the naive model for the constant
 * pair, for the generic form and for short batches.
 */

/* One level's state, in locals across a batch. */
struct u2_level {
	struct mw_cache *c;
	uint64_t *tag;
	struct mw_cache_meta *meta;
	uint64_t *age;
	uint8_t *hint;
	struct mw_counters *st;
	uint64_t set_mask;
	bool filling; /* some way still invalid (nvalid < lines) */
};

static inline void u2_load(struct u2_level *v, struct mw_cache *c)
{
	v->c = c;
	v->tag = c->tag;
	v->meta = c->meta;
	v->age = c->age;
	v->hint = c->hint;
	v->st = c->st.c;
	v->set_mask = c->set_mask;
	v->filling = c->nvalid != c->lines;
}

/*
 * The counters uni2_body leaves out, from the ones it keeps, for every
 * (tensor, op) of a uniform level c and of the memory below the uniform
 * hierarchy h.  Exact on such a level whatever path counted before:
 * accesses = hits + sector_misses by definition; a present line of an
 * unsectored level holds its one sector, so every sector miss is a miss;
 * a write-back write-allocate level with no exclusive level below sends
 * below only the write-backs of dirty lines, each one whole line; every
 * memory request below a uniform hierarchy is one whole line.
 */
static void uni2_derive(struct mw_hier *h)
{
	size_t cells = (size_t)(h->ntensors + 1) * MW_OP_COUNT, i;
	unsigned ls = h->lv[0].line_shift;
	uint32_t l;

	for (l = 0; l < 2; l++) {
		struct mw_counters *k = h->lv[l].inst[0]->st.c;

		for (i = 0; i < cells; i++) {
			uint64_t *v = k[i].v;

			v[MW_STAT_SECTOR_MISSES] = v[MW_STAT_MISSES];
			v[MW_STAT_ACCESSES] =
				v[MW_STAT_HITS] + v[MW_STAT_MISSES];
			v[MW_STAT_BYTES_TO_BELOW] = v[MW_STAT_WRITEBACKS] << ls;
		}
	}
	for (i = 0; i < cells; i++) {
		uint64_t *v = h->mem.c[i].v;

		v[MW_MEM_BYTES_READ] = v[MW_MEM_READS] << ls;
		v[MW_MEM_BYTES_WRITTEN] = v[MW_MEM_WRITES] << ls;
	}
}

/* age_touch on a set's two rank words x (W ways) for a way of rank a;
   W <= 8: word 0 only. */
static inline __attribute__((always_inline)) void
u2_touch(uint64_t *x, uint32_t way, unsigned a, uint32_t W)
{
	unsigned sh = (way & 7) * 8;
	uint64_t x0 = x[0];

	if (W <= 8) {
		x0 += age_below(x0, a) >> 7;
		x[0] = x0 & ~(0xffull << sh);
		return;
	}
	x[0] = x0 + (age_below(x0, a) >> 7);
	x[1] += age_below(x[1], a) >> 7;
	x[way >> 3] &= ~(0xffull << sh);
}

static inline __attribute__((always_inline)) unsigned u2_rank(const uint64_t *x,
							      uint32_t way)
{
	return (unsigned)(x[way >> 3] >> (way & 7) * 8) & 0xff;
}

/* u2_touch for the victim of a full set (rank W - 1): every other way
   ages by one and the victim becomes 0, i.e. one added to each of the W
   lanes (the padding lanes above stay AGE_NONE) and the victim's lane
   cleared.  No rank to extract, no comparison. */
static inline __attribute__((always_inline)) void
u2_touch_victim(uint64_t *x, uint32_t way, uint32_t W)
{
	x[0] += W >= 8 ? AGE_LO : AGE_LO >> (64 - 8 * W);
	if (W > 8)
		x[1] += W >= 16 ? AGE_LO : AGE_LO >> (128 - 8 * W);
	x[way >> 3] &= ~(0xffull << (way & 7) * 8);
}

/* age_victim of a full set. */
static inline __attribute__((always_inline)) uint32_t
u2_victim(const uint64_t *x, uint32_t W)
{
	uint64_t z0 = age_lanes_eq(x[0], W - 1), z1;

	if (W <= 8)
		return (uint32_t)__builtin_ctzll(z0) / 8;
	z1 = age_lanes_eq(x[1], W - 1);
	return z0 ? (uint32_t)__builtin_ctzll(z0) / 8
		  : 8 + (uint32_t)__builtin_ctzll(z1 | (1ull << 63)) / 8;
}

/*
 * The lowest invalid way of a set (W ways, its two rank words x), or W
 * when the set is full: mw_cache_match(tag, W, TAG_NONE) read off the
 * ranks, as an invalid way has rank AGE_NONE and a valid one a rank
 * below W (cache_int.h; checked by mw_cache_check_set).  No scan of the
 * tags: a level whose records use few of its sets never fills, and then
 * every miss asks.  age_lanes_eq flags the lowest equal lane exactly and
 * others only above it, so the padding lanes (AGE_NONE too) are masked
 * off after the fact.
 */
static inline __attribute__((always_inline)) uint32_t
u2_invalid(const uint64_t *x, uint32_t W)
{
	uint64_t z = age_lanes_eq(x[0], AGE_NONE);

	if (W < 8)
		z &= (1ull << 8 * W) - 1;
	if (z)
		return (uint32_t)__builtin_ctzll(z) / 8;
	if (W <= 8)
		return W;
	z = age_lanes_eq(x[1], AGE_NONE);
	if (W < 16)
		z &= (1ull << 8 * (W - 8)) - 1;
	return z ? 8 + (uint32_t)__builtin_ctzll(z) / 8 : W;
}

/* mw_cache_find on the locals: the way of set holding line, or W. */
static inline __attribute__((always_inline)) uint32_t
u2_find(const struct u2_level *v, uint32_t set, uint64_t line, uint32_t W)
{
	const uint64_t *t = &v->tag[(size_t)set * W];
	uint32_t w = v->hint[set];

	if (MW_LIKELY(t[w] == line))
		return w;
	if (W == 4 || W == 8 || W == 16) {
		uint64_t m = mw_match16(t, line, W);

		if (!m)
			return W;
		w = (uint32_t)__builtin_ctzll(m);
	} else {
		for (w = 0; w < W && t[w] != line; w++)
			;
		if (w == W)
			return W;
	}
	v->hint[set] = (uint8_t)w;
	return w;
}

/* A hit on way w of set: the counters (D: hits only), the ranks, the
   dirty flag. */
static inline __attribute__((always_inline)) void
u2_hit(const struct u2_level *v, uint32_t set, uint32_t w, unsigned op,
       unsigned tensor, uint32_t W, bool D)
{
	struct mw_counters *k = &v->st[(size_t)tensor * MW_OP_COUNT + op];
	uint64_t *x = &v->age[(size_t)set * 2];
	unsigned r = u2_rank(x, w);

	if (!D)
		k->v[MW_STAT_ACCESSES]++;
	k->v[MW_STAT_HITS]++;
	if (r != 0)
		u2_touch(x, w, r, W);
	v->meta[(size_t)set * W + w].dirty |= op == MW_OP_WRITE;
}

/*
 * uni_fill's placement in set of level v (W ways) for line (absent), for
 * (op, tensor), fetching unless the request writes the whole line:
 * counts the miss and the victim's write-back (D: the kept counters
 * only), updates the ranks and the way's state.  Returns the victim's
 * dirty flag (0: none or clean), its line and tensor in *vline,
 * *vtensor.
 */
static inline __attribute__((always_inline)) uint64_t
u2_place(struct u2_level *v, uint32_t set, uint64_t line, unsigned op,
	 unsigned tensor, bool fetch, unsigned ls, uint32_t W, bool D,
	 uint64_t *vline, unsigned *vtensor)
{
	struct mw_counters *k = &v->st[(size_t)tensor * MW_OP_COUNT + op];
	uint32_t base = set * W, w = W;
	uint64_t *x = &v->age[(size_t)set * 2], vdirty = 0;
	struct mw_cache_meta *m;

	if (!D) {
		k->v[MW_STAT_ACCESSES]++;
		k->v[MW_STAT_SECTOR_MISSES]++;
	}
	k->v[MW_STAT_MISSES]++;
	k->v[MW_STAT_BYTES_FROM_BELOW] += (uint64_t)fetch << ls;
	if (MW_UNLIKELY(v->filling)) {
		struct mw_cache *c = v->c;

		w = u2_invalid(x, W);
		if (w < W && ++c->nvalid == c->lines)
			v->filling = false;
	}
	if (MW_LIKELY(w == W)) {
		struct mw_counters *kv;

		w = u2_victim(x, W);
		m = &v->meta[base + w];
		*vline = v->tag[base + w];
		vdirty = m->dirty;
		*vtensor = m->tensor;
		kv = &v->st[(size_t)m->tensor * MW_OP_COUNT + op];
		kv->v[MW_STAT_WRITEBACKS] += vdirty;
		if (!D)
			kv->v[MW_STAT_BYTES_TO_BELOW] += vdirty << ls;
		/* invalidate + fill of the victim: one touch (fast_miss) */
		u2_touch_victim(x, w, W);
	} else {
		/* a fill of an invalid way (rank AGE_NONE) */
		u2_touch(x, w, AGE_NONE, W);
	}
	m = &v->meta[base + w];
	v->tag[base + w] = line;
	v->hint[set] = (uint8_t)w;
	m->valid = 1;
	m->dirty = op == MW_OP_WRITE;
	m->tensor = (uint8_t)tensor;
	return vdirty;
}

/* memory() for a whole line; D: the bytes are derived later. */
static inline __attribute__((always_inline)) void
u2_memory(struct mw_hier *h, uint64_t line, unsigned op, unsigned tensor,
	  unsigned ls, bool D)
{
	if (!D) {
		memory(h, line << ls, (uint64_t)1 << ls, op, tensor);
		return;
	}
	mw_mem_stats_at(&h->mem, tensor, op)
		->v[op == MW_OP_WRITE ? MW_MEM_WRITES : MW_MEM_READS]++;
	if (MW_UNLIKELY(h->has_sink))
		sink_access(h, line << ls, (uint64_t)1 << ls, op);
}

/* uni_line at the second level (the last one): memory below it. */
static inline __attribute__((always_inline)) void
u2_lower(struct mw_hier *h, struct u2_level *v, uint64_t line, unsigned op,
	 unsigned tensor, bool full, unsigned ls, uint32_t W, bool D)
{
	uint32_t set = (uint32_t)(line & v->set_mask), w;
	uint64_t vline = 0, vdirty;
	unsigned vtensor = 0;
	bool fetch;

	w = u2_find(v, set, line, W);
	if (MW_LIKELY(w < W)) {
		u2_hit(v, set, w, op, tensor, W, D);
		return;
	}
	fetch = !(full && op == MW_OP_WRITE);
	vdirty = u2_place(v, set, line, op, tensor, fetch, ls, W, D, &vline,
			  &vtensor);
	if (fetch)
		u2_memory(h, line,
			  op == MW_OP_IFETCH ? MW_OP_IFETCH : MW_OP_READ,
			  tensor, ls, D);
	if (vdirty)
		u2_memory(h, vline, MW_OP_WRITE, vtensor, ls, D);
}

static bool uni2_ok(const struct mw_hier *h)
{
	uint32_t i;

	if (!h->uni || h->units != 1 || h->nlevels != 2)
		return false;
	for (i = 0; i < 2; i++) {
		const struct mw_cache *c = h->lv[i].inst[0];

		if (!c->mask_index || !c->ages || !c->age_on_hit ||
		    c->awords != 2)
			return false;
	}
	return true;
}

/* The batch loop of uni2_ok hierarchies, W1 and W2 the levels' ways; D:
   the derived counters are left to uni2_derive. */
static inline __attribute__((always_inline)) int
uni2_body(struct mw_hier *h, const struct mw_access *recs, size_t n,
	  uint32_t W1, uint32_t W2, bool D)
{
	struct u2_level v1, v2;
	unsigned ls = h->lv[0].line_shift;
	uint64_t lsize = (uint64_t)1 << ls;
	uint32_t ntensors = h->ntensors;
	const struct mw_access *a, *end = recs + n;

	u2_load(&v1, h->lv[0].inst[0]);
	u2_load(&v2, h->lv[1].inst[0]);
	for (a = recs; a < end; a++) {
		uint64_t addr = a->addr, line, vline = 0, vdirty;
		uint32_t size = a->size, set, w;
		unsigned op = a->op, tensor = a->tensor, vtensor = 0;
		bool full, fetch;

		/* one branch for every check and for a record crossing a
		   line (size - 1 > lsize - 1 - offset: also size 0); sorted
		   out in order inside */
		if (MW_UNLIKELY((a->unit != 0) | (tensor > ntensors) |
				(op >= MW_OP_COUNT) | (addr + size < addr) |
				((uint64_t)size - 1 >
				 lsize - 1 - (addr & (lsize - 1))))) {
			size_t i = (size_t)(a - recs);

			if (a->unit != 0 && !h->fold)
				return bad_unit(h, i, a->unit);
			if ((tensor > ntensors) | (size == 0) |
			    (addr + size < addr) | (op >= MW_OP_COUNT))
				return bad_record(h, i, a);
			if ((addr & (lsize - 1)) + size > lsize) {
				fast_send(h, 0, 0, addr, size, op, tensor);
				if (MW_UNLIKELY(h->err))
					return h->err;
				continue;
			}
		}
		line = addr >> ls;
		set = (uint32_t)(line & v1.set_mask);
		w = u2_find(&v1, set, line, W1);
		if (MW_LIKELY(w < W1)) {
			u2_hit(&v1, set, w, op, tensor, W1, D);
			debug_check(h, v1.c, line);
#if defined(MW_DEBUG) && MW_DEBUG
			if (h->err)
				return h->err;
#endif
			continue;
		}
		full = size == lsize;
		fetch = !(full && op == MW_OP_WRITE);
		vdirty = u2_place(&v1, set, line, op, tensor, fetch, ls, W1, D,
				  &vline, &vtensor);
		debug_check(h, v1.c, line);
		if (fetch)
			u2_lower(h, &v2, line,
				 op == MW_OP_IFETCH ? MW_OP_IFETCH : MW_OP_READ,
				 tensor, false, ls, W2, D);
		if (vdirty)
			u2_lower(h, &v2, vline, MW_OP_WRITE, vtensor, true, ls,
				 W2, D);
		if (MW_UNLIKELY(h->err))
			return h->err;
	}
	return 0;
}

MW_HOT_CLONES
static int batch_uni2(struct mw_hier *h, const struct mw_access *recs, size_t n)
{
	uint32_t w1 = h->lv[0].inst[0]->ways, w2 = h->lv[1].inst[0]->ways;
	int rc;

	/* the fix-up costs about as much as a few records per counter cell */
	if (n < (size_t)(h->ntensors + 1) * MW_OP_COUNT * 4)
		return uni2_body(h, recs, n, w1, w2, false);
	if (w1 == 8 && w2 == 16)
		rc = uni2_body(h, recs, n, 8, 16, true);
	else
		rc = uni2_body(h, recs, n, w1, w2, true);
	uni2_derive(h);
	return rc;
}

/* ---- two sectored levels, GPU style ---------------------------------------
 *
 * The GPU shape (private first levels, write-through without write
 * allocation, and one shared write-back write-allocate second level,
 * both sectored with the same line and sector size, lru of at most 16
 * ways, the first level with one slice, modulo index and power-of-two
 * sets; gpu2_ok) gets its own batch loop, g2_body: fast_line / fast_miss
 * / fast_runs / fast_below / memory written out for exactly those two
 * levels.  Equivalence, request by request:
 *  - a first-level read that finds its sectors is fast_line's inline hit
 *    (a write-through level is never dirty, so the dirty update is a
 *    no-op and left out);
 *  - a first-level read that does not: fast_miss's sector miss (present
 *    line: fetch the missing sectors, mark them valid, policy hit) or
 *    miss (placement as mw_cache_place: lowest invalid way while the
 *    level is not full, else the oldest; the victim of a write-through
 *    level is clean, so its write-back counters add 0 and are left out),
 *    then each run of fetched sectors to the second level as a read (an
 *    ifetch stays one);
 *  - a first-level write: hit, sector miss or miss are counted as in
 *    fast_miss (a hit also updates the policy; a write that does not
 *    find its sectors changes nothing: no allocation), its bytes count in
 *    bytes_to_below and the write goes to the second level whole (one
 *    line of the second level, which has the first level's line size);
 *  - at the second level, g2_lower is fast_line + fast_miss for a
 *    write-back write-allocate level: a hit (the sectors present) updates
 *    the policy and the dirty mask; else the missing sectors not written
 *    whole are fetched, the victim's dirty sectors counted and written
 *    back, in that order (memory: the fetch runs, then the write-back
 *    runs).
 * The same counters, the same policy updates and the same requests in
 * the same order, so the same results; tests/test_cache.c compares it
 * with the naive model (several units, reads, writes, ifetches, records
 * crossing lines).
 */

static bool gpu2_ok(const struct mw_hier *h)
{
	const struct mw_cache *a, *b;

	if (!h->fast || h->nlevels != 2)
		return false;
	a = h->lv[0].inst[0];
	b = h->lv[1].inst[0];
	return a->mask_index && a->ages && a->age_on_hit && a->awords == 2 &&
	       !a->write_back && !a->alloc_write && a->nsect > 1 && b->ages &&
	       b->age_on_hit && b->awords == 2 && b->write_back &&
	       b->alloc_write && a->line_shift == b->line_shift &&
	       a->sector_shift == b->sector_shift;
}

/* Each run of consecutive sectors of mask in the line at base, as
   (first sector, count, its mask); fast_runs's loop.  No branch inside a run:
   adding the lowest set bit carries through the lowest run of ones, so
   m & (m + lowest) is m without that run (a run up to bit 63 carries
   out of the word: the same). */
#define G2_RUNS(mask, lo, cnt, run, body)                                      \
	do {                                                                   \
		uint64_t m_ = (mask);                                          \
		while (m_) {                                                   \
			uint64_t next_ = m_ & (m_ + (m_ & (0 - m_)));          \
			uint64_t run = m_ ^ next_;                             \
			unsigned lo = (unsigned)__builtin_ctzll(m_);           \
			unsigned cnt = (unsigned)mw_popcount64(run);           \
			body;                                                  \
			m_ = next_;                                            \
		}                                                              \
	} while (0)

/* mw_cache_find with the ways W a constant where the caller has one. */
static inline __attribute__((always_inline)) uint32_t
g2_find(struct mw_cache *c, uint32_t set, uint64_t line, uint32_t W)
{
	const uint64_t *t = &c->tag[(size_t)set * W];
	uint32_t w = c->hint[set];

	if (MW_LIKELY(t[w] == line))
		return w;
	if (W == 4 || W == 8 || W == 16) {
		uint64_t m = mw_match16(t, line, W);

		if (!m)
			return W;
		w = (uint32_t)__builtin_ctzll(m);
	} else {
		for (w = 0; w < W && t[w] != line; w++)
			;
		if (w == W)
			return W;
	}
	c->hint[set] = (uint8_t)w;
	return w;
}

/* mw_cache_pol_hit for the built-in lru of two rank words (gpu2_ok). */
static inline __attribute__((always_inline)) void
g2_pol_hit(struct mw_cache *c, uint32_t set, uint32_t w, uint32_t W)
{
	uint64_t *x = &c->age[(size_t)set * 2];
	unsigned r = u2_rank(x, w);

	if (r != 0)
		u2_touch(x, w, r, W);
}

/* A request [addr, addr + n) within one line of the second level c (W
   ways), set its set and need its sectors. */
static inline __attribute__((always_inline)) void
g2_lower(struct mw_hier *h, struct mw_cache *c, uint32_t set, mw_addr addr,
	 uint32_t n, uint64_t need, unsigned op, unsigned tensor, unsigned ls,
	 unsigned ss, uint32_t W)
{
	uint64_t line = addr >> ls, off = addr & (((uint64_t)1 << ls) - 1);
	uint64_t fetch, full = 0, vline = 0, vdirty = 0;
	uint32_t base = set * W, w;
	struct mw_counters *k = mw_cache_ctr(c, tensor, op);
	bool wr = op == MW_OP_WRITE;
	unsigned vtensor = 0;
	struct mw_cache_meta *m;

	w = g2_find(c, set, line, W);
	k->v[MW_STAT_ACCESSES]++;
	if (w < W) {
		uint64_t have;

		m = &c->meta[base + w];
		have = m->valid;
		if (MW_LIKELY((have & need) == need)) {
			k->v[MW_STAT_HITS]++;
			g2_pol_hit(c, set, w, W);
			m->dirty |= need & -(uint64_t)wr;
			return;
		}
	}
	k->v[MW_STAT_SECTOR_MISSES]++;
	if (wr) {
		/* the sectors [off, off + n) covers entirely */
		unsigned f0 = (unsigned)((off + ((uint64_t)1 << ss) - 1) >> ss);
		unsigned f1 = (unsigned)((off + n) >> ss);

		if (f0 < f1)
			full = mask_range(f0, f1 - 1);
	}
	if (w < W) {
		m = &c->meta[base + w];
		fetch = need & ~m->valid & ~full;
		m->valid |= need;
		g2_pol_hit(c, set, w, W);
	} else {
		const uint64_t *t = &c->tag[base];

		k->v[MW_STAT_MISSES]++;
		w = c->nvalid == c->lines
			    ? W
			    : u2_invalid(&c->age[(size_t)set * 2], W);
		if (w < W) {
			/* a fill of an invalid way (rank AGE_NONE) */
			u2_touch(&c->age[(size_t)set * 2], w, AGE_NONE, W);
			c->nvalid++;
		} else {
			struct mw_counters *kv;

			w = u2_victim(&c->age[(size_t)set * 2], W);
			m = &c->meta[base + w];
			vline = t[w];
			vdirty = m->dirty;
			vtensor = m->tensor;
			kv = mw_cache_ctr(c, vtensor, op);
			kv->v[MW_STAT_WRITEBACKS] += vdirty != 0;
			kv->v[MW_STAT_BYTES_TO_BELOW] +=
				(uint64_t)mw_popcount64(vdirty) << ss;
			/* invalidate + fill of the victim: one touch */
			u2_touch_victim(&c->age[(size_t)set * 2], w, W);
		}
		c->tag[base + w] = line;
		c->hint[set] = (uint8_t)w;
		m = &c->meta[base + w];
		m->valid = need;
		m->dirty = 0;
		m->tensor = (uint8_t)tensor;
		fetch = need & ~full;
	}
	k->v[MW_STAT_BYTES_FROM_BELOW] += (uint64_t)mw_popcount64(fetch) << ss;
	m->dirty |= need & -(uint64_t)wr;
	G2_RUNS(fetch, lo, cnt, run,
		memory(h, (line << ls) + ((mw_addr)lo << ss),
		       (uint64_t)cnt << ss, op & MW_OP_IFETCH, tensor));
	G2_RUNS(vdirty, lo, cnt, run,
		memory(h, (vline << ls) + ((mw_addr)lo << ss),
		       (uint64_t)cnt << ss, MW_OP_WRITE, vtensor));
}

/*
 * The record g2_body reaches G2_AHEAD records later: its second-level
 * set (returned for g2_lower: a record within one line sends requests
 * for that line only) and prefetches of the host cache lines the two
 * lookups will read, so that records far apart overlap their loads:
 * a GPU's second level is tens of MiB of state and its first levels as
 * much again, so most lookups miss the host's caches.  The line state
 * prefetched is the hinted way's (most lookups end there).
 */
#define G2_AHEAD 8

static inline __attribute__((always_inline)) uint32_t
g2_prefetch(uint32_t units, struct mw_cache *const *l1,
	    const struct mw_cache *l2, const struct mw_access *a, unsigned ls,
	    uint32_t W1, uint32_t W2)
{
	uint64_t line = a->addr >> ls;
	uint32_t set2 = mw_cache_set_of_int(l2, line);
	const uint64_t *t2 = &l2->tag[(size_t)set2 * W2];

	__builtin_prefetch(t2);
	if (W2 > 8)
		__builtin_prefetch(t2 + 8);
	__builtin_prefetch(&l2->age[(size_t)set2 * 2]);
	__builtin_prefetch(&l2->meta[(size_t)set2 * W2 + l2->hint[set2] % W2]);
	if (MW_LIKELY(a->unit < units)) {
		const struct mw_cache *c = l1[a->unit];
		uint32_t set = (uint32_t)(line & c->set_mask);

		__builtin_prefetch(&c->tag[(size_t)set * W1]);
		__builtin_prefetch(&c->age[(size_t)set * 2]);
		__builtin_prefetch(&c->hint[set]);
		__builtin_prefetch(&c->meta[(size_t)set * W1]);
	}
	return set2;
}

/* The batch loop of gpu2_ok hierarchies; W1, W2 the levels' ways. */
static inline __attribute__((always_inline)) int
g2_body(struct mw_hier *h, const struct mw_access *recs, size_t n, uint32_t W1,
	uint32_t W2)
{
	struct mw_cache **l1 = h->lv[0].inst, *l2 = h->lv[1].inst[0];
	unsigned ls = h->lv[0].line_shift, ss = h->lv[0].sector_shift;
	uint64_t lsize = (uint64_t)1 << ls;
	uint32_t units = h->units, ntensors = h->ntensors;
	size_t i;

	uint32_t ring[G2_AHEAD];

	for (i = 0; i < n && i < G2_AHEAD; i++)
		ring[i] = g2_prefetch(units, l1, l2, &recs[i], ls, W1, W2);
	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		uint64_t addr = a->addr, line, off, need, have = 0, fetch;
		uint32_t size = a->size, unit = a->unit, set, w, set2;
		unsigned op = a->op, tensor = a->tensor;
		struct mw_cache *c;
		struct mw_counters *k;

		set2 = ring[i % G2_AHEAD];
		if (i + G2_AHEAD < n)
			ring[i % G2_AHEAD] = g2_prefetch(
				units, l1, l2, &recs[i + G2_AHEAD], ls, W1, W2);

		if (MW_UNLIKELY(unit >= units)) {
			if (!h->fold)
				return bad_unit(h, i, unit);
			unit %= units;
		}
		off = addr & (lsize - 1);
		/* one branch for the record checks and a record crossing
		   its line (also size 0), sorted out inside, as in
		   uni2_body */
		if (MW_UNLIKELY((tensor > ntensors) | (op >= MW_OP_COUNT) |
				(addr + size < addr) |
				((uint64_t)size - 1 > lsize - 1 - off))) {
			if ((tensor > ntensors) | (size == 0) |
			    (addr + size < addr) | (op >= MW_OP_COUNT))
				return bad_record(h, i, a);
			fast_send(h, 0, unit, addr, size, op, tensor);
			goto next;
		}
		c = l1[unit];
		line = addr >> ls;
		need = mask_range((unsigned)(off >> ss),
				  (unsigned)((off + size - 1) >> ss));
		set = (uint32_t)(line & c->set_mask);
		w = g2_find(c, set, line, W1);
		k = mw_cache_ctr(c, tensor, op);
		k->v[MW_STAT_ACCESSES]++;
		if (w < W1)
			have = c->meta[(size_t)set * W1 + w].valid;
		if (op == MW_OP_WRITE) {
			/* write-through, no allocation: counted, then below */
			if (w < W1 && (have & need) == need) {
				k->v[MW_STAT_HITS]++;
				g2_pol_hit(c, set, w, W1);
			} else {
				k->v[MW_STAT_SECTOR_MISSES]++;
				k->v[MW_STAT_MISSES] += w == W1;
			}
			k->v[MW_STAT_BYTES_TO_BELOW] += size;
			debug_check(h, c, line);
			g2_lower(h, l2, set2, addr, size, need, MW_OP_WRITE,
				 tensor, ls, ss, W2);
			goto next;
		}
		if (MW_LIKELY(w < W1 && (have & need) == need)) {
			k->v[MW_STAT_HITS]++;
			g2_pol_hit(c, set, w, W1);
			debug_check(h, c, line);
			goto next;
		}
		k->v[MW_STAT_SECTOR_MISSES]++;
		if (w < W1) {
			fetch = need & ~have;
			c->meta[(size_t)set * W1 + w].valid = have | need;
			g2_pol_hit(c, set, w, W1);
		} else {
			uint32_t base = set * W1;
			struct mw_cache_meta *m;

			k->v[MW_STAT_MISSES]++;
			w = c->nvalid == c->lines
				    ? W1
				    : u2_invalid(&c->age[(size_t)set * 2], W1);
			if (w < W1) {
				u2_touch(&c->age[(size_t)set * 2], w, AGE_NONE,
					 W1);
				c->nvalid++;
			} else {
				/* clean: a write-through level */
				w = u2_victim(&c->age[(size_t)set * 2], W1);
				u2_touch_victim(&c->age[(size_t)set * 2], w,
						W1);
			}
			c->tag[base + w] = line;
			c->hint[set] = (uint8_t)w;
			m = &c->meta[base + w];
			m->valid = need;
			m->dirty = 0;
			m->tensor = (uint8_t)tensor;
			fetch = need;
		}
		k->v[MW_STAT_BYTES_FROM_BELOW] += (uint64_t)mw_popcount64(fetch)
						  << ss;
		debug_check(h, c, line);
		G2_RUNS(fetch, lo, cnt, run,
			g2_lower(h, l2, set2,
				 (line << ls) + ((mw_addr)lo << ss), cnt << ss,
				 run, op & MW_OP_IFETCH, tensor, ls, ss, W2));
	next:
		if (MW_UNLIKELY(h->err))
			return h->err;
	}
	return 0;
}

MW_HOT_CLONES
static int batch_gpu2(struct mw_hier *h, const struct mw_access *recs, size_t n)
{
	uint32_t w1 = h->lv[0].inst[0]->ways, w2 = h->lv[1].inst[0]->ways;

	if (w1 == 4 && w2 == 16)
		return g2_body(h, recs, n, 4, 16);
	return g2_body(h, recs, n, w1, w2);
}

/* mw_hier_access_batch on the fast path. */
MW_HOT_CLONES
static int batch_fast(struct mw_hier *h, const struct mw_access *recs, size_t n)
{
	const struct level *l = &h->lv[0];
	uint64_t lsize = (uint64_t)1 << l->line_shift;
	uint32_t units = h->units, ntensors = h->ntensors;
	bool uni = h->uni;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		/* the record in registers: the stores below may alias it */
		uint64_t addr = a->addr;
		uint32_t size = a->size, unit = a->unit;
		unsigned op = a->op, tensor = a->tensor;

		if (MW_UNLIKELY(unit >= units)) {
			if (!h->fold)
				return bad_unit(h, i, unit);
			unit %= units;
		}
		/* one branch for the four range checks */
		if (MW_UNLIKELY((tensor > ntensors) | (size == 0) |
				(addr + size < addr) | (op >= MW_OP_COUNT)))
			return bad_record(h, i, a);
		if (MW_LIKELY((addr & (lsize - 1)) + size <= lsize)) {
			if (uni)
				uni_line(h, 0, unit, addr >> l->line_shift, op,
					 tensor,
					 size == lsize); /* whole line */
			else
				fast_line(h, 0, unit, addr, size, op, tensor);
		} else {
			fast_send(h, 0, unit, addr, size, op, tensor);
		}
		if (MW_UNLIKELY(h->err))
			return h->err;
	}
	return 0;
}

MW_HOT_CLONES
int mw_hier_access_batch(struct mw_hier *h, const struct mw_access *recs,
			 size_t n)
{
	size_t i;

	if (h->fast)
		return uni2_ok(h)   ? batch_uni2(h, recs, n)
		       : uni1_ok(h) ? batch_uni1(h, recs, n)
		       : gpu2_ok(h) ? batch_gpu2(h, recs, n)
				    : batch_fast(h, recs, n);
	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		uint32_t unit = a->unit;
		unsigned op = a->op;

		if (MW_UNLIKELY(unit >= h->units)) {
			if (!h->fold)
				return bad_unit(h, i, unit);
			unit %= h->units;
		}
		if (MW_UNLIKELY(a->tensor > h->ntensors || a->size == 0 ||
				a->addr > UINT64_MAX - a->size ||
				op >= MW_OP_COUNT))
			return bad_record(h, i, a);
		if (h->nlevels == 0) {
			mw_addr p = a->addr, e = a->addr + a->size;

			while (p < e) {
				uint64_t k = MW_HIER_MEM_LINE -
					     (p & (MW_HIER_MEM_LINE - 1));

				if (k > e - p)
					k = e - p;
				memory(h, p, k, op, a->tensor);
				p += k;
			}
		} else {
			const struct level *l = &h->lv[0];
			uint64_t lsize = (uint64_t)1 << l->line_shift;
			mw_addr off = a->addr & (lsize - 1);

			/* the common case: one line of the first level */
			if (MW_LIKELY(off + a->size <= lsize)) {
				struct mw_cache *c = l->inst[unit];
				uint64_t line = a->addr >> l->line_shift;
				uint64_t need = mask_range(
					(unsigned)(off >> l->sector_shift),
					(unsigned)((off + a->size - 1) >>
						   l->sector_shift));

				/* a plain hit first, inline; else the rest */
				if (!l->exclusive &&
				    mw_cache_try_hit(c, line, need, op,
						     a->tensor))
					debug_check(h, c, line);
				else
					line_access(h, 0, unit, a->addr,
						    a->size, op, a->tensor);
				if (MW_UNLIKELY(h->err))
					return h->err;
				continue;
			}
			send(h, 0, unit, a->addr, a->size, op, a->tensor);
		}
		if (MW_UNLIKELY(h->err))
			return h->err;
	}
	return 0;
}

static int flush_one(void *ctx, const struct mw_cache_victim *v);

struct flush_ctx {
	struct mw_hier *h;
	uint32_t lvl, unit;
};

static int flush_one(void *ctx, const struct mw_cache_victim *v)
{
	struct flush_ctx *f = ctx;

	send_runs(f->h, f->lvl, f->unit, v->line, v->dirty, MW_OP_WRITE,
		  v->tensor);
	return f->h->err;
}

int mw_hier_flush(struct mw_hier *h)
{
	uint32_t i, k;
	int rc;

	for (i = 0; i < h->nlevels; i++) {
		for (k = 0; k < h->lv[i].ninst; k++) {
			struct flush_ctx f = {h, i, k};

			rc = mw_cache_flush(h->lv[i].inst[k], flush_one, &f);
			if (rc)
				return rc;
		}
	}
	return h->err;
}

/* ---- statistics ----------------------------------------------------------- */

int mw_hier_level_stats(const struct mw_hier *h, uint32_t level, uint32_t unit,
			uint32_t tensor, uint32_t op, struct mw_counters *out)
{
	uint32_t k;

	memset(out, 0, sizeof(*out));
	if (level >= h->nlevels ||
	    (tensor != MW_STATS_ALL && tensor > h->ntensors) ||
	    (op != MW_STATS_ALL && op >= MW_OP_COUNT) ||
	    (unit != MW_STATS_ALL && unit >= h->lv[level].ninst))
		return MW_EINVAL;
	for (k = 0; k < h->lv[level].ninst; k++)
		if (unit == MW_STATS_ALL || unit == k)
			mw_level_stats_sum(mw_cache_stats(h->lv[level].inst[k]),
					   tensor, op, out);
	return 0;
}

int mw_hier_memory_stats(const struct mw_hier *h, uint32_t tensor, uint32_t op,
			 struct mw_mem_counters *out)
{
	memset(out, 0, sizeof(*out));
	if ((tensor != MW_STATS_ALL && tensor > h->ntensors) ||
	    (op != MW_STATS_ALL && op >= MW_OP_COUNT))
		return MW_EINVAL;
	mw_mem_stats_sum(&h->mem, tensor, op, out);
	return 0;
}

static const char *const op_prefix[MW_OP_COUNT] = {"reads", "writes",
						   "ifetches"};

static int add_level(const struct mw_hier *h, uint32_t lvl, uint32_t tensor,
		     const char *scope, struct mw_results *out)
{
	struct mw_counters c;
	char metric[64];
	unsigned k, op;
	int rc;

	mw_hier_level_stats(h, lvl, MW_STATS_ALL, tensor, MW_STATS_ALL, &c);
	for (k = 0; k < MW_STAT_COUNT; k++) {
		rc = mw_results_add_u64(out, scope, mw_stat_names[k], c.v[k]);
		if (rc)
			return rc;
	}
	for (op = 0; op < MW_OP_COUNT; op++) {
		mw_hier_level_stats(h, lvl, MW_STATS_ALL, tensor, op, &c);
		if (op == MW_OP_IFETCH && !c.v[MW_STAT_ACCESSES])
			continue;
		for (k = 0; k < MW_STAT_COUNT; k++) {
			snprintf(metric, sizeof(metric), "%s.%s", op_prefix[op],
				 mw_stat_names[k]);
			rc = mw_results_add_u64(out, scope, metric, c.v[k]);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int add_memory(const struct mw_hier *h, uint32_t tensor,
		      const char *scope, struct mw_results *out)
{
	struct mw_mem_counters m;
	unsigned k;
	int rc;

	mw_hier_memory_stats(h, tensor, MW_STATS_ALL, &m);
	for (k = 0; k < MW_MEM_STAT_COUNT; k++) {
		rc = mw_results_add_u64(out, scope, mw_mem_stat_names[k],
					m.v[k]);
		if (rc)
			return rc;
	}
	return 0;
}

static void tensor_scope(char *buf, size_t cap, const char *level,
			 const struct mw_trace_header *hdr, uint32_t t)
{
	if (t == 0)
		snprintf(buf, cap, "%s:untagged", level);
	else if (hdr && t <= hdr->ntensors)
		snprintf(buf, cap, "%s:%s", level,
			 mw_header_tensor_name(hdr, t));
	else
		snprintf(buf, cap, "%s:%" PRIu32, level, t);
}

int mw_hier_results(const struct mw_hier *h, const struct mw_trace_header *hdr,
		    struct mw_results *out)
{
	char scope[MW_NAME_MAX + 300];
	uint32_t lvl, t;
	int rc;

	for (lvl = 0; lvl < h->nlevels; lvl++) {
		rc = add_level(h, lvl, MW_STATS_ALL, h->lv[lvl].cfg.name, out);
		if (rc)
			return rc;
	}
	rc = add_memory(h, MW_STATS_ALL, "memory", out);
	if (rc)
		return rc;
	if (h->ntensors == 0)
		return 0;
	for (lvl = 0; lvl <= h->nlevels; lvl++) {
		const char *name = lvl < h->nlevels ? h->lv[lvl].cfg.name
						    : "memory";

		for (t = 0; t <= h->ntensors; t++) {
			bool any;

			if (lvl < h->nlevels) {
				struct mw_counters c;

				mw_hier_level_stats(h, lvl, MW_STATS_ALL, t,
						    MW_STATS_ALL, &c);
				any = c.v[MW_STAT_ACCESSES] ||
				      c.v[MW_STAT_VICTIM_FILLS] ||
				      c.v[MW_STAT_WRITEBACKS];
			} else {
				struct mw_mem_counters m;

				mw_hier_memory_stats(h, t, MW_STATS_ALL, &m);
				any = m.v[MW_MEM_READS] || m.v[MW_MEM_WRITES];
			}
			if (!any)
				continue;
			tensor_scope(scope, sizeof(scope), name, hdr, t);
			rc = lvl < h->nlevels ? add_level(h, lvl, t, scope, out)
					      : add_memory(h, t, scope, out);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- checks -------------------------------------------------------------- */

struct incl_ctx {
	const struct mw_hier *h;
	uint32_t lvl; /* the level that must hold the lines */
	unsigned upper_line_shift, upper_sector_shift;
	bool exclusive;
	int bad;
};

static void incl_one(void *ctx, uint64_t line, uint64_t mask)
{
	struct incl_ctx *x = ctx;
	const struct level *l = &x->h->lv[x->lvl];
	mw_addr base = line << x->upper_line_shift;

	while (mask) {
		unsigned s = (unsigned)__builtin_ctzll(mask);
		mw_addr a = base + ((mw_addr)s << x->upper_sector_shift);
		bool has = mw_cache_contains(l->inst[0], a >> l->line_shift);

		mask &= mask - 1;
		if (has == x->exclusive)
			x->bad = 1;
	}
}

int mw_hier_check(const struct mw_hier *h, struct mw_diag *d)
{
	uint32_t i, j, k;
	int rc;

	for (i = 0; i < h->nlevels; i++)
		for (k = 0; k < h->lv[i].ninst; k++) {
			rc = mw_cache_check(h->lv[i].inst[k], d);
			if (rc)
				return rc;
		}
	for (i = 1; i < h->nlevels; i++) {
		const struct level *l = &h->lv[i];

		if (!l->inclusive && !(l->exclusive && h->units == 1))
			continue;
		for (j = l->exclusive ? i - 1 : 0; j < i; j++) {
			struct incl_ctx x = {h,
					     i,
					     h->lv[j].line_shift,
					     h->lv[j].sector_shift,
					     l->exclusive,
					     0};

			for (k = 0; k < h->lv[j].ninst; k++)
				mw_cache_foreach(h->lv[j].inst[k], incl_one,
						 &x);
			if (x.bad)
				return mw_diag_set(
					d, MW_ECORRUPT, "", 0,
					"level %s: %s lines of %s", l->cfg.name,
					l->exclusive ? "holds" : "misses",
					h->lv[j].cfg.name);
		}
	}
	return 0;
}
