/*
 * helpers.h - shared test helpers: temporary files, reading whole traces,
 * seeded random records.  Every temporary name is unique (mkstemps) since
 * Criterion runs tests in parallel processes.
 */
#ifndef MW_TEST_HELPERS_H
#define MW_TEST_HELPERS_H

#include "common/hash.h"
#include "traces/format.h"

#include <stddef.h>
#include <stdint.h>

/* A new temporary file holding len bytes; returns its path (free with th_remove). */
char *th_temp_file(const char *suffix, const void *data, size_t len);
/* The same, gzip-compressed. */
char *th_temp_gz(const char *suffix, const void *data, size_t len);
/* A fresh temporary path that does not exist yet (free with th_remove). */
char *th_temp_path(const char *suffix);
/* Unlinks and frees a path from the functions above; accepts NULL. */
void th_remove(char *path);
/* Reads a whole file into a malloc'd buffer; *len gets its size. */
char *th_slurp(const char *path, size_t *len);

/*
 * Reads every record of a trace: returns the count and *recs (free with
 * free), or a negative error with d filled.
 */
long th_read_all(const char *path, const struct mw_read_opts *o,
		 struct mw_access **recs, struct mw_diag *d);

/* Reads every record of an open stream (as th_read_all). */
long th_drain(struct mw_stream *s, struct mw_access **recs);

/* Writes records to path in the given format with header h; 0 or error. */
int th_write_all(const char *path, const char *format,
		 const struct mw_trace_header *h, const struct mw_access *recs,
		 size_t n, struct mw_diag *d);

/*
 * n seeded random records: a mix of streams and scattered addresses over
 * the whole 64-bit range, sizes 1..256, units < units, tensors <= ntensors.
 */
void th_random_records(struct mw_rng *rng, struct mw_access *out, size_t n,
		       uint32_t units, uint32_t ntensors);

#endif
