/*
 * cmd_gen.c - `memwall gen KERNEL`: write a kernel's accesses as a trace.
 *
 * Notes:
 *  - The options of each kernel are made from its parameter table
 *    (model/kernel.h): every parameter KEY is an option --KEY VALUE, and
 *    --help lists them with their defaults.  The kernel word must come
 *    first so its options are known before parsing.
 *  - The machine: --units (default 132, the SM count of the h100-sxm
 *    preset) and the kernel's --ctas-per-unit (0 = 1 here).  TODO(lead):
 *    add --hw PRESET|FILE once the hardware config reader is merged, and
 *    take units and ctas_per_unit from its struct mw_machine_cfg.
 */
#include "cli/cli.h"

#include "common/alloc.h"
#include "common/units.h"
#include "model/bounds.h"
#include "model/kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH	   4096
#define OPT_PARAM  0x1000
#define OPT_UNITS  0x400
#define OPT_TO	   0x401
#define OPT_CSV	   0x402
#define DEF_UNITS  132
#define PARAMS_MAX 32

struct gen_opts {
	const struct mw_kernel_ops *ops;
	struct mw_kernel *k;
	const char *out;
	const char *csv;
	struct mw_write_opts wr;
	uint32_t units;
};

static const struct argp_option fixed_options[] = {
	{"output", 'o', "FILE", 0,
	 "Trace to write: native .mwt unless FILE's extension or --to names "
	 "another writable format; - = standard output",
	 0},
	{"to", OPT_TO, "NAME", 0,
	 "Output format (default: from FILE's "
	 "extension, else mwt)",
	 0},
	{"units", OPT_UNITS, "N", 0,
	 "Units (SMs) the CTAs run on (default 132)", 0},
	{"csv", OPT_CSV, "FILE", 0,
	 "Also write the bounds (scope bounds) as CSV; - = stdout", 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct gen_opts *o = state->input;
	struct mw_diag d;
	uint64_t v;

	if (key >= OPT_PARAM && key < OPT_PARAM + PARAMS_MAX) {
		const char *pk = o->ops->params[key - OPT_PARAM].key;

		if (mw_kernel_set(o->k, pk, arg, &d))
			argp_error(state, "--%s", d.msg);
		return 0;
	}
	switch (key) {
	case 'o':
		o->out = arg;
		break;
	case OPT_TO: {
		const struct mw_format *f = mw_format_find(arg);

		if (!f || !f->create)
			argp_error(state, "cannot write format '%s'", arg);
		o->wr.format = arg;
		break;
	}
	case OPT_UNITS:
		if (mw_parse_u64(arg, &v) || v == 0 || v > MW_UNITS_MAX)
			argp_error(state, "--units wants 1..%d, not '%s'",
				   MW_UNITS_MAX, arg);
		o->units = (uint32_t)v;
		break;
	case OPT_CSV:
		o->csv = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (o->ops && !o->out)
			argp_error(state, "where to? (-o FILE)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static char *help_filter(int key, const char *text, void *input)
{
	const struct gen_opts *o = input;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	unsigned i;

	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Kernels:\n", f);
	for (i = 0; mw_kernels[i]; i++)
		fprintf(f, "  %-10s %s\n", mw_kernels[i]->name,
			mw_kernels[i]->summary);
	fputs("\nExamples:\n", f);
	if (o && o->ops) {
		fprintf(f, "  memwall gen %s -o %s.mwt\n", o->ops->name,
			o->ops->name);
		fprintf(f, "  memwall gen %s %s -o %s.mwt\n", o->ops->name,
			o->ops->example, o->ops->name);
	} else {
		for (i = 0; mw_kernels[i]; i++)
			fprintf(f, "  memwall gen %s %s -o %s.mwt\n",
				mw_kernels[i]->name, mw_kernels[i]->example,
				mw_kernels[i]->name);
		fputs("  memwall gen gemm --help    (the options of one "
		      "kernel)\n",
		      f);
	}
	fclose(f);
	return buf;
}

/* Fills opts (room for PARAMS_MAX + fixed) from the kernel's table. */
static int make_options(const struct mw_kernel_ops *ops,
			struct argp_option *opts, char docs[][192])
{
	unsigned i, n = 0;

	for (i = 0; ops && ops->params[i].key; i++) {
		if (i >= PARAMS_MAX)
			return -1;
		snprintf(docs[i], 192, "%s (default %s)", ops->params[i].help,
			 ops->params[i].def);
		memset(&opts[n], 0, sizeof(opts[n]));
		opts[n].name = ops->params[i].key;
		opts[n].key = OPT_PARAM + (int)i;
		opts[n].arg = "VALUE";
		opts[n].doc = docs[i];
		opts[n].group = 1;
		n++;
	}
	memcpy(&opts[n], fixed_options, sizeof(fixed_options));
	for (i = 0; fixed_options[i].name; i++)
		opts[n + i].group = 2;
	return 0;
}

static int write_trace(struct gen_opts *o)
{
	static struct mw_access buf[BATCH];
	struct mw_sched_cfg cfg = {o->units, 1};
	struct mw_writer *w = NULL;
	struct mw_stream *s;
	struct mw_bounds b;
	struct mw_diag d;
	char n1[32];
	long n = 0;
	int status = CLI_EXIT_FAIL;

	s = mw_kernel_stream(o->k, &cfg, &d);
	if (!s) {
		cli_error("%s: %s", o->ops->name, d.msg);
		return CLI_EXIT_FAIL;
	}
	w = mw_trace_create(o->out, mw_stream_header(s), &o->wr, &d);
	if (!w) {
		cli_error_diag(&d);
		goto out;
	}
	cli_progress_begin("records", 0);
	while (!cli_interrupted && (n = mw_stream_read(s, buf, BATCH)) > 0) {
		if (mw_writer_write(w, buf, (size_t)n, &d)) {
			cli_progress_end();
			cli_error_diag(&d);
			goto out;
		}
		cli_progress_update(mw_stream_records(s));
	}
	cli_progress_end();
	if (cli_interrupted) {
		cli_error("interrupted; %s not written", o->out);
		status = CLI_EXIT_INTERRUPTED;
		goto out;
	}
	if (n < 0) {
		cli_error_diag(mw_stream_diag(s));
		goto out;
	}
	n = mw_writer_commit(w, &d);
	w = NULL;
	if (n) {
		cli_error_diag(&d);
		goto out;
	}
	if (strcmp(o->out, "-"))
		printf("wrote %s records to %s\n",
		       mw_fmt_count(n1, sizeof(n1), mw_stream_records(s)),
		       o->out);
	fflush(stdout);
	status = CLI_EXIT_OK;
	if (o->csv) {
		struct mw_results *r = mw_results_create();

		status = CLI_EXIT_FAIL;
		if (!r || mw_kernel_bounds(o->k, &cfg, &b, &d) ||
		    mw_bounds_results(&b, r)) {
			cli_error("bounds: %s", r ? d.msg : "out of memory");
		} else {
			status = cli_write_results_csv(o->csv, r);
		}
		mw_results_destroy(r);
	}
out:
	mw_writer_abort(w);
	mw_stream_destroy(s);
	return status;
}

int cmd_gen(int argc, char **argv)
{
	struct argp_option opts[PARAMS_MAX + 8];
	static char docs[PARAMS_MAX][192];
	struct gen_opts o;
	struct mw_diag d;
	char name[96];
	struct argp argp = {
		opts,
		parse,
		NULL,
		"Write a kernel's memory accesses, as its CTAs run on the "
		"units, to a trace file (sim, reuse and info read it).  The "
		"kernel word comes first; 'memwall gen KERNEL --help' lists "
		"that kernel's options with their defaults.\v",
		NULL,
		help_filter,
		NULL,
	};
	int status;

	memset(&o, 0, sizeof(o));
	o.units = DEF_UNITS;
	if (argc >= 2 && argv[1][0] != '-') {
		o.ops = mw_kernel_find(argv[1]);
		if (!o.ops) {
			cli_error("no kernel '%s' (gemm, mlp, attention, "
				  "decode, layer)",
				  argv[1]);
			return CLI_EXIT_USAGE;
		}
		o.k = mw_kernel_create(o.ops->name, &d);
		if (!o.k) {
			cli_error("%s", d.msg);
			return CLI_EXIT_FAIL;
		}
		snprintf(name, sizeof(name), "%s %s", argv[0], argv[1]);
		argv[1] = name;
		argv++;
		argc--;
		argp.args_doc = "-o FILE";
	} else {
		argp.args_doc = "KERNEL [--OPTION VALUE...] -o FILE";
	}
	if (make_options(o.ops, opts, docs)) {
		cli_error("too many kernel parameters");
		mw_kernel_destroy(o.k);
		return CLI_EXIT_FAIL;
	}
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (!o.ops) {
		cli_error("which kernel? (gemm, mlp, attention, decode, "
			  "layer; see --help)");
		return CLI_EXIT_USAGE;
	}
	status = write_trace(&o);
	mw_kernel_destroy(o.k);
	return status;
}
