/*
 * kernel_opts.c - argp options from a kernel's parameter table.
 *
 * Notes:
 *  - Every parameter KEY is an option --KEY VALUE whose help line gives
 *    its default; values are checked by mw_kernel_set as they are parsed,
 *    combinations by mw_kernel_validate later.
 */
#include "cli/kernel_opts.h"

#include "cli/cli.h"

#include <string.h>

int cli_kernel_select(struct cli_kernel_opts *ko, int *argc, char ***argv,
		      const char *def)
{
	const char *word = NULL;
	struct mw_diag d;

	memset(ko, 0, sizeof(*ko));
	if (*argc >= 2 && (*argv)[1][0] != '-')
		word = (*argv)[1];
	if (!word && !def)
		return CLI_EXIT_OK;
	ko->ops = mw_kernel_find(word ? word : def);
	if (!ko->ops) {
		cli_error("no kernel '%s' (gemm, mlp, attention, decode, "
			  "layer)",
			  word);
		return CLI_EXIT_USAGE;
	}
	mw_diag_clear(&d);
	ko->k = mw_kernel_create(ko->ops->name, &d);
	if (!ko->k) {
		cli_error("%s", d.msg);
		return CLI_EXIT_FAIL;
	}
	if (word) {
		snprintf(ko->name, sizeof(ko->name), "%s %s", (*argv)[0], word);
		(*argv)[1] = ko->name;
		(*argv)++;
		(*argc)--;
	}
	return CLI_EXIT_OK;
}

int cli_kernel_options(struct cli_kernel_opts *ko,
		       const struct argp_option *fixed, struct argp_option *out)
{
	const struct mw_kernel_ops *ops = ko->ops;
	unsigned i, n = 0;

	for (i = 0; ops && ops->params[i].key; i++) {
		if (i >= CLI_KPARAMS_MAX)
			return -1;
		snprintf(ko->docs[i], sizeof(ko->docs[i]), "%s (default %s)",
			 ops->params[i].help, ops->params[i].def);
		memset(&out[n], 0, sizeof(out[n]));
		out[n].name = ops->params[i].key;
		out[n].key = CLI_KOPT_BASE + (int)i;
		out[n].arg = "VALUE";
		out[n].doc = ko->docs[i];
		out[n].group = 1;
		n++;
	}
	for (i = 0; fixed[i].name; i++) {
		out[n + i] = fixed[i];
		out[n + i].group = 2;
	}
	memset(&out[n + i], 0, sizeof(out[n + i]));
	return 0;
}

int cli_kernel_parse(struct cli_kernel_opts *ko, int key, const char *arg,
		     struct argp_state *state)
{
	struct mw_diag d;

	if (!ko->ops || key < CLI_KOPT_BASE ||
	    key >= CLI_KOPT_BASE + CLI_KPARAMS_MAX)
		return 0;
	mw_diag_clear(&d);
	if (mw_kernel_set(ko->k, ko->ops->params[key - CLI_KOPT_BASE].key, arg,
			  &d))
		argp_error(state, "--%s", d.msg);
	return 1;
}

void cli_kernel_list(FILE *f)
{
	unsigned i;

	fputs("Kernels:\n", f);
	for (i = 0; mw_kernels[i]; i++)
		fprintf(f, "  %-10s %s\n", mw_kernels[i]->name,
			mw_kernels[i]->summary);
}

void cli_kernel_free(struct cli_kernel_opts *ko)
{
	mw_kernel_destroy(ko->k);
	ko->k = NULL;
}
