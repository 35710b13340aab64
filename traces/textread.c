/*
 * textread.c - the common part of line-oriented trace readers.
 *
 * Notes:
 *  - A line yields at most MW_TEXT_PEND records; they are handed out
 *    across reads, so any buffer size works (down to one record).
 *  - An error after some records of a batch were produced is returned on
 *    the next read, so the records before the bad line are never lost and
 *    the error still carries its line number.
 */
#include "traces/textread.h"

#include "common/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mw_text_init(struct mw_text_reader *r, const struct mw_stream_ops *ops,
		  struct mw_input *in, const char *format, bool skip_bad)
{
	mw_stream_init(&r->base, ops);
	snprintf(r->base.hdr.format, sizeof(r->base.hdr.format), "%s", format);
	r->in = in;
	r->name = mw_input_name(in);
	r->base.file_bytes = mw_input_file_size(in);
	r->skip_bad = skip_bad;
	r->pend = r->pend_small;
}

int mw_text_bad(struct mw_text_reader *r, const char *fmt, ...)
{
	char msg[MW_DIAG_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mw_diag_set(&r->base.diag, MW_EPARSE, r->name,
			   mw_input_lineno(r->in), "%s", msg);
}

void mw_text_push(struct mw_text_reader *r, uint64_t addr, uint32_t size,
		  uint32_t unit, enum mw_op op, unsigned tensor)
{
	struct mw_access *a = &r->pend[r->npend++];

	a->addr = addr;
	a->size = size;
	a->unit = (uint16_t)unit;
	a->op = (uint8_t)op;
	a->tensor = (uint8_t)tensor;
}

int mw_text_next(struct mw_text_reader *r)
{
	for (;;) {
		char *line;
		size_t len;
		int got = mw_input_getline(r->in, &line, &len, &r->base.diag);

		if (got <= 0)
			return got;
		r->base.stats.lines++;
		r->npend = r->ipend = 0;
		got = r->parse_line(r, line, len);
		if (got == MW_EPARSE && r->skip_bad) {
			r->base.stats.bad_skipped++;
			mw_diag_clear(&r->base.diag);
			r->npend = 0;
			continue;
		}
		if (got)
			return got;
		if (r->npend)
			return 1;
	}
}

long mw_text_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	struct mw_text_reader *r = (struct mw_text_reader *)s;
	size_t out = 0;

	if (r->deferred)
		return r->deferred;
	while (out < cap) {
		size_t take;

		if (r->ipend == r->npend) {
			int got = mw_text_next(r);

			if (got < 0) {
				if (!out)
					return got;
				r->deferred = got; /* after these records */
				break;
			}
			if (got == 0)
				break;
		}
		take = r->npend - r->ipend;
		if (take > cap - out)
			take = cap - out;
		memcpy(buf + out, r->pend + r->ipend, take * sizeof(*buf));
		r->ipend += (unsigned)take;
		out += take;
	}
	return (long)out;
}

void mw_text_fini(struct mw_text_reader *r)
{
	mw_input_close(r->in);
	r->in = NULL;
}

void *mw_text_alloc(size_t size, struct mw_input *in,
		    const struct mw_stream_ops *ops, const char *format,
		    bool skip_bad,
		    int (*parse_line)(struct mw_text_reader *r,
				      const char *line, size_t len),
		    struct mw_diag *d)
{
	struct mw_text_reader *r = mw_calloc(1, size);

	if (!r) {
		mw_diag_set(d, MW_ENOMEM, mw_input_name(in), 0,
			    "out of memory");
		mw_input_close(in);
		return NULL;
	}
	mw_text_init(r, ops, in, format, skip_bad);
	r->parse_line = parse_line;
	return r;
}

struct mw_stream *mw_text_open(struct mw_input *in,
			       const struct mw_stream_ops *ops,
			       const char *format, bool skip_bad,
			       int (*parse_line)(struct mw_text_reader *r,
						 const char *line, size_t len),
			       const char *provenance, struct mw_diag *d)
{
	struct mw_text_reader *r = mw_text_alloc(sizeof(*r), in, ops, format,
						 skip_bad, parse_line, d);

	if (!r)
		return NULL;
	if (mw_header_set_provenance(&r->base.hdr, provenance)) {
		mw_diag_set(d, MW_ENOMEM, r->name, 0, "out of memory");
		mw_stream_destroy(&r->base);
		return NULL;
	}
	return &r->base;
}

void mw_text_destroy(struct mw_stream *s)
{
	mw_text_fini((struct mw_text_reader *)s);
	mw_free(s);
}

unsigned mw_text_tokens(const char *p, const char *end, const char **tok,
			size_t *len, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		const char *q;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			return n;
		q = p;
		while (q < end && *q != ' ' && *q != '\t')
			q++;
		if (n < max) {
			tok[n] = p;
			len[n] = (size_t)(q - p);
		}
		n++;
		p = q;
	}
}

bool mw_text_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}
