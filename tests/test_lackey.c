/*
 * test_lackey.c - the valgrind lackey reader: I, L, S, M, valgrind's own
 * lines, malformed lines, --skip-bad, 64-bit addresses, gzip, stdin.
 */
#include "tests/textfmt.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sample[] = "==4242== Lackey, an example Valgrind tool\n"
			     "==4242== Command: /bin/true\n"
			     "I  0401ab70,3\n"
			     " S 1fff0006f8,8\n"
			     " L BE801950,4\n"
			     " M 0025747c,4\n"
			     "SB 0401ab70\n"
			     "I  ffffffffffffff00,16\n"
			     "==4242== \n";

static void expect(const struct mw_access *a, uint64_t addr, uint32_t size,
		   enum mw_op op)
{
	cr_assert_eq(a->addr, addr, "addr 0x%llx, want 0x%llx",
		     (unsigned long long)a->addr, (unsigned long long)addr);
	cr_assert_eq(a->size, size);
	cr_assert_eq(a->op, op);
	cr_assert_eq(a->unit, 0);
	cr_assert_eq(a->tensor, 0);
}

static void check_sample(const struct mw_access *r)
{
	expect(&r[0], 0x0401ab70, 3, MW_OP_IFETCH);
	expect(&r[1], 0x1fff0006f8ull, 8, MW_OP_WRITE);
	expect(&r[2], 0xbe801950, 4, MW_OP_READ);
	expect(&r[3], 0x0025747c, 4, MW_OP_READ);  /* modify: read ... */
	expect(&r[4], 0x0025747c, 4, MW_OP_WRITE); /* ... then write */
	expect(&r[5], 0xffffffffffffff00ull, 16, MW_OP_IFETCH);
}

Test(lackey, ops_modify_and_skipped_lines)
{
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;
	char fmt[MW_FORMAT_NAME];
	long n = tf_read(sample, ".txt", false, NULL, false, 0, &r, &st, fmt,
			 &d);

	cr_assert_eq(n, 6, "%ld: %s", n, d.msg);
	cr_assert_str_eq(fmt, "lackey");
	check_sample(r);
	cr_assert_eq(st.lines, 9);
	cr_assert_eq(st.other_skipped, 4);
	cr_assert_eq(st.controls_skipped, 0);
	free(r);
}

Test(lackey, gzip_and_stdin)
{
	struct mw_access *r;
	struct mw_diag d;
	char fmt[MW_FORMAT_NAME];
	char *path = th_temp_file(".lackey", sample, strlen(sample));
	int fd;

	cr_assert_eq(tf_read(sample, ".gz", true, NULL, false, 0, &r, NULL, fmt,
			     &d),
		     6, "%s", d.msg);
	cr_assert_str_eq(fmt, "lackey");
	check_sample(r);
	free(r);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	dup2(fd, 0);
	close(fd);
	cr_assert_eq(th_read_all("-", NULL, &r, &d), 6, "%s", d.msg);
	check_sample(r);
	free(r);
	th_remove(path);
}

/* Batches of one record split a modify's two records across reads. */
Test(lackey, modify_split_across_reads)
{
	struct mw_read_opts o = {.format = "lackey"};
	char *path = th_temp_file(".lackey", sample, strlen(sample));
	struct mw_diag d;
	struct mw_stream *s = mw_trace_open(path, &o, &d);
	struct mw_access r[6];
	int i;

	cr_assert_not_null(s, "%s", d.msg);
	for (i = 0; i < 6; i++)
		cr_assert_eq(mw_stream_read(s, &r[i], 1), 1);
	cr_assert_eq(mw_stream_read(s, r, 1), 0);
	check_sample(r);
	mw_stream_destroy(s);
	th_remove(path);
}

Test(lackey, malformed_lines_name_file_line_reason)
{
	const char *want_line = "not a lackey line (want 'I  ADDR,SIZE', ' L', "
				"' S' or ' M', or '==' messages)";

	tf_expect_bad("I  10,4\nhello from the program\n", "lackey", 2,
		      want_line);
	tf_expect_bad(" X 10,4\n", "lackey", 1, want_line);
	tf_expect_bad(" L10,4\n", "lackey", 1, want_line);
	tf_expect_bad("=not valgrind\n", "lackey", 1, want_line);
	tf_expect_bad("SB zz\n", "lackey", 1, want_line);
	tf_expect_bad(" L 10\n", "lackey", 1,
		      "'L' line without ',SIZE' after the address");
	tf_expect_bad(" S 0x10,4\n", "lackey", 1,
		      "address '0x10' is not a 64-bit hexadecimal number "
		      "(no 0x)");
	tf_expect_bad(" S 1g,4\n", "lackey", 1,
		      "address '1g' is not a 64-bit hexadecimal number "
		      "(no 0x)");
	tf_expect_bad(" M 10,\n", "lackey", 1,
		      "size '' is not a decimal number");
	tf_expect_bad(" M 10,0x4\n", "lackey", 1,
		      "size '0x4' is not a decimal number");
	tf_expect_bad("I  10,0\n", "lackey", 1,
		      "size 0 (want 1 to 4294967295 bytes)");
	tf_expect_bad("I  10,4294967296\n", "lackey", 1,
		      "size 4294967296 (want 1 to 4294967295 bytes)");
	tf_expect_bad(" L fffffffffffffffe,4\n", "lackey", 1,
		      "4 bytes at 0xfffffffffffffffe pass the end of the "
		      "address space");
}

Test(lackey, skip_bad_counts_and_goes_on)
{
	const char *text = "I  10,4\nprogram output\n L 20,4\n S 30,0\n"
			   " M 40,8\n";
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;
	long n = tf_read(text, ".lackey", false, NULL, true, 0, &r, &st, NULL,
			 &d);

	cr_assert_eq(n, 4, "%s", d.msg);
	cr_assert_eq(st.bad_skipped, 2);
	expect(&r[3], 0x40, 8, MW_OP_WRITE);
	free(r);
	n = tf_read(text, ".lackey", false, NULL, false, 0, &r, &st, NULL, &d);
	cr_assert_eq(n, MW_EPARSE);
	cr_assert_eq(d.line, 2);
	free(r);
}

Test(lackey, read_only_and_empty)
{
	struct mw_trace_header h;
	struct mw_access *r;
	struct mw_diag d;
	char *path = th_temp_path(".lackey");

	mw_header_init(&h);
	cr_assert_null(mw_trace_create(path, &h, NULL, &d));
	cr_assert(strstr(d.msg, "can be read but not written"), "%s", d.msg);
	cr_assert_eq(tf_read("", ".lackey", false, "lackey", false, 0, &r, NULL,
			     NULL, &d),
		     0);
	free(r);
	/* only valgrind's messages: detected by the banner, no records */
	cr_assert_eq(tf_read("==1== Lackey, an example Valgrind tool\n", ".txt",
			     false, NULL, false, 0, &r, NULL, NULL, &d),
		     0, "%s", d.msg);
	free(r);
	th_remove(path);
	mw_header_free(&h);
}
