/*
 * table.c - aligned text tables.
 *
 * Notes:
 *  - Widths count bytes except UTF-8 continuation bytes, so names with
 *    non-ASCII letters still align in a UTF-8 terminal.
 */
#include "cli/table.h"

#include "common/alloc.h"
#include "common/err.h"

#include <string.h>

#define MAX_COLS 32

struct cli_table {
	unsigned ncols;
	const char *title[MAX_COLS];
	bool numeric[MAX_COLS];
	char **cells; /* owned, rows * ncols */
	size_t rows, cap;
};

struct cli_table *cli_table_create(unsigned ncols)
{
	struct cli_table *t;

	if (ncols == 0 || ncols > MAX_COLS)
		return NULL;
	t = mw_calloc(1, sizeof(*t));
	if (t)
		t->ncols = ncols;
	return t;
}

void cli_table_destroy(struct cli_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->rows * t->ncols; i++)
		mw_free(t->cells[i]);
	mw_free(t->cells);
	mw_free(t);
}

void cli_table_column(struct cli_table *t, unsigned col, const char *title,
		      bool numeric)
{
	if (col < t->ncols) {
		t->title[col] = title;
		t->numeric[col] = numeric;
	}
}

int cli_table_row(struct cli_table *t, const char *const *cells)
{
	unsigned c;

	if (t->rows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **nc =
			mw_reallocarray(t->cells, ncap * t->ncols, sizeof(*nc));
		if (!nc)
			return MW_ENOMEM;
		t->cells = nc;
		t->cap = ncap;
	}
	for (c = 0; c < t->ncols; c++) {
		char *copy = mw_strdup(cells[c] ? cells[c] : "");

		if (!copy) {
			while (c--)
				mw_free(t->cells[t->rows * t->ncols + c]);
			return MW_ENOMEM;
		}
		t->cells[t->rows * t->ncols + c] = copy;
	}
	t->rows++;
	return 0;
}

static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

struct cli_table *cli_table_led(const char *lead, const char *const *titles,
				unsigned n)
{
	unsigned off = lead ? 1 : 0, c;
	struct cli_table *t = cli_table_create(n + off);

	if (!t)
		return NULL;
	if (lead)
		cli_table_column(t, 0, lead, false);
	for (c = 0; c < n; c++)
		cli_table_column(t, c + off, titles[c], c != 0);
	return t;
}

int cli_table_led_row(struct cli_table *t, const char *lead,
		      char (*cell)[CLI_TABLE_CELL], unsigned n)
{
	const char *cells[MAX_COLS];
	unsigned off = lead ? 1 : 0, c;

	if (n + off != t->ncols)
		return MW_EINVAL;
	if (lead)
		cells[0] = lead;
	for (c = 0; c < n; c++)
		cells[c + off] = cell[c];
	return cli_table_row(t, cells);
}

void cli_table_print(const struct cli_table *t, FILE *f, unsigned indent)
{
	size_t w[MAX_COLS] = {0}, r, total = 0;
	unsigned c;

	for (c = 0; c < t->ncols; c++) {
		w[c] = t->title[c] ? width(t->title[c]) : 0;
		for (r = 0; r < t->rows; r++) {
			size_t cw = width(t->cells[r * t->ncols + c]);

			if (cw > w[c])
				w[c] = cw;
		}
		total += w[c] + (c ? 2 : 0);
	}
	for (r = 0; r <= t->rows + 1; r++) {
		pad(f, indent);
		if (r == 1) {
			for (c = 0; c < total; c++)
				fputc('-', f);
			fputc('\n', f);
			continue;
		}
		for (c = 0; c < t->ncols; c++) {
			const char *s =
				r == 0 ? (t->title[c] ? t->title[c] : "")
				       : t->cells[(r - 2) * t->ncols + c];
			size_t sw = width(s), gap = w[c] - sw;
			bool last = c + 1 == t->ncols;

			if (c)
				fputs("  ", f);
			if (t->numeric[c])
				pad(f, gap);
			fputs(s, f);
			if (!t->numeric[c] && !last)
				pad(f, gap);
		}
		fputc('\n', f);
	}
}
