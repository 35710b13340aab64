/*
 * cmd_plot.c - `memwall plot`: sweep results and miss-ratio curves drawn
 * by gnuplot into an SVG or PNG file.
 *
 * Notes:
 *  - Three kinds, chosen by the options and the CSV:
 *     lines    --x PARAM [--y METRIC] [--by PARAM]: one line per --by
 *              value (default y: time.total_ns);
 *     heatmap  --x PARAM --y PARAM --z METRIC: one cell per (x, y);
 *     MRC      a `memwall reuse` CSV (columns capacity_bytes and
 *              miss_ratio): miss ratio over capacity, log2 x, one line
 *              per scope; --y misses draws the counts instead.
 *    --where NAME=VALUE keeps only the rows with that value (repeatable);
 *    two rows on the same point of one line (or cell) are an error naming
 *    a column that tells them apart.
 *  - Units come from the column name: *bytes* / *size* (or values written
 *    with size units, "40MiB") are bytes, shown in B/KiB/MiB/GiB; *_ns
 *    is time, shown in ns/\u00b5s/ms/s.  An axis whose positive data span more
 *    than two decades is drawn in log scale (base 2 for bytes, with tick
 *    labels in units).  Non-numeric x values (tiles, orders) are
 *    categories in the order they first appear.
 *  - gnuplot gets a data file with numbers only and a script in which
 *    every user string is a single-quoted gnuplot string (quotes doubled,
 *    control characters blanked): gnuplot does no backquote or macro
 *    substitution inside single quotes.  It runs by execvp (no shell);
 *    MEMWALL_GNUPLOT names another program.  It writes a temporary file
 *    beside the target, renamed when gnuplot succeeded and the file is
 *    not empty.
 */
#include "cli/cli.h"

#include "common/units.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WHERE_MAX 16

struct plot_args {
	const char *csv, *out, *x, *y, *z, *by, *title;
	const char *where[WHERE_MAX];
	size_t nwhere;
};

/* ---- the CSV as a table of strings ---------------------------------- */

struct table {
	char **cells; /* nrows * ncols, row-major; row 0 = header */
	size_t ncols, nrows, cap;
	size_t nf; /* fields in the current row */
	char **cur;
	size_t capcur;
	uint64_t line;
	bool failed;
	const char *path;
};

static void t_field(void *s, size_t len, void *data)
{
	struct table *t = data;
	char *f;

	if (t->failed)
		return;
	if (t->nf == t->capcur) {
		size_t ncap = t->capcur ? t->capcur * 2 : 32;
		char **nc = realloc(t->cur, ncap * sizeof(*nc));

		if (!nc) {
			t->failed = true;
			return;
		}
		t->cur = nc;
		t->capcur = ncap;
	}
	f = malloc(len + 1);
	if (!f) {
		t->failed = true;
		return;
	}
	memcpy(f, s, len);
	f[len] = '\0';
	t->cur[t->nf++] = f;
}

static void t_row(int term, void *data)
{
	struct table *t = data;
	size_t i;

	(void)term;
	t->line++;
	if (!t->failed && t->line == 1)
		t->ncols = t->nf;
	if (!t->failed && t->nf != t->ncols) {
		cli_error("%s:%llu: %zu fields, the header has %zu", t->path,
			  (unsigned long long)t->line, t->nf, t->ncols);
		t->failed = true;
	}
	if (!t->failed && (t->nrows + 1) * t->ncols > t->cap) {
		size_t ncap = (t->cap ? t->cap * 2 : 1024) + t->ncols;
		char **nc = realloc(t->cells, ncap * sizeof(*nc));

		if (!nc)
			t->failed = true;
		else {
			t->cells = nc;
			t->cap = ncap;
		}
	}
	if (t->failed) {
		for (i = 0; i < t->nf; i++)
			free(t->cur[i]);
	} else {
		memcpy(t->cells + t->nrows * t->ncols, t->cur,
		       t->ncols * sizeof(*t->cur));
		t->nrows++;
	}
	t->nf = 0;
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (i = 0; i < t->nf; i++)
		free(t->cur[i]);
	free(t->cells);
	free(t->cur);
}

static int table_load(struct table *t, const char *path)
{
	struct csv_parser p;
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	memset(t, 0, sizeof(*t));
	t->path = path;
	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI)) {
		fclose(f);
		cli_error("out of memory");
		return -1;
	}
	while (!t->failed && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, n, t_field, t_row, t) != n &&
		    !t->failed) {
			cli_error("%s: near line %llu: %s", path,
				  (unsigned long long)t->line + 1,
				  csv_strerror(csv_error(&p)));
			t->failed = true;
		}
	if (!t->failed && csv_fini(&p, t_field, t_row, t)) {
		cli_error("%s: near line %llu: %s", path,
			  (unsigned long long)t->line + 1,
			  csv_strerror(csv_error(&p)));
		t->failed = true;
	}
	csv_free(&p);
	fclose(f);
	if (!t->failed && t->nrows < 2) {
		cli_error("%s: no rows to plot", path);
		t->failed = true;
	}
	return t->failed ? -1 : 0;
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
	return t->cells[row * t->ncols + col];
}

static long column_quiet(const struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(cell(t, 0, i), name))
			return (long)i;
	return -1;
}

static long column(const struct table *t, const char *name)
{
	size_t i, len = 0;
	long c = column_quiet(t, name);
	char list[512];

	if (c >= 0)
		return c;
	list[0] = '\0';
	for (i = 0; i < t->ncols && len + 4 < sizeof(list); i++) {
		int w = snprintf(list + len, sizeof(list) - len, "%s%s",
				 i ? ", " : "", cell(t, 0, i));

		len = w < 0 ? len : len + (size_t)w;
	}
	if (len >= sizeof(list))
		strcpy(list + sizeof(list) - 4, "...");
	cli_error("%s: no column '%s'; columns: %s", t->path, name, list);
	return -1;
}

/* ---- numbers and units ---------------------------------------------- */

enum unit {
	U_NONE,
	U_BYTES,
	U_NS
};

/* A number, or a size with a unit (*is_size set). */
static bool number(const char *s, double *v, bool *is_size)
{
	char *end;
	uint64_t b;

	*is_size = false;
	if (!*s)
		return false;
	*v = strtod(s, &end);
	if (!*end && end != s)
		return true;
	if (mw_parse_size(s, &b) == 0) {
		*v = (double)b;
		*is_size = true;
		return true;
	}
	return false;
}

static enum unit unit_of(const char *name, bool sizes)
{
	size_t n = strlen(name);

	if (sizes || strstr(name, "bytes") || strstr(name, "size"))
		return U_BYTES;
	if (n > 3 && !strcmp(name + n - 3, "_ns"))
		return U_NS;
	return U_NONE;
}

struct axis {
	const char *name;
	enum unit unit;
	bool categorical;
	const char **cats; /* borrowed from the table; categorical */
	size_t ncats;
	double min, max; /* of the data, unscaled */
	double scale;	 /* data are divided by this */
	const char *suffix;
	bool log;
	bool keep_units; /* log scale in scaled units (colour bar) */
};

static void axis_scale(struct axis *a)
{
	static const char *const bytes[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	static const char *const times[] = {"ns", "\u00b5s", "ms", "s"};
	double m = fmax(fabs(a->min), fabs(a->max));
	int k = 0;

	a->scale = 1;
	a->suffix = NULL;
	a->log = a->min > 0 && a->max / a->min > 100;
	if (a->unit == U_BYTES) {
		while (k < 4 && m >= 1024.0 * a->scale) {
			a->scale *= 1024;
			k++;
		}
		a->suffix = bytes[k];
	} else if (a->unit == U_NS) {
		while (k < 3 && m >= 1000.0 * a->scale) {
			a->scale *= 1000;
			k++;
		}
		a->suffix = times[k];
	}
	/* A log axis of bytes gets its own tics in mixed units. */
	if (a->log && a->unit == U_BYTES && !a->keep_units) {
		a->scale = 1;
		a->suffix = NULL;
	}
}

/* ---- writing gnuplot's input ---------------------------------------- */

/* A gnuplot single-quoted string: quotes doubled, controls blanked. */
static void gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void gp_label(FILE *f, const char *cmd, const struct axis *a)
{
	char buf[256];

	if (a->suffix)
		snprintf(buf, sizeof(buf), "%s (%s)", a->name, a->suffix);
	else
		snprintf(buf, sizeof(buf), "%s", a->name);
	fprintf(f, "set %s ", cmd);
	gp_string(f, buf);
	fputc('\n', f);
}

/* Tics at powers of two, labelled "64 KiB", "1 MiB". */
static void gp_byte_tics(FILE *f, const char *axis, double lo, double hi)
{
	static const char *const units[] = {"B",   "KiB", "MiB",
					    "GiB", "TiB", "PiB"};
	int e0 = (int)floor(log2(lo)), e1 = (int)ceil(log2(hi)), e, step = 1;
	bool first = true;

	while ((e1 - e0) / step > 12)
		step *= 2;
	fprintf(f, "set %stics (", axis);
	for (e = e0; e <= e1; e++) {
		char lab[32];
		int u = e / 10 > 5 ? 5 : e / 10;

		if (e < 0 || (e - e0) % step)
			continue;
		snprintf(lab, sizeof(lab), "%.0f %s", ldexp(1, e - 10 * u),
			 units[u]);
		fprintf(f, "%s'%s' %.17g", first ? "" : ", ", lab, ldexp(1, e));
		first = false;
	}
	fputs(")\n", f);
}

static void gp_axis(FILE *f, const char *axis, const struct axis *a)
{
	gp_label(f,
		 axis[0] == 'x'	  ? "xlabel"
		 : axis[0] == 'y' ? "ylabel"
				  : "cblabel",
		 a);
	if (a->categorical) {
		size_t i, step = 1;

		while (a->ncats / step > 24)
			step++;
		fprintf(f, "set %stics (", axis);
		for (i = 0; i < a->ncats; i += step) {
			if (i)
				fputs(", ", f);
			gp_string(f, a->cats[i]);
			fprintf(f, " %zu", i);
		}
		fputs(")\n", f);
		if (axis[0] == 'x' && a->ncats > 6)
			fprintf(f, "set xtics rotate by -35\n");
		return;
	}
	if (a->log) {
		fprintf(f, "set logscale %s %d\n", axis,
			a->unit == U_BYTES ? 2 : 10);
		if (a->unit == U_BYTES) {
			/* A little room: gnuplot drops a tic on the end. */
			fprintf(f, "set %srange [%.17g:%.17g]\n", axis,
				a->min / 1.1, a->max * 1.1);
			gp_byte_tics(f, axis, a->min, a->max);
		}
	}
}

static void gp_header(FILE *f, const char *out, const char *final,
		      const char *title)
{
	size_t n = strlen(final);
	bool png = n > 4 && !strcasecmp(final + n - 4, ".png");

	if (png)
		fputs("set terminal pngcairo size 1000,625 noenhanced font "
		      "'sans,10'\n",
		      f);
	else
		fputs("set terminal svg size 800,500 noenhanced font 'sans,11' "
		      "background '#ffffff'\n",
		      f);
	fputs("set encoding utf8\nset output ", f);
	gp_string(f, out);
	fputs("\nset datafile separator '\\t'\nset grid\n"
	      "set key outside right top\n",
	      f);
	if (title) {
		fputs("set title ", f);
		gp_string(f, title);
		fputc('\n', f);
	}
}

/* ---- the plots ------------------------------------------------------- */

struct pt {
	size_t group; /* line or heatmap row (y index) */
	double x;     /* value or category index */
	double y;
	size_t row;
};

static int cmp_pt(const void *a, const void *b)
{
	const struct pt *p = a, *q = b;

	if (p->group != q->group)
		return p->group < q->group ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

/* Index of s in the list (appended when new). */
static size_t intern(const char ***list, size_t *n, const char *s)
{
	size_t i;
	const char **nl;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i], s))
			return i;
	nl = realloc(*list, (*n + 1) * sizeof(*nl));
	if (!nl)
		return SIZE_MAX;
	*list = nl;
	nl[*n] = s;
	return (*n)++;
}

static int duplicate(const struct table *t, const struct pt *a,
		     const struct pt *b, const long *skip, size_t nskip)
{
	size_t c, k;

	for (c = 0; c < t->ncols; c++) {
		bool skipped = false;

		for (k = 0; k < nskip; k++)
			skipped |= skip[k] == (long)c;
		skipped |= !strcmp(cell(t, 0, c), "point");
		if (!skipped && strcmp(cell(t, a->row, c), cell(t, b->row, c)))
			break;
	}
	if (c < t->ncols)
		cli_error("%s:%zu and %zu: two rows for one point of the plot; "
			  "'%s' differs ('%s', '%s'): pick one with --where "
			  "%s=VALUE or draw it with --by %s",
			  t->path, a->row + 1, b->row + 1, cell(t, 0, c),
			  cell(t, a->row, c), cell(t, b->row, c), cell(t, 0, c),
			  cell(t, 0, c));
	else
		cli_error("%s:%zu and %zu: the same point twice", t->path,
			  a->row + 1, b->row + 1);
	return -1;
}

/* Fills an axis over the kept rows of column col. */
static int axis_fill(struct axis *a, const struct table *t, long col,
		     const bool *keep, bool may_be_categorical)
{
	size_t r;
	bool any = false, all_num = true, sizes = false;

	a->name = cell(t, 0, (size_t)col);
	for (r = 1; r < t->nrows; r++) {
		double v;
		bool is_size;

		if (!keep[r] || !*cell(t, r, (size_t)col))
			continue;
		if (!number(cell(t, r, (size_t)col), &v, &is_size)) {
			all_num = false;
			continue;
		}
		sizes |= is_size;
		if (!any || v < a->min)
			a->min = v;
		if (!any || v > a->max)
			a->max = v;
		any = true;
	}
	if (!all_num) {
		if (!may_be_categorical) {
			cli_error("%s: column '%s' is not numeric", t->path,
				  a->name);
			return -1;
		}
		a->categorical = true;
		for (r = 1; r < t->nrows; r++)
			if (keep[r] &&
			    intern(&a->cats, &a->ncats,
				   cell(t, r, (size_t)col)) == SIZE_MAX)
				return -1;
		return 0;
	}
	if (!any) {
		cli_error("%s: column '%s' has no values", t->path, a->name);
		return -1;
	}
	a->unit = unit_of(a->name, sizes);
	axis_scale(a);
	return 0;
}

static double axis_pos(const struct axis *a, const char *s)
{
	double v;
	bool is_size;
	size_t i;

	if (a->categorical) {
		for (i = 0; i < a->ncats; i++)
			if (!strcmp(a->cats[i], s))
				return (double)i;
		return NAN;
	}
	return number(s, &v, &is_size) ? v / a->scale : NAN;
}

/* Lines (and MRCs): one line per by value. */
static int plot_lines(const struct table *t, const bool *keep, long xc, long yc,
		      long bc, FILE *gp, FILE *data, const char *data_path,
		      bool mrc)
{
	struct axis ax, ay;
	const char **groups = NULL;
	size_t ngroups = 0, n = 0, r, i, g;
	struct pt *pts = calloc(t->nrows, sizeof(*pts));
	long skip[3] = {xc, yc, bc};
	int status = -1;
	bool first = true;

	memset(&ax, 0, sizeof(ax));
	memset(&ay, 0, sizeof(ay));
	if (!pts || axis_fill(&ax, t, xc, keep, !mrc) ||
	    axis_fill(&ay, t, yc, keep, false))
		goto out;
	if (mrc && ax.min > 0) {
		ax.log = true;
		ax.scale = 1;
		ax.suffix = NULL;
	}
	for (r = 1; r < t->nrows; r++) {
		double x, y;

		if (!keep[r])
			continue;
		x = axis_pos(&ax, cell(t, r, (size_t)xc));
		y = axis_pos(&ay, cell(t, r, (size_t)yc));
		if (isnan(x) || isnan(y))
			continue;
		g = bc >= 0 ? intern(&groups, &ngroups, cell(t, r, (size_t)bc))
			    : 0;
		if (g == SIZE_MAX)
			goto out;
		pts[n].group = g;
		pts[n].x = x;
		pts[n].y = y;
		pts[n].row = r;
		n++;
	}
	if (!n) {
		cli_error("%s: no row has both %s and %s", t->path, ax.name,
			  ay.name);
		goto out;
	}
	qsort(pts, n, sizeof(*pts), cmp_pt);
	for (i = 1; i < n; i++)
		if (pts[i].group == pts[i - 1].group &&
		    pts[i].x == pts[i - 1].x) {
			duplicate(t, &pts[i - 1], &pts[i], skip,
				  bc >= 0 ? 3 : 2);
			goto out;
		}
	gp_axis(gp, "x", &ax);
	gp_axis(gp, "y", &ay);
	if (!ay.log && ay.min >= 0)
		fputs("set yrange [0:*]\n", gp);
	if (ax.categorical)
		fprintf(gp, "set xrange [-0.5:%zu.5]\n", ax.ncats - 1);
	if (bc < 0)
		fputs("unset key\n", gp);
	for (i = 0; i < n; i++) {
		if (i && pts[i].group != pts[i - 1].group)
			fputs("\n\n", data);
		fprintf(data, "%.17g\t%.17g\n", pts[i].x, pts[i].y);
	}
	fputs("plot ", gp);
	for (i = 0, g = 0; i < n; i++) {
		char title[256];

		if (i && pts[i].group == pts[i - 1].group)
			continue;
		if (!first)
			fputs(", \\\n     ", gp);
		first = false;
		gp_string(gp, data_path);
		/* A miss-ratio curve is a step function: the ratio at one
		   capacity holds until the next capacity the CSV lists. */
		fprintf(gp,
			mrc ? " index %zu using 1:2 with steps lw 1.5 title "
			    : " index %zu using 1:2 with linespoints pt 7 ps "
			      "0.6 "
			      "lw 1.5 title ",
			g++);
		if (bc >= 0)
			snprintf(title, sizeof(title), "%s=%s",
				 cell(t, 0, (size_t)bc), groups[pts[i].group]);
		else
			snprintf(title, sizeof(title), "%s", ay.name);
		gp_string(gp, title);
	}
	fputc('\n', gp);
	status = 0;
out:
	free(pts);
	free(groups);
	free(ax.cats);
	return status;
}

/* Heatmap: x and y parameters (as categories), z colour. */
static int plot_heatmap(const struct table *t, const bool *keep, long xc,
			long yc, long zc, FILE *gp, FILE *data,
			const char *data_path)
{
	struct axis ax, ay, az;
	struct pt *pts = calloc(t->nrows, sizeof(*pts));
	long skip[3] = {xc, yc, zc};
	size_t n = 0, r, i;
	int status = -1;

	memset(&ax, 0, sizeof(ax));
	memset(&ay, 0, sizeof(ay));
	memset(&az, 0, sizeof(az));
	az.keep_units = true;
	if (!pts || axis_fill(&ax, t, xc, keep, true) ||
	    axis_fill(&ay, t, yc, keep, true) ||
	    axis_fill(&az, t, zc, keep, false))
		goto out;
	/* Cells: numeric parameters become ordered categories too. */
	for (i = 0; i < 2; i++) {
		struct axis *a = i ? &ay : &ax;
		long c = i ? yc : xc;

		if (a->categorical)
			continue;
		a->categorical = true;
		for (r = 1; r < t->nrows; r++)
			if (keep[r] && *cell(t, r, (size_t)c) &&
			    intern(&a->cats, &a->ncats,
				   cell(t, r, (size_t)c)) == SIZE_MAX)
				goto out;
		{
			size_t p, q;

			/* insertion sort by numeric value */
			for (p = 1; p < a->ncats; p++)
				for (q = p; q > 0; q--) {
					double u, v;
					bool s1, s2;
					const char *tmp;

					number(a->cats[q - 1], &u, &s1);
					number(a->cats[q], &v, &s2);
					if (u <= v)
						break;
					tmp = a->cats[q - 1];
					a->cats[q - 1] = a->cats[q];
					a->cats[q] = tmp;
				}
		}
		a->suffix = NULL;
	}
	for (r = 1; r < t->nrows; r++) {
		double x, y, z;

		if (!keep[r])
			continue;
		x = axis_pos(&ax, cell(t, r, (size_t)xc));
		y = axis_pos(&ay, cell(t, r, (size_t)yc));
		z = axis_pos(&az, cell(t, r, (size_t)zc));
		if (isnan(x) || isnan(y) || isnan(z))
			continue;
		pts[n].group = (size_t)y;
		pts[n].x = x;
		pts[n].y = z;
		pts[n].row = r;
		n++;
	}
	if (!n) {
		cli_error("%s: no row has %s, %s and %s", t->path, ax.name,
			  ay.name, az.name);
		goto out;
	}
	qsort(pts, n, sizeof(*pts), cmp_pt);
	for (i = 1; i < n; i++)
		if (pts[i].group == pts[i - 1].group &&
		    pts[i].x == pts[i - 1].x) {
			duplicate(t, &pts[i - 1], &pts[i], skip, 3);
			goto out;
		}
	gp_axis(gp, "x", &ax);
	gp_axis(gp, "y", &ay);
	gp_label(gp, "cblabel", &az);
	if (az.log)
		fputs("set logscale cb 10\n", gp);
	fprintf(gp,
		"set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n"
		"unset key\nset palette rgb 33,13,10\nset tics nomirror\n"
		"unset grid\n",
		ax.ncats - 1, ay.ncats - 1);
	for (i = 0; i < n; i++)
		fprintf(data, "%.17g\t%zu\t%.17g\t%.3g\n", pts[i].x,
			pts[i].group, pts[i].y, pts[i].y);
	fputs("plot ", gp);
	gp_string(gp, data_path);
	fputs(" using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 "
	      "noborder fc palette notitle, \\\n     ",
	      gp);
	gp_string(gp, data_path);
	fputs(" using 1:2:4 with labels font ',8' textcolor 'black' notitle\n",
	      gp);
	status = 0;
out:
	free(pts);
	free(ax.cats);
	free(ay.cats);
	return status;
}

/* ---- running gnuplot --------------------------------------------------- */

static int run_gnuplot(const char *script)
{
	const char *prog = getenv("MEMWALL_GNUPLOT");
	int st;
	pid_t pid;

	if (!prog || !*prog)
		prog = "gnuplot";
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		cli_error("cannot run %s: %s", prog, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = {(char *)prog, (char *)script, NULL};

		execvp(prog, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			cli_error("waiting for %s: %s", prog, strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		cli_error("cannot run %s: is gnuplot installed? (sh "
			  "scripts/deps.sh plot installs gnuplot-nox)",
			  prog);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		cli_error("%s failed (%s %d)", prog,
			  WIFEXITED(st) ? "exit" : "signal",
			  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return 0;
}

/* ---- the command -------------------------------------------------------- */

enum {
	OPT_X = 0x500,
	OPT_Y,
	OPT_Z,
	OPT_BY,
	OPT_WHERE,
	OPT_TITLE
};

static const struct argp_option options[] = {
	{"x", OPT_X, "NAME", 0,
	 "Column along x (a parameter; default capacity_bytes for a reuse "
	 "CSV)",
	 0},
	{"y", OPT_Y, "NAME", 0,
	 "Column along y: a metric (default time.total_ns; miss_ratio for a "
	 "reuse CSV), or with --z the second parameter",
	 0},
	{"z", OPT_Z, "METRIC", 0, "Draw a heatmap of METRIC over --x and --y",
	 0},
	{"by", OPT_BY, "NAME", 0,
	 "One line per value of this column (default scope for a reuse CSV)",
	 0},
	{"where", OPT_WHERE, "NAME=VALUE", 0,
	 "Only the rows where NAME is VALUE (repeatable)", 0},
	{"title", OPT_TITLE, "TEXT", 0, "Title above the plot", 0},
	{"output", 'o', "FILE", 0, "The image: FILE.svg or FILE.png", 0},
	{0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct plot_args *a = state->input;

	switch (key) {
	case OPT_X:
		a->x = arg;
		break;
	case OPT_Y:
		a->y = arg;
		break;
	case OPT_Z:
		a->z = arg;
		break;
	case OPT_BY:
		a->by = arg;
		break;
	case OPT_TITLE:
		a->title = arg;
		break;
	case OPT_WHERE:
		if (a->nwhere == WHERE_MAX)
			argp_error(state, "at most %d --where", WHERE_MAX);
		if (!strchr(arg, '=') || arg[0] == '=')
			argp_error(state, "--where wants NAME=VALUE, not '%s'",
				   arg);
		a->where[a->nwhere++] = arg;
		break;
	case 'o': {
		size_t n = strlen(arg);

		if (n < 5 || (strcasecmp(arg + n - 4, ".svg") &&
			      strcasecmp(arg + n - 4, ".png")))
			argp_error(state,
				   "-o wants FILE.svg or FILE.png, not "
				   "'%s'",
				   arg);
		a->out = arg;
		break;
	}
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			argp_error(state, "one CSV only ('%s' is extra)", arg);
		a->csv = arg;
		break;
	case ARGP_KEY_END:
		if (!a->csv)
			argp_error(state, "which CSV?");
		if (!a->out)
			argp_error(state, "-o FILE.svg|png is required");
		if (a->z && (!a->x || !a->y))
			argp_error(state, "a heatmap (--z) wants --x and --y");
		if (a->z && a->by)
			argp_error(state, "--by draws lines; a heatmap (--z) "
					  "has none");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options,
	parse,
	"CSV",
	"Draw a sweep CSV (`memwall sweep`) or a miss-ratio curve (`memwall "
	"reuse` CSV) with gnuplot: lines of a metric over a parameter, one "
	"per --by value; a heatmap of a metric over two parameters (--z); "
	"miss ratio over capacity.  Axes carry units (bytes in KiB/MiB/GiB, "
	"times in ns/\u00b5s/ms) and turn logarithmic when the data span more "
	"than two decades.\v"
	"Examples:\n"
	"  memwall plot gemm.csv --x tile --y time.total_ns --by order -o "
	"tiles.svg\n"
	"  memwall plot gemm.csv --x tile --y order --z memory.bytes_read -o "
	"heat.png\n"
	"  memwall plot attn.csv --x seq --by hw --where variant=flash2 -o "
	"seq.svg\n"
	"  memwall plot reuse.csv -o mrc.svg",
	NULL,
	NULL,
	NULL,
};

/* Reserves a temporary name (the file exists, empty). */
static int reserve_temp(char *tmpl)
{
	int fd = mkstemp(tmpl);

	if (fd < 0) {
		cli_error("%s: %s", tmpl, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int make_temp(char *tmpl, FILE **f)
{
	int fd = mkstemp(tmpl);

	if (fd < 0 || !(*f = fdopen(fd, "w"))) {
		cli_error("%s: %s", tmpl, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmpl);
		}
		return -1;
	}
	return 0;
}

static int filter_rows(const struct table *t, const struct plot_args *a,
		       bool *keep)
{
	size_t w, r, kept = 0;

	for (r = 1; r < t->nrows; r++)
		keep[r] = true;
	for (w = 0; w < a->nwhere; w++) {
		const char *eq = strchr(a->where[w], '=');
		char name[256];
		long c;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - a->where[w]),
			 a->where[w]);
		c = column(t, name);
		if (c < 0)
			return -1;
		for (r = 1; r < t->nrows; r++)
			if (strcmp(cell(t, r, (size_t)c), eq + 1))
				keep[r] = false;
	}
	for (r = 1; r < t->nrows; r++)
		kept += keep[r];
	if (!kept) {
		cli_error("%s: no row is left after --where", t->path);
		return -1;
	}
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	struct plot_args a;
	struct table t;
	const char *tmpdir = getenv("TMPDIR");
	char gp_path[4096], data_path[4096], out_tmp[4096];
	FILE *gp = NULL, *data = NULL;
	bool *keep = NULL, mrc, have_out = false;
	long xc, yc, zc = -1, bc = -1;
	int status = CLI_EXIT_FAIL, err;
	struct stat sb;

	memset(&a, 0, sizeof(a));
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (table_load(&t, a.csv))
		goto out_table;
	mrc = !a.z && column_quiet(&t, "capacity_bytes") >= 0 &&
	      column_quiet(&t, "miss_ratio") >= 0;
	if (!a.x && !mrc) {
		cli_error("--x NAME is required (columns of %s are listed by "
			  "its first line)",
			  a.csv);
		goto out_table;
	}
	xc = column(&t, a.x ? a.x : "capacity_bytes");
	yc = column(&t, a.y ? a.y : mrc ? "miss_ratio" : "time.total_ns");
	if (a.z)
		zc = column(&t, a.z);
	if (a.by || (mrc && column_quiet(&t, "scope") >= 0))
		bc = column(&t, a.by ? a.by : "scope");
	if (xc < 0 || yc < 0 || (a.z && zc < 0) || (a.by && bc < 0))
		goto out_table;
	keep = calloc(t.nrows, sizeof(*keep));
	if (!keep || filter_rows(&t, &a, keep))
		goto out_table;
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	snprintf(gp_path, sizeof(gp_path), "%s/memwall-plot-XXXXXX", tmpdir);
	snprintf(data_path, sizeof(data_path), "%s/memwall-plot-XXXXXX",
		 tmpdir);
	if ((int)snprintf(out_tmp, sizeof(out_tmp), "%s.tmp.XXXXXX", a.out) >=
	    (int)sizeof(out_tmp)) {
		cli_error("%s: name too long", a.out);
		goto out_table;
	}
	if (make_temp(gp_path, &gp))
		goto out_table;
	if (make_temp(data_path, &data))
		goto out_gp;
	if (reserve_temp(out_tmp))
		goto out_data;
	have_out = true;
	gp_header(gp, out_tmp, a.out, a.title);
	if (a.z)
		err = plot_heatmap(&t, keep, xc, yc, zc, gp, data, data_path);
	else
		err = plot_lines(&t, keep, xc, yc, bc, gp, data, data_path,
				 mrc && !a.x);
	if (fclose(data) | fclose(gp)) {
		data = gp = NULL;
		cli_error("writing the plot files: %s", strerror(errno));
		goto out_data;
	}
	data = gp = NULL;
	if (err || run_gnuplot(gp_path))
		goto out_data;
	if (stat(out_tmp, &sb) || sb.st_size == 0) {
		cli_error("gnuplot wrote nothing; %s not written", a.out);
		goto out_data;
	}
	{
		mode_t mask = umask(0);

		umask(mask);
		chmod(out_tmp, 0666 & ~mask); /* mkstemp made it 0600 */
	}
	if (rename(out_tmp, a.out)) {
		cli_error("%s: %s", a.out, strerror(errno));
		goto out_data;
	}
	have_out = false;
	status = CLI_EXIT_OK;
out_data:
	if (data)
		fclose(data);
	unlink(data_path);
out_gp:
	if (gp)
		fclose(gp);
	unlink(gp_path);
	if (have_out)
		unlink(out_tmp);
out_table:
	free(keep);
	table_free(&t);
	return status;
}
