/*
 * kernel_opts.h - the options of a kernel, made from its parameter table
 * (model/kernel.h): shared by `memwall gen` and `memwall run`.
 *
 * The kernel word comes first ("memwall run gemm --m 4096"), so its
 * options are known before argp parses the rest.
 */
#ifndef MW_CLI_KERNEL_OPTS_H
#define MW_CLI_KERNEL_OPTS_H

#include "model/kernel.h"

#include <argp.h>
#include <stdio.h>

#define CLI_KPARAMS_MAX 32     /* parameters of one kernel */
#define CLI_KOPT_BASE	0x1000 /* argp keys of the parameters */

struct cli_kernel_opts {
	const struct mw_kernel_ops *ops; /* NULL: no kernel chosen */
	struct mw_kernel *k;		 /* owned */
	char name[96];			 /* "memwall gen gemm" */
	char docs[CLI_KPARAMS_MAX][192];
};

/*
 * Picks the kernel: argv[1] when it is a word (then argv is shifted so
 * argv[0] is "memwall CMD KERNEL"), else def (NULL: none).  Prints the
 * error; returns 0, CLI_EXIT_USAGE (unknown kernel) or CLI_EXIT_FAIL.
 */
int cli_kernel_select(struct cli_kernel_opts *ko, int *argc, char ***argv,
		      const char *def);

/*
 * Fills out with one option --KEY VALUE per parameter (group 1), then the
 * fixed options (group 2) and the terminator.  out has room for
 * CLI_KPARAMS_MAX + the fixed options + 1.  0, or -1 for too many
 * parameters.
 */
int cli_kernel_options(struct cli_kernel_opts *ko,
		       const struct argp_option *fixed,
		       struct argp_option *out);

/*
 * Handles key when it is a parameter's: sets it (argp_error on a bad
 * value) and returns 1; returns 0 for any other key.
 */
int cli_kernel_parse(struct cli_kernel_opts *ko, int key, const char *arg,
		     struct argp_state *state);

/* "Kernels:" and one line per kernel. */
void cli_kernel_list(FILE *f);

/* Frees the kernel. */
void cli_kernel_free(struct cli_kernel_opts *ko);

#endif
