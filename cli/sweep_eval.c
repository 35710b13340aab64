/*
 * sweep_eval.c - how `memwall sweep` evaluates a point: the hook between
 * the sweep engine (cli/sweep_run.c) and the kernel models.
 *
 * Notes:
 *  - This build has no kernel models yet, so every kernel is unknown and
 *    `memwall sweep` says so; nothing is made up.  Wiring the models in
 *    replaces this file: create the kernel in cli_sweep_evaluator, and in
 *    the evaluator apply p->hw (preset) and every p->params entry (names
 *    with a dot are SECTION.KEY hardware overrides, the others kernel
 *    keys), run it into out, and return MW_EINVAL for a point the kernel
 *    rejects (tile larger than the matrix, a split that does not divide).
 */
#include "cli/sweep_run.h"

int cli_sweep_evaluator(const char *kernel, mw_sweep_eval *eval, void **ctx,
			struct mw_diag *d)
{
	*eval = NULL;
	*ctx = NULL;
	return mw_diag_set(d, MW_ECONFIG, "", 0,
			   "unknown kernel '%s': this build has no kernel "
			   "models to sweep",
			   kernel);
}

void cli_sweep_evaluator_free(void *ctx)
{
	(void)ctx;
}
