/*
 * test_kernel_stream.c - the stream kernel against its closed form: on
 * seeded random sizes, blocks, dtypes and schedules, every byte of each
 * input read exactly once and every byte of the output written exactly
 * once (a byte map per tensor, the naive reference), no other access,
 * chunks of one CTA on one unit, the bounds equal to the closed form,
 * mw_run's memory traffic equal to it from cold caches, the aliases and
 * the parameter errors.
 */
#include "helpers.h"
#include "hierarchy/hwconfig.h"
#include "model/bounds.h"
#include "model/kernel.h"
#include "model/run.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *op;
	const char *in, *out; /* tensor names read and written */
} ops[] = {
	{"copy", "a", "c"}, {"scale", "c", "b"},  {"mul", "c", "b"},
	{"add", "ab", "c"}, {"triad", "bc", "a"}, {"dot", "ab", ""},
	{"read", "a", ""},  {"write", "", "a"},	  {"init", "", "a"},
};

static struct mw_kernel *stream(const char *op, uint64_t bytes,
				const char *dtype, unsigned block)
{
	struct mw_diag d;
	struct mw_kernel *k = mw_kernel_create("stream", &d);
	char b[32];

	cr_assert_not_null(k, "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "op", op, &d), 0, "%s", d.msg);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)bytes);
	cr_assert_eq(mw_kernel_set(k, "bytes", b, &d), 0, "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "dtype", dtype, &d), 0, "%s", d.msg);
	snprintf(b, sizeof(b), "%u", block);
	cr_assert_eq(mw_kernel_set(k, "block", b, &d), 0, "%s", d.msg);
	return k;
}

Test(kernel_stream, every_byte_once_random)
{
	static const char *const dtypes[] = {"fp32", "bf16", "fp16", "fp8"};
	static const unsigned esize[] = {4, 2, 2, 1};
	struct mw_rng rng;
	unsigned iter;

	mw_rng_seed(&rng, 20261204);
	for (iter = 0; iter < 60; iter++) {
		unsigned o = (unsigned)(mw_rng_next(&rng) % 9);
		unsigned t = (unsigned)(mw_rng_next(&rng) % 4);
		unsigned block = 1u + (unsigned)(mw_rng_next(&rng) % 700);
		uint64_t chunks = 1 + mw_rng_next(&rng) % 40;
		uint64_t bytes = chunks * block * esize[t];
		struct mw_sched_cfg sc = {
			1 + (uint32_t)(mw_rng_next(&rng) % 7),
			1 + (uint32_t)(mw_rng_next(&rng) % 3)};
		struct mw_kernel *k =
			stream(ops[o].op, bytes, dtypes[t], block);
		struct mw_diag d;
		struct mw_stream *s = mw_kernel_stream(k, &sc, &d);
		const struct mw_trace_header *h;
		struct mw_access *recs = NULL;
		unsigned char *seen[4] = {NULL, NULL, NULL, NULL};
		int16_t *owner = NULL; /* unit of each chunk */
		struct mw_bounds b;
		long n, i;
		unsigned tt, nin = (unsigned)strlen(ops[o].in),
			     nout = (unsigned)strlen(ops[o].out);

		cr_assert_not_null(s, "%s", d.msg);
		h = mw_stream_header(s);
		cr_assert_eq(h->ntensors, nin + nout, "%s", ops[o].op);
		for (tt = 1; tt <= h->ntensors; tt++) {
			seen[tt] = calloc(bytes, 1);
			cr_assert_eq(h->tensors[tt].bytes, bytes);
		}
		owner = malloc(chunks * sizeof(*owner));
		memset(owner, 0xff, chunks * sizeof(*owner));
		n = th_drain(s, &recs);
		cr_assert_geq(n, 0);
		for (i = 0; i < n; i++) {
			const struct mw_access *r = &recs[i];
			const char *name;
			uint64_t off, j, ch;
			bool is_in;

			cr_assert(r->tensor >= 1 && r->tensor <= h->ntensors);
			name = h->tensors[r->tensor].name;
			is_in = strchr(ops[o].in, name[0]) != NULL;
			cr_assert(r->op == (is_in ? MW_OP_READ : MW_OP_WRITE),
				  "%s: %s op %u", ops[o].op, name, r->op);
			cr_assert(r->size <= 128);
			off = r->addr - h->tensors[r->tensor].base;
			cr_assert_leq(off + r->size, bytes);
			ch = off / ((uint64_t)block * esize[t]);
			cr_assert_eq((off + r->size - 1) /
					     ((uint64_t)block * esize[t]),
				     ch, "a record spans two chunks");
			if (owner[ch] < 0)
				owner[ch] = (int16_t)r->unit;
			cr_assert_eq(owner[ch], r->unit,
				     "chunk %llu on two units",
				     (unsigned long long)ch);
			for (j = 0; j < r->size; j++)
				seen[r->tensor][off + j]++;
		}
		for (tt = 1; tt <= h->ntensors; tt++) {
			uint64_t j;

			for (j = 0; j < bytes; j++)
				cr_assert_eq(seen[tt][j], 1,
					     "%s: %s byte %llu seen %u times",
					     ops[o].op, h->tensors[tt].name,
					     (unsigned long long)j,
					     seen[tt][j]);
			free(seen[tt]);
		}
		cr_assert_eq(mw_kernel_bounds(k, &sc, &b, &d), 0, "%s", d.msg);
		cr_assert_eq(b.compulsory_read, nin * bytes);
		cr_assert_eq(b.compulsory_write, nout * bytes);
		cr_assert_eq(b.no_reuse_read, nin * bytes);
		cr_assert_eq(b.no_reuse_write, nout * bytes);
		cr_assert_eq(b.ctas, chunks);
		cr_assert_eq(b.flops, 0);
		free(owner);
		free(recs);
		mw_stream_destroy(s);
		mw_kernel_destroy(k);
	}
}

Test(kernel_stream, run_moves_the_closed_form_bytes)
{
	struct mw_hw_cfg *c = malloc(sizeof(*c));
	struct mw_diag d;
	unsigned o;

	cr_assert_not_null(c);
	cr_assert_eq(mw_hw_preset(c, "h100-sxm", &d), 0);
	cr_assert_eq(mw_hw_set(c, "machine.units=4", &d), 0);
	cr_assert_eq(mw_hw_set(c, "l2.size=256KiB", &d), 0);
	cr_assert_eq(mw_hw_set(c, "memory.timing=off", &d), 0);
	cr_assert_eq(mw_hw_validate(c, &d), 0, "%s", d.msg);
	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		/* 1 MiB per array: four times the L2 */
		uint64_t bytes = 1 << 20;
		struct mw_kernel *k = stream(ops[o].op, bytes, "fp32", 1024);
		struct mw_results *r = mw_results_create();
		const struct mw_result *rd, *wr, *ns;

		cr_assert_eq(mw_run(k, c, NULL, r, &d), 0, "%s", d.msg);
		rd = mw_results_find(r, "memory", "bytes_read");
		wr = mw_results_find(r, "memory", "bytes_written");
		ns = mw_results_find(r, "time", "memory_ns");
		cr_assert(rd && wr && ns);
		cr_assert_eq(rd->u, strlen(ops[o].in) * bytes, "%s: read %llu",
			     ops[o].op, (unsigned long long)rd->u);
		cr_assert_eq(wr->u, strlen(ops[o].out) * bytes,
			     "%s: written %llu", ops[o].op,
			     (unsigned long long)wr->u);
		/* counting mode: the bytes at the preset's 3352 GB/s */
		cr_assert_float_eq(ns->f, (double)(rd->u + wr->u) / 3352.0,
				   1e-6 * ns->f);
		mw_results_destroy(r);
		mw_kernel_destroy(k);
	}
	free(c);
}

Test(kernel_stream, parameters)
{
	struct mw_diag d;
	struct mw_kernel *k = mw_kernel_create("stream", &d);

	cr_assert_not_null(k);
	cr_assert_str_eq(mw_kernel_get(k, "op"), "copy");
	cr_assert_eq(mw_kernel_set(k, "op", "nstream", &d), MW_EPARSE);
	cr_assert(strstr(d.msg, "op: 'nstream'"), "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "bytes", "lots", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "bytes", "2TiB", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "block", "0", &d), MW_EPARSE);
	cr_assert_eq(mw_kernel_set(k, "bytes", "16MiB", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), 0, "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "bytes", "4100", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "not a multiple of block"), "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "bytes", "4098", &d), 0);
	cr_assert_eq(mw_kernel_validate(k, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "element"), "%s", d.msg);
	cr_assert_eq(mw_kernel_set(k, "m", "5", &d), MW_ECONFIG);
	mw_kernel_destroy(k);
}
