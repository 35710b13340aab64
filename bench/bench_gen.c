/*
 * bench_gen.c - kernel generation speed: records per second produced by
 * mw_kernel_stream + mw_stream_read (4096-record batches) on one core,
 * best of three runs, for GEMM, flash attention and decode at a few
 * sizes, scheduled on 132 units (h100-sxm).  Each run also checks that
 * the bytes read equal the kernel's no-reuse bound.
 *
 * Target (kernel issue): generation much faster than 50 M accesses/s so
 * that generation + simulation can reach 50 M/s together.
 */
#include "common/progress.h"
#include "model/bounds.h"
#include "model/kernel.h"

#include <stdio.h>
#include <stdlib.h>

#define BATCH 4096

struct bcase {
	const char *kernel;
	const char *label;
	const char *kv[16];
};

static const struct bcase cases[] = {
	{"gemm", "gemm 4096^3 bf16 128x128x64 grouped:8", {NULL}},
	{"gemm",
	 "gemm 8192x8192x2048 fp8 256x128x64 swizzle:8 split-k 2",
	 {"m", "8192", "n", "8192", "k", "2048", "dtype", "fp8", "tile",
	  "256x128x64", "order", "swizzle:8", "split-k", "2", NULL}},
	{"attention", "flash causal 4096 tok, 32/8 heads, d 128", {NULL}},
	{"attention",
	 "flash non-causal 2x2048 tok, 16 heads, d 64, 128x128",
	 {"batch", "2", "seq", "2048", "heads", "16", "kv-heads", "16",
	  "head-dim", "64", "causal", "no", "block-kv", "128", NULL}},
	{"decode", "decode 8 x 8192 tok paged 16, 32/8 heads", {NULL}},
	{"decode",
	 "decode 32 x 16384 tok, split 4, contiguous",
	 {"batch", "32", "kv-len", "16384", "splits", "4", "page-size", "0",
	  NULL}},
	{"layer",
	 "layer llama-3-8b 8192 tokens (whole layer)",
	 {"tokens", "8192", NULL}},
};

int main(void)
{
	static struct mw_access buf[BATCH];
	struct mw_sched_cfg cfg = {132, 1};
	size_t c;

	printf("%-58s %12s %10s\n", "kernel", "records", "M rec/s");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct bcase *bc = &cases[c];
		struct mw_diag d;
		struct mw_kernel *k = mw_kernel_create(bc->kernel, &d);
		struct mw_bounds b;
		double best = 0;
		uint64_t recs = 0;
		int run, i;

		for (i = 0; k && bc->kv[i]; i += 2)
			if (mw_kernel_set(k, bc->kv[i], bc->kv[i + 1], &d))
				break;
		if (!k || mw_kernel_bounds(k, &cfg, &b, &d)) {
			fprintf(stderr, "bench_gen: %s: %s\n", bc->label,
				d.msg);
			return 1;
		}
		for (run = 0; run < 3; run++) {
			struct mw_stream *s = mw_kernel_stream(k, &cfg, &d);
			uint64_t rd = 0;
			double t0 = mw_now_s(), t1;
			long n;

			if (!s) {
				fprintf(stderr, "bench_gen: %s\n", d.msg);
				return 1;
			}
			while ((n = mw_stream_read(s, buf, BATCH)) > 0)
				for (i = 0; i < n; i++)
					rd += buf[i].op == MW_OP_READ
						      ? buf[i].size
						      : 0;
			t1 = mw_now_s();
			recs = mw_stream_records(s);
			mw_stream_destroy(s);
			if (n < 0 || rd != b.no_reuse_read) {
				fprintf(stderr,
					"bench_gen: %s: read %llu bytes, "
					"bound says %llu\n",
					bc->label, (unsigned long long)rd,
					(unsigned long long)b.no_reuse_read);
				return 1;
			}
			if ((double)recs / (t1 - t0) / 1e6 > best)
				best = (double)recs / (t1 - t0) / 1e6;
		}
		printf("%-58s %12llu %10.1f\n", bc->label,
		       (unsigned long long)recs, best);
		mw_kernel_destroy(k);
	}
	return 0;
}
