/*
 * bounds.c - closed-form traffic bounds and FLOPs per kernel.
 *
 * Notes:
 *  - No-reuse bytes are exact: the sum of the record sizes the generator
 *    emits (records carry exactly the clipped tile bytes, nothing more).
 *    GEMM: A e_a M K ceil(N/BN) + B n_b e_b K N ceil(M/BM) + C e_c M N S
 *    (per batch); flash per (b, h): 2 Nq d e + 4 Nq + 2 d e sum_m
 *    min(nkv(m) Bc, Nk); decode per CTA: Q, block-table entries, its KV
 *    range 2 (t1 - t0) d e, its output.
 *  - Wave estimate: the items of a launch are cut in waves of
 *    units x ctas-per-unit consecutive CTAs in grid order (the CTAs
 *    resident together when steps are uniform); within a wave each
 *    distinct A panel (m-tile, K slice) and B panel (n-tile, K slice) is
 *    read once; flash reads each (batch, KV head)'s KV prefix once, up to
 *    the farthest block any of the wave's CTAs visits; decode reads each
 *    (sequence, KV head, split) range, each query-head group's Q and each
 *    block-table entry once per wave.  Outputs, Q tiles and rows
 *    passes are counted as in no-reuse.  Launches whose key space
 *    exceeds 2^26 entries or whose grid exceeds 2^28 CTAs fall back to the no-reuse figure.
 *  - FLOPs: 2 per multiply-add of the GEMMs and of QK^T and PV as
 *    computed (skipped causal blocks are not computed; masked elements
 *    inside a visited block are); softmax, activation and reductions
 *    count 0.
 */
#include "model/bounds.h"

#include "common/alloc.h"
#include "model/kernel_int.h"

#include <string.h>

#define KEYS_MAX  ((uint64_t)1 << 26)
#define ITEMS_MAX ((uint64_t)1 << 28)

struct acc {
	uint64_t nr_r, nr_w, wv_r, wv_w, flops, ctas, waves;
};

static uint64_t mn(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t cdiv(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static int gemm_bounds(const struct mw_gemm_phase *g, uint64_t slots,
		       struct acc *a)
{
	uint64_t z = g->batch * g->heads, nr_r, i, items, grid;
	uint64_t ka = z * g->split * g->tm, kb = z * g->split * g->tn;
	uint64_t *sa, *sb, pos = 0;

	nr_r = z * (g->m * g->k * g->a.e * g->tn +
		    g->nb * g->k * g->n * g->b[0].e * g->tm);
	a->nr_r += nr_r;
	a->nr_w += z * g->m * g->n * g->c.e * g->split;
	a->wv_w += z * g->m * g->n * g->c.e * g->split;
	a->flops += 2 * z * g->m * g->n * g->k * g->nb;
	grid = mw_gemm_grid(g);
	items = grid * g->split * z;
	/* swizzle padding CTAs exit at once and take no slot */
	a->ctas += g->tm * g->tn * g->split * z;
	a->waves += cdiv(g->tm * g->tn * g->split * z, slots);
	if (ka > KEYS_MAX || kb > KEYS_MAX || items > ITEMS_MAX) {
		a->wv_r += nr_r;
		return 0;
	}
	sa = mw_calloc(ka, sizeof(*sa));
	sb = mw_calloc(kb, sizeof(*sb));
	if (!sa || !sb) {
		mw_free(sa);
		mw_free(sb);
		return MW_ENOMEM;
	}
	for (i = 0; i < items; i++) {
		uint64_t stamp, zs = i / grid, pm, pn, k0, k1, kcols, key;

		if (!mw_gemm_tile(g, i % grid, &pm, &pn))
			continue;
		stamp = pos++ / slots + 1;
		mw_gemm_slice(g, (uint32_t)(zs / z), &k0, &k1);
		kcols = mn(k1 * g->bk, g->k) - k0 * g->bk;
		key = zs * g->tm + pm;
		if (sa[key] != stamp) {
			sa[key] = stamp;
			a->wv_r +=
				mn(g->bm, g->m - pm * g->bm) * kcols * g->a.e;
		}
		key = zs * g->tn + pn;
		if (sb[key] != stamp) {
			sb[key] = stamp;
			a->wv_r += g->nb * mn(g->bn, g->n - pn * g->bn) *
				   kcols * g->b[0].e;
		}
	}
	mw_free(sa);
	mw_free(sb);
	return 0;
}

static void rows_bounds(const struct mw_rows_phase *r, uint64_t slots,
			struct acc *a)
{
	uint32_t i;

	for (i = 0; i < r->nin; i++) {
		uint64_t by = r->count[i] * mn(r->rows, r->in[i].rows) *
			      mn(r->cols, r->in[i].cols) * r->in[i].e;

		a->nr_r += by;
		a->wv_r += by;
	}
	for (i = 0; i < r->nout; i++) {
		uint64_t by = mn(r->rows, r->out[i].rows) *
			      mn(r->cols, r->out[i].cols) * r->out[i].e;

		a->nr_w += by;
		a->wv_w += by;
	}
	a->ctas += r->tr * r->tc;
	a->waves += cdiv(r->tr * r->tc, slots);
}

static int flash_bounds(const struct mw_flash_phase *f, uint64_t slots,
			struct acc *a)
{
	uint64_t zh = f->batch * f->heads, m, kv = 0, fl = 0, i, items;
	uint64_t e = f->q.e, row = f->d * e, keys = f->batch * f->kv_heads;
	uint64_t *stamp, *maxb, *list;
	uint64_t nlist = 0;

	for (m = 0; m < f->tr; m++) {
		uint64_t cols = mn(mw_flash_kv_blocks(f, m) * f->bc, f->nk);

		kv += 2 * cols * row;
		fl += 4 * f->d * mn(f->br, f->nq - m * f->br) * cols;
	}
	a->nr_r += zh * (f->nq * row + kv);
	a->nr_w += zh * (f->nq * row + 4 * f->nq);
	a->wv_r += zh * f->nq * row;
	a->wv_w += zh * (f->nq * row + 4 * f->nq);
	a->flops += zh * fl;
	items = f->tr * zh;
	a->ctas += items;
	a->waves += cdiv(items, slots);
	if (keys > KEYS_MAX || items > ITEMS_MAX) {
		a->wv_r += zh * kv;
		return 0;
	}
	stamp = mw_calloc(keys, sizeof(*stamp));
	maxb = mw_calloc(keys, sizeof(*maxb));
	list = mw_calloc(slots < items ? slots : items, sizeof(*list));
	if (!stamp || !maxb || !list) {
		mw_free(stamp);
		mw_free(maxb);
		mw_free(list);
		return MW_ENOMEM;
	}
	for (i = 0; i <= items; i++) {
		uint64_t mb, b, h, key, nkv, w = i / slots + 1;

		if (i == items || (i % slots == 0 && i)) {
			uint64_t j;

			for (j = 0; j < nlist; j++)
				a->wv_r += 2 * row *
					   mn(maxb[list[j]] * f->bc, f->nk);
			nlist = 0;
			if (i == items)
				break;
		}
		mw_flash_item(f, i, &mb, &b, &h);
		key = b * f->kv_heads + h / (f->heads / f->kv_heads);
		nkv = mw_flash_kv_blocks(f, mb);
		if (stamp[key] != w) {
			stamp[key] = w;
			maxb[key] = nkv;
			list[nlist++] = key;
		} else if (nkv > maxb[key]) {
			maxb[key] = nkv;
		}
	}
	mw_free(stamp);
	mw_free(maxb);
	mw_free(list);
	return 0;
}

/* Block-table bytes read by CTAs of split s. */
static uint64_t decode_bt(const struct mw_decode_phase *dc, uint64_t s)
{
	uint64_t t0, t1;

	if (!dc->page)
		return 0;
	mw_decode_split(dc, (uint32_t)s, &t0, &t1);
	return (cdiv(t1, dc->page) - t0 / dc->page) * 4;
}

static int decode_bounds(const struct mw_decode_phase *dc, uint64_t slots,
			 struct acc *a)
{
	uint64_t row = dc->d * dc->e, w = (uint64_t)dc->hpc * dc->d;
	uint64_t ctas_per_split = dc->batch * dc->kv_heads * dc->groups;
	uint64_t qb = dc->q_len * w * dc->e, ob, s, items, i;
	uint64_t keys = dc->batch * dc->kv_heads * dc->splits, *stamp;
	uint64_t entries = dc->batch * dc->pages_per_seq, *bts = NULL, *qs;

	ob = dc->splits == 1 ? dc->q_len * w * dc->e
			     : dc->q_len * w * 4 + dc->q_len * dc->hpc * 4;
	items = ctas_per_split * dc->splits;
	for (s = 0; s < dc->splits; s++) {
		uint64_t t0, t1, bt = decode_bt(dc, s);

		mw_decode_split(dc, (uint32_t)s, &t0, &t1);
		a->nr_r += ctas_per_split * (qb + bt + 2 * (t1 - t0) * row);
	}
	a->nr_w += items * ob;
	a->wv_w += items * ob;
	a->flops += 4 * dc->d * dc->q_len * dc->kv_len * dc->heads * dc->batch;
	a->ctas += items;
	a->waves += cdiv(items, slots);
	if (keys > KEYS_MAX || items > ITEMS_MAX || entries > KEYS_MAX ||
	    ctas_per_split > KEYS_MAX) {
		for (s = 0; s < dc->splits; s++) {
			uint64_t t0, t1;

			mw_decode_split(dc, (uint32_t)s, &t0, &t1);
			a->wv_r += ctas_per_split * (qb + 2 * (t1 - t0) * row +
						     decode_bt(dc, s));
		}
		return 0;
	}
	stamp = mw_calloc(keys, sizeof(*stamp));
	qs = mw_calloc(ctas_per_split, sizeof(*qs));
	if (entries)
		bts = mw_calloc(entries, sizeof(*bts));
	if (!stamp || !qs || (entries && !bts)) {
		mw_free(stamp);
		mw_free(qs);
		mw_free(bts);
		return MW_ENOMEM;
	}
	for (i = 0; i < items; i++) {
		/* item = ((b * Hkv + kvh) * groups + grp) * S + s */
		uint64_t sp = i % dc->splits, rest = i / dc->splits;
		uint64_t bk = rest / dc->groups, key = bk * dc->splits + sp;
		uint64_t b = bk / dc->kv_heads, wave = i / slots + 1, t0, t1;

		mw_decode_split(dc, (uint32_t)sp, &t0, &t1);
		if (qs[rest] != wave) { /* the splits of a CTA share its Q */
			qs[rest] = wave;
			a->wv_r += qb;
		}
		if (dc->page) {
			/* block-table entries: once per wave */
			uint64_t e = b * dc->pages_per_seq + t0 / dc->page;
			uint64_t e1 =
				b * dc->pages_per_seq + cdiv(t1, dc->page);

			for (; e < e1; e++)
				if (bts[e] != wave) {
					bts[e] = wave;
					a->wv_r += 4;
				}
		}
		if (stamp[key] == wave)
			continue;
		stamp[key] = wave;
		a->wv_r += 2 * (t1 - t0) * row;
	}
	mw_free(stamp);
	mw_free(qs);
	mw_free(bts);
	return 0;
}

int mw_kernel_bounds(const struct mw_kernel *k, const struct mw_sched_cfg *cfg,
		     struct mw_bounds *b, struct mw_diag *d)
{
	struct mw_plan pl;
	struct acc a;
	uint64_t slots;
	uint32_t i;
	int err = 0;

	memset(b, 0, sizeof(*b));
	memset(&a, 0, sizeof(a));
	if (!cfg->units)
		return mw_diag_set(d, MW_EINVAL, "", 0, "units must be >= 1");
	slots = (uint64_t)cfg->units * mw_kernel_ctas_per_unit(k, cfg);
	if (!slots)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "ctas-per-unit must be >= 1");
	err = mw_plan_build(k, &pl, d);
	if (err)
		return err;
	for (i = 1; i <= pl.hdr.ntensors; i++) {
		if (pl.role[i] == MW_ROLE_INPUT)
			b->compulsory_read += pl.need[i];
		else if (pl.role[i] == MW_ROLE_OUTPUT)
			b->compulsory_write += pl.need[i];
	}
	for (i = 0; !err && i < pl.nphases; i++) {
		const struct mw_phase *p = &pl.ph[i];

		switch (p->kind) {
		case MW_PHASE_GEMM:
			err = gemm_bounds(&p->u.g, slots, &a);
			break;
		case MW_PHASE_ROWS:
			rows_bounds(&p->u.r, slots, &a);
			break;
		case MW_PHASE_FLASH:
			err = flash_bounds(&p->u.f, slots, &a);
			break;
		case MW_PHASE_DECODE:
			err = decode_bounds(&p->u.dc, slots, &a);
			break;
		}
	}
	mw_plan_free(&pl);
	if (err)
		return mw_diag_set(d, err, "", 0, "bounds: out of memory");
	b->no_reuse_read = a.nr_r;
	b->no_reuse_write = a.nr_w;
	b->wave_read = a.wv_r;
	b->wave_write = a.wv_w;
	b->flops = a.flops;
	b->ctas = a.ctas;
	b->waves = a.waves;
	return 0;
}

int mw_bounds_results(const struct mw_bounds *b, struct mw_results *r)
{
	const char *s = "bounds";

	if (mw_results_add_u64(r, s, "compulsory_bytes",
			       b->compulsory_read + b->compulsory_write) ||
	    mw_results_add_u64(r, s, "no_reuse_bytes",
			       b->no_reuse_read + b->no_reuse_write) ||
	    mw_results_add_u64(r, s, "wave_bytes",
			       b->wave_read + b->wave_write) ||
	    mw_results_add_u64(r, s, "flops", b->flops) ||
	    mw_results_add_u64(r, s, "compulsory_read_bytes",
			       b->compulsory_read) ||
	    mw_results_add_u64(r, s, "compulsory_write_bytes",
			       b->compulsory_write) ||
	    mw_results_add_u64(r, s, "no_reuse_read_bytes", b->no_reuse_read) ||
	    mw_results_add_u64(r, s, "no_reuse_write_bytes",
			       b->no_reuse_write) ||
	    mw_results_add_u64(r, s, "wave_read_bytes", b->wave_read) ||
	    mw_results_add_u64(r, s, "wave_write_bytes", b->wave_write) ||
	    mw_results_add_u64(r, s, "ctas", b->ctas) ||
	    mw_results_add_u64(r, s, "waves", b->waves))
		return MW_ENOMEM;
	return 0;
}
