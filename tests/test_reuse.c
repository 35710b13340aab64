/*
 * test_reuse.c - reuse distances and miss-ratio curves against naive
 * references: a move-to-front list for stack distances and a list-based
 * fully associative LRU cache for misses.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/hash.h"
#include "hierarchy/hierarchy.h"
#include "model/reuse.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- naive references ---------------------------------------------------- */

/* Line references of a trace, each access split into its lines. */
struct ref {
	uint64_t line;
	const struct mw_access *a;
};

static size_t split_lines(const struct mw_access *recs, size_t n,
			  uint32_t line_bytes, struct ref **out)
{
	size_t cap = n * 2 + 16, m = 0, i;
	struct ref *v = malloc(cap * sizeof(*v));

	for (i = 0; i < n; i++) {
		uint64_t l = recs[i].addr / line_bytes;
		uint64_t last = (recs[i].addr + recs[i].size - 1) / line_bytes;

		/* An access past the top of the address space stops there. */
		if (recs[i].addr + recs[i].size - 1 < recs[i].addr)
			last = UINT64_MAX / line_bytes;
		for (;; l++) {
			if (m == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof(*v));
			}
			v[m].line = l;
			v[m].a = &recs[i];
			m++;
			if (l == last)
				break;
		}
	}
	*out = v;
	return m;
}

/*
 * Misses of a fully associative LRU cache of capacity_bytes (a list of
 * lines, most recent first), optionally only counting references that
 * keep(a) accepts, and the hit or miss of every line reference in hits
 * (may be NULL).  The lead will add the same check against the real
 * cache hierarchy: it only has to return misses for (trace, capacity).
 */
static uint64_t lru_sim_misses(const struct mw_access *recs, size_t n,
			       uint32_t line_bytes, uint64_t capacity_bytes,
			       bool *hits)
{
	uint64_t cap = capacity_bytes / line_bytes, used = 0, misses = 0;
	uint64_t *list = malloc((cap + 1) * sizeof(*list));
	struct ref *refs;
	size_t m = split_lines(recs, n, line_bytes, &refs), i, j;

	for (i = 0; i < m; i++) {
		uint64_t l = refs[i].line;
		bool hit = false;

		for (j = 0; j < used; j++)
			if (list[j] == l) {
				hit = true;
				break;
			}
		if (!hit) {
			misses++;
			if (used < cap)
				used++;
			j = used ? used - 1 : 0;
		}
		if (cap) {
			memmove(list + 1, list, j * sizeof(*list));
			list[0] = l;
		}
		if (hits)
			hits[i] = hit;
	}
	free(refs);
	free(list);
	return misses;
}

/* Stack distance (UINT64_MAX = cold) and reuse time of every reference. */
static size_t naive_distances(const struct ref *refs, size_t m, uint64_t *dist,
			      uint64_t *time)
{
	uint64_t *list = malloc((m + 1) * sizeof(*list));
	uint64_t *lastt = malloc((m + 1) * sizeof(*lastt));
	size_t used = 0, i, j;

	for (i = 0; i < m; i++) {
		for (j = 0; j < used && list[j] != refs[i].line; j++)
			;
		if (j == used) {
			dist[i] = UINT64_MAX;
			time[i] = 0;
			used++;
			memmove(list + 1, list, j * sizeof(*list));
			memmove(lastt + 1, lastt, j * sizeof(*lastt));
		} else {
			dist[i] = j;
			time[i] = i - lastt[j];
			memmove(list + 1, list, j * sizeof(*list));
			memmove(lastt + 1, lastt, j * sizeof(*lastt));
		}
		list[0] = refs[i].line;
		lastt[0] = i;
	}
	free(list);
	free(lastt);
	return used;
}

/* ---- traces -------------------------------------------------------------- */

/*
 * Seeded random trace: a few sequential streams over a pool of lines,
 * random picks from the pool, some accesses spanning two or more lines.
 */
static struct mw_access *random_trace(uint64_t seed, size_t n, uint64_t pool,
				      unsigned units)
{
	struct mw_access *v = calloc(n, sizeof(*v));
	struct mw_rng rng;
	uint64_t pos[4] = {0, 1000 * 128, 7777 * 128, 3 * 128};
	size_t i;

	mw_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		uint64_t k = mw_rng_below(&rng, 10);

		if (k < 4) {
			v[i].addr = 0x100000 + pos[k] % (pool * 128);
			pos[k] += 8 + 8 * k;
			v[i].size = 8;
		} else {
			v[i].addr = 0x100000 + mw_rng_below(&rng, pool * 128);
			v[i].size = (uint32_t)(1 + mw_rng_below(&rng, 300));
		}
		v[i].unit = (uint16_t)mw_rng_below(&rng, units);
		v[i].op = (uint8_t)mw_rng_below(&rng, 2);
		v[i].tensor = (uint8_t)mw_rng_below(&rng, 4);
	}
	return v;
}

/* Strided: 4 streams with strides 128, 8192, 64 and -128, wrapping. */
static struct mw_access *strided_trace(size_t n, uint64_t wrap)
{
	static const int64_t step[4] = {128, 8192, 64, -128};
	struct mw_access *v = calloc(n, sizeof(*v));
	uint64_t pos[4] = {0, 0, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned s = (unsigned)(i & 3);

		v[i].addr = ((uint64_t)(s + 1) << 32) + pos[s] % wrap;
		v[i].size = s == 2 ? 64 : 128;
		v[i].tensor = (uint8_t)(s + 1);
		v[i].op = s == 3;
		pos[s] += (uint64_t)step[s];
	}
	return v;
}

static struct mw_reuse *analyse(const struct mw_reuse_opts *o,
				const struct mw_access *recs, size_t n)
{
	int err = 1;
	struct mw_reuse *r = mw_reuse_create(o, &err);
	size_t i;

	cr_assert_not_null(r);
	cr_assert_eq(err, 0);
	/* Odd batch sizes, so batch boundaries fall everywhere. */
	for (i = 0; i < n; i += 777)
		cr_assert_eq(mw_reuse_feed(r, recs + i,
					   n - i < 777 ? n - i : 777),
			     0);
	cr_assert_eq(mw_reuse_finish(r), 0);
	return r;
}

/* ---- per-reference distances --------------------------------------------- */

struct events {
	uint64_t *dist, *time, *line;
	size_t n, cap;
};

static void on_event(void *ctx, const struct mw_reuse_event *e)
{
	struct events *ev = ctx;

	cr_assert_lt(ev->n, ev->cap);
	ev->dist[ev->n] = e->distance;
	ev->time[ev->n] = e->time;
	ev->line[ev->n] = e->line;
	ev->n++;
}

static unsigned test_epoch_log;

static void check_distances(const struct mw_access *recs, size_t n,
			    uint32_t line_bytes)
{
	struct mw_reuse_opts o;
	struct events ev;
	struct ref *refs;
	size_t m = split_lines(recs, n, line_bytes, &refs), i, distinct;
	uint64_t *dist = malloc(m * sizeof(*dist));
	uint64_t *time = malloc(m * sizeof(*time));
	struct mw_reuse *r;

	distinct = naive_distances(refs, m, dist, time);
	ev.dist = malloc(m * sizeof(uint64_t));
	ev.time = malloc(m * sizeof(uint64_t));
	ev.line = malloc(m * sizeof(uint64_t));
	ev.n = 0;
	ev.cap = m;
	mw_reuse_opts_init(&o);
	o.line_bytes = line_bytes;
	o.on_event = on_event;
	o.event_ctx = &ev;
	o.clock_epoch_log = test_epoch_log;
	r = analyse(&o, recs, n);
	cr_assert_eq(ev.n, m);
	for (i = 0; i < m; i++) {
		cr_assert_eq(ev.line[i], refs[i].line, "reference %zu", i);
		cr_assert_eq(ev.dist[i], dist[i],
			     "reference %zu: distance %llu, naive %llu", i,
			     (unsigned long long)ev.dist[i],
			     (unsigned long long)dist[i]);
		cr_assert_eq(ev.time[i], time[i], "reference %zu: time", i);
	}
	cr_assert_eq(mw_reuse_footprint_lines(r), (double)distinct);
	cr_assert_eq(mw_reuse_misses(r, 0, 0), (double)m);
	mw_reuse_destroy(r);
	free(ev.dist);
	free(ev.time);
	free(ev.line);
	free(dist);
	free(time);
	free(refs);
}

Test(reuse, distances_random_match_naive)
{
	/* 6000 lines, 40000 accesses: the timestamps are compacted and the
	   table grows several times. */
	struct mw_access *v = random_trace(1, 40000, 6000, 1);

	check_distances(v, 40000, 128);
	free(v);
}

/* Reuse times across many clock epochs (stored mod 2^32 per epoch). */
Test(reuse, reuse_time_across_epochs)
{
	struct mw_access *v = random_trace(2, 20000, 3000, 1);
	unsigned logs[] = {1, 3, 6, 10};
	unsigned i;

	for (i = 0; i < 4; i++) {
		test_epoch_log = logs[i];
		check_distances(v, 20000, 128);
	}
	free(v);
}

Test(reuse, distances_strided_and_line_sizes)
{
	struct mw_access *v = strided_trace(30000, 1 << 20);
	struct mw_access *w = random_trace(7, 8000, 500, 1);

	check_distances(v, 30000, 128);
	check_distances(v, 30000, 64);
	check_distances(w, 8000, 32);
	check_distances(w, 8000, 1024);
	free(v);
	free(w);
}

Test(reuse, line_at_top_of_address_space)
{
	struct mw_access v[6] = {
		{UINT64_MAX, 1, 0, 0, 0},     {0, 1, 0, 0, 0},
		{UINT64_MAX - 1, 2, 0, 0, 0}, {UINT64_MAX, 1, 0, 0, 0},
		{UINT64_MAX - 3, 8, 0, 0, 0}, {0, 1, 0, 0, 0}};

	check_distances(v, 6, 1);
	check_distances(v, 6, 128);
}

/* ---- curves against the LRU cache ---------------------------------------- */

static void check_curve(const struct mw_access *recs, size_t n,
			uint32_t line_bytes, uint32_t exact_lines,
			const uint64_t *caps, size_t ncaps)
{
	struct mw_reuse_opts o;
	struct mw_reuse *r;
	size_t i;

	mw_reuse_opts_init(&o);
	o.line_bytes = line_bytes;
	o.exact_lines = exact_lines;
	r = analyse(&o, recs, n);
	for (i = 0; i < ncaps; i++) {
		uint64_t want = lru_sim_misses(recs, n, line_bytes,
					       caps[i] * line_bytes, NULL);

		cr_assert_eq(mw_reuse_misses(r, 0, caps[i]), (double)want,
			     "capacity %llu lines: %.0f misses, LRU %llu",
			     (unsigned long long)caps[i],
			     mw_reuse_misses(r, 0, caps[i]),
			     (unsigned long long)want);
	}
	mw_reuse_destroy(r);
}

Test(reuse, curve_matches_lru_cache)
{
	/* Exact region and bin edges (powers of two and 129 * 2^k above). */
	static const uint64_t caps[] = {1,   2,	   3,	 7,    64,  100,
					127, 128,  129,	 256,  258, 512,
					516, 1024, 2048, 4096, 8192};
	struct mw_access *v = random_trace(3, 30000, 3000, 1);
	struct mw_access *s = strided_trace(20000, 1 << 19);

	check_curve(v, 30000, 128, 128, caps, sizeof(caps) / sizeof(*caps));
	check_curve(v, 30000, 64, 4096, caps, sizeof(caps) / sizeof(*caps));
	check_curve(s, 20000, 128, 128, caps, sizeof(caps) / sizeof(*caps));
	free(v);
	free(s);
}

struct hitcheck {
	const bool *hits;
	uint64_t cap;
	size_t n;
};

static void on_hit_event(void *ctx, const struct mw_reuse_event *e)
{
	struct hitcheck *h = ctx;
	bool hit = e->distance != UINT64_MAX && e->distance < h->cap;

	cr_assert_eq(hit, h->hits[h->n], "reference %zu at %llu lines", h->n,
		     (unsigned long long)h->cap);
	h->n++;
}

Test(reuse, hits_access_for_access)
{
	static const uint64_t caps[] = {1, 5, 33, 300, 2000};
	struct mw_access *v = random_trace(5, 15000, 2500, 1);
	struct ref *refs;
	size_t m = split_lines(v, 15000, 128, &refs), i;
	bool *hits = malloc(m);

	for (i = 0; i < sizeof(caps) / sizeof(*caps); i++) {
		struct mw_reuse_opts o;
		struct hitcheck h = {hits, caps[i], 0};
		struct mw_reuse *r;

		lru_sim_misses(v, 15000, 128, caps[i] * 128, hits);
		mw_reuse_opts_init(&o);
		o.on_event = on_hit_event;
		o.event_ctx = &h;
		r = analyse(&o, v, 15000);
		cr_assert_eq(h.n, m);
		mw_reuse_destroy(r);
	}
	free(hits);
	free(refs);
	free(v);
}

/* Interpolation inside a logarithmic bin stays between its edges. */
Test(reuse, curve_monotone_between_edges)
{
	struct mw_access *v = random_trace(9, 20000, 3000, 1);
	struct mw_reuse_opts o;
	struct mw_reuse *r;
	uint64_t c, steps[8192];
	size_t ns, i;
	double prev = 1e300;

	mw_reuse_opts_init(&o);
	o.exact_lines = 128;
	r = analyse(&o, v, 20000);
	for (c = 0; c < 5000; c++) {
		double m = mw_reuse_misses(r, 0, c);

		cr_assert_leq(m, prev, "capacity %llu", (unsigned long long)c);
		prev = m;
	}
	cr_assert_eq(mw_reuse_misses(r, 0, 1u << 20),
		     mw_reuse_footprint_lines(r));
	ns = mw_reuse_steps(r, 0, steps, 8192);
	cr_assert_gt(ns, 10);
	cr_assert_leq(ns, 8192);
	for (i = 1; i < ns; i++)
		cr_assert_gt(steps[i], steps[i - 1]);
	cr_assert_eq(mw_reuse_misses(r, 0, steps[ns - 1]),
		     mw_reuse_footprint_lines(r));
	cr_assert_gt(mw_reuse_misses(r, 0, steps[ns - 1] - 1),
		     mw_reuse_footprint_lines(r));
	mw_reuse_destroy(r);
	free(v);
}

/* ---- splits and views ----------------------------------------------------- */

static void check_split(enum mw_reuse_split split, enum mw_reuse_view view)
{
	static const uint64_t caps[] = {1, 4, 16, 64, 256, 1024, 4096};
	struct mw_access *v = random_trace(11, 20000, 2000, 4);
	struct mw_reuse_opts o;
	struct mw_reuse *r, *plain;
	size_t i;
	unsigned s;

	mw_reuse_opts_init(&o);
	o.split = split;
	o.view = view;
	r = analyse(&o, v, 20000);
	o.split = MW_REUSE_SPLIT_NONE;
	plain = analyse(&o, v, 20000);
	for (i = 0; i < sizeof(caps) / sizeof(*caps); i++) {
		double sum = 0;

		for (s = 1; s < mw_reuse_scopes(r); s++)
			sum += mw_reuse_misses(r, s, caps[i]);
		cr_assert_eq(sum, mw_reuse_misses(r, 0, caps[i]));
		cr_assert_eq(sum, mw_reuse_misses(plain, 0, caps[i]));
	}
	mw_reuse_destroy(plain);
	mw_reuse_destroy(r);
	free(v);
}

Test(reuse, splits_add_up)
{
	check_split(MW_REUSE_SPLIT_TENSOR, MW_REUSE_VIEW_SHARED);
	check_split(MW_REUSE_SPLIT_OP, MW_REUSE_VIEW_SHARED);
	check_split(MW_REUSE_SPLIT_UNIT, MW_REUSE_VIEW_SHARED);
	check_split(MW_REUSE_SPLIT_UNIT, MW_REUSE_VIEW_PRIVATE);
	check_split(MW_REUSE_SPLIT_TENSOR, MW_REUSE_VIEW_PRIVATE);
}

/* Private view: each unit's curve is its own LRU cache's misses. */
Test(reuse, private_view_is_one_cache_per_unit)
{
	static const uint64_t caps[] = {1, 8, 100, 512, 2048};
	struct mw_access *v = random_trace(13, 16000, 1500, 3), *sub;
	struct mw_reuse_opts o;
	struct mw_reuse *r;
	size_t i, k, m;
	unsigned u;

	mw_reuse_opts_init(&o);
	o.split = MW_REUSE_SPLIT_UNIT;
	o.view = MW_REUSE_VIEW_PRIVATE;
	r = analyse(&o, v, 16000);
	sub = malloc(16000 * sizeof(*sub));
	for (u = 0; u < 3; u++) {
		unsigned s = mw_reuse_scope_of(r, u);

		cr_assert_eq(mw_reuse_scope_key(r, s), u);
		for (m = 0, k = 0; k < 16000; k++)
			if (v[k].unit == u)
				sub[m++] = v[k];
		for (i = 0; i < sizeof(caps) / sizeof(*caps); i++)
			cr_assert_eq(mw_reuse_misses(r, s, caps[i]),
				     (double)lru_sim_misses(
					     sub, m, 128, caps[i] * 128, NULL));
	}
	free(sub);
	mw_reuse_destroy(r);
	free(v);
}

/* ---- sampling -------------------------------------------------------------- */

/* Mean absolute miss-ratio error over power-of-two capacities >= from. */
static double mae(const struct mw_reuse *a, const struct mw_reuse *b,
		  uint64_t from, uint64_t to)
{
	double e = 0;
	unsigned n = 0;
	uint64_t c;

	for (c = from; c <= to; c *= 2, n++)
		e += fabs(mw_reuse_miss_ratio(a, 0, c) -
			  mw_reuse_miss_ratio(b, 0, c));
	return e / n;
}

Test(reuse, sampled_estimates_close)
{
	/* 300 000 accesses over 200 000 lines: enough sampled lines. */
	size_t n = 300000;
	struct mw_access *v = random_trace(17, n, 200000, 1);
	struct mw_reuse_opts o;
	struct mw_reuse *exact, *fr, *fm;
	double e1, e2;

	mw_reuse_opts_init(&o);
	exact = analyse(&o, v, n);
	o.sampling = MW_REUSE_FIXED_RATE;
	o.rate = 0.05;
	fr = analyse(&o, v, n);
	cr_assert_float_eq(mw_reuse_rate(fr), 0.05, 1e-9);
	o.sampling = MW_REUSE_FIXED_MEMORY;
	o.max_lines = 8000;
	fm = analyse(&o, v, n);
	cr_assert_lt(mw_reuse_rate(fm), 0.1);
	cr_assert_gt(mw_reuse_rate(fm), 0.01);
	e1 = mae(exact, fr, 256, 1u << 20);
	e2 = mae(exact, fm, 256, 1u << 20);
	cr_assert_lt(e1, 0.03, "fixed-rate error %f", e1);
	cr_assert_lt(e2, 0.03, "fixed-memory error %f", e2);
	cr_assert_float_eq(mw_reuse_footprint_lines(fr),
			   mw_reuse_footprint_lines(exact),
			   0.1 * mw_reuse_footprint_lines(exact));
	mw_reuse_destroy(exact);
	mw_reuse_destroy(fr);
	mw_reuse_destroy(fm);
	free(v);
}

/* With room for every line, fixed-memory never evicts and is exact. */
Test(reuse, fixed_memory_with_room_is_exact)
{
	struct mw_access *v = random_trace(19, 20000, 3000, 2);
	struct mw_reuse_opts o;
	struct mw_reuse *exact, *fm;
	uint64_t c;

	mw_reuse_opts_init(&o);
	o.split = MW_REUSE_SPLIT_OP;
	exact = analyse(&o, v, 20000);
	o.sampling = MW_REUSE_FIXED_MEMORY;
	o.max_lines = 1u << 20;
	fm = analyse(&o, v, 20000);
	cr_assert_eq(mw_reuse_rate(fm), 1.0);
	for (c = 1; c < 8192; c = c * 3 + 1) {
		cr_assert_float_eq(mw_reuse_misses(fm, 0, c),
				   mw_reuse_misses(exact, 0, c), 1e-6);
		cr_assert_float_eq(mw_reuse_misses(fm, 1, c),
				   mw_reuse_misses(exact, 1, c), 1e-6);
	}
	mw_reuse_destroy(exact);
	mw_reuse_destroy(fm);
	free(v);
}

/* Eviction keeps the table consistent: a tiny budget on a long trace. */
Test(reuse, fixed_memory_tiny_budget)
{
	struct mw_access *v = random_trace(23, 100000, 50000, 4);
	struct mw_reuse_opts o;
	struct mw_reuse *fm;

	mw_reuse_opts_init(&o);
	o.sampling = MW_REUSE_FIXED_MEMORY;
	o.max_lines = 16;
	o.view = MW_REUSE_VIEW_PRIVATE;
	fm = analyse(&o, v, 100000);
	cr_assert_lt(mw_reuse_rate(fm), 0.01);
	cr_assert_gt(mw_reuse_misses(fm, 0, 1), 0);
	mw_reuse_destroy(fm);
	free(v);
}

/* ---- summaries, options, failures ------------------------------------------ */

Test(reuse, summary_and_knees)
{
	/* Two lines alternating after a cold start: distance 1, time 2. */
	struct mw_access v[100];
	struct mw_reuse_opts o;
	struct mw_reuse_summary s;
	struct mw_reuse *r;
	uint64_t half, floor_l;
	unsigned i;

	for (i = 0; i < 100; i++) {
		v[i].addr = (i & 1) * 128;
		v[i].size = 4;
		v[i].unit = 0;
		v[i].op = 0;
		v[i].tensor = 0;
	}
	mw_reuse_opts_init(&o);
	r = analyse(&o, v, 100);
	cr_assert_eq(mw_reuse_summary(r, 0, &s), 0);
	cr_assert_eq(s.refs, 100);
	cr_assert_eq(s.cold, 2);
	cr_assert_eq(s.median_distance, 1);
	cr_assert_eq(s.median_time, 2);
	cr_assert_float_eq(s.mean_distance, 1, 1e-12);
	mw_reuse_knees(r, 0, &half, &floor_l);
	cr_assert_eq(half, 2);
	cr_assert_eq(floor_l, 2);
	cr_assert_eq(mw_reuse_misses(r, 0, 1), 100);
	cr_assert_eq(mw_reuse_misses(r, 0, 2), 2);
	cr_assert_float_eq(mw_reuse_miss_ratio(r, 0, 2), 0.02, 1e-12);
	mw_reuse_destroy(r);
}

Test(reuse, bad_options)
{
	struct mw_reuse_opts o;
	int err = 0;

	mw_reuse_opts_init(&o);
	o.line_bytes = 96;
	cr_assert_null(mw_reuse_create(&o, &err));
	cr_assert_eq(err, MW_EINVAL);
	mw_reuse_opts_init(&o);
	o.sampling = MW_REUSE_FIXED_RATE;
	o.rate = 0;
	cr_assert_null(mw_reuse_create(&o, &err));
	o.rate = 1.5;
	cr_assert_null(mw_reuse_create(&o, &err));
	mw_reuse_opts_init(&o);
	o.sampling = MW_REUSE_FIXED_MEMORY;
	o.max_lines = 3;
	cr_assert_null(mw_reuse_create(&o, &err));
	mw_reuse_opts_init(&o);
	o.exact_lines = 64;
	cr_assert_null(mw_reuse_create(&o, &err));
	cr_assert_eq(err, MW_EINVAL);
}

Test(reuse, feed_after_finish_fails)
{
	struct mw_access a = {0, 8, 0, 0, 0};
	struct mw_reuse_opts o;
	struct mw_reuse *r;

	mw_reuse_opts_init(&o);
	r = mw_reuse_create(&o, NULL);
	cr_assert_eq(mw_reuse_feed(r, &a, 1), 0);
	cr_assert_eq(mw_reuse_finish(r), 0);
	cr_assert_eq(mw_reuse_feed(r, &a, 1), MW_EINVAL);
	mw_reuse_destroy(r);
}

/* Every allocation failure is reported, and nothing leaks (ASan). */
Test(reuse, allocation_failures)
{
	struct mw_access *v = random_trace(29, 30000, 20000, 4);
	long k;
	unsigned mode;

	for (mode = 0; mode < 3; mode++)
		for (k = 0; k < 40; k++) {
			struct mw_reuse_opts o;
			struct mw_reuse *r;
			int e = 0;
			size_t i;

			mw_reuse_opts_init(&o);
			o.split = MW_REUSE_SPLIT_UNIT;
			o.view = mode == 1 ? MW_REUSE_VIEW_PRIVATE
					   : MW_REUSE_VIEW_SHARED;
			if (mode == 2) {
				o.sampling = MW_REUSE_FIXED_MEMORY;
				o.max_lines = 1000;
			}
			mw_alloc_fail_after(k);
			r = mw_reuse_create(&o, &e);
			if (!r) {
				cr_assert_eq(e, MW_ENOMEM);
				mw_alloc_fail_after(-1);
				continue;
			}
			for (i = 0; i < 30000 && !e; i += 1000)
				e = mw_reuse_feed(r, v + i, 1000);
			if (!e)
				e = mw_reuse_finish(r);
			mw_alloc_fail_after(-1);
			cr_assert(e == 0 || e == MW_ENOMEM);
			mw_reuse_destroy(r);
		}
	free(v);
}

static const char *test_scope_name(void *ctx, unsigned scope)
{
	(void)ctx;
	return scope == 1 ? "read" : "write";
}

Test(reuse, results_long_form)
{
	struct mw_access *v = random_trace(31, 5000, 800, 1);
	struct mw_results *res = mw_results_create();
	const struct mw_result *x;
	struct mw_reuse_opts o;
	struct mw_reuse *r;
	uint64_t half, floor_l;

	mw_reuse_opts_init(&o);
	o.split = MW_REUSE_SPLIT_OP;
	r = analyse(&o, v, 5000);
	cr_assert_eq(mw_reuse_add_results(r, res, test_scope_name, NULL), 0);
	x = mw_results_find(res, "reuse", "cold");
	cr_assert_not_null(x);
	cr_assert_eq(x->f, mw_reuse_footprint_lines(r));
	x = mw_results_find(res, "reuse:read", "refs");
	cr_assert_not_null(x);
	cr_assert_eq(x->f, mw_reuse_misses(r, 1, 0));
	mw_reuse_knees(r, 0, &half, &floor_l);
	x = mw_results_find(res, "reuse", "floor_bytes");
	cr_assert_not_null(x);
	cr_assert_eq(x->u, floor_l * 128);
	cr_assert_eq(mw_reuse_misses(r, 0, floor_l),
		     mw_reuse_footprint_lines(r));
	cr_assert_leq(mw_reuse_misses(r, 0, half),
		      mw_reuse_misses(r, 0, 1) / 2);
	cr_assert_not_null(mw_results_find(res, "reuse:write", "median_time"));
	mw_results_destroy(res);
	mw_reuse_destroy(r);
	free(v);
}

/* A rate that samples (almost) nothing still gives a bounded curve. */
Test(reuse, tiny_rate)
{
	struct mw_access *v = random_trace(37, 20000, 100, 1);
	struct mw_reuse_opts o;
	struct mw_reuse *r;

	mw_reuse_opts_init(&o);
	o.sampling = MW_REUSE_FIXED_RATE;
	o.rate = 1e-30;
	r = analyse(&o, v, 20000);
	cr_assert_leq(mw_reuse_miss_ratio(r, 0, 1), 1.0 + 1e-9);
	mw_reuse_destroy(r);
	o.rate = 1;
	r = analyse(&o, v, 20000);
	cr_assert_eq(mw_reuse_rate(r), 1.0);
	mw_reuse_destroy(r);
	free(v);
}

/* Only cold misses: the curve is flat and never halves. */
Test(reuse, all_cold_never_halves)
{
	struct mw_access v[50];
	struct mw_reuse_opts o;
	struct mw_reuse *r;
	uint64_t half, floor_l;
	unsigned i;

	memset(v, 0, sizeof(v));
	for (i = 0; i < 50; i++) {
		v[i].addr = i * 4096;
		v[i].size = 8;
	}
	mw_reuse_opts_init(&o);
	r = analyse(&o, v, 50);
	mw_reuse_knees(r, 0, &half, &floor_l);
	cr_assert_eq(half, 0);
	cr_assert_eq(floor_l, 1);
	cr_assert_eq(mw_reuse_misses(r, 0, 1), 50);
	cr_assert_eq(mw_reuse_misses(r, 0, 1u << 30), 50);
	cr_assert_eq(mw_reuse_steps(r, 0, NULL, 0), 0);
	mw_reuse_destroy(r);
}

/*
 * A second reference for long traces: the textbook Fenwick tree over
 * every reference's timestamp and a plain open-addressing map from line
 * to its last timestamp; distances only.
 */
static void fenwick_distances(const struct ref *refs, size_t m, uint64_t *dist)
{
	size_t size = 1, i;
	uint64_t *keys, *last, *fen, live = 0;

	while (size < 2 * m + 2)
		size <<= 1;
	keys = calloc(size, sizeof(*keys));
	last = calloc(size, sizeof(*last));
	fen = calloc(m + 1, sizeof(*fen));
	for (i = 0; i < m; i++) {
		uint64_t k = refs[i].line + 1, h = mw_mix64(k) & (size - 1), p;

		while (keys[h] && keys[h] != k)
			h = (h + 1) & (size - 1);
		if (keys[h]) {
			uint64_t d = live;

			for (p = last[h] + 1; p; p &= p - 1)
				d -= fen[p];
			dist[i] = d;
			for (p = last[h] + 1; p <= m; p += p & (~p + 1))
				fen[p]--;
		} else {
			keys[h] = k;
			live++;
			dist[i] = UINT64_MAX;
		}
		last[h] = i;
		for (p = i + 1; p <= m; p += p & (~p + 1))
			fen[p]++;
	}
	free(keys);
	free(last);
	free(fen);
}

/* 400 000 accesses over 150 000 lines: large tables, many compactions. */
Test(reuse, long_trace_matches_fenwick_reference)
{
	size_t n = 400000;
	struct mw_access *v = random_trace(41, n, 150000, 1);
	struct mw_reuse_opts o;
	struct events ev;
	struct ref *refs;
	size_t m = split_lines(v, n, 128, &refs), i;
	uint64_t *dist = malloc(m * sizeof(*dist));
	struct mw_reuse *r;

	fenwick_distances(refs, m, dist);
	ev.dist = malloc(m * sizeof(uint64_t));
	ev.time = malloc(m * sizeof(uint64_t));
	ev.line = malloc(m * sizeof(uint64_t));
	ev.n = 0;
	ev.cap = m;
	mw_reuse_opts_init(&o);
	o.on_event = on_event;
	o.event_ctx = &ev;
	r = analyse(&o, v, n);
	cr_assert_eq(ev.n, m);
	for (i = 0; i < m; i++)
		cr_assert_eq(ev.dist[i], dist[i], "reference %zu", i);
	mw_reuse_destroy(r);
	free(ev.dist);
	free(ev.time);
	free(ev.line);
	free(dist);
	free(refs);
	free(v);
}

/* ---- against the real cache hierarchy ------------------------------------ */

/*
 * Misses of memwall's own cache model configured as one fully associative
 * LRU level of capacity_bytes, write-allocate (so reads and writes alike
 * fill), unsectored lines of line_bytes, one unit.
 */
static uint64_t hier_misses(const struct mw_access *recs, size_t n,
			    uint32_t line_bytes, uint64_t capacity_bytes)
{
	struct mw_hw_cfg cfg;
	struct mw_level_cfg *l = &cfg.levels[0];
	struct mw_counters c;
	struct mw_access *one = malloc(n * sizeof(*one));
	struct mw_hier *h;
	struct mw_diag d;
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.machine.name, sizeof(cfg.machine.name), "test");
	cfg.machine.units = 1;
	cfg.machine.ctas_per_unit = 1;
	cfg.nlevels = 1;
	snprintf(l->name, sizeof(l->name), "l1");
	snprintf(l->replacement, sizeof(l->replacement), "lru");
	l->size = capacity_bytes;
	l->ways = 0;
	l->line = line_bytes;
	l->sector = line_bytes;
	l->write = MW_WRITE_BACK;
	l->allocate = MW_ALLOC_WRITE;
	l->slices = 1;
	for (i = 0; i < n; i++) {
		one[i] = recs[i];
		one[i].unit = 0;
		one[i].tensor = 0;
	}
	h = mw_hier_create(&cfg, 0, &d);
	cr_assert_not_null(h, "%s", d.msg);
	cr_assert_eq(mw_hier_access_batch(h, one, n), 0);
	cr_assert_eq(mw_hier_level_stats(h, 0, MW_STATS_ALL, MW_STATS_ALL,
					 MW_STATS_ALL, &c),
		     0);
	mw_hier_destroy(h);
	free(one);
	return c.v[MW_STAT_MISSES];
}

Test(reuse, curve_matches_hierarchy)
{
	static const uint64_t caps[] = {1, 2, 3, 7, 64, 100, 128, 256, 1000};
	struct mw_access *v = random_trace(11, 20000, 2000, 1);
	struct mw_access *s = strided_trace(20000, 1 << 18);
	struct mw_access *const traces[] = {v, s};
	size_t t, i;

	for (t = 0; t < 2; t++) {
		struct mw_reuse_opts o;
		struct mw_reuse *r;

		mw_reuse_opts_init(&o);
		o.line_bytes = 128;
		r = analyse(&o, traces[t], 20000);
		for (i = 0; i < sizeof(caps) / sizeof(*caps); i++) {
			uint64_t want = hier_misses(traces[t], 20000, 128,
						    caps[i] * 128);

			cr_assert_eq(mw_reuse_misses(r, 0, caps[i]),
				     (double)want,
				     "trace %zu, %llu lines: curve %.0f, "
				     "hierarchy %llu",
				     t, (unsigned long long)caps[i],
				     mw_reuse_misses(r, 0, caps[i]),
				     (unsigned long long)want);
		}
		mw_reuse_destroy(r);
	}
	free(v);
	free(s);
}
