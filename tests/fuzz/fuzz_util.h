/*
 * fuzz_util.h - helpers for the libFuzzer harnesses: readers take paths,
 * so each input is written to an anonymous memory file and opened by its
 * /proc/self/fd path.
 */
#ifndef MW_FUZZ_UTIL_H
#define MW_FUZZ_UTIL_H

#include "traces/format.h"

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
	struct mw_read_opts o = { .format = format, .units = 8 };
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

#endif
