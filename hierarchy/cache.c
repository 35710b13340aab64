/*
 * cache.c - one cache instance: sets of ways, sectored lines, a
 * replacement policy, write and allocation policies, counters.
 *
 * Notes:
 *  - Sets = size / line / ways / slices per slice; the size must divide
 *    exactly (else MW_ECONFIG naming the level).  Set counts need not be
 *    powers of two: the modulo is a precomputed multiply-shift
 *    (Granlund-Montgomery), a mask when they are.
 *  - Index: modulo takes line number mod sets; xor first folds the line
 *    number as line ^ (line >> b) ^ (line >> 2b), b = ceil(log2(sets)),
 *    then takes it mod sets.  Slices: slice = mix64(line) mod slices, each
 *    slice its own sets (set index within the slice as above).
 *  - Tags are whole line numbers; an invalid way holds TAG_NONE.  Lines
 *    are at least 2 bytes, so no line number equals TAG_NONE.
 *  - A fully associative level (ways == 0) is one set of every line,
 *    found through a hash map (line -> way); free ways are taken lowest
 *    index first (a bitmap), as a set-associative set takes its lowest
 *    invalid way, so the policies see the same way numbers.
 *  - Sectors: each line keeps a valid and a dirty mask.  A miss fetches
 *    only the needed sectors; a present line lacking some needed sector
 *    is a sector miss that fetches those sectors.  Write-backs write only
 *    the dirty sectors (bytes = dirty sectors x sector size).
 *  - Writes: fetch-on-write for allocating writes, except sectors the
 *    write covers entirely (a full-sector write needs no data from
 *    below).  allocate = none: a write that does not find every needed
 *    sector is forwarded below and changes nothing here, not even the
 *    replacement state.  Write-through: every write that is not absorbed
 *    is forwarded (its own bytes are counted in bytes_to_below); lines
 *    are never dirty.
 *  - The victim's tensor is the tensor whose request filled the line.
 *  - Replacement state: set-associative lru and fifo levels of up to
 *    AGE_WAYS ways keep their order themselves, one rank byte per way
 *    (cache_int.h explains why it is exactly repl.c's order); every other
 *    policy, and fully associative or wider levels, use the vtable of
 *    repl.h.  All policy calls go through mw_cache_pol_* (cache_int.h).
 *  - A set-associative cache keeps per set a hint: the way last found or
 *    filled by the hierarchy's fast path, checked first by
 *    mw_cache_find.  It only speeds the search up (a stale hint fails the
 *    tag compare and the scan follows), so it changes no result.
 *  - The tag and way-state arrays start on a 64-byte boundary (alloc64):
 *    malloc gives 16 bytes, and a large block (mmap) starts 16 bytes
 *    past a page, so a set's 8 or 16 tags (64 or 128 bytes) spanned one
 *    host cache line more than they fill and half the vector tag loads
 *    crossed a line.  Layout only: no result changes.
 */
#include "hierarchy/cache.h"
#include "hierarchy/cache_int.h"
#include "common/alloc.h"
#include "common/hash.h"
#include "common/hot.h"
#include "hierarchy/repl.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void mw_divider_init(struct mw_divider *v, uint64_t d)
{
	unsigned l = 0;

	memset(v, 0, sizeof(*v));
	v->d = d;
	if ((d & (d - 1)) == 0) {
		v->pow2 = true;
		v->mask = d - 1;
		return;
	}
	while (l < 64 && (1ull << l) < d)
		l++;
	/* m = floor(2^64 (2^l - d) / d) + 1 */
	v->m = (uint64_t)((((u128)1 << l) - d) * ((u128)1 << 64) / d) + 1;
	v->s = l - 1;
}

static int config_error(struct mw_diag *d, const struct mw_level_cfg *cfg,
			const char *why)
{
	return mw_diag_set(d, MW_ECONFIG, "", 0, "level %s: %s", cfg->name,
			   why);
}

static unsigned log2u64(uint64_t v)
{
	unsigned l = 0;

	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

static int check_geometry(const struct mw_level_cfg *cfg, struct mw_diag *d,
			  uint64_t *lines_per_slice)
{
	char why[200];
	uint64_t per;

	if (cfg->line < 2 || (cfg->line & (cfg->line - 1)) != 0)
		return config_error(d, cfg,
				    "line must be a power of two >= 2 bytes");
	if (cfg->sector == 0 || cfg->sector > cfg->line ||
	    (cfg->sector & (cfg->sector - 1)) != 0)
		return config_error(d, cfg,
				    "sector must be a power of two that "
				    "divides the line");
	if (cfg->line / cfg->sector > 64)
		return config_error(d, cfg, "more than 64 sectors per line");
	if (cfg->slices == 0)
		return config_error(d, cfg, "slices must be >= 1");
	if (!mw_repl_find(cfg->replacement)) {
		snprintf(why, sizeof(why), "unknown replacement policy '%s'",
			 cfg->replacement);
		return config_error(d, cfg, why);
	}
	per = (uint64_t)cfg->line * (cfg->ways ? cfg->ways : 1) * cfg->slices;
	if (cfg->size == 0 || cfg->size % per != 0) {
		snprintf(why, sizeof(why),
			 "size %" PRIu64 " is not a multiple of line x ways "
			 "x slices = %" PRIu64,
			 cfg->size, per);
		return config_error(d, cfg, why);
	}
	*lines_per_slice = cfg->size / cfg->slices / cfg->line;
	if (cfg->size / cfg->line > UINT32_MAX / 2)
		return config_error(d, cfg, "more than 2^31 lines");
	if (cfg->ways == 0 && cfg->slices != 1)
		return config_error(d, cfg,
				    "a fully associative level has one slice");
	return 0;
}

/* bytes of memory at a 64-byte boundary (host cache line), or NULL; *mem
   gets the allocation to mw_free (NULL on failure). */
static void *alloc64(size_t bytes, void **mem)
{
	char *p = mw_malloc(bytes + 63);

	*mem = p;
	if (!p)
		return NULL;
	return p + ((64 - (uintptr_t)p % 64) % 64);
}

struct mw_cache *mw_cache_create(const struct mw_level_cfg *cfg,
				 uint32_t ntensors, struct mw_diag *d)
{
	struct mw_cache *c;
	uint64_t lines_per_slice = 0, n;

	if (check_geometry(cfg, d, &lines_per_slice) < 0)
		return NULL;
	c = mw_calloc(1, sizeof(*c));
	if (!c)
		goto out_nomem;
	memcpy(c->name, cfg->name, sizeof(c->name));
	c->name[MW_NAME_MAX - 1] = '\0';
	c->full = cfg->ways == 0;
	c->slices = cfg->slices;
	c->ways = c->full ? (uint32_t)lines_per_slice : cfg->ways;
	c->sets_per_slice = (uint32_t)(lines_per_slice / c->ways);
	c->sets = c->sets_per_slice * c->slices;
	c->line_shift = log2u64(cfg->line);
	c->sector_shift = log2u64(cfg->sector);
	c->nsect = cfg->line / cfg->sector;
	c->all_mask = c->nsect == 64 ? UINT64_MAX : (1ull << c->nsect) - 1;
	c->xor_index = cfg->index == MW_INDEX_XOR;
	c->write_back = cfg->write == MW_WRITE_BACK;
	c->alloc_write = cfg->allocate == MW_ALLOC_WRITE;
	c->fold_bits = log2u64(c->sets_per_slice);
	if ((1ull << c->fold_bits) < c->sets_per_slice)
		c->fold_bits++;
	if (c->fold_bits == 0)
		c->fold_bits = 1;
	mw_divider_init(&c->set_div, c->sets_per_slice);
	mw_divider_init(&c->slice_div, c->slices);
	n = (uint64_t)c->sets * c->ways;
	c->lines = (uint32_t)n;
	c->tag = alloc64(n * sizeof(*c->tag), &c->tag_mem);
	c->meta = alloc64(n * sizeof(*c->meta), &c->meta_mem);
	if (!c->tag || !c->meta)
		goto out_free;
	memset(c->tag, 0xff, n * sizeof(*c->tag));
	memset(c->meta, 0, n * sizeof(*c->meta));
	if (!c->full) {
		c->hint = mw_calloc(c->sets, sizeof(*c->hint));
		if (!c->hint)
			goto out_free;
	}
	c->ops = mw_repl_find(cfg->replacement);
	c->mask_index = !c->full && c->slices == 1 && !c->xor_index &&
			c->set_div.pow2;
	c->set_mask = c->sets - 1;
	c->ages = !c->full && c->ways <= AGE_WAYS &&
		  (strcmp(c->ops->name, "lru") == 0 ||
		   strcmp(c->ops->name, "fifo") == 0);
	if (c->ages) {
		c->age_on_hit = strcmp(c->ops->name, "lru") == 0;
		c->awords = c->ways <= 16 ? 2 : (c->ways + 7) / 8;
		c->age = mw_malloc((size_t)c->sets * c->awords *
				   sizeof(*c->age));
		if (!c->age)
			goto out_free;
		memset(c->age, AGE_NONE,
		       (size_t)c->sets * c->awords * sizeof(*c->age));
	} else {
		c->repl = c->ops->create(c->sets, c->ways, cfg->seed);
		c->hit = c->ops->hit;
		if (!c->repl)
			goto out_free;
	}
	if (c->full) {
		uint64_t cap = 16, i;

		while (cap < 2 * n)
			cap <<= 1;
		c->hmask = cap - 1;
		c->hkey = mw_malloc(cap * sizeof(*c->hkey));
		c->hval = mw_malloc(cap * sizeof(*c->hval));
		c->freewords = (size_t)((n + 63) / 64);
		c->freemap = mw_calloc(c->freewords, sizeof(*c->freemap));
		if (!c->hkey || !c->hval || !c->freemap)
			goto out_free;
		memset(c->hkey, 0xff, cap * sizeof(*c->hkey));
		for (i = 0; i < n; i++)
			c->freemap[i / 64] |= 1ull << (i % 64);
	}
	if (mw_level_stats_init(&c->st, ntensors) < 0)
		goto out_free;
	return c;
out_free:
	mw_cache_destroy(c);
out_nomem:
	mw_diag_set(d, MW_ENOMEM, "", 0, "level %s: out of memory", cfg->name);
	return NULL;
}

void mw_cache_destroy(struct mw_cache *c)
{
	if (!c)
		return;
	if (c->repl)
		c->ops->destroy(c->repl);
	mw_free(c->tag_mem);
	mw_free(c->meta_mem);
	mw_free(c->age);
	mw_free(c->hint);
	mw_free(c->hkey);
	mw_free(c->hval);
	mw_free(c->freemap);
	mw_level_stats_fini(&c->st);
	mw_free(c);
}

uint32_t mw_cache_sets(const struct mw_cache *c)
{
	return c->sets;
}

uint32_t mw_cache_ways(const struct mw_cache *c)
{
	return c->ways;
}

unsigned mw_cache_line_shift(const struct mw_cache *c)
{
	return c->line_shift;
}

unsigned mw_cache_sector_shift(const struct mw_cache *c)
{
	return c->sector_shift;
}

unsigned mw_cache_sectors(const struct mw_cache *c)
{
	return c->nsect;
}

uint32_t mw_cache_set_of(const struct mw_cache *c, uint64_t line)
{
	return mw_cache_set_of_int(c, line);
}

/* ---- fully associative map ------------------------------------------------ */

static void hash_insert(struct mw_cache *c, uint64_t line, uint32_t way)
{
	uint64_t i = mw_mix64(line) & c->hmask;

	while (c->hkey[i] != TAG_NONE)
		i = (i + 1) & c->hmask;
	c->hkey[i] = line;
	c->hval[i] = way;
}

/* Backward-shift deletion keeps probe sequences unbroken. */
static void hash_delete(struct mw_cache *c, uint64_t line)
{
	uint64_t i = mw_mix64(line) & c->hmask, j, k;

	while (c->hkey[i] != line)
		i = (i + 1) & c->hmask;
	j = i;
	for (;;) {
		j = (j + 1) & c->hmask;
		if (c->hkey[j] == TAG_NONE)
			break;
		k = mw_mix64(c->hkey[j]) & c->hmask;
		/* move j back to i unless its home k lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		c->hkey[i] = c->hkey[j];
		c->hval[i] = c->hval[j];
		i = j;
	}
	c->hkey[i] = TAG_NONE;
}

static uint32_t free_take(struct mw_cache *c)
{
	size_t w;

	for (w = c->freehint; w < c->freewords; w++) {
		if (c->freemap[w]) {
			unsigned b = (unsigned)__builtin_ctzll(c->freemap[w]);

			c->freemap[w] &= c->freemap[w] - 1;
			c->freehint = w;
			return (uint32_t)(w * 64 + b);
		}
	}
	c->freehint = c->freewords;
	return NO_SLOT;
}

static void free_put(struct mw_cache *c, uint32_t way)
{
	c->freemap[way / 64] |= 1ull << (way % 64);
	if (way / 64 < c->freehint)
		c->freehint = way / 64;
}

/* ---- lookup, fill, evict --------------------------------------------------- */

static void describe(const struct mw_cache *c, uint32_t slot,
		     struct mw_cache_victim *v)
{
	v->valid = true;
	v->line = c->tag[slot];
	v->mask = c->meta[slot].valid;
	v->dirty = c->meta[slot].dirty;
	v->tensor = c->meta[slot].tensor;
}

static void drop(struct mw_cache *c, uint32_t set, uint32_t slot)
{
	uint32_t way = slot - set * c->ways;

	mw_cache_pol_invalidate(c, set, way);
	if (c->full) {
		hash_delete(c, c->tag[slot]);
		free_put(c, way);
	}
	c->tag[slot] = TAG_NONE;
	c->meta[slot].valid = 0;
	c->meta[slot].dirty = 0;
	c->nvalid--;
}

/*
 * Places line in set (slot inval if one was free), evicting a victim into
 * *v when the set is full (a dirty victim counts as a writeback under the
 * evicting op).  Returns the slot.
 */
uint32_t mw_cache_place(struct mw_cache *c, uint32_t set, uint32_t inval,
			uint64_t line, unsigned op, struct mw_cache_victim *v)
{
	uint32_t slot = inval, way;

	v->valid = false;
	if (c->full)
		slot = free_take(c);
	if (slot == NO_SLOT) {
		way = mw_cache_pol_victim(c, set);
		slot = set * c->ways + way;
		describe(c, slot, v);
		if (v->dirty) {
			struct mw_counters *k = mw_cache_ctr(c, v->tensor, op);

			k->v[MW_STAT_WRITEBACKS]++;
			k->v[MW_STAT_BYTES_TO_BELOW] +=
				mw_cache_sector_bytes(c, v->dirty);
		}
		drop(c, set, slot);
		if (c->full)
			slot = free_take(c);
	}
	way = slot - set * c->ways;
	c->tag[slot] = line;
	if (c->full)
		hash_insert(c, line, way);
	mw_cache_pol_fill(c, set, way);
	c->nvalid++;
	return slot;
}

void mw_cache_access(struct mw_cache *c, uint64_t line, uint64_t need,
		     uint64_t full, uint32_t bytes, unsigned op,
		     unsigned tensor, struct mw_cache_result *r)
{
	mw_cache_access_int(c, line, need, full, bytes, op, tensor, r);
}

void mw_cache_access_exclusive(struct mw_cache *c, uint64_t line, uint64_t need,
			       uint64_t full, uint32_t bytes, unsigned op,
			       unsigned tensor, struct mw_cache_result *r)
{
	struct mw_counters *k = mw_cache_ctr(c, tensor, op);
	uint32_t set = mw_cache_set_of_int(c, line), slot;
	uint64_t have;

	(void)full;
	r->fetch = 0;
	r->forward = false;
	r->hit = false;
	r->miss = false;
	r->v.valid = false;
	k->v[MW_STAT_ACCESSES]++;
	slot = mw_cache_lookup(c, set, line, NULL);
	have = slot != NO_SLOT ? c->meta[slot].valid : 0;
	if (op == MW_OP_WRITE) {
		if (slot != NO_SLOT && (have & need) == need) {
			k->v[MW_STAT_HITS]++;
			r->hit = true;
			mw_cache_pol_hit(c, set, slot - set * c->ways);
			if (c->write_back) {
				c->meta[slot].dirty |= need;
				return;
			}
		} else {
			k->v[MW_STAT_SECTOR_MISSES]++;
			if (slot == NO_SLOT) {
				k->v[MW_STAT_MISSES]++;
				r->miss = true;
			}
		}
		r->forward = true;
		k->v[MW_STAT_BYTES_TO_BELOW] += bytes;
		return;
	}
	if (slot == NO_SLOT) {
		k->v[MW_STAT_MISSES]++;
		k->v[MW_STAT_SECTOR_MISSES]++;
		r->miss = true;
		r->fetch = need;
	} else {
		if ((have & need) == need) {
			k->v[MW_STAT_HITS]++;
			r->hit = true;
		} else {
			k->v[MW_STAT_SECTOR_MISSES]++;
			r->fetch = need & ~have;
		}
		describe(c, slot, &r->v);
		drop(c, set, slot);
	}
	k->v[MW_STAT_BYTES_FROM_BELOW] += mw_cache_sector_bytes(c, r->fetch);
}

void mw_cache_insert(struct mw_cache *c, uint64_t line, uint64_t mask,
		     uint64_t dirty, unsigned op, unsigned tensor,
		     struct mw_cache_victim *v)
{
	uint32_t set = mw_cache_set_of_int(c, line), inval = NO_SLOT, slot;

	mw_cache_ctr(c, tensor, op)->v[MW_STAT_VICTIM_FILLS]++;
	v->valid = false;
	slot = mw_cache_lookup(c, set, line, &inval);
	if (slot != NO_SLOT) {
		c->meta[slot].valid |= mask;
		c->meta[slot].dirty |= dirty;
		mw_cache_pol_hit(c, set, slot - set * c->ways);
		return;
	}
	slot = mw_cache_place(c, set, inval, line, op, v);
	c->meta[slot].valid = mask;
	c->meta[slot].dirty = dirty;
	c->meta[slot].tensor = (uint8_t)tensor;
}

void mw_cache_merge(struct mw_cache *c, uint64_t line, uint64_t mask,
		    uint64_t dirty)
{
	uint32_t slot =
		mw_cache_lookup(c, mw_cache_set_of_int(c, line), line, NULL);

	if (slot == NO_SLOT)
		return;
	c->meta[slot].valid |= mask;
	c->meta[slot].dirty |= dirty;
}

bool mw_cache_invalidate(struct mw_cache *c, uint64_t line, unsigned op,
			 struct mw_cache_victim *v)
{
	uint32_t set = mw_cache_set_of_int(c, line);
	uint32_t slot = mw_cache_lookup(c, set, line, NULL);

	v->valid = false;
	if (slot == NO_SLOT)
		return false;
	describe(c, slot, v);
	mw_cache_ctr(c, v->tensor, op)->v[MW_STAT_INVALIDATIONS]++;
	drop(c, set, slot);
	return true;
}

bool mw_cache_contains(const struct mw_cache *c, uint64_t line)
{
	return mw_cache_lookup(c, mw_cache_set_of_int(c, line), line, NULL) !=
	       NO_SLOT;
}

int mw_cache_flush(struct mw_cache *c,
		   int (*fn)(void *ctx, const struct mw_cache_victim *v),
		   void *ctx)
{
	uint64_t i, n = (uint64_t)c->sets * c->ways;
	struct mw_cache_victim v;
	int rc;

	for (i = 0; i < n; i++) {
		if (c->tag[i] == TAG_NONE || !c->meta[i].dirty)
			continue;
		describe(c, (uint32_t)i, &v);
		mw_cache_ctr(c, v.tensor, MW_OP_WRITE)->v[MW_STAT_WRITEBACKS]++;
		mw_cache_ctr(c, v.tensor, MW_OP_WRITE)
			->v[MW_STAT_BYTES_TO_BELOW] +=
			mw_cache_sector_bytes(c, v.dirty);
		c->meta[i].dirty = 0;
		rc = fn(ctx, &v);
		if (rc)
			return rc;
	}
	return 0;
}

void mw_cache_foreach(const struct mw_cache *c,
		      void (*fn)(void *ctx, uint64_t line, uint64_t mask),
		      void *ctx)
{
	uint64_t i, n = (uint64_t)c->sets * c->ways;

	for (i = 0; i < n; i++)
		if (c->tag[i] != TAG_NONE)
			fn(ctx, c->tag[i], c->meta[i].valid);
}

void mw_cache_count(struct mw_cache *c, unsigned tensor, unsigned op,
		    enum mw_stat stat, uint64_t n)
{
	mw_cache_ctr(c, tensor, op)->v[stat] += n;
}

const struct mw_level_stats *mw_cache_stats(const struct mw_cache *c)
{
	return &c->st;
}

/* ---- invariants ------------------------------------------------------------- */

static int corrupt(struct mw_diag *d, const struct mw_cache *c, uint32_t set,
		   const char *what)
{
	return mw_diag_set(d, MW_ECORRUPT, "", 0,
			   "level %s, set %" PRIu32 ": %s", c->name, set, what);
}

static int check_counters(const struct mw_cache *c, struct mw_diag *d)
{
	size_t i, n = ((size_t)c->st.ntensors + 1) * MW_OP_COUNT;

	for (i = 0; i < n; i++)
		if (!mw_counters_consistent(&c->st.c[i]))
			return corrupt(d, c, 0,
				       "hits + sector_misses != accesses");
	return 0;
}

/* The built-in order: the valid ways hold the ranks 0..nvalid-1 once
   each; invalid ways and padding lanes AGE_NONE. */
static bool ages_consistent(const struct mw_cache *c, uint32_t set,
			    const bool *valid)
{
	const uint64_t *x = &c->age[(size_t)set * c->awords];
	uint64_t seen = 0;
	uint32_t w, nvalid = 0;

	for (w = 0; w < c->awords * 8; w++) {
		unsigned a = (unsigned)(x[w / 8] >> (w % 8 * 8)) & 0xff;

		if (w >= c->ways || !valid[w]) {
			if (a != AGE_NONE)
				return false;
			continue;
		}
		nvalid++;
		if (a >= c->ways || (seen >> a & 1))
			return false;
		seen |= 1ull << a;
	}
	return seen == (nvalid == 64 ? UINT64_MAX : (1ull << nvalid) - 1);
}

static int check_slots(const struct mw_cache *c, uint32_t set, bool *valid,
		       struct mw_diag *d)
{
	uint32_t w, v, base = set * c->ways;

	for (w = 0; w < c->ways; w++) {
		uint64_t t = c->tag[base + w];

		valid[w] = t != TAG_NONE;
		if (!valid[w]) {
			if (c->meta[base + w].valid || c->meta[base + w].dirty)
				return corrupt(d, c, set,
					       "invalid way has sectors");
			continue;
		}
		if (mw_cache_set_of_int(c, t) != set)
			return corrupt(d, c, set, "tag in the wrong set");
		if (!c->meta[base + w].valid ||
		    (c->meta[base + w].valid & ~c->all_mask))
			return corrupt(d, c, set, "bad sector mask");
		if (c->meta[base + w].dirty & ~c->meta[base + w].valid)
			return corrupt(d, c, set, "dirty sector not valid");
		if (c->full) {
			if (mw_cache_hash_find(c, t) != w)
				return corrupt(d, c, set,
					       "hash map out of step");
			continue;
		}
		for (v = 0; v < w; v++)
			if (c->tag[base + v] == t)
				return corrupt(d, c, set, "duplicate tag");
	}
	if (c->ages ? !ages_consistent(c, set, valid)
		    : !c->ops->check(c->repl, set, valid))
		return corrupt(d, c, set, "replacement state inconsistent");
	return 0;
}

int mw_cache_check_set(const struct mw_cache *c, uint32_t set,
		       struct mw_diag *d)
{
	bool valid[64];

	if (set >= c->sets)
		return corrupt(d, c, set, "no such set");
	if (c->ways > 64)
		return 0; /* wide sets: mw_cache_check only */
	return check_slots(c, set, valid, d);
}

int mw_cache_check(const struct mw_cache *c, struct mw_diag *d)
{
	bool *valid = mw_calloc(c->ways, sizeof(*valid));
	uint32_t set, count = 0;
	uint64_t i, n = (uint64_t)c->sets * c->ways;
	int rc = 0;

	if (!valid)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	for (set = 0; set < c->sets && rc == 0; set++)
		rc = check_slots(c, set, valid, d);
	mw_free(valid);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		count += c->tag[i] != TAG_NONE;
	if (count != c->nvalid)
		return corrupt(d, c, 0, "valid line count out of step");
	if (c->full) {
		uint64_t nkeys = 0, nfree = 0;
		size_t w;

		for (i = 0; i <= c->hmask; i++)
			nkeys += c->hkey[i] != TAG_NONE;
		for (w = 0; w < c->freewords; w++)
			nfree += (uint64_t)__builtin_popcountll(c->freemap[w]);
		if (nkeys != count || nfree != n - count)
			return corrupt(d, c, 0, "hash map or free ways wrong");
	}
	return check_counters(c, d);
}
