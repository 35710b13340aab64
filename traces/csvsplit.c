/*
 * csvsplit.c - splitting single CSV lines with libcsv.
 *
 * Notes:
 *  - CSV_STRICT rejects a quote inside an unquoted field; CSV_STRICT_FINI
 *    makes an unterminated quote at the end of the line an error.
 *  - csv_fini flushes the last field of a line without a newline and
 *    resets the parser, so one parser serves every line.
 */
#include "traces/csvsplit.h"

#include "common/alloc.h"
#include "common/err.h"

#include <csv.h>
#include <string.h>

struct mw_csv_splitter {
	struct csv_parser p;
	char *buf; /* owned: field text, each NUL-terminated */
	size_t used, cap;
	size_t off[MW_CSV_MAX_FIELDS]; /* field starts in buf */
	char *fields[MW_CSV_MAX_FIELDS];
	size_t n;
	int err;  /* 0, MW_EPARSE (too many fields) or MW_ENOMEM */
	int rows; /* row ends seen in this line */
};

struct mw_csv_splitter *mw_csv_splitter_create(void)
{
	struct mw_csv_splitter *s = mw_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (csv_init(&s->p, CSV_STRICT | CSV_STRICT_FINI)) {
		mw_free(s);
		return NULL;
	}
	return s;
}

void mw_csv_splitter_destroy(struct mw_csv_splitter *s)
{
	if (!s)
		return;
	csv_free(&s->p);
	mw_free(s->buf);
	mw_free(s);
}

static void on_field(void *text, size_t len, void *data)
{
	struct mw_csv_splitter *s = data;

	if (s->err)
		return;
	if (s->n == MW_CSV_MAX_FIELDS) {
		s->err = MW_EPARSE;
		return;
	}
	if (s->used + len + 1 > s->cap) {
		size_t ncap = (s->used + len + 1) * 2;
		char *nb = mw_reallocarray(s->buf, ncap, 1);

		if (!nb) {
			s->err = MW_ENOMEM;
			return;
		}
		s->buf = nb;
		s->cap = ncap;
	}
	if (len)
		memcpy(s->buf + s->used, text, len);
	s->buf[s->used + len] = '\0';
	s->off[s->n++] = s->used;
	s->used += len + 1;
}

static void on_row(int term, void *data)
{
	struct mw_csv_splitter *s = data;

	(void)term;
	s->rows++;
}

int mw_csv_split(struct mw_csv_splitter *s, const char *line, size_t len,
		 char ***fields, const char **why)
{
	size_t i;
	int fini;

	s->used = 0;
	s->n = 0;
	s->err = 0;
	s->rows = 0;
	if (csv_parse(&s->p, line, len, on_field, on_row, s) != len) {
		*why = csv_strerror(csv_error(&s->p));
		csv_fini(&s->p, NULL, NULL, NULL);
		return MW_EPARSE;
	}
	fini = csv_fini(&s->p, on_field, on_row, s);
	if (fini) {
		*why = "unterminated quoted field";
		return MW_EPARSE;
	}
	if (s->err == MW_EPARSE) {
		*why = "too many fields";
		return MW_EPARSE;
	}
	if (s->err)
		return s->err;
	if (s->rows > 1) {
		*why = "line holds more than one row";
		return MW_EPARSE;
	}
	for (i = 0; i < s->n; i++)
		s->fields[i] = s->buf + s->off[i];
	*fields = s->fields;
	return (int)s->n;
}
