/*
 * err.c - error names and diagnostics.
 *
 * Notes:
 *  - Messages are single lines: any newline in a formatted message is
 *    replaced by a space so a diagnostic never breaks a log line.
 */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const err_names[] = {
	[0] = "success",
	[1] = "out of memory",
	[2] = "input/output error",
	[3] = "malformed input",
	[4] = "invalid configuration",
	[5] = "invalid argument",
	[6] = "corrupt data",
	[7] = "truncated input",
	[8] = "unknown format",
	[9] = "value out of range",
	[10] = "unsupported version",
	[11] = "interrupted",
};

_Static_assert(sizeof(err_names) / sizeof(err_names[0]) == 1 - MW_ERR_MIN,
	       "one name per error code");

const char *mw_strerror(int err)
{
	if (err > 0 || err < MW_ERR_MIN)
		return "unknown error";
	return err_names[-err];
}

void mw_diag_clear(struct mw_diag *d)
{
	d->code = MW_OK;
	d->line = 0;
	d->offset = UINT64_MAX;
	d->file[0] = '\0';
	d->msg[0] = '\0';
}

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static void diag_vset(struct mw_diag *d, int code, const char *file,
		      const char *fmt, va_list ap)
{
	d->code = code;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	one_line(d->msg);
}

int mw_diag_set(struct mw_diag *d, int code, const char *file, uint64_t line,
		const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return code;
	va_start(ap, fmt);
	diag_vset(d, code, file, fmt, ap);
	va_end(ap);
	d->line = line;
	d->offset = UINT64_MAX;
	return code;
}

int mw_diag_set_offset(struct mw_diag *d, int code, const char *file,
		       uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return code;
	va_start(ap, fmt);
	diag_vset(d, code, file, fmt, ap);
	va_end(ap);
	d->line = 0;
	d->offset = offset;
	return code;
}

char *mw_diag_format(const struct mw_diag *d, char *buf, unsigned long cap)
{
	const char *msg = d->msg[0] ? d->msg : mw_strerror(d->code);

	if (!d->file[0])
		snprintf(buf, cap, "%s", msg);
	else if (d->line)
		snprintf(buf, cap, "%s:%llu: %s", d->file,
			 (unsigned long long)d->line, msg);
	else if (d->offset != UINT64_MAX)
		snprintf(buf, cap, "%s: byte %llu: %s", d->file,
			 (unsigned long long)d->offset, msg);
	else
		snprintf(buf, cap, "%s: %s", d->file, msg);
	return buf;
}
