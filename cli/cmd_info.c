/*
 * cmd_info.c - `memwall info`: what a trace holds.
 */
#include "cli/cli.h"

#include "cli/table.h"
#include "common/units.h"
#include "traces/summary.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct info_opts {
	struct cli_input_opts in;
	const char *csv;
	const char *path;
	bool check;
};

enum {
	OPT_CSV = 0x200,
	OPT_CHECK
};

static const struct argp_option options[] = {
	{"csv", OPT_CSV, "FILE", 0,
	 "Also write the figures as CSV (scope,metric,value); - = stdout", 0},
	{"check", OPT_CHECK, NULL, 0,
	 "Verify the whole file: every block's checksum and structure "
	 "(native format) or every line (text formats); report every "
	 "damaged block instead of stopping at the first",
	 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct info_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->in;
		break;
	case OPT_CSV:
		o->csv = arg;
		break;
	case OPT_CHECK:
		o->check = true;
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
	"Summarize a trace: records, ops, units, tensors with their "
	"footprints, distinct 64-byte lines touched, address range, file "
	"size and bytes per record.  Reads plain or gzip-compressed files, "
	"or standard input (-).\v"
	"Examples:\n"
	"  memwall info trace.mwt\n"
	"  memwall info --check big.mwt\n"
	"  valgrind --tool=lackey --trace-mem=yes ./prog 2>&1 | memwall info "
	"-\n"
	"  memwall info kernel.nvbit.gz --units 132 --csv info.csv",
	children,
	NULL,
	NULL,
};

static void on_damage(void *ctx, const struct mw_diag *d)
{
	uint64_t *count = ctx;

	(*count)++;
	cli_error_diag(d);
}

static int add_results(struct mw_results *r, const struct mw_trace_header *h,
		       const struct mw_stream_stats *st,
		       const struct mw_trace_summary *s, uint64_t file_bytes)
{
	char scope[300];
	unsigned t;
	int err = 0;

	err |= mw_results_add_text(r, "trace", "format", h->format);
	err |= mw_results_add_u64(r, "trace", "records", s->records);
	err |= mw_results_add_u64(r, "trace", "file_bytes", file_bytes);
	err |= mw_results_add_f64(
		r, "trace", "bytes_per_record",
		s->records ? (double)file_bytes / (double)s->records : 0);
	err |= mw_results_add_u64(r, "trace", "reads", s->by_op[MW_OP_READ]);
	err |= mw_results_add_u64(r, "trace", "writes", s->by_op[MW_OP_WRITE]);
	err |= mw_results_add_u64(r, "trace", "ifetches",
				  s->by_op[MW_OP_IFETCH]);
	err |= mw_results_add_u64(r, "trace", "accessed_bytes", s->bytes);
	err |= mw_results_add_u64(r, "trace", "min_size",
				  s->records ? s->min_size : 0);
	err |= mw_results_add_u64(r, "trace", "max_size", s->max_size);
	err |= mw_results_add_u64(r, "trace", "units", h->units);
	err |= mw_results_add_u64(r, "trace", "units_used", s->units_used);
	err |= mw_results_add_u64(r, "trace", "addr_min",
				  s->records ? s->addr_min : 0);
	err |= mw_results_add_u64(r, "trace", "addr_max", s->addr_max);
	err |= mw_results_add_u64(r, "trace", "lines", s->lines);
	err |= mw_results_add_u64(r, "trace", "footprint_bytes",
				  s->lines * MW_SUMMARY_LINE);
	err |= mw_results_add_u64(r, "trace", "tensors", h->ntensors);
	err |= mw_results_add_u64(r, "trace", "text_lines", st->lines);
	err |= mw_results_add_u64(r, "trace", "skipped_bad", st->bad_skipped);
	err |= mw_results_add_u64(r, "trace", "skipped_control",
				  st->controls_skipped);
	err |= mw_results_add_u64(r, "trace", "skipped_other",
				  st->other_skipped);
	err |= mw_results_add_u64(r, "trace", "damaged_blocks",
				  st->damaged_blocks);
	for (t = 0; t <= h->ntensors; t++) {
		const struct mw_tensor_summary *ts = &s->tensor[t];

		if (t == 0 && !ts->records)
			continue;
		snprintf(scope, sizeof(scope), "trace:%s",
			 mw_header_tensor_name(h, t));
		if (t) {
			err |= mw_results_add_u64(r, scope, "base",
						  h->tensors[t].base);
			err |= mw_results_add_u64(r, scope, "declared_bytes",
						  h->tensors[t].bytes);
		}
		err |= mw_results_add_u64(r, scope, "records", ts->records);
		err |= mw_results_add_u64(r, scope, "accessed_bytes",
					  ts->bytes);
		err |= mw_results_add_u64(r, scope, "lines", ts->lines);
		err |= mw_results_add_u64(r, scope, "footprint_bytes",
					  ts->lines * MW_SUMMARY_LINE);
	}
	return err ? MW_ENOMEM : 0;
}

static void print_line(const char *label, const char *value)
{
	printf("  %-16s %s\n", label, value);
}

static const char *pct(char *buf, size_t cap, uint64_t part, uint64_t whole)
{
	snprintf(buf, cap, "%.1f%%",
		 whole ? 100.0 * (double)part / (double)whole : 0.0);
	return buf;
}

static void print_report(const char *path, const struct mw_trace_header *h,
			 const struct mw_stream_stats *st,
			 const struct mw_trace_summary *s, uint64_t file_bytes)
{
	char a[64], b[64], c[64], line[512];
	struct cli_table *t;
	unsigned i;

	printf("%s: %s trace", path, h->format);
	if (file_bytes)
		printf(", %s on disk", mw_fmt_bytes(a, sizeof(a), file_bytes));
	printf("\n");
	print_line("records", mw_fmt_count(a, sizeof(a), s->records));
	if (file_bytes && s->records) {
		snprintf(line, sizeof(line), "%.3f",
			 (double)file_bytes / (double)s->records);
		print_line("bytes/record", line);
	}
	snprintf(line, sizeof(line), "read %s (%s)  write %s (%s)",
		 mw_fmt_count(a, sizeof(a), s->by_op[MW_OP_READ]),
		 pct(b, sizeof(b), s->by_op[MW_OP_READ], s->records),
		 mw_fmt_count(c, sizeof(c), s->by_op[MW_OP_WRITE]),
		 pct(b + 32, 32, s->by_op[MW_OP_WRITE], s->records));
	if (s->by_op[MW_OP_IFETCH]) {
		size_t n = strlen(line);

		snprintf(line + n, sizeof(line) - n, "  ifetch %s (%s)",
			 mw_fmt_count(a, sizeof(a), s->by_op[MW_OP_IFETCH]),
			 pct(b, sizeof(b), s->by_op[MW_OP_IFETCH], s->records));
	}
	print_line("ops", line);
	if (s->records) {
		snprintf(line, sizeof(line), "%s total, %u to %u B each",
			 mw_fmt_bytes(a, sizeof(a), s->bytes), s->min_size,
			 s->max_size);
		print_line("accessed", line);
		snprintf(line, sizeof(line), "0x%" PRIx64 " .. 0x%" PRIx64,
			 s->addr_min, s->addr_max);
		print_line("address range", line);
	}
	snprintf(line, sizeof(line), "%s lines of %d B (%s)",
		 mw_fmt_count(a, sizeof(a), s->lines), MW_SUMMARY_LINE,
		 mw_fmt_bytes(b, sizeof(b), s->lines * MW_SUMMARY_LINE));
	print_line("footprint", line);
	snprintf(line, sizeof(line), "%u declared, %u used", h->units,
		 s->units_used);
	print_line("units", line);
	if (h->provenance && *h->provenance)
		print_line("provenance", h->provenance);
	if (st->lines) {
		snprintf(line, sizeof(line), "%s",
			 mw_fmt_count(a, sizeof(a), st->lines));
		print_line("text lines", line);
	}
	if (st->controls_skipped) {
		snprintf(line, sizeof(line),
			 "%s cache-control commands (copy-back, invalidate)",
			 mw_fmt_count(a, sizeof(a), st->controls_skipped));
		print_line("skipped", line);
	}
	if (st->other_skipped) {
		snprintf(line, sizeof(line),
			 "%s lines holding no access (messages, headers, "
			 "on-chip ops)",
			 mw_fmt_count(a, sizeof(a), st->other_skipped));
		print_line("skipped", line);
	}
	if (st->bad_skipped) {
		snprintf(line, sizeof(line), "%s malformed lines (--skip-bad)",
			 mw_fmt_count(a, sizeof(a), st->bad_skipped));
		print_line("skipped", line);
	}
	if (!h->ntensors && !s->tensor[0].records)
		return;
	t = cli_table_create(6);
	if (!t)
		return;
	cli_table_column(t, 0, "tensor", false);
	cli_table_column(t, 1, "base", false);
	cli_table_column(t, 2, "declared", true);
	cli_table_column(t, 3, "records", true);
	cli_table_column(t, 4, "accessed", true);
	cli_table_column(t, 5, "footprint", true);
	for (i = 0; i <= h->ntensors; i++) {
		const struct mw_tensor_summary *ts = &s->tensor[i];
		char base[32], decl[32], rec[32], acc[32], fp[32];
		const char *cells[6] = {
			mw_header_tensor_name(h, i), base, decl, rec, acc, fp};

		if (i == 0 && !ts->records)
			continue;
		if (i) {
			snprintf(base, sizeof(base), "0x%" PRIx64,
				 h->tensors[i].base);
			mw_fmt_bytes(decl, sizeof(decl), h->tensors[i].bytes);
		} else {
			strcpy(base, "-");
			strcpy(decl, "-");
		}
		mw_fmt_count(rec, sizeof(rec), ts->records);
		mw_fmt_bytes(acc, sizeof(acc), ts->bytes);
		mw_fmt_bytes(fp, sizeof(fp), ts->lines * MW_SUMMARY_LINE);
		cli_table_row(t, cells);
	}
	printf("\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
}

/* The feed of cli_drain_trace: counts a batch into the summarizer ctx. */
static int summarize(void *ctx, const struct mw_access *recs, size_t n)
{
	if (!mw_summarizer_add(ctx, recs, n))
		return 0;
	cli_progress_end();
	cli_error("out of memory counting distinct lines");
	return 1;
}

int cmd_info(int argc, char **argv)
{
	struct info_opts o;
	struct mw_stream *s;
	struct mw_summarizer *sum = NULL;
	struct mw_results *res = NULL;
	uint64_t damaged = 0, file_bytes;
	int status = CLI_EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (o.check) {
		o.in.read.on_damage = on_damage;
		o.in.read.damage_ctx = &damaged;
	}
	s = cli_open_trace(o.path, &o.in);
	if (!s)
		return CLI_EXIT_FAIL;
	sum = mw_summarizer_create();
	res = mw_results_create();
	if (!sum || !res) {
		cli_error("out of memory");
		goto out;
	}
	status = cli_drain_trace(s, summarize, sum);
	if (status)
		goto out;
	status = CLI_EXIT_FAIL;
	file_bytes = mw_stream_file_size(s);
	/* With the CSV on standard output the table would only be in the way. */
	if (!o.csv || strcmp(o.csv, "-"))
		print_report(o.path, mw_stream_header(s), mw_stream_stats(s),
			     mw_summarizer_result(sum), file_bytes);
	if (o.csv) {
		if (add_results(res, mw_stream_header(s), mw_stream_stats(s),
				mw_summarizer_result(sum), file_bytes)) {
			cli_error("out of memory");
			goto out;
		}
		if (cli_write_results_csv(o.csv, res))
			goto out;
	}
	if (o.check) {
		if (damaged) {
			cli_error("%s: %llu damaged block%s", o.path,
				  (unsigned long long)damaged,
				  damaged == 1 ? "" : "s");
			goto out;
		}
		printf("\ncheck: OK, every record read and verified\n");
	}
	status = CLI_EXIT_OK;
out:
	mw_results_destroy(res);
	mw_summarizer_destroy(sum);
	mw_stream_destroy(s);
	return status;
}
