/*
 * test_cache.c - caches, replacement policies and the hierarchy against a
 * deliberately naive reference model (per-set arrays, bool per sector,
 * linear scans, the textbook definition of each policy), on seeded
 * random traces; hand-computed cases; DineroIV semantics.
 */
#include "common/alloc.h"
#include "common/hash.h"
#include "hierarchy/cache.h"
#include "hierarchy/hierarchy.h"
#include "hierarchy/hierarchy_int.h"
#include "hierarchy/repl.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================= the naive reference model ======================= */

#define NV_MAXSECT 64

struct nv_way {
	bool valid;
	uint64_t line;
	bool vs[NV_MAXSECT], ds[NV_MAXSECT];
	uint8_t tensor;
	uint8_t rrpv;
};

struct nv_cache {
	struct mw_level_cfg cfg;
	uint32_t sets, ways, spp; /* spp: sets per slice */
	uint32_t nsect, L, S;
	struct nv_way *w; /* [sets][ways] */
	uint32_t *order;  /* lru/fifo: [sets][ways] ways, most recent first */
	uint32_t *norder; /* entries used per set */
	uint8_t *plru;	  /* [sets][pad] */
	uint32_t pad;
	struct mw_rng rng;
	uint32_t psel;
	struct mw_counters c[MW_TENSOR_MAX + 1][MW_OP_COUNT];
};

struct nv_hier {
	uint32_t nlevels, units;
	struct nv_cache *lv[MW_LEVELS_MAX][8]; /* up to 8 units in tests */
	uint32_t ninst[MW_LEVELS_MAX];
	bool fetch_full[MW_LEVELS_MAX];
	struct mw_mem_counters mem[MW_TENSOR_MAX + 1][MW_OP_COUNT];
};

static struct nv_cache *nv_cache_new(const struct mw_level_cfg *cfg)
{
	struct nv_cache *c = calloc(1, sizeof(*c));
	uint64_t lines = cfg->size / cfg->line;

	c->cfg = *cfg;
	c->L = cfg->line;
	c->S = cfg->sector;
	c->nsect = cfg->line / cfg->sector;
	c->ways = cfg->ways ? cfg->ways : (uint32_t)lines;
	c->sets = (uint32_t)(lines / c->ways);
	c->spp = c->sets / cfg->slices;
	c->w = calloc((size_t)c->sets * c->ways, sizeof(*c->w));
	c->order = calloc((size_t)c->sets * c->ways, sizeof(uint32_t));
	c->norder = calloc(c->sets, sizeof(uint32_t));
	c->pad = 1;
	while (c->pad < c->ways)
		c->pad *= 2;
	c->plru = calloc((size_t)c->sets * c->pad, 1);
	for (size_t i = 0; i < (size_t)c->sets * c->ways; i++)
		c->w[i].rrpv = 3;
	mw_rng_seed(&c->rng, cfg->seed);
	c->psel = 512;
	return c;
}

static void nv_cache_free(struct nv_cache *c)
{
	free(c->w);
	free(c->order);
	free(c->norder);
	free(c->plru);
	free(c);
}

static uint32_t nv_set(const struct nv_cache *c, uint64_t line)
{
	uint64_t x = line, slice = 0;
	unsigned b = 0;

	if (c->cfg.ways == 0)
		return 0;
	if (c->cfg.slices > 1)
		slice = mw_mix64(line) % c->cfg.slices;
	if (c->cfg.index == MW_INDEX_XOR) {
		while ((1ull << b) < c->spp)
			b++;
		if (b == 0)
			b = 1;
		x = line ^ (line >> b) ^ (b < 32 ? line >> (2 * b) : 0);
	}
	return (uint32_t)(slice * c->spp + x % c->spp);
}

static const char *nv_pol(const struct nv_cache *c)
{
	return c->cfg.replacement;
}

static void order_remove(struct nv_cache *c, uint32_t set, uint32_t way)
{
	uint32_t *o = &c->order[(size_t)set * c->ways], i, j;

	for (i = 0; i < c->norder[set]; i++)
		if (o[i] == way) {
			for (j = i; j + 1 < c->norder[set]; j++)
				o[j] = o[j + 1];
			c->norder[set]--;
			return;
		}
}

static void order_front(struct nv_cache *c, uint32_t set, uint32_t way)
{
	uint32_t *o = &c->order[(size_t)set * c->ways], j;

	order_remove(c, set, way);
	for (j = c->norder[set]; j > 0; j--)
		o[j] = o[j - 1];
	o[0] = way;
	c->norder[set]++;
}

static void plru_touch(struct nv_cache *c, uint32_t set, uint32_t way)
{
	uint8_t *b = &c->plru[(size_t)set * c->pad];
	uint32_t node = 1, lo = 0, size = c->pad;

	while (size > 1) {
		size /= 2;
		if (way < lo + size) {
			b[node] = 1;
			node = node * 2;
		} else {
			b[node] = 0;
			node = node * 2 + 1;
			lo += size;
		}
	}
}

static int drrip_role(const struct nv_cache *c, uint32_t set)
{
	if (c->sets >= 64)
		return set % 64 == 0 ? -1 : set % 64 == 33 ? 1 : 0;
	return set == 0 ? -1 : set == c->sets - 1 ? 1 : 0;
}

static void nv_touch(struct nv_cache *c, uint32_t set, uint32_t way)
{
	const char *p = nv_pol(c);

	if (!strcmp(p, "lru"))
		order_front(c, set, way);
	else if (!strcmp(p, "tree-plru"))
		plru_touch(c, set, way);
	else if (strstr(p, "rrip"))
		c->w[(size_t)set * c->ways + way].rrpv = 0;
}

static void nv_fill_policy(struct nv_cache *c, uint32_t set, uint32_t way)
{
	const char *p = nv_pol(c);
	struct nv_way *w = &c->w[(size_t)set * c->ways + way];

	if (!strcmp(p, "lru") || !strcmp(p, "fifo"))
		order_front(c, set, way);
	else if (!strcmp(p, "tree-plru"))
		plru_touch(c, set, way);
	else if (strstr(p, "rrip")) {
		bool bimodal = !strcmp(p, "brrip");

		if (!strcmp(p, "drrip")) {
			int role = drrip_role(c, set);

			if (role < 0 && c->psel < 1023)
				c->psel++;
			if (role > 0 && c->psel > 0)
				c->psel--;
			bimodal = role > 0 || (role == 0 && c->psel >= 512);
		}
		w->rrpv = 2;
		if (bimodal && (mw_rng_next(&c->rng) & 31) != 0)
			w->rrpv = 3;
	}
}

static uint32_t nv_victim(struct nv_cache *c, uint32_t set)
{
	const char *p = nv_pol(c);
	struct nv_way *w = &c->w[(size_t)set * c->ways];
	uint32_t i;

	if (!strcmp(p, "lru") || !strcmp(p, "fifo"))
		return c->order[(size_t)set * c->ways + c->norder[set] - 1];
	if (!strcmp(p, "random"))
		return (uint32_t)mw_rng_below(&c->rng, c->ways);
	if (!strcmp(p, "tree-plru")) {
		uint8_t *b = &c->plru[(size_t)set * c->pad];
		uint32_t node = 1, lo = 0, size = c->pad;

		while (size > 1) {
			size /= 2;
			if (b[node] && lo + size < c->ways) {
				node = node * 2 + 1;
				lo += size;
			} else {
				node = node * 2;
			}
		}
		return lo;
	}
	for (;;) { /* rrip: the textbook loop */
		for (i = 0; i < c->ways; i++)
			if (w[i].rrpv == 3)
				return i;
		for (i = 0; i < c->ways; i++)
			w[i].rrpv++;
	}
}

static void nv_drop(struct nv_cache *c, uint32_t set, uint32_t way)
{
	struct nv_way *w = &c->w[(size_t)set * c->ways + way];

	order_remove(c, set, way);
	memset(w, 0, sizeof(*w));
	w->rrpv = 3;
}

static int nv_find(struct nv_cache *c, uint32_t set, uint64_t line)
{
	for (uint32_t i = 0; i < c->ways; i++)
		if (c->w[(size_t)set * c->ways + i].valid &&
		    c->w[(size_t)set * c->ways + i].line == line)
			return (int)i;
	return -1;
}

struct nv_victim {
	bool valid;
	uint64_t line;
	bool vs[NV_MAXSECT], ds[NV_MAXSECT];
	uint8_t tensor;
};

static bool any_dirty(const struct nv_victim *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (v->ds[i])
			return true;
	return false;
}

/* Places line, returning the way; fills *v with any victim. */
static uint32_t nv_place(struct nv_cache *c, uint32_t set, uint64_t line,
			 unsigned op, struct nv_victim *v)
{
	uint32_t i, way = UINT32_MAX;
	struct nv_way *w;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < c->ways; i++)
		if (!c->w[(size_t)set * c->ways + i].valid) {
			way = i;
			break;
		}
	if (way == UINT32_MAX) {
		way = nv_victim(c, set);
		w = &c->w[(size_t)set * c->ways + way];
		v->valid = true;
		v->line = w->line;
		v->tensor = w->tensor;
		memcpy(v->vs, w->vs, sizeof(v->vs));
		memcpy(v->ds, w->ds, sizeof(v->ds));
		if (any_dirty(v, c->nsect)) {
			c->c[v->tensor][op].v[MW_STAT_WRITEBACKS]++;
			for (i = 0; i < c->nsect; i++)
				c->c[v->tensor][op].v[MW_STAT_BYTES_TO_BELOW] +=
					v->ds[i] ? c->S : 0;
		}
		nv_drop(c, set, way);
	}
	w = &c->w[(size_t)set * c->ways + way];
	w->valid = true;
	w->line = line;
	nv_fill_policy(c, set, way);
	return way;
}

static void nv_send(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		    uint64_t addr, uint64_t bytes, unsigned op, unsigned t);

static struct nv_cache *nv_inst(struct nv_hier *H, uint32_t lvl, uint32_t u)
{
	return H->lv[lvl][lvl == 0 ? u : 0];
}

/* sends each run of true sectors of s[] below lvl */
static void nv_runs(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		    uint64_t line, const bool *s, unsigned op, unsigned t)
{
	struct nv_cache *c = nv_inst(H, lvl, unit);
	uint32_t i = 0, j;

	while (i < c->nsect) {
		if (!s[i]) {
			i++;
			continue;
		}
		for (j = i; j < c->nsect && s[j]; j++)
			;
		nv_send(H, lvl + 1, unit, line * c->L + (uint64_t)i * c->S,
			(uint64_t)(j - i) * c->S, op, t);
		i = j;
	}
}

static void nv_evict(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		     const struct nv_victim *v, unsigned op);

static bool nv_exclusive(const struct nv_hier *H, uint32_t lvl)
{
	return lvl > 0 && lvl < H->nlevels &&
	       H->lv[lvl][0]->cfg.inclusion == MW_INCL_EXCLUSIVE;
}

static void nv_merge(struct nv_cache *c, uint64_t line, const bool *vs,
		     const bool *ds)
{
	uint32_t set = nv_set(c, line);
	int w = nv_find(c, set, line);

	if (w < 0)
		return;
	for (uint32_t i = 0; i < c->nsect; i++) {
		c->w[(size_t)set * c->ways + (uint32_t)w].vs[i] |= vs[i];
		c->w[(size_t)set * c->ways + (uint32_t)w].ds[i] |= ds[i];
	}
}

static void nv_fetch(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		     uint64_t line, const bool *fetch, bool allocated,
		     unsigned op, unsigned t)
{
	unsigned fop = op == MW_OP_IFETCH ? MW_OP_IFETCH : MW_OP_READ;
	struct nv_cache *up = nv_inst(H, lvl, unit), *c;
	uint32_t i, set, nf = 0;
	bool all = true, miss_s[NV_MAXSECT] = {0};
	int w;

	for (i = 0; i < up->nsect; i++)
		nf += fetch[i];
	if (!nv_exclusive(H, lvl + 1)) {
		nv_runs(H, lvl, unit, line, fetch, fop, t);
		return;
	}
	c = nv_inst(H, lvl + 1, unit);
	set = nv_set(c, line);
	w = nv_find(c, set, line);
	if (nf == 0) {
		if (allocated && w >= 0) {
			struct nv_way *x =
				&c->w[(size_t)set * c->ways + (uint32_t)w];

			c->c[x->tensor][op].v[MW_STAT_INVALIDATIONS]++;
			nv_merge(up, line, x->vs, x->ds);
			nv_drop(c, set, (uint32_t)w);
		}
		return;
	}
	c->c[t][fop].v[MW_STAT_ACCESSES]++;
	if (w < 0) {
		c->c[t][fop].v[MW_STAT_MISSES]++;
		c->c[t][fop].v[MW_STAT_SECTOR_MISSES]++;
		c->c[t][fop].v[MW_STAT_BYTES_FROM_BELOW] += (uint64_t)nf * c->S;
		nv_fetch(H, lvl + 1, unit, line, fetch, false, fop, t);
		return;
	}
	{
		struct nv_way x = c->w[(size_t)set * c->ways + (uint32_t)w];

		for (i = 0; i < c->nsect; i++) {
			miss_s[i] = fetch[i] && !x.vs[i];
			if (miss_s[i]) {
				all = false;
				c->c[t][fop].v[MW_STAT_BYTES_FROM_BELOW] +=
					c->S;
			}
		}
		c->c[t][fop].v[all ? MW_STAT_HITS : MW_STAT_SECTOR_MISSES]++;
		nv_drop(c, set, (uint32_t)w);
		if (!all)
			nv_fetch(H, lvl + 1, unit, line, miss_s, false, fop, t);
		nv_merge(up, line, x.vs, x.ds);
	}
}

static void nv_back_invalidate(struct nv_hier *H, uint32_t lvl, uint32_t unit,
			       const struct nv_victim *v, unsigned op)
{
	struct nv_cache *k = nv_inst(H, lvl, unit);
	uint64_t lo = v->line * k->L, hi = lo + k->L - 1;

	for (uint32_t j = 0; j < lvl; j++)
		for (uint32_t u = 0; u < H->ninst[j]; u++) {
			struct nv_cache *c = H->lv[j][u];

			for (uint64_t x = lo / c->L; x <= hi / c->L; x++) {
				uint32_t set = nv_set(c, x);
				int w = nv_find(c, set, x);
				struct nv_way y;

				if (w < 0)
					continue;
				y = c->w[(size_t)set * c->ways + (uint32_t)w];
				c->c[y.tensor][op].v[MW_STAT_INVALIDATIONS]++;
				nv_drop(c, set, (uint32_t)w);
				bool dirty = false;
				for (uint32_t s = 0; s < c->nsect; s++)
					dirty |= y.ds[s];
				if (!dirty)
					continue;
				c->c[y.tensor][op].v[MW_STAT_WRITEBACKS]++;
				for (uint32_t s = 0; s < c->nsect; s++) {
					if (!y.ds[s])
						continue;
					c->c[y.tensor][op]
						.v[MW_STAT_BYTES_TO_BELOW] +=
						c->S;
					nv_send(H, lvl + 1, unit,
						x * c->L + (uint64_t)s * c->S,
						c->S, MW_OP_WRITE, y.tensor);
				}
			}
		}
}

static void nv_evict(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		     const struct nv_victim *v, unsigned op)
{
	struct nv_cache *c = nv_inst(H, lvl, unit);
	bool orphan = false;

	for (uint32_t m = lvl + 2; m < H->nlevels; m++) {
		struct nv_cache *b = H->lv[m][0];
		uint64_t x = v->line * c->L / b->L;

		if (b->cfg.inclusion == MW_INCL_INCLUSIVE &&
		    nv_find(b, nv_set(b, x), x) < 0)
			orphan = true;
	}
	if (nv_exclusive(H, lvl + 1) && !orphan) {
		struct nv_cache *b = nv_inst(H, lvl + 1, unit);
		uint32_t set = nv_set(b, v->line), i;
		int w = nv_find(b, set, v->line);
		struct nv_victim v2;

		for (i = 0; i < c->nsect; i++)
			if (v->vs[i] && !v->ds[i])
				c->c[v->tensor][op].v[MW_STAT_BYTES_TO_BELOW] +=
					c->S;
		b->c[v->tensor][op].v[MW_STAT_VICTIM_FILLS]++;
		if (w >= 0) {
			nv_merge(b, v->line, v->vs, v->ds);
			nv_touch(b, set, (uint32_t)w);
		} else {
			uint32_t way = nv_place(b, set, v->line, op, &v2);
			struct nv_way *x = &b->w[(size_t)set * b->ways + way];

			memcpy(x->vs, v->vs, sizeof(x->vs));
			memcpy(x->ds, v->ds, sizeof(x->ds));
			x->tensor = v->tensor;
			if (v2.valid)
				nv_evict(H, lvl + 1, unit, &v2, op);
		}
	} else if (any_dirty(v, c->nsect)) {
		nv_runs(H, lvl, unit, v->line, v->ds, MW_OP_WRITE, v->tensor);
	}
	if (lvl > 0 && c->cfg.inclusion == MW_INCL_INCLUSIVE)
		nv_back_invalidate(H, lvl, unit, v, op);
}

static void nv_line(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		    uint64_t addr, uint32_t n, unsigned op, unsigned t)
{
	struct nv_cache *c = nv_inst(H, lvl, unit);
	struct mw_counters *k = &c->c[t][op];
	uint64_t line = addr / c->L, off = addr % c->L;
	bool need[NV_MAXSECT] = {0}, full[NV_MAXSECT] = {0};
	bool fetch[NV_MAXSECT] = {0};
	bool wr = op == MW_OP_WRITE, wb = c->cfg.write == MW_WRITE_BACK;
	bool alloc = c->cfg.allocate == MW_ALLOC_WRITE, forward = false;
	bool all = true, allocated = false;
	uint32_t set = nv_set(c, line), i, nfetch = 0;
	int w = nv_find(c, set, line);
	struct nv_victim v = {0};

	for (i = 0; i < c->nsect; i++) {
		uint64_t s0 = (uint64_t)i * c->S, s1 = s0 + c->S;

		need[i] = s0 < off + n && s1 > off;
		full[i] = wr && !H->fetch_full[lvl] && s0 >= off &&
			  s1 <= off + n;
	}
	k->v[MW_STAT_ACCESSES]++;
	if (lvl > 0 && c->cfg.inclusion == MW_INCL_EXCLUSIVE) {
		if (!wr)
			cr_assert_fail("reads reach exclusive levels via "
				       "fetch");
		if (w >= 0) {
			struct nv_way *x =
				&c->w[(size_t)set * c->ways + (uint32_t)w];

			for (i = 0; i < c->nsect; i++)
				if (need[i] && !x->vs[i])
					all = false;
		}
		if (w >= 0 && all) {
			k->v[MW_STAT_HITS]++;
			nv_touch(c, set, (uint32_t)w);
			if (wb) {
				for (i = 0; i < c->nsect; i++)
					c->w[(size_t)set * c->ways + (uint32_t)w]
						.ds[i] |= need[i];
				return;
			}
		} else {
			k->v[MW_STAT_SECTOR_MISSES]++;
			if (w < 0)
				k->v[MW_STAT_MISSES]++;
		}
		k->v[MW_STAT_BYTES_TO_BELOW] += n;
		nv_send(H, lvl + 1, unit, addr, n, MW_OP_WRITE, t);
		return;
	}
	if (w >= 0) {
		struct nv_way *x = &c->w[(size_t)set * c->ways + (uint32_t)w];

		for (i = 0; i < c->nsect; i++)
			if (need[i] && !x->vs[i])
				all = false;
		if (all) {
			k->v[MW_STAT_HITS]++;
		} else {
			k->v[MW_STAT_SECTOR_MISSES]++;
			if (wr && !alloc) {
				k->v[MW_STAT_BYTES_TO_BELOW] += n;
				nv_send(H, lvl + 1, unit, addr, n, MW_OP_WRITE,
					t);
				return;
			}
			for (i = 0; i < c->nsect; i++) {
				fetch[i] = need[i] && !x->vs[i] && !full[i];
				x->vs[i] |= need[i];
			}
		}
		nv_touch(c, set, (uint32_t)w);
	} else {
		k->v[MW_STAT_MISSES]++;
		k->v[MW_STAT_SECTOR_MISSES]++;
		if (wr && !alloc) {
			k->v[MW_STAT_BYTES_TO_BELOW] += n;
			nv_send(H, lvl + 1, unit, addr, n, MW_OP_WRITE, t);
			return;
		}
		w = (int)nv_place(c, set, line, op, &v);
		allocated = true;
		struct nv_way *x = &c->w[(size_t)set * c->ways + (uint32_t)w];
		for (i = 0; i < c->nsect; i++) {
			x->vs[i] = need[i];
			x->ds[i] = false;
			fetch[i] = need[i] && !full[i];
		}
		x->tensor = (uint8_t)t;
	}
	for (i = 0; i < c->nsect; i++)
		nfetch += fetch[i];
	k->v[MW_STAT_BYTES_FROM_BELOW] += (uint64_t)nfetch * c->S;
	if (wr) {
		if (wb) {
			for (i = 0; i < c->nsect; i++)
				c->w[(size_t)set * c->ways + (uint32_t)w]
					.ds[i] |= need[i];
		} else {
			forward = true;
			k->v[MW_STAT_BYTES_TO_BELOW] += n;
		}
	}
	if (nfetch || allocated)
		nv_fetch(H, lvl, unit, line, fetch, allocated && !forward, op,
			 t);
	if (forward)
		nv_send(H, lvl + 1, unit, addr, n, MW_OP_WRITE, t);
	if (v.valid)
		nv_evict(H, lvl, unit, &v, op);
}

static void nv_send(struct nv_hier *H, uint32_t lvl, uint32_t unit,
		    uint64_t addr, uint64_t bytes, unsigned op, unsigned t)
{
	if (lvl >= H->nlevels) {
		bool wr = op == MW_OP_WRITE;

		H->mem[t][op].v[wr ? MW_MEM_WRITES : MW_MEM_READS]++;
		H->mem[t][op].v[wr ? MW_MEM_BYTES_WRITTEN : MW_MEM_BYTES_READ] +=
			bytes;
		return;
	}
	/* byte by byte grouping into lines: the obvious way */
	uint32_t L = nv_inst(H, lvl, unit)->L;
	uint64_t a = addr, e = addr + bytes;

	while (a < e) {
		uint64_t b = a;

		while (b < e && b / L == a / L)
			b++;
		nv_line(H, lvl, unit, a, (uint32_t)(b - a), op, t);
		a = b;
	}
}

static struct nv_hier *nv_create(const struct mw_hw_cfg *cfg)
{
	struct nv_hier *H = calloc(1, sizeof(*H));

	H->nlevels = cfg->nlevels;
	H->units = cfg->machine.units;
	for (uint32_t i = 0; i < H->nlevels; i++) {
		H->ninst[i] = i == 0 ? H->units : 1;
		for (uint32_t u = 0; u < H->ninst[i]; u++)
			H->lv[i][u] = nv_cache_new(&cfg->levels[i]);
		for (uint32_t k = i + 1; k < H->nlevels; k++)
			if (cfg->levels[k].inclusion == MW_INCL_INCLUSIVE)
				H->fetch_full[i] = true;
	}
	return H;
}

static void nv_destroy(struct nv_hier *H)
{
	for (uint32_t i = 0; i < H->nlevels; i++)
		for (uint32_t u = 0; u < H->ninst[i]; u++)
			nv_cache_free(H->lv[i][u]);
	free(H);
}

static void nv_access(struct nv_hier *H, const struct mw_access *a)
{
	if (H->nlevels == 0) {
		uint64_t p = a->addr, e = a->addr + a->size;

		while (p < e) {
			uint64_t q = (p / 64 + 1) * 64;

			if (q > e)
				q = e;
			nv_send(H, 0, 0, p, q - p, a->op, a->tensor);
			p = q;
		}
		return;
	}
	nv_send(H, 0, a->unit, a->addr, a->size, a->op, a->tensor);
}

/* ============================== helpers ================================== */

static struct mw_level_cfg level(const char *name, uint64_t size, uint32_t ways,
				 uint32_t line, uint32_t sector,
				 const char *repl)
{
	struct mw_level_cfg l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.size = size;
	l.ways = ways;
	l.line = line;
	l.sector = sector;
	snprintf(l.replacement, sizeof(l.replacement), "%s", repl);
	l.slices = 1;
	l.seed = 42;
	return l;
}

static void machine(struct mw_hw_cfg *cfg, uint32_t units)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->machine.name, sizeof(cfg->machine.name), "test");
	cfg->machine.units = units;
}

/* Random records concentrated on a small footprint, so lines get reused. */
static void gen(struct mw_rng *r, struct mw_access *a, size_t n, uint32_t units,
		uint32_t ntensors, uint64_t span, uint32_t maxsize)
{
	uint64_t pos = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = mw_rng_below(r, 10);

		if (k < 5)
			pos += 8;
		else
			pos = mw_rng_below(r, span);
		a[i].addr = 0x10000 + pos % span;
		a[i].size = 1 + (uint32_t)mw_rng_below(r, maxsize);
		if (k == 9)
			a[i].size = 8;
		a[i].unit = (uint16_t)mw_rng_below(r, units);
		a[i].op = (uint8_t)(mw_rng_below(r, 3) == 0   ? MW_OP_WRITE
				    : mw_rng_below(r, 8) == 0 ? MW_OP_IFETCH
							      : MW_OP_READ);
		a[i].tensor = (uint8_t)mw_rng_below(r, ntensors + 1);
	}
}

static void compare(const struct mw_hier *h, const struct nv_hier *H,
		    uint32_t ntensors, const char *what)
{
	for (uint32_t l = 0; l < H->nlevels; l++)
		for (uint32_t t = 0; t <= ntensors; t++)
			for (uint32_t op = 0; op < MW_OP_COUNT; op++) {
				struct mw_counters got, want;

				memset(&want, 0, sizeof(want));
				for (uint32_t u = 0; u < H->ninst[l]; u++)
					for (unsigned s = 0; s < MW_STAT_COUNT;
					     s++)
						want.v[s] += H->lv[l][u]
								     ->c[t][op]
								     .v[s];
				cr_assert_eq(mw_hier_level_stats(h, l,
								 MW_STATS_ALL,
								 t, op, &got),
					     0);
				for (unsigned s = 0; s < MW_STAT_COUNT; s++)
					cr_assert_eq(got.v[s], want.v[s],
						     "%s: level %u tensor %u "
						     "op "
						     "%u %s: fast %lu naive "
						     "%lu",
						     what, l, t, op,
						     mw_stat_names[s],
						     (unsigned long)got.v[s],
						     (unsigned long)want.v[s]);
			}
	for (uint32_t t = 0; t <= ntensors; t++)
		for (uint32_t op = 0; op < MW_OP_COUNT; op++) {
			struct mw_mem_counters got;

			mw_hier_memory_stats(h, t, op, &got);
			for (unsigned s = 0; s < MW_MEM_STAT_COUNT; s++)
				cr_assert_eq(got.v[s], H->mem[t][op].v[s],
					     "%s: memory tensor %u op %u %s: "
					     "fast %lu naive %lu",
					     what, t, op, mw_mem_stat_names[s],
					     (unsigned long)got.v[s],
					     (unsigned long)H->mem[t][op].v[s]);
		}
}

/* Records per mw_hier_access_batch call in differential_path. */
static size_t diff_batch = 97;

/* differential_path moves each 128-byte piece k of the address span to
   k * 128 * diff_spread: with a spread > 1 the records use a few sets
   of each level only, so the levels never fill. */
static uint64_t diff_spread = 1;

/* Runs n random records through the fast model (on its fast request path
   when fast, else on the general one) and the naive one and compares
   everything. */
static void differential_path(const struct mw_hw_cfg *cfg, size_t n,
			      uint64_t seed, uint64_t span, uint32_t maxsize,
			      const char *what, bool fast)
{
	struct mw_diag d;
	const uint32_t nt = 3;
	struct mw_hier *h = mw_hier_create(cfg, nt, &d);
	struct nv_hier *H;
	struct mw_access *a = calloc(n, sizeof(*a));
	struct mw_rng r;

	cr_assert_not_null(h, "%s: %s", what, d.msg);
	if (!fast)
		mw_hier_set_fast_path(h, false);
	H = nv_create(cfg);
	mw_rng_seed(&r, seed);
	gen(&r, a, n, cfg->machine.units, nt, span, maxsize);
	for (size_t i = 0; i < n; i++)
		a[i].addr =
			a[i].addr / 128 * 128 * diff_spread + a[i].addr % 128;
	for (size_t i = 0; i < n; i += diff_batch) {
		size_t m = n - i < diff_batch ? n - i : diff_batch;

		cr_assert_eq(mw_hier_access_batch(h, a + i, m), 0, "%s: %s",
			     what, mw_hier_diag(h)->msg);
		for (size_t j = 0; j < m; j++)
			nv_access(H, &a[i + j]);
	}
	cr_assert_eq(mw_hier_check(h, &d), 0, "%s: %s", what, d.msg);
	compare(h, H, nt, what);
	nv_destroy(H);
	free(a);
	mw_hier_destroy(h);
}

/* Both request paths (they coincide where the fast one does not apply). */
static void differential(const struct mw_hw_cfg *cfg, size_t n, uint64_t seed,
			 uint64_t span, uint32_t maxsize, const char *what)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%s (fast path)", what);
	differential_path(cfg, n, seed, span, maxsize, buf, true);
	snprintf(buf, sizeof(buf), "%s (general path)", what);
	differential_path(cfg, n, seed, span, maxsize, buf, false);
}

/* ======================== differential tests ============================= */

static const char *const policies[] = {"lru",	"fifo",	 "random", "tree-plru",
				       "srrip", "brrip", "drrip"};
#define NPOL (sizeof(policies) / sizeof(policies[0]))

Test(cache_diff, every_policy_two_levels)
{
	struct mw_hw_cfg cfg;

	for (size_t p = 0; p < NPOL; p++) {
		machine(&cfg, 1);
		cfg.nlevels = 2;
		cfg.levels[0] = level("l1", 4096, 4, 64, 64, policies[p]);
		cfg.levels[1] = level("l2", 16384, 8, 64, 64, policies[p]);
		differential(&cfg, 20000, 1 + p, 65536, 16, policies[p]);
	}
}

/* The built-in lru / fifo orders (cache_int.h): the two-word form (up to
   16 ways), the general one (more words, a last word half padding) and
   the vtable beyond AGE_WAYS, with sectors and write-through. */
Test(cache_diff, builtin_orders_every_width)
{
	static const uint32_t ways[] = {1, 2, 3, 8, 12, 16, 24, 40, 64, 96};
	struct mw_hw_cfg cfg;
	char what[96];

	for (size_t p = 0; p < 2; p++)
		for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
			machine(&cfg, 2);
			cfg.nlevels = 2;
			cfg.levels[0] = level("l1", 4 * ways[i] * 64, ways[i],
					      64, 16, policies[p]);
			cfg.levels[0].write = (enum mw_write_policy)(i & 1);
			cfg.levels[1] = level("l2", 8 * ways[i] * 128, ways[i],
					      128, 128, policies[p]);
			snprintf(what, sizeof(what), "%s %u ways", policies[p],
				 ways[i]);
			differential(&cfg, 6000, 400 + i, 32 * ways[i] * 128,
				     40, what);
		}
}

Test(cache_diff, every_policy_fully_associative)
{
	struct mw_hw_cfg cfg;
	char what[64];

	for (size_t p = 0; p < NPOL; p++) {
		/* 16 lines (stamp variant) and 48 lines (list variant, not a
		   power of two for tree-plru) */
		for (int big = 0; big < 2; big++) {
			machine(&cfg, 1);
			cfg.nlevels = 2;
			cfg.levels[0] = level("l1", big ? 48 * 64 : 1024, 0, 64,
					      32, policies[p]);
			cfg.levels[1] =
				level("l2", 8192, 0, 64, 64, policies[p]);
			snprintf(what, sizeof(what), "full %s %d", policies[p],
				 big);
			differential(&cfg, 15000, 7 + p, 16384, 24, what);
		}
	}
}

Test(cache_diff, write_policies_and_sectors)
{
	struct mw_hw_cfg cfg;
	char what[96];
	static const uint32_t sect[][2] = {{128, 64}, {32, 16}, {64, 8}};

	for (int wp = 0; wp < 2; wp++)
		for (int al = 0; al < 2; al++)
			for (int s = 0; s < 3; s++) {
				machine(&cfg, 2);
				cfg.nlevels = 2;
				cfg.levels[0] = level("l1", 8192, 2, 128,
						      sect[s][0], "lru");
				cfg.levels[0].write = (enum mw_write_policy)wp;
				cfg.levels[0].allocate =
					(enum mw_alloc_policy)al;
				cfg.levels[1] = level("l2", 32768, 4, 64,
						      sect[s][1], "srrip");
				cfg.levels[1].write =
					(enum mw_write_policy)(1 - wp);
				cfg.levels[1].allocate =
					(enum mw_alloc_policy)al;
				snprintf(what, sizeof(what),
					 "write %d alloc %d sectors %u/%u", wp,
					 al, sect[s][0], sect[s][1]);
				differential(&cfg, 15000, 100 + s, 131072, 200,
					     what);
			}
}

Test(cache_diff, inclusion_modes)
{
	struct mw_hw_cfg cfg;
	char what[96];

	for (int incl = 0; incl < 3; incl++)
		for (uint32_t units = 1; units <= 3; units += 2)
			for (int s = 0; s < 2; s++) {
				machine(&cfg, units);
				cfg.nlevels = 3;
				cfg.levels[0] = level("l1", 2048, 2, 64,
						      s ? 16 : 64, "lru");
				cfg.levels[1] = level("l2", 8192, 4, 64,
						      s ? 16 : 64, "tree-plru");
				cfg.levels[1].inclusion =
					(enum mw_inclusion)incl;
				cfg.levels[2] = level("l3", 32768, 8, 128,
						      s ? 32 : 128, "drrip");
				cfg.levels[2].inclusion =
					incl == 2 ? MW_INCL_INCLUSIVE
						  : MW_INCL_NINE;
				cfg.levels[0].write = s ? MW_WRITE_THROUGH
							: MW_WRITE_BACK;
				snprintf(what, sizeof(what),
					 "inclusion %d units %u sectors %d",
					 incl, units, s);
				differential(&cfg, 15000, 200 + (uint64_t)incl,
					     65536, 100, what);
			}
}

Test(cache_diff, geometry_index_slices)
{
	struct mw_hw_cfg cfg;
	char what[96];

	for (int idx = 0; idx < 2; idx++)
		for (uint32_t slices = 1; slices <= 3; slices++) {
			machine(&cfg, 2);
			cfg.nlevels = 2;
			/* 48 sets: not a power of two */
			cfg.levels[0] =
				level("l1", 48 * 3 * 64, 3, 64, 32, "lru");
			cfg.levels[0].index = (enum mw_index_fn)idx;
			/* 3 slices x 40 sets x 5 ways x 128 B */
			cfg.levels[1] = level("l2", slices * 40 * 5 * 128, 5,
					      128, 32, "fifo");
			cfg.levels[1].index = (enum mw_index_fn)idx;
			cfg.levels[1].slices = slices;
			snprintf(what, sizeof(what), "index %d slices %u", idx,
				 slices);
			differential(&cfg, 15000, 300 + slices, 1 << 20, 64,
				     what);
		}
}

/* The two-level one-unit loop of the uniform path (batch_uni2 in
   hierarchy.c): each pair of ways it compiles with constant ways, pairs
   it takes in its generic form, and the fifo and sectored neighbours that
   must not take it; records crossing lines and whole-line writes too. */
Test(cache_diff, uniform_two_levels)
{
	static const uint32_t ways[][2] = {{8, 16}, {4, 8},  {8, 8},  {16, 16},
					   {2, 4},  {1, 16}, {12, 3}, {16, 5}};
	struct mw_hw_cfg cfg;
	char what[96];

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
		for (int v = 0; v < 3; v++) {
			machine(&cfg, 1);
			cfg.nlevels = 2;
			cfg.levels[0] = level("l1", 4 * ways[i][0] * 64,
					      ways[i][0], 64, v == 2 ? 32 : 64,
					      v == 1 ? "fifo" : "lru");
			cfg.levels[1] = level("l2", 16 * ways[i][1] * 64,
					      ways[i][1], 64, 64, "lru");
			snprintf(what, sizeof(what), "uniform %u+%u ways v%d",
				 ways[i][0], ways[i][1], v);
			differential(&cfg, 12000, 500 + i, 64 * 1024, 80, what);
		}
	/* batches too short for the derived counters, and single records */
	for (size_t b = 1; b <= 7; b += 6) {
		diff_batch = b;
		machine(&cfg, 1);
		cfg.nlevels = 2;
		cfg.levels[0] = level("l1", 4 * 8 * 64, 8, 64, 64, "lru");
		cfg.levels[1] = level("l2", 16 * 16 * 64, 16, 64, 64, "lru");
		snprintf(what, sizeof(what), "uniform batches of %zu", b);
		differential(&cfg, 6000, 520 + b, 64 * 1024, 80, what);
	}
	diff_batch = 97;
}

/* The GPU-style loop (batch_gpu2 in hierarchy.c): write-through
   no-allocate sectored first levels over a sectored write-back second
   level, with several units, slices, both index functions, lru and the
   fifo and write-back neighbours that must not take it. */
Test(cache_diff, gpu_two_levels)
{
	static const uint32_t geo[][5] = {
		/* l1 ways, l2 ways, line, sector, l2 slices */
		{4, 16, 128, 32, 2},
		{2, 8, 64, 16, 1},
		{16, 3, 128, 32, 3},
		{1, 16, 64, 8, 1},
		/* 64 sectors: a sector run can end at bit 63 */
		{2, 4, 2048, 32, 1},
	};
	struct mw_hw_cfg cfg;
	char what[96];

	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++)
		for (int v = 0; v < 4; v++) {
			uint32_t line = geo[i][2], sect = geo[i][3];

			machine(&cfg, v == 3 ? 1 : 3);
			cfg.nlevels = 2;
			cfg.levels[0] = level("l1", 4 * geo[i][0] * line,
					      geo[i][0], line, sect,
					      v == 1 ? "fifo" : "lru");
			cfg.levels[0].write = v == 2 ? MW_WRITE_BACK
						     : MW_WRITE_THROUGH;
			cfg.levels[0].allocate = MW_ALLOC_NONE;
			cfg.levels[1] = level("l2",
					      geo[i][4] * 8 * geo[i][1] * line,
					      geo[i][1], line, sect, "lru");
			cfg.levels[1].slices = geo[i][4];
			cfg.levels[1].index = (enum mw_index_fn)(i & 1);
			snprintf(what, sizeof(what), "gpu %zu v%d", i, v);
			differential(&cfg, 12000, 600 + i, 64 * 1024, 150,
				     what);
		}
}

/* Levels that never fill (records in 4 of their 64 first-level sets):
   the specialised loops find a set's invalid ways from its ranks, not
   from whether the whole level is full. */
Test(cache_diff, sparse_sets_never_fill)
{
	struct mw_hw_cfg cfg;

	diff_spread = 16;
	machine(&cfg, 1);
	cfg.nlevels = 2;
	cfg.levels[0] = level("l1", 64 * 8 * 64, 8, 64, 64, "lru");
	cfg.levels[1] = level("l2", 256 * 16 * 64, 16, 64, 64, "lru");
	differential(&cfg, 12000, 700, 64 * 1024, 80, "sparse uniform");
	machine(&cfg, 3);
	cfg.nlevels = 2;
	cfg.levels[0] = level("l1", 64 * 4 * 128, 4, 128, 32, "lru");
	cfg.levels[0].write = MW_WRITE_THROUGH;
	cfg.levels[0].allocate = MW_ALLOC_NONE;
	cfg.levels[1] = level("l2", 2 * 128 * 16 * 128, 16, 128, 32, "lru");
	cfg.levels[1].slices = 2;
	differential(&cfg, 12000, 701, 64 * 1024, 150, "sparse gpu");
	diff_spread = 1;
}

Test(cache_diff, straight_to_memory)
{
	struct mw_hw_cfg cfg;

	machine(&cfg, 1);
	differential(&cfg, 5000, 9, 1 << 20, 300, "no levels");
}

/* =========================== hand-computed =============================== */

static struct mw_hier *one_level(uint64_t size, uint32_t ways, uint32_t line,
				 uint32_t sector, const char *repl,
				 enum mw_write_policy w, enum mw_alloc_policy a)
{
	struct mw_hw_cfg cfg;
	struct mw_diag d;
	struct mw_hier *h;

	machine(&cfg, 1);
	cfg.nlevels = 1;
	cfg.levels[0] = level("l1", size, ways, line, sector, repl);
	cfg.levels[0].write = w;
	cfg.levels[0].allocate = a;
	h = mw_hier_create(&cfg, 0, &d);
	cr_assert_not_null(h, "%s", d.msg);
	return h;
}

static void run1(struct mw_hier *h, uint64_t addr, uint32_t size, unsigned op)
{
	struct mw_access a = {addr, size, 0, (uint8_t)op, 0};

	cr_assert_eq(mw_hier_access_batch(h, &a, 1), 0, "%s",
		     mw_hier_diag(h)->msg);
}

static uint64_t stat(const struct mw_hier *h, uint32_t lvl, enum mw_stat s)
{
	struct mw_counters c;

	cr_assert_eq(mw_hier_level_stats(h, lvl, MW_STATS_ALL, MW_STATS_ALL,
					 MW_STATS_ALL, &c),
		     0);
	return c.v[s];
}

static uint64_t memstat(const struct mw_hier *h, enum mw_mem_stat s)
{
	struct mw_mem_counters m;

	mw_hier_memory_stats(h, MW_STATS_ALL, MW_STATS_ALL, &m);
	return m.v[s];
}

Test(cache_hand, lru_two_way_set)
{
	/* 2 sets x 2 ways x 64 B.  Lines 0, 2, 4 map to set 0. */
	struct mw_hier *h =
		one_level(256, 2, 64, 64, "lru", MW_WRITE_BACK, MW_ALLOC_WRITE);

	run1(h, 0 * 64, 4, MW_OP_READ);	     /* miss: {0} */
	run1(h, 2 * 64, 4, MW_OP_READ);	     /* miss: {2,0} */
	run1(h, 0 * 64, 4, MW_OP_READ);	     /* hit: {0,2} */
	run1(h, 4 * 64, 4, MW_OP_WRITE);     /* miss, evicts 2: {4,0} dirty 4 */
	run1(h, 2 * 64, 4, MW_OP_READ);	     /* miss, evicts 0: {2,4} */
	run1(h, 0 * 64, 4, MW_OP_READ);	     /* miss, evicts dirty 4 */
	run1(h, 1 * 64 + 60, 8, MW_OP_READ); /* lines 1 and 2: miss + hit */
	cr_assert_eq(stat(h, 0, MW_STAT_ACCESSES), 8);
	cr_assert_eq(stat(h, 0, MW_STAT_HITS), 2);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 6);
	cr_assert_eq(stat(h, 0, MW_STAT_WRITEBACKS), 1);
	cr_assert_eq(stat(h, 0, MW_STAT_BYTES_FROM_BELOW), 6 * 64);
	cr_assert_eq(stat(h, 0, MW_STAT_BYTES_TO_BELOW), 64);
	cr_assert_eq(memstat(h, MW_MEM_BYTES_READ), 6 * 64);
	cr_assert_eq(memstat(h, MW_MEM_BYTES_WRITTEN), 64);
	mw_hier_destroy(h);
}

Test(cache_hand, fifo_versus_lru)
{
	/* one set of 2 ways: A B A C A: lru keeps A (3 misses), fifo
	   evicts A at C (4 misses) */
	static const uint64_t seq[] = {0, 64, 0, 128, 0};
	struct mw_hier *l =
		one_level(128, 2, 64, 64, "lru", MW_WRITE_BACK, MW_ALLOC_WRITE);
	struct mw_hier *f = one_level(128, 2, 64, 64, "fifo", MW_WRITE_BACK,
				      MW_ALLOC_WRITE);

	for (int i = 0; i < 5; i++) {
		run1(l, seq[i], 1, MW_OP_READ);
		run1(f, seq[i], 1, MW_OP_READ);
	}
	cr_assert_eq(stat(l, 0, MW_STAT_MISSES), 3);
	cr_assert_eq(stat(f, 0, MW_STAT_MISSES), 4);
	mw_hier_destroy(l);
	mw_hier_destroy(f);
}

Test(cache_hand, sectors_and_write_through)
{
	/* 128-byte lines of four 32-byte sectors, write-through, no
	   allocation (a GPU L1) */
	struct mw_hier *h = one_level(1024, 2, 128, 32, "lru", MW_WRITE_THROUGH,
				      MW_ALLOC_NONE);

	run1(h, 0, 32, MW_OP_READ);    /* miss: sector 0 fetched */
	run1(h, 32, 64, MW_OP_READ);   /* sector miss: 1, 2 fetched */
	run1(h, 8, 16, MW_OP_READ);    /* hit */
	run1(h, 96, 4, MW_OP_WRITE);   /* sector 3 absent: forwarded */
	run1(h, 0, 4, MW_OP_WRITE);    /* hit: written through */
	run1(h, 4096, 4, MW_OP_WRITE); /* miss: forwarded, no fill */
	cr_assert_eq(stat(h, 0, MW_STAT_ACCESSES), 6);
	cr_assert_eq(stat(h, 0, MW_STAT_HITS), 2);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 2);
	cr_assert_eq(stat(h, 0, MW_STAT_SECTOR_MISSES), 4);
	cr_assert_eq(stat(h, 0, MW_STAT_BYTES_FROM_BELOW), 96);
	cr_assert_eq(stat(h, 0, MW_STAT_BYTES_TO_BELOW), 12);
	cr_assert_eq(memstat(h, MW_MEM_READS), 2); /* sector 0; sectors 1-2 */
	cr_assert_eq(memstat(h, MW_MEM_BYTES_READ), 96);
	cr_assert_eq(memstat(h, MW_MEM_BYTES_WRITTEN), 12);
	mw_hier_destroy(h);
}

Test(cache_hand, full_sector_write_needs_no_fetch)
{
	struct mw_hier *h = one_level(1024, 2, 128, 32, "lru", MW_WRITE_BACK,
				      MW_ALLOC_WRITE);

	run1(h, 0, 64, MW_OP_WRITE);  /* sectors 0, 1 overwritten */
	run1(h, 128, 8, MW_OP_WRITE); /* partial: fetch-on-write */
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 2);
	cr_assert_eq(stat(h, 0, MW_STAT_BYTES_FROM_BELOW), 32);
	cr_assert_eq(mw_hier_flush(h), 0);
	cr_assert_eq(stat(h, 0, MW_STAT_WRITEBACKS), 2);
	cr_assert_eq(memstat(h, MW_MEM_BYTES_WRITTEN), 96);
	mw_hier_destroy(h);
}

/* ====================== DineroIV demand-miss semantics ===================== */

/*
 * DineroIV (-l1-dbsize 64 -l1-drepl l -l1-dwalloc a -l1-dwback a, demand
 * fetch) counts a demand miss for every reference whose block is absent,
 * reads and writes alike; with sub-blocks (-l1-dsbsize) it counts a miss
 * whenever the sub-block is absent and a block miss when the whole block
 * is.  DineroIV itself is not installable here: the expected values
 * below are derived by hand from those rules and commented.
 */
Test(cache_dinero, sweeps)
{
	/* 32 KiB, 8 ways, 64 B: 64 sets. */
	struct mw_hier *h = one_level(32768, 8, 64, 64, "lru", MW_WRITE_BACK,
				      MW_ALLOC_WRITE);
	uint64_t a;
	int pass;

	/* 16 KiB read twice in 4-byte steps: 256 compulsory misses only */
	for (pass = 0; pass < 2; pass++)
		for (a = 0; a < 16384; a += 4)
			run1(h, a, 4, MW_OP_READ);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 256);
	cr_assert_eq(stat(h, 0, MW_STAT_ACCESSES), 8192);
	mw_hier_destroy(h);

	/* 64 KiB written then read, twice: LRU thrashes, every line misses
	   on every pass (1024 lines x 4 passes); every written line is
	   evicted dirty except the last 32 KiB of the final write pass,
	   which the read pass after it evicts, so 2048 writebacks */
	h = one_level(32768, 8, 64, 64, "lru", MW_WRITE_BACK, MW_ALLOC_WRITE);
	for (pass = 0; pass < 2; pass++) {
		for (a = 0; a < 65536; a += 8)
			run1(h, 0x100000 + a, 8, MW_OP_WRITE);
		for (a = 0; a < 65536; a += 8)
			run1(h, 0x100000 + a, 8, MW_OP_READ);
	}
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 4096);
	cr_assert_eq(stat(h, 0, MW_STAT_WRITEBACKS), 2048);
	mw_hier_destroy(h);
}

Test(cache_dinero, associativity_conflicts)
{
	/* 2 sets x 4 ways; lines 0,2,4,6,8 all map to set 0.  Cycling over
	   5 lines in a 4-way LRU set misses every time: 5 x 3 = 15. Cycling
	   over 4 misses only the first 4 of 12. */
	struct mw_hier *h =
		one_level(512, 4, 64, 64, "lru", MW_WRITE_BACK, MW_ALLOC_WRITE);
	int i;

	for (i = 0; i < 15; i++)
		run1(h, (uint64_t)(i % 5) * 128, 4,
		     i % 2 ? MW_OP_WRITE : MW_OP_READ);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 15);
	mw_hier_destroy(h);
	h = one_level(512, 4, 64, 64, "lru", MW_WRITE_BACK, MW_ALLOC_WRITE);
	for (i = 0; i < 12; i++)
		run1(h, (uint64_t)(i % 4) * 128, 4, MW_OP_READ);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 4);
	mw_hier_destroy(h);
}

Test(cache_dinero, sub_blocks)
{
	/* 64 B blocks of 16 B sub-blocks: a 4 KiB sequential read in
	   4-byte steps (fits) misses 256 sub-blocks and 64 blocks. */
	struct mw_hier *h = one_level(8192, 4, 64, 16, "lru", MW_WRITE_BACK,
				      MW_ALLOC_WRITE);
	uint64_t a;

	for (a = 0; a < 4096; a += 4)
		run1(h, a, 4, MW_OP_READ);
	cr_assert_eq(stat(h, 0, MW_STAT_SECTOR_MISSES), 256);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 64);
	cr_assert_eq(stat(h, 0, MW_STAT_BYTES_FROM_BELOW), 4096);
	mw_hier_destroy(h);
}

Test(cache_dinero, two_levels)
{
	/* l1 256 B (2 sets x 2 ways), l2 1 KiB (4 sets x 4 ways), 64 B.
	   Reading lines 0..7 twice: l1 misses all 16 (8 lines cycling
	   through 4 frames, 2 sets); l2 holds all 8, so it misses 8. */
	struct mw_hw_cfg cfg;
	struct mw_diag d;
	struct mw_hier *h;
	int pass, i;

	machine(&cfg, 1);
	cfg.nlevels = 2;
	cfg.levels[0] = level("l1", 256, 2, 64, 64, "lru");
	cfg.levels[1] = level("l2", 1024, 4, 64, 64, "lru");
	h = mw_hier_create(&cfg, 0, &d);
	cr_assert_not_null(h);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 8; i++)
			run1(h, (uint64_t)i * 64, 8, MW_OP_READ);
	cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 16);
	cr_assert_eq(stat(h, 1, MW_STAT_ACCESSES), 16);
	cr_assert_eq(stat(h, 1, MW_STAT_MISSES), 8);
	cr_assert_eq(memstat(h, MW_MEM_BYTES_READ), 512);
	mw_hier_destroy(h);
}

/* ============================ errors, API ================================ */

Test(cache_api, config_errors_name_the_level)
{
	struct mw_hw_cfg cfg;
	struct mw_diag d;

	machine(&cfg, 1);
	cfg.nlevels = 1;
	cfg.levels[0] = level("l1", 1000, 4, 64, 64, "lru");
	cr_assert_null(mw_hier_create(&cfg, 0, &d));
	cr_assert_eq(d.code, MW_ECONFIG);
	cr_assert(strstr(d.msg, "level l1") && strstr(d.msg, "multiple"), "%s",
		  d.msg);
	cfg.levels[0] = level("l1", 4096, 4, 64, 128, "lru");
	cr_assert_null(mw_hier_create(&cfg, 0, &d));
	cfg.levels[0] = level("l1", 4096, 4, 64, 64, "clairvoyant");
	cr_assert_null(mw_hier_create(&cfg, 0, &d));
	cr_assert(strstr(d.msg, "clairvoyant"), "%s", d.msg);
	cfg.levels[0] = level("l1", 4096, 4, 48, 16, "lru");
	cr_assert_null(mw_hier_create(&cfg, 0, &d));
	cfg.machine.units = 0;
	cfg.levels[0] = level("l1", 4096, 4, 64, 64, "lru");
	cr_assert_null(mw_hier_create(&cfg, 0, &d));
}

Test(cache_api, units_checked_or_folded)
{
	struct mw_hw_cfg cfg;
	struct mw_diag d;
	struct mw_hier *h;

	/* two units (the general fast loop), one (the one-unit loop), one
	   on the general path, two lru levels on one unit (batch_uni2),
	   the GPU shape on two units (batch_gpu2) */
	for (int v = 0; v < 5; v++) {
		struct mw_access a = {0, 4, 5, MW_OP_READ, 0};

		machine(&cfg, v == 0 || v == 4 ? 2 : 1);
		cfg.nlevels = 1;
		cfg.levels[0] = level("l1", 4096, 4, 64, 64, "lru");
		if (v == 3) {
			cfg.nlevels = 2;
			cfg.levels[1] = level("l2", 16384, 16, 64, 64, "lru");
		}
		if (v == 4) {
			cfg.nlevels = 2;
			cfg.levels[0] = level("l1", 4096, 4, 128, 32, "lru");
			cfg.levels[0].write = MW_WRITE_THROUGH;
			cfg.levels[0].allocate = MW_ALLOC_NONE;
			cfg.levels[1] = level("l2", 32768, 16, 128, 32, "lru");
			cfg.levels[1].slices = 2;
		}
		h = mw_hier_create(&cfg, 0, &d);
		if (v == 2)
			mw_hier_set_fast_path(h, false);
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), MW_ERANGE);
		cr_assert(strstr(mw_hier_diag(h)->msg, "unit 5"));
		mw_hier_set_unit_fold(h, true);
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), 0);
		cr_assert_eq(stat(h, 0, MW_STAT_MISSES), 1);
		a.tensor = 3;
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), MW_ERANGE);
		a.tensor = 0;
		a.addr = UINT64_MAX - 2;
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), MW_ERANGE);
		/* a record ending just below 2^64 is fine, one byte more
		   wraps */
		a.addr = UINT64_MAX - 1;
		a.size = 1;
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), 0);
		a.size = 2;
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), MW_ERANGE);
		a.size = 4;
		a.addr = 0;
		a.size = 0;
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), MW_ERANGE);
		a.size = 4;
		a.op = MW_OP_COUNT;
		cr_assert_eq(mw_hier_access_batch(h, &a, 1), MW_ERANGE);
		mw_hier_destroy(h);
	}
}

struct sink_log {
	uint64_t n, bytes, fail_at;
};

static int sink_fn(void *ctx, mw_addr addr, uint32_t bytes, bool write)
{
	struct sink_log *s = ctx;

	(void)addr;
	(void)write;
	s->bytes += bytes;
	return ++s->n == s->fail_at ? MW_EIO : 0;
}

Test(cache_api, memory_sink_and_results)
{
	struct mw_hw_cfg cfg;
	struct mw_diag d;
	struct mw_hier *h;
	struct sink_log log = {0, 0, 0};
	struct mw_mem_sink sink = {&log, sink_fn};
	struct mw_access a[3] = {{0, 4, 0, MW_OP_READ, 1},
				 {4096, 4, 0, MW_OP_WRITE, 2},
				 {8192, 4, 0, MW_OP_READ, 1}};
	struct mw_results *r = mw_results_create();
	struct mw_trace_header hdr;
	const struct mw_result *x;

	machine(&cfg, 1);
	cfg.nlevels = 1;
	cfg.levels[0] = level("l1", 4096, 4, 64, 64, "lru");
	h = mw_hier_create(&cfg, 2, &d);
	mw_hier_set_memory_sink(h, &sink);
	cr_assert_eq(mw_hier_access_batch(h, a, 3), 0);
	cr_assert_eq(log.n, 3);
	cr_assert_eq(log.bytes, 192);
	mw_header_init(&hdr);
	mw_header_add_tensor(&hdr, "A", 0, 4096);
	mw_header_add_tensor(&hdr, "B", 4096, 4096);
	cr_assert_eq(mw_hier_results(h, &hdr, r), 0);
	x = mw_results_find(r, "l1", "misses");
	cr_assert(x && x->u == 3);
	x = mw_results_find(r, "l1:A", "misses");
	cr_assert(x && x->u == 2);
	x = mw_results_find(r, "l1", "writes.misses");
	cr_assert(x && x->u == 1);
	x = mw_results_find(r, "memory", "bytes_read");
	cr_assert(x && x->u == 192);
	x = mw_results_find(r, "memory:B", "bytes_read");
	cr_assert(x && x->u == 64);
	cr_assert_null(mw_results_find(r, "l1", "ifetches.misses"));
	log.fail_at = 4;
	a[0].addr = 1 << 20;
	cr_assert_eq(mw_hier_access_batch(h, a, 1), MW_EIO);
	mw_header_free(&hdr);
	mw_results_destroy(r);
	mw_hier_destroy(h);
}

/* Every request the memory sink saw, in order, folded into a hash. */
struct sink_trace {
	uint64_t n, hash, fail_at;
};

static int sink_trace_fn(void *ctx, mw_addr addr, uint32_t bytes, bool write)
{
	struct sink_trace *s = ctx;

	s->hash = mw_mix64(s->hash ^ addr) + ((uint64_t)bytes << 1 | write);
	return ++s->n == s->fail_at ? MW_EIO : 0;
}

/* The specialised batch loops pass the memory the same requests in the
   same order as the general path, stop at the same record when the sink
   fails, and leave the same counters then (the derived ones included). */
Test(cache_api, sink_order_in_specialised_loops)
{
	struct mw_hw_cfg cfg;
	const size_t n = 20000;
	struct mw_access *a = calloc(n, sizeof(*a));

	for (int k = 0; k < 2; k++) {
		for (int fail = 0; fail < 2; fail++) {
			struct sink_trace tr[2];
			struct mw_hier *h[2];
			int rc[2];
			struct mw_rng r;
			struct mw_diag d;

			machine(&cfg, k ? 3 : 1);
			cfg.nlevels = 2;
			if (k == 0) {
				cfg.levels[0] = level("l1", 4 * 8 * 64, 8, 64,
						      64, "lru");
				cfg.levels[1] = level("l2", 16 * 16 * 64, 16,
						      64, 64, "lru");
			} else {
				cfg.levels[0] = level("l1", 4 * 4 * 128, 4, 128,
						      32, "lru");
				cfg.levels[0].write = MW_WRITE_THROUGH;
				cfg.levels[0].allocate = MW_ALLOC_NONE;
				cfg.levels[1] = level("l2", 2 * 8 * 16 * 128,
						      16, 128, 32, "lru");
				cfg.levels[1].slices = 2;
			}
			mw_rng_seed(&r, 700 + (uint64_t)k);
			gen(&r, a, n, cfg.machine.units, 3, 64 * 1024, 80);
			for (int p = 0; p < 2; p++) {
				struct mw_mem_sink sink = {&tr[p],
							   sink_trace_fn};

				tr[p].n = tr[p].hash = 0;
				tr[p].fail_at = fail ? 5000 : 0;
				h[p] = mw_hier_create(&cfg, 3, &d);
				cr_assert_not_null(h[p], "%s", d.msg);
				mw_hier_set_fast_path(h[p], p == 0);
				mw_hier_set_memory_sink(h[p], &sink);
				rc[p] = 0;
				for (size_t i = 0; i < n && !rc[p]; i += 4096)
					rc[p] = mw_hier_access_batch(
						h[p], a + i,
						n - i < 4096 ? n - i : 4096);
			}
			cr_assert_eq(rc[0], rc[1]);
			cr_assert_eq(rc[0], fail ? MW_EIO : 0);
			cr_assert_eq(tr[0].n, tr[1].n, "case %d: %lu vs %lu", k,
				     (unsigned long)tr[0].n,
				     (unsigned long)tr[1].n);
			cr_assert_eq(tr[0].hash, tr[1].hash, "case %d", k);
			for (uint32_t l = 0; l < 2; l++)
				for (uint32_t t = 0; t <= 3; t++)
					for (uint32_t op = 0; op < MW_OP_COUNT;
					     op++) {
						struct mw_counters c0, c1;

						mw_hier_level_stats(
							h[0], l, MW_STATS_ALL,
							t, op, &c0);
						mw_hier_level_stats(
							h[1], l, MW_STATS_ALL,
							t, op, &c1);
						cr_assert(!memcmp(&c0, &c1,
								  sizeof(c0)),
							  "case %d level %u", k,
							  l);
					}
			for (uint32_t t = 0; t <= 3; t++) {
				struct mw_mem_counters m0, m1;

				mw_hier_memory_stats(h[0], t, MW_STATS_ALL,
						     &m0);
				mw_hier_memory_stats(h[1], t, MW_STATS_ALL,
						     &m1);
				cr_assert(!memcmp(&m0, &m1, sizeof(m0)));
			}
			mw_hier_destroy(h[0]);
			mw_hier_destroy(h[1]);
		}
	}
	free(a);
}

Test(cache_api, policy_table)
{
	size_t n = 0;

	for (; mw_repl_policies[n]; n++)
		cr_assert_eq(mw_repl_find(mw_repl_policies[n]->name),
			     mw_repl_policies[n]);
	cr_assert_eq(n, NPOL);
	cr_assert_null(mw_repl_find("LRU"));
	cr_assert_null(mw_repl_find(NULL));
}

Test(cache_api, allocation_failures_clean_up)
{
	struct mw_hw_cfg cfg;
	struct mw_diag d;

	machine(&cfg, 4);
	cfg.nlevels = 2;
	cfg.levels[0] = level("l1", 4096, 0, 64, 32, "lru");
	cfg.levels[1] = level("l2", 65536, 8, 64, 64, "drrip");
	for (long k = 0; k < 40; k++) {
		struct mw_hier *h;

		mw_alloc_fail_after(k);
		h = mw_hier_create(&cfg, 4, &d);
		mw_alloc_fail_after(-1);
		if (h) {
			mw_hier_destroy(h);
			break;
		}
		cr_assert_eq(d.code, MW_ENOMEM);
	}
}
