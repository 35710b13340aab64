/*
 * cmd_reuse.c - `memwall reuse`: reuse-distance histogram and miss-ratio
 * curve of a trace (model/reuse.h).
 *
 * Notes:
 *  - The text table shows every power of two from one line to the first
 *    power of two at or above the footprint (the whole trace's distinct
 *    lines); the CSV holds the same capacities plus every capacity where
 *    the curve steps (each distance value below the exact bound, each bin
 *    edge above), per scope.
 *  - --sample-memory BYTES allows BYTES / 64 tracked lines in all (about
 *    what a tracked line costs: its table slot at the highest load, its
 *    heap entry and its timestamp bits).
 */
#include "cli/cli.h"

#include "cli/table.h"
#include "common/units.h"
#include "model/reuse.h"
#include "traces/output.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_LINE_BYTES  64
#define MAX_CSV_CAPACITIES (1u << 16)

struct reuse_opts {
	struct cli_input_opts in;
	struct mw_reuse_opts r;
	const char *csv;
	const char *path;
	uint64_t sample_memory;
	bool sample_rate_given;
};

enum {
	OPT_LINE = 0x200,
	OPT_PER,
	OPT_VIEW,
	OPT_SAMPLE,
	OPT_SAMPLE_MEMORY,
	OPT_CSV
};

static const struct argp_option options[] = {
	{"line", OPT_LINE, "BYTES", 0,
	 "Line size, a power of two (default 128B)", 0},
	{"per", OPT_PER, "WHAT", 0,
	 "Also one curve per tensor, op or unit (tensor|op|unit)", 0},
	{"view", OPT_VIEW, "VIEW", 0,
	 "shared (default): one LRU stack, a cache shared by every unit; "
	 "private: one stack per unit, a private cache per unit",
	 0},
	{"sample", OPT_SAMPLE, "RATE", 0,
	 "Estimate from a spatial sample of the lines (SHARDS fixed-rate): "
	 "RATE in (0, 1], or a percentage such as 1%",
	 0},
	{"sample-memory", OPT_SAMPLE_MEMORY, "BYTES", 0,
	 "Estimate with a bounded sample (SHARDS fixed-size): at most "
	 "BYTES/64 lines tracked, the rate lowered as needed",
	 0},
	{"csv", OPT_CSV, "FILE", 0,
	 "Write the curves as CSV (scope,capacity_bytes,misses,miss_ratio); "
	 "- = stdout",
	 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct reuse_opts *o = state->input;
	uint64_t v;
	char *end;
	double d;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->in;
		break;
	case OPT_LINE:
		if (mw_parse_size(arg, &v) || !v || (v & (v - 1)) ||
		    v > (1u << 30))
			argp_error(state,
				   "--line wants a power of two up to 1GiB, "
				   "not '%s'",
				   arg);
		o->r.line_bytes = (uint32_t)v;
		break;
	case OPT_PER:
		if (!strcmp(arg, "tensor"))
			o->r.split = MW_REUSE_SPLIT_TENSOR;
		else if (!strcmp(arg, "op"))
			o->r.split = MW_REUSE_SPLIT_OP;
		else if (!strcmp(arg, "unit"))
			o->r.split = MW_REUSE_SPLIT_UNIT;
		else
			argp_error(state,
				   "--per wants tensor, op or unit, not '%s'",
				   arg);
		break;
	case OPT_VIEW:
		if (!strcmp(arg, "shared"))
			o->r.view = MW_REUSE_VIEW_SHARED;
		else if (!strcmp(arg, "private"))
			o->r.view = MW_REUSE_VIEW_PRIVATE;
		else
			argp_error(state,
				   "--view wants shared or private, not '%s'",
				   arg);
		break;
	case OPT_SAMPLE:
		d = strtod(arg, &end);
		if (end != arg && *end == '%' && !end[1]) {
			d /= 100;
			end++;
		}
		if (end == arg || *end || !(d > 0 && d <= 1))
			argp_error(state,
				   "--sample wants a rate in (0, 1] or a "
				   "percentage, not '%s'",
				   arg);
		o->r.sampling = MW_REUSE_FIXED_RATE;
		o->r.rate = d;
		o->sample_rate_given = true;
		break;
	case OPT_SAMPLE_MEMORY:
		if (mw_parse_size(arg, &v) || v < 16 * SAMPLE_LINE_BYTES)
			argp_error(state,
				   "--sample-memory wants a size of at least "
				   "1KiB, not '%s'",
				   arg);
		o->sample_memory = v;
		break;
	case OPT_CSV:
		o->csv = arg;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			argp_error(state, "one trace at a time");
		o->path = arg;
		break;
	case ARGP_KEY_END:
		if (!o->path)
			argp_error(state, "which trace? (a file, or - for "
					  "standard input)");
		if (o->sample_rate_given && o->sample_memory)
			argp_error(state, "--sample and --sample-memory "
					  "exclude each other");
		if (o->sample_memory) {
			o->r.sampling = MW_REUSE_FIXED_MEMORY;
			o->r.max_lines = o->sample_memory / SAMPLE_LINE_BYTES;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {
	{&cli_input_argp, 0, "Input options:", 1}, {0}};

static const struct argp argp = {
	options,
	parse,
	"TRACE",
	"Reuse-distance analysis: the LRU stack distance of every line "
	"reference, and from it the misses of a fully associative LRU cache "
	"at every capacity (the miss-ratio curve), in one pass.  Reports the "
	"curve at powers of two, where the miss ratio halves and where only "
	"cold misses are left, the footprint, and reuse distances and times.  "
	"--sample estimates the same from a spatial sample of the lines "
	"(SHARDS), for traces too large for the exact pass.\v"
	"Examples:\n"
	"  memwall reuse trace.mwt\n"
	"  memwall reuse trace.mwt --per tensor --csv curve.csv\n"
	"  memwall reuse kernel.nvbit.gz --view private --per unit\n"
	"  memwall reuse big.mwt --sample 1%\n"
	"  memwall reuse big.mwt --sample-memory 64MiB",
	children,
	NULL,
	NULL,
};

/* ---- scope names ----------------------------------------------------------- */

struct names {
	const struct mw_reuse *r;
	const struct mw_trace_header *h;
	enum mw_reuse_split split;
	char buf[32];
};

static const char *scope_name(void *ctx, unsigned scope)
{
	struct names *n = ctx;
	unsigned key;

	if (!scope)
		return "all";
	key = mw_reuse_scope_key(n->r, scope);
	switch (n->split) {
	case MW_REUSE_SPLIT_TENSOR:
		return mw_header_tensor_name(n->h, key);
	case MW_REUSE_SPLIT_OP:
		return mw_op_name(key);
	default:
		snprintf(n->buf, sizeof(n->buf), "unit%u", key);
		return n->buf;
	}
}

/* ---- report ---------------------------------------------------------------- */

static void fmt_misses(char *buf, size_t cap, double m, bool sampled)
{
	if (sampled)
		snprintf(buf, cap, "%.0f", m);
	else
		mw_fmt_count(buf, cap, (uint64_t)m);
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p < (1ull << 62))
		p <<= 1;
	return p;
}

/* The table runs to the footprint (or the floor, if that is larger). */
static uint64_t table_top(const struct mw_reuse *r, uint64_t floor_l)
{
	uint64_t fp = (uint64_t)llround(mw_reuse_footprint_lines(r));

	return fp > floor_l ? fp : floor_l;
}

static void print_line(const char *label, const char *value)
{
	printf("  %-18s %s\n", label, value);
}

static void print_report(const struct reuse_opts *o, const struct mw_reuse *r,
			 struct names *nm)
{
	uint64_t lb = mw_reuse_line_bytes(r), half, floor_l, c, top;
	bool sampled = o->r.sampling != MW_REUSE_EXACT;
	struct mw_reuse_summary s;
	char a[64], b[64], line[512];
	struct cli_table *t;
	unsigned i;

	mw_reuse_summary(r, 0, &s);
	mw_reuse_knees(r, 0, &half, &floor_l);
	printf("%s: %s records, %s line references of %s\n", o->path,
	       mw_fmt_count(a, sizeof(a), mw_reuse_records(r)),
	       mw_fmt_count(b, sizeof(b), (uint64_t)s.refs),
	       mw_fmt_bytes(line, sizeof(line), lb));
	if (!s.refs) {
		print_line("curve", "none: the trace holds no accesses");
		return;
	}
	if (o->r.sampling == MW_REUSE_FIXED_RATE)
		snprintf(line, sizeof(line), "fixed-rate, rate %.6g",
			 mw_reuse_rate(r));
	else if (o->r.sampling == MW_REUSE_FIXED_MEMORY)
		snprintf(line, sizeof(line),
			 "fixed-memory, %" PRIu64 " lines, effective rate %.6g",
			 o->r.max_lines, mw_reuse_rate(r));
	else
		snprintf(line, sizeof(line), "exact");
	print_line("sampling", line);
	if (sampled) {
		uint64_t res = (uint64_t)llround(1.0 / mw_reuse_rate(r));

		snprintf(line, sizeof(line),
			 "%s (1/rate lines): smaller capacities are coarse",
			 mw_fmt_bytes(a, sizeof(a), res * lb));
		print_line("resolution", line);
	}
	print_line("view", o->r.view == MW_REUSE_VIEW_PRIVATE ? "private (one "
								"cache per "
								"unit)"
							      : "shared (one "
								"cache)");
	snprintf(line, sizeof(line), "%s%s lines (%s)", sampled ? "~" : "",
		 mw_fmt_count(a, sizeof(a), (uint64_t)llround(s.cold)),
		 mw_fmt_bytes(b, sizeof(b), (uint64_t)llround(s.cold) * lb));
	print_line("footprint", line);
	snprintf(line, sizeof(line), "median %" PRIu64 " lines, mean %.1f",
		 s.median_distance, s.mean_distance);
	print_line("reuse distance", line);
	snprintf(line, sizeof(line), "median %" PRIu64 " references, mean %.1f",
		 s.median_time, s.mean_time);
	print_line("reuse time", line);
	if (half)
		snprintf(line, sizeof(line), "%.4f -> %.4f at %s",
			 mw_reuse_miss_ratio(r, 0, 1),
			 mw_reuse_miss_ratio(r, 0, half),
			 mw_fmt_bytes(a, sizeof(a), half * lb));
	else
		snprintf(line, sizeof(line),
			 "never: %.4f at one line, cold floor above half",
			 mw_reuse_miss_ratio(r, 0, 1));
	print_line("miss ratio halves", line);
	snprintf(line, sizeof(line), "%.4f at %s",
		 mw_reuse_miss_ratio(r, 0, floor_l),
		 mw_fmt_bytes(a, sizeof(a), floor_l * lb));
	print_line("cold floor", line);
	t = cli_table_create(3);
	if (!t)
		return;
	cli_table_column(t, 0, "capacity", true);
	cli_table_column(t, 1, "misses", true);
	cli_table_column(t, 2, "miss ratio", true);
	top = pow2_at_least(table_top(r, floor_l));
	for (c = 1; c <= top; c *= 2) {
		char cap[32], mis[32], ratio[32];
		const char *cells[3] = {cap, mis, ratio};

		mw_fmt_bytes(cap, sizeof(cap), c * lb);
		fmt_misses(mis, sizeof(mis), mw_reuse_misses(r, 0, c), sampled);
		snprintf(ratio, sizeof(ratio), "%.4f",
			 mw_reuse_miss_ratio(r, 0, c));
		cli_table_row(t, cells);
	}
	printf("\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
	if (o->r.split == MW_REUSE_SPLIT_NONE)
		return;
	t = cli_table_create(6);
	if (!t)
		return;
	cli_table_column(t, 0, "scope", false);
	cli_table_column(t, 1, "references", true);
	cli_table_column(t, 2, "cold", true);
	cli_table_column(t, 3, "median distance", true);
	cli_table_column(t, 4, "halves at", true);
	cli_table_column(t, 5, "floor at", true);
	for (i = 1; i < mw_reuse_scopes(r); i++) {
		char refs[32], cold[32], med[32], hv[32], fl[32];
		const char *cells[6] = {
			scope_name(nm, i), refs, cold, med, hv, fl};

		if (!mw_reuse_scope_used(r, i))
			continue;
		mw_reuse_summary(r, i, &s);
		mw_reuse_knees(r, i, &half, &floor_l);
		fmt_misses(refs, sizeof(refs), s.refs, sampled);
		fmt_misses(cold, sizeof(cold), s.cold, sampled);
		snprintf(med, sizeof(med), "%" PRIu64, s.median_distance);
		if (half)
			mw_fmt_bytes(hv, sizeof(hv), half * lb);
		else
			snprintf(hv, sizeof(hv), "never");
		mw_fmt_bytes(fl, sizeof(fl), floor_l * lb);
		cli_table_row(t, cells);
	}
	printf("\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
}

/* ---- CSV --------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Powers of two to the floor and every step, sorted, unique; count. */
static size_t capacities(const struct mw_reuse *r, unsigned scope,
			 uint64_t *caps, size_t cap)
{
	uint64_t half, floor_l, c, top;
	size_t n, i, k;

	n = mw_reuse_steps(r, scope, caps, cap);
	if (n > cap)
		n = cap;
	mw_reuse_knees(r, scope, &half, &floor_l);
	top = pow2_at_least(table_top(r, floor_l));
	for (c = 1; c <= top && n < cap; c *= 2)
		caps[n++] = c;
	qsort(caps, n, sizeof(*caps), cmp_u64);
	for (i = k = 0; i < n; i++)
		if (!k || caps[i] != caps[k - 1])
			caps[k++] = caps[i];
	return k;
}

static int write_csv(const char *path, const struct mw_reuse *r,
		     struct names *nm)
{
	static const char *const header[4] = {"scope", "capacity_bytes",
					      "misses", "miss_ratio"};
	uint64_t lb = mw_reuse_line_bytes(r);
	uint64_t *caps = malloc(MAX_CSV_CAPACITIES * sizeof(*caps));
	struct mw_diag d;
	struct mw_output *out;
	char row[1024];
	long len;
	unsigned s;
	size_t n, i;

	if (!caps) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	out = mw_output_create(path, false, &d);
	if (!out) {
		free(caps);
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	len = cli_csv_row(row, sizeof(row), header, 4);
	if (mw_output_write(out, row, (size_t)len, &d))
		goto out_fail;
	for (s = 0; s < mw_reuse_scopes(r); s++) {
		if (!mw_reuse_scope_used(r, s))
			continue;
		n = capacities(r, s, caps, MAX_CSV_CAPACITIES);
		for (i = 0; i < n; i++) {
			char cb[32], mis[32], ratio[32];
			const char *f[4] = {scope_name(nm, s), cb, mis, ratio};

			snprintf(cb, sizeof(cb), "%" PRIu64, caps[i] * lb);
			snprintf(mis, sizeof(mis), "%.10g",
				 mw_reuse_misses(r, s, caps[i]));
			snprintf(ratio, sizeof(ratio), "%.9g",
				 mw_reuse_miss_ratio(r, s, caps[i]));
			len = cli_csv_row(row, sizeof(row), f, 4);
			if (len < 0 ||
			    mw_output_write(out, row, (size_t)len, &d))
				goto out_fail;
		}
	}
	free(caps);
	if (mw_output_commit(out, &d)) {
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
out_fail:
	free(caps);
	mw_output_abort(out);
	cli_error_diag(&d);
	return CLI_EXIT_FAIL;
}

struct feed_ctx {
	struct mw_reuse *r;
	const char *path;
};

/* The feed of cli_drain_trace: a batch into the analysis. */
static int feed(void *ctx, const struct mw_access *recs, size_t n)
{
	const struct feed_ctx *fc = ctx;

	if (!mw_reuse_feed(fc->r, recs, n))
		return 0;
	cli_progress_end();
	cli_error("out of memory tracking the lines of %s", fc->path);
	return 1;
}

int cmd_reuse(int argc, char **argv)
{
	struct feed_ctx fc;
	struct reuse_opts o;
	struct mw_stream *s;
	struct mw_reuse *r = NULL;
	struct names nm;
	int status = CLI_EXIT_FAIL, err = 0;

	memset(&o, 0, sizeof(o));
	mw_reuse_opts_init(&o.r);
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	s = cli_open_trace(o.path, &o.in);
	if (!s)
		return CLI_EXIT_FAIL;
	r = mw_reuse_create(&o.r, &err);
	if (!r) {
		cli_error("%s", err == MW_ENOMEM ? "out of memory"
						 : "invalid reuse options");
		goto out;
	}
	fc.r = r;
	fc.path = o.path;
	status = cli_drain_trace(s, feed, &fc);
	if (status)
		goto out;
	status = CLI_EXIT_FAIL;
	if (mw_reuse_finish(r)) {
		cli_error("out of memory");
		goto out;
	}
	nm.r = r;
	nm.h = mw_stream_header(s);
	nm.split = o.r.split;
	/* With the CSV on standard output the report would be in the way. */
	if (!o.csv || strcmp(o.csv, "-"))
		print_report(&o, r, &nm);
	if (o.csv && write_csv(o.csv, r, &nm))
		goto out;
	status = CLI_EXIT_OK;
out:
	mw_reuse_destroy(r);
	mw_stream_destroy(s);
	return status;
}
