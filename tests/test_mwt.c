/*
 * test_mwt.c - the native trace format: codec, file structure, errors.
 */
#include "common/alloc.h"
#include "tests/helpers.h"
#include "traces/mwt_codec.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void header_with_tensors(struct mw_trace_header *h, unsigned n,
				uint32_t units)
{
	unsigned i;

	mw_header_init(h);
	h->units = units;
	for (i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "tensor_%u", i);
		cr_assert_eq(mw_header_add_tensor(h, name, 0x1000ull * i,
						  4096 + i),
			     (int)i + 1);
	}
	mw_header_set_provenance(h, "test: gemm m=1 n=2 k=3");
}

/* Writes recs with small blocks, reads them back, compares everything. */
static void round_trip(const struct mw_access *recs, size_t n, uint32_t block,
		       uint32_t units, unsigned ntensors)
{
	struct mw_trace_header h;
	struct mw_write_opts wo = {"mwt", 0, block};
	struct mw_writer *w;
	struct mw_stream *s;
	struct mw_access *got;
	struct mw_diag d;
	char *path = th_temp_path(".mwt");
	const struct mw_trace_header *rh;
	long k;
	unsigned i;

	header_with_tensors(&h, ntensors, units);
	w = mw_trace_create(path, &h, &wo, &d);
	cr_assert_not_null(w, "%s", d.msg);
	for (i = 0; i < n; i += 1000)
		cr_assert_eq(mw_writer_write(w, recs + i,
					     n - i < 1000 ? n - i : 1000, &d),
			     0, "%s", d.msg);
	cr_assert_eq(mw_writer_commit(w, &d), 0, "%s", d.msg);
	s = mw_trace_open(path, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	rh = mw_stream_header(s);
	cr_assert_str_eq(rh->format, "mwt");
	cr_assert_eq(rh->units, units);
	cr_assert_eq(rh->ntensors, ntensors);
	for (i = 1; i <= ntensors; i++) {
		cr_assert_str_eq(rh->tensors[i].name, h.tensors[i].name);
		cr_assert_eq(rh->tensors[i].base, h.tensors[i].base);
		cr_assert_eq(rh->tensors[i].bytes, h.tensors[i].bytes);
	}
	cr_assert_str_eq(rh->provenance, h.provenance);
	k = th_drain(s, &got);
	cr_assert_eq(k, (long)n, "read %ld of %zu records: %s", k, n,
		     mw_stream_diag(s)->msg);
	for (i = 0; i < n; i++)
		cr_assert(!memcmp(&got[i], &recs[i], sizeof(*got)),
			  "record %u differs", i);
	free(got);
	mw_stream_destroy(s);
	mw_header_free(&h);
	th_remove(path);
}

Test(mwt, round_trip_random_many_blocks)
{
	struct mw_rng rng;
	static struct mw_access recs[50000];

	mw_rng_seed(&rng, 1);
	th_random_records(&rng, recs, 50000, 132, 7);
	round_trip(recs, 50000, 1000, 132, 7);
	round_trip(recs, 50000, 65536, 132, 7);
	round_trip(recs, 4097, 1, 132, 7); /* one record per block */
	round_trip(recs, 1, 4096, 132, 7);
}

Test(mwt, empty_trace)
{
	round_trip(NULL, 0, 4096, 1, 0);
}

/* Every mode of the codec: predicted, repeats, steps, new streams, wraps. */
Test(mwt, codec_modes_and_extremes)
{
	static struct mw_access recs[20000];
	struct mw_rng rng;
	size_t i;

	mw_rng_seed(&rng, 2);
	for (i = 0; i < 20000; i++) {
		struct mw_access *r = &recs[i];
		uint64_t pick = mw_rng_below(&rng, 8);

		r->size = pick == 0 ? UINT32_MAX : 8;
		r->unit = (uint16_t)(i % 3 == 0 ? 65535 : 0);
		r->op = (uint8_t)(i % MW_OP_COUNT);
		r->tensor = (uint8_t)(i % 256);
		switch (pick) {
		case 0:
			r->addr = UINT64_MAX - mw_rng_below(&rng, 64);
			break;
		case 1:
			r->addr = i ? recs[i - 1].addr : 0; /* repeat */
			break;
		case 2:
			r->addr = (i ? recs[i - 1].addr : 0) - 4096; /* wraps */
			break;
		case 3:
			r->addr = mw_rng_next(&rng);
			break;
		case 4:
			r->addr = (1ull << 56) + mw_rng_below(&rng, 1u << 20);
			break;
		default:
			r->addr = 0x100000000ull + 64 * (i / 5);
			break;
		}
	}
	round_trip(recs, 20000, 3000, MW_UNITS_MAX, 255);
}

/* The codec alone: decode what encode wrote, with every batch size. */
Test(mwt, codec_direct)
{
	static struct mw_access recs[5000], out[5000];
	struct mwt_encoder e;
	struct mwt_decoder dec;
	struct mw_rng rng;
	const uint8_t *col[MWT_COLUMNS];
	uint8_t *padded[MWT_COLUMNS];
	size_t cap, got, c;

	mw_rng_seed(&rng, 3);
	th_random_records(&rng, recs, 5000, 16, 3);
	cr_assert_eq(mwt_encoder_init(&e, 5000), 0);
	mwt_encode(&e, recs, 5000);
	for (c = 0; c < MWT_COLUMNS; c++) {
		padded[c] = calloc(e.len[c] + MWT_PAD, 1);
		memcpy(padded[c], e.col[c], e.len[c]);
		col[c] = padded[c];
	}
	for (cap = 1; cap < 5000; cap = cap * 3 + 1) {
		mwt_decode_begin(&dec, col, e.len, 5000, 16, 3);
		for (got = 0; got < 5000;) {
			long n = mwt_decode(&dec, out + got, cap);

			cr_assert_gt(n, 0, "%s", dec.why);
			got += (size_t)n;
		}
		cr_assert_eq(mwt_decode(&dec, out, cap), 0);
		cr_assert_eq(mwt_decode_end(&dec), 0, "%s", dec.why);
		cr_assert(!memcmp(out, recs, sizeof(recs)));
	}
	/* a unit beyond the stated count is refused */
	mwt_decode_begin(&dec, col, e.len, 5000, 15, 3);
	for (got = 0;;) {
		long n = mwt_decode(&dec, out, 5000);

		if (n <= 0) {
			cr_assert_eq(n, MW_ECORRUPT);
			break;
		}
		got += (size_t)n;
	}
	/* a delta column cut short is refused */
	mwt_decode_begin(&dec, col,
			 (size_t[]){e.len[0], e.len[1] / 2, e.len[2], e.len[3],
				    e.len[4], e.len[5]},
			 5000, 16, 3);
	cr_assert_eq(mwt_decode(&dec, out, 5000), MW_ECORRUPT);
	for (c = 0; c < MWT_COLUMNS; c++)
		free(padded[c]);
	mwt_encoder_fini(&e);
}

static char *write_sample(size_t n, uint32_t block, struct mw_access **recs)
{
	struct mw_trace_header h;
	struct mw_rng rng;
	struct mw_diag d;
	char *path = th_temp_path(".mwt");
	struct mw_write_opts wo = {"mwt", 0, block};
	struct mw_writer *w;

	*recs = calloc(n ? n : 1, sizeof(**recs));
	mw_rng_seed(&rng, 9);
	th_random_records(&rng, *recs, n, 4, 2);
	header_with_tensors(&h, 2, 4);
	w = mw_trace_create(path, &h, &wo, &d);
	cr_assert_not_null(w);
	cr_assert_eq(mw_writer_write(w, *recs, n, &d), 0);
	cr_assert_eq(mw_writer_commit(w, &d), 0);
	mw_header_free(&h);
	return path;
}

/* Every proper prefix of a file is reported as truncated, with an offset. */
Test(mwt, truncated_everywhere)
{
	struct mw_access *recs, *got;
	size_t len, cut;
	char *path = write_sample(300, 64, &recs);
	char *data = th_slurp(path, &len);

	for (cut = 0; cut < len; cut++) {
		char *p = th_temp_file(".mwt", data, cut);
		struct mw_diag d;
		long n;

		mw_diag_clear(&d);
		n = th_read_all(p, &(struct mw_read_opts){.format = "mwt"},
				&got, &d);
		cr_assert_lt(n, 0, "prefix of %zu bytes read as complete", cut);
		cr_assert(d.code == MW_ETRUNC, "cut %zu: %s", cut, d.msg);
		cr_assert(strstr(d.msg, "truncated"), "cut %zu: %s", cut,
			  d.msg);
		free(got);
		th_remove(p);
	}
	free(data);
	free(recs);
	th_remove(path);
}

/* Every single-bit flip anywhere in a file is detected. */
Test(mwt, every_bit_flip_detected)
{
	struct mw_access *recs, *got;
	size_t len, at;
	char *path = write_sample(200, 50, &recs);
	char *data = th_slurp(path, &len);
	int bit;

	for (at = 0; at < len; at++) {
		for (bit = 0; bit < 8; bit += 3) {
			char *p;
			struct mw_diag d;
			long n;

			data[at] ^= (char)(1 << bit);
			p = th_temp_file(".mwt", data, len);
			mw_diag_clear(&d);
			n = th_read_all(p, NULL, &got, &d);
			cr_assert_lt(n, 0, "flip at byte %zu bit %d undetected",
				     at, bit);
			free(got);
			th_remove(p);
			data[at] ^= (char)(1 << bit);
		}
	}
	free(data);
	free(recs);
	th_remove(path);
}

struct damage {
	int count;
	char last[300];
};

static void on_damage(void *ctx, const struct mw_diag *d)
{
	struct damage *dm = ctx;
	char buf[600];

	dm->count++;
	snprintf(dm->last, sizeof(dm->last), "%s",
		 mw_diag_format(d, buf, sizeof(buf)));
}

/* A damaged block is reported with its number and offset and skipped. */
Test(mwt, damaged_block_skipped_on_request)
{
	struct mw_access *recs, *got;
	size_t len;
	char *path = write_sample(1000, 100, &recs);
	char *data = th_slurp(path, &len);
	struct damage dm = {0, ""};
	struct mw_read_opts o = {.on_damage = on_damage, .damage_ctx = &dm};
	struct mw_diag d;
	char *p, *blk = data;
	long n;
	int i;

	/* damage the payload of the fourth block */
	for (i = 0; i < 4; i++) {
		blk = memmem(blk + 1, len - (size_t)(blk + 1 - data), "MWBK",
			     4);
		cr_assert_not_null(blk);
	}
	blk[40] ^= 0x10;
	p = th_temp_file(".mwt", data, len);
	n = th_read_all(p, NULL, &got, &d);
	cr_assert_eq(n, MW_ECORRUPT);
	cr_assert(strstr(d.msg, "block"), "%s", d.msg);
	cr_assert_neq(d.offset, UINT64_MAX);
	free(got);
	n = th_read_all(p, &o, &got, &d);
	cr_assert_eq(n, 900, "%ld records, %s", n, d.msg);
	cr_assert_eq(dm.count, 1);
	cr_assert(strstr(dm.last, "checksum"), "%s", dm.last);
	free(got);
	th_remove(p);
	free(data);
	free(recs);
	th_remove(path);
}

/* The block columns are standard raw DEFLATE: zlib inflates them. */
Test(mwt, columns_inflate_with_zlib)
{
	struct mw_access *recs;
	size_t len, off, checked = 0;
	char *path = write_sample(20000, 20000, &recs);
	unsigned char *f = (unsigned char *)th_slurp(path, &len);
	uint32_t hlen;
	int c;

	memcpy(&hlen, f + 12, 4);
	off = 16 + hlen;
	cr_assert(!memcmp(f + off, "MWBK", 4));
	{
		unsigned char *dir = f + off + 16, *src = dir + 6 * 9;

		for (c = 0; c < MWT_COLUMNS; c++, dir += 9) {
			uint32_t raw, stored;

			memcpy(&raw, dir + 1, 4);
			memcpy(&stored, dir + 5, 4);
			if (dir[0] == 1) {
				z_stream zs;
				unsigned char *out = malloc(raw + 1);

				memset(&zs, 0, sizeof(zs));
				cr_assert_eq(inflateInit2(&zs, -15), Z_OK);
				zs.next_in = src;
				zs.avail_in = stored;
				zs.next_out = out;
				zs.avail_out = raw + 1;
				cr_assert_eq(inflate(&zs, Z_FINISH),
					     Z_STREAM_END);
				cr_assert_eq(zs.total_out, raw);
				inflateEnd(&zs);
				free(out);
				checked++;
			}
			src += stored;
		}
	}
	cr_assert_gt(checked, 0, "no deflated column to check");
	free(f);
	free(recs);
	th_remove(path);
}

Test(mwt, version_and_magic)
{
	struct mw_access *recs, *got;
	size_t len;
	char *path = write_sample(10, 10, &recs);
	char *data = th_slurp(path, &len);
	struct mw_diag d;
	char *p;

	data[8] = 2; /* version 2 */
	p = th_temp_file(".mwt", data, len);
	cr_assert_eq(th_read_all(p, NULL, &got, &d), MW_EVERSION);
	cr_assert(strstr(d.msg, "version 2"), "%s", d.msg);
	th_remove(p);
	data[8] = 1;
	data[1] = 'X';
	p = th_temp_file(".mwt", data, len);
	cr_assert_lt(th_read_all(p, &(struct mw_read_opts){.format = "mwt"},
				 &got, &d),
		     0);
	cr_assert(strstr(d.msg, "magic"), "%s", d.msg);
	th_remove(p);
	free(data);
	free(recs);
	th_remove(path);
}

/* Detected by content whatever the name; read through gzip and stdin. */
Test(mwt, detection_gzip_stdin)
{
	struct mw_access *recs, *got;
	size_t len;
	char *path = write_sample(5000, 1000, &recs);
	char *data = th_slurp(path, &len);
	char *odd = th_temp_file(".bin", data, len);
	char *gz = th_temp_gz(".mwt.gz", data, len);
	struct mw_diag d;
	int fd;

	cr_assert_eq(th_read_all(odd, NULL, &got, &d), 5000);
	cr_assert(!memcmp(got, recs, 5000 * sizeof(*got)));
	free(got);
	cr_assert_eq(th_read_all(gz, NULL, &got, &d), 5000);
	cr_assert(!memcmp(got, recs, 5000 * sizeof(*got)));
	free(got);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	dup2(fd, 0);
	close(fd);
	cr_assert_eq(th_read_all("-", NULL, &got, &d), 5000, "%s", d.msg);
	cr_assert(!memcmp(got, recs, 5000 * sizeof(*got)));
	free(got);
	th_remove(odd);
	th_remove(gz);
	free(data);
	free(recs);
	th_remove(path);
}

/* The writer refuses records the header cannot describe. */
Test(mwt, writer_validates_records)
{
	struct mw_trace_header h;
	struct mw_access r = {0x1000, 8, 0, MW_OP_READ, 0};
	struct mw_diag d;
	char *path = th_temp_path(".mwt");
	struct mw_writer *w;

	header_with_tensors(&h, 1, 2);
	w = mw_trace_create(path, &h, NULL, &d);
	cr_assert_not_null(w);
	cr_assert_eq(mw_writer_write(w, &r, 1, &d), 0);
	r.unit = 2;
	cr_assert_eq(mw_writer_write(w, &r, 1, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "unit"), "%s", d.msg);
	r.unit = 0;
	r.tensor = 2;
	cr_assert_eq(mw_writer_write(w, &r, 1, &d), MW_EINVAL);
	r.tensor = 0;
	r.size = 0;
	cr_assert_eq(mw_writer_write(w, &r, 1, &d), MW_EINVAL);
	mw_writer_abort(w);
	cr_assert_neq(access(path, F_OK), 0, "aborted output exists");
	mw_header_free(&h);
	th_remove(path);
}

/* An output appears only on commit and replaces the old file then. */
Test(mwt, output_is_atomic)
{
	struct mw_trace_header h;
	struct mw_access r = {0x1000, 8, 0, MW_OP_READ, 0};
	struct mw_diag d;
	char *path = th_temp_file(".mwt", "old", 3);
	struct mw_writer *w;
	size_t len;
	char *data;

	mw_header_init(&h);
	w = mw_trace_create(path, &h, NULL, &d);
	cr_assert_not_null(w);
	cr_assert_eq(mw_writer_write(w, &r, 1, &d), 0);
	data = th_slurp(path, &len);
	cr_assert_eq(len, 3, "target changed before commit");
	free(data);
	cr_assert_eq(mw_writer_commit(w, &d), 0);
	data = th_slurp(path, &len);
	cr_assert_gt(len, 3);
	free(data);
	th_remove(path);
}

/* Allocation failures anywhere in writing and reading are errors, not crashes. */
Test(mwt, allocation_failures)
{
	struct mw_access *recs, *got;
	char *path = write_sample(500, 100, &recs);
	char *out = th_temp_path(".mwt");
	long k;

	for (k = 0; k < 40; k++) {
		struct mw_diag d;
		struct mw_stream *s;
		long n = -1;

		mw_alloc_fail_after(k);
		s = mw_trace_open(path, NULL, &d);
		if (s) {
			n = th_drain(s, &got);
			free(got);
			mw_stream_destroy(s);
		}
		mw_alloc_fail_after(-1);
		cr_assert(n == 500 || n < 0);
	}
	for (k = 0; k < 20; k++) {
		struct mw_trace_header h;
		struct mw_diag d;
		struct mw_writer *w;
		int err = -1;

		header_with_tensors(&h, 2, 4);
		mw_alloc_fail_after(k);
		w = mw_trace_create(out, &h, NULL, &d);
		if (w) {
			err = mw_writer_write(w, recs, 500, &d);
			err = err ? err : mw_writer_commit(w, &d);
			if (err)
				w = NULL;
		}
		mw_alloc_fail_after(-1);
		mw_header_free(&h);
		cr_assert(err == 0 || err < 0);
	}
	free(recs);
	th_remove(out);
	th_remove(path);
}
