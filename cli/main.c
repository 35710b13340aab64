/*
 * main.c - `memwall`: global options and dispatch to the subcommands.
 *
 * Notes:
 *  - git-style: global options come before the command word; argp stops
 *    at the first non-option (ARGP_IN_ORDER) and the command re-parses the
 *    rest with its own argp, so `memwall CMD --help` shows that command's
 *    options and examples.
 *  - Usage errors exit 2 (argp's default would be 64).
 */
#include "cli/cli.h"

#include "common/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *argp_program_version = "memwall " MW_VERSION;

static int cmd_help(int argc, char **argv);

const struct cli_command cli_commands[] = {
	{"info", cmd_info,
	 "what a trace holds: records, ops, tensors, "
	 "footprint"},
	{"convert", cmd_convert, "convert a trace between formats"},
	{"plot", cmd_plot, "draw sweep results or miss-ratio curves (gnuplot)"},
	{"sim", cmd_sim, "simulate trace files on a machine's caches"},
	{"hw", cmd_hw, "list and show hardware presets"},
	{"reuse", cmd_reuse, "reuse distances and miss-ratio curve of a trace"},
	{"gen", cmd_gen, "write a kernel's trace to a file"},
	{"run", cmd_run, "run a kernel on a machine: traffic, bounds, time"},
	{"sweep", cmd_sweep,
	 "run a grid of tiling/hardware choices, one CSV row each"},
	{"validate", cmd_validate,
	 "measured data against the predictions: error per row and metric"},
	{"help", cmd_help, "help on memwall or on one command"},
	{NULL, NULL, NULL},
};

static const struct cli_command *find_command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void list_commands(FILE *f)
{
	const struct cli_command *c;

	fputs("Commands:\n", f);
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'memwall COMMAND --help' for a command's options and "
	      "examples.\n",
	      f);
}

struct global {
	int argc;
	char **argv; /* the command word and what follows */
};

static error_t parse_global(int key, char *arg, struct argp_state *state)
{
	struct global *g = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		g->argc = state->argc - state->next + 1;
		g->argv = &state->argv[state->next - 1];
		state->next = state->argc;
		(void)arg;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_usage(state);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static char *help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	list_commands(f);
	fputs("\nExamples:\n"
	      "  memwall info trace.din.gz\n"
	      "  memwall convert trace.lackey.gz trace.mwt\n"
	      "  memwall help convert\n",
	      f);
	fclose(f);
	return buf;
}

static const struct argp global_argp = {
	NULL,
	parse_global,
	"COMMAND [ARG...]",
	"memwall models a memory hierarchy (per-unit L1s, a shared L2, HBM or "
	"DRAM) driven by address traces of attention and GEMM kernels.\v",
	NULL,
	help_filter,
	NULL,
};

static int cmd_help(int argc, char **argv)
{
	const struct cli_command *c;
	char name[64];
	char *args[3];

	if (argc < 2) {
		printf("Usage: memwall COMMAND [ARG...]\n\n");
		list_commands(stdout);
		return CLI_EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c || c->run == cmd_help) {
		cli_error("no command '%s'; 'memwall help' lists them",
			  argv[1]);
		return CLI_EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "memwall %s", c->name);
	args[0] = name;
	args[1] = (char *)"--help";
	args[2] = NULL;
	return c->run(2, args);
}

int main(int argc, char **argv)
{
	struct global g = {0, NULL};
	const struct cli_command *c;
	char name[64];

	argp_err_exit_status = CLI_EXIT_USAGE;
	argp_parse(&global_argp, argc, argv, ARGP_IN_ORDER, NULL, &g);
	c = find_command(g.argv[0]);
	if (!c) {
		cli_error("unknown command '%s'; 'memwall help' lists them",
			  g.argv[0]);
		return CLI_EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "memwall %s", c->name);
	g.argv[0] = name;
	cli_catch_interrupts();
	return c->run(g.argc, g.argv);
}
