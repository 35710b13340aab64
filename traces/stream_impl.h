/*
 * stream_impl.h - for code that implements a stream (readers, generators,
 * filters).  Consumers use stream.h only.
 *
 * An implementation embeds struct mw_stream as its first member, fills
 * ops and hdr, and returns &impl->base.  mw_stream_read does the
 * bookkeeping (records count, sticky end and error), so ops->read only
 * produces records: it returns a count, 0 at the end, or a negative error
 * after filling s->diag.
 */
#ifndef MW_STREAM_IMPL_H
#define MW_STREAM_IMPL_H

#include "traces/stream.h"

#include <stdbool.h>

struct mw_stream_ops {
	const char *name;
	long (*read)(struct mw_stream *s, struct mw_access *buf, size_t cap);
	/* Frees the implementation (not hdr, which mw_stream_destroy frees). */
	void (*destroy)(struct mw_stream *s);
};

struct mw_stream {
	const struct mw_stream_ops *ops;
	struct mw_trace_header hdr;
	struct mw_stream_stats stats;
	struct mw_diag diag;
	uint64_t records;    /* records returned so far */
	uint64_t file_bytes; /* size of the source file, 0 = unknown */
	long done;	     /* 0 while open; then 1 (end) or the error */
};

/* Prepares the common part: empty header, zero stats, no diagnostic. */
void mw_stream_init(struct mw_stream *s, const struct mw_stream_ops *ops);

#endif
