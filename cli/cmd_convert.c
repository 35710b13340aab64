/*
 * cmd_convert.c - `memwall convert`: between trace formats.
 */
#include "cli/cli.h"

#include "common/units.h"
#include "common/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct convert_opts {
	struct cli_input_opts in;
	struct mw_write_opts out;
	const char *src, *dst;
};

enum {
	OPT_TO = 0x300,
	OPT_LEVEL,
	OPT_BLOCK
};

static const struct argp_option options[] = {
	{"to", OPT_TO, "NAME", 0,
	 "Output format: mwt, din, csv (default: from OUT's extension, "
	 "else mwt)",
	 0},
	{"level", OPT_LEVEL, "N", 0,
	 "Compression level, 1 (fastest) to 12 (smallest) for mwt, 1-9 "
	 "for .gz text (default 6)",
	 0},
	{"block", OPT_BLOCK, "RECORDS", 0,
	 "Records per native-format block (default 65536, at most 1048576)", 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct convert_opts *o = state->input;
	uint64_t v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->in;
		break;
	case OPT_TO: {
		const struct mw_format *f = mw_format_find(arg);

		if (!f || !f->create)
			argp_error(state,
				   "cannot write format '%s' (mwt, din, csv)",
				   arg);
		o->out.format = arg;
		break;
	}
	case OPT_LEVEL:
		if (mw_parse_u64(arg, &v) || v < 1 || v > 12)
			argp_error(state, "--level wants 1..12, not '%s'", arg);
		o->out.level = (int)v;
		break;
	case OPT_BLOCK:
		if (mw_parse_u64(arg, &v) || v < 1 || v > (1u << 20))
			argp_error(state, "--block wants 1..1048576, not '%s'",
				   arg);
		o->out.block_records = (uint32_t)v;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0)
			o->src = arg;
		else if (state->arg_num == 1)
			o->dst = arg;
		else
			argp_error(state, "too many arguments");
		break;
	case ARGP_KEY_END:
		if (!o->dst)
			argp_error(state, "want an input and an output file");
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
	"IN OUT",
	"Convert a trace between formats.  IN may be any readable format, "
	"plain or gzip-compressed, or - for standard input; OUT is written "
	"to a temporary name and renamed when complete (- = standard "
	"output).  Text outputs ending in .gz are gzip-compressed.\v"
	"Examples:\n"
	"  memwall convert app.lackey.gz app.mwt\n"
	"  memwall convert kernel.nvbit.gz kernel.mwt --units 132 "
	"--regions tensors.csv\n"
	"  memwall convert trace.mwt trace.din.gz\n"
	"  memwall convert trace.mwt - --to csv | head",
	children,
	NULL,
	NULL,
};

/* "converted from SRC (FORMAT) by memwall convert; was: ..." */
static int set_provenance(struct mw_trace_header *h, const char *src,
			  const char *format)
{
	const char *was = h->provenance ? h->provenance : "";
	size_t n = strlen(src) + strlen(format) + strlen(was) + 96;
	char *text = malloc(n);
	int err;

	if (!text)
		return MW_ENOMEM;
	snprintf(text, n, "converted from %s (%s) by memwall %s%s%s",
		 strcmp(src, "-") ? src : "<stdin>", format, MW_VERSION,
		 *was ? "; " : "", was);
	err = mw_header_set_provenance(h, text);
	free(text);
	return err;
}

int cmd_convert(int argc, char **argv)
{
	struct convert_opts o;
	struct mw_trace_header h;
	struct mw_stream *s;
	struct mw_writer *w = NULL;
	struct mw_diag d;
	int status = CLI_EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	mw_header_init(&h);
	s = cli_open_trace(o.src, &o.in);
	if (!s)
		return CLI_EXIT_FAIL;
	if (mw_header_copy(&h, mw_stream_header(s)) ||
	    set_provenance(&h, o.src, mw_stream_header(s)->format)) {
		cli_error("out of memory");
		goto out;
	}
	w = mw_trace_create(o.dst, &h, &o.out, &d);
	if (!w) {
		cli_error_diag(&d);
		goto out;
	}
	status = cli_drain_trace(s, cli_feed_writer, w);
	if (status == CLI_EXIT_INTERRUPTED)
		cli_error("interrupted; %s not written", o.dst);
	if (status)
		goto out;
	if (mw_writer_commit(w, &d)) {
		cli_error_diag(&d);
		status = CLI_EXIT_FAIL;
	}
	w = NULL;
out:
	mw_writer_abort(w);
	mw_stream_destroy(s);
	mw_header_free(&h);
	return status;
}
