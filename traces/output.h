/*
 * output.h - a buffered output file that appears only when complete.
 *
 * Data goes to a temporary file beside the target ("NAME.tmp.XXXXXX");
 * mw_output_commit renames it over the target, mw_output_abort removes
 * it, so a failed or interrupted run never leaves a half-written file
 * under the name the user asked for.  "-" writes to standard output.
 */
#ifndef MW_OUTPUT_H
#define MW_OUTPUT_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_output;

/*
 * Creates the temporary file for path; gzip compresses what is written.
 * Returns an owned output (finish with commit or abort) or NULL, d filled.
 */
struct mw_output *mw_output_create(const char *path, bool gzip,
				   struct mw_diag *d);

/* Appends n bytes.  Returns 0 or an error (d filled). */
int mw_output_write(struct mw_output *out, const void *p, size_t n,
		    struct mw_diag *d);

/*
 * Room for at least n (<= 64 KiB) bytes at the end of the buffer, for
 * formatting in place; follow with mw_output_advance.  NULL on error.
 */
char *mw_output_reserve(struct mw_output *out, size_t n, struct mw_diag *d);
void mw_output_advance(struct mw_output *out, size_t n);

/* Bytes written so far (before compression). */
uint64_t mw_output_offset(const struct mw_output *out);

/* The target path (borrowed). */
const char *mw_output_name(const struct mw_output *out);

/*
 * Flushes, closes and renames onto the target; frees out in every case.
 * Returns 0 or an error (d filled; the temporary file is removed).
 */
int mw_output_commit(struct mw_output *out, struct mw_diag *d);

/* Closes and removes the temporary file; frees out.  Accepts NULL. */
void mw_output_abort(struct mw_output *out);

/* True when path ends in ".gz". */
bool mw_path_is_gz(const char *path);

#endif
