/*
 * results.h - results in long form: an ordered list of (scope, metric,
 * value).  Every subcommand reports through one, so its CSV (columns
 * scope,metric,value) and a sweep's wide rows (scope.metric columns) come
 * from the same data.
 */
#ifndef MW_RESULTS_H
#define MW_RESULTS_H

#include <stddef.h>
#include <stdint.h>

enum mw_result_kind {
	MW_RESULT_U64,
	MW_RESULT_F64,
	MW_RESULT_TEXT
};

struct mw_result {
	char *scope;  /* owned: "trace", "l2", "l2:A", "memory:ch3" */
	char *metric; /* owned: "records", "misses" */
	enum mw_result_kind kind;
	uint64_t u; /* MW_RESULT_U64 */
	double f;   /* MW_RESULT_F64 */
	char *text; /* owned, MW_RESULT_TEXT */
};

struct mw_results;

/* Returns an owned empty list (free with mw_results_destroy) or NULL. */
struct mw_results *mw_results_create(void);
void mw_results_destroy(struct mw_results *r);

/* Append a value (strings are copied).  0 or MW_ENOMEM. */
int mw_results_add_u64(struct mw_results *r, const char *scope,
		       const char *metric, uint64_t v);
int mw_results_add_f64(struct mw_results *r, const char *scope,
		       const char *metric, double v);
int mw_results_add_text(struct mw_results *r, const char *scope,
			const char *metric, const char *v);

size_t mw_results_count(const struct mw_results *r);
/* Borrowed; i < count. */
const struct mw_result *mw_results_get(const struct mw_results *r, size_t i);
/* The first result with this scope and metric, or NULL. */
const struct mw_result *mw_results_find(const struct mw_results *r,
					const char *scope, const char *metric);

/*
 * The value as CSV text: integers exactly, doubles with up to 9
 * significant digits, text as is.  Returns buf.
 */
char *mw_result_value(const struct mw_result *res, char *buf, size_t cap);

#endif
