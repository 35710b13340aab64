/*
 * test_machine.c - the machine (caches wired to the memory model): the
 * hierarchy's and the DRAM model's byte counts agree, per channel and in
 * total; memory-only configs widen every access to whole transactions
 * (checked against a naive per-record computation); counting versus
 * timing mode; a sequential stream through h100-sxm gets 80-100 % of
 * the peak; errors.
 */
#include "common/hash.h"
#include "hierarchy/hwconfig.h"
#include "hierarchy/machine.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void load(struct mw_hw_cfg *c, const char *text)
{
	struct mw_diag d;

	mw_diag_clear(&d);
	cr_assert_eq(mw_hw_load_string(c, text, "t.ini", &d), 0, "%s", d.msg);
}

static struct mw_machine *make(const struct mw_hw_cfg *c, uint32_t ntensors)
{
	struct mw_diag d;
	struct mw_machine *m;

	mw_diag_clear(&d);
	m = mw_machine_create(c, ntensors, &d);
	cr_assert_not_null(m, "%s:%llu: %s", d.file, (unsigned long long)d.line,
			   d.msg);
	return m;
}

static double get(const struct mw_results *r, const char *scope,
		  const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	cr_assert_not_null(x, "no %s,%s", scope, metric);
	return x->kind == MW_RESULT_U64 ? (double)x->u : x->f;
}

/* Every metric name appears at most once per scope. */
static void no_duplicates(const struct mw_results *r)
{
	size_t i, j, n = mw_results_count(r);

	for (i = 0; i < n; i++) {
		const struct mw_result *a = mw_results_get(r, i);

		for (j = i + 1; j < n; j++) {
			const struct mw_result *b = mw_results_get(r, j);

			cr_assert(strcmp(a->scope, b->scope) ||
					  strcmp(a->metric, b->metric),
				  "%s,%s twice", a->scope, a->metric);
		}
	}
}

/* bytes of memory:chN summed over the channels */
static void channel_sums(const struct mw_results *r, uint32_t nch, double *rd,
			 double *wr)
{
	char scope[32];
	uint32_t i;

	*rd = *wr = 0;
	for (i = 0; i < nch; i++) {
		snprintf(scope, sizeof(scope), "memory:ch%u", i);
		*rd += get(r, scope, "bytes_read");
		*wr += get(r, scope, "bytes_written");
	}
}

static void random_trace(struct mw_access *recs, size_t n, uint32_t units,
			 uint64_t seed)
{
	struct mw_rng rng;
	size_t i;

	mw_rng_seed(&rng, seed);
	th_random_records(&rng, recs, n, units, 3);
	for (i = 0; i < n; i++)
		if (recs[i].addr > UINT64_MAX - 4096)
			recs[i].addr -= 8192;
}

static void check_agree(const char *hw, bool flush, uint64_t seed)
{
	enum {
		N = 20000
	};
	struct mw_hw_cfg c;
	struct mw_diag d;
	struct mw_machine *m;
	struct mw_mem_counters hc;
	struct mw_dram_stats s;
	struct mw_results *r;
	struct mw_access *recs = calloc(N, sizeof(*recs));
	double rd, wr;
	const struct mw_dram_cfg *dc;

	cr_assert_not_null(recs);
	cr_assert_eq(mw_hw_preset(&c, hw, &d), 0, "%s", d.msg);
	random_trace(recs, N, c.machine.units, seed);
	m = make(&c, 3);
	cr_assert_eq(mw_machine_access_batch(m, recs, N / 2), 0, "%s",
		     mw_machine_diag(m)->msg);
	cr_assert_eq(mw_machine_access_batch(m, recs + N / 2, N - N / 2), 0,
		     "%s", mw_machine_diag(m)->msg);
	cr_assert_eq(mw_machine_finish(m, flush), 0);
	cr_assert_eq(mw_machine_finish(m, flush), 0, "a second finish");
	mw_hier_memory_stats(mw_machine_hier_const(m), MW_STATS_ALL,
			     MW_STATS_ALL, &hc);
	mw_machine_memory_stats(m, &s);
	cr_assert_gt(hc.v[MW_MEM_BYTES_READ], 0);
	if (flush)
		cr_assert_gt(hc.v[MW_MEM_BYTES_WRITTEN], 0);
	cr_assert_eq(s.bytes_read, hc.v[MW_MEM_BYTES_READ], "%s", hw);
	cr_assert_eq(s.bytes_written, hc.v[MW_MEM_BYTES_WRITTEN], "%s", hw);
	cr_assert_eq(s.requests, hc.v[MW_MEM_READS] + hc.v[MW_MEM_WRITES], "%s",
		     hw);
	r = mw_results_create();
	cr_assert_eq(mw_machine_results(m, NULL, r), 0);
	no_duplicates(r);
	cr_assert_eq(get(r, "memory", "bytes_read"),
		     (double)hc.v[MW_MEM_BYTES_READ]);
	cr_assert_eq(get(r, "memory", "overfetch_bytes"), 0);
	dc = mw_machine_dram_cfg(m);
	cr_assert_eq(get(r, "memory", "transactions") * dc->tx_bytes,
		     (double)(s.bytes_read + s.bytes_written));
	channel_sums(r, dc->stacks * dc->channels, &rd, &wr);
	cr_assert_eq(rd, (double)s.bytes_read);
	cr_assert_eq(wr, (double)s.bytes_written);
	mw_results_destroy(r);
	mw_machine_destroy(m);
	free(recs);
}

Test(machine, hierarchy_and_memory_bytes_agree)
{
	check_agree("h100-sxm", false, 1);
	check_agree("h100-sxm", true, 2);
	check_agree("cpu-host", true, 3);
	check_agree("mi300x", true, 4);
}

static const char *const mem_only = "[machine]\nunits = 4\n[memory]\nstandard "
				    "= hbm3-6400\n"
				    "refresh = perbank\n";

Test(machine, memory_only_widens_to_transactions)
{
	enum {
		N = 5000
	};
	struct mw_hw_cfg c;
	struct mw_machine *m;
	struct mw_mem_counters hc;
	struct mw_dram_stats s;
	struct mw_access *recs = calloc(N, sizeof(*recs));
	uint64_t want_r = 0, want_w = 0;
	size_t i;

	cr_assert_not_null(recs);
	load(&c, mem_only);
	cr_assert_eq(c.nlevels, 0);
	random_trace(recs, N, 4, 9);
	/* naive: each record covers whole 32 B transactions */
	for (i = 0; i < N; i++) {
		uint64_t lo = recs[i].addr / 32 * 32;
		uint64_t hi = (recs[i].addr + recs[i].size + 31) / 32 * 32;

		if (recs[i].op == MW_OP_WRITE)
			want_w += hi - lo;
		else
			want_r += hi - lo;
	}
	m = make(&c, 3);
	cr_assert(mw_machine_timed(m));
	cr_assert_eq(mw_machine_access_batch(m, recs, N), 0, "%s",
		     mw_machine_diag(m)->msg);
	cr_assert_eq(mw_machine_finish(m, true), 0);
	mw_hier_memory_stats(mw_machine_hier_const(m), MW_STATS_ALL,
			     MW_STATS_ALL, &hc);
	mw_machine_memory_stats(m, &s);
	cr_assert_eq(hc.v[MW_MEM_BYTES_READ], want_r);
	cr_assert_eq(hc.v[MW_MEM_BYTES_WRITTEN], want_w);
	cr_assert_eq(s.bytes_read, want_r);
	cr_assert_eq(s.bytes_written, want_w);
	cr_assert_eq(s.transactions * 32, want_r + want_w);
	cr_assert_eq(s.requests, N, "one memory request per record");
	cr_assert_eq(s.row_hits + s.row_misses + s.row_conflicts,
		     s.transactions);
	/* the records themselves were not changed */
	cr_assert_eq(recs[0].size >= 1 && recs[0].size <= 256, true);
	mw_machine_destroy(m);
	free(recs);
}

static void run_stream(struct mw_machine *m, uint64_t n, uint32_t size,
		       uint32_t units, bool copy)
{
	struct mw_access buf[1024];
	uint64_t i = 0;

	while (i < n) {
		size_t k = 0;

		while (k < 1024 && i < n) {
			uint64_t item = copy ? i / 2 : i;

			buf[k].addr = (copy && (i & 1) ? (8ull << 30) : 0) +
				      item * size;
			buf[k].size = size;
			buf[k].unit = (uint16_t)(item % units);
			buf[k].op = copy && (i & 1) ? MW_OP_WRITE : MW_OP_READ;
			buf[k].tensor = 0;
			k++;
			i++;
		}
		cr_assert_eq(mw_machine_access_batch(m, buf, k), 0, "%s",
			     mw_machine_diag(m)->msg);
	}
}

Test(machine, counting_versus_timing)
{
	struct mw_hw_cfg t, c, e;
	struct mw_machine *mt, *mc, *me;
	struct mw_dram_stats st, sc, se;
	struct mw_results *rt = mw_results_create(), *rc = mw_results_create(),
			  *re = mw_results_create();

	load(&t, mem_only);
	load(&c, "[machine]\nunits = 4\n[memory]\nstandard = hbm3-6400\n"
		 "refresh = perbank\ntiming = off\n");
	load(&e, "[machine]\nunits = 4\n[memory]\n");
	mt = make(&t, 0);
	mc = make(&c, 0);
	me = make(&e, 0);
	cr_assert(mw_machine_timed(mt));
	cr_assert(!mw_machine_timed(mc));
	cr_assert(!mw_machine_timed(me), "an empty [memory] only counts");
	run_stream(mt, 4000, 128, 4, true);
	run_stream(mc, 4000, 128, 4, true);
	run_stream(me, 4000, 128, 4, true);
	cr_assert_eq(mw_machine_results(mt, NULL, rt), MW_EINVAL,
		     "results need finish");
	cr_assert_eq(mw_machine_finish(mt, false), 0);
	cr_assert_eq(mw_machine_finish(mc, false), 0);
	cr_assert_eq(mw_machine_finish(me, false), 0);
	mw_machine_memory_stats(mt, &st);
	mw_machine_memory_stats(mc, &sc);
	mw_machine_memory_stats(me, &se);
	cr_assert_eq(st.bytes_read, 4000 / 2 * 128);
	cr_assert_eq(st.bytes_written, 4000 / 2 * 128);
	cr_assert_eq(sc.bytes_read, st.bytes_read);
	cr_assert_eq(sc.transactions, st.transactions);
	cr_assert_eq(se.transactions, st.transactions);
	cr_assert_gt(st.end_ck, 0);
	cr_assert_eq(sc.end_ck, 0, "no time in counting mode");
	cr_assert_eq(mw_machine_results(mt, NULL, rt), 0);
	cr_assert_eq(mw_machine_results(mc, NULL, rc), 0);
	cr_assert_eq(mw_machine_results(me, NULL, re), 0);
	no_duplicates(rt);
	no_duplicates(rc);
	cr_assert_str_eq(mw_results_find(rt, "memory", "mode")->text, "timing");
	cr_assert_str_eq(mw_results_find(rc, "memory", "mode")->text, "countin"
								      "g");
	cr_assert_gt(get(rt, "memory", "time_ns"), 0);
	cr_assert_gt(get(rt, "memory", "effective_bandwidth_GBps"), 0);
	cr_assert_null(mw_results_find(rc, "memory", "time_ns"));
	cr_assert_null(mw_results_find(rc, "memory", "efficiency"));
	cr_assert_float_eq(get(rc, "memory", "peak_bandwidth_GBps"), 819.2,
			   1e-6);
	cr_assert_eq(get(rc, "memory", "row_hits") +
			     get(rc, "memory", "row_misses") +
			     get(rc, "memory", "row_conflicts"),
		     get(rc, "memory", "transactions"));
	mw_results_destroy(rt);
	mw_results_destroy(rc);
	mw_results_destroy(re);
	mw_machine_destroy(mt);
	mw_machine_destroy(mc);
	mw_machine_destroy(me);
}

Test(machine, h100_sequential_stream_near_peak)
{
	struct mw_hw_cfg c;
	struct mw_diag d;
	struct mw_machine *m;
	struct mw_results *r = mw_results_create();
	double eff, eff2;

	cr_assert_eq(mw_hw_preset(&c, "h100-sxm", &d), 0, "%s", d.msg);
	m = make(&c, 0);
	cr_assert_float_eq(mw_machine_peak_bw(m), 3352.0e9, 1e7);
	run_stream(m, 150000, 128, c.machine.units, false);
	cr_assert_eq(mw_machine_finish(m, false), 0);
	cr_assert_eq(mw_machine_results(m, NULL, r), 0);
	eff = get(r, "memory", "efficiency");
	eff2 = get(r, "memory", "effective_bandwidth_GBps") /
	       get(r, "memory", "peak_bandwidth_GBps");
	cr_assert_float_eq(eff, eff2, 1e-9);
	cr_assert(eff > 0.80 && eff <= 1.0, "efficiency %g", eff);
	cr_assert_eq(get(r, "memory", "bytes_read"), 150000.0 * 128);
	mw_results_destroy(r);
	mw_machine_destroy(m);
}

Test(machine, errors)
{
	struct mw_hw_cfg c;
	struct mw_diag d;
	struct mw_machine *m;
	struct mw_access a = {.addr = 64, .size = 0, .unit = 0, .op = 0};

	/* a config that skipped validation: the memory parser still names
	   the key (and the line of a file) */
	load(&c, mem_only);
	cr_assert_eq(mw_hw_set(&c, "memory.bank_grops=4", &d), 0);
	mw_diag_clear(&d);
	cr_assert_null(mw_machine_create(&c, 0, &d));
	cr_assert_str_eq(d.msg, "[memory] unknown key 'bank_grops'");
	cr_assert_str_eq(d.file, "t.ini");
	load(&c, mem_only);
	c.mem[0].line = 3;
	strcpy(c.mem[0].value, "hbm7");
	cr_assert_null(mw_machine_create(&c, 0, &d));
	cr_assert_eq(d.line, 3);
	cr_assert(strstr(d.msg, "unknown memory standard 'hbm7'"), "%s", d.msg);
	/* bad cache geometry */
	cr_assert_eq(mw_hw_preset(&c, "h100-sxm", &d), 0);
	c.levels[0].line = 100;
	cr_assert_null(mw_machine_create(&c, 0, &d));
	cr_assert_eq(d.code, MW_ECONFIG);
	/* bad records, then use after finish */
	load(&c, mem_only);
	m = make(&c, 0);
	cr_assert_eq(mw_machine_access_batch(m, &a, 1), MW_ERANGE);
	cr_assert(strstr(mw_machine_diag(m)->msg, "record 0"), "%s",
		  mw_machine_diag(m)->msg);
	a.size = 8;
	a.tensor = 2;
	cr_assert_eq(mw_machine_access_batch(m, &a, 1), MW_ERANGE);
	a.tensor = 0;
	a.addr = UINT64_MAX - 3;
	cr_assert_eq(mw_machine_access_batch(m, &a, 1), MW_ERANGE);
	a.addr = 64;
	cr_assert_eq(mw_machine_access_batch(m, &a, 1), 0);
	{
		struct mw_access two[2] = {a, a};

		two[1].size = 0;
		cr_assert_eq(mw_machine_access_batch(m, two, 2), MW_ERANGE);
		cr_assert(!strncmp(mw_machine_diag(m)->msg, "record 1: ", 10),
			  "%s", mw_machine_diag(m)->msg);
	}
	cr_assert_eq(mw_machine_finish(m, false), 0);
	cr_assert_eq(mw_machine_access_batch(m, &a, 1), MW_EINVAL);
	mw_machine_destroy(m);
	mw_machine_destroy(NULL);
}
