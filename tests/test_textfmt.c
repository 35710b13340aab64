/*
 * test_textfmt.c - helpers shared by the text-format tests (declared in
 * textfmt.h), and the tests across formats: detection, round trips.
 */
#include "tests/textfmt.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long tf_read(const char *text, const char *suffix, bool gz, const char *format,
	     bool skip_bad, uint32_t units, struct mw_access **recs,
	     struct mw_stream_stats *st, char *fmt, struct mw_diag *d)
{
	struct mw_read_opts o = {
		.format = format, .skip_bad = skip_bad, .units = units};
	char *path = gz ? th_temp_gz(suffix, text, strlen(text))
			: th_temp_file(suffix, text, strlen(text));
	struct mw_stream *s = mw_trace_open(path, &o, d);
	long n;

	*recs = NULL;
	if (!s) {
		th_remove(path);
		return d->code;
	}
	n = th_drain(s, recs);
	if (n < 0)
		*d = *mw_stream_diag(s);
	if (st)
		*st = *mw_stream_stats(s);
	if (fmt)
		snprintf(fmt, MW_FORMAT_NAME, "%s",
			 mw_stream_header(s)->format);
	mw_stream_destroy(s);
	th_remove(path);
	return n;
}

const char *tf_where(const struct mw_diag *d, char *buf, size_t cap)
{
	snprintf(buf, cap, "F:%llu: %s", (unsigned long long)d->line, d->msg);
	return buf;
}

void tf_expect_bad(const char *text, const char *format, unsigned line,
		   const char *msg)
{
	struct mw_access *recs;
	struct mw_diag d;
	char want[512], got[512];
	long n = tf_read(text, ".txt", false, format, false, 0, &recs, NULL,
			 NULL, &d);

	free(recs);
	cr_assert_eq(n, MW_EPARSE, "%s: read %ld records, want an error", text,
		     n);
	snprintf(want, sizeof(want), "F:%u: %s", line, msg);
	cr_assert_str_eq(tf_where(&d, got, sizeof(got)), want);
	cr_assert_neq(d.file[0], '\0');
	/* and --skip-bad counts the line and goes on */
	n = tf_read(text, ".txt", false, format, true, 0, &recs, NULL, NULL,
		    &d);
	free(recs);
	cr_assert_geq(n, 0, "%s: %s", text, d.msg);
}

const char *tf_detect(const char *text, const char *suffix, bool gz, char *fmt)
{
	struct mw_access *recs;
	struct mw_diag d;
	long n =
		tf_read(text, suffix, gz, NULL, false, 0, &recs, NULL, fmt, &d);

	free(recs);
	if (n < 0)
		snprintf(fmt, MW_FORMAT_NAME, "error");
	return fmt;
}

/* ---- across formats -------------------------------------------------------- */

static const char *const samples[][2] = {
	{"din", "0 7fff5a10\n1 0x7fff5a18\n2 400560\n4 0\n"},
	{"din", "r 7fff5a10 8\nw 0x7fff5a18 8\ni 400560 4\nv 0 0\n"},
	{"lackey", "==4242== Lackey\nI  0401ab70,3\n S 1fff0006f8,8\n"
		   " L be801950,4\n M 0025747c,4\n"},
	{"lackey", "I  0401ab70,3\n"},
	{"csv", "addr,size,op\n0x10,4,r\n"},
	{"csv", "\"tensor\",\"op\",\"size\",\"addr\"\r\nA,w,4,16\r\n"},
	{"nvbit", "MEMTRACE: CTX 0x000055967fa50640 - LAUNCH - Kernel pc "
		  "0x0 - Kernel name k - grid launch id 0 - grid size 1,1,1 - "
		  "block size 32,1,1 - nregs 8 - shmem 0 - cuda stream id 0\n"},
};

/* Each sample is detected by its content: as a file, gzipped, on stdin. */
Test(textfmt, detection_does_not_steal)
{
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char fmt[MW_FORMAT_NAME];
		const char *want = samples[i][0], *text = samples[i][1];
		char *path;
		struct mw_access *recs;
		struct mw_diag d;
		int fd;

		cr_assert_str_eq(tf_detect(text, ".txt", false, fmt), want,
				 "sample %zu", i);
		cr_assert_str_eq(tf_detect(text, ".txt.gz", true, fmt), want,
				 "sample %zu gz", i);
		/* a misleading extension does not override the content */
		cr_assert_str_eq(tf_detect(text, ".mwt", false, fmt), want,
				 "sample %zu .mwt", i);
		path = th_temp_file(".txt", text, strlen(text));
		fd = open(path, O_RDONLY);
		cr_assert(fd >= 0);
		dup2(fd, 0);
		close(fd);
		{
			struct mw_read_opts o = {.units = 4};
			struct mw_stream *s = mw_trace_open("-", &o, &d);

			cr_assert_not_null(s, "%s", d.msg);
			cr_assert_str_eq(mw_stream_header(s)->format, want,
					 "sample %zu stdin", i);
			cr_assert_geq(th_drain(s, &recs), 0);
			free(recs);
			mw_stream_destroy(s);
		}
		th_remove(path);
	}
}

/* A file the content cannot place goes by its extension. */
Test(textfmt, extension_decides_only_when_content_cannot)
{
	cr_assert_eq(mw_format_by_extension("a.din.gz"), mw_format_find("din"));
	cr_assert_eq(mw_format_by_extension("x/a.lackey"), mw_format_find("lack"
									  "e"
									  "y"));
	cr_assert_eq(mw_format_by_extension("a.csv"), mw_format_find("csv"));
	cr_assert_not_null(mw_format_find("din")->create);
	cr_assert_not_null(mw_format_find("csv")->create);
	cr_assert_null(mw_format_find("lackey")->create);
}

static void header_tensors(struct mw_trace_header *h, unsigned n, uint32_t u)
{
	unsigned i;

	mw_header_init(h);
	h->units = u;
	for (i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "T%u", i + 1);
		mw_header_add_tensor(h, name, 0x100000ull * i, 4096);
	}
}

/*
 * Converts path (any format) to out (format by extension) as `convert`
 * does, with native blocks of block records.
 */
static void convert(const char *path, const char *out, uint32_t block,
		    uint32_t units)
{
	struct mw_read_opts ro = {.units = units};
	struct mw_write_opts wo = {NULL, 0, block};
	struct mw_diag d;
	struct mw_stream *s = mw_trace_open(path, &ro, &d);
	struct mw_writer *w;
	struct mw_access buf[777];
	long n;

	cr_assert_not_null(s, "%s", d.msg);
	w = mw_trace_create(out, mw_stream_header(s), &wo, &d);
	cr_assert_not_null(w, "%s", d.msg);
	while ((n = mw_stream_read(s, buf, 777)) > 0)
		cr_assert_eq(mw_writer_write(w, buf, (size_t)n, &d), 0, "%s",
			     d.msg);
	cr_assert_eq(n, 0, "%s", mw_stream_diag(s)->msg);
	cr_assert_eq(mw_writer_commit(w, &d), 0, "%s", d.msg);
	mw_stream_destroy(s);
}

/*
 * mwt -> csv -> mwt (small blocks) -> csv.gz -> mwt: every field
 * survives, tensors by name; then mwt -> din(.gz) -> mwt keeps address,
 * size and op (din has no unit or tensor).
 */
Test(textfmt, round_trips_mwt_csv_din)
{
	enum {
		N = 20000
	};
	static const char *const chain[] = {".csv", ".mwt", ".csv.gz", ".mwt"};
	struct mw_trace_header h;
	struct mw_access *recs = malloc(N * sizeof(*recs)), *got;
	struct mw_rng rng;
	struct mw_diag d;
	char *paths[5], *din, *dingz, *back;
	struct mw_stream *s;
	size_t i;
	int k;

	mw_rng_seed(&rng, 42);
	th_random_records(&rng, recs, N, 8, 5);
	for (i = 0; i < N; i++)
		if (recs[i].addr > UINT64_MAX - 256)
			recs[i].addr -= 256;
	recs[0].unit = 7; /* every unit appears within the read-ahead */
	header_tensors(&h, 5, 8);
	paths[0] = th_temp_path(".mwt");
	cr_assert_eq(th_write_all(paths[0], "mwt", &h, recs, N, &d), 0, "%s",
		     d.msg);
	for (k = 0; k < 4; k++) {
		paths[k + 1] = th_temp_path(chain[k]);
		convert(paths[k], paths[k + 1], 1000 + 7u * (unsigned)k, 0);
	}
	s = mw_trace_open(paths[4], NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(mw_stream_header(s)->units, 8);
	cr_assert_eq(th_drain(s, &got), N);
	for (i = 0; i < N; i++) {
		cr_assert_eq(got[i].addr, recs[i].addr, "record %zu", i);
		cr_assert_eq(got[i].size, recs[i].size);
		cr_assert_eq(got[i].op, recs[i].op);
		cr_assert_eq(got[i].unit, recs[i].unit);
		cr_assert_str_eq(mw_header_tensor_name(mw_stream_header(s),
						       got[i].tensor),
				 mw_header_tensor_name(&h, recs[i].tensor));
	}
	free(got);
	mw_stream_destroy(s);
	din = th_temp_path(".din");
	dingz = th_temp_path(".din.gz");
	back = th_temp_path(".mwt");
	convert(paths[0], din, 0, 0);
	convert(din, dingz, 0, 0);
	convert(dingz, back, 333, 0);
	cr_assert_eq(th_read_all(back, NULL, &got, &d), N, "%s", d.msg);
	for (i = 0; i < N; i++) {
		cr_assert_eq(got[i].addr, recs[i].addr);
		cr_assert_eq(got[i].size, recs[i].size);
		cr_assert_eq(got[i].op, recs[i].op);
		cr_assert_eq(got[i].unit, 0);
		cr_assert_eq(got[i].tensor, 0);
	}
	free(got);
	for (k = 0; k < 5; k++)
		th_remove(paths[k]);
	th_remove(din);
	th_remove(dingz);
	th_remove(back);
	free(recs);
	mw_header_free(&h);
}

/* Empty traces survive every writer. */
Test(textfmt, empty_traces)
{
	static const char *const exts[] = {".mwt", ".din", ".csv", ".csv.gz",
					   ".din.gz"};
	struct mw_trace_header h;
	struct mw_access *got;
	struct mw_diag d;
	size_t k;

	mw_header_init(&h);
	for (k = 0; k < sizeof(exts) / sizeof(exts[0]); k++) {
		char *p = th_temp_path(exts[k]);
		struct mw_read_opts o = {
			.format = strstr(exts[k], "din") ? "din" : NULL};

		cr_assert_eq(th_write_all(p, NULL, &h, NULL, 0, &d), 0, "%s",
			     d.msg);
		cr_assert_eq(th_read_all(p, &o, &got, &d), 0, "%s %s", exts[k],
			     d.msg);
		free(got);
		th_remove(p);
	}
	mw_header_free(&h);
}
