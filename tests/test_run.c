/*
 * test_run.c - mw_run and the time estimate: the simulation held to the
 * closed-form bounds (an L2 larger than the footprint reads exactly the
 * compulsory bytes; a tiny one approaches the no-reuse bytes), grouped
 * rasterization against row-major, the bound the estimate names, warm
 * runs, the reuse results, and mw_run against the hierarchy fed the
 * kernel's stream directly.  Machines are h100-sxm shrunk with --set
 * style overrides to keep the tests fast.
 */
#include "cli/sweep_run.h"
#include "hierarchy/hierarchy.h"
#include "hierarchy/hwconfig.h"
#include "model/bounds.h"
#include "model/kernel.h"
#include "model/run.h"
#include "model/timing.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* h100-sxm with overrides (NULL-terminated). */
static struct mw_hw_cfg *machine(const char *const *sets)
{
	struct mw_hw_cfg *c = malloc(sizeof(*c));
	struct mw_diag d;

	cr_assert_not_null(c);
	cr_assert_eq(mw_hw_preset(c, "h100-sxm", &d), 0, "%s", d.msg);
	cr_assert_eq(mw_hw_set(c, "machine.units=8", &d), 0, "%s", d.msg);
	for (; sets && *sets; sets++)
		cr_assert_eq(mw_hw_set(c, *sets, &d), 0, "%s: %s", *sets,
			     d.msg);
	cr_assert_eq(mw_hw_validate(c, &d), 0, "%s", d.msg);
	return c;
}

static struct mw_kernel *kernel(const char *spec)
{
	char buf[512], *save = NULL, *w;
	struct mw_diag d;
	struct mw_kernel *k;

	snprintf(buf, sizeof(buf), "%s", spec);
	w = strtok_r(buf, " ", &save);
	k = mw_kernel_create(w, &d);
	cr_assert_not_null(k, "%s", d.msg);
	while ((w = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(w, '=');

		cr_assert_not_null(eq, "%s", w);
		*eq = '\0';
		cr_assert_eq(mw_kernel_set(k, w, eq + 1, &d), 0, "%s: %s", w,
			     d.msg);
	}
	return k;
}

static struct mw_results *run_spec(const char *spec, const struct mw_hw_cfg *hw,
				   const struct mw_run_opts *o)
{
	struct mw_kernel *k = kernel(spec);
	struct mw_results *r = mw_results_create();
	struct mw_diag d;
	int rc;

	cr_assert_not_null(r);
	mw_diag_clear(&d);
	rc = mw_run(k, hw, o, r, &d);
	cr_assert_eq(rc, 0, "%s: %s (%s)", spec, d.msg, mw_strerror(rc));
	mw_kernel_destroy(k);
	return r;
}

static uint64_t u(const struct mw_results *r, const char *scope,
		  const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	cr_assert_not_null(x, "no %s,%s", scope, metric);
	cr_assert_eq(x->kind, MW_RESULT_U64, "%s,%s", scope, metric);
	return x->u;
}

static double f(const struct mw_results *r, const char *scope,
		const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	cr_assert_not_null(x, "no %s,%s", scope, metric);
	cr_assert_eq(x->kind, MW_RESULT_F64, "%s,%s", scope, metric);
	return x->f;
}

static const char *t(const struct mw_results *r, const char *scope,
		     const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	cr_assert_not_null(x, "no %s,%s", scope, metric);
	cr_assert_eq(x->kind, MW_RESULT_TEXT, "%s,%s", scope, metric);
	return x->text;
}

/* ---- the time estimate ---------------------------------------------------- */

Test(timing, picks_the_largest_roof)
{
	struct mw_hw_cfg *hw = machine(NULL);
	struct mw_timing_in in = {0};
	struct mw_timing tm;

	hw->machine.flops_bf16 = 1e15;
	hw->levels[1].bandwidth = 1e13;
	in.dtype = MW_DTYPE_BF16;
	in.flops = 2000000000;	   /* 2 us */
	in.l2_bytes = 10000000;	   /* 1 us */
	in.memory_bytes = 3000000; /* at 1e12 B/s: 3 us */
	in.memory_time_ns = -1;
	in.memory_peak_Bps = 1e12;
	mw_timing_estimate(hw, &in, &tm);
	cr_assert_float_eq(tm.compute_ns, 2000, 1e-6);
	cr_assert_float_eq(tm.l2_ns, 1000, 1e-6);
	cr_assert_float_eq(tm.memory_ns, 3000, 1e-6);
	cr_assert_float_eq(tm.total_ns, 3000, 1e-6);
	cr_assert_eq(tm.bound, MW_BOUND_MEMORY);
	cr_assert_float_eq(tm.l2_flops_per_byte, 200, 1e-9);
	cr_assert_float_eq(tm.memory_flops_per_byte, 2000.0 / 3, 1e-9);
	/* the memory model's time wins over bytes / peak */
	in.memory_time_ns = 500;
	mw_timing_estimate(hw, &in, &tm);
	cr_assert_eq(tm.bound, MW_BOUND_COMPUTE);
	cr_assert_float_eq(tm.total_ns, 2000, 1e-6);
	in.l2_bytes = 50000000; /* 5 us */
	mw_timing_estimate(hw, &in, &tm);
	cr_assert_eq(tm.bound, MW_BOUND_L2);
	cr_assert_str_eq(mw_bound_name(tm.bound), "l2");
	/* fp8 uses its own peak; an unknown rate is no roof */
	in.dtype = MW_DTYPE_FP8;
	hw->machine.flops_fp8 = 0;
	hw->levels[1].bandwidth = 0;
	mw_timing_estimate(hw, &in, &tm);
	cr_assert(!tm.compute_known && !tm.l2_known);
	cr_assert_eq(tm.bound, MW_BOUND_MEMORY);
	cr_assert_float_eq(tm.total_ns, 500, 1e-6);
	in.memory_time_ns = -1;
	in.memory_peak_Bps = 0;
	mw_timing_estimate(hw, &in, &tm);
	cr_assert_eq(tm.bound, MW_BOUND_UNKNOWN);
	cr_assert_float_eq(tm.total_ns, 0, 1e-12);
	cr_assert_float_eq(mw_peak_flops(&hw->machine, MW_DTYPE_FP16),
			   hw->machine.flops_bf16, 1);
	free(hw);
}

/* ---- bounds ------------------------------------------------------------------ */

/*
 * Kernels whose outputs cover whole 32-byte sectors (rows of a multiple
 * of 32 bytes and tile edges on sector boundaries): with the L2 holding
 * the footprint, every input sector is fetched once.  Those without
 * intermediates also write exactly their outputs once (at the flush).
 * (Split-KV decode is not here: its fp32 partials and LSE values are
 * stored in pieces smaller than a sector, which the write-allocating L2
 * fetches, so its reads exceed the compulsory inputs.)
 */
static const struct {
	const char *spec;
	bool exact_writes;
} exact[] = {
	{"gemm m=256 n=256 k=256", true},
	{"gemm m=200 n=128 k=100 tile=64x64x32", true},
	{"gemm m=192 n=256 k=320 layout-a=col layout-b=col order=row", true},
	{"gemm m=256 n=256 k=512 split-k=4", false},
	{"gemm m=128 n=256 k=256 dtype=fp32 order=swizzle:2", true},
	{"attention seq=256 heads=4 kv-heads=2 head-dim=64", true},
	{"attention seq=320 heads=4 kv-heads=1 head-dim=128 causal=no", true},
	{"attention seq=256 kv-seq=384 heads=2 kv-heads=2 head-dim=64 "
	 "causal=no block-q=64 block-kv=128",
	 true},
	{"attention variant=naive seq=256 heads=2 kv-heads=2 head-dim=64",
	 false},
	{"decode kv-len=1000 heads=8 kv-heads=2", true},
	{"decode kv-len=1024 heads=8 kv-heads=2 batch=2 page-size=16", true},
	{"mlp tokens=64 hidden=256 intermediate=512", false},
	{"mlp tokens=64 hidden=256 intermediate=512 fused=yes", false},
};

Test(run, large_l2_reads_equal_compulsory_exactly)
{
	static const char *const sets[] = {"l2.size=8MiB", NULL};
	struct mw_hw_cfg *hw = machine(sets);
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		struct mw_results *r = run_spec(exact[i].spec, hw, NULL);
		uint64_t fp = u(r, "bounds", "compulsory_bytes");

		cr_assert_lt(fp, hw->levels[1].size, "%s", exact[i].spec);
		cr_assert_eq(u(r, "memory", "bytes_read"),
			     u(r, "bounds", "compulsory_read_bytes"), "%s",
			     exact[i].spec);
		if (exact[i].exact_writes)
			cr_assert_eq(u(r, "memory", "bytes_written"),
				     u(r, "bounds", "compulsory_write_bytes"),
				     "%s", exact[i].spec);
		else
			cr_assert_geq(u(r, "memory", "bytes_written"),
				      u(r, "bounds", "compulsory_write_bytes"),
				      "%s", exact[i].spec);
		cr_assert_float_eq(f(r, "bounds", "read_over_compulsory"), 1.0,
				   1e-12, "%s", exact[i].spec);
		mw_results_destroy(r);
	}
	free(hw);
}

/*
 * Output rows that end inside a sector (N = 136 bf16: 272-byte rows):
 * the write-allocating L2 fetches each partly written sector, so reads
 * exceed the compulsory bytes, by at most two sectors per row segment
 * the epilogue stores.
 */
Test(run, partial_output_sectors_are_fetched)
{
	static const char *const sets[] = {"l2.size=8MiB", NULL};
	struct mw_hw_cfg *hw = machine(sets);
	struct mw_results *r =
		run_spec("gemm m=200 n=136 k=100 tile=64x64x32", hw, NULL);
	uint64_t rd = u(r, "memory", "bytes_read");
	uint64_t comp = u(r, "bounds", "compulsory_read_bytes");

	cr_assert_gt(rd, comp);
	cr_assert_leq(rd - comp, 2 * 32 * 200 * 3);
	cr_assert_eq(u(r, "memory", "bytes_written"),
		     u(r, "bounds", "compulsory_write_bytes"));
	mw_results_destroy(r);
	free(hw);
}

Test(run, tiny_l2_approaches_no_reuse)
{
	static const char *const sets[] = {"l1.size=1KiB", "l1.ways=2",
					   "l2.size=8KiB", "l2.ways=4", NULL};
	static const char *const specs[] = {
		"gemm m=256 n=256 k=256",
		"attention seq=256 heads=4 kv-heads=2 head-dim=64",
		"decode kv-len=1024 heads=8 kv-heads=2",
		"mlp tokens=64 hidden=256 intermediate=512",
	};
	struct mw_hw_cfg *hw = machine(sets);
	size_t i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct mw_results *r = run_spec(specs[i], hw, NULL);
		double rd = (double)u(r, "memory", "bytes_read");
		double nr = (double)u(r, "bounds", "no_reuse_read_bytes");

		/* at least 90% of the no-reuse bytes, never more than them */
		cr_assert_geq(rd, 0.9 * nr, "%s: %.0f of %.0f", specs[i], rd,
			      nr);
		cr_assert_leq(rd, nr, "%s", specs[i]);
		mw_results_destroy(r);
	}
	free(hw);
}

Test(run, grouped_beats_row_major_when_operands_exceed_l2)
{
	static const char *const sets[] = {"l2.size=256KiB", NULL};
	struct mw_hw_cfg *hw = machine(sets);
	struct mw_results *row = run_spec("gemm m=1024 n=1024 k=1024 "
					  "tile=128x128x64 order=row",
					  hw, NULL);
	struct mw_results *grp = run_spec("gemm m=1024 n=1024 k=1024 "
					  "tile=128x128x64 "
					  "order=grouped:8",
					  hw, NULL);
	uint64_t a = u(row, "memory", "bytes_read");
	uint64_t b = u(grp, "memory", "bytes_read");

	/* A and B are 2 MiB each, eight times the L2 */
	cr_assert_gt(u(row, "bounds", "compulsory_read_bytes"),
		     8 * hw->levels[1].size);
	cr_assert_lt((double)b, 0.7 * (double)a, "grouped %llu, row %llu",
		     (unsigned long long)b, (unsigned long long)a);
	mw_results_destroy(row);
	mw_results_destroy(grp);
	free(hw);
}

Test(run, bound_compute_heavy_gemm_vs_memory_heavy_decode)
{
	/* the whole machine: with 8 units the miss stream of a wave is too
	   short to keep the memory busy; 512 x 256 tiles: 170 FLOP per byte
	   of L2 traffic */
	static const char *const sets[] = {"machine.units=132", "l2.size=8MiB",
					   NULL};
	struct mw_hw_cfg *hw = machine(sets);
	struct mw_results *g =
		run_spec("gemm m=2048 n=2048 k=1024 tile=512x256x64", hw, NULL);
	struct mw_results *dc =
		run_spec("decode kv-len=4096 heads=32 kv-heads=8", hw, NULL);

	cr_assert_str_eq(t(g, "time", "bound"), "compute");
	cr_assert_float_eq(f(g, "time", "total_ns"), f(g, "time", "compute_ns"),
			   1e-9);
	cr_assert_float_eq(f(g, "time", "compute_ns"),
			   (double)u(g, "bounds", "flops") /
				   hw->machine.flops_bf16 * 1e9,
			   1e-6);
	cr_assert_gt(f(g, "intensity", "memory_flops_per_byte"),
		     f(g, "intensity", "l2_flops_per_byte"));
	cr_assert_str_eq(t(dc, "time", "bound"), "memory");
	cr_assert_float_eq(f(dc, "time", "total_ns"),
			   f(dc, "time", "memory_ns"), 1e-9);
	cr_assert_lt(f(dc, "intensity", "memory_flops_per_byte"), 5);
	mw_results_destroy(g);
	mw_results_destroy(dc);
	free(hw);
}

/* The scopes mw_run reports for the hierarchy equal a hierarchy fed the
   kernel's stream directly (the reference: what gen + sim --flush do). */
Test(run, equals_hierarchy_fed_the_stream)
{
	static const char *const sets[] = {"l2.size=512KiB", NULL};
	static const char *const specs[] = {
		"gemm m=512 n=384 k=256 order=grouped:4",
		"attention seq=512 heads=4 kv-heads=2 head-dim=64",
		"decode kv-len=3000 heads=8 kv-heads=2 splits=2 page-size=16",
	};
	struct mw_hw_cfg *hw = machine(sets);
	size_t i, j;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct mw_kernel *k = kernel(specs[i]);
		struct mw_results *r = run_spec(specs[i], hw, NULL);
		struct mw_results *ref = mw_results_create();
		struct mw_sched_cfg sc = {hw->machine.units,
					  hw->machine.ctas_per_unit};
		struct mw_diag d;
		struct mw_stream *s = mw_kernel_stream(k, &sc, &d);
		struct mw_hier *h =
			mw_hier_create(hw, mw_stream_header(s)->ntensors, &d);
		struct mw_access buf[1000];
		long n;
		uint64_t recs = 0;

		cr_assert_not_null(h, "%s", d.msg);
		while ((n = mw_stream_read(s, buf, 1000)) > 0) {
			cr_assert_eq(mw_hier_access_batch(h, buf, (size_t)n),
				     0);
			recs += (uint64_t)n;
		}
		cr_assert_eq(n, 0);
		cr_assert_eq(mw_hier_flush(h), 0);
		cr_assert_eq(mw_hier_results(h, mw_stream_header(s), ref), 0);
		cr_assert_gt(mw_results_count(ref), 20);
		for (j = 0; j < mw_results_count(ref); j++) {
			const struct mw_result *x = mw_results_get(ref, j);
			const struct mw_result *y =
				mw_results_find(r, x->scope, x->metric);

			cr_assert_not_null(y, "%s: %s,%s", specs[i], x->scope,
					   x->metric);
			cr_assert_eq(y->u, x->u, "%s: %s,%s", specs[i],
				     x->scope, x->metric);
		}
		cr_assert_eq(u(r, "run", "records"), recs);
		mw_hier_destroy(h);
		mw_stream_destroy(s);
		mw_results_destroy(ref);
		mw_results_destroy(r);
		mw_kernel_destroy(k);
	}
	free(hw);
}

Test(run, warm_second_pass_hits_in_l2)
{
	static const char *const sets[] = {"l2.size=8MiB", NULL};
	struct mw_hw_cfg *hw = machine(sets);
	struct mw_run_opts o;
	struct mw_results *cold, *warm;

	mw_run_opts_init(&o);
	cold = run_spec("gemm m=256 n=256 k=256", hw, &o);
	o.warm = true;
	warm = run_spec("gemm m=256 n=256 k=256", hw, &o);
	cr_assert_eq(u(warm, "run", "passes"), 2);
	cr_assert_eq(u(warm, "run", "records"), u(cold, "run", "records"));
	cr_assert_eq(u(warm, "l1", "accesses"), u(cold, "l1", "accesses"));
	/* the L1s keep part of their tiles: the L2 sees no more */
	cr_assert_leq(u(warm, "l2", "accesses"), u(cold, "l2", "accesses"));
	cr_assert_gt(u(cold, "memory", "bytes_read"), 0);
	/* everything is still in the L2: no reads, C written once */
	cr_assert_eq(u(warm, "memory", "bytes_read"), 0);
	cr_assert_eq(u(warm, "l2", "sector_misses"), 0);
	cr_assert_eq(u(warm, "memory", "bytes_written"),
		     u(cold, "memory", "bytes_written"));
	/* the memory model's totals are the second pass's too */
	cr_assert_lt(u(warm, "memory", "transactions"),
		     u(cold, "memory", "transactions"));
	cr_assert_eq(u(warm, "memory", "transactions"),
		     u(warm, "memory", "bytes_written") /
			     u(warm, "memory", "transaction_bytes"));
	cr_assert_eq(u(warm, "memory", "overfetch_bytes"), 0);
	cr_assert_lt(f(warm, "memory", "time_ns"),
		     f(cold, "memory", "time_ns"));
	cr_assert_null(mw_results_find(warm, "memory:ch0", "bytes_read"));
	cr_assert_not_null(mw_results_find(cold, "memory:ch0", "bytes_read"));
	mw_results_destroy(cold);
	mw_results_destroy(warm);
	free(hw);
}

Test(run, reuse_curve_results)
{
	static const char *const sets[] = {"l2.size=8MiB", NULL};
	struct mw_hw_cfg *hw = machine(sets);
	struct mw_run_opts o;
	struct mw_results *r;
	double refs, cold;

	mw_run_opts_init(&o);
	o.reuse = true;
	r = run_spec("gemm m=256 n=256 k=256", hw, &o);
	refs = f(r, "reuse", "refs");
	cold = f(r, "reuse", "cold");
	/* every 128-byte line of A, B, C once: 384 KiB / 128 */
	cr_assert_float_eq(cold, 3072, 1e-9);
	/* one line holds nothing: every 128-byte row segment is a new line */
	cr_assert_float_eq(f(r, "mrc", "miss_ratio.128"), 1.0, 1e-12);
	{
		double prev = 2;
		size_t i, n = 0;

		for (i = 0; i < mw_results_count(r); i++) {
			const struct mw_result *x = mw_results_get(r, i);

			if (strcmp(x->scope, "mrc") ||
			    strncmp(x->metric, "miss_ratio.", 11))
				continue;
			cr_assert_leq(x->f, prev, "%s", x->metric);
			prev = x->f;
			n++;
		}
		/* 128 B .. 512 KiB, the first power of two >= 384 KiB */
		cr_assert_eq(n, 13);
	}
	cr_assert_float_eq(f(r, "mrc", "miss_ratio.524288"), cold / refs,
			   1e-12);
	cr_assert_float_eq(f(r, "mrc", "l2_miss_ratio"), cold / refs, 1e-12);
	cr_assert_eq(u(r, "mrc", "l2_bytes"), 8u << 20);
	cr_assert_not_null(mw_results_find(r, "reuse:A", "refs"));
	mw_results_destroy(r);
	free(hw);
}

static void count_progress(void *ctx, uint64_t records)
{
	uint64_t *last = ctx;

	cr_assert_gt(records, *last);
	*last = records;
}

Test(run, progress_interrupt_and_invalid_points)
{
	struct mw_hw_cfg *hw = machine(NULL);
	struct mw_kernel *k = kernel("gemm m=512 n=512 k=512");
	struct mw_results *r = mw_results_create();
	struct mw_run_opts o;
	struct mw_diag d;
	volatile sig_atomic_t stop = 1;
	uint64_t last = 0;

	mw_run_opts_init(&o);
	o.progress = count_progress;
	o.progress_ctx = &last;
	cr_assert_eq(mw_run(k, hw, &o, r, &d), 0, "%s", d.msg);
	cr_assert_eq(last, u(r, "run", "records"));
	mw_results_destroy(r);
	r = mw_results_create();
	last = 0;
	o.interrupt = &stop;
	cr_assert_eq(mw_run(k, hw, &o, r, &d), MW_ECANCEL);
	mw_kernel_destroy(k);
	/* a split larger than the K tiles: the kernel rejects the point */
	k = kernel("gemm m=512 n=512 k=128 split-k=8");
	cr_assert_eq(mw_run(k, hw, NULL, r, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "split"), "%s", d.msg);
	mw_kernel_destroy(k);
	mw_results_destroy(r);
	free(hw);
}

Test(run, kernel_and_run_scopes)
{
	struct mw_hw_cfg *hw = machine(NULL);
	struct mw_results *r =
		run_spec("gemm m=256 n=256 k=256 dtype=fp8", hw, NULL);

	cr_assert_str_eq(t(r, "kernel", "name"), "gemm");
	cr_assert_str_eq(t(r, "kernel", "dtype"), "fp8");
	cr_assert_str_eq(t(r, "kernel", "tile"), "128x128x64");
	cr_assert(strstr(t(r, "kernel", "params"), "m=256 n=256 k=256"));
	cr_assert_str_eq(t(r, "run", "hw"), "h100-sxm");
	cr_assert_eq(u(r, "run", "units"), 8);
	cr_assert_eq(u(r, "run", "passes"), 1);
	cr_assert_float_eq(f(r, "time", "compute_ns"),
			   (double)u(r, "bounds", "flops") /
				   hw->machine.flops_fp8 * 1e9,
			   1e-6);
	cr_assert_float_eq(f(r, "time", "l2_ns"),
			   (double)(u(r, "l1", "bytes_from_below") +
				    u(r, "l1", "bytes_to_below")) /
				   hw->levels[1].bandwidth * 1e9,
			   1e-6);
	cr_assert_gt(f(r, "memory", "peak_bandwidth_GBps"), 0);
	mw_results_destroy(r);
	free(hw);
}

/* ---- the sweep evaluator ------------------------------------------------- */

static int sweep(const char *csv, const char *jobs)
{
	const char *argv[] = {"memwall sweep",
			      "gemm",
			      "--set",
			      "m=384",
			      "--set",
			      "n=256",
			      "--set",
			      "k=512",
			      "--set",
			      "machine.units=4",
			      "--set",
			      "l2.size=128KiB",
			      "--vary",
			      "tile=64x64x32,128x128x64",
			      "--vary",
			      "order=row,grouped:2,col",
			      "--vary",
			      "split-k=16,1",
			      "-j",
			      jobs,
			      "--quiet",
			      "--csv",
			      csv,
			      NULL};

	return cli_sweep_main(sizeof(argv) / sizeof(argv[0]) - 1, (char **)argv,
			      cli_sweep_evaluator);
}

Test(sweep_eval, real_gemm_sweep_same_with_one_or_two_jobs)
{
	char *a = th_temp_path(".csv"), *b = th_temp_path(".csv");
	size_t la, lb, rows = 0, i;
	char *ta, *tb;
	struct mw_hw_cfg *hw;
	struct mw_results *r;

	cr_assert_eq(sweep(a, "1"), 0);
	cr_assert_eq(sweep(b, "2"), 0);
	ta = th_slurp(a, &la);
	tb = th_slurp(b, &lb);
	cr_assert_eq(la, lb);
	cr_assert_eq(memcmp(ta, tb, la), 0);
	for (i = 0; i < la; i++)
		rows += ta[i] == '\n';
	cr_assert(strstr(ta, "point,m,n,k,machine.units,l2.size,tile,order,"
			     "split-k,kernel.name,kernel.params,l1.accesses"),
		  "%.200s", ta);
	cr_assert(strstr(ta, ",time.total_ns,time.bound,"));
	cr_assert(!strstr(ta, "run.seconds"));
	/* a row holds what mw_run gives on the same point */
	{
		static const char *const sets[] = {"machine.units=4",
						   "l2.size=128KiB", NULL};
		char want[320];

		hw = machine(sets);
		r = run_spec("gemm m=384 n=256 k=512 tile=64x64x32 order=row "
			     "split-k=1",
			     hw, NULL);
		snprintf(want, sizeof(want),
			 "\n1,384,256,512,4,128KiB,64x64x32,row,1,gemm,\"m=384 "
			 "n=256 k=512 dtype=bf16 layout-a=row layout-b=row "
			 "tile=64x64x32 order=row split-k=1 persistent=no "
			 "ctas-per-unit=0\",%llu,",
			 (unsigned long long)u(r, "l1", "accesses"));
		cr_assert(strstr(ta, want), "%s not in %.400s", want, ta);
		mw_results_destroy(r);
		free(hw);
	}
	/* 12 points; split-k=16 exceeds the 8 K tiles of BK=64: skipped */
	cr_assert_eq(rows, 1 + 9, "%zu rows", rows);
	free(ta);
	free(tb);
	th_remove(a);
	th_remove(b);
}
