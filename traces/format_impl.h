/*
 * format_impl.h - for code that implements a trace writer.
 *
 * A writer embeds struct mw_writer first.  ops->write appends records;
 * ops->finish writes whatever closes the file (a footer) before the
 * output is committed; ops->destroy frees the implementation (the output
 * is committed or aborted by format.c, not by the writer).
 */
#ifndef MW_FORMAT_IMPL_H
#define MW_FORMAT_IMPL_H

#include "traces/format.h"

struct mw_writer_ops {
	int (*write)(struct mw_writer *w, const struct mw_access *recs,
		     size_t n, struct mw_diag *d);
	int (*finish)(struct mw_writer *w, struct mw_diag *d);
	void (*destroy)(struct mw_writer *w);
};

struct mw_writer {
	const struct mw_writer_ops *ops;
	struct mw_output *out; /* owned */
	uint64_t records;      /* records written */
};

/* The format descriptions, one per format file. */
extern const struct mw_format mw_format_mwt;
extern const struct mw_format mw_format_din;
extern const struct mw_format mw_format_lackey;
extern const struct mw_format mw_format_nvbit;
extern const struct mw_format mw_format_csv;

/* Helpers for text readers: strict number parsing of a token. */
/* Hexadecimal with optional 0x; false on anything else or overflow. */
bool mw_parse_hex_token(const char *s, size_t n, uint64_t *out);
/* Decimal; false on anything else or overflow. */
bool mw_parse_dec_token(const char *s, size_t n, uint64_t *out);

#endif
