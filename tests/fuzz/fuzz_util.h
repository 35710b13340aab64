/*
 * fuzz_util.h - helpers for the libFuzzer harnesses: readers take paths,
 * so each input is written to an anonymous memory file and opened by its
 * /proc/self/fd path.
 */
#ifndef MW_FUZZ_UTIL_H
#define MW_FUZZ_UTIL_H

#include "traces/format.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a fresh memfd; fills path; returns the fd (close it). */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char *path,
			       size_t cap)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

/* Reads every record of path with format; returns the count or error. */
static inline long fuzz_read_all(const char *path, const char *format)
{
	static struct mw_access buf[1024];
	struct mw_read_opts o = {.format = format, .units = 8};
	struct mw_diag d;
	struct mw_stream *s = mw_trace_open(path, &o, &d);
	long n, total = 0;

	if (!s)
		return d.code;
	while ((n = mw_stream_read(s, buf, 1024)) > 0) {
		long i;

		for (i = 0; i < n; i++)
			if (buf[i].size == 0)
				abort(); /* readers never emit size 0 */
		total += n;
	}
	mw_stream_destroy(s);
	return n < 0 ? n : total;
}

/* Records per read fuzz_check_read takes at the most. */
#define FUZZ_BATCH_MAX 128

/*
 * Opens path with o and reads it batch records at a time (1 to
 * FUZZ_BATCH_MAX; odd sizes make records straddle reads).  Aborts when a
 * failure carries no message, a record has size 0, or ok (NULL: none)
 * says no: ok is called once with a == NULL for the header, then for
 * each record.  Stores the first cap records into keep (NULL: none) and
 * copies the header into h (NULL: not).  Returns the number of records,
 * or -1 when opening or reading failed.
 */
static inline long fuzz_check_read(const char *path,
				   const struct mw_read_opts *o, size_t batch,
				   bool (*ok)(const struct mw_access *a,
					      const struct mw_trace_header *h,
					      const struct mw_read_opts *o),
				   struct mw_access *keep, long cap,
				   struct mw_trace_header *h)
{
	static struct mw_access buf[FUZZ_BATCH_MAX];
	struct mw_diag d;
	struct mw_stream *s = mw_trace_open(path, o, &d);
	const struct mw_trace_header *sh;
	long n, i, total = 0;

	if (!s) {
		if (!d.msg[0])
			abort();
		return -1;
	}
	if (batch == 0 || batch > FUZZ_BATCH_MAX)
		abort();
	sh = mw_stream_header(s);
	if (ok && !ok(NULL, sh, o))
		abort();
	while ((n = mw_stream_read(s, buf, batch)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i].size == 0 || (ok && !ok(&buf[i], sh, o)))
				abort();
			if (keep && total + i < cap)
				keep[total + i] = buf[i];
		}
		total += n;
	}
	if (n < 0 && !mw_stream_diag(s)->msg[0])
		abort();
	if (h && mw_header_copy(h, sh))
		abort();
	mw_stream_destroy(s);
	return n < 0 ? -1 : total;
}

#endif
