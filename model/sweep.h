/*
 * sweep.h - a grid of parameter choices: what `memwall sweep` runs.
 *
 * A sweep is a kernel name, fixed parameters (--set NAME=VALUE), varied
 * parameters (--vary NAME=V1,V2,...) and optionally hardware presets
 * (--hw NAME, several = a varied parameter named "hw").  Its points are
 * the cross product of the varied values, numbered 0..count-1 in a fixed
 * order: the "hw" axis slowest, then the --vary axes in the order given,
 * the last one fastest (as nested loops written in that order, or
 * Python's itertools.product).
 *
 * Values are strings handed to the evaluator as they are; the sweep only
 * expands ranges.  A value list is comma-separated; each item is either
 * one value (any text: "64x64x32", "grouped:8", "40MiB") or a range:
 *  - START:STOP:STEP  arithmetic, STOP inclusive when it is hit
 *                     ("64:256:64" = 64,128,192,256; "1:10:4" = 1,5,9)
 *  - START..STOP*F    geometric, STOP inclusive when it is hit
 *                     ("16..1024*2" = 16,32,...,1024)
 * Range bounds are whole numbers, optionally with a size unit (K, KiB,
 * MiB, GiB, ...: "32MiB:64MiB:8MiB"); values with a unit are written
 * back in the largest binary unit that divides them ("40MiB",
 * "1536KiB"), plain numbers as plain numbers.  An item that is not made
 * of numbers this way is a single value ("grouped:8" is not a range).
 *
 * Names: a name with a dot is a hardware override SECTION.KEY
 * ("l2.size"); "hw" is the preset; any other name is a kernel key ("tile",
 * "m", "order").  The evaluator decides what the names mean.
 *
 * Sharding: shard I of N (0 <= I < N) holds the points whose index mod N
 * equals I.
 */
#ifndef MW_SWEEP_H
#define MW_SWEEP_H

#include "common/err.h"
#include "common/results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_SWEEP_POINTS_MAX 100000000ull /* points in one sweep */
#define MW_SWEEP_VALUES_MAX 1000000u	 /* values of one parameter */

struct mw_sweep;

/* One parameter of a point; both strings borrowed from the sweep. */
struct mw_sweep_param {
	const char *name;
	const char *value;
};

struct mw_sweep_point {
	uint64_t index;	    /* position in the whole cross product, 0-based */
	const char *kernel; /* borrowed */
	const char *hw;	    /* borrowed preset name; NULL = none given */
	size_t nparams;
	/* borrowed: every --set, then every --vary, in the order given */
	const struct mw_sweep_param *params;
};

/*
 * Evaluates one point into out (an empty list owned by the caller).
 * Returns 0, MW_EINVAL when the point is invalid for the kernel (a tile
 * larger than the matrix, a split that does not divide: skipped and
 * counted), or another negative mw_err (the sweep stops).  d says why.
 */
typedef int (*mw_sweep_eval)(void *ctx, const struct mw_sweep_point *p,
			     struct mw_results *out, struct mw_diag *d);

/* Returns an owned empty sweep of kernel (copied), or NULL. */
struct mw_sweep *mw_sweep_create(const char *kernel);
/* Accepts NULL. */
void mw_sweep_destroy(struct mw_sweep *s);

/*
 * Adds a varied parameter from "NAME=V1,V2,..." (see above for ranges).
 * "hw=A,B" is the same as --hw A --hw B.  Returns 0, MW_EPARSE (bad
 * syntax, d names the item), MW_EINVAL (a name given twice, a repeated
 * value), MW_ERANGE (too many values or points) or MW_ENOMEM.
 */
int mw_sweep_vary(struct mw_sweep *s, const char *spec, struct mw_diag *d);

/* Adds a fixed parameter from "NAME=VALUE"; errors as mw_sweep_vary. */
int mw_sweep_set(struct mw_sweep *s, const char *spec, struct mw_diag *d);

/* Adds a hardware preset (several make "hw" a varied axis). */
int mw_sweep_add_hw(struct mw_sweep *s, const char *name, struct mw_diag *d);

/* Number of points (1 when nothing varies). */
uint64_t mw_sweep_count(const struct mw_sweep *s);
/* Borrowed kernel name. */
const char *mw_sweep_kernel(const struct mw_sweep *s);

/*
 * Parameter columns of the sweep's CSV, in order: "hw" when any --hw was
 * given, then the --set names, then the --vary names.  i < ncolumns;
 * the name is borrowed.
 */
size_t mw_sweep_ncolumns(const struct mw_sweep *s);
const char *mw_sweep_column(const struct mw_sweep *s, size_t i);
/* True when column i takes more than one value. */
bool mw_sweep_column_varies(const struct mw_sweep *s, size_t i);

/*
 * Point index (< count) into p.  params must have room for
 * mw_sweep_ncolumns(s) entries; p->params points into it (the hw
 * column, if any, is p->hw rather than a param).  The strings are
 * borrowed from s.  Returns 0 or MW_EINVAL (index out of range).
 */
int mw_sweep_point_at(const struct mw_sweep *s, uint64_t index,
		      struct mw_sweep_param *params, struct mw_sweep_point *p);

/*
 * The value of parameter column i at point index (borrowed from s).
 * Column 0 is "hw" when presets were given.
 */
const char *mw_sweep_value_at(const struct mw_sweep *s, uint64_t index,
			      size_t i);

/* The value of name in p ("hw" included), or NULL. */
const char *mw_sweep_point_get(const struct mw_sweep_point *p,
			       const char *name);

/* True for a hardware override name SECTION.KEY ("l2.size"). */
bool mw_sweep_name_is_hw(const char *name);

/*
 * Parses "I/N" (0 <= I < N, N >= 1) into *i and *n.  Returns 0 or
 * MW_EPARSE.
 */
int mw_sweep_parse_shard(const char *s, uint64_t *i, uint64_t *n);

/*
 * Expands one value list (the part after '=') into an owned array of
 * owned strings (free with mw_sweep_free_values).  Returns the count or a
 * negative error (d filled).
 */
long mw_sweep_expand(const char *list, char ***values, struct mw_diag *d);
void mw_sweep_free_values(char **values, size_t n);

#endif
