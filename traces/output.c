/*
 * output.c - buffered, optionally gzip-compressed, atomically renamed
 * output files.
 *
 * Notes:
 *  - The temporary file is created with mkstemp in the target's directory
 *    so the final rename stays within one file system (atomic).
 *  - Its mode is widened to 0666 & ~umask before the rename, as a file
 *    created by open() would have been.
 *  - Standard output cannot be undone: abort on "-" just stops writing.
 */
#include "traces/output.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define OUT_BUF		(256u * 1024)
#define OUT_RESERVE_MAX (64u * 1024)

struct mw_output {
	char *path;	/* owned: target, or "<stdout>" */
	char *tmp;	/* owned: temporary path, NULL for stdout */
	int fd;		/* -1 once handed to gz */
	gzFile gz;	/* NULL when not compressing */
	char *buf;	/* owned, OUT_BUF bytes */
	size_t used;	/* bytes in buf */
	uint64_t total; /* bytes accepted */
};

bool mw_path_is_gz(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && !strcmp(path + n - 3, ".gz");
}

struct mw_output *mw_output_create(const char *path, bool gzip,
				   struct mw_diag *d)
{
	struct mw_output *out = mw_calloc(1, sizeof(*out));
	bool std = !strcmp(path, "-");

	if (!out)
		goto out_nomem;
	out->fd = -1;
	out->path = mw_strdup(std ? "<stdout>" : path);
	out->buf = mw_malloc(OUT_BUF);
	if (!out->path || !out->buf)
		goto out_nomem;
	if (std) {
		out->fd = dup(1);
	} else {
		size_t n = strlen(path);

		out->tmp = mw_malloc(n + sizeof(".tmp.XXXXXX"));
		if (!out->tmp)
			goto out_nomem;
		memcpy(out->tmp, path, n);
		memcpy(out->tmp + n, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
		out->fd = mkstemp(out->tmp);
		if (out->fd < 0) {
			mw_free(out->tmp);
			out->tmp = NULL;
		}
	}
	if (out->fd < 0) {
		mw_diag_set(d, MW_EIO, path, 0, "cannot create: %s",
			    strerror(errno));
		goto out_free;
	}
	if (gzip) {
		out->gz = gzdopen(out->fd, "wb6");
		if (!out->gz)
			goto out_nomem;
		out->fd = -1;
		gzbuffer(out->gz, OUT_BUF);
	}
	return out;

out_nomem:
	mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory creating output");
out_free:
	mw_output_abort(out);
	return NULL;
}

static int write_all(struct mw_output *out, const char *p, size_t n,
		     struct mw_diag *d)
{
	while (n) {
		size_t chunk = n > INT_MAX ? INT_MAX : n;
		long w;

		if (out->gz) {
			int errnum;

			w = gzwrite(out->gz, p, (unsigned)chunk);
			if (w <= 0)
				return mw_diag_set(d, MW_EIO, out->path, 0,
						   "write failed: %s",
						   gzerror(out->gz, &errnum));
		} else {
			w = write(out->fd, p, chunk);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return mw_diag_set(d, MW_EIO, out->path, 0,
						   "write failed: %s",
						   strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(struct mw_output *out, struct mw_diag *d)
{
	int err = write_all(out, out->buf, out->used, d);

	out->used = 0;
	return err;
}

int mw_output_write(struct mw_output *out, const void *p, size_t n,
		    struct mw_diag *d)
{
	if (out->used + n > OUT_BUF) {
		int err = flush(out, d);

		if (err)
			return err;
		if (n > OUT_BUF / 2) {
			out->total += n;
			return write_all(out, p, n, d);
		}
	}
	memcpy(out->buf + out->used, p, n);
	out->used += n;
	out->total += n;
	return 0;
}

char *mw_output_reserve(struct mw_output *out, size_t n, struct mw_diag *d)
{
	if (n > OUT_RESERVE_MAX) {
		mw_diag_set(d, MW_EINVAL, out->path, 0, "reserve too large");
		return NULL;
	}
	if (out->used + n > OUT_BUF && flush(out, d))
		return NULL;
	return out->buf + out->used;
}

void mw_output_advance(struct mw_output *out, size_t n)
{
	out->used += n;
	out->total += n;
}

uint64_t mw_output_offset(const struct mw_output *out)
{
	return out->total;
}

const char *mw_output_name(const struct mw_output *out)
{
	return out->path;
}

/* Closes the descriptor or gz stream; returns 0 or an error. */
static int close_file(struct mw_output *out, struct mw_diag *d)
{
	int err = 0;

	if (out->gz) {
		int zerr = gzclose(out->gz);

		out->gz = NULL;
		if (zerr != Z_OK)
			err = mw_diag_set(d, MW_EIO, out->path, 0,
					  "closing compressed output failed");
	}
	if (out->fd >= 0) {
		if (close(out->fd) && !err)
			err = mw_diag_set(d, MW_EIO, out->path, 0,
					  "close failed: %s", strerror(errno));
		out->fd = -1;
	}
	return err;
}

static void free_output(struct mw_output *out)
{
	mw_free(out->buf);
	mw_free(out->tmp);
	mw_free(out->path);
	mw_free(out);
}

int mw_output_commit(struct mw_output *out, struct mw_diag *d)
{
	int err = flush(out, d);
	int cerr = close_file(out, d);

	if (!err)
		err = cerr;
	if (!err && out->tmp) {
		mode_t mask = umask(0);

		umask(mask);
		chmod(out->tmp, 0666 & ~mask);
		if (rename(out->tmp, out->path))
			err = mw_diag_set(d, MW_EIO, out->path, 0,
					  "cannot rename %s into place: %s",
					  out->tmp, strerror(errno));
	}
	if (err && out->tmp)
		unlink(out->tmp);
	free_output(out);
	return err;
}

void mw_output_abort(struct mw_output *out)
{
	if (!out)
		return;
	close_file(out, NULL);
	if (out->tmp)
		unlink(out->tmp);
	free_output(out);
}
