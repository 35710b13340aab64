/*
 * bench_reuse.c - speed and accuracy of the reuse-distance analysis.
 *
 * The mixed synthetic trace (bench/synth.h) of BENCH_RECORDS records
 * (default 20 million) is generated into memory once, then analysed on
 * one core with 128-byte lines: exact, SHARDS fixed-rate at 1% and
 * fixed-memory (BENCH_SAMPLE_LINES lines, default 65536).  Each rate is
 * records per second of mw_reuse_feed alone, best of BENCH_RUNS (default
 * 2; the first run is printed too: it also pays for the first touch
 * of fresh memory, which is slow on the virtual build machine), over the
 * CPU time of the thread (one core, counting the page faults
 * of the growing tables; the 2-core build machine is shared, so wall time
 * is printed beside it and is lower when other jobs run).  Errors are mean absolute miss-ratio differences from the exact
 * curve over 4 log-spaced capacities per octave, from 1 MiB up and over
 * the whole range (one line to the footprint).
 *
 * BENCH_TRACE=strided measures the strided trace instead.
 *
 * Targets (reuse issue): exact >= 20 M records/s; 1% sampled >= 300 M
 * records/s with error <= 0.01 from 1 MiB up.
 */
#include "bench/synth.h"
#include "common/progress.h"
#include "model/reuse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 4096

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s ? strtoull(s, NULL, 10) : def;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct mw_reuse *run(const struct mw_reuse_opts *o,
			    const struct mw_access *v, uint64_t n,
			    unsigned runs, double *rate, double *wall_rate,
			    double *first)
{
	struct mw_reuse *r = NULL;
	unsigned k;

	*rate = 0;
	*wall_rate = 0;
	for (k = 0; k < runs; k++) {
		double t0, t, w0, w;
		uint64_t i;

		mw_reuse_destroy(r);
		r = mw_reuse_create(o, NULL);
		if (!r) {
			fprintf(stderr, "bench_reuse: create failed\n");
			exit(1);
		}
		t0 = cpu_s();
		w0 = mw_now_s();
		for (i = 0; i < n; i += BATCH)
			if (mw_reuse_feed(r, v + i,
					  n - i < BATCH ? (size_t)(n - i)
							: BATCH)) {
				fprintf(stderr, "bench_reuse: out of memory\n");
				exit(1);
			}
		t = cpu_s() - t0;
		w = mw_now_s() - w0;
		if (!k)
			*first = (double)n / t;
		if ((double)n / t > *rate)
			*rate = (double)n / t;
		if ((double)n / w > *wall_rate)
			*wall_rate = (double)n / w;
		mw_reuse_finish(r);
	}
	return r;
}

/*
 * The textbook baseline: a Fenwick tree over every reference's timestamp
 * (no compaction) and a plain linear-probing map from line to its last
 * timestamp.  Returns records/s (thread CPU time) and the misses of a
 * cache of cap_lines lines, as a cross-check.
 */
static double plain_fenwick(const struct mw_access *v, uint64_t n,
			    uint64_t cap_lines, uint64_t *misses)
{
	uint64_t nref = 0, i, size = 1, mask, cnt = 0, miss = 0, t;
	uint64_t *keys, *fen;
	uint32_t *last;
	double t0 = cpu_s();

	for (i = 0; i < n; i++)
		nref += ((v[i].addr + v[i].size - 1) >> 7) - (v[i].addr >> 7) +
			1;
	while (size < 2 * nref)
		size <<= 1;
	mask = size - 1;
	keys = calloc(size, sizeof(*keys));
	last = calloc(size, sizeof(*last));
	fen = calloc(nref + 1, sizeof(*fen));
	if (!keys || !last || !fen) {
		fprintf(stderr, "bench_reuse: out of memory\n");
		exit(1);
	}
	for (t = 0, i = 0; i < n; i++) {
		uint64_t l = v[i].addr >> 7,
			 e = (v[i].addr + v[i].size - 1) >> 7;

		for (; l <= e; l++, t++) {
			uint64_t h = ((l + 1) * 0x9e3779b97f4a7c15ull) >> 20, j;

			for (h &= mask; keys[h] && keys[h] != l + 1;
			     h = (h + 1) & mask)
				;
			if (keys[h]) {
				uint64_t d = cnt, p;

				/* live timestamps after last[h] */
				for (p = last[h] + 1; p; p &= p - 1)
					d -= fen[p];
				if (d >= cap_lines)
					miss++;
				for (p = last[h] + 1; p <= nref;
				     p += p & (~p + 1))
					fen[p]--;
			} else {
				keys[h] = l + 1;
				cnt++;
				miss++;
			}
			last[h] = (uint32_t)t;
			for (j = t + 1; j <= nref; j += j & (~j + 1))
				fen[j]++;
		}
	}
	t0 = cpu_s() - t0;
	free(keys);
	free(last);
	free(fen);
	*misses = miss;
	return (double)n / t0;
}

/* Mean absolute miss-ratio error over capacities from..to lines. */
static double mae(const struct mw_reuse *exact, const struct mw_reuse *est,
		  uint64_t from, uint64_t to)
{
	double e = 0;
	unsigned n = 0, q;

	for (q = 0;; q++) {
		uint64_t c = (uint64_t)llround(pow(2.0, q / 4.0));

		if (c > to)
			break;
		if (c < from)
			continue;
		e += fabs(mw_reuse_miss_ratio(exact, 0, c) -
			  mw_reuse_miss_ratio(est, 0, c));
		n++;
	}
	return n ? e / n : 0;
}

int main(void)
{
	uint64_t n = env_u64("BENCH_RECORDS", 20000000ull);
	unsigned runs = (unsigned)env_u64("BENCH_RUNS", 2);
	uint64_t max_lines = env_u64("BENCH_SAMPLE_LINES", 65536);
	struct mw_access *v = malloc((size_t)n * sizeof(*v));
	struct mw_reuse_opts o;
	struct mw_reuse *exact, *fr, *fm;
	struct synth g;
	const char *trace;
	double r_exact, r_fr, r_fm, w_exact, w_fr, w_fm, f_exact, f_fr, f_fm;
	double fp, r_plain, r_raw, w_raw, f_raw;
	struct mw_reuse *fr_raw;
	uint64_t plain_misses;
	uint64_t mib, top;
	uint64_t i;

	if (!v || !runs) {
		fprintf(stderr, "bench_reuse: cannot hold %llu records\n",
			(unsigned long long)n);
		return 1;
	}
	trace = getenv("BENCH_TRACE");
	if (!trace)
		trace = "mixed";
	synth_init(&g, strcmp(trace, "strided") ? SYNTH_MIXED : SYNTH_STRIDED,
		   42);
	for (i = 0; i < n; i += BATCH)
		synth_fill(&g, v + i, n - i < BATCH ? (size_t)(n - i) : BATCH);
	mw_reuse_opts_init(&o);
	exact = run(&o, v, n, runs, &r_exact, &w_exact, &f_exact);
	o.sampling = MW_REUSE_FIXED_RATE;
	o.rate = 0.01;
	fr = run(&o, v, n, runs, &r_fr, &w_fr, &f_fr);
	o.adjust = true;
	fr_raw = run(&o, v, n, 1, &r_raw, &w_raw, &f_raw);
	o.adjust = false;
	o.sampling = MW_REUSE_FIXED_MEMORY;
	o.max_lines = max_lines;
	fm = run(&o, v, n, runs, &r_fm, &w_fm, &f_fm);
	r_plain = plain_fenwick(v, n, 1024, &plain_misses);
	fp = mw_reuse_footprint_lines(exact);
	mib = (1u << 20) / mw_reuse_line_bytes(exact);
	top = (uint64_t)fp;
	printf("reuse, %s trace, %llu records, 128-byte lines, footprint "
	       "%.0f lines (%.1f MiB)\n",
	       strcmp(trace, "strided") ? "mixed" : "strided",
	       (unsigned long long)n, fp, fp * 128 / 1048576.0);
	printf("  %-34s %8.1f M records/s   (target >= 20; wall %.1f)\n",
	       "exact", r_exact / 1e6, w_exact / 1e6);
	printf("  %-34s %8.1f M records/s   (misses at 128 KiB %llu, "
	       "exact %.0f)\n",
	       "plain Fenwick baseline", r_plain / 1e6,
	       (unsigned long long)plain_misses,
	       mw_reuse_misses(exact, 0, 1024));
	printf("  %-34s %8.1f M records/s   (target >= 300; wall %.1f)\n",
	       "fixed-rate 1%", r_fr / 1e6, w_fr / 1e6);
	printf("  %-34s %8.4f   whole range %.4f   (target <= 0.01)\n",
	       "  mean abs error >= 1 MiB", mae(exact, fr, mib, top),
	       mae(exact, fr, 1, top));
	printf("  %-34s %8.4f   whole range %.4f\n", "  error with SHARDS-adj",
	       mae(exact, fr_raw, mib, top), mae(exact, fr_raw, 1, top));
	printf("  %-34s %8.1f M records/s   (wall %.1f), effective rate "
	       "%.5f, %llu lines\n",
	       "fixed-memory", r_fm / 1e6, w_fm / 1e6, mw_reuse_rate(fm),
	       (unsigned long long)max_lines);
	printf("  %-34s %8.4f   whole range %.4f\n",
	       "  mean abs error >= 1 MiB", mae(exact, fm, mib, top),
	       mae(exact, fm, 1, top));
	printf("  first run (fresh memory): exact %.1f, fixed-rate %.1f, "
	       "fixed-memory %.1f M records/s\n",
	       f_exact / 1e6, f_fr / 1e6, f_fm / 1e6);
	mw_reuse_destroy(exact);
	mw_reuse_destroy(fr);
	mw_reuse_destroy(fr_raw);
	mw_reuse_destroy(fm);
	free(v);
	return 0;
}
