/*
 * format.c - the format table, detection, and the writer front end.
 *
 * Notes:
 *  - Detection reads the first MW_INPUT_PEEK bytes after decompression,
 *    so a gzip-compressed trace is recognized by its content, and so is
 *    standard input.  The highest score wins; ties go to the table order.
 *    Only when no format scores does the extension decide.
 */
#include "traces/format_impl.h"

#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

const struct mw_format *const mw_formats[] = {
	&mw_format_mwt,	  &mw_format_din, &mw_format_lackey,
	&mw_format_nvbit, &mw_format_csv, NULL,
};

const struct mw_format *mw_format_find(const char *name)
{
	const struct mw_format *const *f;

	for (f = mw_formats; *f; f++)
		if (!strcmp((*f)->name, name))
			return *f;
	return NULL;
}

/* True when the space-separated list exts holds ext (which starts with '.'). */
static bool has_extension(const char *exts, const char *ext, size_t n)
{
	while (*exts) {
		size_t len = strcspn(exts, " ");

		if (len == n && !memcmp(exts, ext, n))
			return true;
		exts += len;
		exts += strspn(exts, " ");
	}
	return false;
}

const struct mw_format *mw_format_by_extension(const char *path)
{
	const struct mw_format *const *f;
	const char *base = strrchr(path, '/');
	size_t n;
	const char *dot;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".gz"))
		n -= 3;
	for (dot = base + n; dot > base && dot[-1] != '.'; dot--)
		;
	if (dot == base)
		return NULL;
	dot--;
	for (f = mw_formats; *f; f++)
		if (has_extension((*f)->extensions, dot,
				  (size_t)(base + n - dot)))
			return *f;
	return NULL;
}

static const struct mw_format *detect(struct mw_input *in, const char *path,
				      struct mw_diag *d)
{
	const struct mw_format *const *f, *best = NULL;
	const char *head;
	size_t n;
	int best_score = 0;

	if (mw_input_peek(in, &head, &n, d))
		return NULL;
	for (f = mw_formats; *f; f++) {
		int score = (*f)->detect(head, n);

		if (score > best_score) {
			best_score = score;
			best = *f;
		}
	}
	if (!best && strcmp(path, "-"))
		best = mw_format_by_extension(path);
	if (!best)
		mw_diag_set(d, MW_EFORMAT, mw_input_name(in), 0,
			    n ? "cannot tell the trace format; name it with "
				"--format (mwt, din, lackey, nvbit, csv)"
			      : "empty input; name its format with --format");
	return best;
}

struct mw_stream *mw_trace_open(const char *path, const struct mw_read_opts *o,
				struct mw_diag *d)
{
	static const struct mw_read_opts defaults;
	const struct mw_format *fmt = NULL;
	struct mw_input *in;

	if (!o)
		o = &defaults;
	if (o->format && strcmp(o->format, "auto")) {
		fmt = mw_format_find(o->format);
		if (!fmt) {
			mw_diag_set(d, MW_EFORMAT, path, 0,
				    "unknown format '%s'", o->format);
			return NULL;
		}
	}
	in = mw_input_open(path, d);
	if (!in)
		return NULL;
	if (!fmt) {
		fmt = detect(in, path, d);
		if (!fmt) {
			mw_input_close(in);
			return NULL;
		}
	}
	return fmt->open(in, o, d);
}

struct mw_writer *mw_trace_create(const char *path,
				  const struct mw_trace_header *h,
				  const struct mw_write_opts *o,
				  struct mw_diag *d)
{
	static const struct mw_write_opts defaults;
	const struct mw_format *fmt;
	struct mw_output *out;
	bool gz;

	if (!o)
		o = &defaults;
	if (o->format && strcmp(o->format, "auto")) {
		fmt = mw_format_find(o->format);
		if (!fmt) {
			mw_diag_set(d, MW_EFORMAT, path, 0,
				    "unknown format '%s'", o->format);
			return NULL;
		}
	} else {
		fmt = mw_format_by_extension(path);
		if (!fmt)
			fmt = &mw_format_mwt;
	}
	if (!fmt->create) {
		mw_diag_set(d, MW_EFORMAT, path, 0,
			    "format '%s' can be read but not written",
			    fmt->name);
		return NULL;
	}
	/* The native format is compressed already. */
	gz = fmt != &mw_format_mwt && mw_path_is_gz(path);
	out = mw_output_create(path, gz, d);
	if (!out)
		return NULL;
	return fmt->create(out, h, o, d);
}

int mw_writer_write(struct mw_writer *w, const struct mw_access *recs, size_t n,
		    struct mw_diag *d)
{
	int err = w->ops->write(w, recs, n, d);

	if (!err)
		w->records += n;
	return err;
}

int mw_writer_commit(struct mw_writer *w, struct mw_diag *d)
{
	int err = w->ops->finish(w, d);
	struct mw_output *out = w->out;

	w->out = NULL;
	w->ops->destroy(w);
	if (err) {
		mw_output_abort(out);
		return err;
	}
	return mw_output_commit(out, d);
}

void mw_writer_abort(struct mw_writer *w)
{
	if (!w)
		return;
	mw_output_abort(w->out);
	w->out = NULL;
	w->ops->destroy(w);
}

static bool parse_digits(const char *s, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i], digit;

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - digit) / base)
			return false;
		v = v * base + digit;
	}
	*out = v;
	return true;
}

bool mw_parse_hex_token(const char *s, size_t n, uint64_t *out)
{
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	return parse_digits(s, n, 16, out);
}

bool mw_parse_dec_token(const char *s, size_t n, uint64_t *out)
{
	return parse_digits(s, n, 10, out);
}
