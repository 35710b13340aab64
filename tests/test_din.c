/*
 * test_din.c - the DineroIV din reader and writer: both forms, control
 * commands, malformed lines, --skip-bad, 64-bit addresses, gzip, empty
 * traces, round trips.
 */
#include "tests/textfmt.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(const struct mw_access *a, uint64_t addr, uint32_t size,
		   enum mw_op op)
{
	cr_assert_eq(a->addr, addr, "addr 0x%llx, want 0x%llx",
		     (unsigned long long)a->addr, (unsigned long long)addr);
	cr_assert_eq(a->size, size, "size %u, want %u", a->size, size);
	cr_assert_eq(a->op, op, "op %u, want %u", a->op, op);
	cr_assert_eq(a->unit, 0);
	cr_assert_eq(a->tensor, 0);
}

Test(din, classic_labels_rounding_and_controls)
{
	const char *text = "0 7fff5a13\n"
			   "1 0x7fff5a18\n"
			   "2\t400562  ignored fields\n"
			   "3 0X1001\n"
			   "4 0\n"
			   "5 10\n"
			   "\n"
			   "0 123456789abcdef7\n";
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;
	long n =
		tf_read(text, ".din", false, NULL, false, 0, &r, &st, NULL, &d);

	cr_assert_eq(n, 5, "%ld: %s", n, d.msg);
	expect(&r[0], 0x7fff5a10, 4, MW_OP_READ);
	expect(&r[1], 0x7fff5a18, 4, MW_OP_WRITE);
	expect(&r[2], 0x400560, 4, MW_OP_IFETCH);
	expect(&r[3], 0x1000, 4, MW_OP_READ); /* misc is a read */
	expect(&r[4], 0x123456789abcdef4ull, 4, MW_OP_READ);
	cr_assert_eq(st.lines, 8);
	cr_assert_eq(st.controls_skipped, 2);
	cr_assert_eq(st.other_skipped, 1);
	cr_assert_eq(st.bad_skipped, 0);
	free(r);
}

Test(din, extended_letters_hex_sizes)
{
	const char *text = "r 7fff5a13 8\n"
			   "W 0x7fff5a18 10 extra 1 2\n"
			   "i 400562 4\n"
			   "M ffffffff00000000 ffffffff\n"
			   "v 0 0\n"
			   "C 1000 40\n"
			   "r fffffffffffffff0 10\r\n";
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;
	long n =
		tf_read(text, ".din", false, NULL, false, 0, &r, &st, NULL, &d);

	cr_assert_eq(n, 5, "%ld: %s", n, d.msg);
	expect(&r[0], 0x7fff5a13, 8, MW_OP_READ); /* not rounded */
	expect(&r[1], 0x7fff5a18, 16, MW_OP_WRITE);
	expect(&r[2], 0x400562, 4, MW_OP_IFETCH);
	expect(&r[3], 0xffffffff00000000ull, 0xffffffffu, MW_OP_READ);
	expect(&r[4], 0xfffffffffffffff0ull, 16, MW_OP_READ);
	cr_assert_eq(st.controls_skipped, 2);
	free(r);
}

Test(din, malformed_lines_name_file_line_reason)
{
	tf_expect_bad("r 10 4\nx 10 4\n", "din", 2,
		      "unknown label 'x' (want 0-5 or r w i m c v)");
	tf_expect_bad("rw 10 4\n", "din", 1,
		      "unknown label 'rw' (want 0-5 or r w i m c v)");
	tf_expect_bad("6 10\n", "din", 1,
		      "unknown label '6' (want 0-5 or r w i m c v)");
	tf_expect_bad("0\n", "din", 1, "label '0' without an address");
	tf_expect_bad("0 10\n1 12g\n", "din", 2,
		      "address '12g' is not a 64-bit hexadecimal number");
	tf_expect_bad("0 10000000000000000\n", "din", 1,
		      "address '10000000000000000' is not a 64-bit "
		      "hexadecimal number");
	tf_expect_bad("0 0x\n", "din", 1,
		      "address '0x' is not a 64-bit hexadecimal number");
	tf_expect_bad("r 10\n", "din", 1,
		      "extended din line without a size (want 'r ADDR SIZE', "
		      "size in hex)");
	tf_expect_bad("w 10 z\n", "din", 1,
		      "size 'z' is not a hexadecimal number");
	tf_expect_bad("r 10 0\n", "din", 1,
		      "size 0x0 (want 1 to 0xffffffff bytes)");
	tf_expect_bad("i 10 100000000\n", "din", 1,
		      "size 0x100000000 (want 1 to 0xffffffff bytes)");
	tf_expect_bad("r ffffffffffffffff 2\n", "din", 1,
		      "0x2 bytes at 0xffffffffffffffff pass the end of the "
		      "address space");
	tf_expect_bad("v 10 zz\n", "din", 1,
		      "size 'zz' is not a hexadecimal number");
	tf_expect_bad("# a comment\n", "din", 1,
		      "unknown label '#' (want 0-5 or r w i m c v)");
}

Test(din, skip_bad_counts_and_goes_on)
{
	const char *text = "r 10 4\nbad line\nw 20 4\nr 30 0\ni 40 4\n";
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;
	long n =
		tf_read(text, ".din", false, "din", true, 0, &r, &st, NULL, &d);

	cr_assert_eq(n, 3, "%s", d.msg);
	cr_assert_eq(st.bad_skipped, 2);
	cr_assert_eq(st.lines, 5);
	expect(&r[2], 0x40, 4, MW_OP_IFETCH);
	free(r);
	/* without it: the records before the bad line, then the error */
	n = tf_read(text, ".din", false, "din", false, 0, &r, &st, NULL, &d);
	cr_assert_eq(n, MW_EPARSE);
	cr_assert_eq(d.line, 2);
	free(r);
}

Test(din, empty_and_gzip_and_stdin_read_alike)
{
	const char *text = "r 7fff5a10 8\nw 0x1fff0006f8 8\n";
	struct mw_access *a, *b;
	struct mw_diag d;
	char fmt[MW_FORMAT_NAME];

	cr_assert_eq(tf_read("", ".txt", false, NULL, false, 0, &a, NULL, fmt,
			     &d),
		     MW_EFORMAT); /* empty: nothing to detect */
	cr_assert_eq(tf_read("", ".din", false, NULL, false, 0, &a, NULL, fmt,
			     &d),
		     0, "%s", d.msg); /* ... but the extension tells */
	free(a);
	cr_assert_eq(tf_read("", ".din", false, "din", false, 0, &a, NULL, fmt,
			     &d),
		     0, "%s", d.msg);
	free(a);
	cr_assert_eq(tf_read("", ".din.gz", true, "din", false, 0, &a, NULL,
			     fmt, &d),
		     0, "%s", d.msg);
	free(a);
	cr_assert_eq(tf_read(text, ".txt", false, NULL, false, 0, &a, NULL, fmt,
			     &d),
		     2);
	cr_assert_str_eq(fmt, "din");
	cr_assert_eq(tf_read(text, ".gz", true, NULL, false, 0, &b, NULL, fmt,
			     &d),
		     2);
	cr_assert_str_eq(fmt, "din");
	cr_assert(!memcmp(a, b, 2 * sizeof(*a)));
	expect(&a[1], 0x1fff0006f8ull, 8, MW_OP_WRITE);
	free(a);
	free(b);
}

/* Writer output is the extended form, which reads back to the same records. */
Test(din, writer_round_trip_plain_and_gzip)
{
	static const char *const suffixes[] = {".din", ".din.gz"};
	struct mw_trace_header h;
	struct mw_access recs[3000], *got;
	struct mw_rng rng;
	struct mw_diag d;
	size_t i;
	int k;

	mw_header_init(&h);
	mw_rng_seed(&rng, 11);
	th_random_records(&rng, recs, 3000, 1, 0);
	for (i = 0; i < 3000; i++)
		if (recs[i].addr > UINT64_MAX - 256)
			recs[i].addr -= 256;
	for (k = 0; k < 2; k++) {
		char *path = th_temp_path(suffixes[k]);
		long n;

		cr_assert_eq(th_write_all(path, NULL, &h, recs, 3000, &d), 0,
			     "%s", d.msg);
		n = th_read_all(path, NULL, &got, &d);
		cr_assert_eq(n, 3000, "%ld %s", n, d.msg);
		cr_assert(!memcmp(got, recs, sizeof(recs)));
		free(got);
		th_remove(path);
	}
	mw_header_free(&h);
}

Test(din, writer_text_is_exact)
{
	struct mw_trace_header h;
	const struct mw_access recs[] = {
		{0x7fff5a10, 8, 0, MW_OP_READ, 0},
		{0x1fff0006f8ull, 16, 3, MW_OP_WRITE, 0},
		{0x400560, 4, 0, MW_OP_IFETCH, 0},
	};
	char *path = th_temp_path(".din"), *text;
	struct mw_diag d;
	size_t len;

	mw_header_init(&h);
	h.units = 4;
	cr_assert_eq(th_write_all(path, NULL, &h, recs, 3, &d), 0, "%s", d.msg);
	text = th_slurp(path, &len);
	cr_assert_str_eq(text, "r 7fff5a10 8\nw 1fff0006f8 10\ni 400560 4\n");
	free(text);
	th_remove(path);
	mw_header_free(&h);
}
