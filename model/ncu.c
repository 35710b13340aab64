/*
 * ncu.c - reading Nsight Compute CSV exports.
 *
 * Notes:
 *  - Layout detection: the first CSV row with an "ID" column is the
 *    header; it is the long form when it also has "Metric Name" and
 *    "Metric Value", else the raw form, whose metric columns are those
 *    named like ncu metrics (with a double underscore, as
 *    dram__bytes_read.sum).  Older exports lack Grid Size, Block Size,
 *    Device and CC; newer ones append rule columns; neither matters since
 *    columns are found by name.
 *  - Raw form: a row whose ID field is empty is the units row (ncu writes
 *    it first); with --print-units base its units are base units.
 *  - ncu rescales units per cell (byte, Kbyte, Mbyte; nsecond, usecond,
 *    msecond) with SI prefixes (Kbyte = 1000 bytes); values are
 *    normalised to bytes, seconds, counts and fractions.
 *  - Numbers may carry thousands separators ("1,215,000,000.00") or a
 *    decimal comma (European locales, "1.215.000,50"): when both marks
 *    occur the later one is the decimal mark; a single comma followed by
 *    exactly three digits is read as a thousands separator (ncu's default
 *    English locale), any other single comma as a decimal comma.
 *  - Lines starting with "==" (==PROF==, ==WARNING==) are skipped
 *    anywhere; before the header, anything that is not the header is
 *    skipped (application output).  A value of "n/a" leaves the metric
 *    out of that launch.
 */
#include "model/ncu.h"

#include "common/alloc.h"
#include "traces/csvsplit.h"
#include "traces/input.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct mw_ncu_table {
	struct mw_ncu_launch *v; /* owned */
	size_t n, cap;
};

static void free_launch(struct mw_ncu_launch *l)
{
	size_t i;

	for (i = 0; i < l->nmetrics; i++) {
		mw_free(l->metrics[i].name);
		mw_free(l->metrics[i].unit);
	}
	mw_free(l->metrics);
	mw_free(l->kernel);
	mw_free(l->grid);
	mw_free(l->block);
}

void mw_ncu_table_destroy(struct mw_ncu_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free_launch(&t->v[i]);
	mw_free(t->v);
	mw_free(t);
}

size_t mw_ncu_count(const struct mw_ncu_table *t)
{
	return t->n;
}

const struct mw_ncu_launch *mw_ncu_launch(const struct mw_ncu_table *t,
					  size_t i)
{
	return &t->v[i];
}

const struct mw_ncu_launch *mw_ncu_find_launch(const struct mw_ncu_table *t,
					       uint64_t id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

const struct mw_ncu_metric *mw_ncu_metric(const struct mw_ncu_launch *l,
					  const char *name)
{
	size_t i;

	for (i = 0; i < l->nmetrics; i++)
		if (!strcmp(l->metrics[i].name, name))
			return &l->metrics[i];
	return NULL;
}

/* ---- values and units ----------------------------------------------------- */

/* Copies text without grouping marks, with '.' as the decimal mark. */
static int normalize_number(const char *s, char *out, size_t cap)
{
	const char *last_comma = strrchr(s, ','), *last_dot = strrchr(s, '.');
	char dec = '.';
	size_t o = 0, ncomma = 0, ndot = 0;
	const char *p;

	for (p = s; *p; p++) {
		ncomma += *p == ',';
		ndot += *p == '.';
	}
	if (ncomma && ndot) {
		dec = last_comma > last_dot ? ',' : '.';
	} else if (ncomma == 1) {
		size_t after = strlen(last_comma + 1), i;
		bool digits = after == 3;

		for (i = 0; i < after && digits; i++)
			digits = isdigit((unsigned char)last_comma[1 + i]);
		dec = digits ? '.' : ',';
	} else if (ndot > 1) {
		dec = ','; /* 1.215.000 */
	}
	for (p = s; *p; p++) {
		char c = *p;

		if (c == ' ' || (c == (dec == '.' ? ',' : '.')))
			continue;
		if (c == dec)
			c = '.';
		if (o + 1 >= cap)
			return MW_EPARSE;
		out[o++] = c;
	}
	out[o] = '\0';
	return o ? 0 : MW_EPARSE;
}

struct unit {
	const char *name;
	double scale;
};

static const struct unit base_units[] = {
	{"byte", 1},
	{"second", 1},
	{"sector", 1},
	{"request", 1},
	{"cycle", 1},
	{"inst", 1},
	{"warp", 1},
	{"thread", 1},
	{"block", 1},
	{"hz", 1},
	{"Hz", 1},
	{"byte/second", 1},
	{"cycle/second", 1},
	{"B", 1},
	{"s", 1},
	{"ns", 1e-9},
	{"us", 1e-6},
	{"ms", 1e-3},
	{"cycle/nsecond", 1e9},
	{"cycle/usecond", 1e6},
	{"byte/nsecond", 1e9},
	{"byte/usecond", 1e6},
	{NULL, 0},
};

static const struct unit prefixes[] = {
	{"T", 1e12},
	{"G", 1e9},
	{"M", 1e6},
	{"K", 1e3},
	{"k", 1e3},
	{"m", 1e-3},
	{"u", 1e-6},
	{"n", 1e-9},
	{"Ti", 1099511627776.0},
	{"Gi", 1073741824.0},
	{"Mi", 1048576.0},
	{"Ki", 1024.0},
	{NULL, 0},
};

static int unit_scale(const char *unit, double *scale)
{
	const struct unit *u, *p;

	if (!*unit) {
		*scale = 1;
		return 0;
	}
	if (!strcmp(unit, "%")) {
		*scale = 0.01;
		return 0;
	}
	for (u = base_units; u->name; u++) {
		if (!strcmp(unit, u->name)) {
			*scale = u->scale;
			return 0;
		}
	}
	/* an SI or binary prefix on a base unit: Kbyte, usecond, Gbyte/second */
	for (p = prefixes; p->name; p++) {
		size_t n = strlen(p->name);

		if (strncmp(unit, p->name, n))
			continue;
		for (u = base_units; u->name; u++) {
			if (u->scale == 1 && strlen(u->name) > 2 &&
			    !strcmp(unit + n, u->name)) {
				*scale = p->scale;
				return 0;
			}
		}
	}
	return MW_EPARSE;
}

int mw_ncu_value(const char *text, const char *unit, double *out)
{
	char buf[128];
	char *end;
	double v, scale;

	if (normalize_number(text, buf, sizeof(buf)))
		return MW_EPARSE;
	errno = 0;
	v = strtod(buf, &end);
	if (*end || end == buf || errno == ERANGE || !isfinite(v))
		return MW_EPARSE;
	if (unit_scale(unit ? unit : "", &scale))
		return MW_EPARSE;
	*out = v * scale;
	return 0;
}

/* ---- the table ------------------------------------------------------------ */

static struct mw_ncu_launch *launch_for(struct mw_ncu_table *t, uint64_t id,
					const char *kernel, const char *grid,
					const char *block)
{
	struct mw_ncu_launch *l;
	size_t i;

	for (i = t->n; i > 0; i--) /* rows of one launch are usually adjacent */
		if (t->v[i - 1].id == id)
			return &t->v[i - 1];
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct mw_ncu_launch *nv =
			mw_reallocarray(t->v, ncap, sizeof(*nv));
		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = ncap;
	}
	l = &t->v[t->n];
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->kernel = mw_strdup(kernel);
	l->grid = mw_strdup(grid);
	l->block = mw_strdup(block);
	if (!l->kernel || !l->grid || !l->block) {
		free_launch(l);
		return NULL;
	}
	t->n++;
	return l;
}

static int add_metric(struct mw_ncu_launch *l, const char *name, double value,
		      const char *unit)
{
	struct mw_ncu_metric *m, *nm;

	nm = mw_reallocarray(l->metrics, l->nmetrics + 1, sizeof(*nm));
	if (!nm)
		return MW_ENOMEM;
	l->metrics = nm;
	m = &nm[l->nmetrics];
	m->name = mw_strdup(name);
	m->unit = mw_strdup(unit);
	m->value = value;
	if (!m->name || !m->unit) {
		mw_free(m->name);
		mw_free(m->unit);
		return MW_ENOMEM;
	}
	l->nmetrics++;
	return 0;
}

enum {
	COL_ID,
	COL_KERNEL,
	COL_GRID,
	COL_BLOCK,
	COL_MNAME,
	COL_MUNIT,
	COL_MVALUE,
	NCOLS
};

struct parser {
	struct mw_ncu_table *t;
	const char *file;
	bool have_header, raw, have_units;
	int col[NCOLS];
	int nfields;  /* fields in the header */
	char **names; /* owned: raw-form column names */
	char **units; /* owned: raw-form units, per column */
};

static int find_col(char **f, int nf, const char *name)
{
	int i;

	for (i = 0; i < nf; i++)
		if (!strcmp(f[i], name))
			return i;
	return -1;
}

static bool is_metric_name(const char *s)
{
	return strstr(s, "__") != NULL;
}

static int take_header(struct parser *p, char **f, int nf, uint64_t line,
		       struct mw_diag *d)
{
	int i;

	p->col[COL_ID] = find_col(f, nf, "ID");
	p->col[COL_KERNEL] = find_col(f, nf, "Kernel Name");
	p->col[COL_GRID] = find_col(f, nf, "Grid Size");
	p->col[COL_BLOCK] = find_col(f, nf, "Block Size");
	p->col[COL_MNAME] = find_col(f, nf, "Metric Name");
	p->col[COL_MUNIT] = find_col(f, nf, "Metric Unit");
	p->col[COL_MVALUE] = find_col(f, nf, "Metric Value");
	p->nfields = nf;
	p->raw = p->col[COL_MNAME] < 0 || p->col[COL_MVALUE] < 0;
	if (p->col[COL_KERNEL] < 0)
		return mw_diag_set(d, MW_EPARSE, p->file, line,
				   "ncu header lacks a \"Kernel Name\" column");
	if (p->raw) {
		int metrics = 0;

		p->names = mw_calloc((size_t)nf, sizeof(*p->names));
		p->units = mw_calloc((size_t)nf, sizeof(*p->units));
		if (!p->names || !p->units)
			return mw_diag_set(d, MW_ENOMEM, p->file, line,
					   "out of memory");
		for (i = 0; i < nf; i++) {
			p->names[i] = mw_strdup(f[i]);
			p->units[i] = mw_strdup("");
			if (!p->names[i] || !p->units[i])
				return mw_diag_set(d, MW_ENOMEM, p->file, line,
						   "out of memory");
			metrics += is_metric_name(f[i]);
		}
		if (!metrics)
			return mw_diag_set(d, MW_EPARSE, p->file, line,
					   "ncu header has neither \"Metric "
					   "Name\"/\"Metric Value\" (details "
					   "page) nor metric columns (raw "
					   "page)");
	}
	p->have_header = true;
	return 0;
}

static int parse_id(const char *s, uint64_t *id)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return MW_EPARSE;
	*id = strtoull(s, &end, 10);
	return *end || errno ? MW_EPARSE : 0;
}

static const char *field(char **f, int nf, int col)
{
	return col >= 0 && col < nf ? f[col] : "";
}

static int take_row(struct parser *p, char **f, int nf, uint64_t line,
		    struct mw_diag *d)
{
	struct mw_ncu_launch *l;
	uint64_t id;
	double v;
	int i;

	if (nf != p->nfields)
		return mw_diag_set(d, MW_EPARSE, p->file, line,
				   "%d fields where the header has %d", nf,
				   p->nfields);
	if (p->raw && !*field(f, nf, p->col[COL_ID])) {
		/* the units row */
		for (i = 0; i < nf; i++) {
			char *u = mw_strdup(f[i]);

			if (!u)
				return mw_diag_set(d, MW_ENOMEM, p->file, line,
						   "out of memory");
			mw_free(p->units[i]);
			p->units[i] = u;
		}
		p->have_units = true;
		return 0;
	}
	if (parse_id(field(f, nf, p->col[COL_ID]), &id))
		return mw_diag_set(d, MW_EPARSE, p->file, line,
				   "launch ID '%s' is not a number",
				   field(f, nf, p->col[COL_ID]));
	l = launch_for(p->t, id, field(f, nf, p->col[COL_KERNEL]),
		       field(f, nf, p->col[COL_GRID]),
		       field(f, nf, p->col[COL_BLOCK]));
	if (!l)
		return mw_diag_set(d, MW_ENOMEM, p->file, line,
				   "out of memory");
	if (!p->raw) {
		const char *name = field(f, nf, p->col[COL_MNAME]);
		const char *unit = field(f, nf, p->col[COL_MUNIT]);
		const char *val = field(f, nf, p->col[COL_MVALUE]);

		if (!strcmp(val, "n/a") || !*val)
			return 0;
		if (mw_ncu_value(val, unit, &v))
			return mw_diag_set(d, MW_EPARSE, p->file, line,
					   "metric %s: cannot read value '%s' "
					   "in unit '%s'",
					   name, val, unit);
		return add_metric(l, name, v, unit)
			       ? mw_diag_set(d, MW_ENOMEM, p->file, line,
					     "out of memory")
			       : 0;
	}
	for (i = 0; i < nf; i++) {
		if (!is_metric_name(p->names[i]) || !strcmp(f[i], "n/a") ||
		    !*f[i])
			continue;
		if (mw_ncu_value(f[i], p->units[i], &v))
			return mw_diag_set(d, MW_EPARSE, p->file, line,
					   "column %s: cannot read value '%s' "
					   "in unit '%s'",
					   p->names[i], f[i], p->units[i]);
		if (add_metric(l, p->names[i], v, p->units[i]))
			return mw_diag_set(d, MW_ENOMEM, p->file, line,
					   "out of memory");
	}
	return 0;
}

struct mw_ncu_table *mw_ncu_load(const char *path, struct mw_diag *d)
{
	struct parser p;
	struct mw_csv_splitter *sp = mw_csv_splitter_create();
	struct mw_input *in = NULL;
	char *line, **f;
	size_t len;
	int got, i;

	memset(&p, 0, sizeof(p));
	p.t = mw_calloc(1, sizeof(*p.t));
	if (!sp || !p.t) {
		mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory");
		goto out_fail;
	}
	in = mw_input_open(path, d);
	if (!in)
		goto out_fail;
	p.file = mw_input_name(in);
	while ((got = mw_input_getline(in, &line, &len, d)) > 0) {
		uint64_t ln = mw_input_lineno(in);
		const char *why;
		int nf;

		if (len == 0 || !strncmp(line, "==", 2))
			continue;
		nf = mw_csv_split(sp, line, len, &f, &why);
		if (!p.have_header) {
			if (nf > 0 && find_col(f, nf, "ID") >= 0 &&
			    take_header(&p, f, nf, ln, d))
				goto out_fail;
			continue;
		}
		if (nf < 0) {
			mw_diag_set(d, MW_EPARSE, p.file, ln, "%s",
				    nf == MW_EPARSE ? why : mw_strerror(nf));
			goto out_fail;
		}
		if (take_row(&p, f, nf, ln, d))
			goto out_fail;
	}
	if (got < 0)
		goto out_fail;
	if (!p.have_header) {
		mw_diag_set(d, MW_EPARSE, path, 0,
			    "no Nsight Compute CSV header (a row with \"ID\" "
			    "and \"Kernel Name\"); export with ncu --csv");
		goto out_fail;
	}
	if (!p.t->n) {
		mw_diag_set(d, MW_EPARSE, path, 0, "no kernel launches");
		goto out_fail;
	}
	goto out;
out_fail:
	mw_ncu_table_destroy(p.t);
	p.t = NULL;
out:
	if (p.names || p.units)
		for (i = 0; i < p.nfields; i++) {
			if (p.names)
				mw_free(p.names[i]);
			if (p.units)
				mw_free(p.units[i]);
		}
	mw_free(p.names);
	mw_free(p.units);
	mw_input_close(in);
	mw_csv_splitter_destroy(sp);
	return p.t;
}
