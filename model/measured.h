/*
 * measured.h - measured data for validation, as one list of rows.
 *
 * Two inputs give the same rows:
 *  - memwall's measured-data CSV (validation/README.md): a header naming
 *    at least the columns case, kernel, metric, measured (in any order);
 *    optional params, launch, unit, cache_control; every other column
 *    (gpu, driver, source, tag, reference, note, rule columns ...) is kept
 *    as an attribute.  Lines starting with '#' and blank lines are
 *    skipped.  validation/gpu/run.sh writes this layout, and
 *    validation/data/published.csv uses it;
 *  - a Nsight Compute CSV export (long or --page raw, read by model/ncu.h).
 *
 * A row is one (case, launch, metric) measurement: the kernel and its
 * parameters are `memwall run` arguments, so a prediction for a row is
 * mw_measured_row_argv() handed to the same option parser as `memwall run`
 * (docs/validate.md shows the wiring).  Values are in base units.
 */
#ifndef MW_MEASURED_H
#define MW_MEASURED_H

#include "common/err.h"

#include <stddef.h>
#include <stdint.h>

struct mw_measured_kv {
	char *key;   /* owned */
	char *value; /* owned; "" for a flag (--causal) */
};

struct mw_measured_row {
	char *case_name; /* owned: "gemm-8k-t128x128-grouped8" */
	char *kernel;	 /* owned: memwall kernel ("gemm", "attention",
			    "decode", "copy") or, for an ncu export read
			    without a kernel, ncu's "Kernel Name" */
	struct mw_measured_kv
		*params; /* owned: options without "--", file order */
	size_t nparams;
	char *launch; /* owned: "*" = the whole case (all its launches; .sum
			 metrics summed), or "ID:kernel name" for one launch */
	char *metric; /* owned: as measured ("dram__bytes_read.sum") */
	double value; /* in unit */
	char *unit;   /* owned: base unit: "byte", "second", "sector",
			 "fraction", "byte/second", "request", "cycle", ...;
			 "" = a plain count */
	char *cache_control; /* owned: "all" (flushed), "none", or "" */
	struct mw_measured_kv
		*attrs; /* owned: the other columns, by header name */
	size_t nattrs;
	uint64_t line; /* line of the file it came from */
};

/*
 * How to describe the launches of a bare ncu export (every field may be
 * NULL): the case name (default: the file's base name; the file is one
 * case), the memwall kernel and its parameters ("--m 8192 --n 8192 ...";
 * default: ncu's kernel name and no parameters) and the cache control it
 * was profiled with.
 */
struct mw_measured_opts {
	const char *ncu_case;
	const char *ncu_kernel;
	const char *ncu_params;
	const char *ncu_cache_control;
};

struct mw_measured;

/*
 * Loads path (plain or gzip; either layout, told apart by the header).
 * o may be NULL.  Returns an owned table (free with mw_measured_destroy)
 * or NULL with d filled (file, line, reason: a missing column names it, a
 * bad cell names its column and text).
 */
struct mw_measured *mw_measured_load(const char *path,
				     const struct mw_measured_opts *o,
				     struct mw_diag *d);
/* Accepts NULL. */
void mw_measured_destroy(struct mw_measured *m);

size_t mw_measured_count(const struct mw_measured *m);
/* Borrowed; i < count; rows in file order. */
const struct mw_measured_row *mw_measured_row(const struct mw_measured *m,
					      size_t i);
/* True when the file was an Nsight Compute export. */
int mw_measured_from_ncu(const struct mw_measured *m);

/* The value of parameter / attribute key, or NULL.  Borrowed. */
const char *mw_measured_param(const struct mw_measured_row *r, const char *key);
const char *mw_measured_attr(const struct mw_measured_row *r, const char *key);

/*
 * The row as a `memwall run` argument vector: { kernel, "--key", "value",
 * ..., NULL } (a flag gives "--key" alone).  Returns 0 with *argv owned
 * (free with mw_measured_argv_free) and *argc set, or MW_ENOMEM.
 */
int mw_measured_row_argv(const struct mw_measured_row *r, char ***argv,
			 int *argc);
void mw_measured_argv_free(char **argv);

/*
 * Parses "--m 8192 --causal --order grouped:8" (or "m=8192 order=row"):
 * tokens split on spaces; "--key value", "--key" (a flag, value "") or
 * "key=value".  Returns 0 with *kv owned (free with mw_measured_kv_free)
 * and *n set, MW_EPARSE with *why set (a token that is not an option, a
 * repeated key), or MW_ENOMEM.
 */
int mw_measured_params_parse(const char *text, struct mw_measured_kv **kv,
			     size_t *n, const char **why);
void mw_measured_kv_free(struct mw_measured_kv *kv, size_t n);

/*
 * Normalises a measured value: text ("1,610,612,736", "4.01 TB/s",
 * "0.1900ms", "1.215.000,50") and unit ("GB/s", "Mbyte", "%", "" or NULL)
 * to base units.  A unit inside the cell is used when the unit argument is
 * empty, and must equal it otherwise.  Sets *value and *base (a static
 * string: "byte", "second", "byte/second", "fraction", ...).  Returns 0, or
 * MW_EPARSE with *why set.
 */
int mw_measured_value(const char *text, const char *unit, double *value,
		      const char **base, const char **why);

/*
 * How a measured metric maps onto memwall's results (common/results.h):
 * predicted value = results(scope, metric), compared with measured x scale.
 */
struct mw_metric_map {
	const char *measured; /* "dram__bytes_read.sum" */
	double scale;	      /* measured x scale = predicted units */
	const char *scope;    /* "memory" */
	const char *metric;   /* "bytes_read" */
	const char *unit;     /* of the predicted value: "byte", "ns" ... */
};

/* The mapping for a measured metric name, or NULL (not predicted). */
const struct mw_metric_map *mw_metric_map_find(const char *measured);
/* The whole table, terminated by an entry with measured == NULL. */
const struct mw_metric_map *mw_metric_map_table(void);

#endif
