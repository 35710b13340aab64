/*
 * stream.h - a stream of access records with a header.
 *
 * Everything that produces accesses is a stream: file readers, kernel
 * generators, filters (region tagging, sampling).  A consumer calls
 * mw_stream_read with a buffer; the stream fills up to cap records and
 * returns how many (0 at the end, a negative enum mw_err on failure, with
 * mw_stream_diag saying where and why).  No stream holds a whole trace.
 */
#ifndef MW_STREAM_H
#define MW_STREAM_H

#include "common/err.h"
#include "traces/access.h"

#include <stddef.h>
#include <stdint.h>

#define MW_TENSOR_MAX  255   /* tensor indices 1..255; 0 = untagged */
#define MW_UNITS_MAX   65536 /* unit ids are uint16_t */
#define MW_FORMAT_NAME 16

struct mw_tensor {
	char *name;	/* owned by the header; NULL for index 0 */
	mw_addr base;	/* first byte */
	uint64_t bytes; /* extent in bytes */
};

/*
 * What a trace is: its tensors, how many units issue it, where it came
 * from.  Owns its strings; free with mw_header_free.
 */
struct mw_trace_header {
	uint32_t units; /* units (SMs, cores) the records are spread over, >= 1 */
	uint32_t ntensors; /* tensors[1..ntensors] are valid */
	struct mw_tensor tensors[MW_TENSOR_MAX + 1];
	char *provenance; /* generator and parameters, or source file; owned */
	char format[MW_FORMAT_NAME]; /* format it was read from ("mwt", "din", ...) */
};

/* Empty header: one unit, no tensors, no provenance. */
void mw_header_init(struct mw_trace_header *h);
/* Frees what h owns and leaves it empty (as mw_header_init). */
void mw_header_free(struct mw_trace_header *h);
/* Deep copy of src into dst (dst must be initialized; its contents are freed). */
int mw_header_copy(struct mw_trace_header *dst,
		   const struct mw_trace_header *src);
/*
 * Appends a tensor (name is copied); returns its index (1..255), or
 * MW_ERANGE when the table is full, MW_EINVAL for an empty name,
 * MW_ENOMEM.
 */
int mw_header_add_tensor(struct mw_trace_header *h, const char *name,
			 mw_addr base, uint64_t bytes);
/* Replaces the provenance with a copy of text. */
int mw_header_set_provenance(struct mw_trace_header *h, const char *text);
/* Index of the tensor named name, or 0. */
unsigned mw_header_find_tensor(const struct mw_trace_header *h,
			       const char *name);
/* The tensor's name, or "untagged" for 0 and unknown indices. */
const char *mw_header_tensor_name(const struct mw_trace_header *h,
				  unsigned tensor);

/* What a reader passed over, for info and for --skip-bad reports. */
struct mw_stream_stats {
	uint64_t lines;		   /* text lines read (0 for binary formats) */
	uint64_t bad_skipped;	   /* malformed lines skipped (--skip-bad) */
	uint64_t controls_skipped; /* cache-control commands (din c, v) */
	uint64_t other_skipped;	   /* lines that hold no access (comments,
				      launch lines, shared-memory ops) */
	uint64_t damaged_blocks;   /* native blocks skipped under on_damage */
};

struct mw_stream;

/*
 * Fills buf with up to cap records (cap >= 1).  Returns the count, 0 at
 * the end of the stream, or a negative enum mw_err (see mw_stream_diag).
 * After an error or the end, further calls return the same.
 */
long mw_stream_read(struct mw_stream *s, struct mw_access *buf, size_t cap);
/* Borrowed; valid until the stream is destroyed. */
const struct mw_trace_header *mw_stream_header(const struct mw_stream *s);
const struct mw_stream_stats *mw_stream_stats(const struct mw_stream *s);
/* Why the last read failed (code MW_OK if it did not). */
const struct mw_diag *mw_stream_diag(const struct mw_stream *s);
/* Records returned so far. */
uint64_t mw_stream_records(const struct mw_stream *s);
/* Size on disk of the file the stream reads, 0 when unknown or none. */
uint64_t mw_stream_file_size(const struct mw_stream *s);
/* Accepts NULL. */
void mw_stream_destroy(struct mw_stream *s);

#endif
