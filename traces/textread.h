/*
 * textread.h - the common part of line-oriented trace readers (din,
 * lackey, csv, nvbit): reading lines, line-numbered diagnostics, --skip-bad,
 * and handing out the records each line yields.
 *
 * A reader embeds struct mw_text_reader first (it embeds struct
 * mw_stream first in turn) and sets parse_line, which looks at one line
 * and either pushes records with mw_text_push, counts the line as
 * skipped in base.stats, or returns mw_text_bad(...).
 */
#ifndef MW_TEXTREAD_H
#define MW_TEXTREAD_H

#include "traces/input.h"
#include "traces/stream_impl.h"

#include <stdbool.h>
#include <stddef.h>

#define MW_TEXT_PEND 4 /* records one line may yield in pend_small */

struct mw_text_reader {
	struct mw_stream base;
	struct mw_input *in; /* owned */
	const char *name;    /* borrowed from in */
	bool skip_bad;
	/* One line: fills pend with mw_text_push; 0 or an error. */
	int (*parse_line)(struct mw_text_reader *r, const char *line,
			  size_t len);
	/* Records of the last line: pend_small, or a larger array of the
	   reader's own, which it points pend at after mw_text_init. */
	struct mw_access *pend;
	unsigned npend, ipend;
	int deferred; /* error to return on the next read, 0 = none */
	struct mw_access pend_small[MW_TEXT_PEND];
};

/*
 * Prepares r (zeroed by the caller) over in (takes ownership: it is
 * closed by mw_text_destroy).
 */
void mw_text_init(struct mw_text_reader *r, const struct mw_stream_ops *ops,
		  struct mw_input *in, const char *format, bool skip_bad);

/* A malformed line: fills the diagnostic with file:line, returns MW_EPARSE. */
int mw_text_bad(struct mw_text_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a record of the current line. */
void mw_text_push(struct mw_text_reader *r, uint64_t addr, uint32_t size,
		  uint32_t unit, enum mw_op op, unsigned tensor);

/*
 * Reads lines until one yields records.  Returns 1 with pend filled, 0 at
 * the end, or an error (base.diag filled).  Under skip_bad malformed lines
 * are counted and skipped.
 */
int mw_text_next(struct mw_text_reader *r);

/*
 * Allocates a zeroed reader of size bytes (a struct that embeds struct
 * mw_text_reader first), prepared by mw_text_init over in with
 * parse_line set.  Takes ownership of in.  NULL with d filled (and in
 * closed) when memory runs out.
 */
void *mw_text_alloc(size_t size, struct mw_input *in,
		    const struct mw_stream_ops *ops, const char *format,
		    bool skip_bad,
		    int (*parse_line)(struct mw_text_reader *r,
				      const char *line, size_t len),
		    struct mw_diag *d);

/*
 * Opens a reader that is a bare struct mw_text_reader (no state of its own
 * beyond the line parser): format names the header's format, provenance
 * (copied) its provenance; ops->destroy should be mw_text_destroy.  Takes
 * ownership of in (closed on failure too).  NULL with d filled on failure.
 */
struct mw_stream *mw_text_open(struct mw_input *in,
			       const struct mw_stream_ops *ops,
			       const char *format, bool skip_bad,
			       int (*parse_line)(struct mw_text_reader *r,
						 const char *line, size_t len),
			       const char *provenance, struct mw_diag *d);

/* ops->destroy for readers opened by mw_text_open. */
void mw_text_destroy(struct mw_stream *s);

/* ops->read for readers with nothing else to hand out. */
long mw_text_read(struct mw_stream *s, struct mw_access *buf, size_t cap);

/* Closes the input; does not free r. */
void mw_text_fini(struct mw_text_reader *r);

/*
 * Splits [p, end) at spaces and tabs: up to max tokens into tok/len;
 * returns how many there are (may exceed max; only max are stored).
 */
unsigned mw_text_tokens(const char *p, const char *end, const char **tok,
			size_t *len, unsigned max);

/* True when [p, p + n) holds only spaces, tabs and nothing else. */
bool mw_text_blank(const char *p, size_t n);

#endif
