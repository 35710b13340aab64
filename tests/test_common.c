/*
 * test_common.c - common/: units, hashing, results, errors, allocation.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/hash.h"
#include "common/results.h"
#include "common/units.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

Test(units, sizes)
{
	uint64_t v;

	cr_assert_eq(mw_parse_size("128", &v), 0);
	cr_assert_eq(v, 128);
	cr_assert_eq(mw_parse_size("128B", &v), 0);
	cr_assert_eq(v, 128);
	cr_assert_eq(mw_parse_size("48KiB", &v), 0);
	cr_assert_eq(v, 48 * 1024);
	cr_assert_eq(mw_parse_size("50MiB", &v), 0);
	cr_assert_eq(v, 50ull << 20);
	cr_assert_eq(mw_parse_size("50 MB", &v), 0);
	cr_assert_eq(v, 50ull << 20);
	cr_assert_eq(mw_parse_size("1.5GiB", &v), 0);
	cr_assert_eq(v, 3ull << 29);
	cr_assert_eq(mw_parse_size("260mib", &v), 0);
	cr_assert_eq(v, 260ull << 20);
	cr_assert_eq(mw_parse_size("1.3B", &v), MW_ERANGE);
	cr_assert_eq(mw_parse_size("-4K", &v), MW_ERANGE);
	cr_assert_eq(mw_parse_size("4 parsecs", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_size("", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_size("K", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_size("20EiB", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_size("99999999TiB", &v), MW_ERANGE);
}

Test(units, rates_freqs_times)
{
	double x;

	cr_assert_eq(mw_parse_rate("3.35TB/s", &x), 0);
	cr_assert_float_eq(x, 3.35e12, 1e3);
	cr_assert_eq(mw_parse_rate("6.4Gbps", &x), 0);
	cr_assert_float_eq(x, 0.8e9, 1);
	cr_assert_eq(mw_parse_rate("1GiB/s", &x), 0);
	cr_assert_float_eq(x, 1073741824.0, 1e-3);
	cr_assert_eq(mw_parse_rate("3.35 TB", &x), MW_EPARSE);
	cr_assert_eq(mw_parse_freq("1.98GHz", &x), 0);
	cr_assert_float_eq(x, 1.98e9, 1);
	cr_assert_eq(mw_parse_freq("2619 MHz", &x), 0);
	cr_assert_float_eq(x, 2.619e9, 1);
	cr_assert_eq(mw_parse_time("3.9us", &x), 0);
	cr_assert_float_eq(x, 3900, 1e-9);
	cr_assert_eq(mw_parse_time("32", &x), 0);
	cr_assert_float_eq(x, 32, 1e-9);
	cr_assert_eq(mw_parse_time("1 fortnight", &x), MW_EPARSE);
}

Test(units, integers)
{
	uint64_t v;

	cr_assert_eq(mw_parse_u64("0x7fff5a10", &v), 0);
	cr_assert_eq(v, 0x7fff5a10);
	cr_assert_eq(mw_parse_u64("18446744073709551615", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(mw_parse_u64("18446744073709551616", &v), MW_ERANGE);
	cr_assert_eq(mw_parse_u64("12a", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_u64("-1", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_u64("0x", &v), MW_EPARSE);
	cr_assert_eq(mw_parse_u64(" 1", &v), MW_EPARSE);
}

Test(units, formatting)
{
	char b[64];

	cr_assert_str_eq(mw_fmt_bytes(b, sizeof(b), 512), "512 B");
	cr_assert_str_eq(mw_fmt_bytes(b, sizeof(b), 1536), "1.50 KiB");
	cr_assert_str_eq(mw_fmt_bytes(b, sizeof(b), 50ull << 20), "50.0 MiB");
	cr_assert_str_eq(mw_fmt_count(b, sizeof(b), 0), "0");
	cr_assert_str_eq(mw_fmt_count(b, sizeof(b), 999), "999");
	cr_assert_str_eq(mw_fmt_count(b, sizeof(b), 20000000), "20,000,000");
	cr_assert_str_eq(mw_fmt_si(b, sizeof(b), 3.35e12, "B/s"), "3.35 TB/s");
	cr_assert_str_eq(mw_fmt_si(b, sizeof(b), 1.25e-8, "s"), "12.5 ns");
}

/* The set against a naive sorted array, on seeded random keys. */
Test(hash, set_matches_naive)
{
	struct mw_rng rng;
	struct mw_u64set *s = mw_u64set_create();
	uint64_t *naive = calloc(20000, sizeof(*naive));
	size_t nn = 0, i, j;

	mw_rng_seed(&rng, 7);
	for (i = 0; i < 20000; i++) {
		/* small range so keys repeat; include 0 */
		uint64_t k = mw_rng_below(&rng, 5000) * 0x10001ull;
		int fresh = 1;

		for (j = 0; j < nn; j++)
			if (naive[j] == k)
				fresh = 0;
		if (fresh)
			naive[nn++] = k;
		cr_assert_eq(mw_u64set_add(s, k), fresh);
	}
	cr_assert_eq(mw_u64set_count(s), nn);
	for (j = 0; j < nn; j++)
		cr_assert(mw_u64set_has(s, naive[j]));
	cr_assert_not(mw_u64set_has(s, 3));
	mw_u64set_destroy(s);
	free(naive);
}

Test(hash, rng_is_reproducible_and_unbiased)
{
	struct mw_rng a, b;
	unsigned hist[10] = {0};
	int i;

	mw_rng_seed(&a, 42);
	mw_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(mw_rng_next(&a), mw_rng_next(&b));
	for (i = 0; i < 100000; i++)
		hist[mw_rng_below(&a, 10)]++;
	for (i = 0; i < 10; i++)
		cr_assert(hist[i] > 9500 && hist[i] < 10500);
	for (i = 0; i < 1000; i++) {
		double u = mw_rng_unit(&a);

		cr_assert(u >= 0 && u < 1);
	}
}

Test(results, add_find_format)
{
	struct mw_results *r = mw_results_create();
	const struct mw_result *x;
	char b[64];

	cr_assert_eq(mw_results_add_u64(r, "l2", "misses", 42), 0);
	cr_assert_eq(mw_results_add_f64(r, "memory", "ratio", 0.5), 0);
	cr_assert_eq(mw_results_add_text(r, "time", "bound", "memory"), 0);
	cr_assert_eq(mw_results_add_f64(r, "x", "nan", NAN), 0);
	cr_assert_eq(mw_results_count(r), 4);
	x = mw_results_find(r, "l2", "misses");
	cr_assert_not_null(x);
	cr_assert_str_eq(mw_result_value(x, b, sizeof(b)), "42");
	cr_assert_str_eq(mw_result_value(mw_results_get(r, 1), b, sizeof(b)),
			 "0.5");
	cr_assert_str_eq(mw_result_value(mw_results_get(r, 2), b, sizeof(b)),
			 "memory");
	cr_assert_str_eq(mw_result_value(mw_results_get(r, 3), b, sizeof(b)),
			 "nan");
	cr_assert_null(mw_results_find(r, "l2", "hits"));
	mw_results_destroy(r);
}

/* Every allocation failure inside results is reported, never a crash. */
Test(alloc, failure_injection)
{
	long k;

	for (k = 0; k < 6; k++) {
		struct mw_results *r;
		int err = 0;

		mw_alloc_fail_after(k);
		r = mw_results_create();
		if (r) {
			err |= mw_results_add_text(r, "a", "b", "c");
			err |= mw_results_add_u64(r, "a", "d", 1);
		}
		mw_alloc_fail_after(-1);
		cr_assert(r == NULL || err == 0 || err == MW_ENOMEM);
		mw_results_destroy(r);
	}
	cr_assert_null(mw_calloc(SIZE_MAX / 2, 4));
}

Test(err, names_and_format)
{
	struct mw_diag d;
	char b[600];
	int c;

	for (c = 0; c >= MW_ERR_MIN; c--)
		cr_assert_str_neq(mw_strerror(c), "unknown error");
	cr_assert_str_eq(mw_strerror(5), "unknown error");
	mw_diag_clear(&d);
	cr_assert_eq(mw_diag_set(&d, MW_EPARSE, "t.din", 12, "bad %s\nhere",
				 "label"),
		     MW_EPARSE);
	cr_assert_str_eq(mw_diag_format(&d, b, sizeof(b)), "t.din:12: bad "
							   "label here");
	mw_diag_set_offset(&d, MW_ECORRUPT, "t.mwt", 4096, "block 3: checksum");
	cr_assert_str_eq(mw_diag_format(&d, b, sizeof(b)), "t.mwt: byte 4096: "
							   "block 3: checksum");
	cr_assert_eq(mw_diag_set(NULL, MW_EIO, "x", 0, "y"), MW_EIO);
}
