/*
 * cmd_validate.c - `memwall validate DATA.csv [--hw NAME]`: measured rows
 * (our measured-data layout or an Nsight Compute CSV export) against
 * memwall's predictions, with the error per row, statistics per metric
 * and the rows that could not be predicted, with the reason.
 *
 * Notes:
 *  - The matching, the runs and the statistics are model/validate.h;
 *    this file prints them.  Values are shown in the unit of the metric
 *    map (bytes, ns as seconds, bytes/s, fractions as %), four
 *    significant digits with an SI prefix.
 *  - The exit status is 0 whatever the errors are (it is a report); 1
 *    for a file that cannot be read or a machine that cannot be loaded.
 *  - --csv writes scope = the case (":warm" appended for cache control
 *    none), metrics METRIC.measured, .predicted, .error_pct, .hw, or
 *    METRIC.not_predicted with the reason; then scope summary:METRIC with
 *    rows, mean_abs_error_pct, mean_error_pct, worst_error_pct,
 *    worst_case.
 */
#include "cli/cli.h"

#include "cli/table.h"
#include "common/units.h"
#include "model/measured.h"
#include "model/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct validate_opts {
	struct cli_hw_opts hw;
	const char *data;
	const char *csv;
	uint64_t max_records;
	const char *ncu_case, *ncu_kernel, *ncu_cache;
};

enum {
	OPT_CSV = 0x200,
	OPT_MAX,
	OPT_CASE,
	OPT_KERNEL,
	OPT_CACHE
};

static const struct argp_option options[] = {
	{"csv", OPT_CSV, "FILE", 0,
	 "Also write the comparison as CSV (scope,metric,value); - = stdout, "
	 "without the text report",
	 0},
	{"max-records", OPT_MAX, "N", 0,
	 "Do not run a prediction of more than about N records (default "
	 "200000000, a few minutes; 0 = no limit)",
	 0},
	{"case", OPT_CASE, "NAME", 0,
	 "Nsight Compute export: the case name (default: the file's name)", 1},
	{"kernel", OPT_KERNEL, "\"KERNEL --OPTION VALUE...\"", 0,
	 "Nsight Compute export: the memwall kernel and options it ran, e.g. "
	 "\"gemm --m 8192 --n 8192 --k 8192 --tile 128x128x32\"",
	 1},
	{"cache-control", OPT_CACHE, "all|none", 0,
	 "Nsight Compute export: how ncu was run (all = caches flushed, the "
	 "default; none = warm)",
	 1},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct validate_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->hw;
		break;
	case OPT_CSV:
		o->csv = arg;
		break;
	case OPT_MAX:
		if (mw_parse_u64(arg, &o->max_records))
			argp_error(state, "--max-records: '%s' is not a count",
				   arg);
		break;
	case OPT_CASE:
		o->ncu_case = arg;
		break;
	case OPT_KERNEL:
		o->ncu_kernel = arg;
		break;
	case OPT_CACHE:
		if (strcmp(arg, "all") && strcmp(arg, "none"))
			argp_error(state,
				   "--cache-control: '%s' is not all or none",
				   arg);
		o->ncu_cache = arg;
		break;
	case ARGP_KEY_ARG:
		if (o->data)
			argp_error(state, "unexpected argument '%s'", arg);
		o->data = arg;
		break;
	case ARGP_KEY_END:
		if (!o->data)
			argp_error(state, "no measured data file given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {{&cli_hw_argp, 0,
					      "Hardware options (default: each "
					      "row's gpu/hw/cpu attribute "
					      "mapped "
					      "to a preset):",
					      3},
					     {0}};

/* ---- formatting ------------------------------------------------------------ */

static char *fmt_si4(char *buf, size_t cap, double v, const char *unit)
{
	static const char *const big[] = {"", "k", "M", "G", "T", "P"};
	static const char *const small[] = {"", "m", "u", "n", "p"};
	double a = fabs(v);
	int i = 0;

	if (!isfinite(v)) {
		snprintf(buf, cap, "-");
		return buf;
	}
	if (a >= 1000) {
		while (a >= 1000 && i < 5) {
			a /= 1000;
			i++;
		}
		snprintf(buf, cap, "%.4g %s%s", v < 0 ? -a : a, big[i], unit);
	} else if (a > 0 && a < 1) {
		while (a < 1 && i < 4) {
			a *= 1000;
			i++;
		}
		snprintf(buf, cap, "%.4g %s%s", v < 0 ? -a : a, small[i], unit);
	} else {
		snprintf(buf, cap, "%.4g %s", v, unit);
	}
	return buf;
}

/* A value in the unit of a map entry (or a measured base unit). */
static char *fmt_value(char *buf, size_t cap, double v, const char *unit)
{
	if (!strcmp(unit, "byte"))
		return fmt_si4(buf, cap, v, "B");
	if (!strcmp(unit, "ns"))
		return fmt_si4(buf, cap, v * 1e-9, "s");
	if (!strcmp(unit, "second"))
		return fmt_si4(buf, cap, v, "s");
	if (!strcmp(unit, "byte/second"))
		return fmt_si4(buf, cap, v, "B/s");
	if (!strcmp(unit, "fraction")) {
		snprintf(buf, cap, "%.2f %%", 100.0 * v);
		return buf;
	}
	return fmt_si4(buf, cap, v, unit);
}

static char *fmt_pct(char *buf, size_t cap, double pct)
{
	if (!isfinite(pct))
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%+.1f %%", pct);
	return buf;
}

static const char *cache_text(const struct mw_measured_row *r)
{
	return *r->cache_control ? r->cache_control : "-";
}

/* ---- the report ------------------------------------------------------------ */

static void print_compared(const struct mw_validate *v)
{
	static const char *const titles[] = {"case",   "cache",	   "hw",
					     "metric", "measured", "predicted",
					     "error"};
	struct cli_table *t = cli_table_create(7);
	char a[48], b[48], c[48];
	size_t i;
	unsigned col;

	if (!t)
		return;
	for (col = 0; col < 7; col++)
		cli_table_column(t, col, titles[col], col >= 4);
	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);
		const char *cells[7];

		if (x->reason)
			continue;
		cells[0] = x->m->case_name;
		cells[1] = cache_text(x->m);
		cells[2] = x->hw;
		cells[3] = x->m->metric;
		cells[4] = fmt_value(a, sizeof(a), x->measured, x->unit);
		cells[5] = fmt_value(b, sizeof(b), x->predicted, x->unit);
		cells[6] = fmt_pct(c, sizeof(c), x->error_pct);
		cli_table_row(t, cells);
	}
	printf("\n  measured against predicted (error = (predicted - "
	       "measured) / measured):\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
}

static void print_stats(const struct mw_validate *v)
{
	static const char *const titles[] = {"metric",	     "rows",
					     "mean |error|", "mean error",
					     "worst error",  "worst case"};
	struct cli_table *t = cli_table_create(6);
	char n[32], a[32], b[32], c[32];
	size_t i;
	unsigned col;

	if (!t)
		return;
	for (col = 0; col < 6; col++)
		cli_table_column(t, col, titles[col], col >= 1 && col <= 4);
	for (i = 0; i < mw_validate_nstats(v); i++) {
		const struct mw_validate_stat *s = mw_validate_stat(v, i);
		const struct mw_validate_row *w = mw_validate_row(v, s->worst);
		const char *cells[6];

		snprintf(n, sizeof(n), "%zu", s->rows);
		snprintf(a, sizeof(a), "%.1f %%", s->mean_abs_pct);
		cells[0] = s->metric;
		cells[1] = n;
		cells[2] = a;
		cells[3] = fmt_pct(b, sizeof(b), s->mean_pct);
		cells[4] = fmt_pct(c, sizeof(c), w->error_pct);
		cells[5] = w->m->case_name;
		cli_table_row(t, cells);
	}
	printf("\n  per metric:\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
}

static void print_not_predicted(const struct mw_validate *v)
{
	static const char *const titles[] = {"case", "metric", "measured",
					     "reason"};
	struct cli_table *t = cli_table_create(4);
	char a[48];
	size_t i, n = 0;
	unsigned col;

	if (!t)
		return;
	for (col = 0; col < 4; col++)
		cli_table_column(t, col, titles[col], col == 2);
	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);
		const char *cells[4];

		if (!x->reason)
			continue;
		cells[0] = x->m->case_name;
		cells[1] = x->m->metric;
		cells[2] = fmt_value(a, sizeof(a), x->measured, x->unit);
		cells[3] = x->reason;
		cli_table_row(t, cells);
		n++;
	}
	if (n) {
		printf("\n  not predicted:\n");
		cli_table_print(t, stdout, 2);
	}
	cli_table_destroy(t);
}

static void print_report(const struct validate_opts *o,
			 const struct mw_validate *v)
{
	size_t n = mw_validate_count(v), c = mw_validate_compared(v);

	printf("validate: %s: %zu rows, %zu compared (%zu run%s), %zu not "
	       "predicted\n",
	       o->data, n, c, mw_validate_runs(v),
	       mw_validate_runs(v) == 1 ? "" : "s", n - c);
	if (c) {
		print_compared(v);
		print_stats(v);
	}
	print_not_predicted(v);
}

/* ---- CSV ------------------------------------------------------------------- */

static int add_csv(const struct mw_validate *v, struct mw_results *res)
{
	char scope[256], metric[256];
	size_t i;
	int err = 0;

	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);

		snprintf(scope, sizeof(scope), "%s%s", x->m->case_name,
			 strcmp(x->m->cache_control, "none") ? "" : ":warm");
		if (x->reason) {
			snprintf(metric, sizeof(metric), "%s.not_predicted",
				 x->m->metric);
			err |= mw_results_add_text(res, scope, metric,
						   x->reason);
			continue;
		}
		snprintf(metric, sizeof(metric), "%s.measured", x->m->metric);
		err |= mw_results_add_f64(res, scope, metric, x->measured);
		snprintf(metric, sizeof(metric), "%s.predicted", x->m->metric);
		err |= mw_results_add_f64(res, scope, metric, x->predicted);
		snprintf(metric, sizeof(metric), "%s.error_pct", x->m->metric);
		err |= mw_results_add_f64(res, scope, metric, x->error_pct);
		snprintf(metric, sizeof(metric), "%s.hw", x->m->metric);
		err |= mw_results_add_text(res, scope, metric, x->hw);
	}
	for (i = 0; i < mw_validate_nstats(v); i++) {
		const struct mw_validate_stat *s = mw_validate_stat(v, i);
		const struct mw_validate_row *w = mw_validate_row(v, s->worst);

		snprintf(scope, sizeof(scope), "summary:%s", s->metric);
		err |= mw_results_add_u64(res, scope, "rows", s->rows);
		err |= mw_results_add_f64(res, scope, "mean_abs_error_pct",
					  s->mean_abs_pct);
		err |= mw_results_add_f64(res, scope, "mean_error_pct",
					  s->mean_pct);
		err |= mw_results_add_f64(res, scope, "worst_error_pct",
					  w->error_pct);
		err |= mw_results_add_text(res, scope, "worst_case",
					   w->m->case_name);
	}
	return err ? MW_ENOMEM : 0;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
	(void)ctx;
	(void)total;
	cli_progress_update(done);
}

int cmd_validate(int argc, char **argv)
{
	struct validate_opts o;
	struct mw_measured_opts mo;
	struct mw_validate_opts vo;
	struct mw_measured *m = NULL;
	struct mw_validate *v = NULL;
	struct mw_results *res = NULL;
	struct mw_diag d;
	char kernel[96];
	struct argp argp = {
		options,
		parse,
		"DATA.csv",
		"Compare measured data with memwall's predictions: each "
		"measured row (memwall's measured-data layout, "
		"validation/README.md, or an Nsight Compute CSV export) is "
		"matched with a `memwall run` of its kernel and parameters on "
		"its machine (cold caches, or warm for cache control none); "
		"prints measured, predicted and the error per row, the mean "
		"absolute error and the worst row per metric, and every row "
		"that could not be predicted with the reason.\v"
		"Examples:\n"
		"  memwall validate validation/data/published.csv\n"
		"  memwall validate validation/data/cpu-measured.csv\n"
		"  memwall validate gemm.ncu.csv --hw h100-sxm --kernel \"gemm "
		"--m 8192 --n 8192 --k 8192 --tile 128x128x32\"\n",
		children,
		NULL,
		NULL,
	};
	int status = CLI_EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	o.max_records = (uint64_t)-1;
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	memset(&mo, 0, sizeof(mo));
	mo.ncu_case = o.ncu_case;
	mo.ncu_cache_control = o.ncu_cache ? o.ncu_cache : "all";
	if (o.ncu_kernel) {
		const char *sp = strchr(o.ncu_kernel, ' ');
		size_t len = sp ? (size_t)(sp - o.ncu_kernel)
				: strlen(o.ncu_kernel);

		if (!len || len >= sizeof(kernel)) {
			cli_error("--kernel: '%s' does not start with a kernel "
				  "name",
				  o.ncu_kernel);
			return CLI_EXIT_USAGE;
		}
		memcpy(kernel, o.ncu_kernel, len);
		kernel[len] = '\0';
		mo.ncu_kernel = kernel;
		mo.ncu_params = sp ? sp + 1 : NULL;
	}
	m = mw_measured_load(o.data, &mo, &d);
	if (!m) {
		cli_error_diag(&d);
		goto out;
	}
	mw_validate_opts_init(&vo);
	vo.hw = o.hw.hw;
	vo.sets = o.hw.sets;
	vo.nsets = o.hw.nsets;
	if (o.max_records != (uint64_t)-1)
		vo.max_records = o.max_records;
	vo.interrupt = &cli_interrupted;
	vo.progress = on_progress;
	cli_progress_begin("rows", mw_measured_count(m));
	v = mw_validate_run(m, &vo, &d);
	cli_progress_end();
	if (!v) {
		if (d.code == MW_ECANCEL) {
			cli_error("interrupted");
			status = CLI_EXIT_INTERRUPTED;
		} else if (d.file[0]) {
			cli_error_diag(&d);
		} else {
			cli_error("%s", d.msg);
		}
		goto out;
	}
	if (!o.csv || strcmp(o.csv, "-"))
		print_report(&o, v);
	fflush(stdout);
	status = CLI_EXIT_OK;
	if (o.csv) {
		res = mw_results_create();
		if (!res || add_csv(v, res)) {
			cli_error("out of memory");
			status = CLI_EXIT_FAIL;
			goto out;
		}
		status = cli_write_results_csv(o.csv, res);
	}
out:
	mw_results_destroy(res);
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	return status;
}
