/*
 * helpers.c - shared test helpers (see helpers.h).
 */
#include "tests/helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

char *th_temp_path(const char *suffix)
{
	size_t n = strlen(suffix) + 64;
	char *p = malloc(n);
	int fd;

	snprintf(p, n, "/tmp/memwall-test-XXXXXX%s", suffix);
	fd = mkstemps(p, (int)strlen(suffix));
	if (fd < 0) {
		free(p);
		return NULL;
	}
	close(fd);
	unlink(p);
	return p;
}

char *th_temp_file(const char *suffix, const void *data, size_t len)
{
	char *p = th_temp_path(suffix);
	FILE *f = p ? fopen(p, "wb") : NULL;

	if (!f) {
		free(p);
		return NULL;
	}
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
	return p;
}

char *th_temp_gz(const char *suffix, const void *data, size_t len)
{
	char *p = th_temp_path(suffix);
	gzFile gz = p ? gzopen(p, "wb6") : NULL;

	if (!gz) {
		free(p);
		return NULL;
	}
	if (len)
		gzwrite(gz, data, (unsigned)len);
	gzclose(gz);
	return p;
}

void th_remove(char *path)
{
	if (!path)
		return;
	unlink(path);
	free(path);
}

char *th_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

long th_drain(struct mw_stream *s, struct mw_access **recs)
{
	size_t n = 0, cap = 1024;
	struct mw_access *v = malloc(cap * sizeof(*v));
	long got;

	for (;;) {
		if (n + 1000 > cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
		}
		/* odd batch sizes exercise partial-block reads */
		got = mw_stream_read(s, v + n, 997);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	if (got < 0) {
		free(v);
		*recs = NULL;
		return got;
	}
	*recs = v;
	return (long)n;
}

long th_read_all(const char *path, const struct mw_read_opts *o,
		 struct mw_access **recs, struct mw_diag *d)
{
	struct mw_stream *s = mw_trace_open(path, o, d);
	long n;

	*recs = NULL;
	if (!s)
		return d->code ? d->code : MW_EIO;
	n = th_drain(s, recs);
	if (n < 0)
		*d = *mw_stream_diag(s);
	mw_stream_destroy(s);
	return n;
}

int th_write_all(const char *path, const char *format,
		 const struct mw_trace_header *h, const struct mw_access *recs,
		 size_t n, struct mw_diag *d)
{
	struct mw_write_opts o = {format, 0, 0};
	struct mw_writer *w = mw_trace_create(path, h, &o, d);
	size_t i;
	int err;

	if (!w)
		return d->code;
	/* uneven chunks exercise the writers' buffering */
	for (i = 0; i < n; i += 333) {
		size_t k = n - i < 333 ? n - i : 333;

		err = mw_writer_write(w, recs + i, k, d);
		if (err) {
			mw_writer_abort(w);
			return err;
		}
	}
	return mw_writer_commit(w, d);
}

void th_random_records(struct mw_rng *rng, struct mw_access *out, size_t n,
		       uint32_t units, uint32_t ntensors)
{
	uint64_t streams[8];
	size_t i;
	int k;

	for (k = 0; k < 8; k++)
		streams[k] = mw_rng_next(rng);
	for (i = 0; i < n; i++) {
		struct mw_access *r = &out[i];
		uint64_t pick = mw_rng_below(rng, 10);

		if (pick < 6) {
			k = (int)mw_rng_below(rng, 8);
			streams[k] += 64;
			r->addr = streams[k];
		} else if (pick < 8) {
			r->addr = mw_rng_next(rng);
		} else {
			r->addr = mw_rng_below(rng, 1ull << 40);
		}
		r->size = (uint32_t)(1 + mw_rng_below(rng, 256));
		r->unit = (uint16_t)mw_rng_below(rng, units);
		r->op = (uint8_t)mw_rng_below(rng, MW_OP_COUNT);
		r->tensor = (uint8_t)mw_rng_below(rng, ntensors + 1);
	}
}
