/*
 * test_traces.c - the traces/ plumbing: input, output, regions, CSV
 * splitting, summaries, stream bookkeeping.
 */
#include "tests/helpers.h"
#include "traces/csvsplit.h"
#include "traces/input.h"
#include "traces/regions.h"
#include "traces/summary.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(input, lines_plain_gzip_crlf_no_final_newline)
{
	const char text[] = "one\r\ntwo\n\nthree";
	char *paths[2] = {th_temp_file(".txt", text, sizeof(text) - 1),
			  th_temp_gz(".txt.gz", text, sizeof(text) - 1)};
	int k;

	for (k = 0; k < 2; k++) {
		struct mw_diag d;
		struct mw_input *in = mw_input_open(paths[k], &d);
		const char *want[] = {"one", "two", "", "three"};
		char *line;
		size_t len;
		int i;

		cr_assert_not_null(in);
		for (i = 0; i < 4; i++) {
			cr_assert_eq(mw_input_getline(in, &line, &len, &d), 1);
			cr_assert_str_eq(line, want[i]);
			cr_assert_eq(len, strlen(want[i]));
			cr_assert_eq(mw_input_lineno(in), (uint64_t)i + 1);
		}
		cr_assert_eq(mw_input_getline(in, &line, &len, &d), 0);
		cr_assert_eq(mw_input_compressed(in), k == 1);
		mw_input_close(in);
		th_remove(paths[k]);
	}
}

Test(input, truncated_gzip_is_an_error)
{
	char text[20000];
	char *gz, *cut, *data;
	size_t len, i;
	struct mw_diag d;
	struct mw_input *in;
	char *line;
	size_t n;
	int r;

	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)(i % 61 == 60 ? '\n' : 'a' + (i * 7) % 26);
	gz = th_temp_gz(".gz", text, sizeof(text));
	data = th_slurp(gz, &len);
	cut = th_temp_file(".gz", data, len - 20);
	in = mw_input_open(cut, &d);
	cr_assert_not_null(in);
	while ((r = mw_input_getline(in, &line, &n, &d)) > 0)
		;
	cr_assert_eq(r, MW_ETRUNC, "%d %s", r, d.msg);
	cr_assert(strstr(d.msg, "truncated"), "%s", d.msg);
	mw_input_close(in);
	free(data);
	th_remove(cut);
	th_remove(gz);
}

Test(input, overlong_line_and_missing_file)
{
	size_t n = MW_INPUT_MAX_LINE + 10;
	char *big = malloc(n);
	char *p, *line;
	size_t len;
	struct mw_diag d;
	struct mw_input *in;

	memset(big, 'x', n);
	p = th_temp_file(".txt", big, n);
	in = mw_input_open(p, &d);
	cr_assert_eq(mw_input_getline(in, &line, &len, &d), MW_EPARSE);
	cr_assert_eq(d.line, 1);
	mw_input_close(in);
	th_remove(p);
	free(big);
	cr_assert_null(mw_input_open("/nonexistent/trace", &d));
	cr_assert_eq(d.code, MW_EIO);
	cr_assert(strstr(d.msg, "cannot open"));
	cr_assert_null(mw_input_open("/tmp", &d));
	cr_assert(strstr(d.msg, "directory"));
}

Test(input, peek_does_not_consume_and_read_bytes)
{
	char data[10000];
	char *p, *gz, buf[10000];
	const char *head;
	size_t n, i;
	struct mw_diag d;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13);
	p = th_temp_file(".bin", data, sizeof(data));
	gz = th_temp_gz(".bin.gz", data, sizeof(data));
	for (i = 0; i < 2; i++) {
		struct mw_input *in = mw_input_open(i ? gz : p, &d);

		cr_assert_eq(mw_input_peek(in, &head, &n, &d), 0);
		cr_assert_eq(n, MW_INPUT_PEEK);
		cr_assert(!memcmp(head, data, n));
		cr_assert_eq(mw_input_read(in, buf, 100, &d), 100);
		cr_assert_eq(mw_input_read(in, buf + 100, 9900, &d), 9900);
		cr_assert(!memcmp(buf, data, sizeof(data)));
		cr_assert_eq(mw_input_read(in, buf, 10, &d), 0);
		cr_assert_eq(mw_input_offset(in), sizeof(data));
		mw_input_close(in);
	}
	th_remove(p);
	th_remove(gz);
}

Test(csvsplit, quoting_and_errors)
{
	struct mw_csv_splitter *s = mw_csv_splitter_create();
	const char *why;
	char **f;
	int n;

	const char *line = "a, \"b,c\" ,\"d\"\"e\",";

	n = mw_csv_split(s, line, strlen(line), &f, &why);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(f[0], "a");
	cr_assert_str_eq(f[1], "b,c");
	cr_assert_str_eq(f[2], "d\"e");
	cr_assert_str_eq(f[3], "");
	n = mw_csv_split(s, "", 0, &f, &why);
	cr_assert_eq(n, 0);
	n = mw_csv_split(s, "x,\"open", 7, &f, &why);
	cr_assert_eq(n, MW_EPARSE);
	n = mw_csv_split(s, "x,y\"z", 5, &f, &why);
	cr_assert_eq(n, MW_EPARSE);
	/* the splitter recovers after an error */
	n = mw_csv_split(s, "1,2", 3, &f, &why);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(f[1], "2");
	mw_csv_splitter_destroy(s);
}

static char *regions_file(const char *text)
{
	return th_temp_file(".csv", text, strlen(text));
}

Test(regions, load_lookup_and_tag)
{
	char *p = regions_file("# tensors of a GEMM\n"
			       "size,name,base\n"
			       "1MiB,A,0x100000\n"
			       "4096,\"B, packed\",2097152\n"
			       "64,C,0x300000\n");
	struct mw_diag d;
	struct mw_regions *r = mw_regions_load(p, &d);

	cr_assert_not_null(r, "%s", d.msg);
	cr_assert_eq(mw_regions_count(r), 3);
	cr_assert_eq(mw_regions_lookup(r, 0x100000), 1);
	cr_assert_eq(mw_regions_lookup(r, 0x1fffff), 1);
	cr_assert_eq(mw_regions_lookup(r, 0x200000), 2);
	cr_assert_eq(mw_regions_lookup(r, 0x200fff), 2);
	cr_assert_eq(mw_regions_lookup(r, 0x201000), 0);
	cr_assert_eq(mw_regions_lookup(r, 0x30003f), 3);
	cr_assert_eq(mw_regions_lookup(r, 0x300040), 0);
	cr_assert_eq(mw_regions_lookup(r, 0), 0);
	mw_regions_destroy(r);
	th_remove(p);
}

Test(regions, errors_name_the_line)
{
	static const struct {
		const char *text;
		uint64_t line;
		const char *why;
	} cases[] = {
		{"name,base\nA,0\n", 1, "size"},
		{"name,base,size\nA,0x10,0\n", 2, "bad size"},
		{"name,base,size\nA,zz,16\n", 2, "bad base"},
		{"name,base,size\n,0,16\n", 2, "empty region name"},
		{"name,base,size\nA,0,16\nA,32,16\n", 3, "named twice"},
		{"name,base,size\nA,0,16\nB,8,16\n", 0, "overlap"},
		{"name,base,size\n", 0, "no regions"},
		{"name,base,size\nA,0xffffffffffffffff,2\n", 2,
		 "address space"},
		{"name,base,size\nA,0,\"16\n", 2, "unterminated"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = regions_file(cases[i].text);
		struct mw_diag d;

		mw_diag_clear(&d);
		cr_assert_null(mw_regions_load(p, &d), "case %zu loaded", i);
		cr_assert_eq(d.line, cases[i].line, "case %zu: line %llu (%s)",
			     i, (unsigned long long)d.line, d.msg);
		cr_assert(strstr(d.msg, cases[i].why), "case %zu: %s", i,
			  d.msg);
		th_remove(p);
	}
}

Test(regions, tagging_stream_replaces_tags_and_header)
{
	struct mw_access recs[4] = {
		{0x100010, 8, 0, MW_OP_READ, 7},
		{0x200000, 8, 1, MW_OP_WRITE, 7},
		{0x999999, 8, 0, MW_OP_READ, 7},
		{0x300000, 64, 0, MW_OP_READ, 0},
	};
	struct mw_trace_header h;
	struct mw_access *got;
	struct mw_diag d;
	char *trace = th_temp_path(".mwt");
	char *rp = regions_file("name,base,size\nA,0x100000,1MiB\n"
				"B,0x200000,4096\nC,0x300000,64\n");
	struct mw_stream *s;
	struct mw_regions *r;

	mw_header_init(&h);
	h.units = 2;
	for (int i = 0; i < 7; i++)
		mw_header_add_tensor(&h, "old", 0, 1);
	cr_assert_eq(th_write_all(trace, "mwt", &h, recs, 4, &d), 0);
	s = mw_trace_open(trace, NULL, &d);
	r = mw_regions_load(rp, &d);
	s = mw_stream_tag_regions(s, r, &d);
	cr_assert_not_null(s);
	cr_assert_eq(mw_stream_header(s)->ntensors, 3);
	cr_assert_eq(mw_stream_header(s)->units, 2);
	cr_assert_str_eq(mw_stream_header(s)->tensors[2].name, "B");
	cr_assert_gt(mw_stream_file_size(s), 0);
	cr_assert_eq(th_drain(s, &got), 4);
	cr_assert_eq(got[0].tensor, 1);
	cr_assert_eq(got[1].tensor, 2);
	cr_assert_eq(got[2].tensor, 0);
	cr_assert_eq(got[3].tensor, 3);
	free(got);
	mw_stream_destroy(s);
	mw_header_free(&h);
	th_remove(trace);
	th_remove(rp);
}

/* The summary against a naive count of distinct 64-byte lines. */
Test(summary, matches_naive)
{
	struct mw_access recs[3000];
	struct mw_rng rng;
	struct mw_summarizer *s = mw_summarizer_create();
	const struct mw_trace_summary *sum;
	uint64_t *lines = malloc(3000 * 300 * sizeof(*lines));
	size_t nl = 0, i, j;
	uint64_t distinct = 0, bytes = 0, reads = 0;

	mw_rng_seed(&rng, 5);
	for (i = 0; i < 3000; i++) {
		recs[i].addr = mw_rng_below(&rng, 1 << 16);
		recs[i].size = (uint32_t)(1 + mw_rng_below(&rng, 200));
		recs[i].unit = (uint16_t)mw_rng_below(&rng, 3);
		recs[i].op = (uint8_t)mw_rng_below(&rng, 2);
		recs[i].tensor = (uint8_t)mw_rng_below(&rng, 3);
		bytes += recs[i].size;
		reads += recs[i].op == MW_OP_READ;
		for (j = recs[i].addr / 64;
		     j <= (recs[i].addr + recs[i].size - 1) / 64; j++)
			lines[nl++] = j;
	}
	for (i = 0; i < nl; i++) {
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = lines[j] == lines[i];
		distinct += !seen;
	}
	cr_assert_eq(mw_summarizer_add(s, recs, 1000), 0);
	cr_assert_eq(mw_summarizer_add(s, recs + 1000, 2000), 0);
	sum = mw_summarizer_result(s);
	cr_assert_eq(sum->records, 3000);
	cr_assert_eq(sum->lines, distinct);
	cr_assert_eq(sum->bytes, bytes);
	cr_assert_eq(sum->by_op[MW_OP_READ], reads);
	cr_assert_eq(sum->units_used, 3);
	cr_assert_eq(sum->tensor[0].records + sum->tensor[1].records +
			     sum->tensor[2].records,
		     3000);
	mw_summarizer_destroy(s);
	free(lines);
}

Test(summary, top_of_address_space)
{
	struct mw_access r = {UINT64_MAX - 3, 100, 0, MW_OP_READ, 0};
	struct mw_summarizer *s = mw_summarizer_create();

	cr_assert_eq(mw_summarizer_add(s, &r, 1), 0);
	cr_assert_eq(mw_summarizer_result(s)->addr_max, UINT64_MAX);
	cr_assert_eq(mw_summarizer_result(s)->lines, 1);
	mw_summarizer_destroy(s);
}

Test(format, find_and_extension)
{
	cr_assert_not_null(mw_format_find("mwt"));
	cr_assert_null(mw_format_find("nope"));
	cr_assert_eq(mw_format_by_extension("/a/b/trace.mwt"),
		     mw_format_find("mwt"));
	cr_assert_null(mw_format_by_extension("trace"));
	cr_assert_null(mw_format_by_extension("dir.v2/trace"));
}

Test(format, undetectable_and_unknown)
{
	char *p = th_temp_file(".xyz", "hello world\n", 12);
	char *e = th_temp_file(".xyz", "", 0);
	struct mw_diag d;

	cr_assert_null(mw_trace_open(p, NULL, &d));
	cr_assert_eq(d.code, MW_EFORMAT);
	cr_assert(strstr(d.msg, "--format"), "%s", d.msg);
	cr_assert_null(mw_trace_open(e, NULL, &d));
	cr_assert(strstr(d.msg, "empty"), "%s", d.msg);
	cr_assert_null(
		mw_trace_open(p, &(struct mw_read_opts){.format = "nope"}, &d));
	cr_assert(strstr(d.msg, "unknown format"), "%s", d.msg);
	th_remove(p);
	th_remove(e);
}
