/*
 * textfmt.h - helpers shared by the text-format tests (din, lackey, csv):
 * reading a text through a temporary file, checking diagnostics.
 */
#ifndef MW_TEST_TEXTFMT_H
#define MW_TEST_TEXTFMT_H

#include "tests/helpers.h"

#include <stdbool.h>

/*
 * Reads text (written to a temporary file ending in suffix, gzipped when
 * gz) with format (NULL = detect) and skip_bad; returns the record count
 * or an error; *recs (free with free), *st and *d filled.  The header's
 * format name goes to fmt (16 bytes) when not NULL.
 */
long tf_read(const char *text, const char *suffix, bool gz, const char *format,
	     bool skip_bad, uint32_t units, struct mw_access **recs,
	     struct mw_stream_stats *st, char *fmt, struct mw_diag *d);

/* The diagnostic as "file:line: msg" with the temporary name cut to "F". */
const char *tf_where(const struct mw_diag *d, char *buf, size_t cap);

/* Asserts that text read strictly fails at line with exactly msg. */
void tf_expect_bad(const char *text, const char *format, unsigned line,
		   const char *msg);

/* The format text is detected as, read from a file named suffix ("" = none). */
const char *tf_detect(const char *text, const char *suffix, bool gz, char *fmt);

#endif
