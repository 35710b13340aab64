/*
 * results.c - the long-form result list.
 *
 * Notes:
 *  - Insertion order is kept: it is the order of the CSV rows, chosen by
 *    the code that reports (machine-level first, then per tensor).
 *  - Non-finite doubles print as "nan" / "inf" / "-inf", which CSV
 *    readers (Python, gnuplot, pandas) accept.
 */
#include "common/results.h"

#include "common/alloc.h"
#include "common/err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct mw_results {
	struct mw_result *v; /* owned */
	size_t n, cap;
};

struct mw_results *mw_results_create(void)
{
	return mw_calloc(1, sizeof(struct mw_results));
}

void mw_results_destroy(struct mw_results *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		mw_free(r->v[i].scope);
		mw_free(r->v[i].metric);
		mw_free(r->v[i].text);
	}
	mw_free(r->v);
	mw_free(r);
}

static struct mw_result *append(struct mw_results *r, const char *scope,
				const char *metric)
{
	struct mw_result *res;

	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 32;
		struct mw_result *nv = mw_reallocarray(r->v, ncap, sizeof(*nv));
		if (!nv)
			return NULL;
		r->v = nv;
		r->cap = ncap;
	}
	res = &r->v[r->n];
	memset(res, 0, sizeof(*res));
	res->scope = mw_strdup(scope);
	res->metric = mw_strdup(metric);
	if (!res->scope || !res->metric) {
		mw_free(res->scope);
		mw_free(res->metric);
		return NULL;
	}
	r->n++;
	return res;
}

int mw_results_add_u64(struct mw_results *r, const char *scope,
		       const char *metric, uint64_t v)
{
	struct mw_result *res = append(r, scope, metric);

	if (!res)
		return MW_ENOMEM;
	res->kind = MW_RESULT_U64;
	res->u = v;
	return 0;
}

int mw_results_add_f64(struct mw_results *r, const char *scope,
		       const char *metric, double v)
{
	struct mw_result *res = append(r, scope, metric);

	if (!res)
		return MW_ENOMEM;
	res->kind = MW_RESULT_F64;
	res->f = v;
	return 0;
}

int mw_results_add_text(struct mw_results *r, const char *scope,
			const char *metric, const char *v)
{
	char *copy = mw_strdup(v);
	struct mw_result *res;

	if (!copy)
		return MW_ENOMEM;
	res = append(r, scope, metric);
	if (!res) {
		mw_free(copy);
		return MW_ENOMEM;
	}
	res->kind = MW_RESULT_TEXT;
	res->text = copy;
	return 0;
}

size_t mw_results_count(const struct mw_results *r)
{
	return r->n;
}

const struct mw_result *mw_results_get(const struct mw_results *r, size_t i)
{
	return &r->v[i];
}

const struct mw_result *mw_results_find(const struct mw_results *r,
					const char *scope, const char *metric)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].scope, scope) &&
		    !strcmp(r->v[i].metric, metric))
			return &r->v[i];
	return NULL;
}

char *mw_result_value(const struct mw_result *res, char *buf, size_t cap)
{
	switch (res->kind) {
	case MW_RESULT_U64:
		snprintf(buf, cap, "%llu", (unsigned long long)res->u);
		break;
	case MW_RESULT_F64:
		if (isnan(res->f))
			snprintf(buf, cap, "nan");
		else if (isinf(res->f))
			snprintf(buf, cap, res->f > 0 ? "inf" : "-inf");
		else
			snprintf(buf, cap, "%.9g", res->f);
		break;
	default:
		snprintf(buf, cap, "%s", res->text);
		break;
	}
	return buf;
}
