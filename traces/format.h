/*
 * format.h - trace file formats: one table, detection, opening, writing.
 *
 * Each format is one file in traces/ defining a struct mw_format, plus
 * one line in the table in format.c.  Readers accept plain or
 * gzip-compressed files and standard input ("-").  The format is taken
 * from --format, else from the content, else from the extension.
 */
#ifndef MW_FORMAT_H
#define MW_FORMAT_H

#include "traces/input.h"
#include "traces/output.h"
#include "traces/stream.h"

#include <stdbool.h>

struct mw_read_opts {
	const char *format; /* NULL or "auto": detect */
	bool skip_bad;	    /* count and skip malformed lines */
	uint32_t units;	    /* GPU traces with no SM ids: units CTAs are
			       spread over (0 = the format's default) */
	/* When set, readers that can skip damage (the native format's
	   independent blocks) report each damaged part here and go on. */
	void (*on_damage)(void *ctx, const struct mw_diag *d);
	void *damage_ctx;
};

struct mw_write_opts {
	const char *format;	/* NULL: from the extension, else "mwt" */
	int level;		/* compression level 1..12, 0 = default */
	uint32_t block_records; /* native format block size, 0 = default */
};

struct mw_writer;

struct mw_format {
	const char *name;	/* as given to --format */
	const char *summary;	/* one line for help texts */
	const char *extensions; /* space-separated, before any ".gz" */
	/* How likely (0..100) it is that these first bytes are this format. */
	int (*detect)(const char *head, size_t n);
	/* Reader; takes ownership of in (closed on failure too). */
	struct mw_stream *(*open)(struct mw_input *in,
				  const struct mw_read_opts *o,
				  struct mw_diag *d);
	/* Writer, NULL when the format is read-only; takes ownership of out
	   (aborted on failure too); the header is copied. */
	struct mw_writer *(*create)(struct mw_output *out,
				    const struct mw_trace_header *h,
				    const struct mw_write_opts *o,
				    struct mw_diag *d);
};

/* All formats, NULL-terminated. */
extern const struct mw_format *const mw_formats[];

/* The format named name, or NULL. */
const struct mw_format *mw_format_find(const char *name);

/* The format a path's extension names (".gz" ignored), or NULL. */
const struct mw_format *mw_format_by_extension(const char *path);

/*
 * Opens a trace file for reading.  Returns an owned stream (destroy with
 * mw_stream_destroy) or NULL with d filled.
 */
struct mw_stream *mw_trace_open(const char *path, const struct mw_read_opts *o,
				struct mw_diag *d);

/*
 * Creates a trace file; text formats are gzip-compressed when path ends in
 * ".gz".  The file appears under path only on mw_writer_commit.  Returns
 * an owned writer or NULL with d filled.
 */
struct mw_writer *mw_trace_create(const char *path,
				  const struct mw_trace_header *h,
				  const struct mw_write_opts *o,
				  struct mw_diag *d);

/* Appends n records.  Returns 0 or an error (d filled). */
int mw_writer_write(struct mw_writer *w, const struct mw_access *recs, size_t n,
		    struct mw_diag *d);

/* Finishes the file and moves it into place; frees w in every case. */
int mw_writer_commit(struct mw_writer *w, struct mw_diag *d);

/* Drops the file; frees w.  Accepts NULL. */
void mw_writer_abort(struct mw_writer *w);

#endif
