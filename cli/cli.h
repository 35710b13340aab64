/*
 * cli.h - what the subcommands of `memwall` share: the command table,
 * error reporting, interrupts, progress, input options, result output.
 *
 * cli/ is the only layer that prints to the user or exits.  Exit
 * statuses: 0 success, 1 failure (bad input, I/O, a check that failed),
 * 2 usage error (argp), 130 interrupted.
 */
#ifndef MW_CLI_H
#define MW_CLI_H

#include "common/err.h"
#include "common/results.h"
#include "traces/format.h"

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define CLI_EXIT_OK	     0
#define CLI_EXIT_FAIL	     1
#define CLI_EXIT_USAGE	     2
#define CLI_EXIT_INTERRUPTED 130

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] = "memwall NAME" */
	const char *summary;
};

/* The subcommands, NULL-terminated (cli/main.c). */
extern const struct cli_command cli_commands[];

/* One per file cli/cmd_NAME.c, listed in cli_commands. */
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_hw(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_reuse(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* "memwall: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "memwall: file:line: reason" on stderr. */
void cli_error_diag(const struct mw_diag *d);
/* "memwall: warning: ..." on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Set by SIGINT/SIGTERM once cli_catch_interrupts has run. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_interrupts(void);

/* A progress line on stderr, only when stderr is a terminal. */
void cli_progress_begin(const char *what, uint64_t total);
void cli_progress_update(uint64_t done);
void cli_progress_end(void);

/* ---- trace input options (an argp child shared by sim, info, ...) ---- */

struct cli_input_opts {
	struct mw_read_opts read;
	const char *regions;	/* --regions FILE, NULL = none */
	uint64_t page_map;	/* --page-map SIZE: page bytes, 0 = none */
	uint64_t page_map_seed; /* its SEED (default 1) */
};

/*
 * Options --format, --skip-bad, --units, --regions, --page-map; input:
 * struct cli_input_opts.
 */
extern const struct argp cli_input_argp;

/*
 * Opens a trace with the input options (regions, then the page map
 * applied); prints the
 * error and returns NULL on failure.
 */
struct mw_stream *cli_open_trace(const char *path,
				 const struct cli_input_opts *o);

/* After reading a stream: reports skipped bad lines; returns 0 or 1 if failed. */
int cli_finish_stream(struct mw_stream *s, long last_read);

/*
 * Reads s to its end with the progress line, handing each batch to feed
 * (ctx passed on), which returns 0, or non-zero to stop after ending the
 * progress line (cli_progress_end) and saying why.  Then as
 * cli_finish_stream.  Returns CLI_EXIT_OK, CLI_EXIT_INTERRUPTED (nothing
 * printed) or CLI_EXIT_FAIL (said why).
 */
int cli_drain_trace(struct mw_stream *s,
		    int (*feed)(void *ctx, const struct mw_access *recs,
				size_t n),
		    void *ctx);

/* A feed for cli_drain_trace: writes the batch to the struct mw_writer ctx. */
int cli_feed_writer(void *ctx, const struct mw_access *recs, size_t n);

/* ---- hardware options (an argp child shared by sim, hw show, ...) ---- */

#define CLI_SETS_MAX 64

struct mw_hw_cfg;

struct cli_hw_opts {
	const char *hw;			/* --hw NAME|FILE, NULL = none */
	const char *sets[CLI_SETS_MAX]; /* --set SECTION.KEY=VALUE, in order */
	unsigned nsets;
};

/* Options --hw, --set; input: struct cli_hw_opts. */
extern const struct argp cli_hw_argp;

/*
 * Loads o->hw (a preset or an INI file), applies the --set overrides in
 * order and validates the result; prints the error.  0 or 1.
 */
int cli_load_hw(const struct cli_hw_opts *o, struct mw_hw_cfg *cfg);

/* ---- results ---------------------------------------------------------- */

/*
 * Writes results in long form (scope,metric,value with a header row) to
 * path ("-" = standard output), atomically.  Prints errors; 0 or 1.
 */
int cli_write_results_csv(const char *path, const struct mw_results *r);

/*
 * One CSV row of n fields, ending in a newline, into buf (NUL-terminated);
 * fields are quoted with libcsv only when they need it.  Returns the
 * length, or -1 when it does not fit in cap.
 */
long cli_csv_row(char *buf, size_t cap, const char *const *fields, size_t n);

#endif
