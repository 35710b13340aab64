/*
 * input.c - buffered reading through zlib's gz layer.
 *
 * Notes:
 *  - gzopen reads plain files transparently, so one path serves .txt and
 *    .txt.gz; standard input is wrapped with gzdopen on a duplicate of fd 0.
 *  - A truncated gzip member shows up only in gzerror after the last read,
 *    so every short read checks it: a cut .gz file is an error, not a
 *    silently shorter trace.
 *  - The buffer grows to hold the longest line seen, up to
 *    MW_INPUT_MAX_LINE, so memory is bounded whatever the input.
 */
#include "traces/input.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (256u * 1024)

struct mw_input {
	gzFile gz;
	char *name;	   /* owned */
	char *buf;	   /* owned, cap + 1 bytes (room for a NUL) */
	size_t cap;	   /* allocated bytes, excluding the NUL slot */
	size_t start;	   /* first unconsumed byte */
	size_t end;	   /* one past the last valid byte */
	bool eof;	   /* gzread has reported the end */
	bool compressed;   /* gzip member detected */
	uint64_t size;	   /* on-disk bytes, 0 = unknown */
	uint64_t consumed; /* bytes handed out */
	uint64_t lineno;   /* lines handed out */
};

struct mw_input *mw_input_open(const char *path, struct mw_diag *d)
{
	struct mw_input *in = mw_calloc(1, sizeof(*in));
	struct stat st;
	int fd;

	if (!in)
		goto out_nomem;
	in->name = mw_strdup(strcmp(path, "-") ? path : "<stdin>");
	in->cap = CHUNK;
	in->buf = mw_malloc(in->cap + 1);
	if (!in->name || !in->buf)
		goto out_nomem;
	if (!strcmp(path, "-"))
		fd = dup(0);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mw_diag_set(d, MW_EIO, in->name, 0, "cannot open: %s",
			    strerror(errno));
		goto out_free;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		mw_diag_set(d, MW_EIO, in->name, 0, "is a directory");
		goto out_free;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		in->size = (uint64_t)st.st_size;
	in->gz = gzdopen(fd, "rb");
	if (!in->gz) {
		close(fd);
		goto out_nomem;
	}
	gzbuffer(in->gz, CHUNK);
	return in;

out_nomem:
	mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory opening input");
out_free:
	mw_input_close(in);
	return NULL;
}

const char *mw_input_name(const struct mw_input *in)
{
	return in->name;
}

bool mw_input_compressed(const struct mw_input *in)
{
	return in->compressed;
}

uint64_t mw_input_file_size(const struct mw_input *in)
{
	return in->size;
}

/*
 * One gzread into dst, with the error checks every read needs.  Returns
 * the bytes read (0 at the end) or an error with d filled.
 */
static long gz_read_checked(struct mw_input *in, char *dst, size_t want,
			    struct mw_diag *d)
{
	int got, errnum;
	const char *msg;

	if (in->eof)
		return 0;
	if (want > INT_MAX)
		want = INT_MAX;
	got = gzread(in->gz, dst, (unsigned)want);
	if (!gzdirect(in->gz))
		in->compressed = true;
	msg = gzerror(in->gz, &errnum);
	if (got < 0 || (errnum != Z_OK && errnum != Z_BUF_ERROR))
		return mw_diag_set_offset(
			d, MW_EIO, in->name, in->consumed, "read failed: %s",
			errnum == Z_ERRNO ? strerror(errno) : msg);
	if (errnum == Z_BUF_ERROR)
		return mw_diag_set_offset(d, MW_ETRUNC, in->name,
					  in->consumed + (in->end - in->start) +
						  (size_t)got,
					  "compressed data ends unexpectedly "
					  "(truncated gzip file)");
	if (got == 0)
		in->eof = true;
	return got;
}

/* Reads more bytes after in->end; returns bytes added, 0 at end, or error. */
static long fill(struct mw_input *in, struct mw_diag *d)
{
	long got = gz_read_checked(in, in->buf + in->end, in->cap - in->end, d);

	if (got > 0)
		in->end += (size_t)got;
	return got;
}

/* Moves unconsumed bytes to the front of the buffer. */
static void compact(struct mw_input *in)
{
	if (in->start == 0)
		return;
	memmove(in->buf, in->buf + in->start, in->end - in->start);
	in->end -= in->start;
	in->start = 0;
}

static int grow(struct mw_input *in)
{
	size_t ncap = in->cap * 2;
	char *nb;

	if (ncap > MW_INPUT_MAX_LINE + CHUNK)
		ncap = MW_INPUT_MAX_LINE + CHUNK;
	if (ncap <= in->cap)
		return MW_ERANGE;
	nb = mw_reallocarray(in->buf, ncap + 1, 1);
	if (!nb)
		return MW_ENOMEM;
	in->buf = nb;
	in->cap = ncap;
	return 0;
}

int mw_input_peek(struct mw_input *in, const char **p, size_t *n,
		  struct mw_diag *d)
{
	while (in->end - in->start < MW_INPUT_PEEK && !in->eof) {
		long got;

		if (in->cap - in->end < MW_INPUT_PEEK)
			compact(in);
		got = fill(in, d);
		if (got < 0)
			return (int)got;
		if (got == 0)
			break;
	}
	*p = in->buf + in->start;
	*n = in->end - in->start;
	if (*n > MW_INPUT_PEEK)
		*n = MW_INPUT_PEEK;
	return 0;
}

int mw_input_getline(struct mw_input *in, char **line, size_t *len,
		     struct mw_diag *d)
{
	size_t scanned = 0;

	for (;;) {
		char *s = in->buf + in->start;
		size_t avail = in->end - in->start;
		char *nl = memchr(s + scanned, '\n', avail - scanned);
		long got;

		if (nl || (in->eof && avail)) {
			size_t l = nl ? (size_t)(nl - s) : avail;

			in->start += nl ? l + 1 : l;
			in->consumed += nl ? l + 1 : l;
			if (l && s[l - 1] == '\r')
				l--;
			s[l] = '\0';
			*line = s;
			*len = l;
			in->lineno++;
			return 1;
		}
		if (in->eof)
			return 0;
		scanned = avail;
		if (avail >= MW_INPUT_MAX_LINE)
			return mw_diag_set(d, MW_EPARSE, in->name,
					   in->lineno + 1,
					   "line longer than %u bytes",
					   MW_INPUT_MAX_LINE);
		compact(in);
		if (in->end == in->cap) {
			int err = grow(in);

			if (err)
				return mw_diag_set(d, err, in->name,
						   in->lineno + 1,
						   "cannot buffer a line: %s",
						   mw_strerror(err));
		}
		got = fill(in, d);
		if (got < 0)
			return (int)got;
	}
}

uint64_t mw_input_lineno(const struct mw_input *in)
{
	return in->lineno;
}

long mw_input_read(struct mw_input *in, void *buf, size_t n, struct mw_diag *d)
{
	char *out = buf;
	size_t done = 0;

	while (done < n) {
		size_t avail = in->end - in->start;

		if (avail) {
			size_t take = avail < n - done ? avail : n - done;

			memcpy(out + done, in->buf + in->start, take);
			in->start += take;
			in->consumed += take;
			done += take;
			continue;
		}
		in->start = in->end = 0;
		if (n - done >= in->cap) {
			/* Large reads go straight to the caller's buffer. */
			long got = gz_read_checked(in, out + done, n - done, d);

			if (got < 0)
				return got;
			if (got == 0)
				break;
			in->consumed += (size_t)got;
			done += (size_t)got;
			continue;
		}
		{
			long got = fill(in, d);

			if (got < 0)
				return got;
			if (got == 0)
				break;
		}
	}
	return (long)done;
}

uint64_t mw_input_offset(const struct mw_input *in)
{
	return in->consumed;
}

void mw_input_close(struct mw_input *in)
{
	if (!in)
		return;
	if (in->gz)
		gzclose(in->gz);
	mw_free(in->buf);
	mw_free(in->name);
	mw_free(in);
}
