/*
 * err.h - the one error convention of memwall, and parser diagnostics.
 *
 * Actions return 0 or a negative enum mw_err; constructors return NULL and
 * fill a caller-provided struct mw_diag.  Library code never prints: the
 * diagnostic carries the file, line or byte offset and a one-line reason,
 * and cli/ decides how to show it.
 */
#ifndef MW_ERR_H
#define MW_ERR_H

#include <stdint.h>

enum mw_err {
	MW_OK = 0,
	MW_ENOMEM = -1,	   /* allocation failed */
	MW_EIO = -2,	   /* read, write, open or rename failed */
	MW_EPARSE = -3,	   /* malformed text input */
	MW_ECONFIG = -4,   /* impossible or unknown configuration */
	MW_EINVAL = -5,	   /* bad argument from the caller */
	MW_ECORRUPT = -6,  /* binary data fails a checksum or structure check */
	MW_ETRUNC = -7,	   /* input ends before its structure does */
	MW_EFORMAT = -8,   /* unknown or undetectable format */
	MW_ERANGE = -9,	   /* a value outside what the model represents */
	MW_EVERSION = -10, /* a file version this build cannot read */
	MW_ECANCEL = -11,  /* stopped on request (an interrupt) */
	MW_ERR_MIN = -11
};

/* Returns a static, human-readable name for an error code (any int). */
const char *mw_strerror(int err);

#define MW_DIAG_FILE 256
#define MW_DIAG_MSG  256

/*
 * Where and why something failed.  line is 1-based (0: not a text
 * position); offset is a byte offset in the file (UINT64_MAX: none).
 */
struct mw_diag {
	int code;		 /* enum mw_err */
	uint64_t line;		 /* 1-based text line, 0 = none */
	uint64_t offset;	 /* byte offset, UINT64_MAX = none */
	char file[MW_DIAG_FILE]; /* file or config name, "" = none */
	char msg[MW_DIAG_MSG];	 /* one line, no trailing newline */
};

/* Clears a diagnostic (no code, no position). */
void mw_diag_clear(struct mw_diag *d);

/*
 * Records a failure and returns code, so callers can write
 * "return mw_diag_set(d, MW_EPARSE, file, line, fmt, ...)".
 * d may be NULL (the code is still returned).
 */
int mw_diag_set(struct mw_diag *d, int code, const char *file, uint64_t line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* As mw_diag_set, for a byte offset in a binary file. */
int mw_diag_set_offset(struct mw_diag *d, int code, const char *file,
		       uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Formats "file:line: msg", "file: byte N: msg" or "file: msg" into buf
 * (always NUL-terminated).  Returns buf.
 */
char *mw_diag_format(const struct mw_diag *d, char *buf, unsigned long cap);

#endif
