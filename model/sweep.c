/*
 * sweep.c - the points of a sweep: value lists, ranges, cross product.
 *
 * Notes:
 *  - The points are never materialized: point i is decoded from its
 *    index in mixed radix (hw slowest, then the --vary axes in order, the
 *    last fastest), so a sweep of millions of points costs the value
 *    lists only, and every process of a parallel or sharded sweep agrees
 *    on what point i is.
 *  - Ranges are inclusive of STOP when a step lands on it; the last value
 *    is never above STOP.  Bounds are unsigned integers (sizes with units
 *    included); a step past 2^64 ends the range.
 *  - A repeated value in one list is an error, not a duplicate point: two
 *    identical rows would make --resume ambiguous.
 *  - Names are letters, digits, '_', '-' and '.'; "point" is reserved for
 *    the index column of the CSV.
 */
#include "model/sweep.h"

#include "common/alloc.h"
#include "common/units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct axis {
	char *name;    /* owned */
	char **values; /* owned, each owned */
	size_t n;
};

struct mw_sweep {
	char *kernel;	   /* owned */
	struct axis hw;	   /* n == 0: no --hw given */
	struct axis *sets; /* owned, each n == 1 */
	size_t nsets;
	struct axis *varies; /* owned */
	size_t nvaries;
};

struct mw_sweep *mw_sweep_create(const char *kernel)
{
	struct mw_sweep *s = mw_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kernel = mw_strdup(kernel ? kernel : "");
	if (!s->kernel) {
		mw_free(s);
		return NULL;
	}
	return s;
}

void mw_sweep_free_values(char **values, size_t n)
{
	size_t i;

	if (!values)
		return;
	for (i = 0; i < n; i++)
		mw_free(values[i]);
	mw_free(values);
}

static void axis_free(struct axis *a)
{
	mw_free(a->name);
	mw_sweep_free_values(a->values, a->n);
	a->name = NULL;
	a->values = NULL;
	a->n = 0;
}

void mw_sweep_destroy(struct mw_sweep *s)
{
	size_t i;

	if (!s)
		return;
	axis_free(&s->hw);
	for (i = 0; i < s->nsets; i++)
		axis_free(&s->sets[i]);
	for (i = 0; i < s->nvaries; i++)
		axis_free(&s->varies[i]);
	mw_free(s->sets);
	mw_free(s->varies);
	mw_free(s->kernel);
	mw_free(s);
}

/* ---- value lists ---------------------------------------------------- */

struct vlist {
	char **v;
	size_t n, cap;
};

static int vlist_push(struct vlist *l, char *owned)
{
	if (!owned)
		return MW_ENOMEM;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		char **nv = mw_reallocarray(l->v, ncap, sizeof(*nv));

		if (!nv) {
			mw_free(owned);
			return MW_ENOMEM;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = owned;
	return 0;
}

/* A range bound: digits (plain), or a size with a unit. */
static bool parse_bound(const char *s, uint64_t *v, bool *unit)
{
	const char *p;

	if (!*s)
		return false;
	for (p = s; *p && isdigit((unsigned char)*p); p++)
		;
	if (!*p) {
		*unit = false;
		return mw_parse_u64(s, v) == 0;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	*unit = true;
	return mw_parse_size(s, v) == 0;
}

static char *fmt_value(uint64_t v, bool unit)
{
	static const char *const names[] = {"TiB", "GiB", "MiB", "KiB"};
	static const unsigned shifts[] = {40, 30, 20, 10};
	char buf[48];
	size_t i;

	if (!unit) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		return mw_strdup(buf);
	}
	for (i = 0; i < 4 && v; i++) {
		uint64_t m = (1ull << shifts[i]) - 1;

		if (!(v & m)) {
			snprintf(buf, sizeof(buf), "%llu%s",
				 (unsigned long long)(v >> shifts[i]),
				 names[i]);
			return mw_strdup(buf);
		}
	}
	snprintf(buf, sizeof(buf), "%lluB", (unsigned long long)v);
	return mw_strdup(buf);
}

/* Offsets of the first (up to 3) colons of item; returns the count. */
static size_t colons(const char *item, size_t cut[3])
{
	size_t n = 0;
	const char *p = item, *q;

	while (n < 3 && (q = strchr(p, ':'))) {
		cut[n++] = (size_t)(q - item);
		p = q + 1;
	}
	return n;
}

static int range_arith(struct vlist *l, const char *item, const char *a,
		       const char *b, const char *c, struct mw_diag *d)
{
	uint64_t start, stop, step, v;
	bool u1, u2, u3;

	if (!parse_bound(a, &start, &u1) || !parse_bound(b, &stop, &u2) ||
	    !parse_bound(c, &step, &u3))
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "range '%s': START:STOP:STEP wants whole "
				   "numbers (sizes may have units)",
				   item);
	if (step == 0)
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "range '%s': the step is 0", item);
	if (start > stop)
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "range '%s': START is above STOP", item);
	if ((stop - start) / step >= MW_SWEEP_VALUES_MAX)
		return mw_diag_set(d, MW_ERANGE, "", 0,
				   "range '%s' has more than %u values", item,
				   MW_SWEEP_VALUES_MAX);
	for (v = start;; v += step) {
		int err = vlist_push(l, fmt_value(v, u1 || u2 || u3));
		if (err)
			return mw_diag_set(d, err, "", 0, "out of memory");
		if (stop - v < step)
			break;
	}
	return 0;
}

static int range_geom(struct vlist *l, const char *item, const char *a,
		      const char *b, const char *c, struct mw_diag *d)
{
	uint64_t start, stop, f, v;
	bool u1, u2, u3;

	if (!parse_bound(a, &start, &u1) || !parse_bound(b, &stop, &u2) ||
	    !parse_bound(c, &f, &u3) || u3)
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "range '%s': START..STOP*FACTOR wants whole "
				   "numbers and a plain factor",
				   item);
	if (start == 0 || f < 2)
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "range '%s': a geometric range wants START "
				   ">= 1 and FACTOR >= 2",
				   item);
	if (start > stop)
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "range '%s': START is above STOP", item);
	for (v = start;; v *= f) {
		int err = vlist_push(l, fmt_value(v, u1 || u2));

		if (err)
			return mw_diag_set(d, err, "", 0, "out of memory");
		if (v > stop / f)
			break;
	}
	return 0;
}

/* One comma-separated item: a value or a range. */
static int expand_item(struct vlist *l, const char *item, struct mw_diag *d)
{
	size_t cut[3], n, len = strlen(item);
	char *a = NULL, *b = NULL, *c = NULL;
	int err;

	if (!len)
		return mw_diag_set(d, MW_EPARSE, "", 0, "empty value");
	for (n = 0; n < len; n++)
		if (iscntrl((unsigned char)item[n]))
			return mw_diag_set(d, MW_EPARSE, "", 0,
					   "value '%s' holds a control "
					   "character",
					   item);
	if (strstr(item, "..")) {
		const char *star = strrchr(item, '*');
		const char *dots = strstr(item, "..");

		if (!star || star < dots)
			return mw_diag_set(d, MW_EPARSE, "", 0,
					   "range '%s': want "
					   "START..STOP*FACTOR",
					   item);
		a = mw_strndup(item, (size_t)(dots - item));
		b = mw_strndup(dots + 2, (size_t)(star - dots - 2));
		c = mw_strdup(star + 1);
		err = (a && b && c) ? range_geom(l, item, a, b, c, d)
				    : mw_diag_set(d, MW_ENOMEM, "", 0,
						  "out of memory");
		goto out;
	}
	n = colons(item, cut);
	if (n == 2 || n == 1) {
		uint64_t v;
		bool u, all = true;
		size_t i, from = 0;

		/* Numbers only between the colons: a range (or a typo). */
		for (i = 0; i <= n && all; i++) {
			size_t to = i < n ? cut[i] : len;
			char *part = mw_strndup(item + from, to - from);

			if (!part)
				return mw_diag_set(d, MW_ENOMEM, "", 0,
						   "out of memory");
			all = parse_bound(part, &v, &u);
			mw_free(part);
			from = to + 1;
		}
		if (all && n == 1)
			return mw_diag_set(d, MW_EPARSE, "", 0,
					   "range '%s' has no step: want "
					   "START:STOP:STEP",
					   item);
		if (all) {
			a = mw_strndup(item, cut[0]);
			b = mw_strndup(item + cut[0] + 1, cut[1] - cut[0] - 1);
			c = mw_strdup(item + cut[1] + 1);
			err = (a && b && c) ? range_arith(l, item, a, b, c, d)
					    : mw_diag_set(d, MW_ENOMEM, "", 0,
							  "out of memory");
			goto out;
		}
	}
	err = vlist_push(l, mw_strdup(item));
	if (err)
		mw_diag_set(d, err, "", 0, "out of memory");
out:
	mw_free(a);
	mw_free(b);
	mw_free(c);
	return err;
}

long mw_sweep_expand(const char *list, char ***values, struct mw_diag *d)
{
	struct vlist l = {NULL, 0, 0};
	const char *p = list;
	size_t i, j;
	int err = 0;

	*values = NULL;
	for (;;) {
		const char *q = strchr(p, ',');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		char *item = mw_strndup(p, n);

		if (!item) {
			err = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
			goto out_free;
		}
		err = expand_item(&l, item, d);
		mw_free(item);
		if (err)
			goto out_free;
		if (l.n > MW_SWEEP_VALUES_MAX) {
			err = mw_diag_set(d, MW_ERANGE, "", 0,
					  "more than %u values",
					  MW_SWEEP_VALUES_MAX);
			goto out_free;
		}
		if (!q)
			break;
		p = q + 1;
	}
	/* Quadratic, but lists are short; ranges are checked the same way. */
	if (l.n <= 4096) {
		for (i = 0; i < l.n; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(l.v[i], l.v[j])) {
					err = mw_diag_set(d, MW_EINVAL, "", 0,
							  "value '%s' is given "
							  "twice",
							  l.v[i]);
					goto out_free;
				}
	}
	*values = l.v;
	return (long)l.n;
out_free:
	mw_sweep_free_values(l.v, l.n);
	return err;
}

/* ---- building a sweep ------------------------------------------------ */

static bool name_ok(const char *name, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && ch != '_' && ch != '-' && ch != '.')
			return false;
	}
	return name[0] != '.' && name[n - 1] != '.';
}

static bool name_taken(const struct mw_sweep *s, const char *name)
{
	size_t i;

	if (!strcmp(name, "hw"))
		return s->hw.n > 0;
	for (i = 0; i < s->nsets; i++)
		if (!strcmp(s->sets[i].name, name))
			return true;
	for (i = 0; i < s->nvaries; i++)
		if (!strcmp(s->varies[i].name, name))
			return true;
	return false;
}

uint64_t mw_sweep_count(const struct mw_sweep *s)
{
	uint64_t c = s->hw.n ? s->hw.n : 1;
	size_t i;

	for (i = 0; i < s->nvaries; i++)
		c *= s->varies[i].n;
	return c;
}

/* Would adding an axis of n values exceed the point limit? */
static bool too_many(const struct mw_sweep *s, size_t n, bool hw)
{
	uint64_t c = mw_sweep_count(s);

	if (hw && s->hw.n)
		c /= s->hw.n;
	return n && c > MW_SWEEP_POINTS_MAX / n;
}

static int split_spec(const char *spec, const char *what, char **name,
		      const char **rest, struct mw_diag *d)
{
	const char *eq = strchr(spec, '=');

	*name = NULL;
	if (!eq)
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "%s '%s': want NAME=VALUE%s", what, spec,
				   strcmp(what, "--vary") ? "" : ",...");
	if (!name_ok(spec, (size_t)(eq - spec)))
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "%s '%s': a name is letters, digits, '_', "
				   "'-' and '.'",
				   what, spec);
	*name = mw_strndup(spec, (size_t)(eq - spec));
	if (!*name)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	if (!strcmp(*name, "point")) {
		mw_free(*name);
		*name = NULL;
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "%s: 'point' is the index column, not a "
				   "parameter",
				   what);
	}
	*rest = eq + 1;
	return 0;
}

static int push_axis(struct axis **arr, size_t *n, struct axis *a)
{
	struct axis *na = mw_reallocarray(*arr, *n + 1, sizeof(*na));

	if (!na)
		return MW_ENOMEM;
	*arr = na;
	na[(*n)++] = *a;
	return 0;
}

static int add_hw_values(struct mw_sweep *s, char **values, size_t n,
			 struct mw_diag *d)
{
	size_t i, j;
	char **nv;

	for (i = 0; i < n; i++)
		for (j = 0; j < s->hw.n; j++)
			if (!strcmp(values[i], s->hw.values[j]))
				return mw_diag_set(d, MW_EINVAL, "", 0,
						   "hardware '%s' is given "
						   "twice",
						   values[i]);
	if (too_many(s, s->hw.n + n, true))
		return mw_diag_set(d, MW_ERANGE, "", 0, "more than %llu points",
				   (unsigned long long)MW_SWEEP_POINTS_MAX);
	if (!s->hw.name && !(s->hw.name = mw_strdup("hw")))
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	nv = mw_reallocarray(s->hw.values, s->hw.n + n, sizeof(*nv));
	if (!nv)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	s->hw.values = nv;
	for (i = 0; i < n; i++)
		nv[s->hw.n++] = values[i];
	return 0;
}

int mw_sweep_vary(struct mw_sweep *s, const char *spec, struct mw_diag *d)
{
	struct axis a = {NULL, NULL, 0};
	struct mw_diag ld;
	const char *list;
	long n;
	int err = split_spec(spec, "--vary", &a.name, &list, d);

	if (err)
		return err;
	if (strcmp(a.name, "hw") && name_taken(s, a.name)) {
		err = mw_diag_set(d, MW_EINVAL, "", 0,
				  "--vary %s: '%s' is already given", a.name,
				  a.name);
		goto out_free;
	}
	n = mw_sweep_expand(list, &a.values, &ld);
	if (n < 0) {
		err = mw_diag_set(d, (int)n, "", 0, "--vary %s: %s", a.name,
				  ld.msg);
		goto out_free;
	}
	a.n = (size_t)n;
	if (!strcmp(a.name, "hw")) {
		err = add_hw_values(s, a.values, a.n, d);
		if (err)
			goto out_free;
		mw_free(a.values); /* the strings now belong to s->hw */
		mw_free(a.name);
		return 0;
	}
	if (too_many(s, a.n, false)) {
		err = mw_diag_set(d, MW_ERANGE, "", 0,
				  "--vary %s: the sweep would have more than "
				  "%llu points",
				  a.name,
				  (unsigned long long)MW_SWEEP_POINTS_MAX);
		goto out_free;
	}
	err = push_axis(&s->varies, &s->nvaries, &a);
	if (err) {
		mw_diag_set(d, err, "", 0, "out of memory");
		goto out_free;
	}
	return 0;
out_free:
	axis_free(&a);
	return err;
}

int mw_sweep_set(struct mw_sweep *s, const char *spec, struct mw_diag *d)
{
	struct axis a = {NULL, NULL, 0};
	const char *value;
	int err = split_spec(spec, "--set", &a.name, &value, d);
	size_t i;

	if (err)
		return err;
	if (!strcmp(a.name, "hw")) {
		err = mw_diag_set(d, MW_EINVAL, "", 0,
				  "--set hw: use --hw NAME for presets");
		goto out_free;
	}
	if (name_taken(s, a.name)) {
		err = mw_diag_set(d, MW_EINVAL, "", 0,
				  "--set %s: '%s' is already given", a.name,
				  a.name);
		goto out_free;
	}
	if (!*value) {
		err = mw_diag_set(d, MW_EPARSE, "", 0, "--set %s: empty value",
				  a.name);
		goto out_free;
	}
	for (i = 0; value[i]; i++)
		if (iscntrl((unsigned char)value[i])) {
			err = mw_diag_set(d, MW_EPARSE, "", 0,
					  "--set %s: the value holds a "
					  "control character",
					  a.name);
			goto out_free;
		}
	a.values = mw_calloc(1, sizeof(*a.values));
	if (!a.values || !(a.values[0] = mw_strdup(value))) {
		err = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out_free;
	}
	a.n = 1;
	err = push_axis(&s->sets, &s->nsets, &a);
	if (err) {
		mw_diag_set(d, err, "", 0, "out of memory");
		goto out_free;
	}
	return 0;
out_free:
	axis_free(&a);
	return err;
}

int mw_sweep_add_hw(struct mw_sweep *s, const char *name, struct mw_diag *d)
{
	char **v;
	int err;

	if (!*name || strchr(name, ','))
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "--hw '%s': want one preset name", name);
	v = mw_calloc(1, sizeof(*v));
	if (!v || !(v[0] = mw_strdup(name))) {
		mw_free(v);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	err = add_hw_values(s, v, 1, d);
	if (err) {
		mw_sweep_free_values(v, 1);
		return err;
	}
	mw_free(v);
	return 0;
}

/* ---- points ---------------------------------------------------------- */

const char *mw_sweep_kernel(const struct mw_sweep *s)
{
	return s->kernel;
}

size_t mw_sweep_ncolumns(const struct mw_sweep *s)
{
	return (s->hw.n ? 1 : 0) + s->nsets + s->nvaries;
}

static const struct axis *column_axis(const struct mw_sweep *s, size_t i)
{
	if (s->hw.n) {
		if (i == 0)
			return &s->hw;
		i--;
	}
	if (i < s->nsets)
		return &s->sets[i];
	i -= s->nsets;
	return i < s->nvaries ? &s->varies[i] : NULL;
}

const char *mw_sweep_column(const struct mw_sweep *s, size_t i)
{
	const struct axis *a = column_axis(s, i);

	return a ? a->name : NULL;
}

bool mw_sweep_column_varies(const struct mw_sweep *s, size_t i)
{
	const struct axis *a = column_axis(s, i);

	return a && a->n > 1;
}

const char *mw_sweep_value_at(const struct mw_sweep *s, uint64_t index,
			      size_t i)
{
	size_t k, target;
	uint64_t rest = index;

	if (index >= mw_sweep_count(s) || i >= mw_sweep_ncolumns(s))
		return NULL;
	if (s->hw.n && i == 0) {
		uint64_t below = mw_sweep_count(s) / s->hw.n;

		return s->hw.values[index / below];
	}
	target = i - (s->hw.n ? 1 : 0);
	if (target < s->nsets)
		return s->sets[target].values[0];
	target -= s->nsets;
	/* Mixed radix, the last --vary axis fastest. */
	for (k = s->nvaries; k-- > 0;) {
		uint64_t digit = rest % s->varies[k].n;

		if (k == target)
			return s->varies[k].values[digit];
		rest /= s->varies[k].n;
	}
	return NULL;
}

int mw_sweep_point_at(const struct mw_sweep *s, uint64_t index,
		      struct mw_sweep_param *params, struct mw_sweep_point *p)
{
	size_t i, first = s->hw.n ? 1 : 0, nc = mw_sweep_ncolumns(s);

	if (index >= mw_sweep_count(s))
		return MW_EINVAL;
	p->index = index;
	p->kernel = s->kernel;
	p->hw = s->hw.n ? mw_sweep_value_at(s, index, 0) : NULL;
	for (i = first; i < nc; i++) {
		params[i - first].name = mw_sweep_column(s, i);
		params[i - first].value = mw_sweep_value_at(s, index, i);
	}
	p->nparams = nc - first;
	p->params = params;
	return 0;
}

const char *mw_sweep_point_get(const struct mw_sweep_point *p, const char *name)
{
	size_t i;

	if (!strcmp(name, "hw"))
		return p->hw;
	for (i = 0; i < p->nparams; i++)
		if (!strcmp(p->params[i].name, name))
			return p->params[i].value;
	return NULL;
}

bool mw_sweep_name_is_hw(const char *name)
{
	return strchr(name, '.') != NULL;
}

int mw_sweep_parse_shard(const char *s, uint64_t *i, uint64_t *n)
{
	const char *slash = strchr(s, '/');
	char head[32];
	size_t len;

	if (!slash)
		return MW_EPARSE;
	len = (size_t)(slash - s);
	if (!len || len >= sizeof(head))
		return MW_EPARSE;
	memcpy(head, s, len);
	head[len] = '\0';
	if (strpbrk(head, "x") || strpbrk(slash + 1, "x"))
		return MW_EPARSE; /* no hexadecimal here */
	if (mw_parse_u64(head, i) || mw_parse_u64(slash + 1, n))
		return MW_EPARSE;
	if (*n == 0 || *i >= *n)
		return MW_EPARSE;
	return 0;
}
