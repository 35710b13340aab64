/*
 * sweep_eval.c - how `memwall sweep` evaluates a point: the hook between
 * the sweep engine (cli/sweep_run.c) and the kernel models (model/run.h).
 *
 * Notes:
 *  - A point's machine is its preset (p->hw; h100-sxm when the sweep
 *    names none) with every SECTION.KEY parameter applied as a --set
 *    override in the order given (mw_sweep_name_is_hw), then validated.
 *    Every other parameter is a kernel key (mw_kernel_set).
 *  - MW_EINVAL (the point is skipped and counted) only for a point the
 *    kernel's own validation rejects (a tile larger than the matrix, a
 *    split larger than the K tiles, heads not divisible by kv-heads).  An
 *    unknown key, a malformed value or a machine the overrides break is
 *    an error that stops the sweep: it would be wrong at every point.
 *  - The results are mw_run's (cold caches, no reuse analysis) without
 *    run.seconds and run.accesses_per_s, so that a sweep's CSV depends
 *    only on its points (the same bytes whatever -j or the machine's
 *    load), and without kernel.KEY (the parameter columns, all of them
 *    also in kernel.params).
 */
#include "cli/sweep_run.h"

#include "hierarchy/hwconfig.h"
#include "model/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEF_HW "h100-sxm"

/* Results a sweep row leaves out: the wall-clock ones, and the kernel's
   parameters one by one (they are the row's parameter columns already;
   kernel.params keeps them all). */
static bool left_out(const struct mw_result *x)
{
	if (!strcmp(x->scope, "run"))
		return !strcmp(x->metric, "seconds") ||
		       !strcmp(x->metric, "accesses_per_s");
	return !strcmp(x->scope, "kernel") && strcmp(x->metric, "name") &&
	       strcmp(x->metric, "params");
}

static int copy_results(struct mw_results *out, const struct mw_results *r)
{
	size_t i;
	int err = 0;

	for (i = 0; i < mw_results_count(r); i++) {
		const struct mw_result *x = mw_results_get(r, i);

		if (left_out(x))
			continue;
		if (x->kind == MW_RESULT_U64)
			err |= mw_results_add_u64(out, x->scope, x->metric,
						  x->u);
		else if (x->kind == MW_RESULT_F64)
			err |= mw_results_add_f64(out, x->scope, x->metric,
						  x->f);
		else
			err |= mw_results_add_text(out, x->scope, x->metric,
						   x->text);
	}
	return err ? MW_ENOMEM : 0;
}

static int eval_point(void *ctx, const struct mw_sweep_point *p,
		      struct mw_results *out, struct mw_diag *d)
{
	const struct mw_kernel_ops *ops = ctx;
	struct mw_hw_cfg *hw = malloc(sizeof(*hw));
	struct mw_kernel *k = NULL;
	struct mw_results *r = mw_results_create();
	char assign[512];
	size_t i;
	int rc;

	if (!hw || !r) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	rc = mw_hw_open(hw, p->hw ? p->hw : DEF_HW, d);
	if (rc)
		goto out;
	for (i = 0; i < p->nparams; i++) {
		const struct mw_sweep_param *q = &p->params[i];

		if (!mw_sweep_name_is_hw(q->name))
			continue;
		snprintf(assign, sizeof(assign), "%s=%s", q->name, q->value);
		rc = mw_hw_set(hw, assign, d);
		if (rc)
			goto out;
	}
	rc = mw_hw_validate(hw, d);
	if (rc)
		goto out;
	k = mw_kernel_create(ops->name, d);
	if (!k) {
		rc = d->code ? d->code : MW_ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nparams; i++) {
		const struct mw_sweep_param *q = &p->params[i];

		if (mw_sweep_name_is_hw(q->name))
			continue;
		rc = mw_kernel_set(k, q->name, q->value, d);
		if (rc)
			goto out;
	}
	rc = mw_run(k, hw, NULL, r, d);
	if (!rc)
		rc = copy_results(out, r);
	if (rc == MW_ENOMEM)
		mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
out:
	mw_kernel_destroy(k);
	mw_results_destroy(r);
	free(hw);
	return rc;
}

int cli_sweep_evaluator(const char *kernel, mw_sweep_eval *eval, void **ctx,
			struct mw_diag *d)
{
	const struct mw_kernel_ops *ops = mw_kernel_find(kernel);

	*eval = NULL;
	*ctx = NULL;
	if (!ops)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "unknown kernel '%s' (gemm, mlp, attention, "
				   "decode, layer)",
				   kernel);
	*eval = eval_point;
	/* the kernel's table: static, nothing to free */
	*ctx = (void *)(uintptr_t)ops;
	return 0;
}

void cli_sweep_evaluator_free(void *ctx)
{
	(void)ctx;
}
