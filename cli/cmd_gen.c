/*
 * cmd_gen.c - `memwall gen KERNEL`: write a kernel's accesses as a trace.
 *
 * Notes:
 *  - The options of each kernel are made from its parameter table
 *    (model/kernel.h): every parameter KEY is an option --KEY VALUE, and
 *    --help lists them with their defaults.  The kernel word must come
 *    first so its options are known before parsing.
 *  - The machine: --hw PRESET|FILE (with --set) gives the units and the
 *    resident CTAs per unit (machine.units, machine.ctas_per_unit), the
 *    schedule `memwall run` uses on that machine; --units overrides the
 *    units.  Without --hw: 132 units (the SM count of the h100-sxm
 *    preset), 1 CTA per unit.  The kernel's --ctas-per-unit, when not 0,
 *    wins over the machine's.
 */
#include "cli/cli.h"

#include "cli/kernel_opts.h"
#include "common/alloc.h"
#include "hierarchy/config.h"
#include "common/units.h"
#include "model/bounds.h"
#include "model/kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_UNITS 0x400
#define OPT_TO	  0x401
#define OPT_CSV	  0x402
#define DEF_UNITS 132

struct gen_opts {
	struct cli_kernel_opts ko;
	const char *out;
	const char *csv;
	struct mw_write_opts wr;
	struct cli_hw_opts hw;
	uint32_t units; /* --units, 0 = from the machine */
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
	 "Units (SMs) the CTAs run on (default: the machine's, else 132)", 0},
	{"csv", OPT_CSV, "FILE", 0,
	 "Also write the bounds (scope bounds) as CSV; - = stdout", 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct gen_opts *o = state->input;
	uint64_t v;

	if (cli_kernel_parse(&o->ko, key, arg, state))
		return 0;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->hw;
		break;
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
		if (o->ko.ops && !o->out)
			argp_error(state, "where to? (-o FILE)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The examples after the options: of the chosen kernel (ops), else of all. */
static void examples(FILE *f, const struct mw_kernel_ops *ops)
{
	unsigned i;

	if (ops) {
		fprintf(f, "  memwall gen %s -o %s.mwt\n", ops->name,
			ops->name);
		fprintf(f, "  memwall gen %s %s -o %s.mwt\n", ops->name,
			ops->example, ops->name);
		fprintf(f, "  memwall gen %s --hw h100-sxm -o %s.mwt\n",
			ops->name, ops->name);
	} else {
		for (i = 0; mw_kernels[i]; i++)
			fprintf(f, "  memwall gen %s %s -o %s.mwt\n",
				mw_kernels[i]->name, mw_kernels[i]->example,
				mw_kernels[i]->name);
		fputs("  memwall gen gemm --help    (the options of one "
		      "kernel)\n",
		      f);
	}
}

static char *help_filter(int key, const char *text, void *input)
{
	const struct gen_opts *o = input;

	return cli_kernel_help(key, text, o ? o->ko.ops : NULL, examples);
}

static int write_trace(struct gen_opts *o)
{
	struct mw_sched_cfg cfg = {DEF_UNITS, 1};
	struct mw_writer *w = NULL;
	struct mw_stream *s;
	struct mw_bounds b;
	struct mw_diag d;
	char n1[32];
	long n = 0;
	int status = CLI_EXIT_FAIL;

	if (o->hw.hw) {
		struct mw_hw_cfg *hw = malloc(sizeof(*hw));

		if (!hw) {
			cli_error("out of memory");
			return CLI_EXIT_FAIL;
		}
		if (cli_load_hw(&o->hw, hw)) {
			free(hw);
			return CLI_EXIT_FAIL;
		}
		cfg.units = hw->machine.units;
		cfg.ctas_per_unit = hw->machine.ctas_per_unit
					    ? hw->machine.ctas_per_unit
					    : 1;
		free(hw);
	}
	if (o->units)
		cfg.units = o->units;
	s = mw_kernel_stream(o->ko.k, &cfg, &d);
	if (!s) {
		cli_error("%s: %s", o->ko.ops->name, d.msg);
		return CLI_EXIT_FAIL;
	}
	w = mw_trace_create(o->out, mw_stream_header(s), &o->wr, &d);
	if (!w) {
		cli_error_diag(&d);
		goto out;
	}
	status = cli_drain_trace(s, cli_feed_writer, w);
	if (status == CLI_EXIT_INTERRUPTED)
		cli_error("interrupted; %s not written", o->out);
	if (status)
		goto out;
	status = CLI_EXIT_FAIL;
	n = mw_writer_commit(w, &d);
	w = NULL;
	if (n) {
		cli_error_diag(&d);
		goto out;
	}
	/* With --csv -, standard output holds only the CSV. */
	if (strcmp(o->out, "-"))
		fprintf(o->csv && !strcmp(o->csv, "-") ? stderr : stdout,
			"wrote %s records to %s\n",
			mw_fmt_count(n1, sizeof(n1), mw_stream_records(s)),
			o->out);
	fflush(stdout);
	status = CLI_EXIT_OK;
	if (o->csv) {
		struct mw_results *r = mw_results_create();

		status = CLI_EXIT_FAIL;
		if (!r || mw_kernel_bounds(o->ko.k, &cfg, &b, &d) ||
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

static const struct argp_child children[] = {
	{&cli_hw_argp, 0, "Hardware options (units and CTAs per unit):", 3},
	{0}};

int cmd_gen(int argc, char **argv)
{
	struct argp_option opts[CLI_KPARAMS_MAX + 8];
	struct gen_opts o;
	struct argp argp = {
		opts,
		parse,
		NULL,
		"Write a kernel's memory accesses, as its CTAs run on the "
		"units, to a trace file (sim, reuse and info read it).  The "
		"kernel word comes first; 'memwall gen KERNEL --help' lists "
		"that kernel's options with their defaults.\v",
		children,
		help_filter,
		NULL,
	};
	int status;

	memset(&o, 0, sizeof(o));
	status = cli_kernel_select(&o.ko, &argc, &argv, NULL);
	if (status)
		return status;
	argp.args_doc = o.ko.ops ? "-o FILE"
				 : "KERNEL [--OPTION VALUE...] -o FILE";
	if (cli_kernel_options(&o.ko, fixed_options, opts)) {
		cli_error("too many kernel parameters");
		cli_kernel_free(&o.ko);
		return CLI_EXIT_FAIL;
	}
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (!o.ko.ops) {
		cli_error("which kernel? (gemm, mlp, attention, decode, "
			  "layer; see --help)");
		return CLI_EXIT_USAGE;
	}
	status = write_trace(&o);
	cli_kernel_free(&o.ko);
	return status;
}
