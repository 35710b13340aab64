/*
 * input.h - a buffered input that reads plain or gzip-compressed files and
 * standard input ("-") the same way, by lines or by bytes.
 *
 * The first bytes can be peeked (after decompression) for format
 * detection without consuming them, which is what lets formats be
 * detected on standard input.
 */
#ifndef MW_INPUT_H
#define MW_INPUT_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_INPUT_MAX_LINE (1u << 20) /* longer text lines are an error */
#define MW_INPUT_PEEK	  4096	     /* bytes mw_input_peek guarantees */

struct mw_input;

/*
 * Opens path ("-" = standard input).  Returns an owned input (close with
 * mw_input_close) or NULL with d filled.
 */
struct mw_input *mw_input_open(const char *path, struct mw_diag *d);

/* The name used in diagnostics: the path, or "<stdin>". Borrowed. */
const char *mw_input_name(const struct mw_input *in);

/* True when the underlying file is gzip-compressed. */
bool mw_input_compressed(const struct mw_input *in);

/* Size of the file on disk in bytes, or 0 when unknown (a pipe). */
uint64_t mw_input_file_size(const struct mw_input *in);

/*
 * Points *p at up to MW_INPUT_PEEK of the next bytes (fewer only at the
 * end of input) without consuming them; sets *n.  Returns 0 or an error
 * (d filled).
 */
int mw_input_peek(struct mw_input *in, const char **p, size_t *n,
		  struct mw_diag *d);

/*
 * Next text line: *line points into the input's buffer (valid until the
 * next call), NUL-terminated, without "\n" or "\r\n"; *len is its length.
 * Returns 1, 0 at the end, or an error (d filled: a line longer than
 * MW_INPUT_MAX_LINE, an I/O or decompression error).
 */
int mw_input_getline(struct mw_input *in, char **line, size_t *len,
		     struct mw_diag *d);

/* Number of the line last returned (1-based). */
uint64_t mw_input_lineno(const struct mw_input *in);

/*
 * Reads up to n bytes into buf; returns the count (less than n only at the
 * end of input) or an error (d filled).
 */
long mw_input_read(struct mw_input *in, void *buf, size_t n, struct mw_diag *d);

/* Decompressed bytes consumed so far. */
uint64_t mw_input_offset(const struct mw_input *in);

/* Accepts NULL. */
void mw_input_close(struct mw_input *in);

#endif
