/*
 * test_measured.c - measured data: memwall's layout (its pitfalls: units
 * row, thousands separators, units inside cells, extra rule columns,
 * missing columns), ncu exports through model/ncu.h, the CSV
 * validation/gpu/run.sh writes, the committed published.csv, parameters
 * and argument vectors, and a seeded random round trip.
 */
#include "common/alloc.h"
#include "common/hash.h"
#include "model/measured.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA "tests/data/measured/"

static struct mw_measured *load(const char *path,
				const struct mw_measured_opts *o)
{
	struct mw_diag d;
	struct mw_measured *m = mw_measured_load(path, o, &d);

	cr_assert_not_null(m, "%s: %s (line %llu)", path, d.msg,
			   (unsigned long long)d.line);
	return m;
}

/* The row of case c, launch l, metric name (and cache control cc). */
static const struct mw_measured_row *find(const struct mw_measured *m,
					  const char *c, const char *l,
					  const char *name, const char *cc)
{
	size_t i;

	for (i = 0; i < mw_measured_count(m); i++) {
		const struct mw_measured_row *r = mw_measured_row(m, i);

		if (!strcmp(r->case_name, c) && !strcmp(r->launch, l) &&
		    !strcmp(r->metric, name) &&
		    (!cc || !strcmp(r->cache_control, cc)))
			return r;
	}
	cr_assert_fail("no row %s %s %s", c, l, name);
	return NULL;
}

Test(measured, pitfalls_of_our_layout)
{
	struct mw_measured *m = load(DATA "pitfalls.csv", NULL);
	const struct mw_measured_row *r;

	cr_assert_eq(mw_measured_from_ncu(m), 0);
	cr_assert_eq(mw_measured_count(m), 7);
	r = find(m, "g1", "*", "dram__bytes_read.sum", "all");
	cr_assert_float_eq(r->value, 1610612736.0, 1e-3);
	cr_assert_str_eq(r->unit, "byte");
	cr_assert_str_eq(r->kernel, "gemm");
	cr_assert_str_eq(mw_measured_param(r, "order"), "grouped:8");
	cr_assert_str_eq(mw_measured_param(r, "k"), "8192");
	cr_assert_null(mw_measured_param(r, "tile"));
	cr_assert_str_eq(mw_measured_attr(r, "Rule Name"), "SOLBottleneck");
	cr_assert_str_eq(mw_measured_attr(r, "Rule Description"), "memory-"
								  "bound, look "
								  "at L2");
	cr_assert_null(mw_measured_attr(r, "unit"), "known columns are no "
						    "attributes");
	cr_assert_eq(r->line, 4);
	r = find(m, "g1", "*", "gpu__time_duration.sum", NULL);
	cr_assert_float_eq(r->value, 2480.5e-6, 1e-15);
	cr_assert_str_eq(r->unit, "second");
	r = find(m, "c1", "*", "copy_bandwidth", "none");
	cr_assert_float_eq(r->value, 4.01e12, 1);
	cr_assert_str_eq(r->unit, "byte/second");
	r = find(m, "l1", "*", "time", "");
	cr_assert_float_eq(r->value, 0.19e-3, 1e-15);
	r = find(m, "f1", "*", "hbm_bytes", NULL);
	cr_assert_float_eq(r->value, 4.4e9, 1);
	cr_assert_str_eq(mw_measured_param(r, "causal"), "");
	cr_assert_str_eq(mw_measured_param(r, "heads"), "16");
	r = find(m, "a1", "*", "l1tex__t_sector_hit_rate.pct", NULL);
	cr_assert_float_eq(r->value, 0.455, 1e-12);
	cr_assert_str_eq(r->unit, "fraction");
	r = find(m, "a1", "*", "lts__t_sectors_srcunit_tex_op_read.sum", NULL);
	cr_assert_float_eq(r->value, 50331648.0, 1e-6);
	cr_assert_str_eq(r->unit, "sector");
	mw_measured_destroy(m);
}

Test(measured, units_row_and_missing_optional_columns)
{
	struct mw_measured *m = load(DATA "units-row.csv", NULL);
	const struct mw_measured_row *r;

	cr_assert_eq(mw_measured_count(m), 2);
	r = find(m, "s1", "*", "copy_bandwidth", "");
	cr_assert_float_eq(r->value, 3e12, 1, "units row gives GB/s");
	r = find(m, "s2", "*", "copy_bandwidth", "");
	cr_assert_float_eq(r->value, 3.1e12, 1, "own unit wins");
	mw_measured_destroy(m);

	m = load(DATA "missing-unit-col.csv", NULL);
	r = mw_measured_row(m, 0);
	cr_assert_str_eq(r->unit, "");
	cr_assert_str_eq(r->launch, "*");
	cr_assert_eq(r->nparams, 0);
	cr_assert_float_eq(r->value, 2, 1e-12);
	mw_measured_destroy(m);
}

Test(measured, gzip_input)
{
	static const char text[] = "case,kernel,metric,measured,unit\n"
				   "x,copy,copy_bandwidth,\"1,000\",GB/s\n";
	char *p = th_temp_gz(".csv.gz", text, strlen(text));
	struct mw_measured *m = load(p, NULL);

	cr_assert_float_eq(mw_measured_row(m, 0)->value, 1e12, 1);
	mw_measured_destroy(m);
	th_remove(p);
}

/* The file validation/gpu/test-harness.sh produced with stand-in tools. */
Test(measured, gpu_harness_output)
{
	struct mw_measured *m = load(DATA "gpu-standin.csv", NULL);
	const struct mw_measured_row *r;
	char **argv;
	int argc;

	cr_assert_eq(mw_measured_count(m), 76);
	r = find(m, "gemm-a", "*", "dram__bytes_read.sum", "all");
	cr_assert_float_eq(r->value, 1610612736.0, 1e-3);
	cr_assert_str_eq(mw_measured_attr(r, "gpu"), "NVIDIA H200");
	cr_assert_str_eq(mw_measured_attr(r, "ncu"), "2025.1.0.0");
	cr_assert(strstr(mw_measured_attr(r, "command"), "--cache-control "
							 "all"));
	r = find(m, "gemm-a", "*", "gpu__time_duration.sum", "none");
	cr_assert_float_eq(r->value, 2480512e-9, 1e-15);
	r = find(m, "decode-b", "*", "gpu__time_duration.sum", "none");
	cr_assert_float_eq(r->value, 2483712e-9, 1e-15, "sum of 2 launches");
	r = find(m, "decode-b", "4:mwk_second",
		 "lts__t_sectors_srcunit_tex_"
		 "op_write.sum",
		 "all");
	cr_assert_float_eq(r->value, 128, 1e-12);
	r = find(m, "gemm-a", "*", "l1tex__t_sector_hit_rate.pct", "all");
	cr_assert_float_eq(r->value, 0.455, 1e-12);

	cr_assert_eq(mw_measured_row_argv(r, &argv, &argc), 0);
	cr_assert_eq(argc, 11);
	cr_assert_str_eq(argv[0], "gemm");
	cr_assert_str_eq(argv[1], "--m");
	cr_assert_str_eq(argv[2], "8192");
	cr_assert_str_eq(argv[9], "--order");
	cr_assert_str_eq(argv[10], "grouped:8");
	cr_assert_null(argv[11]);
	mw_measured_argv_free(argv);
	mw_measured_destroy(m);
}

Test(measured, ncu_raw_export_with_a_case_description)
{
	struct mw_measured_opts o = {
		.ncu_case = "copy-1",
		.ncu_kernel = "copy",
		.ncu_params = "--bytes 512MiB",
		.ncu_cache_control = "all",
	};
	struct mw_measured *m = load("tests/data/ncu/raw-units.csv", &o);
	const struct mw_measured_row *r;
	size_t i, stars = 0;

	cr_assert_eq(mw_measured_from_ncu(m), 1);
	/* 2 launches x 5 metrics, plus "*" sums of the 4 .sum metrics */
	cr_assert_eq(mw_measured_count(m), 14);
	for (i = 0; i < mw_measured_count(m); i++) {
		r = mw_measured_row(m, i);
		stars += !strcmp(r->launch, "*");
		cr_assert_str_eq(r->case_name, "copy-1");
		cr_assert_str_eq(r->kernel, "copy");
		cr_assert_str_eq(r->cache_control, "all");
		cr_assert_str_eq(mw_measured_param(r, "bytes"), "512MiB");
	}
	cr_assert_eq(stars, 4);
	r = find(m, "copy-1", "0:copy_kernel", "dram__bytes_read.sum", NULL);
	cr_assert_float_eq(r->value, 536.87e6, 1e-3);
	cr_assert_str_eq(r->unit, "byte");
	cr_assert_str_eq(mw_measured_attr(r, "grid"), "(65536, 1, 1)");
	r = find(m, "copy-1", "*", "gpu__time_duration.sum", NULL);
	cr_assert_float_eq(r->value, 357.2e-6 + 1024e-6, 1e-15);
	cr_assert_str_eq(r->unit, "second");
	cr_assert_null(mw_measured_attr(r, "grid"));
	r = find(m, "copy-1", "1:flash_fwd_kernel",
		 "l1tex__t_sector_hit_rate.pct", NULL);
	cr_assert_float_eq(r->value, 0.455, 1e-12);
	cr_assert_str_eq(r->unit, "fraction");
	mw_measured_destroy(m);
}

Test(measured, ncu_long_export_bare)
{
	struct mw_measured *m = load("tests/data/ncu/details-long.csv", NULL);
	const struct mw_measured_row *r;

	r = find(m, "details-long.csv",
		 "0:matmul_kernel(float *, float *, "
		 "float *, int)",
		 "dram__bytes_read.sum", "");
	cr_assert_float_eq(r->value, 1.63e9, 1);
	cr_assert_str_eq(r->kernel, "matmul_kernel(float *, float *, float *, "
				    "int)");
	cr_assert_eq(r->nparams, 0);
	r = find(m, "details-long.csv", "*", "gpu__time_duration.sum", NULL);
	cr_assert_float_eq(r->value, 2.48e-3 + 2512.30e-6, 1e-15);
	mw_measured_destroy(m);
}

/* Every row of the committed published.csv reads, with its source. */
Test(measured, published_csv)
{
	struct mw_measured *m = load("validation/data/published.csv", NULL);
	const struct mw_measured_row *r;
	size_t i;

	cr_assert_geq(mw_measured_count(m), 40);
	for (i = 0; i < mw_measured_count(m); i++) {
		const char *tag;

		r = mw_measured_row(m, i);
		tag = mw_measured_attr(r, "tag");
		cr_assert(tag && (!strcmp(tag, "M") || !strcmp(tag, "P") ||
				  !strcmp(tag, "paper") || !strcmp(tag, "R")),
			  "%s: tag", r->case_name);
		cr_assert(*mw_measured_attr(r, "source"), "%s", r->case_name);
		cr_assert(*mw_measured_attr(r, "reference"), "%s",
			  r->case_name);
		cr_assert(r->value > 0 && isfinite(r->value));
	}
	r = find(m, "h200-babelstream-triad", "*", "triad_bandwidth", NULL);
	cr_assert_float_eq(r->value, 4.18e12, 1);
	r = find(m, "mi300x-babelstream-copy", "*", "copy_bandwidth", NULL);
	cr_assert_float_eq(r->value, 4.15e12, 1);
	r = find(m, "a100-llmcompass-gemm-64x12288x12288", "*", "time", NULL);
	cr_assert_float_eq(r->value, 0.19e-3, 1e-15);
	cr_assert_str_eq(mw_measured_param(r, "k"), "12288");
	r = find(m, "fa1-fig2-flashattention-hbm", "*", "hbm_bytes", NULL);
	cr_assert_float_eq(r->value, 4.4e9, 1);
	mw_measured_destroy(m);
}

static void expect_error(const char *text, uint64_t line, const char *why)
{
	char *p = th_temp_file(".csv", text, strlen(text));
	struct mw_diag d;

	mw_diag_clear(&d);
	cr_assert_null(mw_measured_load(p, NULL, &d), "loaded: %s", text);
	cr_assert_eq(d.line, line, "line %llu: %s", (unsigned long long)d.line,
		     d.msg);
	cr_assert(strstr(d.msg, why), "want '%s', got '%s'", why, d.msg);
	cr_assert(strstr(d.file, p) || !strcmp(d.file, p), "file %s", d.file);
	th_remove(p);
}

Test(measured, errors_name_line_and_reason)
{
	expect_error("case,kernel,metric\n", 1, "lacks the \"measured\"");
	expect_error("case,metric,measured\n", 1, "lacks the \"kernel\"");
	expect_error("case,kernel,metric,measured,case\n", 1, "twice");
	expect_error("case,kernel,metric,measured\n", 0, "no measurements");
	expect_error("case,kernel,metric,measured\nx,gemm,t,lots\n", 2,
		     "measured 'lots'");
	expect_error("case,kernel,metric,measured,unit\nx,gemm,t,3,furlong\n",
		     2, "unknown unit");
	expect_error("case,kernel,metric,measured,unit\nx,gemm,t,3 ms,s\n", 2,
		     "differs from the unit column");
	expect_error("case,kernel,metric,measured\n# c\nx,gemm,t\n", 3,
		     "3 fields where the header has 4");
	expect_error("case,kernel,metric,measured\nx,,t,1\n", 2,
		     "empty kernel");
	expect_error("case,kernel,metric,measured,params\nx,g,t,1,m 5\n", 2,
		     "params 'm 5'");
	expect_error("case,kernel,metric,measured,params\nx,g,t,1,--m 1 --m "
		     "2\n",
		     2, "twice");
	expect_error("case,kernel,metric,measured\nx,g,t,\"1\n", 2, "quote");
	expect_error("case,kernel,metric,measured,unit\n,,,parsec,\n", 2,
		     "units row: unknown unit 'parsec'");
	expect_error("what is this\n", 0, "neither a measured-data header");
	expect_error("", 0, "neither a measured-data header");
	expect_error("\"ID\",\"Kernel Name\",\"dram__bytes.sum\"\n"
		     "\"0\",\"k\",\"many\"\n",
		     2, "cannot read value 'many'");
}

Test(measured, values)
{
	static const struct {
		const char *text, *unit, *base;
		double want;
	} ok[] = {
		{"1,610,612,736", "byte", "byte", 1610612736.0},
		{"1.215.000,50", "byte", "byte", 1215000.5},
		{"0,5", "Kbyte", "byte", 500},
		{"4.01 TB/s", "", "byte/second", 4.01e12},
		{"4.01 TB/s", "TB/s", "byte/second", 4.01e12},
		{"0.1900ms", NULL, "second", 0.19e-3},
		{"357.2", "usecond", "second", 357.2e-6},
		{"3", "Gbyte/second", "byte/second", 3e9},
		{"2", "GiB", "byte", 2147483648.0},
		{"45.5", "%", "fraction", 0.455},
		{"1e3", "sector", "sector", 1000},
		{"-2.5E-3", "s", "second", -2.5e-3},
		{"279.2160Tflops", "", "flop/second", 279.216e12},
		{"  12  ", "", "", 12},
	};
	static const char *const bad[][2] = {
		{"", ""},      {"n/a", "byte"}, {"1..2", ""}, {"12", "parsec"},
		{"1e999", ""}, {"3 ms", "s"},	{"e5", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		double v = 0;
		const char *base = NULL, *why = NULL;

		cr_assert_eq(mw_measured_value(ok[i].text, ok[i].unit, &v,
					       &base, &why),
			     0, "%s %s: %s", ok[i].text, ok[i].unit, why);
		cr_assert_float_eq(v, ok[i].want, fabs(ok[i].want) * 1e-12,
				   "%s: %g", ok[i].text, v);
		cr_assert_str_eq(base, ok[i].base, "%s", ok[i].text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double v;
		const char *base, *why = NULL;

		cr_assert_eq(mw_measured_value(bad[i][0], bad[i][1], &v, &base,
					       &why),
			     MW_EPARSE, "'%s' '%s' accepted", bad[i][0],
			     bad[i][1]);
		cr_assert_not_null(why);
	}
}

Test(measured, params)
{
	struct mw_measured_kv *kv;
	size_t n;
	const char *why = NULL;

	cr_assert_eq(mw_measured_params_parse("  --m 8192 --causal --order "
					      "grouped:8 tile=128x128x64 "
					      "--seq=4096",
					      &kv, &n, &why),
		     0, "%s", why);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(kv[0].key, "m");
	cr_assert_str_eq(kv[0].value, "8192");
	cr_assert_str_eq(kv[1].key, "causal");
	cr_assert_str_eq(kv[1].value, "");
	cr_assert_str_eq(kv[2].value, "grouped:8");
	cr_assert_str_eq(kv[3].key, "tile");
	cr_assert_str_eq(kv[3].value, "128x128x64");
	cr_assert_str_eq(kv[4].key, "seq");
	cr_assert_str_eq(kv[4].value, "4096");
	mw_measured_kv_free(kv, n);
	cr_assert_eq(mw_measured_params_parse("", &kv, &n, &why), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(mw_measured_params_parse(NULL, &kv, &n, &why), 0);
	cr_assert_eq(mw_measured_params_parse("8192", &kv, &n, &why),
		     MW_EPARSE);
	cr_assert_eq(mw_measured_params_parse("--m 1 m=2", &kv, &n, &why),
		     MW_EPARSE);
	cr_assert_eq(mw_measured_params_parse("=3", &kv, &n, &why), MW_EPARSE);
	cr_assert_eq(mw_measured_params_parse("--", &kv, &n, &why), MW_EPARSE);
}

Test(measured, metric_map)
{
	const struct mw_metric_map *e = mw_metric_map_table(), *x;
	size_t n = 0;

	for (; e->measured; e++, n++) {
		x = mw_metric_map_find(e->measured);
		cr_assert_not_null(x);
		cr_assert(x->scale > 0 && x->scope && x->metric && x->unit);
	}
	cr_assert_geq(n, 20);
	x = mw_metric_map_find("lts__t_sectors_srcunit_tex_op_read.sum");
	cr_assert_float_eq(x->scale, 32, 0);
	cr_assert_str_eq(x->scope, "l2");
	x = mw_metric_map_find("gpu__time_duration.sum");
	cr_assert_float_eq(x->scale, 1e9, 0);
	cr_assert_str_eq(x->metric, "total_ns");
	cr_assert_null(mw_metric_map_find("latency_per_load"));
	x = mw_metric_map_find("triad_bandwidth");
	cr_assert_str_eq(x->metric, "effective_bandwidth");
}

/*
 * Seeded random round trip: rows written with random formatting
 * (thousands separators, SI and IEC prefixes, units in the cell or the
 * column, random column order, extra columns) read back as written.
 */
Test(measured, random_round_trip)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = {
		{"byte", 1},	       {"Kbyte", 1e3},	  {"MB", 1e6},
		{"GiB", 1073741824.0}, {"nsecond", 1e-9}, {"ms", 1e-3},
		{"%", 0.01},	       {"TB/s", 1e12},	  {"", 1},
	};
	static const char *const cols[] = {"case",     "kernel", "metric",
					   "measured", "unit",	 "params",
					   "extra"};
	struct mw_rng rng;
	int round;

	mw_rng_seed(&rng, 20261204);
	for (round = 0; round < 20; round++) {
		int order[7], i, j, nrows = 1 + (int)mw_rng_below(&rng, 40);
		double want[40];
		size_t cap = 1 << 16, len = 0;
		char *text = mw_malloc(cap), *p;
		struct mw_measured *m;

		for (i = 0; i < 7; i++)
			order[i] = i;
		for (i = 6; i > 0; i--) {
			j = (int)mw_rng_below(&rng, (uint64_t)i + 1);
			int t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < 7; i++)
			len += (size_t)snprintf(text + len, cap - len, "%s%s",
						i ? "," : "", cols[order[i]]);
		len += (size_t)snprintf(text + len, cap - len, "\n");
		for (i = 0; i < nrows; i++) {
			uint64_t whole = mw_rng_below(&rng, 5000000000ull);
			unsigned frac = (unsigned)mw_rng_below(&rng, 100);
			int u = (int)mw_rng_below(&rng, 9);
			int sep = (int)mw_rng_below(&rng, 2);
			int incell = (int)mw_rng_below(&rng, 2);
			char num[64], grouped[96];
			size_t k, g = 0, nd;

			snprintf(num, sizeof(num), "%llu",
				 (unsigned long long)whole);
			nd = strlen(num);
			for (k = 0; k < nd; k++) {
				if (sep && k && (nd - k) % 3 == 0)
					grouped[g++] = ',';
				grouped[g++] = num[k];
			}
			grouped[g] = '\0';
			want[i] =
				((double)whole + frac / 100.0) * units[u].scale;
			for (j = 0; j < 7; j++) {
				int c = order[j];

				len += (size_t)snprintf(text + len, cap - len,
							"%s", j ? "," : "");
				if (c == 0)
					len += (size_t)snprintf(text + len,
								cap - len,
								"r%d", i);
				else if (c == 1)
					len += (size_t)snprintf(
						text + len, cap - len, "gemm");
				else if (c == 2)
					len += (size_t)snprintf(text + len,
								cap - len,
								"m%d", i % 3);
				else if (c == 3)
					len += (size_t)snprintf(
						text + len, cap - len,
						"\"%s.%02u%s%s\"", grouped,
						frac, incell ? " " : "",
						incell ? units[u].unit : "");
				else if (c == 4)
					len += (size_t)snprintf(
						text + len, cap - len, "%s",
						incell ? "" : units[u].unit);
				else if (c == 5)
					len += (size_t)snprintf(
						text + len, cap - len,
						"--m %d --order grouped:%d",
						i + 1, i % 4 + 1);
				else
					len += (size_t)snprintf(text + len,
								cap - len,
								"\"x,%d\"", i);
			}
			len += (size_t)snprintf(text + len, cap - len, "\n");
		}
		p = th_temp_file(".csv", text, len);
		m = load(p, NULL);
		cr_assert_eq(mw_measured_count(m), (size_t)nrows);
		for (i = 0; i < nrows; i++) {
			const struct mw_measured_row *r = mw_measured_row(m, i);
			char name[16], extra[16];

			snprintf(name, sizeof(name), "r%d", i);
			snprintf(extra, sizeof(extra), "x,%d", i);
			cr_assert_str_eq(r->case_name, name);
			cr_assert_float_eq(r->value, want[i],
					   fabs(want[i]) * 1e-12 + 1e-300,
					   "round %d row %d: %.17g vs %.17g",
					   round, i, r->value, want[i]);
			cr_assert_str_eq(mw_measured_attr(r, "extra"), extra);
			cr_assert_eq(atoi(mw_measured_param(r, "m")), i + 1);
		}
		mw_measured_destroy(m);
		th_remove(p);
		mw_free(text);
	}
}

/* Every allocation failing in turn: NULL with ENOMEM, never a crash. */
Test(measured, allocation_failures)
{
	long k;

	for (k = 0; k < 400; k++) {
		struct mw_diag d;
		struct mw_measured *m;

		mw_alloc_fail_after(k);
		m = mw_measured_load(DATA "pitfalls.csv", NULL, &d);
		mw_alloc_fail_after(-1);
		if (m) {
			cr_assert_eq(mw_measured_count(m), 7);
			mw_measured_destroy(m);
			break;
		}
		cr_assert(d.code == MW_ENOMEM || d.code == MW_EIO, "k %ld: %s",
			  k, d.msg);
	}
	cr_assert_lt(k, 400, "never succeeded");
}

/* The CPU measurements, converted by validation/cpu/to-measured.sh. */
Test(measured, cpu_measured_csv)
{
	struct mw_measured *m = load("validation/data/cpu-measured.csv", NULL);
	const struct mw_measured_row *r;

	cr_assert_eq(mw_measured_count(m), 80);
	r = find(m, "chase-4096", "*", "latency_per_load", NULL);
	cr_assert_float_eq(r->value, 1.480e-9, 1e-15);
	cr_assert_str_eq(r->unit, "second");
	cr_assert_str_eq(mw_measured_param(r, "working-set"), "4096");
	r = find(m, "read-4096", "*", "read_bandwidth", NULL);
	cr_assert_float_eq(r->value, 159.21e9, 1);
	r = find(m, "matmul-1024-t16", "*", "time", NULL);
	cr_assert_float_eq(r->value, 0.715934, 1e-9);
	cr_assert_str_eq(mw_measured_param(r, "tile"), "16");
	mw_measured_destroy(m);
}

/* A short row right after the header (where a units row may be) is an
   error before any of its cells is read (found by fuzz_validate: the
   units-row check read past the row's fields). */
Test(measured, short_row_after_header)
{
	static const char text[] = "case,kernel,params,metric,measured,unit\n"
				   ",,,\n";
	char *path = th_temp_file(".csv", text, strlen(text));
	struct mw_diag d;

	cr_assert_null(mw_measured_load(path, NULL, &d));
	cr_assert(strstr(d.msg, "4 fields where the header has 6"), "%s",
		  d.msg);
	th_remove(path);
}
