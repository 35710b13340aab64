/*
 * cmd_sweep.c - `memwall sweep`: a grid of kernel, tiling and hardware
 * choices, one CSV row each.
 *
 * Notes:
 *  - The options only collect specs; the sweep is built after argp so
 *    that KERNEL may come anywhere on the line.  A bad --vary/--set/--hw
 *    is a usage error (exit 2) naming the option and the item.
 *  - The evaluator comes from a cli_sweep_get_eval function
 *    (cli_sweep_evaluator in cli/sweep_eval.c for the shipped command),
 *    so the tests drive the very same command with their own.
 */
#include "cli/cli.h"
#include "cli/sweep_run.h"

#include "common/units.h"
#include "hierarchy/hwconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Loads a --hw NAME|FILE once before any point runs, so a misspelt preset
 * is refused at the start rather than after the points before it.
 */
static int check_hw(const char *name, struct mw_diag *d)
{
	struct mw_hw_cfg *cfg = malloc(sizeof(*cfg));
	int err;

	if (!cfg)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	err = mw_hw_open(cfg, name, d);
	free(cfg);
	return err;
}

#define JOBS_MAX 1024

enum spec_kind {
	SPEC_VARY,
	SPEC_SET,
	SPEC_HW
};

struct spec {
	enum spec_kind kind;
	const char *text; /* borrowed from argv */
};

struct sweep_args {
	const char *kernel;
	struct spec *specs; /* malloc'd */
	size_t nspecs;
	unsigned jobs;
	uint64_t shard, nshards;
	bool resume, quiet;
	unsigned limit;
	const char *csv;
};

enum {
	OPT_VARY = 0x400,
	OPT_SET,
	OPT_HW,
	OPT_SHARD,
	OPT_RESUME,
	OPT_CSV,
	OPT_LIMIT,
	OPT_QUIET
};

static const struct argp_option options[] = {
	{"vary", OPT_VARY, "NAME=V1,V2,...", 0,
	 "Vary a parameter (repeatable; the first --vary changes slowest).  "
	 "Items may be ranges START:STOP:STEP or START..STOP*FACTOR, STOP "
	 "included",
	 0},
	{"set", OPT_SET, "NAME=VALUE", 0,
	 "Fix a kernel parameter (tile, m, ...) or a hardware key "
	 "(SECTION.KEY, l2.size=40MiB) for every point (repeatable)",
	 0},
	{"hw", OPT_HW, "NAME", 0,
	 "Hardware preset (repeatable: several make hw a varied parameter, "
	 "slowest of all)",
	 0},
	{"jobs", 'j', "N", 0,
	 "Worker processes (default: the number of online cores)", 0},
	{"shard", OPT_SHARD, "I/N", 0,
	 "Run only the points whose index mod N is I (0 <= I < N)", 0},
	{"resume", OPT_RESUME, NULL, 0,
	 "Keep the rows already in the --csv file and run only the missing "
	 "points",
	 0},
	{"csv", OPT_CSV, "FILE", 0,
	 "Where the rows go (required; - = standard output)", 0},
	{"limit", OPT_LIMIT, "N", 0,
	 "Stop after N new rows (a quick look; --resume continues)", 0},
	{"quiet", OPT_QUIET, NULL, 0, "No summary at the end", 0},
	{0}};

static void add_spec(struct argp_state *state, struct sweep_args *a,
		     enum spec_kind kind, const char *text)
{
	struct spec *ns = realloc(a->specs, (a->nspecs + 1) * sizeof(*ns));

	if (!ns)
		argp_failure(state, CLI_EXIT_FAIL, 0, "out of memory");
	a->specs = ns;
	ns[a->nspecs].kind = kind;
	ns[a->nspecs].text = text;
	a->nspecs++;
}

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct sweep_args *a = state->input;
	uint64_t v;

	switch (key) {
	case OPT_VARY:
		add_spec(state, a, SPEC_VARY, arg);
		break;
	case OPT_SET:
		add_spec(state, a, SPEC_SET, arg);
		break;
	case OPT_HW:
		add_spec(state, a, SPEC_HW, arg);
		break;
	case 'j':
		if (mw_parse_u64(arg, &v) || v < 1 || v > JOBS_MAX)
			argp_error(state, "-j wants 1..%d, not '%s'", JOBS_MAX,
				   arg);
		a->jobs = (unsigned)v;
		break;
	case OPT_SHARD:
		if (mw_sweep_parse_shard(arg, &a->shard, &a->nshards))
			argp_error(state,
				   "--shard wants I/N with 0 <= I < N, not "
				   "'%s'",
				   arg);
		break;
	case OPT_RESUME:
		a->resume = true;
		break;
	case OPT_CSV:
		a->csv = arg;
		break;
	case OPT_LIMIT:
		if (mw_parse_u64(arg, &v) || v < 1 || v > UINT32_MAX)
			argp_error(state,
				   "--limit wants a positive count, "
				   "not '%s'",
				   arg);
		a->limit = (unsigned)v;
		break;
	case OPT_QUIET:
		a->quiet = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			argp_error(state, "one KERNEL only ('%s' is extra)",
				   arg);
		a->kernel = arg;
		break;
	case ARGP_KEY_END:
		if (!a->kernel)
			argp_error(state, "which KERNEL?");
		if (!a->csv)
			argp_error(state, "--csv FILE is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse,
	"KERNEL",
	"Run KERNEL over the cross product of the varied parameters and "
	"write one CSV row per point: point (its index), the parameters, "
	"then the results as scope.metric columns.  Points invalid for the "
	"kernel are skipped and counted.  The CSV is written to a temporary "
	"file and renamed when done or interrupted; --resume finishes an "
	"interrupted sweep.\v"
	"Examples:\n"
	"  memwall sweep gemm --set m=4096 --set n=4096 --set k=4096 \\\n"
	"      --vary tile=64x64x32,128x128x64,128x256x64 \\\n"
	"      --vary order=row,grouped:8 --csv gemm.csv\n"
	"  memwall sweep attention --vary seq=1024..65536*2 --hw h100-sxm "
	"--hw a100-80g --csv attn.csv\n"
	"  memwall sweep gemm --set tile=128x128x64 --vary "
	"l2.size=20MiB:80MiB:20MiB --csv l2.csv\n"
	"  memwall sweep gemm ... --shard 3/16 --csv part3.csv   (one job of "
	"16)\n"
	"  memwall sweep gemm ... --csv gemm.csv --resume",
	NULL,
	NULL,
	NULL,
};

static long online_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : n;
}

int cli_sweep_main(int argc, char **argv, cli_sweep_get_eval get)
{
	struct sweep_args a;
	struct cli_sweep_opts o;
	struct mw_sweep *s;
	struct mw_diag d;
	void *ctx = NULL;
	mw_sweep_eval eval = NULL;
	int status = CLI_EXIT_USAGE, err = 0;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.nshards = 1;
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	s = mw_sweep_create(a.kernel);
	if (!s) {
		cli_error("out of memory");
		free(a.specs);
		return CLI_EXIT_FAIL;
	}
	mw_diag_clear(&d);
	for (i = 0; i < a.nspecs && !err; i++) {
		if (a.specs[i].kind == SPEC_VARY)
			err = mw_sweep_vary(s, a.specs[i].text, &d);
		else if (a.specs[i].kind == SPEC_SET)
			err = mw_sweep_set(s, a.specs[i].text, &d);
		else {
			err = check_hw(a.specs[i].text, &d);
			if (!err)
				err = mw_sweep_add_hw(s, a.specs[i].text, &d);
		}
	}
	if (err) {
		cli_error_diag(&d);
		status = err == MW_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
		goto out;
	}
	if (get(a.kernel, &eval, &ctx, &d)) {
		cli_error_diag(&d);
		status = CLI_EXIT_FAIL;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.sweep = s;
	o.eval = eval;
	o.ctx = ctx;
	o.jobs = a.jobs ? a.jobs : (unsigned)online_cores();
	o.shard = a.shard;
	o.nshards = a.nshards;
	o.resume = a.resume;
	o.csv = a.csv;
	o.report = a.quiet ? NULL : strcmp(a.csv, "-") ? stdout : stderr;
	o.max_rows = a.limit;
	status = cli_sweep_run(&o, NULL);
	cli_sweep_evaluator_free(ctx);
out:
	mw_sweep_destroy(s);
	free(a.specs);
	return status;
}

int cmd_sweep(int argc, char **argv)
{
	return cli_sweep_main(argc, argv, cli_sweep_evaluator);
}
