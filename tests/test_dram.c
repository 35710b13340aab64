/*
 * test_dram.c - the DRAM/HBM model: presets and peak rates, config keys
 * and their errors, mapping round trips, hand-computable timings (one
 * read's latency, tCCD_L versus tCCD_S streams, the tFAW bound on random
 * reads), and the command-log checker on seeded random, sequential,
 * strided and bank-conflicting patterns for every standard.
 */
#include "common/hash.h"
#include "hierarchy/dram.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void cfg_or_die(struct mw_dram_cfg *c, const char *std)
{
	struct mw_diag d;

	cr_assert_eq(mw_dram_cfg_init(c, std, &d), 0, "%s", d.msg);
}

static void set(struct mw_dram_cfg *c, const char *k, const char *v)
{
	struct mw_diag d;

	cr_assert_eq(mw_dram_cfg_set(c, k, v, &d), 0, "%s = %s: %s", k, v,
		     d.msg);
}

static void validate(struct mw_dram_cfg *c)
{
	struct mw_diag d;

	cr_assert_eq(mw_dram_cfg_validate(c, &d), 0, "%s", d.msg);
}

static struct mw_dram *make(const struct mw_dram_cfg *c, size_t logcap)
{
	struct mw_diag d;
	struct mw_dram *m = mw_dram_create(c, &d);

	cr_assert_not_null(m, "%s", d.msg);
	if (logcap)
		cr_assert_eq(mw_dram_log_enable(m, logcap), 0);
	return m;
}

static void check_log(const struct mw_dram_cfg *c, struct mw_dram *m)
{
	struct mw_diag d;
	size_t n;
	bool trunc;
	const struct mw_dram_cmd *log = mw_dram_log(m, &n, &trunc);

	cr_assert(!trunc, "log truncated");
	cr_assert_gt(n, 0);
	cr_assert_eq(mw_dram_check(c, log, n, &d), 0, "%s: %s", c->standard,
		     d.msg);
}

Test(dram, presets_and_peaks)
{
	static const struct {
		const char *std;
		double gbps; /* one stack / DIMM */
	} want[] = {
		{"hbm2-2000", 256.0},	{"hbm2e-3200", 409.6},
		{"hbm2e-3600", 460.8},	{"hbm3-6400", 819.2},
		{"hbm3e-9600", 1228.8}, {"ddr5-4800", 38.4},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct mw_dram_cfg c;

		cfg_or_die(&c, want[i].std);
		validate(&c);
		cr_assert_float_eq(mw_dram_peak_bw(&c) / 1e9, want[i].gbps,
				   1e-6, "%s", want[i].std);
		cr_assert_geq(c.t.tCCD_S, 1);
		cr_assert_geq(c.t.tRC, c.t.tRAS, "%s", want[i].std);
	}
}

Test(dram, gpu_presets_hit_vendor_peaks)
{
	struct mw_dram_cfg c;

	cfg_or_die(&c, "hbm3-6400");
	set(&c, "stacks", "5");
	set(&c, "data_rate", "5.2375Gbps");
	validate(&c);
	cr_assert_float_eq(mw_dram_peak_bw(&c) / 1e9, 3352.0, 0.5);
	cfg_or_die(&c, "hbm3e-9600");
	set(&c, "stacks", "6");
	set(&c, "data_rate", "6.25Gbps");
	validate(&c);
	cr_assert_float_eq(mw_dram_peak_bw(&c) / 1e9, 4800.0, 0.5);
	cfg_or_die(&c, "hbm2e-3200");
	set(&c, "stacks", "5");
	set(&c, "data_rate", "3.186Gbps");
	validate(&c);
	cr_assert_float_eq(mw_dram_peak_bw(&c) / 1e9, 2039.0, 0.5);
	cfg_or_die(&c, "hbm3-6400");
	set(&c, "stacks", "8");
	set(&c, "data_rate", "5.176Gbps");
	validate(&c);
	cr_assert_float_eq(mw_dram_peak_bw(&c) / 1e9, 5300.2, 0.5);
	cfg_or_die(&c, "ddr5-4800");
	set(&c, "stacks", "8");
	validate(&c);
	cr_assert_float_eq(mw_dram_peak_bw(&c) / 1e9, 307.2, 1e-6);
	cfg_or_die(&c, "hbm3e-9600");
	set(&c, "stacks", "6");
	set(&c, "data_rate", "6.25Gbps");
	validate(&c);
	/* Rescaling keeps ns: tRCD 19.4 ns at 6.4 Gb/s stays >= 19.3 ns. */
	cr_assert_geq(c.t.tRCD * c.tck_ns, 19.3);
	cr_assert_eq(c.t.tCCD_S, 2);
}

Test(dram, config_keys_and_errors)
{
	struct mw_dram_cfg c;
	struct mw_diag d;
	struct mw_mem_kv kv[3] = {
		{"standard", "hbm2-2000", 3},
		{"tFAW", "20", 4},
		{"bogus_key", "1", 7},
	};

	cr_assert_eq(mw_dram_cfg_from_kv(&c, kv, 2, "m.ini", &d), 0, "%s",
		     d.msg);
	cr_assert_eq(c.t.tFAW, 20);
	cr_assert_str_eq(c.standard, "hbm2-2000");
	cr_assert_eq(mw_dram_cfg_from_kv(&c, kv, 3, "m.ini", &d), MW_ECONFIG);
	cr_assert_str_eq(d.file, "m.ini");
	cr_assert_eq(d.line, 7);
	cr_assert(strstr(d.msg, "bogus_key"), "%s", d.msg);
	cr_assert_eq(mw_dram_cfg_from_kv(&c, kv, 0, "m.ini", &d),
		     MW_DRAM_COUNTING);
	snprintf(kv[1].key, sizeof(kv[1].key), "timing");
	snprintf(kv[1].value, sizeof(kv[1].value), "off");
	cr_assert_eq(mw_dram_cfg_from_kv(&c, kv, 2, "m.ini", &d),
		     MW_DRAM_COUNTING);
	snprintf(kv[0].value, sizeof(kv[0].value), "hbm9");
	cr_assert_eq(mw_dram_cfg_from_kv(&c, kv, 1, "m.ini", &d), MW_ECONFIG);
	cr_assert_eq(d.line, 3);
	cr_assert(strstr(d.msg, "hbm9"), "%s", d.msg);

	cfg_or_die(&c, "hbm3-6400");
	cr_assert_eq(mw_dram_cfg_set(&c, "tRCD", "x", &d), MW_EPARSE);
	cr_assert(strstr(d.msg, "tRCD"), "%s", d.msg);
	set(&c, "tRCD", "20ns"); /* 20 / 0.625 = 32 CK */
	cr_assert_eq(c.t.tRCD, 32);
	cr_assert_eq(mw_dram_cfg_set(&c, "row_policy", "half", &d), MW_EPARSE);
	set(&c, "row_policy", "closed");
	set(&c, "refresh", "perbank");
	set(&c, "transaction", "64B");
	cr_assert_eq(c.burst_length, 16);
	validate(&c);
	cr_assert_eq(c.tx_bytes, 64);
	set(&c, "write_low", "30");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
	cr_assert(strstr(d.msg, "write_low"), "%s", d.msg);
	cfg_or_die(&c, "hbm3-6400");
	set(&c, "mapping", "RoBaCo");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
	cr_assert(strstr(d.msg, "mapping"), "%s", d.msg);
	set(&c, "mapping", "RRRHHH");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
	set(&c, "mapping", "RoBaRaCoCh+foo");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
	set(&c, "mapping", "RoBaRaCoCh");
	set(&c, "channels", "0");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
}

Test(dram, write_ini_round_trip)
{
	struct mw_dram_cfg a, b;
	struct mw_mem_kv kv[MW_MEM_KEYS_MAX];
	struct mw_diag d;
	char line[256];
	uint32_t n = 0;
	FILE *f = tmpfile();

	cfg_or_die(&a, "hbm3e-9600");
	set(&a, "stacks", "6");
	set(&a, "tFAW", "40");
	set(&a, "mapping", "RoBaRaCoCh");
	validate(&a);
	cr_assert_eq(mw_dram_cfg_write_ini(&a, f), 0);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *semi = strchr(line, ';');

		if (!eq || line[0] == ';')
			continue;
		if (semi)
			*semi = 0;
		*eq = 0;
		cr_assert_eq(sscanf(line, "%31s", kv[n].key), 1);
		cr_assert_eq(sscanf(eq + 1, "%95s", kv[n].value), 1);
		kv[n].line = n + 1;
		n++;
	}
	fclose(f);
	cr_assert_eq(mw_dram_cfg_from_kv(&b, kv, n, "x.ini", &d), 0, "%s",
		     d.msg);
	cr_assert_eq(memcmp(&a.t, &b.t, sizeof(a.t)), 0);
	cr_assert_eq(a.stacks, b.stacks);
	cr_assert_float_eq(mw_dram_peak_bw(&a), mw_dram_peak_bw(&b), 1);
}

Test(dram, mapping_round_trips)
{
	static const char *const maps[] = {
		"interleave",
		"RoBaRaCoCh",
		"ChRaBaRoCo",
		"RoCoBaRaCh+xor",
		"RoBgBaRaCo2ChCo3",
		"RoBaRaCoCh+xor",
		"RoBaBgCoRaChCo2+xor+chash",
		"RoBaBgCoRaChCo2+chash",
		"interleave+chash",
		"ChRaBaRoCo+chash",
		"RoCoBaRaCh+chash+xor",
		"RRRRRRRRRRRRRRBBGGGPHHHHCCCCC+chash",
	};
	/* hbm3-6400 has 16 channels a stack: 16, 80, 48, 112 channels */
	static const char *const stacks[] = {"1", "5", "3", "7"};
	struct mw_rng rng;
	size_t i, s, k;

	mw_rng_seed(&rng, 4);
	for (s = 0; s < sizeof(stacks) / sizeof(stacks[0]); s++)
		for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
			struct mw_dram_cfg c;
			struct mw_diag d;
			char desc[4096];

			cfg_or_die(&c, "hbm3-6400");
			set(&c, "stacks", stacks[s]);
			set(&c, "mapping", maps[i]);
			if (mw_dram_cfg_validate(&c, &d)) {
				/* bit widths need power-of-two fields */
				cr_assert(s > 0 && (strchr(maps[i], '2') ||
						    strchr(maps[i], 'H')),
					  "%s: %s", maps[i], d.msg);
				continue;
			}
			cr_assert_gt(mw_dram_describe_mapping(&c, desc,
							      sizeof(desc)),
				     0);
			cr_assert(strstr(desc, "row"), "%s", desc);
			cr_assert_eq(c.map_chash,
				     strstr(maps[i], "chash") != NULL);
			cr_assert_eq(strstr(desc, "+chash;") != NULL,
				     c.map_chash, "%s", desc);
			for (k = 0; k < 2000; k++) {
				uint64_t a =
					mw_rng_below(&rng,
						     mw_dram_capacity(&c)) &
					~(uint64_t)(c.tx_bytes - 1);
				struct mw_dram_loc l, l2;

				mw_dram_decode(&c, a, &l);
				cr_assert_lt(l.f[MW_DF_CH],
					     c.stacks * c.channels);
				cr_assert_lt(l.f[MW_DF_BG], c.bank_groups);
				cr_assert_lt(l.f[MW_DF_RO], c.rows);
				cr_assert_eq(mw_dram_encode(&c, &l), a,
					     "%s addr %llx", maps[i],
					     (unsigned long long)a);
				l2 = l;
				mw_dram_decode(&c, mw_dram_encode(&c, &l2), &l);
				cr_assert_eq(memcmp(&l, &l2, sizeof(l)), 0);
			}
		}
}

/*
 * +chash: on 80 channels an 8 KiB stride (64 lines of 128 B,
 * gcd(64, 80) = 16) reaches 5 channels plainly and nearly all of them
 * hashed; addresses within one 128 B run keep sharing a channel, every
 * other field is the plain mapping's, and a capacity's worth of
 * consecutive blocks still fills each channel equally (a bijection).
 */
Test(dram, chash_spreads_strides)
{
	struct mw_dram_cfg p, h;
	struct mw_diag d;
	uint32_t seen_p[80] = {0}, seen_h[80] = {0}, np = 0, nh = 0, k;
	uint64_t a;

	cfg_or_die(&p, "hbm3-6400");
	set(&p, "stacks", "5");
	set(&p, "mapping", "RoBaBgCoRaChCo2+xor");
	validate(&p);
	h = p;
	set(&h, "mapping", "RoBaBgCoRaChCo2+xor+chash");
	validate(&h);
	cr_assert_eq(h.chash_div, 4 * 80);
	for (k = 0; k < 512; k++) { /* 4 MiB: row 0, the +xor is idle */
		struct mw_dram_loc lp, lh, l2;

		a = (uint64_t)k * 8192;
		mw_dram_decode(&p, a, &lp);
		mw_dram_decode(&h, a, &lh);
		np += !seen_p[lp.f[MW_DF_CH]]++;
		nh += !seen_h[lh.f[MW_DF_CH]]++;
		cr_assert_eq(lp.f[MW_DF_RO], lh.f[MW_DF_RO]);
		cr_assert_eq(lp.f[MW_DF_BA], lh.f[MW_DF_BA]);
		cr_assert_eq(lp.f[MW_DF_PC], lh.f[MW_DF_PC]);
		cr_assert_eq(lp.f[MW_DF_CO], lh.f[MW_DF_CO]);
		mw_dram_decode(&h, a + 96, &l2);
		cr_assert_eq(l2.f[MW_DF_CH], lh.f[MW_DF_CH]);
	}
	cr_assert_eq(np, 5);
	cr_assert_geq(nh, 78, "%u channels", nh);
	memset(seen_h, 0, sizeof(seen_h));
	for (a = 0; a < 64ull * 10240; a += 128) {
		struct mw_dram_loc l;

		mw_dram_decode(&h, a, &l);
		seen_h[l.f[MW_DF_CH]]++;
	}
	for (k = 0; k < 80; k++)
		cr_assert_eq(seen_h[k], 64);
	set(&h, "mapping", "RoBaBgCoRaChCo2+chash+chash");
	cr_assert_eq(mw_dram_cfg_validate(&h, &d), MW_ECONFIG);
	cr_assert(strstr(d.msg, "+chash"), "%s", d.msg);
	set(&h, "mapping", "RoBaBgCoRaChCo2+hash");
	cr_assert_eq(mw_dram_cfg_validate(&h, &d), MW_ECONFIG);
}

Test(dram, custom_bit_string)
{
	struct mw_dram_cfg c;
	struct mw_dram_loc l;
	char desc[4096];

	cfg_or_die(&c, "hbm2-2000");
	/* 15 row, 2 bank, 2 group, 1 PC, 3 channel, 5 column bits */
	set(&c, "mapping", "RRRRRRRRRRRRRRRBBGGPHHHCCCCC");
	validate(&c);
	mw_dram_decode(&c, 32u << 5, &l); /* bit 10: channel bit 0 */
	cr_assert_eq(l.f[MW_DF_CH], 1);
	cr_assert_eq(l.f[MW_DF_CO], 0);
	mw_dram_decode(&c, 32u * 3, &l);
	cr_assert_eq(l.f[MW_DF_CO], 3);
	mw_dram_describe_mapping(&c, desc, sizeof(desc));
	cr_assert(strstr(desc, "addr[9:5] column[4:0]"), "%s", desc);
	cr_assert(strstr(desc, "addr[12:10] channel[2:0]"), "%s", desc);
}

/* One channel, one PC, no refresh: a playground for exact timings. */
static void tiny(struct mw_dram_cfg *c, const char *std, const char *map)
{
	cfg_or_die(c, std);
	set(c, "channels", "1");
	set(c, "pseudo_channels", "1");
	set(c, "refresh", "off");
	set(c, "mapping", map);
	set(c, "read_queue", "64");
	validate(c);
}

Test(dram, single_read_latency)
{
	static const char *const stds[] = {"hbm2-2000", "hbm3-6400",
					   "hbm3e-9600", "ddr5-4800"};
	size_t i;

	for (i = 0; i < 4; i++) {
		struct mw_dram_cfg c;
		struct mw_dram_stats s;
		struct mw_dram *m;
		uint64_t want;

		tiny(&c, stds[i], "RoBaCo");
		want = c.t.tRCD + c.t.tCL + c.t.nBL;
		m = make(&c, 64);
		cr_assert_eq(mw_dram_access(m, 0x40, c.tx_bytes, false), 0);
		cr_assert_eq(mw_dram_finish(m), 0);
		mw_dram_stats(m, &s);
		cr_assert_eq(s.end_ck, want, "%s: %llu", stds[i],
			     (unsigned long long)s.end_ck);
		cr_assert_float_eq(s.read_lat_mean_ns, want * c.tck_ns, 1e-9);
		cr_assert_eq(s.row_misses, 1);
		cr_assert_eq(s.activations, 1);
		check_log(&c, m);
		mw_dram_destroy(m);
	}
}

/* CK for n reads cycling over the columns of `groups` open rows. */
static uint64_t hit_stream(const struct mw_dram_cfg *c, unsigned groups,
			   unsigned n)
{
	struct mw_dram *m = make(c, 0);
	struct mw_dram_stats s;
	unsigned i;

	for (i = 0; i < n; i++) {
		/* "RoBaBgCo": column lowest, then bank group */
		uint64_t col = (i / groups) % c->columns, g = i % groups;

		cr_assert_eq(
			mw_dram_access(m, (g * c->columns + col) * c->tx_bytes,
				       c->tx_bytes, false),
			0);
	}
	mw_dram_finish(m);
	mw_dram_stats(m, &s);
	cr_assert_eq(s.row_hits, n - groups);
	mw_dram_destroy(m);
	return s.end_ck;
}

Test(dram, tccd_long_versus_short)
{
	struct mw_dram_cfg c;
	unsigned n = 4000;
	uint64_t one, four;
	double peak_one, peak_four;

	tiny(&c, "hbm3-6400", "RoBaBgCo");
	one = hit_stream(&c, 1, n);
	four = hit_stream(&c, 4, n);
	/* one bank group: one RD per tCCD_L; several: per tCCD_S = nBL */
	cr_assert_float_eq((double)one, (double)n * c.t.tCCD_L,
			   0.01 * n * c.t.tCCD_L, "one group: %llu",
			   (unsigned long long)one);
	cr_assert_float_eq((double)four, (double)n * c.t.tCCD_S,
			   0.02 * n * c.t.tCCD_S, "four groups: %llu",
			   (unsigned long long)four);
	peak_one = (double)n * c.tx_bytes / (one * c.tck_ns);
	peak_four = (double)n * c.tx_bytes / (four * c.tck_ns);
	cr_assert_float_eq(peak_one / (mw_dram_peak_bw(&c) / 1e9), 0.5, 0.01);
	cr_assert_float_eq(peak_four / (mw_dram_peak_bw(&c) / 1e9), 1.0, 0.02);
}

Test(dram, tfaw_bounds_random_reads)
{
	struct mw_dram_cfg c;
	struct mw_dram_stats s;
	struct mw_rng rng;
	struct mw_dram *m;
	unsigned i, n = 4000;
	double per_act;

	tiny(&c, "hbm3-6400", "RoBaBgCo");
	set(&c, "outstanding", "64");
	validate(&c);
	m = make(&c, 0);
	mw_rng_seed(&rng, 11);
	for (i = 0; i < n; i++) {
		struct mw_dram_loc l = {{0}};

		l.f[MW_DF_BG] = (uint32_t)mw_rng_below(&rng, c.bank_groups);
		l.f[MW_DF_BA] = (uint32_t)mw_rng_below(&rng, c.banks);
		l.f[MW_DF_RO] = (uint32_t)mw_rng_below(&rng, c.rows);
		l.f[MW_DF_CO] = (uint32_t)mw_rng_below(&rng, c.columns);
		cr_assert_eq(mw_dram_access(m, mw_dram_encode(&c, &l),
					    c.tx_bytes, false),
			     0);
	}
	mw_dram_finish(m);
	mw_dram_stats(m, &s);
	cr_assert_geq(s.activations, n - 5);
	per_act = (double)s.end_ck / (double)s.activations;
	/* 4 ACTs per tFAW = 24 CK: at least 6 CK each, and close to it */
	cr_assert_geq(per_act, (double)c.t.tFAW / 4 * 0.99, "%f", per_act);
	cr_assert_leq(per_act, (double)c.t.tFAW / 4 * 1.15, "%f", per_act);
	mw_dram_destroy(m);
}

enum pattern {
	P_SEQ,
	P_RANDOM,
	P_STRIDE,
	P_CONFLICT,
	P_N
};

static void run_pattern(const char *std, enum pattern p, const char *refresh,
			const char *policy, uint64_t seed)
{
	struct mw_dram_cfg c;
	struct mw_dram_stats s;
	struct mw_dram *m;
	struct mw_rng rng;
	unsigned i, n = 1500;
	uint64_t bytes = 0;

	cfg_or_die(&c, std);
	set(&c, "refresh", refresh);
	set(&c, "row_policy", policy);
	{
		char v[32]; /* many refreshes in a short run */

		snprintf(v, sizeof(v), "%u", c.t.tRFC + c.t.tRC + 150);
		set(&c, "tREFI", v);
		set(&c, "refresh_stagger", "3");
	}
	set(&c, "read_queue", "16");
	set(&c, "write_queue", "16");
	set(&c, "write_high", "12");
	set(&c, "write_low", "4");
	if (!strcmp(refresh, "perbank"))
		set(&c, "tREFI", "12800");
	validate(&c);
	m = make(&c, 200000);
	mw_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		uint64_t a;
		uint32_t sz = (uint32_t)(p == P_RANDOM
						 ? 32 << mw_rng_below(&rng, 3)
						 : 128);
		bool w = mw_rng_below(&rng, 3) == 0;

		switch (p) {
		case P_SEQ:
			a = (uint64_t)i * 128 + (w ? 1ull << 30 : 0);
			break;
		case P_RANDOM:
			a = mw_rng_below(&rng, 1ull << 34) & ~31ull;
			break;
		case P_STRIDE:
			a = (uint64_t)i * 4096 * 3;
			break;
		default: { /* same bank, different rows */
			struct mw_dram_loc l = {{0}};

			l.f[MW_DF_RO] = (uint32_t)mw_rng_below(&rng, c.rows);
			l.f[MW_DF_BA] = (uint32_t)mw_rng_below(&rng, 2);
			a = mw_dram_encode(&c, &l);
			sz = c.tx_bytes;
		}
		}
		bytes += sz;
		cr_assert_eq(mw_dram_access(m, a, sz, w), 0);
	}
	cr_assert_eq(mw_dram_finish(m), 0);
	mw_dram_stats(m, &s);
	cr_assert_eq(s.row_hits + s.row_misses + s.row_conflicts,
		     s.transactions);
	cr_assert_eq(s.bytes_read + s.bytes_written,
		     s.transactions * c.tx_bytes);
	cr_assert_geq(s.bytes_read + s.bytes_written, bytes);
	cr_assert_gt(s.end_ck, 0);
	if (strcmp(refresh, "off"))
		cr_assert_gt(s.refreshes, 0, "%s pattern %d", std, p);
	check_log(&c, m);
	mw_dram_destroy(m);
}

Test(dram, checker_on_every_standard_and_pattern, .timeout = 120)
{
	const char *const *std;
	int p;

	for (std = mw_dram_standards(); *std; std++)
		for (p = 0; p < P_N; p++)
			run_pattern(*std, (enum pattern)p,
				    p % 2 ? "perbank" : "allbank",
				    p == P_STRIDE ? "closed" : "open",
				    (uint64_t)p * 7 + 1);
}

Test(dram, checker_catches_violations)
{
	struct mw_dram_cfg c;
	struct mw_dram *m;
	struct mw_dram_cmd *copy;
	const struct mw_dram_cmd *log;
	struct mw_diag d;
	size_t n, i, moved = 0;
	unsigned k;

	tiny(&c, "hbm3-6400", "RoBaBgCo");
	m = make(&c, 10000);
	for (k = 0; k < 400; k++)
		mw_dram_access(m, (uint64_t)k * 32 * 7919 % (1u << 24), 32,
			       k % 5 == 0);
	mw_dram_finish(m);
	log = mw_dram_log(m, &n, NULL);
	cr_assert_eq(mw_dram_check(&c, log, n, &d), 0, "%s", d.msg);
	copy = malloc(n * sizeof(*copy));
	/* Pull each column command one CK earlier: each must be caught. */
	for (i = 1; i < n; i++) {
		if (log[i].kind != MW_DRAM_RD || log[i].time == 0)
			continue;
		memcpy(copy, log, n * sizeof(*copy));
		copy[i].time--;
		if (i + 1 < n && copy[i].time < copy[i - 1].time)
			continue;
		cr_assert_eq(mw_dram_check(&c, copy, n, &d), MW_ERANGE,
			     "moving command %zu went unnoticed", i);
		moved++;
	}
	cr_assert_gt(moved, 50);
	memcpy(copy, log, n * sizeof(*copy));
	for (i = 0; i < n && copy[i].kind != MW_DRAM_ACT; i++)
		;
	copy[i].kind = MW_DRAM_PRE;
	cr_assert_eq(mw_dram_check(&c, copy, n, &d), MW_ERANGE);
	free(copy);
	mw_dram_destroy(m);
}

Test(dram, counting_mode_and_results)
{
	struct mw_dram_cfg c;
	struct mw_dram *m;
	struct mw_results *r = mw_results_create();
	struct mw_mem_kv kv[1] = {{"timing", "off", 1}};
	struct mw_diag d;
	struct mw_dram_stats s;
	unsigned i;

	cr_assert_eq(mw_dram_cfg_from_kv(&c, kv, 1, "x", &d), MW_DRAM_COUNTING);
	m = make(&c, 0);
	/* interleave: 4 x 32 B per bank, then 1024 banks, then the row */
	for (i = 0; i < 4096; i++)
		mw_dram_access(m, (uint64_t)i * 128, 128, false);
	mw_dram_finish(m);
	mw_dram_stats(m, &s);
	cr_assert_eq(s.bytes_read, 4096 * 128);
	cr_assert_eq(s.transactions, 4 * 4096);
	cr_assert_eq(s.row_misses, 1024);
	cr_assert_eq(s.row_hits, 4 * 4096 - 1024);
	cr_assert_eq(mw_dram_results(m, r), 0);
	cr_assert_not_null(mw_results_find(r, "memory", "bytes_read"));
	cr_assert_not_null(mw_results_find(r, "memory:ch15", "row_hits"));
	cr_assert_null(mw_results_find(r, "memory", "time_ns"));
	mw_dram_destroy(m);
	mw_results_destroy(r);
}

Test(dram, timing_results_and_errors)
{
	struct mw_dram_cfg c;
	struct mw_dram *m;
	struct mw_results *r = mw_results_create();
	const struct mw_result *e, *p;
	unsigned i;

	cfg_or_die(&c, "hbm3-6400");
	validate(&c);
	m = make(&c, 0);
	cr_assert_eq(mw_dram_access(m, 0, 0, false), MW_EINVAL);
	for (i = 0; i < 20000; i++)
		mw_dram_access(m, (uint64_t)i * 128, 128, i % 2);
	mw_dram_finish(m);
	cr_assert_eq(mw_dram_results(m, r), 0);
	e = mw_results_find(r, "memory", "effective_bandwidth_GBps");
	p = mw_results_find(r, "memory", "peak_bandwidth_GBps");
	cr_assert_not_null(e);
	cr_assert_float_eq(p->f, 819.2, 1e-6);
	cr_assert_gt(e->f, 0.5 * p->f, "%f", e->f);
	cr_assert_leq(e->f, p->f);
	cr_assert_not_null(mw_results_find(r, "memory:ch3", "utilization"));
	cr_assert_not_null(mw_results_find(r, "memory", "read_latency_p99_ns"));
	mw_dram_destroy(m);
	mw_results_destroy(r);
}

/*
 * Naive reference: one read in flight (outstanding 1, no refresh), each
 * command placed at the first CK >= the previous command that the
 * checker accepts, found by trying every CK in turn.  The event-driven
 * model must produce exactly the same commands at the same times.
 */
static size_t ref_place(const struct mw_dram_cfg *c, struct mw_dram_cmd *h,
			size_t n, struct mw_dram_cmd cmd, uint64_t from)
{
	struct mw_diag d;

	for (cmd.time = from;; cmd.time++) {
		h[n] = cmd;
		if (!mw_dram_check(c, h, n + 1, &d))
			return n + 1;
		cr_assert_lt(cmd.time, from + 100000, "no legal time");
	}
}

static void reference_compare(const char *std, const char *map, uint64_t seed)
{
	struct mw_dram_cfg c;
	struct mw_dram *m;
	struct mw_rng rng;
	struct mw_dram_cmd *h;
	const struct mw_dram_cmd *log;
	uint32_t *open;
	size_t n = 0, nlog, i;
	uint64_t now = 0;
	unsigned k, reqs = 150;

	cfg_or_die(&c, std);
	set(&c, "refresh", "off");
	set(&c, "outstanding", "1");
	set(&c, "channels", "2");
	set(&c, "mapping", map);
	validate(&c);
	m = make(&c, 4096);
	h = calloc(4096, sizeof(*h));
	open = malloc(sizeof(*open) * 4096);
	for (i = 0; i < 4096; i++)
		open[i] = UINT32_MAX;
	mw_rng_seed(&rng, seed);
	for (k = 0; k < reqs; k++) {
		struct mw_dram_loc l = {{0}};
		struct mw_dram_cmd cmd = {0};
		uint32_t bank, *o;

		/* few rows and banks: hits, misses and conflicts */
		l.f[MW_DF_CH] = (uint32_t)mw_rng_below(&rng, 2);
		l.f[MW_DF_PC] = (uint32_t)mw_rng_below(&rng, c.pseudo_channels);
		l.f[MW_DF_BG] = (uint32_t)mw_rng_below(&rng, 2);
		l.f[MW_DF_BA] = (uint32_t)mw_rng_below(&rng, 2);
		l.f[MW_DF_RO] = (uint32_t)mw_rng_below(&rng, 3);
		l.f[MW_DF_CO] = (uint32_t)mw_rng_below(&rng, c.columns);
		cr_assert_eq(mw_dram_access(m, mw_dram_encode(&c, &l),
					    c.tx_bytes, false),
			     0);
		cmd.channel = l.f[MW_DF_CH];
		cmd.pc = (uint8_t)l.f[MW_DF_PC];
		cmd.bg = (uint8_t)l.f[MW_DF_BG];
		cmd.ba = (uint8_t)l.f[MW_DF_BA];
		bank = ((cmd.channel * c.pseudo_channels + cmd.pc) *
				c.bank_groups +
			cmd.bg) *
			       c.banks +
		       cmd.ba;
		o = &open[bank];
		if (*o != l.f[MW_DF_RO]) {
			if (*o != UINT32_MAX) {
				cmd.kind = MW_DRAM_PRE;
				cmd.row = *o;
				n = ref_place(&c, h, n, cmd, now);
				now = h[n - 1].time;
			}
			cmd.kind = MW_DRAM_ACT;
			cmd.row = l.f[MW_DF_RO];
			n = ref_place(&c, h, n, cmd, now);
			now = h[n - 1].time;
			*o = cmd.row;
		}
		cmd.kind = MW_DRAM_RD;
		cmd.row = l.f[MW_DF_RO];
		n = ref_place(&c, h, n, cmd, now);
		now = h[n - 1].time + c.t.tCL + c.t.nBL; /* next arrives */
	}
	mw_dram_finish(m);
	log = mw_dram_log(m, &nlog, NULL);
	cr_assert_eq(nlog, n, "%s: model %zu commands, reference %zu", std,
		     nlog, n);
	for (i = 0; i < n; i++)
		cr_assert(log[i].time == h[i].time &&
				  log[i].kind == h[i].kind &&
				  log[i].channel == h[i].channel &&
				  log[i].pc == h[i].pc &&
				  log[i].bg == h[i].bg && log[i].ba == h[i].ba,
			  "%s command %zu: model kind %d at %llu, reference "
			  "kind %d at %llu",
			  std, i, log[i].kind, (unsigned long long)log[i].time,
			  h[i].kind, (unsigned long long)h[i].time);
	free(h);
	free(open);
	mw_dram_destroy(m);
}

Test(dram, matches_naive_reference, .timeout = 120)
{
	const char *const *std;
	uint64_t seed = 1;

	for (std = mw_dram_standards(); *std; std++) {
		reference_compare(*std, "RoBaRaCoCh", seed++);
		reference_compare(*std, "interleave", seed++);
	}
}

/* The h100-sxm [memory] lines of docs/dram.md, with line_bytes. */
static void h100_lines(struct mw_dram_cfg *c, const char *line_bytes)
{
	cfg_or_die(c, "hbm3-6400");
	set(c, "stacks", "5");
	set(c, "data_rate", "5.2375Gbps");
	set(c, "outstanding", "8192");
	set(c, "mapping", "RoBaBgCoRaChCo2+xor");
	set(c, "write_queue", "128");
	set(c, "write_high", "120");
	set(c, "write_low", "8");
	set(c, "refresh", "perbank");
	set(c, "line_bytes", line_bytes);
	validate(c);
}

/*
 * Each request's RD names the bank and row mw_dram_decode gives its
 * address (one request in flight, so the k-th RD is request k's): the
 * model's compiled decoder against the library's, on mixed-radix (80
 * channels), XOR, interleave and DDR5 mappings.
 */
Test(dram, model_decodes_like_mw_dram_decode)
{
	static const struct {
		const char *std, *map, *stacks;
	} cases[] = {{"hbm3-6400", "RoBaBgCoRaChCo2+xor", "5"},
		     {"hbm3-6400", "RoBaBgCoRaChCo2+xor+chash", "5"},
		     {"hbm2e-3200", "RoCoBaRaCh+chash", "3"},
		     {"hbm3-6400", "interleave", "1"},
		     {"hbm2e-3200", "ChRaBaRoCo", "3"},
		     {"ddr5-4800", "RoBaRaCoCh+xor", "8"}};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct mw_dram_cfg c;
		struct mw_dram *m;
		struct mw_rng rng;
		const struct mw_dram_cmd *log;
		mw_addr addr[300];
		size_t n, i, r = 0;

		cfg_or_die(&c, cases[k].std);
		set(&c, "stacks", cases[k].stacks);
		set(&c, "mapping", cases[k].map);
		set(&c, "outstanding", "1");
		set(&c, "refresh", "off");
		validate(&c);
		m = make(&c, 4096);
		mw_rng_seed(&rng, k + 3);
		for (i = 0; i < 300; i++) {
			addr[i] = mw_rng_below(&rng, mw_dram_capacity(&c)) /
				  c.tx_bytes * c.tx_bytes;
			cr_assert_eq(mw_dram_access(m, addr[i], c.tx_bytes,
						    false),
				     0);
		}
		mw_dram_finish(m);
		log = mw_dram_log(m, &n, NULL);
		for (i = 0; i < n; i++) {
			struct mw_dram_loc l;

			if (log[i].kind != MW_DRAM_RD)
				continue;
			mw_dram_decode(&c, addr[r], &l);
			cr_assert(log[i].channel == l.f[MW_DF_CH] &&
					  log[i].pc == l.f[MW_DF_PC] &&
					  log[i].bg == l.f[MW_DF_BG] &&
					  log[i].ba == l.f[MW_DF_BA] &&
					  log[i].row == l.f[MW_DF_RO],
				  "%s %s: request %zu at %llx", cases[k].std,
				  cases[k].map, r, (unsigned long long)addr[r]);
			r++;
		}
		cr_assert_eq(r, 300);
		mw_dram_destroy(m);
	}
}

/*
 * line_bytes = 128: a line's four 32 B sector requests, arriving
 * together, share one outstanding slot and one queue entry, so a
 * sector stream gives exactly the command log of the same stream in
 * 128 B requests (reads, copies, triads; buffered and blocking).
 * Without line_bytes the sector stream runs short of bytes in flight.
 */
static void run_stream(const struct mw_dram_cfg *c, uint32_t req, int kind,
		       struct mw_dram **out)
{
	struct mw_dram *m = make(c, 400000);
	uint64_t base[3] = {0, 1ull << 33, 2ull << 33};
	uint32_t i, n = 24000 * 128 / req;

	for (i = 0; i < n; i++) {
		uint64_t k = (uint64_t)i / (128 / req), s = i % (128 / req);
		uint64_t a;
		bool w = false;

		if (kind == 0) {
			a = (uint64_t)i * req;
		} else if (kind == 1) { /* copy: line k of a, then of b */
			uint64_t line = k / 2;

			w = k & 1;
			a = base[w] + line * 128 + s * req;
		} else { /* triad: b, c, then a */
			a = base[(k % 3 + 1) % 3] + k / 3 * 128 + s * req;
			w = k % 3 == 2;
		}
		cr_assert_eq(mw_dram_access(m, a, req, w), 0);
	}
	cr_assert_eq(mw_dram_finish(m), 0);
	*out = m;
}

Test(dram, sector_requests_share_lines, .timeout = 120)
{
	int kind, fe;

	for (fe = 0; fe < 2; fe++)
		for (kind = 0; kind < 3; kind++) {
			struct mw_dram_cfg c;
			struct mw_dram *a, *b;
			struct mw_dram_stats sa, sb;
			const struct mw_dram_cmd *la, *lb;
			size_t na, nb, i;

			h100_lines(&c, "128");
			if (fe) {
				set(&c, "frontend", "blocking");
				set(&c, "outstanding", "700");
			}
			run_stream(&c, 128, kind, &a);
			run_stream(&c, 32, kind, &b);
			la = mw_dram_log(a, &na, NULL);
			lb = mw_dram_log(b, &nb, NULL);
			cr_assert_eq(na, nb, "kind %d fe %d: %zu vs %zu", kind,
				     fe, na, nb);
			for (i = 0; i < na; i++)
				cr_assert(la[i].time == lb[i].time &&
						  la[i].kind == lb[i].kind &&
						  la[i].channel ==
							  lb[i].channel &&
						  la[i].pc == lb[i].pc &&
						  la[i].bg == lb[i].bg &&
						  la[i].ba == lb[i].ba &&
						  la[i].row == lb[i].row,
					  "kind %d fe %d: command %zu differs",
					  kind, fe, i);
			mw_dram_stats(a, &sa);
			mw_dram_stats(b, &sb);
			cr_assert_eq(sb.requests, 4 * sa.requests);
			cr_assert_eq(sb.reads_done, sa.reads_done);
			cr_assert_eq(sb.bytes_read, sa.bytes_read);
			cr_assert_eq(sb.end_ck, sa.end_ck);
			check_log(&c, b);
			mw_dram_destroy(a);
			mw_dram_destroy(b);
		}
}

Test(dram, sector_stream_without_lines_is_slower)
{
	struct mw_dram_cfg c;
	struct mw_dram *a, *b;
	struct mw_dram_stats sa, sb;

	h100_lines(&c, "0");
	run_stream(&c, 32, 1, &a);
	h100_lines(&c, "128");
	run_stream(&c, 32, 1, &b);
	mw_dram_stats(a, &sa);
	mw_dram_stats(b, &sb);
	cr_assert_eq(sa.bytes_read + sa.bytes_written,
		     sb.bytes_read + sb.bytes_written);
	cr_assert_eq(sa.reads_done, 4 * sb.reads_done);
	cr_assert_gt(sa.end_ck, sb.end_ck * 5 / 4, "%llu vs %llu",
		     (unsigned long long)sa.end_ck,
		     (unsigned long long)sb.end_ck);
	mw_dram_destroy(a);
	mw_dram_destroy(b);
}

Test(dram, line_bytes_errors)
{
	struct mw_dram_cfg c;
	struct mw_diag d;

	cfg_or_die(&c, "hbm3-6400");
	set(&c, "line_bytes", "96");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
	cr_assert(strstr(d.msg, "line_bytes"), "%s", d.msg);
	set(&c, "line_bytes", "8192");
	cr_assert_eq(mw_dram_cfg_validate(&c, &d), MW_ECONFIG);
	set(&c, "line_bytes", "128");
	validate(&c);
}

/*
 * The model runs channels slice by slice while the front end waits for
 * a read completion, and falls back to one command at a time in the
 * global order when the rest of the log might not hold a slice (at most
 * 2 commands per CK and channel for tCL + nBL CK).  A log of exactly
 * that size is therefore written in the global order throughout; the
 * sliced run's log must start with the same commands.
 */
static void slices_keep_order(const char *std, const char *map, int pat,
			      bool xtra)
{
	struct mw_dram_cfg c;
	struct mw_dram *full, *stepped;
	const struct mw_dram_cmd *a, *b;
	struct mw_rng rng;
	size_t na, nb, cap, i;
	unsigned k;

	cfg_or_die(&c, std);
	set(&c, "mapping", map);
	if (xtra) {
		set(&c, "refresh", "perbank");
		set(&c, "line_bytes", "128");
		set(&c, "outstanding", "256");
	}
	validate(&c);
	cap = 2 * (size_t)c.stacks * c.channels * (c.t.tCL + c.t.nBL);
	full = make(&c, 1u << 20);
	stepped = make(&c, cap);
	mw_rng_seed(&rng, (uint64_t)pat + 1);
	for (k = 0; k < 3000; k++) {
		mw_addr addr;
		bool w = false;

		if (pat == 0)
			addr = (mw_addr)k * 128;
		else if (pat == 1)
			addr = mw_rng_below(&rng, 1ull << 30) & ~31ull;
		else {
			addr = mw_rng_below(&rng, 1ull << 22) & ~31ull;
			w = mw_rng_below(&rng, 4) == 0;
		}
		cr_assert_eq(
			mw_dram_access(full, addr, 32 + 32 * (pat == 0), w), 0);
		cr_assert_eq(mw_dram_access(stepped, addr, 32 + 32 * (pat == 0),
					    w),
			     0);
	}
	cr_assert_eq(mw_dram_finish(full), 0);
	cr_assert_eq(mw_dram_finish(stepped), 0);
	a = mw_dram_log(full, &na, NULL);
	b = mw_dram_log(stepped, &nb, NULL);
	cr_assert_eq(nb, cap < na ? cap : na, "%s: %zu of %zu", std, nb, na);
	for (i = 0; i < nb; i++)
		cr_assert(a[i].time == b[i].time &&
				  a[i].channel == b[i].channel &&
				  a[i].kind == b[i].kind &&
				  a[i].pc == b[i].pc && a[i].bg == b[i].bg &&
				  a[i].ba == b[i].ba && a[i].row == b[i].row,
			  "%s %s pattern %d: command %zu differs", std, map,
			  pat, i);
	mw_dram_destroy(full);
	mw_dram_destroy(stepped);
}

Test(dram, slices_keep_the_global_order, .timeout = 120)
{
	const char *const *std;
	int p;

	for (std = mw_dram_standards(); *std; std++)
		for (p = 0; p < 3; p++) {
			slices_keep_order(*std, "interleave", p, false);
			slices_keep_order(*std, "RoBaRaCoCh", p, p == 2);
		}
}

/*
 * idle_ck: with one read in flight exactly one channel holds a request at
 * any time (arrival = the previous read's last data), so the others are
 * idle: (channels - 1) x end, exactly, whatever the channels visited.
 * Every read in one channel, many in flight: the same bound.  A
 * sequential stream keeps every channel busy.
 */
Test(dram, idle_share_counts_channels_without_requests)
{
	struct mw_dram_cfg c;
	struct mw_dram_stats s;
	struct mw_rng rng;
	struct mw_dram *m;
	uint32_t nch, k;
	struct mw_dram_loc l;

	cfg_or_die(&c, "hbm3-6400");
	set(&c, "outstanding", "1");
	validate(&c);
	nch = c.stacks * c.channels;
	m = make(&c, 0);
	mw_rng_seed(&rng, 7);
	for (k = 0; k < 2000; k++)
		cr_assert_eq(mw_dram_access(
				     m, mw_rng_below(&rng, 1ull << 30) & ~31ull,
				     32, false),
			     0);
	cr_assert_eq(mw_dram_finish(m), 0);
	mw_dram_stats(m, &s);
	cr_assert_gt(s.end_ck, 0);
	cr_assert_eq(s.idle_ck, (uint64_t)(nch - 1) * s.end_ck,
		     "idle %llu, end %llu", (unsigned long long)s.idle_ck,
		     (unsigned long long)s.end_ck);
	mw_dram_destroy(m);

	cfg_or_die(&c, "hbm3-6400");
	validate(&c);
	m = make(&c, 0);
	memset(&l, 0, sizeof(l));
	for (k = 0; k < 4000; k++) {
		l.f[MW_DF_RO] = k / c.columns;
		l.f[MW_DF_CO] = k % c.columns;
		l.f[MW_DF_BA] = k % c.banks;
		cr_assert_eq(mw_dram_access(m, mw_dram_encode(&c, &l), 32,
					    false),
			     0);
	}
	cr_assert_eq(mw_dram_finish(m), 0);
	mw_dram_stats(m, &s);
	cr_assert_geq(s.idle_ck, (uint64_t)(nch - 1) * s.end_ck);
	cr_assert_leq(s.idle_ck, (uint64_t)(nch - 1) * s.end_ck + s.end_ck);
	mw_dram_destroy(m);

	m = make(&c, 0);
	for (k = 0; k < 40000; k++)
		cr_assert_eq(mw_dram_access(m, (mw_addr)k * 128, 128, false),
			     0);
	cr_assert_eq(mw_dram_finish(m), 0);
	mw_dram_stats(m, &s);
	cr_assert_lt((double)s.idle_ck / ((double)s.end_ck * nch), 0.05,
		     "idle %llu of %llu", (unsigned long long)s.idle_ck,
		     (unsigned long long)s.end_ck * nch);
	mw_dram_destroy(m);
}
