/*
 * test_validate.c - measured rows against predictions (model/validate.h):
 * rows matched with an mw_run of their kernel on their machine (held to a
 * direct mw_run), cold and warm, one run per distinct prediction, error %
 * and the per-metric statistics against hand computations, every reason
 * a row is not predicted, the machine names, and an Nsight Compute
 * export as input.  Machines are h100-sxm shrunk with --set overrides.
 */
#include "helpers.h"
#include "hierarchy/hwconfig.h"
#include "model/kernel.h"
#include "model/measured.h"
#include "model/run.h"
#include "model/validate.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const small_sets[] = {"machine.units=4", "l2.size=256KiB"};

#define GEMM "--m 128 --n 128 --k 256 --tile 64x64x32 --order row"

static const char fixture[] =
	"case,kernel,params,launch,metric,measured,unit,cache_control,gpu,"
	"tag,note\n"
	"g1,gemm," GEMM ",*,dram__bytes_read.sum,100000,byte,all,H100 SXM,,\n"
	"g1,gemm," GEMM ",*,dram__sectors_write.sum,1000,sector,all,H100 "
	"SXM,,\n"
	"g1,gemm," GEMM ",*,gpu__time_duration.sum,2,us,all,H100 SXM,,\n"
	"g1,gemm," GEMM ",*,lts__t_sectors_srcunit_tex_op_read.sum,"
	"10000,sector,all,H100 SXM,,\n"
	"g1,gemm," GEMM ",0:mwk_gemm,dram__bytes_read.sum,100000,byte,all,"
	"H100 SXM,,\n"
	"g1,gemm," GEMM ",*,dram__bytes_read.sum,120000,byte,none,H100 SXM,,\n"
	"g2,gemm," GEMM ",*,dram__bytes.sum,0,byte,all,H100 SXM,,\n"
	"r1,gemm," GEMM ",*,dram__bytes_read.sum,1,byte,all,H100 SXM,R,\n"
	"n1,gemm," GEMM ",*,hbm_bytes,1,GB,all,A100,paper,forward + backward; "
	"not "
	"comparable until a backward pass is modelled\n"
	"c1,chase,--working-set 4096,*,latency_per_load,1.5,ns,,H100 SXM,,\n"
	"u1,gemm," GEMM ",*,l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum,"
	"5,,all,H100 SXM,,\n"
	"p1,gemm," GEMM ",*,dram__bytes_read.sum,1,byte,all,H100 PCIe 80GB,,\n"
	"b1,gemm,--m 128 --tile 3x3,*,dram__bytes_read.sum,1,byte,all,H100 "
	"SXM,,\n"
	"z1,gemm,--m 65536 --n 65536 --k 65536,*,dram__bytes_read.sum,1,"
	"byte,all,H100 SXM,,\n";

static struct mw_measured *load_text(const char *text, char **path)
{
	struct mw_diag d;
	struct mw_measured *m;

	*path = th_temp_file(".csv", text, strlen(text));
	m = mw_measured_load(*path, NULL, &d);
	cr_assert_not_null(m, "%s", d.msg);
	return m;
}

/* Validates m with the --set overrides sets[0..nsets-1]. */
static struct mw_validate *run_with(const struct mw_measured *m,
				    const char *const *sets, size_t nsets,
				    uint64_t max_records)
{
	struct mw_validate_opts o;
	struct mw_validate *v;
	struct mw_diag d;

	mw_validate_opts_init(&o);
	o.sets = sets;
	o.nsets = nsets;
	o.max_records = max_records;
	v = mw_validate_run(m, &o, &d);
	cr_assert_not_null(v, "%s", d.msg);
	return v;
}

static struct mw_validate *run_small(const struct mw_measured *m,
				     uint64_t max_records)
{
	return run_with(m, small_sets, 2, max_records);
}

/* The results of a direct mw_run of the fixture's gemm. */
static struct mw_results *direct_run(bool warm)
{
	struct mw_hw_cfg *c = malloc(sizeof(*c));
	struct mw_kernel *k;
	struct mw_results *r = mw_results_create();
	struct mw_run_opts o;
	struct mw_diag d;

	cr_assert(c && r);
	cr_assert_eq(mw_hw_preset(c, "h100-sxm", &d), 0);
	cr_assert_eq(mw_hw_set(c, small_sets[0], &d), 0);
	cr_assert_eq(mw_hw_set(c, small_sets[1], &d), 0);
	cr_assert_eq(mw_hw_validate(c, &d), 0);
	k = mw_kernel_create("gemm", &d);
	cr_assert_not_null(k);
	cr_assert_eq(mw_kernel_set(k, "m", "128", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "n", "128", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "k", "256", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "tile", "64x64x32", &d), 0);
	cr_assert_eq(mw_kernel_set(k, "order", "row", &d), 0);
	mw_run_opts_init(&o);
	o.warm = warm;
	cr_assert_eq(mw_run(k, c, &o, r, &d), 0, "%s", d.msg);
	mw_kernel_destroy(k);
	free(c);
	return r;
}

static double res(const struct mw_results *r, const char *scope,
		  const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	cr_assert_not_null(x, "%s.%s", scope, metric);
	return x->kind == MW_RESULT_U64 ? (double)x->u : x->f;
}

static const struct mw_validate_row *find(const struct mw_validate *v,
					  const char *c, const char *metric,
					  const char *cache, const char *launch)
{
	size_t i;

	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);

		if (!strcmp(x->m->case_name, c) &&
		    !strcmp(x->m->metric, metric) &&
		    !strcmp(x->m->cache_control, cache) &&
		    !strcmp(x->m->launch, launch))
			return x;
	}
	cr_assert_fail("no row %s %s %s", c, metric, cache);
	return NULL;
}

static double pct(double pred, double meas)
{
	return 100.0 * (pred - meas) / meas;
}

Test(validate, rows_match_direct_runs)
{
	char *path;
	struct mw_measured *m = load_text(fixture, &path);
	struct mw_validate *v = run_small(m, 1000000);
	struct mw_results *cold = direct_run(false), *warm = direct_run(true);
	const struct mw_validate_row *x;
	double rd = res(cold, "memory", "bytes_read");
	double wr = res(cold, "memory", "bytes_written");

	cr_assert_eq(mw_validate_count(v), mw_measured_count(m));
	/* cold, warm, and the "too large" row's bounds only */
	cr_assert_eq(mw_validate_runs(v), 2);
	cr_assert_eq(mw_validate_compared(v), 6);

	x = find(v, "g1", "dram__bytes_read.sum", "all", "*");
	cr_assert_null(x->reason, "%s", x->reason);
	cr_assert_str_eq(x->hw, "h100-sxm");
	cr_assert_str_eq(x->predicted_name, "memory.bytes_read");
	cr_assert_float_eq(x->predicted, rd, 0);
	cr_assert_float_eq(x->measured, 100000, 0);
	cr_assert_float_eq(x->error_pct, pct(rd, 100000), 1e-9);

	x = find(v, "g1", "dram__sectors_write.sum", "all", "*");
	cr_assert_float_eq(x->measured, 32000, 0);
	cr_assert_float_eq(x->predicted, wr, 0);

	x = find(v, "g1", "gpu__time_duration.sum", "all", "*");
	cr_assert_str_eq(x->unit, "ns");
	cr_assert_float_eq(x->measured, 2000, 1e-9);
	cr_assert_float_eq(x->predicted, res(cold, "time", "total_ns"), 0);

	x = find(v, "g1", "lts__t_sectors_srcunit_tex_op_read.sum", "all", "*");
	cr_assert_float_eq(x->measured, 320000, 0);
	cr_assert_float_eq(x->predicted,
			   res(cold, "l1", "reads.bytes_from_below"), 0);

	x = find(v, "g1", "dram__bytes_read.sum", "none", "*");
	cr_assert_null(x->reason);
	cr_assert_float_eq(x->predicted, res(warm, "memory", "bytes_read"), 0);
	/* the L2 (256 KiB) holds the 192 KiB of inputs: the warm pass reads
	   less than the cold one */
	cr_assert_lt(x->predicted, rd);

	x = find(v, "g2", "dram__bytes.sum", "all", "*");
	cr_assert_null(x->reason);
	cr_assert_float_eq(x->predicted, rd + wr, 0);
	cr_assert(isnan(x->error_pct)); /* measured 0 */

	mw_results_destroy(cold);
	mw_results_destroy(warm);
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	th_remove(path);
}

Test(validate, statistics)
{
	char *path;
	struct mw_measured *m = load_text(fixture, &path);
	struct mw_validate *v = run_small(m, 1000000);
	const struct mw_validate_row *a, *b;
	const struct mw_validate_stat *s = NULL;
	size_t i;

	a = find(v, "g1", "dram__bytes_read.sum", "all", "*");
	b = find(v, "g1", "dram__bytes_read.sum", "none", "*");
	/* g2's zero and the not-predicted rows are left out */
	for (i = 0; i < mw_validate_nstats(v); i++) {
		s = mw_validate_stat(v, i);
		if (!strcmp(s->metric, "dram__bytes_read.sum"))
			break;
	}
	cr_assert_lt(i, mw_validate_nstats(v));
	cr_assert_eq(s->rows, 2);
	cr_assert_float_eq(s->mean_abs_pct,
			   (fabs(a->error_pct) + fabs(b->error_pct)) / 2, 1e-9);
	cr_assert_float_eq(s->mean_pct, (a->error_pct + b->error_pct) / 2,
			   1e-9);
	cr_assert(mw_validate_row(v, s->worst) ==
		  (fabs(a->error_pct) >= fabs(b->error_pct) ? a : b));
	cr_assert_str_eq(mw_validate_stat(v, 0)->metric, "dram__bytes_read."
							 "sum");
	for (i = 0; i < mw_validate_nstats(v); i++)
		cr_assert_neq(strcmp(mw_validate_stat(v, i)->metric, "dram__"
								     "bytes."
								     "sum"),
			      0);
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	th_remove(path);
}

Test(validate, reasons)
{
	static const struct {
		const char *c, *metric, *launch, *want;
	} want[] = {
		{"g1", "dram__bytes_read.sum", "0:mwk_gemm", "one launch"},
		{"r1", "dram__bytes_read.sum", "*", "[R] fact"},
		{"n1", "hbm_bytes", "*",
		 "marked not comparable: not comparable until a backward"},
		{"c1", "latency_per_load", "*", "no memwall kernel 'chase'"},
		{"u1", "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum", "*",
		 "no memwall result for"},
		{"p1", "dram__bytes_read.sum", "*",
		 "no preset for machine 'H100 PCIe 80GB'"},
		{"b1", "dram__bytes_read.sum", "*", "params: tile"},
		{"z1", "dram__bytes_read.sum", "*", "too large to simulate"},
	};
	char *path;
	struct mw_measured *m = load_text(fixture, &path);
	struct mw_validate *v = run_small(m, 1000000);
	size_t i, n = 0;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct mw_validate_row *x = find(
			v, want[i].c, want[i].metric,
			!strcmp(want[i].c, "c1") ? "" : "all", want[i].launch);

		cr_assert_not_null(x->reason, "%s", want[i].c);
		cr_assert(strstr(x->reason, want[i].want), "%s: '%s'",
			  want[i].c, x->reason);
	}
	for (i = 0; i < mw_validate_count(v); i++)
		n += mw_validate_row(v, i)->reason != NULL;
	cr_assert_eq(n, 8);
	cr_assert_eq(mw_validate_compared(v) + n, mw_validate_count(v));
	/* grouped by (case, cache control): g1 cold, g1 warm, g2 ... */
	cr_assert_str_eq(mw_validate_row(v, 0)->m->case_name, "g1");
	cr_assert_str_eq(mw_validate_row(v, 5)->m->cache_control, "none");
	cr_assert_eq(mw_validate_row(v, 5)->group, 1);
	cr_assert_str_eq(mw_validate_row(v, 6)->m->case_name, "g2");
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	th_remove(path);
}

Test(validate, hw_option_wins)
{
	char *path;
	struct mw_measured *m = load_text(fixture, &path);
	struct mw_validate_opts o;
	struct mw_validate *v;
	struct mw_diag d;
	const struct mw_validate_row *x;

	mw_validate_opts_init(&o);
	o.hw = "h200";
	o.sets = small_sets;
	o.nsets = 2;
	o.max_records = 1000000;
	v = mw_validate_run(m, &o, &d);
	cr_assert_not_null(v, "%s", d.msg);
	x = find(v, "p1", "dram__bytes_read.sum", "all", "*");
	cr_assert_null(x->reason, "%s", x->reason);
	cr_assert_str_eq(x->hw, "h200");
	mw_validate_destroy(v);

	o.hw = "no-such-machine";
	cr_assert_null(mw_validate_run(m, &o, &d));
	cr_assert_neq(d.code, 0);
	o.hw = NULL;
	{
		const char *bad[] = {"l2.size=banana"};

		o.sets = bad;
		o.nsets = 1;
		cr_assert_null(mw_validate_run(m, &o, &d));
		cr_assert_eq(d.code, MW_ECONFIG);
	}
	mw_measured_destroy(m);
	th_remove(path);
}

Test(validate, preset_names)
{
	cr_assert_str_eq(mw_validate_preset("H100 SXM"), "h100-sxm");
	cr_assert_str_eq(mw_validate_preset("H100 SXM 80GB"), "h100-sxm");
	cr_assert_str_eq(mw_validate_preset("NVIDIA H100 80GB HBM3"), "h100-"
								      "sxm");
	cr_assert_str_eq(mw_validate_preset("NVIDIA H200"), "h200");
	cr_assert_str_eq(mw_validate_preset("h200"), "h200");
	cr_assert_str_eq(mw_validate_preset("A100 80GB"), "a100-80g");
	cr_assert_str_eq(mw_validate_preset("A100-SXM4-80GB"), "a100-80g");
	cr_assert_str_eq(mw_validate_preset("NVIDIA A100-SXM4-80GB"), "a100-"
								      "80g");
	cr_assert_str_eq(mw_validate_preset("MI300X"), "mi300x");
	cr_assert_str_eq(mw_validate_preset("AMD Instinct MI300X"), "mi300x");
	cr_assert_str_eq(mw_validate_preset("Intel(R) Xeon(R) Processor"), "cpu"
									   "-ho"
									   "s"
									   "t");
	cr_assert_null(mw_validate_preset("H100 PCIe 80GB"));
	cr_assert_null(mw_validate_preset("A100 40GB"));
	cr_assert_null(mw_validate_preset(""));
	cr_assert_null(mw_validate_preset(NULL));
}

Test(validate, derived_predictions)
{
	struct mw_results *r = mw_results_create();
	struct mw_metric_map map = {"x", 1, "memory", "bytes", "byte"};
	double v;

	mw_results_add_u64(r, "memory", "bytes_read", 300);
	mw_results_add_u64(r, "memory", "bytes_written", 100);
	mw_results_add_f64(r, "time", "memory_ns", 2);
	mw_results_add_u64(r, "L1", "reads.bytes_from_below", 1000);
	mw_results_add_u64(r, "L1", "bytes_to_below", 64);
	mw_results_add_u64(r, "L2", "reads.bytes_from_below", 250);
	mw_results_add_u64(r, "bounds", "no_reuse_read_bytes", 4000);
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 400, 0);
	map.metric = "effective_bandwidth";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 400 / 2e-9, 1e-3);
	map.scope = "l2";
	map.metric = "read_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 1000, 0);
	map.metric = "read_hit_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 750, 0);
	map.metric = "read_miss_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 250, 0);
	map.metric = "read_hit_rate";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 0.75, 1e-12);
	map.metric = "write_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 64, 0);
	map.metric = "write_hit_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), -1);
	cr_assert_eq(mw_validate_predict(r, &map, "L1", NULL, &v), -1);
	map.scope = "l1";
	map.metric = "read_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 4000, 0);
	map.metric = "read_hit_bytes";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 3000, 0);
	map.metric = "hit_rate";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 0.75, 1e-12);
	map.scope = "time";
	map.metric = "total_ns";
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), -1);
	mw_results_add_f64(r, "time", "total_ns", 7.5);
	cr_assert_eq(mw_validate_predict(r, &map, "L1", "L2", &v), 0);
	cr_assert_float_eq(v, 7.5, 0);
	/* every entry of the map is one the function knows how to compute
	   or look up: none may fall through as an unknown derived name */
	{
		const struct mw_metric_map *e;

		for (e = mw_metric_map_table(); e->measured; e++)
			cr_assert(!strcmp(e->scope, "memory") ||
					  !strcmp(e->scope, "l1") ||
					  !strcmp(e->scope, "l2") ||
					  !strcmp(e->scope, "time"),
				  "%s", e->measured);
	}
	mw_results_destroy(r);
}

/* An ncu --page raw export, described with the measured-data options. */
Test(validate, ncu_export)
{
	struct mw_measured_opts mo = {
		"ncu-gemm",
		"gemm",
		GEMM,
		"all",
	};
	struct mw_validate_opts o;
	struct mw_measured *m;
	struct mw_validate *v;
	struct mw_results *cold = direct_run(false);
	struct mw_diag d;
	const struct mw_validate_row *x;
	size_t i, star = 0;

	m = mw_measured_load("tests/data/ncu/raw-units.csv", &mo, &d);
	cr_assert_not_null(m, "%s", d.msg);
	mw_validate_opts_init(&o);
	o.hw = "h100-sxm";
	o.sets = small_sets;
	o.nsets = 2;
	v = mw_validate_run(m, &o, &d);
	cr_assert_not_null(v, "%s", d.msg);
	cr_assert_eq(mw_validate_runs(v), 1);
	for (i = 0; i < mw_validate_count(v); i++) {
		x = mw_validate_row(v, i);
		if (strcmp(x->m->launch, "*")) {
			cr_assert(strstr(x->reason, "one launch"));
			continue;
		}
		star++;
		if (!strcmp(x->m->metric, "dram__bytes_read.sum")) {
			cr_assert_null(x->reason);
			cr_assert_float_eq(x->predicted,
					   res(cold, "memory", "bytes_read"),
					   0);
			/* two launches summed: 536.87 + 140.12 MB */
			cr_assert_float_eq(x->measured, 676.99e6, 1);
		}
	}
	cr_assert_gt(star, 0);
	cr_assert_gt(mw_validate_compared(v), 0);
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	mw_results_destroy(cold);
}

/* The committed data files: every row accounted for, none silently
   dropped. */
Test(validate, committed_cpu_data)
{
	struct mw_diag d;
	struct mw_measured *m =
		mw_measured_load("validation/data/cpu-measured.csv", NULL, &d);
	struct mw_validate *v;
	size_t i;

	cr_assert_not_null(m, "%s", d.msg);
	v = run_small(m, 1000000);
	cr_assert_eq(mw_validate_count(v), mw_measured_count(m));
	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);

		cr_assert_not_null(x->reason);
		cr_assert(strstr(x->reason, "no memwall kernel"), "%s",
			  x->reason);
	}
	mw_validate_destroy(v);
	mw_measured_destroy(m);
}

/* Published copies name kernel copy: it is stream --op copy, compared as
   memory.effective_bandwidth (the preset's peak in counting mode). */
Test(validate, copy_bandwidth)
{
	static const char text[] =
		"case,kernel,params,metric,measured,unit,gpu\n"
		"c,copy,--bytes 1MiB,copy_bandwidth,3.0,TB/s,H100 SXM\n"
		"t,stream,--op triad --bytes 1MiB,triad_bandwidth,2.97,TB/s,"
		"H100 SXM\n"
		"x,stream,--op dram-plateau,dram_plateau_bandwidth,1.9,TB/s,"
		"H100 SXM\n"
		"y,stream,--op nstream,triad_bandwidth,1.9,TB/s,H100 SXM\n";
	char *path;
	/* counting mode: the presets' timing model is checked elsewhere; here
	   the prediction must be exactly the bytes at the 3352 GB/s peak */
	static const char *const sets[] = {"machine.units=4", "l2.size=256KiB",
					   "memory.timing=off"};
	struct mw_measured *m = load_text(text, &path);
	struct mw_validate *v = run_with(m, sets, 3, 1000000);
	const struct mw_validate_row *x;

	x = mw_validate_row(v, 0);
	cr_assert_null(x->reason, "%s", x->reason);
	cr_assert_str_eq(x->predicted_name, "memory.effective_bandwidth");
	cr_assert_float_eq(x->measured, 3.0e12, 1);
	cr_assert_float_eq(x->predicted, 3352e9, 1e3);
	cr_assert_float_eq(x->error_pct, 100.0 * (3352e9 - 3e12) / 3e12, 1e-6);
	x = mw_validate_row(v, 1);
	cr_assert_null(x->reason, "%s", x->reason);
	cr_assert_float_eq(x->predicted, 3352e9, 1e3);
	cr_assert(strstr(mw_validate_row(v, 2)->reason, "L2-bench"));
	cr_assert(strstr(mw_validate_row(v, 3)->reason, "params: op"), "%s",
		  mw_validate_row(v, 3)->reason);
	cr_assert_eq(mw_validate_runs(v), 2);
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	th_remove(path);
}

/* published.csv as committed: with a record limit of 1 nothing runs, and
   every row stops at a reason; none of them may be a parameter the
   kernels refuse (each row's params are memwall options). */
Test(validate, committed_published_data)
{
	struct mw_diag d;
	struct mw_measured *m =
		mw_measured_load("validation/data/published.csv", NULL, &d);
	struct mw_validate *v;
	size_t i, too_large = 0;

	struct mw_validate_opts o;

	cr_assert_not_null(m, "%s", d.msg);
	/* the presets as they are (the shrinking sets fit h100-sxm only) */
	mw_validate_opts_init(&o);
	o.max_records = 1;
	v = mw_validate_run(m, &o, &d);
	cr_assert_not_null(v, "%s", d.msg);
	cr_assert_eq(mw_validate_count(v), mw_measured_count(m));
	cr_assert_eq(mw_validate_runs(v), 0);
	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);

		cr_assert_not_null(x->reason);
		cr_assert_null(strstr(x->reason, "params:"), "%s: %s",
			       x->m->case_name, x->reason);
		too_large += strstr(x->reason, "too large") != NULL;
	}
	/* 27 streams and copies, 2 LLMCompass GEMMs */
	cr_assert_eq(too_large, 29);
	mw_validate_destroy(v);
	mw_measured_destroy(m);
}
