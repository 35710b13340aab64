/*
 * validate.h - measured rows against memwall's predictions: matching,
 * prediction (one mw_run per distinct kernel, machine and cache state),
 * error and summary statistics.  `memwall validate` prints what this
 * computes.
 *
 *   struct mw_validate_opts o;
 *   mw_validate_opts_init(&o);
 *   o.hw = "h100-sxm";                      (NULL: from the rows)
 *   struct mw_validate *v = mw_validate_run(measured, &o, &diag);
 *   for i < mw_validate_count(v): mw_validate_row(v, i)
 *   for i < mw_validate_nstats(v): mw_validate_stat(v, i)
 *   mw_validate_destroy(v);
 */
#ifndef MW_VALIDATE_H
#define MW_VALIDATE_H

#include "common/err.h"
#include "common/results.h"
#include "model/measured.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct mw_validate_opts {
	/* Machine for every row: a preset or an INI file; NULL = each
	   row's gpu, hw or cpu attribute mapped by mw_validate_preset. */
	const char *hw;
	/* "SECTION.KEY=VALUE" overrides applied to every machine
	   (borrowed). */
	const char *const *sets;
	unsigned nsets;
	/* A prediction whose kernel would issue more records than this
	   (estimated as its no-reuse bytes / 128) is not run; 0 = no
	   limit. */
	uint64_t max_records;
	/* Checked between and inside runs; non-zero stops with
	   MW_ECANCEL.  NULL = never. */
	const volatile sig_atomic_t *interrupt;
	/* Called before each prediction is run (case, kernel description);
	   NULL = none. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/* hw NULL, no sets, max_records 200,000,000, no interrupt. */
void mw_validate_opts_init(struct mw_validate_opts *o);

struct mw_validate_row {
	const struct mw_measured_row *m; /* borrowed from the measured table */
	size_t group;	/* index of its (case, cache_control) group */
	const char *hw; /* borrowed: machine used ("" = none) */
	char *reason;	/* owned by the table: why not predicted, or NULL */
	const char *predicted_name; /* "memory.bytes_read"; NULL unmapped */
	const char *unit;	    /* of measured/predicted: "byte", "ns" .. */
	double measured;	    /* m->value x the map's scale */
	double predicted;
	double error_pct; /* 100 (predicted - measured) / measured; NAN when
			     measured is 0 */
};

struct mw_validate_stat {
	const char *metric; /* measured metric name (borrowed) */
	const char *unit;
	size_t rows;	     /* compared rows with an error % */
	double mean_abs_pct; /* mean |error %| */
	double mean_pct;     /* mean error % (signed: the bias) */
	size_t worst;	     /* index of the row with the largest |error %| */
};

struct mw_validate;

/*
 * Matches every row of m (borrowed; must outlive the result) with its
 * prediction.  Rows that cannot be predicted get a reason (a per-launch
 * row, an [R] fact, a row its note marks not comparable, no memwall
 * kernel, no mapping for the metric, no machine, parameters the kernel
 * rejects, a run over max_records, a result the run lacks); they are
 * never dropped.  Rows come back grouped by (case, cache_control) in
 * order of first appearance, file order inside a group.  Returns owned
 * (mw_validate_destroy) or NULL with d filled: MW_ECONFIG for an --hw or
 * --set the hierarchy refuses, MW_ECANCEL, MW_ENOMEM.
 */
struct mw_validate *mw_validate_run(const struct mw_measured *m,
				    const struct mw_validate_opts *o,
				    struct mw_diag *d);
void mw_validate_destroy(struct mw_validate *v);

size_t mw_validate_count(const struct mw_validate *v);
/* Borrowed; i < count. */
const struct mw_validate_row *mw_validate_row(const struct mw_validate *v,
					      size_t i);
/* Rows compared (with a prediction) and distinct mw_run calls made. */
size_t mw_validate_compared(const struct mw_validate *v);
size_t mw_validate_runs(const struct mw_validate *v);

/* Per measured metric, in order of first appearance. */
size_t mw_validate_nstats(const struct mw_validate *v);
const struct mw_validate_stat *mw_validate_stat(const struct mw_validate *v,
						size_t i);

/*
 * The preset for a machine name as data files write it ("NVIDIA H200",
 * "H100 SXM 80GB", "A100-SXM4-80GB", "MI300X", "Intel(R) Xeon(R)
 * Processor" for this project's build machine), or NULL.  Case, spaces,
 * dashes and a leading NVIDIA / AMD Instinct are ignored.
 */
const char *mw_validate_preset(const char *machine);

/*
 * The prediction a metric map entry names, from a run's results: a
 * result (memory.bytes_read) or a derived one (memory.bytes,
 * memory.effective_bandwidth, l2.read_bytes ... see validate.c's Notes).
 * l1 and l2 are the machine's first and second levels, named l1name and
 * l2name.  Returns 0 with *value set, or -1 when the results lack it.
 */
int mw_validate_predict(const struct mw_results *res,
			const struct mw_metric_map *map, const char *l1name,
			const char *l2name, double *value);

#endif
