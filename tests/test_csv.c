/*
 * test_csv.c - the CSV trace reader and writer: column order, ops, units,
 * tensor names and indices, malformed lines, --skip-bad, round trips.
 */
#include "tests/textfmt.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(const struct mw_access *a, uint64_t addr, uint32_t size,
		   enum mw_op op, unsigned unit, unsigned tensor)
{
	cr_assert_eq(a->addr, addr, "addr 0x%llx, want 0x%llx",
		     (unsigned long long)a->addr, (unsigned long long)addr);
	cr_assert_eq(a->size, size);
	cr_assert_eq(a->op, op);
	cr_assert_eq(a->unit, unit);
	cr_assert_eq(a->tensor, tensor);
}

/* Opens text as CSV; the caller destroys the stream and removes *path. */
static struct mw_stream *open_text(const char *text, uint32_t units,
				   char **path, struct mw_diag *d)
{
	struct mw_read_opts o = {.format = NULL, .units = units};

	*path = th_temp_file(".csv", text, strlen(text));
	return mw_trace_open(*path, &o, d);
}

Test(csv, columns_any_order_extras_ignored)
{
	const char *text = "Op, time , SIZE,addr,pc\n"
			   "r,1,64,0x7f8a01800000,0x400\n"
			   "WRITE,2,0x10,4096,0x404\n"
			   "\n"
			   "2,3,4,\"0x400560\",0\n"
			   "Ifetch,4,8,18446744073709551608,0\n";
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;
	char fmt[MW_FORMAT_NAME];
	long n = tf_read(text, ".txt", false, NULL, false, 0, &r, &st, fmt, &d);

	cr_assert_eq(n, 4, "%ld: %s", n, d.msg);
	cr_assert_str_eq(fmt, "csv");
	expect(&r[0], 0x7f8a01800000ull, 64, MW_OP_READ, 0, 0);
	expect(&r[1], 4096, 16, MW_OP_WRITE, 0, 0);
	expect(&r[2], 0x400560, 4, MW_OP_IFETCH, 0, 0);
	expect(&r[3], 0xfffffffffffffff8ull, 8, MW_OP_IFETCH, 0, 0);
	cr_assert_eq(st.lines, 6);
	cr_assert_eq(st.other_skipped, 2); /* header and blank line */
	free(r);
}

Test(csv, tensor_names_and_indices_build_the_table)
{
	const char *text = "addr,size,op,unit,tensor\n"
			   "0x1000,64,r,0,Q\n"
			   "0x2000,64,r,5,K\n"
			   "0x3000,64,w,2,\n"
			   "0x1040,64,r,1,Q\n"
			   "0x4000,4,r,0,4\n"
			   "0x5000,4,r,0,\"V, cached\"\n"
			   "0x5000,4,r,0,tensor3\n"
			   "0x6000,4,r,0,0\n";
	struct mw_diag d;
	char *path;
	struct mw_stream *s = open_text(text, 0, &path, &d);
	const struct mw_trace_header *h;
	struct mw_access *r;

	cr_assert_not_null(s, "%s", d.msg);
	h = mw_stream_header(s);
	cr_assert_eq(h->units, 6); /* largest unit + 1 */
	cr_assert_eq(h->ntensors, 5);
	cr_assert_str_eq(h->tensors[1].name, "Q");
	cr_assert_str_eq(h->tensors[2].name, "K");
	cr_assert_str_eq(h->tensors[3].name, "tensor3");
	cr_assert_str_eq(h->tensors[4].name, "tensor4");
	cr_assert_str_eq(h->tensors[5].name, "V, cached");
	cr_assert_eq(th_drain(s, &r), 8);
	expect(&r[0], 0x1000, 64, MW_OP_READ, 0, 1);
	expect(&r[1], 0x2000, 64, MW_OP_READ, 5, 2);
	expect(&r[2], 0x3000, 64, MW_OP_WRITE, 2, 0);
	expect(&r[3], 0x1040, 64, MW_OP_READ, 1, 1);
	expect(&r[4], 0x4000, 4, MW_OP_READ, 0, 4);
	expect(&r[5], 0x5000, 4, MW_OP_READ, 0, 5);
	expect(&r[6], 0x5000, 4, MW_OP_READ, 0, 3);
	expect(&r[7], 0x6000, 4, MW_OP_READ, 0, 0);
	free(r);
	mw_stream_destroy(s);
	th_remove(path);
}

Test(csv, units_option_bounds_the_unit_column)
{
	const char *text = "addr,size,op,unit\n0,4,r,3\n0,4,r,7\n";
	struct mw_access *r;
	struct mw_diag d;
	char *path;
	struct mw_stream *s = open_text(text, 16, &path, &d);

	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(mw_stream_header(s)->units, 16);
	mw_stream_destroy(s);
	th_remove(path);
	cr_assert_eq(tf_read(text, ".csv", false, NULL, false, 4, &r, NULL,
			     NULL, &d),
		     MW_EPARSE);
	cr_assert_eq(d.line, 3);
	cr_assert_str_eq(d.msg, "unit 7, but the trace has 4 units (--units); "
				"pass "
				"--units");
	/* no unit column: everything on unit 0 of --units */
	s = open_text("addr,size,op\n0,4,r\n", 8, &path, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(mw_stream_header(s)->units, 8);
	mw_stream_destroy(s);
	th_remove(path);
}

/* Past the read-ahead the header is fixed: new units and names are errors. */
Test(csv, table_fixed_after_read_ahead)
{
	size_t cap = 80000 * 24, len = 0, i;
	char *text = malloc(cap);
	struct mw_access *r;
	struct mw_diag d;

	len += (size_t)sprintf(text + len, "addr,size,op,unit,tensor\n");
	for (i = 0; i < 70000; i++)
		len += (size_t)sprintf(text + len, "%zu,4,r,%zu,A\n", i * 64,
				       i % 3);
	sprintf(text + len, "0,4,r,1,B\n");
	cr_assert_eq(tf_read(text, ".csv", false, NULL, false, 0, &r, NULL,
			     NULL, &d),
		     MW_EPARSE);
	cr_assert_eq(d.line, 70002);
	cr_assert(strstr(d.msg, "tensor 'B' first appears after the first "
				"65536 records"),
		  "%s", d.msg);
	free(r);
	sprintf(text + len, "0,4,r,3,A\n");
	cr_assert_eq(tf_read(text, ".csv", false, NULL, false, 0, &r, NULL,
			     NULL, &d),
		     MW_EPARSE);
	cr_assert_str_eq(d.msg, "unit 3, but the trace has 3 units (from the "
				"first records); pass --units");
	free(r);
	cr_assert_eq(tf_read(text, ".csv", false, NULL, false, 4, &r, NULL,
			     NULL, &d),
		     70001, "%s", d.msg);
	free(r);
	free(text);
}

Test(csv, malformed_lines_name_file_line_reason)
{
	const char *h = "addr,size,op,unit,tensor\n";
	char text[512];

#define BAD(body, line, msg)                                                   \
	do {                                                                   \
		snprintf(text, sizeof(text), "%s%s", h, body);                 \
		tf_expect_bad(text, "csv", line, msg);                         \
	} while (0)
	BAD("0,4,r,0,A\n0,4,r\n", 3, "3 fields, the header has 5");
	BAD("0,4,r,0,,x\n", 2, "6 fields, the header has 5");
	BAD("zz,4,r,0,\n", 2,
	    "addr 'zz' is not a 64-bit number (decimal, or hex with 0x)");
	BAD("-1,4,r,0,\n", 2,
	    "addr '-1' is not a 64-bit number (decimal, or hex with 0x)");
	BAD("18446744073709551616,4,r,0,\n", 2,
	    "addr '18446744073709551616' is not a 64-bit number (decimal, or "
	    "hex with 0x)");
	BAD("0,0,r,0,\n", 2, "size '0' (want 1 to 4294967295 bytes)");
	BAD("0,4294967296,r,0,\n", 2,
	    "size '4294967296' (want 1 to 4294967295 bytes)");
	BAD("0xffffffffffffffff,2,r,0,\n", 2,
	    "2 bytes at 0xffffffffffffffff pass the end of the address space");
	BAD("0,4,x,0,\n", 2,
	    "op 'x' (want r, w, i, read, write, ifetch or 0, 1, 2)");
	BAD("0,4,r,65536,\n", 2, "unit '65536' (want 0 to 65535)");
	BAD("0,4,r,u1,\n", 2, "unit 'u1' (want 0 to 65535)");
	BAD("0,4,r,0,256\n", 2, "tensor index 256 (want 0 to 255)");
	BAD("0,4,r,0,\"A\n", 2, "unterminated quoted field");
#undef BAD
}

/* A bad header is fatal, --skip-bad or not: no line could be read. */
Test(csv, bad_header_is_fatal)
{
	static const char *const texts[][2] = {
		{"addr,size\n0,4\n", "F:1: header lacks a 'op' column (want "
				     "addr,size,op[,unit][,tensor])"},
		{"\naddr,size,op,ADDR\n", "F:2: header names column 'addr' "
					  "twice"},
	};
	struct mw_access *r;
	struct mw_diag d;
	char got[512];
	int i, skip;

	for (i = 0; i < 2; i++)
		for (skip = 0; skip < 2; skip++) {
			cr_assert_eq(tf_read(texts[i][0], ".txt", false, "csv",
					     skip, 0, &r, NULL, NULL, &d),
				     MW_EFORMAT);
			cr_assert_str_eq(tf_where(&d, got, sizeof(got)),
					 texts[i][1]);
		}
}

Test(csv, too_many_tensor_names)
{
	size_t cap = 300 * 32, len = 0;
	char *text = malloc(cap);
	struct mw_access *r;
	struct mw_diag d;
	int i;

	len += (size_t)sprintf(text, "addr,size,op,tensor\n");
	for (i = 0; i < 256; i++)
		len += (size_t)sprintf(text + len, "0,4,r,t%d\n", i);
	cr_assert_eq(tf_read(text, ".csv", false, NULL, false, 0, &r, NULL,
			     NULL, &d),
		     MW_EPARSE);
	cr_assert_eq(d.line, 257);
	cr_assert_str_eq(d.msg, "more than 255 tensor names; 't255' does not "
				"fit");
	free(r);
	cr_assert_eq(tf_read(text, ".csv", false, NULL, true, 0, &r, NULL, NULL,
			     &d),
		     255);
	free(r);
	free(text);
}

Test(csv, no_header_and_skip_bad)
{
	struct mw_access *r;
	struct mw_stream_stats st;
	struct mw_diag d;

	cr_assert_eq(tf_read("", ".csv", false, "csv", false, 0, &r, NULL, NULL,
			     &d),
		     MW_EPARSE);
	cr_assert(strstr(d.msg, "no header line"), "%s", d.msg);
	cr_assert_eq(tf_read("addr,size,op\n", ".csv", false, NULL, false, 0,
			     &r, NULL, NULL, &d),
		     0, "%s", d.msg); /* a header alone is an empty trace */
	free(r);
	cr_assert_eq(tf_read("addr,size,op\n0,4,r\nbad\n1,4,zz\n2,4,w\n",
			     ".csv", false, NULL, true, 0, &r, &st, NULL, &d),
		     2, "%s", d.msg);
	cr_assert_eq(st.bad_skipped, 2);
	expect(&r[1], 2, 4, MW_OP_WRITE, 0, 0);
	free(r);
}

Test(csv, writer_text_is_exact)
{
	struct mw_trace_header h;
	const struct mw_access recs[] = {
		{0x7fff5a10, 8, 0, MW_OP_READ, 1},
		{0x1fff0006f8ull, 16, 3, MW_OP_WRITE, 0},
		{0x400560, 4, 1, MW_OP_IFETCH, 2},
	};
	char *path = th_temp_path(".csv"), *text;
	struct mw_diag d;
	size_t len;

	mw_header_init(&h);
	h.units = 4;
	mw_header_add_tensor(&h, "A", 0x7fff0000, 1 << 20);
	mw_header_add_tensor(&h, "B \"x\", y", 0x400000, 4096);
	cr_assert_eq(th_write_all(path, NULL, &h, recs, 3, &d), 0, "%s", d.msg);
	text = th_slurp(path, &len);
	cr_assert_str_eq(text, "addr,size,op,unit,tensor\n"
			       "0x7fff5a10,8,r,0,A\n"
			       "0x1fff0006f8,16,w,3,\n"
			       "0x400560,4,i,1,\"B \"\"x\"\", y\"\n");
	free(text);
	th_remove(path);
	mw_header_free(&h);
}

/* The writer refuses records the header cannot name; long names go out whole. */
Test(csv, writer_validates_records_and_long_names)
{
	struct mw_trace_header h;
	struct mw_access ok = {0x40, 4, 0, MW_OP_READ, 1};
	struct mw_access bad_tensor = {0x40, 4, 0, MW_OP_READ, 2};
	struct mw_access bad_op = {0x40, 4, 0, 7, 0};
	struct mw_access *got;
	char *path = th_temp_path(".csv"), *name = malloc(100001);
	struct mw_stream *s;
	struct mw_diag d;

	memset(name, 'n', 100000);
	name[100000] = '\0';
	mw_header_init(&h);
	cr_assert_eq(mw_header_add_tensor(&h, name, 0, 0), 1);
	cr_assert_eq(th_write_all(path, "csv", &h, &bad_tensor, 1, &d),
		     MW_EINVAL);
	cr_assert(strstr(d.msg, "record 0 cannot be written: tensor beyond"),
		  "%s", d.msg);
	cr_assert_eq(th_write_all(path, "csv", &h, &bad_op, 1, &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "unknown op"), "%s", d.msg);
	cr_assert_eq(th_write_all(path, "csv", &h, &ok, 1, &d), 0, "%s", d.msg);
	s = mw_trace_open(path, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(th_drain(s, &got), 1);
	cr_assert_eq(got[0].tensor, 1);
	cr_assert_str_eq(mw_stream_header(s)->tensors[1].name, name);
	free(got);
	mw_stream_destroy(s);
	th_remove(path);
	free(name);
	mw_header_free(&h);
}
