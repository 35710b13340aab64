/*
 * test_pagemap.c - the page-mapping filter: bijection, offsets, splitting
 * at page boundaries, determinism per seed, errors.
 */
#include "tests/helpers.h"
#include "traces/pagemap.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define NSAMPLE 20000

/*
 * Page numbers below 2^20, just above 2^40 and anywhere in the width
 * (64 - shift bits: larger page numbers are no address).
 */
static uint64_t sample_page(struct mw_rng *r, unsigned shift, int i)
{
	uint64_t pn = mw_rng_next(r), width = (1ULL << (64 - shift)) - 1;

	if (i % 3 == 0)
		pn &= (1ULL << 20) - 1;
	else if (i % 3 == 1)
		pn = (1ULL << 40) + (pn & ((1ULL << 20) - 1));
	return pn & width;
}

Test(pagemap, bijection_inverse_offsets)
{
	static const uint64_t pages[] = {64, 4096, 2097152, 1ULL << 30};
	struct mw_diag d;

	for (unsigned k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
		struct mw_page_perm p;
		struct mw_u64set *in = mw_u64set_create(),
				 *out = mw_u64set_create();
		struct mw_rng r;
		unsigned shift = 0;

		while ((1ULL << shift) < pages[k])
			shift++;
		cr_assert_eq(mw_page_perm_init(&p, pages[k], 7 + k, &d), 0);
		mw_rng_seed(&r, 100 + k);
		for (int i = 0; i < NSAMPLE; i++) {
			uint64_t pn = sample_page(&r, shift, i);
			uint64_t off = mw_rng_next(&r) & (pages[k] - 1);
			mw_addr a = pn << shift | off, m;

			m = mw_page_perm_map(&p, a);
			cr_assert_eq(m & (pages[k] - 1), off);
			cr_assert_eq(mw_page_perm_unmap(&p, m), a);
			/* Distinct pages in, distinct frames out. */
			if (mw_u64set_add(in, pn) == 1)
				cr_assert_eq(mw_u64set_add(out, m >> shift), 1,
					     "page %llx collides",
					     (unsigned long long)pn);
		}
		cr_assert_eq(mw_u64set_count(in), mw_u64set_count(out));
		mw_u64set_destroy(in);
		mw_u64set_destroy(out);
	}
}

/*
 * With 2^48-byte pages the page number has 16 bits (and with 2^49, an odd
 * 15): every page number is mapped, and every frame must be hit once.
 */
Test(pagemap, full_permutation_small_width)
{
	static unsigned char seen[1 << 16];

	for (unsigned shift = 48; shift <= 49; shift++) {
		uint64_t top = 1ULL << (64 - shift);
		struct mw_page_perm p;
		struct mw_diag d;

		cr_assert_eq(mw_page_perm_init(&p, 1ULL << shift, 3, &d), 0);
		memset(seen, 0, sizeof(seen));
		for (uint64_t pn = 0; pn < top; pn++) {
			mw_addr m = mw_page_perm_map(&p, pn << shift | 5);

			cr_assert_eq(m & ((1ULL << shift) - 1), 5);
			seen[m >> shift]++;
		}
		for (uint64_t f = 0; f < top; f++)
			cr_assert_eq(seen[f], 1, "frame %llu hit %d times",
				     (unsigned long long)f, seen[f]);
	}
}

Test(pagemap, seeds_determinism_and_spread)
{
	struct mw_page_perm a, b, c;
	struct mw_diag d;
	int same_ab = 0, same_ac = 0, low_same = 0;

	cr_assert_eq(mw_page_perm_init(&a, 4096, 1, &d), 0);
	cr_assert_eq(mw_page_perm_init(&b, 4096, 1, &d), 0);
	cr_assert_eq(mw_page_perm_init(&c, 4096, 2, &d), 0);
	for (uint64_t pn = 0; pn < 4096; pn++) {
		mw_addr x = mw_page_perm_map(&a, pn << 12);

		same_ab += x == mw_page_perm_map(&b, pn << 12);
		same_ac += x == mw_page_perm_map(&c, pn << 12);
		/* 9 colour bits above the page (2 MiB 16-way L2) */
		low_same += ((x >> 12) & 511) == (pn & 511);
	}
	cr_assert_eq(same_ab, 4096);
	cr_assert_lt(same_ac, 8);
	cr_assert_lt(low_same, 64, "colours not scrambled (%d)", low_same);
}

Test(pagemap, errors)
{
	struct mw_page_perm p;
	struct mw_diag d;
	static const uint64_t bad[] = {0, 1, 32, 63, 100, 4095, 4097, 6144};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mw_diag_clear(&d);
		cr_assert_eq(mw_page_perm_init(&p, bad[i], 1, &d), MW_EINVAL);
		cr_assert_eq(d.code, MW_EINVAL);
	}
	cr_assert_eq(mw_page_perm_init(&p, 64, 1, &d), 0);
}

/* A stream through the filter against a naive per-byte mapping. */
Test(pagemap, stream_splits_and_conserves_bytes)
{
	enum {
		N = 3000,
		PAGE = 256
	};
	struct mw_access *recs = calloc(N, sizeof(*recs)), *got;
	struct mw_trace_header h;
	struct mw_page_perm p;
	struct mw_diag d;
	struct mw_stream *s;
	char *trace = th_temp_path(".mwt");
	struct mw_rng r;
	uint64_t in_bytes = 0, out_bytes = 0, want_n = 0;
	long n, j = 0;

	mw_rng_seed(&r, 42);
	for (int i = 0; i < N; i++) {
		recs[i].addr = (mw_rng_next(&r) & 0xffffff) |
			       (i % 5 == 0 ? 1ULL << 44 : 0);
		recs[i].size =
			(uint32_t)(1 + mw_rng_below(&r, i % 7 ? 64 : 1000));
		recs[i].unit = (uint16_t)(i % 3);
		recs[i].op = (uint8_t)(i % 2);
		in_bytes += recs[i].size;
		want_n += ((recs[i].addr + recs[i].size - 1) / PAGE) -
			  recs[i].addr / PAGE + 1;
	}
	mw_header_init(&h);
	h.units = 3;
	mw_header_add_tensor(&h, "T", 0x1000, 8192);
	mw_header_set_provenance(&h, "test");
	cr_assert_eq(th_write_all(trace, "mwt", &h, recs, N, &d), 0);
	s = mw_trace_open(trace, NULL, &d);
	cr_assert_not_null(s);
	s = mw_stream_page_map(s, PAGE, 9, &d);
	cr_assert_not_null(s);
	cr_assert_eq(mw_stream_header(s)->ntensors, 1);
	cr_assert_eq(mw_stream_header(s)->tensors[1].base, 0x1000);
	cr_assert_eq(mw_stream_header(s)->units, 3);
	cr_assert_not_null(strstr(mw_stream_header(s)->provenance, "page-map "
								   "256:9"));
	n = th_drain(s, &got);
	cr_assert_eq((uint64_t)n, want_n);
	cr_assert_eq(mw_page_perm_init(&p, PAGE, 9, &d), 0);
	for (int i = 0; i < N; i++) {
		mw_addr a = recs[i].addr;
		uint32_t left = recs[i].size;

		while (left) {
			uint32_t piece = PAGE - (uint32_t)(a % PAGE);

			if (piece > left)
				piece = left;
			cr_assert_lt(j, n);
			cr_assert_eq(got[j].addr, mw_page_perm_map(&p, a));
			cr_assert_eq(got[j].size, piece);
			cr_assert_eq(got[j].unit, recs[i].unit);
			cr_assert_eq(got[j].op, recs[i].op);
			/* Never crosses a page. */
			cr_assert_eq(got[j].addr / PAGE,
				     (got[j].addr + got[j].size - 1) / PAGE);
			out_bytes += got[j].size;
			a += piece;
			left -= piece;
			j++;
		}
	}
	cr_assert_eq(j, n);
	cr_assert_eq(out_bytes, in_bytes);
	free(got);
	free(recs);
	mw_stream_destroy(s);
	mw_header_free(&h);
	th_remove(trace);
}

Test(pagemap, stream_bad_page_size)
{
	struct mw_trace_header h;
	struct mw_access rec = {.addr = 64, .size = 4};
	struct mw_diag d;
	char *trace = th_temp_path(".mwt");
	struct mw_stream *s;

	mw_header_init(&h);
	cr_assert_eq(th_write_all(trace, "mwt", &h, &rec, 1, &d), 0);
	s = mw_trace_open(trace, NULL, &d);
	cr_assert_not_null(s);
	cr_assert_null(mw_stream_page_map(s, 3000, 1, &d));
	cr_assert_eq(d.code, MW_EINVAL);
	mw_header_free(&h);
	th_remove(trace);
}
