/*
 * test_kernels.c - kernel generators against their closed forms: bytes
 * touched per tensor (compulsory), bytes of all records (no reuse),
 * record and FLOP counts, rasterizations, split-K, causal skipping, paged
 * decode, parameters and validation, determinism.
 */
#include "common/alloc.h"
#include "model/bounds.h"
#include "model/kernel.h"
#include "model/kernel_int.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mw_kernel *make(const char *name, const char *const *kv)
{
	struct mw_diag d;
	struct mw_kernel *k = mw_kernel_create(name, &d);

	cr_assert_not_null(k, "%s", d.msg);
	for (; kv && kv[0]; kv += 2)
		cr_assert_eq(mw_kernel_set(k, kv[0], kv[1], &d), 0, "%s=%s: %s",
			     kv[0], kv[1], d.msg);
	return k;
}

struct gen {
	struct mw_trace_header hdr;
	struct mw_access *recs;
	long n;
	struct mw_bounds b;
};

static void gen_run(struct mw_kernel *k, uint32_t units, uint32_t cpu,
		    struct gen *g)
{
	struct mw_sched_cfg cfg = {units, cpu};
	struct mw_diag d;
	struct mw_stream *s = mw_kernel_stream(k, &cfg, &d);

	cr_assert_not_null(s, "%s", d.msg);
	mw_header_init(&g->hdr);
	cr_assert_eq(mw_header_copy(&g->hdr, mw_stream_header(s)), 0);
	g->n = th_drain(s, &g->recs);
	cr_assert_geq(g->n, 0);
	mw_stream_destroy(s);
	cr_assert_eq(mw_kernel_bounds(k, &cfg, &g->b, &d), 0, "%s", d.msg);
}

static void gen_free(struct gen *g)
{
	mw_header_free(&g->hdr);
	free(g->recs);
}

/*
 * The generic checks every kernel must pass: records inside their
 * tensor, never across a 128-byte line, units in range; distinct bytes
 * of read-only tensors sum to the compulsory reads and of write-only
 * tensors to the compulsory writes; all record bytes equal no-reuse;
 * compulsory <= wave <= no-reuse.
 */
static void check_generic(const struct gen *g, uint32_t units)
{
	uint64_t rd = 0, wr = 0, cread = 0, cwrite = 0;
	unsigned t;
	long i;

	for (i = 0; i < g->n; i++) {
		const struct mw_access *a = &g->recs[i];
		const struct mw_tensor *tt;

		cr_assert(a->tensor >= 1 && a->tensor <= g->hdr.ntensors);
		tt = &g->hdr.tensors[a->tensor];
		cr_assert(a->size >= 1 && a->size <= 128);
		cr_assert(a->addr >= tt->base &&
				  a->addr + a->size <= tt->base + tt->bytes,
			  "record %ld outside %s", i, tt->name);
		cr_assert_eq(a->addr / 128, (a->addr + a->size - 1) / 128);
		cr_assert_lt(a->unit, units);
		if (a->op == MW_OP_READ)
			rd += a->size;
		else
			wr += a->size;
	}
	cr_assert_eq(rd, g->b.no_reuse_read);
	cr_assert_eq(wr, g->b.no_reuse_write);
	for (t = 1; t <= g->hdr.ntensors; t++) {
		const struct mw_tensor *tt = &g->hdr.tensors[t];
		unsigned char *seen = calloc(tt->bytes, 1);
		bool r = false, w = false;
		uint64_t distinct = 0, j;

		cr_assert_not_null(seen);
		for (i = 0; i < g->n; i++) {
			const struct mw_access *a = &g->recs[i];

			if (a->tensor != t)
				continue;
			memset(seen + (a->addr - tt->base), 1, a->size);
			r |= a->op == MW_OP_READ;
			w |= a->op == MW_OP_WRITE;
		}
		for (j = 0; j < tt->bytes; j++)
			distinct += seen[j];
		free(seen);
		cr_assert(r || w, "tensor %s never touched", tt->name);
		if (r && !w)
			cread += distinct;
		else if (w && !r)
			cwrite += distinct;
		else
			cr_assert_eq(distinct, tt->bytes, "%s partly touched",
				     tt->name);
	}
	cr_assert_eq(cread, g->b.compulsory_read);
	cr_assert_eq(cwrite, g->b.compulsory_write);
	cr_assert_leq(g->b.compulsory_read, g->b.wave_read);
	cr_assert_leq(g->b.wave_read, g->b.no_reuse_read);
	cr_assert_leq(g->b.compulsory_write, g->b.wave_write);
	cr_assert_leq(g->b.wave_write, g->b.no_reuse_write);
}

static uint64_t tensor_bytes(const struct gen *g, const char *name, int op)
{
	unsigned t = mw_header_find_tensor(&g->hdr, name);
	uint64_t s = 0;
	long i;

	cr_assert_neq(t, 0, "no tensor %s", name);
	for (i = 0; i < g->n; i++)
		if (g->recs[i].tensor == t && g->recs[i].op == op)
			s += g->recs[i].size;
	return s;
}

Test(kernels, gemm_shapes_layouts_orders)
{
	static const char *const orders[] = {"row", "col", "grouped:3",
					     "swizzle:4", "swizzle:8"};
	static const char *const shapes[][4] = {
		{"256", "256", "256", "128x128x64"}, /* aligned */
		{"200", "300", "130", "64x128x32"},  /* edge tiles */
		{"77", "33", "1000", "32x16x48"}};
	unsigned o, s, l;

	for (s = 0; s < 3; s++)
		for (o = 0; o < 5; o++)
			for (l = 0; l < 4; l++) {
				const char *kv[] = {
					"m",	    shapes[s][0],
					"n",	    shapes[s][1],
					"k",	    shapes[s][2],
					"tile",	    shapes[s][3],
					"order",    orders[o],
					"layout-a", l & 1 ? "col" : "row",
					"layout-b", l & 2 ? "col" : "row",
					"dtype",    s == 2 ? "fp8" : "bf16",
					NULL};
				struct mw_kernel *k = make("gemm", kv);
				struct gen g;
				uint64_t m = strtoull(shapes[s][0], 0, 10);
				uint64_t n = strtoull(shapes[s][1], 0, 10);
				uint64_t kk = strtoull(shapes[s][2], 0, 10);

				gen_run(k, 7, 2, &g);
				check_generic(&g, 7);
				cr_assert_eq(g.b.flops, 2 * m * n * kk);
				gen_free(&g);
				mw_kernel_destroy(k);
			}
}

Test(kernels, gemm_record_count_aligned)
{
	/* bf16, BK*e = 128 B: one record per A tile row; B rows of
	   BN*e = 256 B: two; C rows: two.  4 CTAs x 4 k-steps. */
	const char *kv[] = {"m", "256", "n", "256", "k", "256", NULL};
	struct mw_kernel *k = make("gemm", kv);
	struct gen g;

	gen_run(k, 132, 1, &g);
	cr_assert_eq(g.n, 4 * 4 * (128 + 64 * 2) + 4 * 128 * 2);
	cr_assert_eq(g.b.ctas, 4);
	cr_assert_eq(g.b.waves, 1);
	gen_free(&g);
	mw_kernel_destroy(k);
}

Test(kernels, gemm_worked_example_8192)
{
	/* kernels.md section 1: T_ideal 402,653,184 B; T_nocache 129 x
	   134,217,728 B. */
	const char *kv[] = {"m",    "8192",	  "n",	  "8192",  "k",
			    "8192", "dtype",	  "fp16", "order", "row",
			    "tile", "128x128x64", NULL};
	struct mw_kernel *k = make("gemm", kv);
	struct mw_sched_cfg cfg = {132, 1};
	struct mw_bounds b;
	struct mw_diag d;

	cr_assert_eq(mw_kernel_bounds(k, &cfg, &b, &d), 0);
	cr_assert_eq(b.compulsory_read + b.compulsory_write, 402653184ull);
	cr_assert_eq(b.no_reuse_read + b.no_reuse_write, 129ull * 134217728);
	cr_assert_eq(b.flops, 2ull * 8192 * 8192 * 8192);
	cr_assert_eq(b.waves, 32); /* 4096 CTAs / 132 slots */
	{
		/* row order: a wave of 132 CTAs spans all 64 n-tiles and
		   the m-tiles its CTA ids fall in; panels are 2 MiB */
		uint64_t w, want = 0, panel = 128ull * 8192 * 2;

		for (w = 0; w < 32; w++) {
			uint64_t c0 = w * 132,
				 c1 = c0 + 132 > 4096 ? 4096 : c0 + 132;
			uint64_t pms = (c1 - 1) / 64 - c0 / 64 + 1;
			uint64_t pns = c1 - c0 < 64 ? c1 - c0 : 64;

			want += (pms + pns) * panel;
		}
		cr_assert_eq(b.wave_read, want);
	}
	cr_assert_eq(mw_kernel_set(k, "order", "grouped:8", &d), 0);
	{
		struct mw_bounds g;

		cr_assert_eq(mw_kernel_bounds(k, &cfg, &g, &d), 0);
		cr_assert_lt(g.wave_read, b.wave_read / 2);
	}
	mw_kernel_destroy(k);
}

Test(kernels, triton_grouped_example_90_vs_54)
{
	/* 9 x 9 tiles, one k-tile, waves of 9 CTAs: row-major loads 9 A + 81
	   B panels per 9 waves / 9 = 90 tile loads; grouped 3: 54. */
	const char *row[] = {"m",    "1152",	   "n",	    "1152", "k", "64",
			     "tile", "128x128x64", "order", "row",  NULL};
	const char *grp[] = {"m",     "1152",	   "n",	   "1152",
			     "k",     "64",	   "tile", "128x128x64",
			     "order", "grouped:3", NULL};
	uint64_t tile = 128 * 64 * 2;
	struct mw_kernel *k1 = make("gemm", row), *k2 = make("gemm", grp);
	struct mw_sched_cfg cfg = {9, 1};
	struct mw_bounds b1, b2;
	struct mw_diag d;

	cr_assert_eq(mw_kernel_bounds(k1, &cfg, &b1, &d), 0);
	cr_assert_eq(mw_kernel_bounds(k2, &cfg, &b2, &d), 0);
	cr_assert_eq(b1.wave_read, 90 * tile);
	cr_assert_eq(b2.wave_read, 54 * tile);
	cr_assert_eq(b1.no_reuse_read, 162 * tile);
	mw_kernel_destroy(k1);
	mw_kernel_destroy(k2);
}

Test(kernels, rasterizations_are_permutations)
{
	struct mw_rng rng;
	int trial;

	mw_rng_seed(&rng, 42);
	for (trial = 0; trial < 300; trial++) {
		struct mw_phase p;
		struct mw_gemm_phase *g = &p.u.g;
		uint64_t t, grid, valid = 0;
		unsigned char *seen;

		memset(&p, 0, sizeof(p));
		p.kind = MW_PHASE_GEMM;
		g->m = 1 + mw_rng_below(&rng, 40);
		g->n = 1 + mw_rng_below(&rng, 40);
		g->k = 1;
		g->bm = g->bn = g->bk = 1;
		g->split = g->batch = g->heads = 1;
		g->order.kind = (enum mw_order_kind)(trial % 4);
		g->order.param = (uint32_t)(1 + mw_rng_below(&rng, 9));
		cr_assert_eq(mw_phase_prepare(&p), 0);
		grid = mw_gemm_grid(g);
		seen = calloc(g->tm * g->tn, 1);
		for (t = 0; t < grid; t++) {
			uint64_t pm, pn;

			if (!mw_gemm_tile(g, t, &pm, &pn))
				continue;
			cr_assert_lt(pm, g->tm);
			cr_assert_lt(pn, g->tn);
			cr_assert_eq(seen[pm * g->tn + pn], 0,
				     "order %d visits a tile twice", trial % 4);
			seen[pm * g->tn + pn] = 1;
			valid++;
		}
		cr_assert_eq(valid, g->tm * g->tn);
		free(seen);
	}
}

Test(kernels, cutlass_swizzle_walks_n_tiles_per_m_tile)
{
	struct mw_phase p;
	struct mw_gemm_phase *g = &p.u.g;
	uint64_t t, pm, pn;

	memset(&p, 0, sizeof(p));
	p.kind = MW_PHASE_GEMM;
	g->m = g->n = 16;
	g->k = g->bm = g->bn = g->bk = 1;
	g->split = g->batch = g->heads = 1;
	g->order.kind = MW_ORDER_SWIZZLE;
	g->order.param = 8;
	cr_assert_eq(mw_phase_prepare(&p), 0);
	cr_assert_eq(g->log_tile, 3);
	for (t = 0; t < 16; t++) {
		cr_assert(mw_gemm_tile(g, t, &pm, &pn));
		cr_assert_eq(pm, t / 8);
		cr_assert_eq(pn, t % 8);
	}
}

Test(kernels, split_k_partials_and_reduction)
{
	const char *kv[] = {"m",     "256",  "n",	 "192",	    "k",
			    "1024",  "tile", "64x64x64", "split-k", "5",
			    "order", "row",  NULL};
	struct mw_kernel *k = make("gemm", kv);
	struct gen g;

	gen_run(k, 16, 1, &g);
	check_generic(&g, 16);
	cr_assert_eq(tensor_bytes(&g, "C_partial", MW_OP_WRITE),
		     5ull * 256 * 192 * 4);
	cr_assert_eq(tensor_bytes(&g, "C_partial", MW_OP_READ),
		     5ull * 256 * 192 * 4);
	cr_assert_eq(tensor_bytes(&g, "C", MW_OP_WRITE), 256ull * 192 * 2);
	cr_assert_eq(tensor_bytes(&g, "A", MW_OP_READ), 256ull * 1024 * 2 * 3);
	/* every partial is written before the reduction reads any */
	{
		unsigned cp = mw_header_find_tensor(&g.hdr, "C_partial");
		long i, last_w = -1, first_r = -1;

		for (i = 0; i < g.n; i++) {
			if (g.recs[i].tensor != cp)
				continue;
			if (g.recs[i].op == MW_OP_WRITE)
				last_w = i;
			else if (first_r < 0)
				first_r = i;
		}
		cr_assert_lt(last_w, first_r);
	}
	gen_free(&g);
	mw_kernel_destroy(k);
}

Test(kernels, persistent_gemm_same_bytes)
{
	const char *kv[] = {"m",   "512",	 "n",	"512", "k",
			    "128", "persistent", "yes", NULL};
	struct mw_kernel *k = make("gemm", kv);
	struct gen g;

	gen_run(k, 3, 1, &g);
	check_generic(&g, 3);
	gen_free(&g);
	mw_kernel_destroy(k);
}

Test(kernels, mlp_variants)
{
	static const char *const fused[] = {"yes", "no"};
	static const char *const gu[] = {"one", "two"};
	unsigned f, u;

	for (f = 0; f < 2; f++)
		for (u = 0; u < 2; u++) {
			const char *kv[] = {"tokens", "100",	      "hidden",
					    "192",    "intermediate", "320",
					    "tile",   "64x64x32",     "fused",
					    fused[f], "gate-up",      gu[u],
					    NULL};
			struct mw_kernel *k = make("mlp", kv);
			struct gen g;

			gen_run(k, 5, 2, &g);
			check_generic(&g, 5);
			cr_assert_eq(g.b.flops, 6ull * 100 * 192 * 320);
			/* unfused: the intermediate is written and read */
			if (f == 1)
				cr_assert_eq(tensor_bytes(&g, "act",
							  MW_OP_WRITE),
					     100ull * 320 * 2);
			else
				cr_assert_eq(mw_header_find_tensor(&g.hdr, "gat"
									   "e_"
									   "u"
									   "p"),
					     0);
			gen_free(&g);
			mw_kernel_destroy(k);
		}
}

/* Reference: KV blocks a causal q block visits, from the mask itself. */
static uint64_t ref_kv_blocks(uint64_t m, uint64_t br, uint64_t bc, uint64_t nq,
			      uint64_t nk)
{
	uint64_t last_row = (m + 1) * br < nq ? (m + 1) * br - 1 : nq - 1;
	int64_t last_col = (int64_t)last_row + (int64_t)nk - (int64_t)nq;

	if (last_col < 0)
		return 0;
	if ((uint64_t)last_col >= nk)
		last_col = (int64_t)nk - 1;
	return (uint64_t)last_col / bc + 1;
}

Test(kernels, causal_skipping_closed_form)
{
	struct mw_flash_phase f;
	struct mw_rng rng;
	int trial;

	memset(&f, 0, sizeof(f));
	f.causal = true;
	f.br = f.bc = 128;
	f.nq = f.nk = 8192;
	f.tr = f.tcn = 64;
	{
		uint64_t m, tot = 0;

		for (m = 0; m < f.tr; m++)
			tot += mw_flash_kv_blocks(&f, m);
		cr_assert_eq(tot, 64 * 65 / 2); /* 2080, kernels.md */
	}
	mw_rng_seed(&rng, 7);
	for (trial = 0; trial < 2000; trial++) {
		uint64_t m;

		f.br = (uint32_t)(1 + mw_rng_below(&rng, 200));
		f.bc = (uint32_t)(1 + mw_rng_below(&rng, 200));
		f.nq = 1 + mw_rng_below(&rng, 3000);
		f.nk = 1 + mw_rng_below(&rng, 3000);
		f.tr = (f.nq + f.br - 1) / f.br;
		f.tcn = (f.nk + f.bc - 1) / f.bc;
		for (m = 0; m < f.tr; m++)
			cr_assert_eq(mw_flash_kv_blocks(&f, m),
				     ref_kv_blocks(m, f.br, f.bc, f.nq, f.nk));
	}
}

Test(kernels, flash_attention_traffic)
{
	static const char *const kvh[] = {"4", "2", "1"}; /* MHA GQA MQA */
	unsigned i, c;

	for (i = 0; i < 3; i++)
		for (c = 0; c < 2; c++) {
			const char *kv[] = {"batch",	  "2",
					    "heads",	  "4",
					    "kv-heads",	  kvh[i],
					    "seq",	  "300",
					    "head-dim",	  "64",
					    "block-q",	  "64",
					    "block-kv",	  "32",
					    "causal",	  c ? "yes" : "no",
					    "grid-order", "head,qblock,batch",
					    NULL};
			struct mw_kernel *k = make("attention", kv);
			struct gen g;
			uint64_t blocks = 0, m, full = 10; /* ceil(300/32) */

			gen_run(k, 6, 2, &g);
			check_generic(&g, 6);
			for (m = 0; m < 5; m++) {
				uint64_t nb =
					c ? ref_kv_blocks(m, 64, 32, 300, 300)
					  : full;
				uint64_t cols = nb * 32 < 300 ? nb * 32 : 300;

				blocks += cols;
			}
			/* per (b, h): K bytes = visited rows x d x e */
			cr_assert_eq(tensor_bytes(&g, "K", MW_OP_READ),
				     2 * 4 * blocks * 64 * 2);
			gen_free(&g);
			mw_kernel_destroy(k);
		}
}

Test(kernels, naive_attention_traffic)
{
	const char *kv[] = {"batch",   "1",	"heads", "2",	     "kv-heads",
			    "1",       "seq",	"100",	 "head-dim", "32",
			    "variant", "naive", "tile",	 "64x64x32", NULL};
	struct mw_kernel *k = make("attention", kv);
	struct gen g;

	gen_run(k, 4, 1, &g);
	check_generic(&g, 4);
	cr_assert_eq(tensor_bytes(&g, "S", MW_OP_WRITE), 2ull * 100 * 100 * 4);
	cr_assert_eq(tensor_bytes(&g, "S", MW_OP_READ), 2ull * 100 * 100 * 4);
	cr_assert_eq(tensor_bytes(&g, "P", MW_OP_WRITE), 2ull * 100 * 100 * 2);
	cr_assert_eq(g.b.flops, 2ull * 2 * (2 * 100 * 100 * 32));
	gen_free(&g);
	mw_kernel_destroy(k);
}

Test(kernels, decode_paged_touches_table_pages)
{
	const char *kv[] = {"batch",	 "3",  "heads",	   "8",
			    "kv-heads",	 "2",  "kv-len",   "1000",
			    "page-size", "16", "block-kv", "64",
			    "splits",	 "3",  "seed",	   "9",
			    "head-dim",	 "64", NULL};
	struct mw_kernel *k = make("decode", kv);
	struct mw_plan pl;
	struct mw_diag d;
	struct gen g;
	uint64_t pages = 3 * 63, i, pbytes = 16 * 2 * 64 * 2;
	unsigned char *want = calloc(pages, 1), *got = calloc(pages, 1);
	unsigned kc;

	cr_assert_eq(mw_plan_build(k, &pl, &d), 0, "%s", d.msg);
	cr_assert_not_null(pl.table);
	for (i = 0; i < pages; i++) {
		cr_assert_lt(pl.table[i], pages);
		cr_assert_eq(want[pl.table[i]], 0); /* a permutation */
		want[pl.table[i]] = 1;
	}
	cr_assert_neq(pl.table[0] + pl.table[1] * 1000, 1000,
		      "table looks sequential");
	mw_plan_free(&pl);
	gen_run(k, 5, 1, &g);
	check_generic(&g, 5);
	kc = mw_header_find_tensor(&g.hdr, "K_cache");
	for (i = 0; i < (uint64_t)g.n; i++)
		if (g.recs[i].tensor == kc)
			got[(g.recs[i].addr - g.hdr.tensors[kc].base) / pbytes] =
				1;
	cr_assert_eq(memcmp(want, got, pages), 0);
	cr_assert_eq(tensor_bytes(&g, "K_cache", MW_OP_READ),
		     3ull * 1000 * 2 * 64 * 2);
	cr_assert_eq(tensor_bytes(&g, "O_accum", MW_OP_WRITE),
		     3ull * 3 * 8 * 64 * 4);
	cr_assert_eq(g.b.flops, 4ull * 64 * 1000 * 8 * 3);
	free(want);
	free(got);
	gen_free(&g);
	mw_kernel_destroy(k);
}

Test(kernels, decode_contiguous_and_packing)
{
	const char *kv[] = {
		"batch",	 "2",	"heads",    "8",  "kv-heads",  "2",
		"kv-len",	 "300", "q-len",    "3",  "page-size", "0",
		"heads-per-cta", "2",	"block-kv", "32", NULL};
	struct mw_kernel *k = make("decode", kv);
	struct gen g;

	gen_run(k, 4, 2, &g);
	check_generic(&g, 4);
	/* 2 CTAs per KV head (4 heads / 2 per CTA): KV read twice */
	cr_assert_eq(tensor_bytes(&g, "K_cache", MW_OP_READ),
		     2 * 2ull * 300 * 2 * 128 * 2);
	cr_assert_eq(g.b.ctas, 2 * 2 * 2);
	gen_free(&g);
	mw_kernel_destroy(k);
}

Test(kernels, layer_small)
{
	const char *kv[] = {"tokens", "64", "tile", "64x64x64", NULL};
	struct mw_kernel *k = make("layer", kv);
	struct mw_sched_cfg cfg = {132, 1};
	struct mw_bounds b;
	struct mw_diag d;
	struct mw_stream *s;
	struct mw_access buf[4096];
	uint64_t rd = 0;
	long n;

	cr_assert_eq(mw_kernel_bounds(k, &cfg, &b, &d), 0, "%s", d.msg);
	s = mw_kernel_stream(k, &cfg, &d);
	cr_assert_not_null(s);
	while ((n = mw_stream_read(s, buf, 4096)) > 0) {
		long i;

		for (i = 0; i < n; i++)
			if (buf[i].op == MW_OP_READ)
				rd += buf[i].size;
	}
	cr_assert_eq(n, 0);
	cr_assert_eq(rd, b.no_reuse_read);
	/* weights: qkv 4096 x 6144, o 4096 x 4096, mlp 3 x 4096 x 14336 */
	cr_assert_geq(b.compulsory_read,
		      2ull * (4096 * 6144 + 4096 * 4096 + 3ull * 4096 * 14336));
	mw_stream_destroy(s);
	mw_kernel_destroy(k);
}

Test(kernels, parameters_and_validation)
{
	struct mw_diag d;
	struct mw_kernel *k = mw_kernel_create("gemm", &d);

	cr_assert_null(mw_kernel_create("conv", &d));
	cr_assert_not_null(k);
	cr_assert_str_eq(mw_kernel_get(k, "tile"), "128x128x64");
	cr_assert_eq(mw_kernel_set(k, "bogus", "1", &d), MW_ECONFIG);
	cr_assert(strstr(d.msg, "bogus") && strstr(d.msg, "split-k"));
	cr_assert_eq(mw_kernel_set(k, "tile", "128x128", &d), MW_EPARSE);
	cr_assert(strstr(d.msg, "tile"));
	cr_assert_eq(mw_kernel_set(k, "order", "grouped:0", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "dtype", "int4", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "m", "-1", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "m", "0", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "m must"), "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "m", "64", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "k", "256", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "split-k", "5", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "split-k"), "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "split-k", "4", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), 0);
	/* a tile larger than the matrix is a valid (edge) tile */
	cr_assert_eq(mw_kernel_set(k, "tile", "1024x1024x64", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), 0);
	cr_assert_eq(mw_kernel_set(k, "m", "1099511627776", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "n", "1099511627776", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "2^48"), "%s", d.msg);
	cr_assert_null(mw_kernel_stream(k, &(struct mw_sched_cfg){1, 1}, &d));
	mw_kernel_destroy(k);

	k = mw_kernel_create("attention", &d);
	cr_assert_eq(mw_kernel_set(k, "kv-heads", "3", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "kv-heads"));
	cr_assert_eq(mw_kernel_set(k, "grid-order", "head,head,batch", &d),
		     MW_EPARSE);
	mw_kernel_destroy(k);
	k = mw_kernel_create("decode", &d);
	cr_assert_eq(mw_kernel_set(k, "heads-per-cta", "3", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "heads-per-cta"));
	mw_kernel_destroy(k);
	k = mw_kernel_create("layer", &d);
	cr_assert_eq(mw_kernel_set(k, "model", "gpt-5", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "model", "llama-3-70b", &d), 0);
	cr_assert_eq(mw_kernel_dtype(k), MW_DTYPE_BF16);
	mw_kernel_destroy(k);
}

Test(kernels, every_table_default_is_valid)
{
	unsigned i, j;

	for (i = 0; mw_kernels[i]; i++) {
		struct mw_diag d;
		struct mw_kernel *k = mw_kernel_create(mw_kernels[i]->name, &d);

		cr_assert_eq(mw_kernel_validate(k, &d), 0, "%s", d.msg);
		for (j = 0; mw_kernels[i]->params[j].key; j++)
			cr_assert_eq(
				mw_kernel_set(k, mw_kernels[i]->params[j].key,
					      mw_kernels[i]->params[j].def, &d),
				0);
		mw_kernel_destroy(k);
	}
}

Test(kernels, deterministic_traces)
{
	const char *kv[] = {"batch", "2", "kv-len",    "500", "splits", "2",
			    "seed",  "3", "page-size", "16",  NULL};
	struct mw_kernel *k = make("decode", kv);
	struct mw_sched_cfg cfg = {8, 2};
	struct mw_diag d;
	char *p[2];
	int i;

	for (i = 0; i < 2; i++) {
		struct mw_stream *s = mw_kernel_stream(k, &cfg, &d);
		struct mw_access *recs;
		long n = th_drain(s, &recs);

		p[i] = th_temp_path(".mwt");
		cr_assert_eq(th_write_all(p[i], NULL, mw_stream_header(s), recs,
					  (size_t)n, &d),
			     0);
		free(recs);
		mw_stream_destroy(s);
	}
	{
		size_t l1, l2;
		char *a = th_slurp(p[0], &l1), *b = th_slurp(p[1], &l2);

		cr_assert_eq(l1, l2);
		cr_assert_eq(memcmp(a, b, l1), 0);
		free(a);
		free(b);
	}
	th_remove(p[0]);
	th_remove(p[1]);
	mw_kernel_destroy(k);
}

Test(kernels, allocation_failures_are_clean)
{
	const char *kv[] = {"m",   "300",     "n", "200", "k",
			    "128", "split-k", "2", NULL};
	struct mw_kernel *k = make("gemm", kv);
	struct mw_sched_cfg cfg = {4, 1};
	long nth;

	for (nth = 0; nth < 40; nth++) {
		struct mw_diag d;
		struct mw_stream *s;
		struct mw_bounds b;

		mw_alloc_fail_after(nth);
		s = mw_kernel_stream(k, &cfg, &d);
		(void)mw_kernel_bounds(k, &cfg, &b, &d);
		mw_alloc_fail_after(-1);
		mw_stream_destroy(s);
	}
	mw_kernel_destroy(k);
}

/* ---- element-by-element reference for single steps -------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Bytes of the records, sorted (each record expanded byte by byte). */
static size_t record_bytes(const struct mw_access *r, size_t n, uint64_t *out)
{
	size_t i, m = 0;
	uint32_t j;

	for (i = 0; i < n; i++)
		for (j = 0; j < r[i].size; j++)
			out[m++] = (uint64_t)r[i].tensor << 56 |
				   (r[i].addr + j);
	qsort(out, m, sizeof(*out), cmp_u64);
	return m;
}

/* Reference bytes of tile rows [r0, r0+nr) x cols [c0, c0+nc) of m. */
static size_t ref_tile(const struct mw_mat *m, uint64_t off, uint64_t r0,
		       uint64_t nr, uint64_t c0, uint64_t nc, uint64_t *out)
{
	uint64_t r, c, n = 0;
	uint32_t b;

	for (r = r0; r < r0 + nr && r < m->rows; r++)
		for (c = c0; c < c0 + nc && c < m->cols; c++) {
			uint64_t el = m->colmajor ? c * m->ld + r
						  : r * m->ld + c;

			for (b = 0; b < m->e; b++)
				out[n++] = (uint64_t)m->tensor << 56 |
					   (m->base + off + el * m->e + b);
		}
	return (size_t)n;
}

Test(kernels, gemm_steps_match_elementwise_reference)
{
	struct mw_rng rng;
	int trial;
	uint64_t *got = malloc(sizeof(uint64_t) << 20);
	uint64_t *want = malloc(sizeof(uint64_t) << 20);
	struct mw_access *recs = malloc(sizeof(*recs) << 16);

	mw_rng_seed(&rng, 5);
	for (trial = 0; trial < 40; trial++) {
		char m[16], n[16], kk[16], tile[48], split[8];
		const char *orders[] = {"row", "col", "grouped:2", "swizzle:2"};
		const char *kv[] = {"m",	m,
				    "n",	n,
				    "k",	kk,
				    "tile",	tile,
				    "split-k",	split,
				    "order",	orders[trial % 4],
				    "layout-a", trial & 4 ? "col" : "row",
				    "layout-b", trial & 8 ? "col" : "row",
				    "dtype",	trial & 16 ? "fp32" : "fp8",
				    NULL};
		struct mw_kernel *k;
		struct mw_plan pl;
		struct mw_diag d;
		struct mw_sched_work w;
		const struct mw_gemm_phase *g;
		uint64_t it;

		snprintf(m, sizeof(m), "%u",
			 1 + (unsigned)mw_rng_below(&rng, 90));
		snprintf(n, sizeof(n), "%u",
			 1 + (unsigned)mw_rng_below(&rng, 90));
		snprintf(kk, sizeof(kk), "%u",
			 48 + (unsigned)mw_rng_below(&rng, 90));
		snprintf(tile, sizeof(tile), "%ux%ux%u",
			 1 + (unsigned)mw_rng_below(&rng, 40),
			 1 + (unsigned)mw_rng_below(&rng, 40),
			 4 + (unsigned)mw_rng_below(&rng, 20));
		snprintf(split, sizeof(split), "%u",
			 1 + (unsigned)mw_rng_below(&rng, 2));
		k = make("gemm", kv);
		cr_assert_eq(mw_plan_build(k, &pl, &d), 0, "%s", d.msg);
		g = &pl.ph[0].u.g;
		mw_phase_work(&pl.ph[0], &w);
		for (it = 0; it < w.items; it++) {
			uint32_t st, ns = w.steps(w.ctx, it);
			uint64_t pm, pn, grid = mw_gemm_grid(g), k0, k1;
			uint32_t s = (uint32_t)(it / grid);

			if (!mw_gemm_tile(g, it % grid, &pm, &pn)) {
				cr_assert_eq(ns, 0);
				continue;
			}
			mw_gemm_slice(g, s, &k0, &k1);
			cr_assert_eq(ns, k1 - k0 + 1);
			for (st = 0; st < ns; st++) {
				size_t nr = w.emit(w.ctx, it, st, recs), ng, nw;

				cr_assert_leq(nr, w.max_step_records);
				ng = record_bytes(recs, nr, got);
				if (st + 1 < ns) {
					uint64_t kc = (k0 + st) * g->bk;

					nw = ref_tile(&g->a, 0, pm * g->bm,
						      g->bm, kc, g->bk, want);
					nw += ref_tile(&g->b[0], 0, kc, g->bk,
						       pn * g->bn, g->bn,
						       want + nw);
				} else {
					nw = ref_tile(&g->c, s * g->slice_bytes,
						      pm * g->bm, g->bm,
						      pn * g->bn, g->bn, want);
				}
				qsort(want, nw, sizeof(*want), cmp_u64);
				cr_assert_eq(ng, nw,
					     "trial %d item %llu step "
					     "%u",
					     trial, (unsigned long long)it, st);
				cr_assert_eq(memcmp(got, want, ng * 8), 0);
			}
		}
		mw_plan_free(&pl);
		mw_kernel_destroy(k);
	}
	free(got);
	free(want);
	free(recs);
}

Test(kernels, decode_steps_match_reference)
{
	const char *kv[] = {"batch",  "2",  "heads",	 "4",  "kv-heads", "2",
			    "kv-len", "45", "page-size", "4",  "block-kv", "8",
			    "splits", "3",  "head-dim",	 "16", "q-len",	   "2",
			    NULL};
	struct mw_kernel *k = make("decode", kv);
	uint64_t *got = malloc(sizeof(uint64_t) << 18);
	uint64_t *want = malloc(sizeof(uint64_t) << 18);
	struct mw_access *recs = malloc(sizeof(*recs) << 14);
	struct mw_plan pl;
	struct mw_diag d;
	struct mw_sched_work w;
	const struct mw_decode_phase *dc;
	uint64_t it;

	cr_assert_eq(mw_plan_build(k, &pl, &d), 0);
	dc = &pl.ph[0].u.dc;
	mw_phase_work(&pl.ph[0], &w);
	cr_assert_eq(w.items, 2 * 2 * 1 * 3);
	for (it = 0; it < w.items; it++) {
		uint32_t s = (uint32_t)(it % 3), st, ns;
		uint64_t kvh = it / 3 % 2, b = it / 6, t0, t1, t;

		mw_decode_split(dc, s, &t0, &t1);
		ns = w.steps(w.ctx, it);
		cr_assert_eq(ns, (t1 - t0 + 7) / 8 + 2);
		for (st = 1; st + 1 < ns; st++) {
			size_t nr = w.emit(w.ctx, it, st, recs), ng, nw = 0;
			uint32_t i;

			ng = record_bytes(recs, nr, got);
			for (t = t0 + (st - 1) * 8; t < t1 && t < t0 + st * 8;
			     t++) {
				uint64_t page = dc->table[b * 12 + t / 4];
				uint64_t slot = page * 4 + t % 4;
				uint64_t off = ((slot * 2 + kvh) * 16) * 2;

				for (i = 0; i < 32; i++) {
					want[nw++] = (uint64_t)dc->k_t << 56 |
						     (dc->k_base + off + i);
					want[nw++] = (uint64_t)dc->v_t << 56 |
						     (dc->v_base + off + i);
				}
			}
			qsort(want, nw, sizeof(*want), cmp_u64);
			cr_assert_eq(ng, nw);
			cr_assert_eq(memcmp(got, want, ng * 8), 0);
		}
	}
	mw_plan_free(&pl);
	mw_kernel_destroy(k);
	free(got);
	free(want);
	free(recs);
}

/* Bytes of rows [r0, r1) of a [B, N, heads, d] tensor, head hh, batch b. */
static size_t ref_bnhd(uint8_t t, uint64_t base, uint64_t b, uint64_t n,
		       uint64_t heads, uint64_t hh, uint64_t d, uint64_t r0,
		       uint64_t r1, uint32_t e, uint64_t *out)
{
	uint64_t r, c, k = 0;
	uint32_t i;

	for (r = r0; r < r1 && r < n; r++)
		for (c = 0; c < d; c++)
			for (i = 0; i < e; i++)
				out[k++] = (uint64_t)t << 56 |
					   (base +
					    (((b * n + r) * heads + hh) * d +
					     c) * e +
					    i);
	return (size_t)k;
}

Test(kernels, flash_steps_match_reference)
{
	/* B 2, H 6, Hkv 2, Nq 70, Nk 90, d 8, Br 16, Bc 24, causal, grid
	   order batch fastest, then head, then q block. */
	const char *kv[] = {"batch",   "2",	     "heads",
			    "6",       "kv-heads",   "2",
			    "seq",     "70",	     "kv-seq",
			    "90",      "head-dim",   "8",
			    "block-q", "16",	     "block-kv",
			    "24",      "grid-order", "batch,head,qblock",
			    "dtype",   "fp32",	     NULL};
	struct mw_kernel *k = make("attention", kv);
	uint64_t *got = malloc(sizeof(uint64_t) << 16);
	uint64_t *want = malloc(sizeof(uint64_t) << 16);
	struct mw_access *recs = malloc(sizeof(*recs) << 12);
	struct mw_plan pl;
	struct mw_diag d;
	struct mw_sched_work w;
	const struct mw_trace_header *h;
	uint64_t it, bq, bk, bv, bo, bl;

	cr_assert_eq(mw_plan_build(k, &pl, &d), 0);
	h = &pl.hdr;
	bq = h->tensors[1].base;
	bk = h->tensors[2].base;
	bv = h->tensors[3].base;
	bo = h->tensors[4].base;
	bl = h->tensors[5].base;
	cr_assert_str_eq(h->tensors[5].name, "LSE");
	mw_phase_work(&pl.ph[0], &w);
	cr_assert_eq(w.items, 5 * 2 * 6);
	for (it = 0; it < w.items; it++) {
		uint64_t b = it % 2, hh = it / 2 % 6, m = it / 12;
		uint64_t nkv = ref_kv_blocks(m, 16, 24, 70, 90), r;
		uint32_t st, ns = w.steps(w.ctx, it);

		cr_assert_eq(ns, nkv + 2);
		for (st = 0; st < ns; st++) {
			size_t nr = w.emit(w.ctx, it, st, recs), ng, nw = 0;

			ng = record_bytes(recs, nr, got);
			if (st == 0) {
				nw = ref_bnhd(1, bq, b, 70, 6, hh, 8, m * 16,
					      m * 16 + 16, 4, want);
			} else if (st <= nkv) {
				uint64_t j = nkv - st;

				nw = ref_bnhd(2, bk, b, 90, 2, hh / 3, 8,
					      j * 24, j * 24 + 24, 4, want);
				nw += ref_bnhd(3, bv, b, 90, 2, hh / 3, 8,
					       j * 24, j * 24 + 24, 4,
					       want + nw);
			} else {
				nw = ref_bnhd(4, bo, b, 70, 6, hh, 8, m * 16,
					      m * 16 + 16, 4, want);
				for (r = m * 16; r < m * 16 + 16 && r < 70;
				     r++) {
					uint32_t i;

					for (i = 0; i < 4; i++)
						want[nw++] =
							(uint64_t)5 << 56 |
							(bl +
							 ((b * 6 + hh) * 70 +
							  r) * 4 +
							 i);
				}
			}
			qsort(want, nw, sizeof(*want), cmp_u64);
			cr_assert_eq(ng, nw, "item %llu step %u",
				     (unsigned long long)it, st);
			cr_assert_eq(memcmp(got, want, ng * 8), 0);
		}
	}
	mw_plan_free(&pl);
	mw_kernel_destroy(k);
	free(got);
	free(want);
	free(recs);
}

/*
 * The wave estimate against the trace itself: for single-launch kernels
 * with uniform CTAs, the distinct bytes read by each wave's CTAs, summed
 * over waves, equal wave_read.
 */
static void check_wave(const char *name, const char *const *kv, uint32_t units,
		       uint32_t cpu)
{
	struct mw_kernel *k = make(name, kv);
	struct mw_sched_cfg cfg = {units, cpu};
	struct mw_plan pl;
	struct mw_diag d;
	struct mw_sched_work w[MW_PHASES_MAX];
	uint64_t *wave[MW_PHASES_MAX];
	struct mw_sched *sc;
	struct mw_bounds b;
	const struct mw_access *out;
	uint64_t it, total = 0, cur = UINT64_MAX;
	uint32_t p, curw = 0;
	struct mw_u64set *set = NULL;
	size_t n;

	cr_assert_eq(mw_kernel_bounds(k, &cfg, &b, &d), 0);
	cr_assert_eq(mw_plan_build(k, &pl, &d), 0);
	for (p = 0; p < pl.nphases; p++) {
		uint64_t valid = 0;

		mw_phase_work(&pl.ph[p], &w[p]);
		wave[p] = calloc(w[p].items, sizeof(*wave[p]));
		for (it = 0; it < w[p].items; it++)
			if (w[p].steps(w[p].ctx, it))
				wave[p][it] = valid++ / (units * cpu);
	}
	sc = mw_sched_create(&cfg, w, pl.nphases, &d);
	while ((n = mw_sched_next(sc, &out)) > 0) {
		struct mw_sched_pos pos;
		size_t i;
		uint32_t j;

		mw_sched_last(sc, &pos);
		if (pos.work != curw || wave[pos.work][pos.item] != cur) {
			cr_assert(pos.work > curw || cur == UINT64_MAX ||
					  wave[pos.work][pos.item] > cur,
				  "waves overlap in the trace");
			if (set)
				total += mw_u64set_count(set);
			mw_u64set_destroy(set);
			set = mw_u64set_create();
			cur = wave[pos.work][pos.item];
			curw = pos.work;
		}
		for (i = 0; i < n; i++)
			if (out[i].op == MW_OP_READ)
				for (j = 0; j < out[i].size; j++)
					mw_u64set_add(set, out[i].addr + j);
	}
	total += mw_u64set_count(set);
	mw_u64set_destroy(set);
	cr_assert_eq(total, b.wave_read, "%s: trace %llu, bound %llu", name,
		     (unsigned long long)total,
		     (unsigned long long)b.wave_read);
	mw_sched_destroy(sc);
	for (p = 0; p < pl.nphases; p++)
		free(wave[p]);
	mw_plan_free(&pl);
	mw_kernel_destroy(k);
}

Test(kernels, wave_estimate_equals_trace_waves)
{
	static const char *const orders[] = {"row", "col", "grouped:3",
					     "swizzle:4"};
	const char *fa[] = {"batch",  "2",   "heads",	"4",	    "kv-heads",
			    "2",      "seq", "200",	"head-dim", "32",
			    "causal", "no",  "block-q", "32",	    "block-kv",
			    "64",     NULL};
	const char *dec[] = {"batch",	 "3",  "heads",		"8",
			     "kv-heads", "2",  "kv-len",	"300",
			     "head-dim", "32", "heads-per-cta", "2",
			     NULL};
	unsigned o;

	for (o = 0; o < 4; o++) {
		const char *kv[] = {"m",     "300",	"n",	"500",
				    "k",     "96",	"tile", "64x64x32",
				    "order", orders[o], NULL};

		check_wave("gemm", kv, 5, 2);
	}
	check_wave("attention", fa, 3, 2);
	check_wave("decode", dec, 2, 3);
	{
		/* paged, pages shared by neighbouring splits */
		const char *dec2[] = {"batch",	  "2",	"heads",     "4",
				      "kv-heads", "2",	"kv-len",    "48",
				      "head-dim", "16", "page-size", "12",
				      "block-kv", "8",	"seed",	     "4",
				      "splits",	  "3",	NULL};

		check_wave("decode", dec2, 3, 1);
	}
}
