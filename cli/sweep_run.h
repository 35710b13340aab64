/*
 * sweep_run.h - running a sweep: worker processes, the CSV of wide rows,
 * resume, progress and the summary.  Used by `memwall sweep`
 * (cmd_sweep.c) and by the tests with their own evaluators.
 */
#ifndef MW_CLI_SWEEP_RUN_H
#define MW_CLI_SWEEP_RUN_H

#include "model/sweep.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cli_sweep_opts {
	const struct mw_sweep *sweep; /* borrowed */
	mw_sweep_eval eval;
	void *ctx;	   /* borrowed, handed to eval in the workers */
	unsigned jobs;	   /* worker processes, >= 1 */
	uint64_t shard;	   /* this shard, < nshards */
	uint64_t nshards;  /* >= 1 */
	bool resume;	   /* keep the rows of an existing csv */
	const char *csv;   /* output path; "-" = standard output */
	FILE *report;	   /* the summary goes here; NULL = none */
	unsigned max_rows; /* 0, or stop as if interrupted after this
				 many new rows (tests, --limit) */
};

struct cli_sweep_stats {
	uint64_t points;  /* points of the sweep in this shard */
	uint64_t resumed; /* rows kept from the existing CSV */
	uint64_t rows;	  /* new rows written */
	uint64_t skipped; /* points invalid for the kernel (MW_EINVAL) */
	uint64_t dropped; /* result values with no column (see docs) */
	bool interrupted; /* stopped by SIGINT/SIGTERM or max_rows */
};

/*
 * The evaluator of `memwall sweep KERNEL` (cli/sweep_eval.c): sets *eval
 * and *ctx (free with cli_sweep_evaluator_free) and returns 0, or returns
 * an error with d filled (unknown kernel).
 */
int cli_sweep_evaluator(const char *kernel, mw_sweep_eval *eval, void **ctx,
			struct mw_diag *d);
void cli_sweep_evaluator_free(void *ctx);

/* How cmd_sweep finds its evaluator; tests pass their own. */
typedef int (*cli_sweep_get_eval)(const char *kernel, mw_sweep_eval *eval,
				  void **ctx, struct mw_diag *d);

/*
 * Runs the points of shard o->shard that the CSV does not hold yet and
 * writes the CSV (temporary file renamed when done or interrupted).
 * Prints errors and the summary.  Returns a CLI exit status: 0, 1 (an
 * error: the rows done are kept), or 130 (interrupted: the rows done are
 * kept).  st may be NULL.
 */
int cli_sweep_run(const struct cli_sweep_opts *o, struct cli_sweep_stats *st);

/* `memwall sweep` with the evaluator from get (cmd_sweep passes
 * cli_sweep_evaluator). */
int cli_sweep_main(int argc, char **argv, cli_sweep_get_eval get);

#endif
