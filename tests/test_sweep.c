/*
 * test_sweep.c - model/sweep (value lists, ranges, the cross product) and
 * the sweep runner (cli/sweep_run.c): rows whatever -j, skipped points,
 * interruption and resume, shards, errors.
 *
 * The evaluator here is a toy model of a tiled GEMM whose results are a
 * closed formula of the point, so every row can be checked; the points
 * are computed by the runner's forked workers.
 */
#include "cli/cli.h"
#include "cli/sweep_run.h"
#include "model/sweep.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- value lists and ranges ------------------------------------------ */

static void expect_values(const char *list, const char *const *want, size_t n)
{
	struct mw_diag d;
	char **v;
	long got = mw_sweep_expand(list, &v, &d);
	size_t i;

	cr_assert_eq(got, (long)n, "%s: got %ld values (%s)", list, got,
		     got < 0 ? d.msg : "");
	for (i = 0; i < n; i++)
		cr_assert_str_eq(v[i], want[i], "%s: value %zu", list, i);
	mw_sweep_free_values(v, n);
}

static void expect_error(const char *list, int code, const char *words)
{
	struct mw_diag d;
	char **v;
	long got = mw_sweep_expand(list, &v, &d);

	cr_assert_eq(got, code, "%s: got %ld, want %d", list, got, code);
	cr_assert(strstr(d.msg, words), "%s: message '%s' lacks '%s'", list,
		  d.msg, words);
}

Test(sweep, lists_and_ranges)
{
	static const char *const arith[] = {"64", "128", "192", "256"};
	static const char *const uneven[] = {"1", "5", "9"};
	static const char *const geom[] = {"16",  "32",	 "64",	"128",
					   "256", "512", "1024"};
	static const char *const geom3[] = {"1", "3", "9", "27"};
	static const char *const sizes[] = {"32MiB", "48MiB", "64MiB"};
	static const char *const ksizes[] = {"1536KiB", "3MiB", "6MiB",
					     "12MiB"};
	static const char *const odd[] = {"1000B", "2000B"};
	static const char *const tiles[] = {"64x64x32", "128x128x64",
					    "128x256x64"};
	static const char *const orders[] = {"row", "grouped:8", "col"};
	static const char *const mixed[] = {"1", "2", "3", "8", "16", "32"};
	static const char *const one[] = {"7"};

	expect_values("64:256:64", arith, 4);
	expect_values("1:10:4", uneven, 3);
	expect_values("16..1024*2", geom, 7);
	expect_values("1..30*3", geom3, 4);
	expect_values("32MiB:64MiB:16MiB", sizes, 3);
	expect_values("1536KiB..12MiB*2", ksizes, 4);
	expect_values("1000B:2000:1000", odd, 2);
	expect_values("64x64x32,128x128x64,128x256x64", tiles, 3);
	expect_values("row,grouped:8,col", orders, 3);
	expect_values("1:3:1,8..32*2", mixed, 6);
	expect_values("7", one, 1);
	expect_values("7:7:3", one, 1);
}

Test(sweep, range_errors)
{
	expect_error("1:10", MW_EPARSE, "no step");
	expect_error("10:1:1", MW_EPARSE, "above STOP");
	expect_error("1:5:0", MW_EPARSE, "step is 0");
	expect_error("a..b*2", MW_EPARSE, "whole numbers");
	expect_error("4..2*2", MW_EPARSE, "above STOP");
	expect_error("0..8*2", MW_EPARSE, "START >= 1");
	expect_error("1..8*1", MW_EPARSE, "FACTOR >= 2");
	expect_error("1..8", MW_EPARSE, "START..STOP*FACTOR");
	expect_error("", MW_EPARSE, "empty value");
	expect_error("a,,b", MW_EPARSE, "empty value");
	expect_error("64,128,64", MW_EINVAL, "'64' is given twice");
	expect_error("1:4:1,3", MW_EINVAL, "'3' is given twice");
	expect_error("1:9999999:1", MW_ERANGE, "more than");
	expect_error("a\tb", MW_EPARSE, "control character");
}

/* ---- the cross product ------------------------------------------------ */

Test(sweep, cross_product_order)
{
	struct mw_sweep *s = mw_sweep_create("gemm");
	struct mw_sweep_param params[8];
	struct mw_sweep_point p;
	struct mw_diag d;

	cr_assert_eq(mw_sweep_count(s), 1);
	cr_assert_eq(mw_sweep_vary(s, "a=1,2", &d), 0);
	cr_assert_eq(mw_sweep_set(s, "m=4096", &d), 0);
	cr_assert_eq(mw_sweep_vary(s, "b=x,y,z", &d), 0);
	cr_assert_eq(mw_sweep_add_hw(s, "h1", &d), 0);
	cr_assert_eq(mw_sweep_vary(s, "hw=h2", &d), 0);
	cr_assert_eq(mw_sweep_vary(s, "l2.size=40MiB,50MiB", &d), 0);
	cr_assert_eq(mw_sweep_count(s), 2 * 2 * 3 * 2);
	cr_assert_eq(mw_sweep_ncolumns(s), 5);
	cr_assert_str_eq(mw_sweep_column(s, 0), "hw");
	cr_assert_str_eq(mw_sweep_column(s, 1), "m");
	cr_assert_str_eq(mw_sweep_column(s, 2), "a");
	cr_assert_str_eq(mw_sweep_column(s, 3), "b");
	cr_assert_str_eq(mw_sweep_column(s, 4), "l2.size");
	cr_assert(mw_sweep_column_varies(s, 0));
	cr_assert(!mw_sweep_column_varies(s, 1));

	/* hw slowest, then a, b, l2.size (fastest). */
	cr_assert_eq(mw_sweep_point_at(s, 0, params, &p), 0);
	cr_assert_str_eq(p.hw, "h1");
	cr_assert_eq(p.nparams, 4);
	cr_assert_str_eq(p.params[0].name, "m");
	cr_assert_str_eq(p.params[0].value, "4096");
	cr_assert_str_eq(mw_sweep_point_get(&p, "a"), "1");
	cr_assert_str_eq(mw_sweep_point_get(&p, "b"), "x");
	cr_assert_str_eq(mw_sweep_point_get(&p, "l2.size"), "40MiB");
	cr_assert_eq(mw_sweep_point_at(s, 1, params, &p), 0);
	cr_assert_str_eq(mw_sweep_point_get(&p, "l2.size"), "50MiB");
	cr_assert_str_eq(mw_sweep_point_get(&p, "b"), "x");
	cr_assert_eq(mw_sweep_point_at(s, 2, params, &p), 0);
	cr_assert_str_eq(mw_sweep_point_get(&p, "b"), "y");
	cr_assert_eq(mw_sweep_point_at(s, 6, params, &p), 0);
	cr_assert_str_eq(mw_sweep_point_get(&p, "a"), "2");
	cr_assert_str_eq(mw_sweep_point_get(&p, "b"), "x");
	cr_assert_str_eq(p.hw, "h1");
	cr_assert_eq(mw_sweep_point_at(s, 23, params, &p), 0);
	cr_assert_str_eq(mw_sweep_point_get(&p, "hw"), "h2");
	cr_assert_str_eq(mw_sweep_point_get(&p, "a"), "2");
	cr_assert_str_eq(mw_sweep_point_get(&p, "b"), "z");
	cr_assert_str_eq(mw_sweep_point_get(&p, "l2.size"), "50MiB");
	cr_assert_null(mw_sweep_point_get(&p, "tile"));
	cr_assert_eq(mw_sweep_point_at(s, 24, params, &p), MW_EINVAL);
	cr_assert_eq(p.index, 23);
	cr_assert(mw_sweep_name_is_hw("l2.size"));
	cr_assert(!mw_sweep_name_is_hw("split-k"));
	mw_sweep_destroy(s);
}

/* The decoded points against nested loops, on several shapes. */
Test(sweep, cross_product_against_nested_loops)
{
	static const unsigned shapes[][3] = {
		{1, 1, 1}, {3, 1, 4}, {2, 5, 3}, {7, 2, 1}};
	size_t k;

	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		struct mw_sweep *s = mw_sweep_create("x");
		struct mw_diag d;
		char spec[256];
		unsigned i, j, l, n = 0, ax;

		for (ax = 0; ax < 3; ax++) {
			int len = snprintf(spec, sizeof(spec), "p%u=", ax);

			for (i = 0; i < shapes[k][ax]; i++)
				len += snprintf(spec + len, sizeof(spec) - len,
						"%sv%u", i ? "," : "", i);
			cr_assert_eq(mw_sweep_vary(s, spec, &d), 0, "%s",
				     d.msg);
		}
		for (i = 0; i < shapes[k][0]; i++)
			for (j = 0; j < shapes[k][1]; j++)
				for (l = 0; l < shapes[k][2]; l++, n++) {
					char w[3][16];

					snprintf(w[0], 16, "v%u", i);
					snprintf(w[1], 16, "v%u", j);
					snprintf(w[2], 16, "v%u", l);
					for (ax = 0; ax < 3; ax++)
						cr_assert_str_eq(
							mw_sweep_value_at(s, n,
									  ax),
							w[ax]);
				}
		cr_assert_eq(mw_sweep_count(s), n);
		mw_sweep_destroy(s);
	}
}

Test(sweep, spec_errors)
{
	struct mw_sweep *s = mw_sweep_create("gemm");
	struct mw_diag d;

	cr_assert_eq(mw_sweep_vary(s, "tile=64x64x32,128x128x64", &d), 0);
	cr_assert_eq(mw_sweep_vary(s, "tile=1,2", &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "already given"), "%s", d.msg);
	cr_assert_eq(mw_sweep_set(s, "tile=64x64x32", &d), MW_EINVAL);
	cr_assert_eq(mw_sweep_set(s, "hw=h100-sxm", &d), MW_EINVAL);
	cr_assert(strstr(d.msg, "--hw"), "%s", d.msg);
	cr_assert_eq(mw_sweep_vary(s, "point=1,2", &d), MW_EINVAL);
	cr_assert_eq(mw_sweep_vary(s, "tile", &d), MW_EPARSE);
	cr_assert_eq(mw_sweep_vary(s, "=1,2", &d), MW_EPARSE);
	cr_assert_eq(mw_sweep_vary(s, "a b=1", &d), MW_EPARSE);
	cr_assert_eq(mw_sweep_set(s, "m=", &d), MW_EPARSE);
	cr_assert_eq(mw_sweep_vary(s, "n=1:10", &d), MW_EPARSE);
	cr_assert(strstr(d.msg, "--vary n: range '1:10' has no step"), "%s",
		  d.msg);
	cr_assert_eq(mw_sweep_add_hw(s, "h100-sxm", &d), 0);
	cr_assert_eq(mw_sweep_add_hw(s, "h100-sxm", &d), MW_EINVAL);
	cr_assert_eq(mw_sweep_add_hw(s, "a,b", &d), MW_EPARSE);
	cr_assert_eq(mw_sweep_vary(s, "m=1:5000:1", &d), 0);
	cr_assert_eq(mw_sweep_vary(s, "n=1:10000:1", &d), 0);
	cr_assert_eq(mw_sweep_count(s), MW_SWEEP_POINTS_MAX);
	cr_assert_eq(mw_sweep_vary(s, "k=1:2:1", &d), MW_ERANGE);
	cr_assert_eq(mw_sweep_add_hw(s, "a100", &d), MW_ERANGE);
	cr_assert_eq(mw_sweep_count(s), MW_SWEEP_POINTS_MAX);
	mw_sweep_destroy(s);
	mw_sweep_destroy(NULL);
}

Test(sweep, shard_syntax)
{
	uint64_t i, n;

	cr_assert_eq(mw_sweep_parse_shard("0/4", &i, &n), 0);
	cr_assert_eq(i, 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(mw_sweep_parse_shard("3/4", &i, &n), 0);
	cr_assert_eq(i, 3);
	cr_assert_eq(mw_sweep_parse_shard("0/1", &i, &n), 0);
	cr_assert_eq(mw_sweep_parse_shard("4/4", &i, &n), MW_EPARSE);
	cr_assert_eq(mw_sweep_parse_shard("1/0", &i, &n), MW_EPARSE);
	cr_assert_eq(mw_sweep_parse_shard("1", &i, &n), MW_EPARSE);
	cr_assert_eq(mw_sweep_parse_shard("/4", &i, &n), MW_EPARSE);
	cr_assert_eq(mw_sweep_parse_shard("0x1/4", &i, &n), MW_EPARSE);
	cr_assert_eq(mw_sweep_parse_shard("-1/4", &i, &n), MW_EPARSE);
}

/* ---- the runner --------------------------------------------------------- */

/*
 * A toy tiled GEMM: m, tile AxBxC.  Invalid when a tile side exceeds m.
 * bytes_read = m*m*4 * (m/A + m/B) / m... kept simple and exact; time
 * grows with bytes and a per-tile cost.  Modes make it misbehave.
 */
struct toy {
	int mode;	  /* see TOY_* */
	uint64_t trigger; /* point index the mode acts on */
	pid_t parent;	  /* for TOY_INTERRUPT */
};

enum {
	TOY_PLAIN,
	TOY_SHUFFLE,   /* sleeps so that points finish out of order */
	TOY_INTERRUPT, /* SIGINT to the parent after point trigger */
	TOY_FAIL,      /* MW_EIO on point trigger */
	TOY_CRASH,     /* the worker dies on point trigger */
	TOY_NEWMETRIC  /* point trigger reports an extra metric */
};

static int toy_eval(void *ctx, const struct mw_sweep_point *p,
		    struct mw_results *out, struct mw_diag *d)
{
	const struct toy *t = ctx;
	const char *ms = mw_sweep_point_get(p, "m");
	const char *tile = mw_sweep_point_get(p, "tile");
	const char *hw = p->hw ? p->hw : "base";
	unsigned long long m = ms ? strtoull(ms, NULL, 10) : 256;
	unsigned a = 64, b = 64, c = 32;
	uint64_t bytes;

	if (tile && sscanf(tile, "%ux%ux%u", &a, &b, &c) != 3)
		return mw_diag_set(d, MW_ECONFIG, "", 0, "bad tile '%s'", tile);
	if (a > m || b > m || c > m)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "tile %s larger than the matrix (m=%llu)",
				   tile, m);
	if (t->mode == TOY_SHUFFLE)
		usleep((useconds_t)(((p->index * 7919) % 5) * 2000));
	if (t->mode == TOY_FAIL && p->index == t->trigger)
		return mw_diag_set(d, MW_EIO, "model.dat", 3, "disk on fire");
	if (t->mode == TOY_CRASH && p->index == t->trigger)
		_exit(9);
	bytes = m * m * 2 * (m / a + m / b) + (hw[0] == 'b' ? 0 : 1000);
	mw_results_add_u64(out, "memory", "bytes_read", bytes);
	mw_results_add_u64(out, "memory", "bytes_written", m * m * 2);
	mw_results_add_f64(out, "time", "total_ns",
			   (double)bytes / 3.35e3 + 10.0 * (m / c));
	mw_results_add_text(out, "time", "bound", a >= 128 ? "memory" : "L2");
	if (t->mode == TOY_NEWMETRIC && p->index == t->trigger)
		mw_results_add_u64(out, "l2", "surprise", 1);
	if (t->mode == TOY_INTERRUPT && p->index == t->trigger)
		kill(t->parent, SIGINT);
	return 0;
}

static struct mw_sweep *toy_sweep(void)
{
	struct mw_sweep *s = mw_sweep_create("toy");
	struct mw_diag d;

	cr_assert_eq(mw_sweep_add_hw(s, "base", &d), 0);
	cr_assert_eq(mw_sweep_add_hw(s, "big", &d), 0);
	cr_assert_eq(mw_sweep_set(s, "dtype=fp16", &d), 0);
	cr_assert_eq(mw_sweep_vary(s, "m=128..1024*2", &d), 0);
	cr_assert_eq(mw_sweep_vary(s,
				   "tile=64x64x32,128x128x64,256x128x64,"
				   "64x256x32",
				   &d),
		     0);
	cr_assert_eq(mw_sweep_count(s), 2 * 4 * 4);
	return s;
}

/* Invalid toy points: tile side > m.  m=128: 256x128x64, 64x256x32. */
#define TOY_SKIPPED (2 * 2)

static int run_toy(const struct mw_sweep *s, struct toy *t, unsigned jobs,
		   uint64_t shard, uint64_t nshards, bool resume,
		   const char *csv, struct cli_sweep_stats *st)
{
	struct cli_sweep_opts o;

	memset(&o, 0, sizeof(o));
	o.sweep = s;
	o.eval = toy_eval;
	o.ctx = t;
	o.jobs = jobs;
	o.shard = shard;
	o.nshards = nshards;
	o.resume = resume;
	o.csv = csv;
	return cli_sweep_run(&o, st);
}

static char *slurp(const char *path)
{
	size_t len;
	char *s = th_slurp(path, &len);

	cr_assert_not_null(s, "cannot read %s", path);
	return s;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(sweep_run, rows_and_skipped_points)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_PLAIN, 0, 0};
	struct cli_sweep_stats st;
	char *csv = th_temp_path(".csv"), *text, *line;

	cr_assert_eq(run_toy(s, &t, 2, 0, 1, false, csv, &st), 0);
	cr_assert_eq(st.points, 32);
	cr_assert_eq(st.skipped, TOY_SKIPPED);
	cr_assert_eq(st.rows, 32 - TOY_SKIPPED);
	cr_assert_eq(st.resumed, 0);
	cr_assert_eq(st.dropped, 0);
	text = slurp(csv);
	cr_assert_eq(count_lines(text), 1 + 32 - TOY_SKIPPED);
	line = strtok(text, "\n");
	cr_assert_str_eq(line, "point,hw,dtype,m,tile,memory.bytes_read,"
			       "memory.bytes_written,time.total_ns,"
			       "time.bound");
	/* point 0: base, m=128, tile 64x64x32: 128*128*2*(2+2) */
	line = strtok(NULL, "\n");
	cr_assert_str_eq(line, "0,base,fp16,128,64x64x32,131072,32768,"
			       "79.1259701,L2");
	line = strtok(NULL, "\n");
	cr_assert(!strncmp(line, "1,base,fp16,128,128x128x64,", 27), "%s",
		  line);
	line = strtok(NULL, "\n");
	cr_assert(!strncmp(line, "4,base,fp16,256,64x64x32,", 25),
		  "points 2 and 3 are invalid: %s", line);
	free(text);
	th_remove(csv);
	mw_sweep_destroy(s);
}

Test(sweep_run, same_rows_whatever_jobs)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_SHUFFLE, 0, 0};
	char *ref_path = th_temp_path(".csv"), *ref;
	static const unsigned jobs[] = {2, 4, 7};
	size_t k;

	cr_assert_eq(run_toy(s, &t, 1, 0, 1, false, ref_path, NULL), 0);
	ref = slurp(ref_path);
	for (k = 0; k < 3; k++) {
		char *p = th_temp_path(".csv"), *text;

		cr_assert_eq(run_toy(s, &t, jobs[k], 0, 1, false, p, NULL), 0);
		text = slurp(p);
		cr_assert_str_eq(text, ref, "-j %u differs from -j 1", jobs[k]);
		free(text);
		th_remove(p);
	}
	free(ref);
	th_remove(ref_path);
	mw_sweep_destroy(s);
}

/* Shard files concatenated (header once) and sorted by point = whole. */
Test(sweep_run, shards_make_the_whole)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_PLAIN, 0, 0};
	char *whole_path = th_temp_path(".csv"), *whole;
	char *lines[64];
	size_t nlines = 0, i, total_points = 0;
	char *sorted[64] = {0};
	uint64_t k, n = 3;

	cr_assert_eq(run_toy(s, &t, 2, 0, 1, false, whole_path, NULL), 0);
	whole = slurp(whole_path);
	for (k = 0; k < n; k++) {
		char *p = th_temp_path(".csv"), *text, *line, *save = NULL;
		struct cli_sweep_stats st;
		bool header = true;

		cr_assert_eq(run_toy(s, &t, 2, k, n, false, p, &st), 0);
		total_points += st.points;
		text = slurp(p);
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (header) {
				cr_assert(!strncmp(whole, line, strlen(line)));
				header = false;
				continue;
			}
			cr_assert_eq(strtoull(line, NULL, 10) % n, k);
			lines[nlines++] = strdup(line);
		}
		free(text);
		th_remove(p);
	}
	cr_assert_eq(total_points, 32);
	for (i = 0; i < nlines; i++)
		sorted[strtoull(lines[i], NULL, 10)] = lines[i];
	{
		char *p = strchr(whole, '\n') + 1;

		for (i = 0; i < 64; i++) {
			size_t len;

			if (!sorted[i])
				continue;
			len = strlen(sorted[i]);
			cr_assert(!strncmp(p, sorted[i], len) && p[len] == '\n',
				  "row %zu differs", i);
			p += len + 1;
			free(sorted[i]);
		}
		cr_assert_eq(*p, '\0', "the whole has more rows");
	}
	free(whole);
	th_remove(whole_path);
	mw_sweep_destroy(s);
}

/* Stopped after a few rows, resumed: the same file as one run. */
Test(sweep_run, resume_after_limit)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_SHUFFLE, 0, 0};
	struct cli_sweep_opts o;
	struct cli_sweep_stats st;
	char *ref_path = th_temp_path(".csv"), *p = th_temp_path(".csv");
	char *ref, *text;

	cr_assert_eq(run_toy(s, &t, 3, 0, 1, false, ref_path, NULL), 0);
	ref = slurp(ref_path);
	memset(&o, 0, sizeof(o));
	o.sweep = s;
	o.eval = toy_eval;
	o.ctx = &t;
	o.jobs = 3;
	o.nshards = 1;
	o.csv = p;
	o.max_rows = 5;
	cr_assert_eq(cli_sweep_run(&o, &st), 0);
	cr_assert(st.interrupted);
	cr_assert_eq(st.rows, 5);
	text = slurp(p);
	cr_assert_eq(count_lines(text), 6);
	cr_assert(!strncmp(text, ref, strlen(text)), "not a prefix");
	free(text);
	/* A second partial step, then the rest. */
	o.resume = true;
	cr_assert_eq(cli_sweep_run(&o, &st), 0);
	cr_assert_eq(st.resumed, 5);
	cr_assert_eq(st.rows, 5);
	o.max_rows = 0;
	cr_assert_eq(cli_sweep_run(&o, &st), 0);
	cr_assert_eq(st.resumed, 10);
	cr_assert_eq(st.rows, 32 - TOY_SKIPPED - 10);
	cr_assert(!st.interrupted);
	text = slurp(p);
	cr_assert_str_eq(text, ref);
	free(text);
	/* Resuming a complete sweep runs nothing but the skipped points. */
	cr_assert_eq(cli_sweep_run(&o, &st), 0);
	cr_assert_eq(st.rows, 0);
	cr_assert_eq(st.skipped, TOY_SKIPPED);
	text = slurp(p);
	cr_assert_str_eq(text, ref);
	free(text);
	free(ref);
	th_remove(ref_path);
	th_remove(p);
	mw_sweep_destroy(s);
}

/* A real SIGINT part way (sent by a worker to the sweep), then resume. */
Test(sweep_run, resume_after_interrupt)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_PLAIN, 0, 0};
	struct cli_sweep_stats st;
	char *ref_path = th_temp_path(".csv"), *p = th_temp_path(".csv");
	char *ref, *text;

	cr_assert_eq(run_toy(s, &t, 2, 0, 1, false, ref_path, NULL), 0);
	ref = slurp(ref_path);
	cli_catch_interrupts();
	t.mode = TOY_INTERRUPT;
	t.trigger = 12;
	t.parent = getpid();
	/* One worker: point 12 starts after 0..11 are written. */
	cr_assert_eq(run_toy(s, &t, 1, 0, 1, false, p, &st),
		     CLI_EXIT_INTERRUPTED);
	cr_assert(st.interrupted);
	cr_assert_geq(st.rows, 10);
	cr_assert_lt(st.rows + st.skipped, 32);
	text = slurp(p);
	cr_assert_eq(count_lines(text), 1 + st.rows);
	cr_assert(!strncmp(text, ref, strlen(text)), "not a prefix:\n%s", text);
	free(text);
	cli_interrupted = 0;
	t.mode = TOY_PLAIN;
	cr_assert_eq(run_toy(s, &t, 4, 0, 1, true, p, &st), 0);
	cr_assert_gt(st.resumed, 0);
	text = slurp(p);
	cr_assert_str_eq(text, ref);
	free(text);
	free(ref);
	th_remove(ref_path);
	th_remove(p);
	mw_sweep_destroy(s);
}

/* A sweep in another process killed from outside (SIGTERM), resumed. */
Test(sweep_run, killed_sweep_resumes)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_SHUFFLE, 0, 0};
	char *ref_path = th_temp_path(".csv"), *p = th_temp_path(".csv");
	char *ref, *text;
	int st;
	pid_t pid;

	cr_assert_eq(run_toy(s, &t, 2, 0, 1, false, ref_path, NULL), 0);
	ref = slurp(ref_path);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		cli_catch_interrupts();
		_exit(run_toy(s, &t, 2, 0, 1, false, p, NULL));
	}
	usleep(25000);
	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st));
	cr_assert(WEXITSTATUS(st) == CLI_EXIT_INTERRUPTED ||
		  WEXITSTATUS(st) == 0);
	text = slurp(p);
	cr_assert(!strncmp(text, ref, strlen(text)), "not a prefix");
	free(text);
	cr_assert_eq(run_toy(s, &t, 2, 0, 1, true, p, NULL), 0);
	text = slurp(p);
	cr_assert_str_eq(text, ref);
	free(text);
	free(ref);
	th_remove(ref_path);
	th_remove(p);
	mw_sweep_destroy(s);
}

Test(sweep_run, resume_checks_the_file)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_PLAIN, 0, 0};
	static const char *const bad[] = {
		"point,hw,dtype,m,tile,x.y\n0,base,fp16,128,64x64x32,1\n"
		"0,base,fp16,128,64x64x32,1\n",
		"point,hw,dtype,n,tile,x.y\n",
		"point,hw,dtype,m,tile,x.y\n1,base,fp16,256,64x64x32,1\n",
		"point,hw,dtype,m,tile,x.y\n99,base,fp16,256,64x64x32,1\n",
		"point,hw,dtype,m,tile,x.y\n0,base,fp16,128,64x64x32\n",
		"point,hw,dtype,m,tile,x.y\n0,base,fp16,128,\"64x64x32,1\n",
	};
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char *p = th_temp_file(".csv", bad[k], strlen(bad[k]));
		char *text;

		cr_assert_eq(run_toy(s, &t, 1, 0, 1, true, p, NULL),
			     CLI_EXIT_FAIL, "case %zu", k);
		text = slurp(p);
		cr_assert_str_eq(text, bad[k], "case %zu: file changed", k);
		free(text);
		th_remove(p);
	}
	/* Right sweep but another shard's point. */
	{
		const char *other = "point,hw,dtype,m,tile,x.y\n"
				    "1,base,fp16,128,128x128x64,1\n";
		char *p = th_temp_file(".csv", other, strlen(other));

		cr_assert_eq(run_toy(s, &t, 1, 0, 2, true, p, NULL),
			     CLI_EXIT_FAIL);
		th_remove(p);
	}
	mw_sweep_destroy(s);
}

/* An evaluator error stops the sweep; the rows before it are kept. */
Test(sweep_run, errors_stop_and_keep_rows)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_FAIL, 9, 0};
	struct cli_sweep_stats st;
	char *p = th_temp_path(".csv"), *text;

	cr_assert_eq(run_toy(s, &t, 2, 0, 1, false, p, &st), CLI_EXIT_FAIL);
	text = slurp(p);
	/* points 0..8 minus the 2 invalid ones, all in order before 9. */
	cr_assert_eq(count_lines(text), 1 + 7, "%s", text);
	cr_assert_eq(st.rows, 7);
	free(text);
	t.mode = TOY_CRASH;
	cr_assert_eq(run_toy(s, &t, 3, 0, 1, true, p, &st), CLI_EXIT_FAIL);
	cr_assert_eq(st.resumed, 7);
	t.mode = TOY_PLAIN;
	cr_assert_eq(run_toy(s, &t, 3, 0, 1, true, p, &st), 0);
	text = slurp(p);
	cr_assert_eq(count_lines(text), 1 + 32 - TOY_SKIPPED);
	free(text);
	th_remove(p);
	mw_sweep_destroy(s);
}

Test(sweep_run, later_metrics_are_dropped)
{
	struct mw_sweep *s = toy_sweep();
	struct toy t = {TOY_NEWMETRIC, 5, 0};
	struct cli_sweep_stats st;
	char *p = th_temp_path(".csv"), *text;

	cr_assert_eq(run_toy(s, &t, 2, 0, 1, false, p, &st), 0);
	cr_assert_eq(st.dropped, 1);
	text = slurp(p);
	cr_assert_null(strstr(text, "surprise"));
	free(text);
	th_remove(p);
	mw_sweep_destroy(s);
}

/* ---- the command line ---------------------------------------------------- */

static struct toy cmd_toy = {TOY_PLAIN, 0, 0};

static int get_toy(const char *kernel, mw_sweep_eval *eval, void **ctx,
		   struct mw_diag *d)
{
	if (strcmp(kernel, "toy"))
		return mw_diag_set(d, MW_ECONFIG, "", 0, "unknown kernel '%s'",
				   kernel);
	*eval = toy_eval;
	*ctx = &cmd_toy;
	return 0;
}

static int run_cmd(const char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cli_sweep_main(argc, (char **)argv, get_toy);
}

Test(sweep_cmd, summary_and_csv)
{
	char *p = th_temp_path(".csv"), *out = th_temp_path(".txt"), *text;
	const char *argv[] = {"memwall sweep",
			      "toy",
			      "--vary",
			      "m=256,512",
			      "--vary",
			      "tile=64x64x32,128x128x64",
			      "-j",
			      "2",
			      "--csv",
			      p,
			      NULL};
	FILE *f = freopen(out, "w", stdout);

	cr_assert_not_null(f);
	cr_assert_eq(run_cmd(argv), 0);
	fflush(stdout);
	text = slurp(out);
	cr_assert(strstr(text, "sweep toy: 4 points in this shard, 4 rows"),
		  "%s", text);
	cr_assert(strstr(text, "time.total_ns"), "%s", text);
	cr_assert(strstr(text, "memory.bytes_read"), "%s", text);
	/* best bytes: m=256 tile 128x128x64 = 256*256*2*4 = 512 KiB */
	cr_assert(strstr(text, "512 KiB"), "%s", text);
	cr_assert(strstr(text, "1 (m=256 tile=128x128x64)"), "%s", text);
	free(text);
	text = slurp(p);
	cr_assert_eq(count_lines(text), 5);
	cr_assert(!strncmp(text, "point,m,tile,memory.bytes_read,", 31));
	free(text);
	th_remove(p);
	th_remove(out);
}

Test(sweep_cmd, unknown_kernel_fails)
{
	char *p = th_temp_path(".csv");
	const char *argv[] = {"memwall sweep", "gemm", "--vary", "m=1,2",
			      "--csv",	       p,      NULL};

	cr_assert_eq(run_cmd(argv), CLI_EXIT_FAIL);
	cr_assert_eq(access(p, F_OK), -1, "no CSV for an unknown kernel");
	free(p);
}

Test(sweep_cmd, bad_vary_is_a_usage_error)
{
	const char *argv[] = {"memwall sweep", "toy",	    "--vary", "m=1:9",
			      "--csv",	       "/dev/null", NULL};

	cr_assert_eq(run_cmd(argv), CLI_EXIT_USAGE);
}

Test(sweep_cmd, shipped_evaluator_knows_the_kernels)
{
	mw_sweep_eval eval;
	void *ctx;
	struct mw_diag d;

	cr_assert_eq(cli_sweep_evaluator("gemm", &eval, &ctx, &d), 0);
	cr_assert_not_null(eval);
	cli_sweep_evaluator_free(ctx);
	cr_assert_eq(cli_sweep_evaluator("nokernel", &eval, &ctx, &d),
		     MW_ECONFIG);
	cr_assert(strstr(d.msg, "nokernel"));
}

Test(sweep_cmd, bad_shard_exits_2, .exit_code = 2)
{
	const char *argv[] = {"memwall sweep", "toy",	    "--shard", "4/4",
			      "--csv",	       "/dev/null", NULL};

	argp_err_exit_status = CLI_EXIT_USAGE;
	run_cmd(argv);
}
