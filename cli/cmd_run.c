/*
 * cmd_run.c - `memwall run [KERNEL --OPTION VALUE...]`: generate a
 * kernel's accesses and simulate them on a machine in one pass (the main
 * job), reporting traffic per level and per tensor, the bounds, the
 * memory bandwidth and the time estimate.
 *
 * Notes:
 *  - Without a kernel word the kernel is `attention` at its defaults: a
 *    causal FlashAttention-2 prefill with a Llama-3-8B head layout (4096
 *    tokens, 32 query heads, 8 KV heads, head dim 128, bf16, 128 x 64
 *    tiles).  Without --hw the machine is the h100-sxm preset.
 *  - Everything printed comes from the results list model/run.h fills,
 *    the same list --csv writes, so the report and the CSV cannot
 *    disagree.
 *  - The text report's miss ratio is sector_misses / accesses (as in
 *    `memwall sim`).
 */
#include "cli/cli.h"

#include "cli/kernel_opts.h"
#include "cli/table.h"
#include "common/units.h"
#include "hierarchy/hwconfig.h"
#include "model/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEF_KERNEL "attention"
#define DEF_HW	   "h100-sxm"
#define TENSORS	   (MW_TENSOR_MAX + 1)

struct run_opts {
	struct cli_kernel_opts ko;
	struct cli_hw_opts hw;
	const char *csv;
	bool reuse;
	bool warm;
};

enum {
	OPT_CSV = 0x200,
	OPT_REUSE,
	OPT_WARM
};

static const struct argp_option fixed_options[] = {
	{"csv", OPT_CSV, "FILE", 0,
	 "Also write every result as CSV (scope,metric,value); - = stdout, "
	 "without the text report",
	 0},
	{"reuse", OPT_REUSE, NULL, 0,
	 "Add the reuse-distance analysis: the miss-ratio curve of a shared "
	 "fully associative LRU cache (scopes reuse, reuse:TENSOR, mrc)",
	 0},
	{"warm", OPT_WARM, NULL, 0,
	 "Run the kernel twice without clearing the caches and report the "
	 "second pass (as measurements with --cache-control none)",
	 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct run_opts *o = state->input;

	if (cli_kernel_parse(&o->ko, key, arg, state))
		return 0;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->hw;
		break;
	case OPT_CSV:
		o->csv = arg;
		break;
	case OPT_REUSE:
		o->reuse = true;
		break;
	case OPT_WARM:
		o->warm = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The examples after the options: of the chosen kernel (ops), else general. */
static void examples(FILE *f, const struct mw_kernel_ops *ops)
{
	if (ops && strcmp(ops->name, DEF_KERNEL)) {
		fprintf(f, "  memwall run %s\n", ops->name);
		fprintf(f, "  memwall run %s %s --hw h200\n", ops->name,
			ops->example);
	} else {
		fputs("  memwall run       (the main job: Llama-3-8B-like "
		      "attention prefill on h100-sxm)\n",
		      f);
		fputs("  memwall run gemm --m 8192 --n 8192 --k 8192 --tile "
		      "128x256x64 --order grouped:8\n",
		      f);
		fputs("  memwall run attention --seq 8192 --hw h200 --set "
		      "l2.size=100MiB --csv out.csv\n",
		      f);
		fputs("  memwall run decode --kv-len 32768 --splits 8 "
		      "--reuse\n",
		      f);
		fputs("  memwall run gemm --help    (the options of one "
		      "kernel)\n",
		      f);
	}
}

static char *help_filter(int key, const char *text, void *input)
{
	const struct run_opts *o = input;

	return cli_kernel_help(key, text, o ? o->ko.ops : NULL, examples);
}

static const struct argp_child children[] = {
	{&cli_hw_argp, 0, "Hardware options (default --hw h100-sxm):", 3}, {0}};

/* ---- reading the results back ------------------------------------------ */

static uint64_t u64(const struct mw_results *r, const char *scope,
		    const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	return x && x->kind == MW_RESULT_U64 ? x->u : 0;
}

static double f64(const struct mw_results *r, const char *scope,
		  const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	if (!x)
		return 0;
	return x->kind == MW_RESULT_F64 ? x->f : (double)x->u;
}

static const char *text(const struct mw_results *r, const char *scope,
			const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	return x && x->kind == MW_RESULT_TEXT ? x->text : "?";
}

/* ---- the report ------------------------------------------------------------ */

enum {
	C_LEVEL,
	C_ACC,
	C_HITS,
	C_RATIO,
	C_SECT,
	C_WB,
	C_FROM,
	C_TO,
	C_COUNT
};

static const char *const level_titles[C_COUNT] = {"level",	   "accesses",
						  "hits",	   "miss ratio",
						  "sector misses", "writebacks",
						  "from below",	   "to below"};

/* One row for the cache level (or memory) whose scope is scope. */
static int level_row(struct cli_table *t, const struct mw_results *r,
		     const char *tensor, const char *level, const char *scope,
		     bool memory)
{
	char cell[C_COUNT][CLI_TABLE_CELL];
	unsigned c;

	for (c = 0; c < C_COUNT; c++)
		snprintf(cell[c], 40, "-");
	snprintf(cell[C_LEVEL], 40, "%s", level);
	if (memory) {
		mw_fmt_count(cell[C_ACC], 40,
			     u64(r, scope, "reads") + u64(r, scope, "writes"));
		mw_fmt_bytes(cell[C_FROM], 40, u64(r, scope, "bytes_read"));
		mw_fmt_bytes(cell[C_TO], 40, u64(r, scope, "bytes_written"));
	} else {
		uint64_t acc = u64(r, scope, "accesses");
		uint64_t sm = u64(r, scope, "sector_misses");

		mw_fmt_count(cell[C_ACC], 40, acc);
		mw_fmt_count(cell[C_HITS], 40, u64(r, scope, "hits"));
		if (acc)
			snprintf(cell[C_RATIO], 40, "%.2f%%",
				 100.0 * (double)sm / (double)acc);
		mw_fmt_count(cell[C_SECT], 40, sm);
		mw_fmt_count(cell[C_WB], 40, u64(r, scope, "writebacks"));
		mw_fmt_bytes(cell[C_FROM], 40,
			     u64(r, scope, "bytes_from_below"));
		mw_fmt_bytes(cell[C_TO], 40, u64(r, scope, "bytes_to_below"));
	}
	return cli_table_led_row(t, tensor, cell, C_COUNT);
}

/* The tensor names of the per-tensor scopes, in order of appearance. */
static size_t tensor_names(const struct mw_results *r,
			   const struct mw_hw_cfg *hw, const char **names,
			   size_t cap)
{
	size_t i, j, n = 0;
	uint32_t l;

	for (i = 0; i < mw_results_count(r); i++) {
		const struct mw_result *x = mw_results_get(r, i);
		const char *colon = strchr(x->scope, ':');
		const char *name;
		bool level = false;

		if (!colon)
			continue;
		for (l = 0; l < hw->nlevels; l++)
			level = level || ((size_t)(colon - x->scope) ==
						  strlen(hw->levels[l].name) &&
					  !strncmp(x->scope, hw->levels[l].name,
						   (size_t)(colon - x->scope)));
		if (!level)
			continue;
		name = colon + 1;
		for (j = 0; j < n && strcmp(names[j], name); j++)
			;
		if (j == n && n < cap)
			names[n++] = name;
	}
	return n;
}

static void print_levels(const struct mw_results *r, const struct mw_hw_cfg *hw)
{
	static const char *names[TENSORS];
	struct cli_table *t = cli_table_led(NULL, level_titles, C_COUNT);
	char scope[128];
	size_t n, i;
	uint32_t l;

	if (!t)
		return;
	for (l = 0; l < hw->nlevels; l++)
		level_row(t, r, NULL, hw->levels[l].name, hw->levels[l].name,
			  false);
	level_row(t, r, NULL, "memory", "memory", true);
	printf("\n  traffic per level:\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
	n = tensor_names(r, hw, names, TENSORS);
	if (!n)
		return;
	t = cli_table_led("tensor", level_titles, C_COUNT);
	if (!t)
		return;
	for (i = 0; i < n; i++) {
		for (l = 0; l < hw->nlevels; l++) {
			snprintf(scope, sizeof(scope), "%s:%s",
				 hw->levels[l].name, names[i]);
			level_row(t, r, l ? "" : names[i], hw->levels[l].name,
				  scope, false);
		}
		snprintf(scope, sizeof(scope), "memory:%s", names[i]);
		level_row(t, r, hw->nlevels ? "" : names[i], "memory", scope,
			  true);
	}
	printf("\n  traffic per tensor:\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
}

static void bound_row(struct cli_table *t, const char *name, uint64_t rd,
		      uint64_t wr, uint64_t simulated)
{
	char a[40], b[40], c[40], x[40];
	const char *cells[5];

	mw_fmt_bytes(a, sizeof(a), rd);
	mw_fmt_bytes(b, sizeof(b), wr);
	mw_fmt_bytes(c, sizeof(c), rd + wr);
	if (rd + wr)
		snprintf(x, sizeof(x), "%.3f",
			 (double)simulated / (double)(rd + wr));
	else
		snprintf(x, sizeof(x), "-");
	cells[0] = name;
	cells[1] = a;
	cells[2] = b;
	cells[3] = c;
	cells[4] = x;
	cli_table_row(t, cells);
}

static void print_bounds(const struct mw_results *r)
{
	struct cli_table *t = cli_table_create(5);
	uint64_t sr = u64(r, "memory", "bytes_read");
	uint64_t sw = u64(r, "memory", "bytes_written");

	if (!t)
		return;
	cli_table_column(t, 0, "memory bytes", false);
	cli_table_column(t, 1, "read", true);
	cli_table_column(t, 2, "written", true);
	cli_table_column(t, 3, "total", true);
	cli_table_column(t, 4, "simulated / this", true);
	bound_row(t, "simulated", sr, sw, sr + sw);
	bound_row(t, "compulsory", u64(r, "bounds", "compulsory_read_bytes"),
		  u64(r, "bounds", "compulsory_write_bytes"), sr + sw);
	bound_row(t, "wave estimate", u64(r, "bounds", "wave_read_bytes"),
		  u64(r, "bounds", "wave_write_bytes"), sr + sw);
	bound_row(t, "no reuse", u64(r, "bounds", "no_reuse_read_bytes"),
		  u64(r, "bounds", "no_reuse_write_bytes"), sr + sw);
	printf("\n  memory traffic against the bounds:\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
}

static const char *ns_text(char *buf, size_t cap, double ns, bool known)
{
	if (!known)
		snprintf(buf, cap, "unknown");
	else
		mw_fmt_si(buf, cap, ns * 1e-9, "s");
	return buf;
}

static void print_time(const struct mw_results *r, const struct mw_hw_cfg *hw)
{
	char a[40], b[40], c[40], e[40];
	double eff = f64(r, "memory", "effective_bandwidth_GBps");
	double peak = f64(r, "memory", "peak_bandwidth_GBps");
	const char *bound = text(r, "time", "bound");
	double l2bw = hw->nlevels >= 2 ? hw->levels[1].bandwidth : 0;

	printf("\n  memory bandwidth: %s effective of %s peak",
	       mw_fmt_si(a, sizeof(a), eff * 1e9, "B/s"),
	       mw_fmt_si(b, sizeof(b), peak * 1e9, "B/s"));
	if (peak > 0 && !strcmp(text(r, "memory", "mode"), "timing")) {
		printf(" (%.1f%%, DRAM timing model)\n", 100.0 * eff / peak);
		printf("  channels idle %.1f%% of the time (no request queued; "
		       "channel imbalance %.3f over the run)\n",
		       100.0 * f64(r, "memory", "idle_share"),
		       f64(r, "memory", "imbalance"));
	} else
		printf(" (counting mode: the bytes at the peak)\n");
	{
		uint64_t h = u64(r, "memory", "row_hits");
		uint64_t m = u64(r, "memory", "row_misses");
		uint64_t cf = u64(r, "memory", "row_conflicts");

		if (h + m + cf)
			printf("  row buffer: %.1f%% hits, %.1f%% misses, "
			       "%.1f%% "
			       "conflicts (of %s transactions)\n",
			       100.0 * (double)h / (double)(h + m + cf),
			       100.0 * (double)m / (double)(h + m + cf),
			       100.0 * (double)cf / (double)(h + m + cf),
			       mw_fmt_count(a, sizeof(a), h + m + cf));
	}
	printf("\n  time estimate: %s, %s bound\n",
	       ns_text(e, sizeof(e), f64(r, "time", "total_ns"), true), bound);
	printf("    compute  %12s  (%s FLOP at %s %s)\n",
	       ns_text(a, sizeof(a), f64(r, "time", "compute_ns"), true),
	       mw_fmt_si(b, sizeof(b), (double)u64(r, "bounds", "flops"), ""),
	       text(r, "kernel", "dtype"),
	       mw_fmt_si(c, sizeof(c),
			 f64(r, "time", "compute_ns") > 0
				 ? (double)u64(r, "bounds", "flops") /
					   (f64(r, "time", "compute_ns") * 1e-9)
				 : 0,
			 "FLOP/s"));
	printf("    l2       %12s  (L1 <-> L2 bytes at %s)\n",
	       ns_text(a, sizeof(a), f64(r, "time", "l2_ns"), true),
	       l2bw > 0 ? mw_fmt_si(b, sizeof(b), l2bw, "B/s") : "unknown");
	printf("    memory   %12s  (%s mode)\n",
	       ns_text(a, sizeof(a), f64(r, "time", "memory_ns"), true),
	       text(r, "memory", "mode"));
	printf("\n  arithmetic intensity: %.1f FLOP/B of L2 traffic, %.1f "
	       "FLOP/B of memory traffic\n",
	       f64(r, "intensity", "l2_flops_per_byte"),
	       f64(r, "intensity", "memory_flops_per_byte"));
}

static void print_reuse(const struct mw_results *r, const struct mw_hw_cfg *hw)
{
	struct cli_table *t = cli_table_create(2);
	size_t i;
	char a[40], b[40];

	if (!t)
		return;
	cli_table_column(t, 0, "capacity", true);
	cli_table_column(t, 1, "miss ratio", true);
	for (i = 0; i < mw_results_count(r); i++) {
		const struct mw_result *x = mw_results_get(r, i);
		const char *cells[2];
		unsigned long long cap;

		if (strcmp(x->scope, "mrc") ||
		    sscanf(x->metric, "miss_ratio.%llu", &cap) != 1)
			continue;
		/* 1 KiB, 4 KiB, 16 KiB, ...: a short table */
		if (cap < 1024 || (__builtin_ctzll(cap) - 10) % 2)
			continue;
		mw_fmt_bytes(a, sizeof(a), cap);
		snprintf(b, sizeof(b), "%.4f", x->f);
		cells[0] = a;
		cells[1] = b;
		cli_table_row(t, cells);
	}
	printf("\n  reuse (shared fully associative LRU, %s lines): "
	       "footprint %s, cold misses %.0f\n",
	       mw_fmt_bytes(a, sizeof(a), u64(r, "reuse", "line_bytes")),
	       mw_fmt_bytes(b, sizeof(b),
			    (uint64_t)f64(r, "reuse", "footprint_bytes")),
	       f64(r, "reuse", "cold"));
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
	if (hw->nlevels >= 2)
		printf("    at the l2's %s: miss ratio %.4f\n",
		       mw_fmt_bytes(a, sizeof(a), u64(r, "mrc", "l2_bytes")),
		       f64(r, "mrc", "l2_miss_ratio"));
}

static void print_report(const struct mw_results *r, const struct mw_hw_cfg *hw,
			 const struct run_opts *o)
{
	char a[40], b[40], c[40];
	uint32_t l;
	uint64_t ctas = u64(r, "bounds", "ctas");
	uint64_t slots =
		u64(r, "run", "units") * u64(r, "run", "ctas_per_unit");

	printf("run: %s on %s (%u units", text(r, "kernel", "name"),
	       hw->machine.name, hw->machine.units);
	for (l = 0; l < hw->nlevels; l++)
		printf(", %s %s", hw->levels[l].name,
		       mw_fmt_bytes(a, sizeof(a), hw->levels[l].size));
	printf(")%s\n", o->warm ? ", warm caches (second pass)" : "");
	printf("  kernel: %s\n", text(r, "kernel", "params"));
	printf("  grid: %s CTAs, %s per unit resident, %s waves (%.2f "
	       "CTAs per slot)\n",
	       mw_fmt_count(a, sizeof(a), ctas),
	       mw_fmt_count(b, sizeof(b), u64(r, "run", "ctas_per_unit")),
	       mw_fmt_count(c, sizeof(c), u64(r, "bounds", "waves")),
	       slots ? (double)ctas / (double)slots : 0);
	printf("  simulated %s records in %.2f s (%s accesses/s)\n",
	       mw_fmt_count(a, sizeof(a), u64(r, "run", "records")),
	       f64(r, "run", "seconds"),
	       mw_fmt_si(b, sizeof(b), f64(r, "run", "accesses_per_s"), ""));
	print_levels(r, hw);
	print_bounds(r);
	print_time(r, hw);
	if (o->reuse)
		print_reuse(r, hw);
}

static void on_progress(void *ctx, uint64_t records)
{
	(void)ctx;
	cli_progress_update(records);
}

int cmd_run(int argc, char **argv)
{
	struct argp_option opts[CLI_KPARAMS_MAX + 8];
	struct run_opts o;
	struct mw_hw_cfg *hw = NULL;
	struct mw_results *res = NULL;
	struct mw_run_opts ro;
	struct mw_diag d;
	struct argp argp = {
		opts,
		parse,
		NULL,
		"Generate a kernel's accesses and simulate them on a machine "
		"in "
		"one pass: traffic per level and per tensor, memory bytes "
		"against the compulsory, wave and no-reuse bounds, the memory "
		"bandwidth the pattern gets and the time estimate (compute, "
		"L2 or memory bound).  Without arguments: a causal "
		"FlashAttention-2 prefill with a Llama-3-8B head layout (4096 "
		"tokens, 32 query heads, 8 KV heads, head dim 128, bf16) on "
		"h100-sxm.  'memwall run KERNEL --help' lists that kernel's "
		"options with their defaults.\v",
		children,
		help_filter,
		NULL,
	};
	int status, rc;

	memset(&o, 0, sizeof(o));
	status = cli_kernel_select(&o.ko, &argc, &argv, DEF_KERNEL);
	if (status)
		return status;
	argp.args_doc = o.ko.name[0] ? "[--OPTION VALUE...]"
				     : "[KERNEL [--OPTION VALUE...]]";
	status = CLI_EXIT_FAIL;
	if (cli_kernel_options(&o.ko, fixed_options, opts)) {
		cli_error("too many kernel parameters");
		goto out;
	}
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (!o.hw.hw)
		o.hw.hw = DEF_HW;
	hw = malloc(sizeof(*hw));
	res = mw_results_create();
	if (!hw || !res) {
		cli_error("out of memory");
		goto out;
	}
	if (cli_load_hw(&o.hw, hw))
		goto out;
	mw_run_opts_init(&ro);
	ro.reuse = o.reuse;
	ro.reuse_opts.line_bytes = hw->nlevels >= 2 ? hw->levels[1].line : 128;
	ro.warm = o.warm;
	ro.progress = on_progress;
	ro.interrupt = &cli_interrupted;
	mw_diag_clear(&d);
	cli_progress_begin("records", 0);
	rc = mw_run(o.ko.k, hw, &ro, res, &d);
	cli_progress_end();
	if (rc == MW_ECANCEL) {
		cli_error("interrupted");
		status = CLI_EXIT_INTERRUPTED;
		goto out;
	}
	if (rc) {
		if (d.file[0])
			cli_error_diag(&d);
		else
			cli_error("%s: %s", o.ko.ops->name, d.msg);
		goto out;
	}
	if (!o.csv || strcmp(o.csv, "-"))
		print_report(res, hw, &o);
	fflush(stdout);
	status = CLI_EXIT_OK;
	if (o.csv)
		status = cli_write_results_csv(o.csv, res);
out:
	mw_results_destroy(res);
	free(hw);
	cli_kernel_free(&o.ko);
	return status;
}
