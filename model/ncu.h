/*
 * ncu.h - measurements exported by NVIDIA Nsight Compute as CSV.
 *
 * Both layouts ncu writes are read, told apart by their header:
 *  - long ("details" page, `ncu --csv`): one row per (launch, metric) with
 *    "Metric Name", "Metric Unit" and "Metric Value" columns;
 *  - raw (`--page raw`): one row per launch, one column per metric, the
 *    first row after the header holding the units.
 * Columns are found by name, never by position.  Values are returned in
 * base units: bytes, seconds, counts (sectors, requests, cycles), and
 * fractions for percentages (42.5 % -> 0.425).
 */
#ifndef MW_NCU_H
#define MW_NCU_H

#include "common/err.h"

#include <stddef.h>
#include <stdint.h>

struct mw_ncu_metric {
	char *name;   /* owned: "dram__bytes_read.sum" */
	double value; /* in base units (see above) */
	char *unit; /* owned: the unit as ncu printed it ("Mbyte"), may be "" */
};

struct mw_ncu_launch {
	uint64_t id;	    /* ncu's "ID" column (launch order) */
	char *kernel;	    /* owned: "Kernel Name" */
	char *grid, *block; /* owned, may be "" when the export lacks them */
	struct mw_ncu_metric *metrics; /* owned */
	size_t nmetrics;
};

struct mw_ncu_table;

/*
 * Loads an export (plain or gzip).  Lines ncu or the application print
 * around the CSV (==PROF==, program output) are skipped until the header.
 * Returns an owned table (free with mw_ncu_table_destroy) or NULL with d
 * filled (file, line, reason).
 */
struct mw_ncu_table *mw_ncu_load(const char *path, struct mw_diag *d);
void mw_ncu_table_destroy(struct mw_ncu_table *t);

size_t mw_ncu_count(const struct mw_ncu_table *t);
/* Borrowed; i < count.  Launches are in file order. */
const struct mw_ncu_launch *mw_ncu_launch(const struct mw_ncu_table *t,
					  size_t i);
/* The launch with ncu ID id, or NULL. */
const struct mw_ncu_launch *mw_ncu_find_launch(const struct mw_ncu_table *t,
					       uint64_t id);
/* The metric named name of a launch, or NULL. */
const struct mw_ncu_metric *mw_ncu_metric(const struct mw_ncu_launch *l,
					  const char *name);

/*
 * Converts an ncu value and unit to base units.  Accepts thousands
 * separators ("1,215,000.50") and the decimal comma of other locales
 * ("1.215.000,50", "0,5").  Returns 0, or MW_EPARSE for a value that is
 * not a number ("n/a") or a unit it does not know.
 */
int mw_ncu_value(const char *text, const char *unit, double *out);

#endif
