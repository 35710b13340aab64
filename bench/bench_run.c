/*
 * bench_run.c - generating and simulating together: mw_run (kernel
 * generator -> CTA scheduler -> L1s -> L2 -> memory model, then bounds
 * and the time estimate) on the h100-sxm preset, on one core.  Prints
 * the records (accesses) per second of each case, and the wall time of
 * the whole run.
 *
 * Target (kernel issue): at least 50 M accesses/s; the Llama-3-8B layer
 * at 8192 tokens end to end in under a minute.  The layer case takes
 * longer than `make bench` should, so it runs only with MW_BENCH_LAYER=1
 * in the environment.
 */
#include "common/err.h"
#include "hierarchy/hwconfig.h"
#include "model/kernel.h"
#include "model/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bcase {
	const char *kernel;
	const char *label;
	const char *kv[16];
	bool layer; /* only with MW_BENCH_LAYER=1 */
};

static const struct bcase cases[] = {
	{"gemm",
	 "gemm 2048^3 bf16 128x128x64 grouped:8",
	 {"m", "2048", "n", "2048", "k", "2048", NULL},
	 false},
	{"attention",
	 "flash causal 4096 tok, 32/8 heads, d 128 (main job)",
	 {NULL},
	 false},
	{"decode", "decode 8 x 8192 tok paged 16, 32/8 heads", {NULL}, false},
	{"layer",
	 "layer llama-3-8b 8192 tokens (whole layer)",
	 {"tokens", "8192", NULL},
	 true},
};

static double get(const struct mw_results *r, const char *scope,
		  const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	if (!x)
		return 0;
	return x->kind == MW_RESULT_F64 ? x->f : (double)x->u;
}

int main(void)
{
	const char *env = getenv("MW_BENCH_LAYER");
	bool layer = env && !strcmp(env, "1");
	struct mw_hw_cfg *hw = malloc(sizeof(*hw));
	struct mw_diag d;
	size_t c;

	if (!hw || mw_hw_preset(hw, "h100-sxm", &d)) {
		fprintf(stderr, "bench_run: h100-sxm: %s\n",
			hw ? d.msg : "out of memory");
		return 1;
	}
	printf("mw_run on h100-sxm (132 units), one core\n");
	printf("%-52s %12s %9s %10s\n", "kernel", "records", "seconds",
	       "M acc/s");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct bcase *bc = &cases[c];
		struct mw_kernel *k;
		struct mw_results *r;
		unsigned i;

		if (bc->layer && !layer) {
			printf("%-52s  (skipped: set MW_BENCH_LAYER=1)\n",
			       bc->label);
			continue;
		}
		k = mw_kernel_create(bc->kernel, &d);
		r = mw_results_create();
		if (!k || !r) {
			fprintf(stderr, "bench_run: %s\n",
				k ? "no memory" : d.msg);
			return 1;
		}
		for (i = 0; bc->kv[i]; i += 2)
			if (mw_kernel_set(k, bc->kv[i], bc->kv[i + 1], &d)) {
				fprintf(stderr, "bench_run: %s\n", d.msg);
				return 1;
			}
		if (mw_run(k, hw, NULL, r, &d)) {
			fprintf(stderr, "bench_run: %s: %s\n", bc->label,
				d.msg);
			return 1;
		}
		printf("%-52s %12.0f %9.2f %10.2f\n", bc->label,
		       get(r, "run", "records"), get(r, "run", "seconds"),
		       get(r, "run", "accesses_per_s") / 1e6);
		fflush(stdout);
		mw_results_destroy(r);
		mw_kernel_destroy(k);
	}
	free(hw);
	return 0;
}
