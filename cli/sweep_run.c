/*
 * sweep_run.c - running a sweep in worker processes, one CSV row a point.
 *
 * Notes:
 *  - Workers are forked processes, not threads: an evaluator need not be
 *    thread-safe, and a crash in one point cannot corrupt the others.
 *    Each worker has a task pipe (point indices, 8 bytes each) and a
 *    result pipe (a header then the results as "scope\0metric\0value\0"
 *    triples, or the error message).  One point is outstanding per
 *    worker, so the points balance themselves over the workers.
 *  - Rows are written in point order whatever the number of workers: a
 *    reorder buffer holds results that finish early.  No point is handed
 *    out more than WINDOW positions ahead of the oldest unwritten one, so
 *    the buffer stays bounded when one point is slow.
 *  - The CSV goes to a temporary file beside the target, row by row, and
 *    is renamed onto the target at the end, on an interrupt and on an
 *    error; an interrupted sweep therefore leaves a complete CSV of a
 *    prefix of its points.
 *  - Columns: "point" (the index in the whole cross product), the
 *    parameter columns of the sweep, then the result columns
 *    "scope.metric" in the order the first row's evaluator reported them.
 *    They are fixed when the first row is written (or read back by
 *    --resume): a later point without a metric gets an empty field, a
 *    metric that has no column is dropped (counted, warned about once).
 *  - --resume keeps every row of the existing file (checked against the
 *    sweep: same parameter columns, each point's values as the sweep
 *    defines them, no point twice) and appends the missing points in
 *    order; resuming an interrupted sweep thus yields the same file as an
 *    uninterrupted run.  Skipped points have no row and are retried.
 *  - MW_EINVAL from the evaluator = the point is invalid for the kernel:
 *    skipped and counted.  Any other error, or a worker that dies, stops
 *    the sweep as an interrupt does (rows done kept, exit status 1).
 */
#include "cli/sweep_run.h"

#include "cli/cli.h"
#include "cli/table.h"
#include "common/units.h"
#include "traces/output.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WINDOW_PER_JOB 16

struct msg_head {
	uint64_t index;
	int32_t rc;
	uint32_t len;
};

struct worker {
	pid_t pid;
	int task_fd;   /* parent writes point indices */
	int result_fd; /* parent reads results */
	bool busy;
	uint64_t seq; /* position in the run order of the outstanding point */
};

struct slot {
	bool ready;
	uint64_t index;
	int rc;
	char *payload; /* malloc'd */
	uint32_t len;
};

/* Summary of one metric over the rows. */
struct extreme {
	const char *metric;
	long col; /* result column, -1 = absent */
	bool any;
	double best, worst;
	char *best_point; /* malloc'd description */
};

struct run {
	const struct cli_sweep_opts *o;
	struct cli_sweep_stats *st;
	struct mw_output *out;
	size_t nparams;	  /* parameter columns */
	char **rcols;	  /* result column names, malloc'd */
	size_t nrcols;	  /* result columns */
	bool header_done; /* header written */
	uint64_t *done;	  /* sorted point indices held by the CSV */
	size_t ndone, capdone;
	char first_skip[MW_DIAG_MSG + 128];
	bool warned_drop;
	struct extreme ext[2];
	char *rowbuf;
	size_t rowcap;
};

/* ---- pipes --------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 1 = read n bytes, 0 = end of file before any, -1 = error/short. */
static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, c + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return got ? -1 : 0;
		got += (size_t)r;
	}
	return 1;
}

/* ---- the worker ---------------------------------------------------- */

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s) + 1;

	if (*len + n > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 4096) + n;
		char *nb = realloc(*buf, ncap);

		if (!nb)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	return 0;
}

static void worker_point(const struct cli_sweep_opts *o, int out_fd,
			 uint64_t index, struct mw_sweep_param *params)
{
	struct mw_sweep_point p;
	struct mw_results *r = mw_results_create();
	struct msg_head h = {index, 0, 0};
	struct mw_diag d;
	char *buf = NULL, val[512], diag[MW_DIAG_FILE + MW_DIAG_MSG + 64];
	size_t len = 0, cap = 0, i;

	mw_diag_clear(&d);
	if (!r) {
		h.rc = MW_ENOMEM;
		mw_diag_set(&d, MW_ENOMEM, "", 0, "out of memory");
	} else if (mw_sweep_point_at(o->sweep, index, params, &p)) {
		h.rc = mw_diag_set(&d, MW_EINVAL, "", 0, "no point %llu",
				   (unsigned long long)index);
	} else {
		h.rc = o->eval(o->ctx, &p, r, &d);
	}
	if (h.rc == 0) {
		for (i = 0; i < mw_results_count(r); i++) {
			const struct mw_result *res = mw_results_get(r, i);

			if (append(&buf, &len, &cap, res->scope) ||
			    append(&buf, &len, &cap, res->metric) ||
			    append(&buf, &len, &cap,
				   mw_result_value(res, val, sizeof(val)))) {
				h.rc = mw_diag_set(&d, MW_ENOMEM, "", 0,
						   "out of memory");
				break;
			}
		}
	}
	if (h.rc != 0) {
		if (h.rc > 0 || h.rc < MW_ERR_MIN)
			h.rc = MW_ECONFIG; /* not an mw_err: an error */
		if (!d.code)
			d.code = h.rc;
		len = 0;
		if (append(&buf, &len, &cap,
			   mw_diag_format(&d, diag, sizeof(diag))))
			len = 0;
	}
	h.len = (uint32_t)len;
	if (write_all(out_fd, &h, sizeof(h)) || write_all(out_fd, buf, len))
		_exit(3);
	free(buf);
	mw_results_destroy(r);
}

static void worker_main(const struct cli_sweep_opts *o, int in_fd, int out_fd)
{
	struct mw_sweep_param *params =
		calloc(mw_sweep_ncolumns(o->sweep) + 1, sizeof(*params));
	uint64_t index;

	/* The parent decides about interrupts and stops the workers. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (!params)
		_exit(2);
	while (read_all(in_fd, &index, sizeof(index)) == 1)
		worker_point(o, out_fd, index, params);
	free(params);
	_exit(0);
}

static int spawn(const struct cli_sweep_opts *o, struct worker *w, unsigned n)
{
	int tp[2], rp[2];
	unsigned i;

	if (pipe(tp))
		return -1;
	if (pipe(rp)) {
		close(tp[0]);
		close(tp[1]);
		return -1;
	}
	fflush(NULL);
	w[n].pid = fork();
	if (w[n].pid < 0) {
		close(tp[0]);
		close(tp[1]);
		close(rp[0]);
		close(rp[1]);
		return -1;
	}
	if (w[n].pid == 0) {
		for (i = 0; i < n; i++) {
			close(w[i].task_fd);
			close(w[i].result_fd);
		}
		close(tp[1]);
		close(rp[0]);
		worker_main(o, tp[0], rp[1]);
	}
	close(tp[0]);
	close(rp[1]);
	w[n].task_fd = tp[1];
	w[n].result_fd = rp[0];
	w[n].busy = false;
	return 0;
}

/* Stops and reaps the workers; kill = do not wait for them to finish. */
static void stop_workers(struct worker *w, unsigned n, bool kill_them)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		close(w[i].task_fd);
		if (kill_them)
			kill(w[i].pid, SIGTERM);
	}
	for (i = 0; i < n; i++) {
		while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(w[i].result_fd);
	}
}

/* ---- rows ---------------------------------------------------------- */

static int emit(struct run *r, const char *const *fields, size_t n)
{
	struct mw_diag d;
	size_t need = 2, i;
	long len;

	for (i = 0; i < n; i++)
		need += 2 * strlen(fields[i]) + 3;
	if (need > r->rowcap) {
		char *nb = realloc(r->rowbuf, need);

		if (!nb) {
			cli_error("out of memory");
			return -1;
		}
		r->rowbuf = nb;
		r->rowcap = need;
	}
	len = cli_csv_row(r->rowbuf, r->rowcap, fields, n);
	if (len < 0 || mw_output_write(r->out, r->rowbuf, (size_t)len, &d)) {
		if (len >= 0)
			cli_error_diag(&d);
		else
			cli_error("%s: a row does not fit", r->o->csv);
		return -1;
	}
	return 0;
}

static int write_header(struct run *r)
{
	size_t n = 1 + r->nparams + r->nrcols, i;
	const char **f = calloc(n, sizeof(*f));
	int err;

	if (!f) {
		cli_error("out of memory");
		return -1;
	}
	f[0] = "point";
	for (i = 0; i < r->nparams; i++)
		f[1 + i] = mw_sweep_column(r->o->sweep, i);
	for (i = 0; i < r->nrcols; i++)
		f[1 + r->nparams + i] = r->rcols[i];
	err = emit(r, f, n);
	free(f);
	r->header_done = true;
	return err;
}

/* "12 (tile=64x64x32 order=grouped:8)": the varied parameters. */
static char *describe(const struct mw_sweep *s, uint64_t index)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	fprintf(f, "%llu", (unsigned long long)index);
	for (i = 0; i < mw_sweep_ncolumns(s); i++) {
		if (!mw_sweep_column_varies(s, i))
			continue;
		fprintf(f, "%s%s=%s", first ? " (" : " ", mw_sweep_column(s, i),
			mw_sweep_value_at(s, index, i));
		first = false;
	}
	if (!first)
		fputc(')', f);
	fclose(f);
	return buf;
}

static void track(struct run *r, uint64_t index, const char *const *rvals)
{
	size_t k;

	for (k = 0; k < 2; k++) {
		struct extreme *e = &r->ext[k];
		char *end;
		double v;

		if (e->col < 0 || !rvals[e->col] || !*rvals[e->col])
			continue;
		v = strtod(rvals[e->col], &end);
		if (*end || !isfinite(v))
			continue;
		if (!e->any || v < e->best) {
			free(e->best_point);
			e->best_point = describe(r->o->sweep, index);
			e->best = v;
		}
		if (!e->any || v > e->worst)
			e->worst = v;
		e->any = true;
	}
}

static void find_extremes(struct run *r)
{
	size_t k, i;

	for (k = 0; k < 2; k++) {
		r->ext[k].col = -1;
		for (i = 0; i < r->nrcols; i++)
			if (!strcmp(r->rcols[i], r->ext[k].metric))
				r->ext[k].col = (long)i;
	}
}

/* Writes point index with result values rvals (nrcols, NULL = empty). */
static int write_row(struct run *r, uint64_t index, const char *const *rvals)
{
	size_t n = 1 + r->nparams + r->nrcols, i;
	const char **f = calloc(n, sizeof(*f));
	char num[24];
	int err;

	if (!f) {
		cli_error("out of memory");
		return -1;
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)index);
	f[0] = num;
	for (i = 0; i < r->nparams; i++)
		f[1 + i] = mw_sweep_value_at(r->o->sweep, index, i);
	for (i = 0; i < r->nrcols; i++)
		f[1 + r->nparams + i] = rvals[i] ? rvals[i] : "";
	err = emit(r, f, n);
	free(f);
	track(r, index, rvals);
	return err;
}

static bool is_param_column(const struct run *r, const char *name)
{
	size_t i;

	if (!strcmp(name, "point"))
		return true;
	for (i = 0; i < r->nparams; i++)
		if (!strcmp(name, mw_sweep_column(r->o->sweep, i)))
			return true;
	return false;
}

/* Fixes the result columns from the first successful point. */
static int fix_columns(struct run *r, const char *payload, uint32_t len)
{
	const char *p = payload, *end = payload + len;
	size_t cap = 0;

	while (p < end) {
		const char *scope = p, *metric = scope + strlen(scope) + 1;
		const char *value = metric + strlen(metric) + 1;
		size_t n = strlen(scope) + strlen(metric) + 2, i;
		char *name = malloc(n);
		bool dup = false;

		if (!name)
			return -1;
		snprintf(name, n, "%s.%s", scope, metric);
		for (i = 0; i < r->nrcols && !dup; i++)
			dup = !strcmp(r->rcols[i], name);
		if (dup || is_param_column(r, name)) {
			free(name);
		} else {
			if (r->nrcols == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				char **nc =
					realloc(r->rcols, ncap * sizeof(*nc));

				if (!nc) {
					free(name);
					return -1;
				}
				r->rcols = nc;
				cap = ncap;
			}
			r->rcols[r->nrcols++] = name;
		}
		p = value + strlen(value) + 1;
	}
	find_extremes(r);
	return 0;
}

static int write_result(struct run *r, uint64_t index, const char *payload,
			uint32_t len)
{
	const char *p = payload, *end = payload + len;
	const char **vals;
	size_t hint = 0;
	int err;

	if (!r->header_done) {
		if (fix_columns(r, payload, len)) {
			cli_error("out of memory");
			return -1;
		}
		if (write_header(r))
			return -1;
	}
	vals = calloc(r->nrcols + 1, sizeof(*vals));
	if (!vals) {
		cli_error("out of memory");
		return -1;
	}
	while (p < end) {
		const char *scope = p, *metric = scope + strlen(scope) + 1;
		const char *value = metric + strlen(metric) + 1;
		size_t sl = strlen(scope), i, k;
		bool found = false;

		/* Points usually report in the same order: try hint first. */
		for (k = 0; k < r->nrcols && !found; k++) {
			i = (hint + k) % r->nrcols;
			if (!strncmp(r->rcols[i], scope, sl) &&
			    r->rcols[i][sl] == '.' &&
			    !strcmp(r->rcols[i] + sl + 1, metric)) {
				if (!vals[i])
					vals[i] = value;
				hint = i + 1;
				found = true;
			}
		}
		if (!found) {
			r->st->dropped++;
			if (!r->warned_drop)
				cli_warn("point %llu reports %s.%s, which has "
					 "no column (columns are fixed by the "
					 "first row); dropped",
					 (unsigned long long)index, scope,
					 metric);
			r->warned_drop = true;
		}
		p = value + strlen(value) + 1;
	}
	err = write_row(r, index, vals);
	free(vals);
	return err;
}

/* ---- resume: read the existing CSV --------------------------------- */

struct reader {
	struct run *r;
	char **fields;
	size_t nf, capf;
	uint64_t line;
	size_t ncols; /* header width */
	bool failed;
};

static void on_field(void *s, size_t len, void *data)
{
	struct reader *rd = data;
	char *f;

	if (rd->failed)
		return;
	if (rd->nf == rd->capf) {
		size_t ncap = rd->capf ? rd->capf * 2 : 64;
		char **nf = realloc(rd->fields, ncap * sizeof(*nf));

		if (!nf) {
			rd->failed = true;
			cli_error("out of memory");
			return;
		}
		rd->fields = nf;
		rd->capf = ncap;
	}
	f = malloc(len + 1);
	if (!f) {
		rd->failed = true;
		cli_error("out of memory");
		return;
	}
	if (len)
		memcpy(f, s, len);
	f[len] = '\0';
	rd->fields[rd->nf++] = f;
}

static int resume_header(struct reader *rd)
{
	struct run *r = rd->r;
	const char *file = r->o->csv;
	size_t i;

	if (rd->nf < 1 + r->nparams || strcmp(rd->fields[0], "point")) {
		cli_error("%s:1: not a sweep CSV with these parameters (want "
			  "point,... as its first column)",
			  file);
		return -1;
	}
	for (i = 0; i < r->nparams; i++)
		if (strcmp(rd->fields[1 + i],
			   mw_sweep_column(r->o->sweep, i))) {
			cli_error("%s:1: column %zu is '%s' but this sweep's "
				  "is '%s'; not the same sweep",
				  file, i + 2, rd->fields[1 + i],
				  mw_sweep_column(r->o->sweep, i));
			return -1;
		}
	r->nrcols = rd->nf - 1 - r->nparams;
	r->rcols = calloc(r->nrcols + 1, sizeof(*r->rcols));
	if (!r->rcols) {
		cli_error("out of memory");
		return -1;
	}
	for (i = 0; i < r->nrcols; i++) {
		r->rcols[i] = rd->fields[1 + r->nparams + i];
		rd->fields[1 + r->nparams + i] = NULL;
	}
	rd->ncols = rd->nf;
	find_extremes(r);
	/* No result columns yet: the first new result fixes them. */
	return r->nrcols ? write_header(r) : 0;
}

static int resume_row(struct reader *rd)
{
	struct run *r = rd->r;
	const struct cli_sweep_opts *o = r->o;
	const char *file = o->csv;
	uint64_t index;
	size_t i;

	if (rd->nf != rd->ncols) {
		cli_error("%s:%llu: %zu fields, the header has %zu", file,
			  (unsigned long long)rd->line, rd->nf, rd->ncols);
		return -1;
	}
	if (mw_parse_u64(rd->fields[0], &index) ||
	    index >= mw_sweep_count(o->sweep)) {
		cli_error("%s:%llu: point '%s' is not a point of this sweep "
			  "(0..%llu)",
			  file, (unsigned long long)rd->line, rd->fields[0],
			  (unsigned long long)(mw_sweep_count(o->sweep) - 1));
		return -1;
	}
	if (index % o->nshards != o->shard) {
		cli_error("%s:%llu: point %llu belongs to shard %llu/%llu, not "
			  "%llu/%llu",
			  file, (unsigned long long)rd->line,
			  (unsigned long long)index,
			  (unsigned long long)(index % o->nshards),
			  (unsigned long long)o->nshards,
			  (unsigned long long)o->shard,
			  (unsigned long long)o->nshards);
		return -1;
	}
	for (i = 0; i < r->nparams; i++) {
		const char *want = mw_sweep_value_at(o->sweep, index, i);

		if (strcmp(rd->fields[1 + i], want)) {
			cli_error("%s:%llu: point %llu has %s=%s but this "
				  "sweep's has %s=%s; not the same sweep",
				  file, (unsigned long long)rd->line,
				  (unsigned long long)index,
				  mw_sweep_column(o->sweep, i),
				  rd->fields[1 + i],
				  mw_sweep_column(o->sweep, i), want);
			return -1;
		}
	}
	if (r->ndone == r->capdone) {
		size_t ncap = r->capdone ? r->capdone * 2 : 256;
		uint64_t *nd = realloc(r->done, ncap * sizeof(*nd));

		if (!nd) {
			cli_error("out of memory");
			return -1;
		}
		r->done = nd;
		r->capdone = ncap;
	}
	r->done[r->ndone++] = index;
	r->st->resumed++;
	if (!r->header_done && write_header(r))
		return -1;
	return write_row(r, index,
			 (const char *const *)rd->fields + 1 + r->nparams);
}

static void on_row(int term, void *data)
{
	struct reader *rd = data;
	size_t i;

	(void)term;
	rd->line++;
	if (!rd->failed) {
		if (rd->line == 1)
			rd->failed = resume_header(rd) != 0;
		else
			rd->failed = resume_row(rd) != 0;
	}
	for (i = 0; i < rd->nf; i++)
		free(rd->fields[i]);
	rd->nf = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 0 = resumed (or nothing to resume), -1 = error printed. */
static int resume(struct run *r)
{
	struct reader rd;
	struct csv_parser p;
	char buf[65536];
	FILE *f = fopen(r->o->csv, "rb");
	size_t n, i;
	int status = 0;

	if (!f) {
		if (errno == ENOENT)
			return 0; /* nothing done yet */
		cli_error("%s: %s", r->o->csv, strerror(errno));
		return -1;
	}
	memset(&rd, 0, sizeof(rd));
	rd.r = r;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI)) {
		fclose(f);
		cli_error("out of memory");
		return -1;
	}
	while (!rd.failed && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &rd) != n &&
		    !rd.failed) {
			cli_error("%s: near line %llu: %s", r->o->csv,
				  (unsigned long long)rd.line + 1,
				  csv_strerror(csv_error(&p)));
			rd.failed = true;
		}
	if (!rd.failed && ferror(f)) {
		cli_error("%s: %s", r->o->csv, strerror(errno));
		rd.failed = true;
	}
	if (!rd.failed && csv_fini(&p, on_field, on_row, &rd)) {
		cli_error("%s: near line %llu: %s", r->o->csv,
			  (unsigned long long)rd.line + 1,
			  csv_strerror(csv_error(&p)));
		rd.failed = true;
	}
	csv_free(&p);
	fclose(f);
	for (i = 0; i < rd.nf; i++)
		free(rd.fields[i]);
	free(rd.fields);
	if (rd.failed)
		return -1;
	qsort(r->done, r->ndone, sizeof(*r->done), cmp_u64);
	for (i = 1; i < r->ndone; i++)
		if (r->done[i] == r->done[i - 1]) {
			cli_error("%s: point %llu appears twice", r->o->csv,
				  (unsigned long long)r->done[i]);
			status = -1;
			break;
		}
	return status;
}

/* ---- the run ------------------------------------------------------- */

/* The next point of the shard at or after *cursor that is not done. */
static bool next_point(const struct run *r, uint64_t *cursor, size_t *dpos,
		       uint64_t *index)
{
	const struct cli_sweep_opts *o = r->o;
	uint64_t count = mw_sweep_count(o->sweep);

	while (*cursor < count) {
		uint64_t i = *cursor;

		*cursor += o->nshards;
		while (*dpos < r->ndone && r->done[*dpos] < i)
			(*dpos)++;
		if (*dpos < r->ndone && r->done[*dpos] == i)
			continue;
		*index = i;
		return true;
	}
	return false;
}

static void print_summary(const struct run *r, FILE *f)
{
	const struct cli_sweep_stats *st = r->st;
	struct cli_table *t;
	size_t k;
	char c1[32], c2[32], c3[32], c4[32], c5[32];

	fprintf(f,
		"sweep %s: %s points in this shard, %s rows in %s (%s new, %s "
		"resumed), %s skipped as invalid\n",
		mw_sweep_kernel(r->o->sweep),
		mw_fmt_count(c1, sizeof(c1), st->points),
		mw_fmt_count(c2, sizeof(c2), st->rows + st->resumed), r->o->csv,
		mw_fmt_count(c3, sizeof(c3), st->rows),
		mw_fmt_count(c4, sizeof(c4), st->resumed),
		mw_fmt_count(c5, sizeof(c5), st->skipped));
	if (r->first_skip[0])
		fprintf(f, "  first skipped: %s\n", r->first_skip);
	if (!r->ext[0].any && !r->ext[1].any)
		return;
	t = cli_table_create(5);
	if (!t)
		return;
	cli_table_column(t, 0, "metric", false);
	cli_table_column(t, 1, "best", true);
	cli_table_column(t, 2, "worst", true);
	cli_table_column(t, 3, "worst/best", true);
	cli_table_column(t, 4, "best point", false);
	for (k = 0; k < 2; k++) {
		const struct extreme *e = &r->ext[k];
		const char *cells[5];
		char b[48], w[48], ratio[32];

		if (!e->any)
			continue;
		if (k == 0) {
			mw_fmt_si(b, sizeof(b), e->best * 1e-9, "s");
			mw_fmt_si(w, sizeof(w), e->worst * 1e-9, "s");
		} else {
			mw_fmt_bytes(b, sizeof(b), (uint64_t)e->best);
			mw_fmt_bytes(w, sizeof(w), (uint64_t)e->worst);
		}
		if (e->best > 0)
			snprintf(ratio, sizeof(ratio), "%.2fx",
				 e->worst / e->best);
		else
			snprintf(ratio, sizeof(ratio), "-");
		cells[0] = e->metric;
		cells[1] = b;
		cells[2] = w;
		cells[3] = ratio;
		cells[4] = e->best_point ? e->best_point : "";
		cli_table_row(t, cells);
	}
	cli_table_print(t, f, 2);
	cli_table_destroy(t);
}

/* Handles finished slots in order; -1 = stop (error printed). */
static int drain(struct run *r, struct slot *ring, size_t window,
		 uint64_t *next_write, uint64_t next_seq)
{
	while (*next_write < next_seq) {
		struct slot *s = &ring[*next_write % window];
		int err = 0;

		if (!s->ready)
			break;
		if (s->rc == 0) {
			err = write_result(r, s->index, s->payload, s->len);
			if (!err)
				r->st->rows++;
		} else if (s->rc == MW_EINVAL) {
			r->st->skipped++;
			if (!r->first_skip[0]) {
				char *what = describe(r->o->sweep, s->index);

				snprintf(r->first_skip, sizeof(r->first_skip),
					 "point %s: %.*s", what ? what : "?",
					 (int)s->len,
					 s->payload ? s->payload : "");
				free(what);
			}
		} else {
			char *what = describe(r->o->sweep, s->index);

			cli_error("point %s: %.*s", what ? what : "?",
				  (int)s->len, s->payload ? s->payload : "");
			free(what);
			err = -1;
		}
		free(s->payload);
		s->payload = NULL;
		s->ready = false;
		(*next_write)++;
		cli_progress_update(r->st->rows + r->st->skipped);
		if (err)
			return -1;
		if (r->o->max_rows && r->st->rows >= r->o->max_rows) {
			r->st->interrupted = true;
			return 1;
		}
	}
	return 0;
}

/*
 * Reads one message from worker w into its slot; -1 = the worker broke,
 * 1 = it was killed by an interrupt.
 */
static int collect(struct run *r, struct worker *w, struct slot *ring,
		   size_t window)
{
	struct msg_head h;
	struct slot *s = &ring[w->seq % window];
	int got = read_all(w->result_fd, &h, sizeof(h));
	char *what;

	if (got == 1 && h.index != s->index) {
		cli_error("a worker answered point %llu for point %llu",
			  (unsigned long long)h.index,
			  (unsigned long long)s->index);
		return -1;
	}
	if (got == 1 && (s->payload = malloc((size_t)h.len + 1)) &&
	    (h.len == 0 || read_all(w->result_fd, s->payload, h.len) == 1)) {
		s->payload[h.len] = '\0';
		s->ready = true;
		s->index = h.index;
		s->rc = h.rc;
		s->len = h.len;
		w->busy = false;
		return 0;
	}
	free(s->payload);
	s->payload = NULL;
	if (cli_interrupted)
		return 1; /* SIGTERM to the whole job (scancel) killed it */
	what = describe(r->o->sweep, s->index);
	cli_error("the worker evaluating point %s died", what ? what : "?");
	free(what);
	return -1;
}

/* Collects the results already waiting in the pipes, without blocking. */
static void gather_finished(struct run *r, struct worker *w, unsigned nw,
			    struct pollfd *pfd, struct slot *ring,
			    size_t window)
{
	unsigned i;

	for (i = 0; i < nw; i++) {
		pfd[i].fd = w[i].busy ? w[i].result_fd : -1;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (poll(pfd, nw, 0) <= 0)
		return;
	for (i = 0; i < nw; i++)
		if (w[i].busy && (pfd[i].revents & POLLIN))
			if (collect(r, &w[i], ring, window))
				return;
}

static int run_points(struct run *r)
{
	const struct cli_sweep_opts *o = r->o;
	unsigned nw = 0, i, busy = 0;
	size_t window = (size_t)o->jobs * WINDOW_PER_JOB, dpos = 0;
	struct worker *w = calloc(o->jobs, sizeof(*w));
	struct slot *ring = calloc(window, sizeof(*ring));
	struct pollfd *pfd = calloc(o->jobs, sizeof(*pfd));
	uint64_t cursor = o->shard, next_seq = 0, next_write = 0, index;
	bool more = true;
	int status = 0;

	if (!w || !ring || !pfd) {
		cli_error("out of memory");
		status = -1;
		goto out_free;
	}
	cli_progress_begin("points", r->st->points - r->st->resumed);
	for (;;) {
		int np, rc;

		/* Hand out points to idle workers, within the window. */
		for (i = 0; i < o->jobs && more && !cli_interrupted; i++) {
			if (i >= nw) {
				if (spawn(o, w, nw)) {
					cli_error("cannot start a worker: %s",
						  strerror(errno));
					status = -1;
					goto out_stop;
				}
				nw++;
			}
			if (w[i].busy || next_seq >= next_write + window)
				continue;
			if (!next_point(r, &cursor, &dpos, &index)) {
				more = false;
				break;
			}
			ring[next_seq % window].index = index;
			w[i].seq = next_seq++;
			if (write_all(w[i].task_fd, &index, sizeof(index))) {
				cli_error("a worker stopped: %s",
					  strerror(errno));
				status = -1;
				goto out_stop;
			}
			w[i].busy = true;
			busy++;
		}
		if (cli_interrupted) {
			r->st->interrupted = true;
			/* Keep the points that finished meanwhile. */
			gather_finished(r, w, nw, pfd, ring, window);
			drain(r, ring, window, &next_write, next_seq);
			goto out_stop;
		}
		if (!busy)
			break;
		for (i = 0; i < nw; i++) {
			pfd[i].fd = w[i].busy ? w[i].result_fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		np = poll(pfd, nw, 200);
		if (np < 0 && errno != EINTR) {
			cli_error("poll: %s", strerror(errno));
			status = -1;
			goto out_stop;
		}
		for (i = 0; np > 0 && i < nw; i++) {
			if (!w[i].busy ||
			    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			rc = collect(r, &w[i], ring, window);
			if (rc > 0) {
				r->st->interrupted = true;
				goto out_stop;
			}
			if (rc < 0) {
				status = -1;
				goto out_stop;
			}
			busy--;
		}
		rc = drain(r, ring, window, &next_write, next_seq);
		if (rc) {
			status = rc < 0 ? -1 : 0;
			goto out_stop;
		}
	}
	stop_workers(w, nw, false);
	nw = 0;
out_stop:
	stop_workers(w, nw, true);
	cli_progress_end();
	for (i = 0; i < window; i++)
		free(ring[i].payload);
out_free:
	free(w);
	free(ring);
	free(pfd);
	return status;
}

int cli_sweep_run(const struct cli_sweep_opts *o, struct cli_sweep_stats *stp)
{
	struct cli_sweep_stats st_local;
	struct cli_sweep_stats *st = stp ? stp : &st_local;
	struct run r;
	struct mw_diag d;
	void (*old_pipe)(int);
	uint64_t count = mw_sweep_count(o->sweep);
	int status = CLI_EXIT_FAIL, err = 0;
	size_t i;

	memset(st, 0, sizeof(*st));
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.st = st;
	r.nparams = mw_sweep_ncolumns(o->sweep);
	r.ext[0].metric = "time.total_ns";
	r.ext[1].metric = "memory.bytes_read";
	r.ext[0].col = r.ext[1].col = -1;
	st->points = count / o->nshards + (o->shard < count % o->nshards);
	if (o->resume && !strcmp(o->csv, "-")) {
		cli_error("--resume needs a CSV file, not standard output");
		return CLI_EXIT_USAGE;
	}
	r.out = mw_output_create(o->csv, false, &d);
	if (!r.out) {
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	old_pipe = signal(SIGPIPE, SIG_IGN);
	if (o->resume && resume(&r)) {
		mw_output_abort(r.out);
		r.out = NULL;
		goto out_free;
	}
	err = run_points(&r);
	if (!r.header_done)
		err |= write_header(&r);
	if (mw_output_commit(r.out, &d)) {
		cli_error_diag(&d);
		err = -1;
	}
	r.out = NULL;
	if (o->report)
		print_summary(&r, o->report);
	if (err)
		status = CLI_EXIT_FAIL;
	else if (st->interrupted && !o->max_rows)
		status = CLI_EXIT_INTERRUPTED;
	else
		status = CLI_EXIT_OK;
	if (st->interrupted && !err) {
		char c1[32], c2[32];

		cli_error("stopped after %s of %s points; %s holds the rows "
			  "done: rerun with --resume to finish",
			  mw_fmt_count(c1, sizeof(c1),
				       st->rows + st->resumed + st->skipped),
			  mw_fmt_count(c2, sizeof(c2), st->points), o->csv);
	} else if (err && r.header_done) {
		cli_error("%s holds the rows done; fix the cause and rerun "
			  "with --resume",
			  o->csv);
	}
out_free:
	signal(SIGPIPE, old_pipe);
	for (i = 0; i < r.nrcols; i++)
		free(r.rcols[i]);
	free(r.rcols);
	free(r.done);
	free(r.rowbuf);
	free(r.ext[0].best_point);
	free(r.ext[1].best_point);
	return status;
}
