/*
 * measured.c - reading measured data (memwall's layout and ncu exports).
 *
 * Notes:
 *  - Layout detection: the first line that is not blank, not a '#'
 *    comment and not an ncu "==" line is split as CSV; when its fields
 *    include "case" and "metric" it is our header, else the file is handed
 *    whole to the ncu reader (model/ncu.h), which skips program output
 *    before its own header.
 *  - Our layout: columns are found by name; case, kernel, metric and
 *    measured are required (a missing one is an error naming it);
 *    params, launch, unit and cache_control are optional (launch defaults
 *    to "*", the whole case); any other column is kept as an attribute.
 *    A row right after the header whose case and kernel are empty is a
 *    units row (as ncu's raw page has): its measured cell gives the unit
 *    of rows whose unit cell is empty.
 *  - Values: thousands separators and decimal commas as in model/ncu.h
 *    (mw_ncu_value); a unit may also sit inside the cell after the number
 *    ("4.01 TB/s", "0.1900ms", LLMCompass style).  Units are normalised to
 *    base units with SI prefixes as powers of 1000 and IEC prefixes (KiB)
 *    as powers of 1024; "%" becomes a fraction.
 *  - ncu exports: the file is one case (named by the caller, else after
 *    the file's base name); one row per (launch, metric), launch
 *    "ID:kernel name",
 *    plus "*" rows for the whole file as validation/gpu/run.sh writes
 *    them: with one launch, every metric; with several, the .sum metrics
 *    summed over the launches (rates cannot be summed).  Grid and block
 *    sizes become the attributes grid and block.
 */
#include "model/measured.h"

#include "common/alloc.h"
#include "model/ncu.h"
#include "traces/csvsplit.h"
#include "traces/input.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct mw_measured {
	struct mw_measured_row *v; /* owned */
	size_t n, cap;
	int from_ncu;
};

/* ---- key/value lists ------------------------------------------------- */

void mw_measured_kv_free(struct mw_measured_kv *kv, size_t n)
{
	size_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++) {
		mw_free(kv[i].key);
		mw_free(kv[i].value);
	}
	mw_free(kv);
}

static int kv_add(struct mw_measured_kv **kv, size_t *n, const char *key,
		  size_t klen, const char *value, size_t vlen)
{
	struct mw_measured_kv *nv = mw_reallocarray(*kv, *n + 1, sizeof(*nv));

	if (!nv)
		return MW_ENOMEM;
	*kv = nv;
	nv[*n].key = mw_strndup(key, klen);
	nv[*n].value = mw_strndup(value, vlen);
	if (!nv[*n].key || !nv[*n].value) {
		mw_free(nv[*n].key);
		mw_free(nv[*n].value);
		return MW_ENOMEM;
	}
	(*n)++;
	return 0;
}

static const char *kv_get(const struct mw_measured_kv *kv, size_t n,
			  const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

int mw_measured_params_parse(const char *text, struct mw_measured_kv **kv,
			     size_t *n, const char **why)
{
	const char *p = text ? text : "";
	int err = 0;

	*kv = NULL;
	*n = 0;
	for (;;) {
		const char *tok, *eq, *val;
		size_t tlen, vlen = 0, klen;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		tlen = (size_t)(p - tok);
		eq = memchr(tok, '=', tlen);
		if (tlen > 2 && tok[0] == '-' && tok[1] == '-' && !eq) {
			const char *q = p;

			tok += 2;
			klen = tlen - 2;
			while (isspace((unsigned char)*q))
				q++;
			val = q;
			if (*q && !(q[0] == '-' && q[1] == '-')) {
				while (*q && !isspace((unsigned char)*q))
					q++;
				vlen = (size_t)(q - val);
				p = q;
			}
		} else if (eq && eq > tok) {
			if (tok[0] == '-' && tok[1] == '-' && eq > tok + 2)
				tok += 2;
			klen = (size_t)(eq - tok);
			val = eq + 1;
			vlen = (size_t)(p - val);
		} else {
			*why = "expected --key [value] or key=value";
			err = MW_EPARSE;
			break;
		}
		{
			char key[64];

			if (klen >= sizeof(key)) {
				*why = "option name too long";
				err = MW_EPARSE;
				break;
			}
			memcpy(key, tok, klen);
			key[klen] = '\0';
			if (kv_get(*kv, *n, key)) {
				*why = "an option given twice";
				err = MW_EPARSE;
				break;
			}
		}
		err = kv_add(kv, n, tok, klen, val, vlen);
		if (err) {
			*why = "out of memory";
			break;
		}
	}
	if (err) {
		mw_measured_kv_free(*kv, *n);
		*kv = NULL;
		*n = 0;
	}
	return err;
}

/* ---- units ----------------------------------------------------------- */

struct unit {
	const char *name;
	const char *base;
	double scale;
};

/* Whole unit names; prefixed forms of the base words are derived below. */
static const struct unit units[] = {
	{"B", "byte", 1},
	{"KB", "byte", 1e3},
	{"kB", "byte", 1e3},
	{"MB", "byte", 1e6},
	{"GB", "byte", 1e9},
	{"TB", "byte", 1e12},
	{"KiB", "byte", 1024.0},
	{"MiB", "byte", 1048576.0},
	{"GiB", "byte", 1073741824.0},
	{"TiB", "byte", 1099511627776.0},
	{"B/s", "byte/second", 1},
	{"KB/s", "byte/second", 1e3},
	{"MB/s", "byte/second", 1e6},
	{"GB/s", "byte/second", 1e9},
	{"TB/s", "byte/second", 1e12},
	{"GiB/s", "byte/second", 1073741824.0},
	{"GBps", "byte/second", 1e9},
	{"TBps", "byte/second", 1e12},
	{"s", "second", 1},
	{"ms", "second", 1e-3},
	{"us", "second", 1e-6},
	{"ns", "second", 1e-9},
	{"%", "fraction", 0.01},
	{"pct", "fraction", 0.01},
	{"fraction", "fraction", 1},
	{"count", "", 1},
	{"bytes", "byte", 1},
	{"sectors", "sector", 1},
	{"cycles", "cycle", 1},
	{"GFLOP/s", "flop/second", 1e9},
	{"TFLOP/s", "flop/second", 1e12},
	{"Tflops", "flop/second", 1e12},
	{"GFLOPs", "flop", 1e9},
	{NULL, NULL, 0},
};

/* Base words ncu uses, which take SI prefixes (Kbyte, usecond,
 * Mbyte/second). */
static const char *const base_words[] = {
	"byte/second", "cycle/second", "byte",	      "second", "sector",
	"request",     "cycle",	       "inst",	      "warp",	"thread",
	"block",       "flop",	       "flop/second", "hz",	NULL,
};

static const struct unit prefixes[] = {
	{"T", NULL, 1e12}, {"G", NULL, 1e9},  {"M", NULL, 1e6},
	{"K", NULL, 1e3},  {"k", NULL, 1e3},  {"m", NULL, 1e-3},
	{"u", NULL, 1e-6}, {"n", NULL, 1e-9}, {"", NULL, 1},
	{NULL, NULL, 0},
};

static int unit_lookup(const char *unit, const char **base, double *scale)
{
	const struct unit *u, *p;
	const char *const *w;

	if (!*unit) {
		*base = "";
		*scale = 1;
		return 0;
	}
	for (u = units; u->name; u++)
		if (!strcmp(unit, u->name)) {
			*base = u->base;
			*scale = u->scale;
			return 0;
		}
	for (p = prefixes; p->name; p++) {
		size_t n = strlen(p->name);

		if (strncmp(unit, p->name, n))
			continue;
		for (w = base_words; *w; w++)
			if (!strcmp(unit + n, *w)) {
				*base = *w;
				*scale = p->scale;
				return 0;
			}
	}
	return MW_EPARSE;
}

int mw_measured_value(const char *text, const char *unit, double *value,
		      const char **base, const char **why)
{
	char num[128], cellunit[64];
	const char *p = text, *u;
	size_t n, ulen;
	double scale, v;

	while (isspace((unsigned char)*p))
		p++;
	/* the number: digits, signs, marks, an exponent */
	for (n = 0; p[n]; n++) {
		char c = p[n];

		if (isdigit((unsigned char)c) || c == '.' || c == ',' ||
		    c == '+' || c == '-')
			continue;
		if ((c == 'e' || c == 'E') && n > 0 &&
		    isdigit((unsigned char)p[n - 1]) &&
		    (isdigit((unsigned char)p[n + 1]) ||
		     ((p[n + 1] == '-' || p[n + 1] == '+') &&
		      isdigit((unsigned char)p[n + 2]))))
			continue;
		break;
	}
	if (n == 0 || n >= sizeof(num)) {
		*why = "not a number";
		return MW_EPARSE;
	}
	memcpy(num, p, n);
	num[n] = '\0';
	u = p + n;
	while (isspace((unsigned char)*u))
		u++;
	ulen = strlen(u);
	while (ulen && isspace((unsigned char)u[ulen - 1]))
		ulen--;
	if (ulen >= sizeof(cellunit)) {
		*why = "unit in the cell too long";
		return MW_EPARSE;
	}
	memcpy(cellunit, u, ulen);
	cellunit[ulen] = '\0';
	if (!unit)
		unit = "";
	if (*cellunit && *unit && strcmp(cellunit, unit)) {
		*why = "the unit in the cell differs from the unit column";
		return MW_EPARSE;
	}
	if (strstr(num, "..") || strstr(num, ",,") || strstr(num, ".,") ||
	    strstr(num, ",.") || mw_ncu_value(num, "", &v)) {
		*why = "not a number";
		return MW_EPARSE;
	}
	if (unit_lookup(*cellunit ? cellunit : unit, base, &scale)) {
		*why = "unknown unit";
		return MW_EPARSE;
	}
	*value = v * scale;
	return 0;
}

/* ---- the table ------------------------------------------------------- */

static void free_row(struct mw_measured_row *r)
{
	mw_free(r->case_name);
	mw_free(r->kernel);
	mw_measured_kv_free(r->params, r->nparams);
	mw_free(r->launch);
	mw_free(r->metric);
	mw_free(r->unit);
	mw_free(r->cache_control);
	mw_measured_kv_free(r->attrs, r->nattrs);
}

void mw_measured_destroy(struct mw_measured *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free_row(&m->v[i]);
	mw_free(m->v);
	mw_free(m);
}

size_t mw_measured_count(const struct mw_measured *m)
{
	return m->n;
}

const struct mw_measured_row *mw_measured_row(const struct mw_measured *m,
					      size_t i)
{
	return &m->v[i];
}

int mw_measured_from_ncu(const struct mw_measured *m)
{
	return m->from_ncu;
}

const char *mw_measured_param(const struct mw_measured_row *r, const char *key)
{
	return kv_get(r->params, r->nparams, key);
}

const char *mw_measured_attr(const struct mw_measured_row *r, const char *key)
{
	return kv_get(r->attrs, r->nattrs, key);
}

void mw_measured_argv_free(char **argv)
{
	char **a;

	if (!argv)
		return;
	for (a = argv; *a; a++)
		mw_free(*a);
	mw_free(argv);
}

int mw_measured_row_argv(const struct mw_measured_row *r, char ***argv,
			 int *argc)
{
	size_t i, n = 0, cap = 2 + 2 * r->nparams;
	char **v = mw_calloc(cap, sizeof(*v));

	if (!v)
		return MW_ENOMEM;
	if (!(v[n++] = mw_strdup(r->kernel)))
		goto out_nomem;
	for (i = 0; i < r->nparams; i++) {
		size_t klen = strlen(r->params[i].key);

		if (!(v[n] = mw_malloc(klen + 3)))
			goto out_nomem;
		memcpy(v[n], "--", 2);
		memcpy(v[n] + 2, r->params[i].key, klen + 1);
		n++;
		if (*r->params[i].value &&
		    !(v[n++] = mw_strdup(r->params[i].value)))
			goto out_nomem;
	}
	*argv = v;
	*argc = (int)n;
	return 0;
out_nomem:
	mw_measured_argv_free(v);
	return MW_ENOMEM;
}

static struct mw_measured_row *new_row(struct mw_measured *m)
{
	struct mw_measured_row *r;

	if (m->n == m->cap) {
		size_t ncap = m->cap ? 2 * m->cap : 64;
		struct mw_measured_row *nv =
			mw_reallocarray(m->v, ncap, sizeof(*nv));

		if (!nv)
			return NULL;
		m->v = nv;
		m->cap = ncap;
	}
	r = &m->v[m->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* ---- our layout ------------------------------------------------------ */

enum {
	C_CASE,
	C_KERNEL,
	C_PARAMS,
	C_LAUNCH,
	C_METRIC,
	C_MEASURED,
	C_UNIT,
	C_CACHE,
	NC
};

static const char *const col_names[NC] = {
	"case",	  "kernel",   "params", "launch",
	"metric", "measured", "unit",	"cache_control",
};

struct ours {
	const char *file;
	int col[NC];
	int nf;
	char **names;	   /* owned: header names */
	char *units_unit;  /* owned: the units row's unit, or NULL */
	bool after_header; /* the next data row may be the units row */
};

static bool is_skipped(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	return i == len || line[i] == '#' || !strncmp(line + i, "==", 2);
}

static int take_header(struct ours *o, char **f, int nf, uint64_t ln,
		       struct mw_diag *d)
{
	int i, c;

	o->nf = nf;
	o->names = mw_calloc((size_t)nf, sizeof(*o->names));
	if (!o->names)
		return mw_diag_set(d, MW_ENOMEM, o->file, ln, "out of memory");
	for (c = 0; c < NC; c++)
		o->col[c] = -1;
	for (i = 0; i < nf; i++) {
		if (!(o->names[i] = mw_strdup(f[i])))
			return mw_diag_set(d, MW_ENOMEM, o->file, ln,
					   "out of memory");
		for (c = 0; c < NC; c++) {
			if (strcmp(f[i], col_names[c]))
				continue;
			if (o->col[c] >= 0)
				return mw_diag_set(d, MW_EPARSE, o->file, ln,
						   "column \"%s\" appears "
						   "twice",
						   f[i]);
			o->col[c] = i;
		}
	}
	for (c = 0; c < NC; c++) {
		if (o->col[c] >= 0 || c == C_PARAMS || c == C_LAUNCH ||
		    c == C_UNIT || c == C_CACHE)
			continue;
		return mw_diag_set(d, MW_EPARSE, o->file, ln,
				   "header lacks the \"%s\" column (needs "
				   "case, kernel, metric, measured)",
				   col_names[c]);
	}
	o->after_header = true;
	return 0;
}

static const char *cell(char **f, int col)
{
	return col >= 0 ? f[col] : "";
}

static int take_ours(struct mw_measured *m, struct ours *o, char **f, int nf,
		     uint64_t ln, struct mw_diag *d)
{
	struct mw_measured_row *r;
	const char *why, *base, *unit;
	double v;
	int i, err;
	bool units_row;

	/* before any cell is read: a short row has no f[col] */
	if (nf != o->nf)
		return mw_diag_set(d, MW_EPARSE, o->file, ln,
				   "%d fields where the header has %d", nf,
				   o->nf);
	units_row = o->after_header && !*cell(f, o->col[C_CASE]) &&
		    !*cell(f, o->col[C_KERNEL]);
	o->after_header = false;
	if (units_row) {
		double scale;

		unit = cell(f, o->col[C_MEASURED]);
		if (unit_lookup(unit, &base, &scale))
			return mw_diag_set(d, MW_EPARSE, o->file, ln,
					   "units row: unknown unit '%s'",
					   unit);
		if (!(o->units_unit = mw_strdup(unit)))
			return mw_diag_set(d, MW_ENOMEM, o->file, ln,
					   "out of memory");
		return 0;
	}
	for (i = 0; i < NC; i++) {
		if ((i == C_CASE || i == C_KERNEL || i == C_METRIC ||
		     i == C_MEASURED) &&
		    !*cell(f, o->col[i]))
			return mw_diag_set(d, MW_EPARSE, o->file, ln,
					   "empty %s", col_names[i]);
	}
	unit = cell(f, o->col[C_UNIT]);
	if (!*unit && o->units_unit)
		unit = o->units_unit;
	if (mw_measured_value(cell(f, o->col[C_MEASURED]), unit, &v, &base,
			      &why))
		return mw_diag_set(d, MW_EPARSE, o->file, ln,
				   "measured '%s' (unit '%s'): %s",
				   cell(f, o->col[C_MEASURED]), unit, why);
	if (!(r = new_row(m)))
		return mw_diag_set(d, MW_ENOMEM, o->file, ln, "out of memory");
	r->line = ln;
	r->value = v;
	err = mw_measured_params_parse(cell(f, o->col[C_PARAMS]), &r->params,
				       &r->nparams, &why);
	if (err)
		return mw_diag_set(d, err, o->file, ln, "params '%s': %s",
				   cell(f, o->col[C_PARAMS]), why);
	r->case_name = mw_strdup(cell(f, o->col[C_CASE]));
	r->kernel = mw_strdup(cell(f, o->col[C_KERNEL]));
	r->launch = mw_strdup(o->col[C_LAUNCH] >= 0 && *f[o->col[C_LAUNCH]]
				      ? f[o->col[C_LAUNCH]]
				      : "*");
	r->metric = mw_strdup(cell(f, o->col[C_METRIC]));
	r->unit = mw_strdup(base);
	r->cache_control = mw_strdup(cell(f, o->col[C_CACHE]));
	if (!r->case_name || !r->kernel || !r->launch || !r->metric ||
	    !r->unit || !r->cache_control)
		return mw_diag_set(d, MW_ENOMEM, o->file, ln, "out of memory");
	for (i = 0; i < nf; i++) {
		int c;
		bool known = false;

		for (c = 0; c < NC; c++)
			known |= o->col[c] == i;
		if (known)
			continue;
		if (kv_add(&r->attrs, &r->nattrs, o->names[i],
			   strlen(o->names[i]), f[i], strlen(f[i])))
			return mw_diag_set(d, MW_ENOMEM, o->file, ln,
					   "out of memory");
	}
	return 0;
}

/* Returns 1 with the table loaded, 0 when the file is not our layout, or
 * an error. */
static int load_ours(struct mw_measured *m, const char *path, struct mw_diag *d)
{
	struct mw_csv_splitter *sp = mw_csv_splitter_create();
	struct mw_input *in;
	struct ours o;
	bool header = false;
	char *line, **f;
	size_t len;
	int got, nf, err = 0, i;
	const char *why;

	memset(&o, 0, sizeof(o));
	if (!sp)
		return mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory");
	in = mw_input_open(path, d);
	if (!in) {
		mw_csv_splitter_destroy(sp);
		return d->code ? d->code : MW_EIO;
	}
	o.file = mw_input_name(in);
	while ((got = mw_input_getline(in, &line, &len, d)) > 0) {
		uint64_t ln = mw_input_lineno(in);

		if (is_skipped(line, len))
			continue;
		nf = mw_csv_split(sp, line, len, &f, &why);
		if (nf < 0) {
			if (!header)
				break; /* not ours; let the ncu reader say */
			err = mw_diag_set(d, nf, o.file, ln, "%s",
					  nf == MW_EPARSE ? why
							  : mw_strerror(nf));
			goto out;
		}
		if (!header) {
			bool has_case = false, has_metric = false;

			for (i = 0; i < nf; i++) {
				has_case |= !strcmp(f[i], "case");
				has_metric |= !strcmp(f[i], "metric");
			}
			if (!has_case || !has_metric)
				break;
			err = take_header(&o, f, nf, ln, d);
			if (err)
				goto out;
			header = true;
			continue;
		}
		err = take_ours(m, &o, f, nf, ln, d);
		if (err)
			goto out;
	}
	if (got < 0) {
		err = d->code ? d->code : MW_EIO;
		goto out;
	}
	if (header && !m->n)
		err = mw_diag_set(d, MW_EPARSE, o.file, 0, "no measurements");
out:
	if (o.names)
		for (i = 0; i < o.nf; i++)
			mw_free(o.names[i]);
	mw_free(o.names);
	mw_free(o.units_unit);
	mw_input_close(in);
	mw_csv_splitter_destroy(sp);
	return err ? err : header;
}

/* ---- ncu exports ----------------------------------------------------- */

static const char *file_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* l == NULL: a "*" row of several launches, named after the first. */
static int add_ncu_row(struct mw_measured *m, const struct mw_measured_opts *o,
		       const struct mw_ncu_launch *l,
		       const struct mw_ncu_launch *first, const char *launch,
		       const char *metric, double value, const char *unit,
		       struct mw_diag *d, const char *file)
{
	struct mw_measured_row *r = new_row(m);
	const char *base, *why;
	double scale;
	int err;

	if (!r)
		return mw_diag_set(d, MW_ENOMEM, file, 0, "out of memory");
	if (unit_lookup(unit, &base, &scale))
		base = unit; /* ncu accepted it; keep its name */
	r->value = value;
	r->case_name = mw_strdup(o->ncu_case ? o->ncu_case : file_base(file));
	r->kernel = mw_strdup(o->ncu_kernel ? o->ncu_kernel : first->kernel);
	r->launch = mw_strdup(launch);
	r->metric = mw_strdup(metric);
	r->unit = mw_strdup(base);
	r->cache_control =
		mw_strdup(o->ncu_cache_control ? o->ncu_cache_control : "");
	if (!r->case_name || !r->kernel || !r->launch || !r->metric ||
	    !r->unit || !r->cache_control)
		return mw_diag_set(d, MW_ENOMEM, file, 0, "out of memory");
	err = mw_measured_params_parse(o->ncu_params, &r->params, &r->nparams,
				       &why);
	if (err)
		return mw_diag_set(d, err == MW_EPARSE ? MW_EINVAL : err, file,
				   0, "params '%s': %s", o->ncu_params, why);
	if (!l)
		return 0;
	if (kv_add(&r->attrs, &r->nattrs, "grid", 4, l->grid,
		   strlen(l->grid)) ||
	    kv_add(&r->attrs, &r->nattrs, "block", 5, l->block,
		   strlen(l->block)) ||
	    kv_add(&r->attrs, &r->nattrs, "ncu_kernel", 10, l->kernel,
		   strlen(l->kernel)))
		return mw_diag_set(d, MW_ENOMEM, file, 0, "out of memory");
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

static int load_ncu(struct mw_measured *m, const char *path,
		    const struct mw_measured_opts *o, struct mw_diag *d)
{
	struct mw_ncu_table *t = mw_ncu_load(path, d);
	size_t i, j, k, nl;
	int err = 0;
	char *launch = NULL;

	if (!t) {
		if (strstr(d->msg, "no Nsight Compute CSV header"))
			mw_diag_set(d, MW_EPARSE, path, 0,
				    "neither a measured-data header (case, "
				    "kernel, metric, measured ...) nor an "
				    "Nsight Compute CSV export");
		return d->code ? d->code : MW_EPARSE;
	}
	nl = mw_ncu_count(t);
	for (i = 0; i < nl && !err; i++) {
		const struct mw_ncu_launch *l = mw_ncu_launch(t, i);
		size_t len = strlen(l->kernel) + 32;

		mw_free(launch);
		if (!(launch = mw_malloc(len))) {
			err = mw_diag_set(d, MW_ENOMEM, path, 0,
					  "out of memory");
			break;
		}
		snprintf(launch, len, "%llu:%s", (unsigned long long)l->id,
			 l->kernel);
		for (j = 0; j < l->nmetrics && !err; j++)
			err = add_ncu_row(m, o, l, l, launch,
					  l->metrics[j].name,
					  l->metrics[j].value,
					  l->metrics[j].unit, d, path);
	}
	/* "*" rows: every metric of a single launch; sums of .sum metrics */
	for (i = 0; i < nl && !err; i++) {
		const struct mw_ncu_launch *l = mw_ncu_launch(t, i);

		for (j = 0; j < l->nmetrics && !err; j++) {
			const char *name = l->metrics[j].name;
			double sum = 0;
			bool first = true;

			if (nl > 1 && !ends_with(name, ".sum"))
				continue;
			for (k = 0; k < nl; k++) {
				const struct mw_ncu_metric *x = mw_ncu_metric(
					mw_ncu_launch(t, k), name);

				if (x && k < i)
					first = false;
				if (x)
					sum += x->value;
			}
			if (first) /* the first launch that has it adds it */
				err = add_ncu_row(m, o, nl == 1 ? l : NULL,
						  mw_ncu_launch(t, 0), "*",
						  name, sum, l->metrics[j].unit,
						  d, path);
		}
	}
	mw_free(launch);
	mw_ncu_table_destroy(t);
	m->from_ncu = 1;
	return err;
}

struct mw_measured *mw_measured_load(const char *path,
				     const struct mw_measured_opts *o,
				     struct mw_diag *d)
{
	static const struct mw_measured_opts none;
	struct mw_measured *m = mw_calloc(1, sizeof(*m));
	int r;

	mw_diag_clear(d);
	if (!m) {
		mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory");
		return NULL;
	}
	r = load_ours(m, path, d);
	if (r == 0 && !strcmp(path, "-")) {
		mw_diag_set(d, MW_EPARSE, path, 0,
			    "standard input holds no measured-data header "
			    "(ncu exports must be read from a file)");
		r = MW_EPARSE;
	} else if (r == 0) {
		r = load_ncu(m, path, o ? o : &none, d);
	}
	if (r < 0) {
		mw_measured_destroy(m);
		return NULL;
	}
	return m;
}

/* ---- measured metric -> memwall result ------------------------------- */

/* Names mw_run reports as results are looked up as they are
   (memory.bytes_read, memory.bytes_written, time.total_ns); the others
   (memory.bytes, memory.effective_bandwidth, l1.*, l2.*) are derived from
   mw_run's results by model/validate.c (mw_validate_predict, its Notes). */

static const struct mw_metric_map metric_map[] = {
	{"dram__bytes_read.sum", 1, "memory", "bytes_read", "byte"},
	{"dram__bytes_op_read.sum", 1, "memory", "bytes_read", "byte"},
	{"dram__sectors_read.sum", 32, "memory", "bytes_read", "byte"},
	{"dram__bytes_write.sum", 1, "memory", "bytes_written", "byte"},
	{"dram__bytes_op_write.sum", 1, "memory", "bytes_written", "byte"},
	{"dram__sectors_write.sum", 32, "memory", "bytes_written", "byte"},
	{"dram__bytes.sum", 1, "memory", "bytes", "byte"},
	{"hbm_bytes", 1, "memory", "bytes", "byte"},
	{"lts__t_sectors_srcunit_tex_op_read.sum", 32, "l2", "read_bytes",
	 "byte"},
	{"lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum", 32, "l2",
	 "read_hit_bytes", "byte"},
	{"lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum", 32, "l2",
	 "read_miss_bytes", "byte"},
	{"lts__t_sectors_srcunit_tex_op_write.sum", 32, "l2", "write_bytes",
	 "byte"},
	{"lts__t_sectors_srcunit_tex_op_write_lookup_hit.sum", 32, "l2",
	 "write_hit_bytes", "byte"},
	{"lts__t_sectors_srcunit_tex_op_write_lookup_miss.sum", 32, "l2",
	 "write_miss_bytes", "byte"},
	{"lts__t_sectors_srcunit_tex_lookup_hit.sum", 32, "l2", "hit_bytes",
	 "byte"},
	{"lts__t_sectors_srcunit_tex_lookup_miss.sum", 32, "l2", "miss_bytes",
	 "byte"},
	{"lts__t_sector_op_read_hit_rate.pct", 1, "l2", "read_hit_rate",
	 "fraction"},
	{"l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum", 32, "l1",
	 "read_bytes", "byte"},
	{"l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum", 32, "l1",
	 "read_hit_bytes", "byte"},
	{"l1tex__t_sector_hit_rate.pct", 1, "l1", "hit_rate", "fraction"},
	{"gpu__time_duration.sum", 1e9, "time", "total_ns", "ns"},
	{"time", 1e9, "time", "total_ns", "ns"},
	{"copy_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"mul_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"scale_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"add_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"triad_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"dot_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"read_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{"init_bandwidth", 1, "memory", "effective_bandwidth", "byte/second"},
	{NULL, 0, NULL, NULL, NULL},
};

const struct mw_metric_map *mw_metric_map_find(const char *measured)
{
	const struct mw_metric_map *e;

	for (e = metric_map; e->measured; e++)
		if (!strcmp(e->measured, measured))
			return e;
	return NULL;
}

const struct mw_metric_map *mw_metric_map_table(void)
{
	return metric_map;
}
