/*
 * csvsplit.h - one CSV line into fields, with libcsv (RFC 4180 quoting,
 * spaces around fields trimmed).  For line-oriented CSV inputs (traces,
 * region files, measured data), where the caller wants line numbers in
 * its errors.  A quoted field cannot span lines.
 */
#ifndef MW_CSVSPLIT_H
#define MW_CSVSPLIT_H

#include <stddef.h>

#define MW_CSV_MAX_FIELDS 256

struct mw_csv_splitter;

/* Returns an owned splitter (free with mw_csv_splitter_destroy) or NULL. */
struct mw_csv_splitter *mw_csv_splitter_create(void);
void mw_csv_splitter_destroy(struct mw_csv_splitter *s);

/*
 * Splits line (len bytes) into *fields (NUL-terminated strings valid until
 * the next call).  Returns the field count, or MW_EPARSE with *why set
 * (unbalanced quote, more than MW_CSV_MAX_FIELDS fields), or MW_ENOMEM.
 * An empty line has 0 fields.
 */
int mw_csv_split(struct mw_csv_splitter *s, const char *line, size_t len,
		 char ***fields, const char **why);

#endif
