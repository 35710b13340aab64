/*
 * bench_hier.c - throughput of the cache hierarchy on one core.
 *
 * BENCH_RECORDS (default 20 million) records of the mixed synthetic trace
 * (bench/synth.h: 16 interleaved sequential streams plus 20% uniform
 * random accesses over 1 GiB) are generated into memory once, then run
 * end to end through mw_hier_access_batch in batches of 4096, best of
 * three runs, for:
 *   (a) 32 KiB 8-way + 1 MiB 16-way, 64-byte lines, LRU, write-back
 *       (target >= 100 M accesses/s);
 *   (b) GPU style: 4 units x 256 KiB 4-way L1 (128-byte lines of 32-byte
 *       sectors, write-through, no write allocation) + 50 MiB 16-way L2
 *       in 2 slices, write-back (target >= 60 M accesses/s);
 * and (a) once more reading the trace from a native .mwt file.
 * BENCH_CONFIG=a, b or file runs only that one (for profiling, e.g. under
 * valgrind --tool=callgrind with a small BENCH_RECORDS).
 */
#include "bench/synth.h"
#include "common/progress.h"
#include "hierarchy/hierarchy.h"
#include "traces/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 4096

/* CPU seconds of this process: on a shared machine the wall clock also
   counts the time other jobs held the core. */
static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double last_wall;

static void die(const char *what, const struct mw_diag *d)
{
	char buf[600];

	fprintf(stderr, "bench_hier: %s: %s\n", what,
		mw_diag_format(d, buf, sizeof(buf)));
	exit(1);
}

static struct mw_level_cfg level(const char *name, uint64_t size, uint32_t ways,
				 uint32_t line, uint32_t sector)
{
	struct mw_level_cfg l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.size = size;
	l.ways = ways;
	l.line = line;
	l.sector = sector;
	snprintf(l.replacement, sizeof(l.replacement), "lru");
	l.slices = 1;
	return l;
}

static void config(struct mw_hw_cfg *cfg, int gpu)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nlevels = 2;
	if (!gpu) {
		cfg->machine.units = 1;
		cfg->levels[0] = level("l1", 32 << 10, 8, 64, 64);
		cfg->levels[1] = level("l2", 1 << 20, 16, 64, 64);
		return;
	}
	cfg->machine.units = 4;
	cfg->levels[0] = level("l1", 256 << 10, 4, 128, 32);
	cfg->levels[0].write = MW_WRITE_THROUGH;
	cfg->levels[0].allocate = MW_ALLOC_NONE;
	cfg->levels[1] = level("l2", 50ull << 20, 16, 128, 32);
	cfg->levels[1].slices = 2;
}

static void report(const char *what, const struct mw_hier *h, uint64_t n,
		   double s, double target)
{
	/* s is CPU seconds; last_wall the wall seconds of the same run */
	struct mw_counters l1, l2;
	struct mw_mem_counters m;

	mw_hier_level_stats(h, 0, MW_STATS_ALL, MW_STATS_ALL, MW_STATS_ALL,
			    &l1);
	mw_hier_level_stats(h, 1, MW_STATS_ALL, MW_STATS_ALL, MW_STATS_ALL,
			    &l2);
	mw_hier_memory_stats(h, MW_STATS_ALL, MW_STATS_ALL, &m);
	printf("%-34s %7.1f M accesses/s cpu, %7.1f wall (target %3.0f: %s)"
	       "  l1 miss %.3f l2 miss %.3f  mem %.1f MB\n",
	       what, (double)n / s / 1e6, (double)n / last_wall / 1e6, target,
	       (double)n / s / 1e6 >= target ? "met" : "MISSED",
	       (double)l1.v[MW_STAT_SECTOR_MISSES] /
		       (double)l1.v[MW_STAT_ACCESSES],
	       (double)l2.v[MW_STAT_SECTOR_MISSES] /
		       (double)(l2.v[MW_STAT_ACCESSES] ? l2.v[MW_STAT_ACCESSES]
						       : 1),
	       (double)(m.v[MW_MEM_BYTES_READ] + m.v[MW_MEM_BYTES_WRITTEN]) /
		       1e6);
}

static double run_memory(const struct mw_hw_cfg *cfg,
			 const struct mw_access *recs, uint64_t n,
			 struct mw_hier **keep)
{
	double best = 1e30;
	int rep;

	for (rep = 0; rep < 3; rep++) {
		struct mw_diag d;
		struct mw_hier *h = mw_hier_create(cfg, 0, &d);
		double t0, w0;
		uint64_t i;

		if (!h)
			die("config", &d);
		w0 = mw_now_s();
		t0 = cpu_s();
		for (i = 0; i < n; i += BATCH) {
			size_t k = n - i < BATCH ? (size_t)(n - i) : BATCH;

			if (mw_hier_access_batch(h, recs + i, k) < 0)
				die("simulate", mw_hier_diag(h));
		}
		t0 = cpu_s() - t0;
		if (t0 < best) {
			best = t0;
			last_wall = mw_now_s() - w0;
		}
		if (rep == 2)
			*keep = h;
		else
			mw_hier_destroy(h);
	}
	return best;
}

static double run_file(const struct mw_hw_cfg *cfg, const char *path,
		       uint64_t n)
{
	static struct mw_access buf[BATCH];
	struct mw_diag d;
	struct mw_hier *h = mw_hier_create(cfg, 0, &d);
	struct mw_stream *s;
	double t0 = cpu_s(), w0 = mw_now_s();
	uint64_t got = 0;
	long k;

	if (!h)
		die("config", &d);
	s = mw_trace_open(path, NULL, &d);
	if (!s)
		die(path, &d);
	while ((k = mw_stream_read(s, buf, BATCH)) > 0) {
		if (mw_hier_access_batch(h, buf, (size_t)k) < 0)
			die("simulate", mw_hier_diag(h));
		got += (uint64_t)k;
	}
	if (k < 0)
		die(path, mw_stream_diag(s));
	t0 = cpu_s() - t0;
	last_wall = mw_now_s() - w0;
	mw_stream_destroy(s);
	report("(a) from .mwt file, end to end", h, got, t0, 100);
	mw_hier_destroy(h);
	(void)n;
	return t0;
}

int main(void)
{
	const char *env = getenv("BENCH_RECORDS");
	const char *only = getenv("BENCH_CONFIG");
	uint64_t n = env ? strtoull(env, NULL, 10) : 20000000ull, i;
	struct mw_access *recs = malloc(n * sizeof(*recs));
	struct mw_trace_header hdr;
	struct mw_hw_cfg cfg;
	struct mw_hier *h;
	struct synth g;
	struct mw_diag d;
	struct mw_writer *w;
	char path[] = "/tmp/bench_hier_XXXXXX.mwt";
	int fd;
	double s;

	if (!recs) {
		fprintf(stderr, "bench_hier: out of memory\n");
		return 1;
	}
	synth_init(&g, SYNTH_MIXED, 1);
	synth_fill(&g, recs, n);
	printf("bench_hier: %llu records of the mixed trace, one core\n",
	       (unsigned long long)n);

	if (!only || strcmp(only, "a") == 0) {
		config(&cfg, 0);
		s = run_memory(&cfg, recs, n, &h);
		report("(a) 32K/8 + 1M/16, 64 B, LRU", h, n, s, 100);
		mw_hier_destroy(h);
	}

	if (!only || strcmp(only, "b") == 0) {
		for (i = 0; i < n; i++)
			recs[i].unit = (uint16_t)((i >> 6) & 3);
		config(&cfg, 1);
		s = run_memory(&cfg, recs, n, &h);
		report("(b) 4x256K/4 + 50M/16, 128/32", h, n, s, 60);
		mw_hier_destroy(h);
		for (i = 0; i < n; i++)
			recs[i].unit = 0;
	}
	if (only && strcmp(only, "file") != 0) {
		free(recs);
		return 0;
	}
	fd = mkstemps(path, 4);
	if (fd < 0) {
		perror("bench_hier: mkstemps");
		return 1;
	}
	close(fd);
	mw_header_init(&hdr);
	w = mw_trace_create(path, &hdr, NULL, &d);
	if (!w)
		die(path, &d);
	for (i = 0; i < n; i += BATCH)
		if (mw_writer_write(w, recs + i,
				    n - i < BATCH ? (size_t)(n - i) : BATCH,
				    &d) < 0)
			die(path, &d);
	if (mw_writer_commit(w, &d) < 0)
		die(path, &d);
	mw_header_free(&hdr);
	free(recs);
	config(&cfg, 0);
	run_file(&cfg, path, n);
	unlink(path);
	return 0;
}
