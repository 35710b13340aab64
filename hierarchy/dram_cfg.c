/*
 * dram_cfg.c - DRAM/HBM configuration: standard presets, key = value
 * overrides, validation, the address mapping compiler and describer.
 *
 * Notes:
 * - Every timing value is held in CK of the configured clock.  tCK =
 *   transfers_per_ck / data_rate (HBM2, DDR5: 2 transfers per CK; HBM3:
 *   4, BL8 in 2 CK).  Changing data_rate or clock rescales every value
 *   except nBL, tCCD_S and tCCD_L so that its time in ns is kept
 *   (rounded up): a slower-clocked part keeps its analog timings, while
 *   the column cadence stays tied to the burst.  hbm2e and hbm3e presets
 *   are made exactly that way from hbm2-2000 and hbm3-6400, since no
 *   peer simulator ships them (hbm-dram.md section 1).
 * - Sources: Ramulator 2.1 (CMU-SAFARI/ramulator2 @c5b1c3a,
 *   python/ramulator/dram/hbm2.py, hbm3.py) for HBM2-2000 and HBM3-6400
 *   (hbm-dram.md section 3); JESD79-5 DDR5-4800B speed bin, recalled
 *   [R], not verified against the standard text.  tRTW where the source
 *   has none: the DDR rule CL + nBL + 2 - CWL.
 * - HBM3 has a stack-ID level (SID 2 for 8-high); it is folded into the
 *   bank groups (8 = 4 BG x 2 SID), so tCCD_L/tRRD_L apply within one
 *   BG of one SID, as in Ramulator 2.1.
 * - columns counts transactions per row (row bytes = columns x tx).
 * - Mapping: fields are filled LSB first by mixed-radix digits of
 *   addr / tx_bytes, so channel counts like 80 (5 stacks) need no power
 *   of two; addresses past the capacity wrap.  "+xor" adds to each
 *   bank-side field (Ch, Ra, Bg, Ba) successive low row bits (XOR when
 *   the field is a power of two, addition modulo its size otherwise).
 *   "+chash" (combinable with +xor, applied before it) rotates the
 *   channel by H(q) modulo the channel count, q being the address's
 *   digits above the last channel segment and H a fixed 64-bit mix
 *   (murmur3 fmix64): every field but the channel is untouched and q is
 *   a function of them, so the mapping stays a bijection, and a stride
 *   that is a multiple of gcd-sharing channel steps no longer pins a
 *   few channels (real GPUs hash physical addresses across channels).
 */
#include "hierarchy/dram.h"
#include "common/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const standards[] = {"hbm2-2000", "hbm2e-3200", "hbm2e-3600",
					"hbm3-6400", "hbm3e-9600", "ddr5-4800",
					NULL};

const char *const *mw_dram_standards(void)
{
	return standards;
}

/* Timing parameters by name, for set and write_ini. */
struct tparam {
	const char *name;
	size_t off;
	bool fixed_ck; /* not rescaled with the clock */
};

#define TP(n, f)                                                               \
	{                                                                      \
#n, offsetof(struct mw_dram_timing, n), f                      \
	}
static const struct tparam tparams[] = {
	TP(nBL, true),	   TP(tRCD, false),   TP(tRCDWR, false),
	TP(tCL, false),	   TP(tCWL, false),   TP(tRP, false),
	TP(tRAS, false),   TP(tRC, false),    TP(tWR, false),
	TP(tRTP, false),   TP(tCCD_S, true),  TP(tCCD_L, true),
	TP(tRRD_S, false), TP(tRRD_L, false), TP(tFAW, false),
	TP(tWTR_S, false), TP(tWTR_L, false), TP(tRTW, false),
	TP(tRFC, false),   TP(tRFCpb, false), TP(tREFI, false),
};
#undef TP
#define NTPARAMS (sizeof(tparams) / sizeof(tparams[0]))

static uint32_t *tp_ptr(struct mw_dram_timing *t, const struct tparam *p)
{
	return (uint32_t *)((char *)t + p->off);
}

static double tck_of(const struct mw_dram_cfg *c)
{
	return (double)c->transfers_per_ck / c->data_rate;
}

/* Sets the clock, keeping the ns of every analog timing value. */
static void rescale(struct mw_dram_cfg *c, double new_rate)
{
	double old = tck_of(c), tck;
	size_t i;

	c->data_rate = new_rate;
	tck = tck_of(c);
	for (i = 0; i < NTPARAMS; i++) {
		uint32_t *v = tp_ptr(&c->t, &tparams[i]);
		double ns = *v * old, ck;

		if (tparams[i].fixed_ck || *v == 0)
			continue;
		ck = ceil(ns / tck - 1e-9);
		*v = ck < 1 ? 1 : ck > 1e9 ? 1000000000u : (uint32_t)ck;
	}
	c->tck_ns = tck;
}

static void base_defaults(struct mw_dram_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->timing = true;
	c->stacks = 1;
	c->read_queue = 32;
	c->write_queue = 32;
	c->write_high = 24;
	c->write_low = 8;
	c->outstanding = 512;
	c->row_policy = MW_DRAM_OPEN_PAGE;
	c->refresh = MW_DRAM_REF_ALLBANK;
	c->refresh_stagger = 1;
	c->buffered = true;
	snprintf(c->mapping, sizeof(c->mapping), "interleave");
}

/* HBM2-2000: Ramulator 2.1 HBM2_8Gb + HBM2_2000Mbps (hbm-dram.md s.3). */
static void preset_hbm2(struct mw_dram_cfg *c)
{
	c->channels = 8;	/* 8 x 128 bit per stack */
	c->pseudo_channels = 2; /* 2 x 64 bit */
	c->bank_groups = 4;
	c->banks = 4;
	c->rows = 32768;
	c->columns = 32; /* 1 KB row per PC / 32 B */
	c->bus_bits = 64;
	c->burst_length = 4; /* prefetch 4: 32 B per PC */
	c->transfers_per_ck = 2;
	c->data_rate = 2.0;
	c->t = (struct mw_dram_timing){
		.nBL = 2,      /* Ramulator 2.1 nBL */
		.tCL = 14,     /* nCL */
		.tRCD = 14,    /* nRCDRD */
		.tRCDWR = 12,  /* nRCDWR */
		.tRP = 14,     /* nRP */
		.tRAS = 34,    /* nRAS */
		.tRC = 48,     /* nRC */
		.tWR = 16,     /* nWR */
		.tRTP = 5,     /* nRTPL */
		.tCWL = 5,     /* nCWL */
		.tCCD_S = 2,   /* nCCDS */
		.tCCD_L = 4,   /* nCCDL */
		.tRRD_S = 4,   /* max(4 CK, 4 ns) in the resolver */
		.tRRD_L = 4,   /* same */
		.tFAW = 15,    /* max(8 CK, 15 ns) "typical ~15 ns" */
		.tWTR_S = 6,   /* nWTRS */
		.tWTR_L = 8,   /* nWTRL */
		.tRTW = 13,    /* none in the source: CL + nBL + 2 - CWL */
		.tRFC = 350,   /* JESD235D 8 Gb: 350 ns */
		.tRFCpb = 160, /* JESD235D <= 8 Gb: 160 ns */
		.tREFI = 3900, /* 3.9 us */
	};
}

/* HBM3-6400: Ramulator 2.1 HBM3_16Gb_8hi + HBM3_6400Mbps (s.3). */
static void preset_hbm3(struct mw_dram_cfg *c)
{
	c->channels = 16;	/* 16 x 64 bit per stack */
	c->pseudo_channels = 2; /* 2 x 32 bit */
	c->bank_groups = 8;	/* 4 BG x 2 SID (8-high) */
	c->banks = 4;
	c->rows = 16384;
	c->columns = 32; /* 1 KB row per PC / 32 B */
	c->bus_bits = 32;
	c->burst_length = 8; /* BL8: 32 B per PC */
	c->transfers_per_ck = 4;
	c->data_rate = 6.4;
	c->t = (struct mw_dram_timing){
		.nBL = 2,      /* nBL 4 half-CK ticks */
		.tCL = 20,     /* nCL 12.5 ns */
		.tRCD = 31,    /* nRCDRD 19.4 ns */
		.tRCDWR = 15,  /* nRCDWR 9.4 ns */
		.tRP = 26,     /* nRP 16.25 ns */
		.tRAS = 45,    /* nRAS 28.1 ns */
		.tRC = 72,     /* nRC 45 ns */
		.tWR = 33,     /* nWR 20.6 ns */
		.tRTP = 9,     /* nRTP */
		.tCWL = 10,    /* nCWL */
		.tCCD_S = 2,   /* nCCDS */
		.tCCD_L = 4,   /* nCCDL */
		.tRRD_S = 4,   /* nRRDS 2.5 ns */
		.tRRD_L = 5,   /* nRRDL 3.1 ns */
		.tFAW = 24,    /* nFAW 15 ns */
		.tWTR_S = 7,   /* nWTRS */
		.tWTR_L = 10,  /* nWTRL */
		.tRTW = 20,    /* nRTW */
		.tRFC = 560,   /* JESD238 Table 84, 8 Gb per channel: 350 ns */
		.tRFCpb = 320, /* nRFCpb 200 ns */
		.tREFI = 6240, /* nREFI 3.9 us */
	};
}

/* DDR5-4800B, JESD79-5 [R]: one DIMM, two 32-bit sub-channels. */
static void preset_ddr5(struct mw_dram_cfg *c)
{
	c->channels = 1;
	c->pseudo_channels = 2; /* sub-channels A and B */
	c->bank_groups = 8;
	c->banks = 4;
	c->rows = 65536;
	c->columns = 64; /* 4 x8 devices x 1 KB page = 4 KB / 64 B */
	c->bus_bits = 32;
	c->burst_length = 16; /* BL16: 64 B per sub-channel */
	c->transfers_per_ck = 2;
	c->data_rate = 4.8;
	c->t = (struct mw_dram_timing){
		.nBL = 8,      /* BL16 / 2 */
		.tCL = 40,     /* CL40 (4800B) */
		.tRCD = 40,    /* 16.67 ns */
		.tRCDWR = 40,  /* DDR5 has one tRCD */
		.tRP = 40,     /* 16.67 ns */
		.tRAS = 77,    /* 32 ns */
		.tRC = 117,    /* tRAS + tRP */
		.tWR = 72,     /* 30 ns */
		.tRTP = 18,    /* 7.5 ns */
		.tCWL = 38,    /* CWL = CL - 2 */
		.tCCD_S = 8,   /* 8 CK */
		.tCCD_L = 12,  /* max(8 CK, 5 ns) */
		.tRRD_S = 8,   /* 8 CK */
		.tRRD_L = 12,  /* max(8 CK, 5 ns) */
		.tFAW = 32,    /* x8, 1 KB page: max(32 CK, 13.3 ns) */
		.tWTR_S = 6,   /* 2.5 ns */
		.tWTR_L = 24,  /* 10 ns */
		.tRTW = 12,    /* CL + nBL + 2 - CWL */
		.tRFC = 708,   /* tRFC1 16 Gb: 295 ns */
		.tRFCpb = 312, /* tRFCsb 16 Gb: 130 ns */
		.tREFI = 9360, /* 3.9 us */
	};
}

int mw_dram_cfg_init(struct mw_dram_cfg *c, const char *standard,
		     struct mw_diag *d)
{
	char name[32];
	size_t i;

	for (i = 0; standard[i] && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)standard[i]);
	name[i] = 0;
	base_defaults(c);
	if (!strcmp(name, "hbm2-2000")) {
		preset_hbm2(c);
	} else if (!strcmp(name, "hbm2e-3200") || !strcmp(name, "hbm2e-3600")) {
		preset_hbm2(c);
		c->tck_ns = tck_of(c);
		rescale(c, name[7] == '2' ? 3.2 : 3.6);
	} else if (!strcmp(name, "hbm3-6400")) {
		preset_hbm3(c);
	} else if (!strcmp(name, "hbm3e-9600")) {
		preset_hbm3(c);
		c->tck_ns = tck_of(c);
		rescale(c, 9.6);
	} else if (!strcmp(name, "ddr5-4800")) {
		preset_ddr5(c);
		c->read_queue = 64;
		c->write_queue = 64;
		c->write_high = 48;
		c->write_low = 16;
		c->outstanding = 64;
	} else {
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "unknown memory standard '%s' (known: "
				   "hbm2-2000, hbm2e-3200, hbm2e-3600, "
				   "hbm3-6400, hbm3e-9600, ddr5-4800)",
				   standard);
	}
	snprintf(c->standard, sizeof(c->standard), "%s", name);
	c->tck_ns = tck_of(c);
	c->tx_bytes = c->bus_bits * c->burst_length / 8;
	return 0;
}

static int parse_u32(const char *v, uint32_t *out)
{
	uint64_t x;

	if (mw_parse_u64(v, &x) || x > UINT32_MAX)
		return MW_EPARSE;
	*out = (uint32_t)x;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "on") || !strcasecmp(v, "true") ||
	    !strcasecmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "off") || !strcasecmp(v, "false") ||
		 !strcasecmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return MW_EPARSE;
	return 0;
}

/* A timing value: CK, or a time with a unit converted at the clock. */
static int parse_ck(const struct mw_dram_cfg *c, const char *v, uint32_t *out)
{
	double ns, ck;

	if (!parse_u32(v, out))
		return 0;
	if (mw_parse_time(v, &ns) || !(ns >= 0) || ns > 1e9)
		return MW_EPARSE;
	ck = ceil(ns / tck_of(c) - 1e-9);
	*out = (uint32_t)(ck < 0 ? 0 : ck);
	return 0;
}

/* Gbit/s per pin: "6.4Gbps", "6.4Gb/s" or a plain number of Gbit/s. */
static int parse_gbps(const char *v, double *out)
{
	char *end;
	double x = strtod(v, &end), bps;

	if (end != v && !*end && x > 0 && x < 1000) {
		*out = x;
		return 0;
	}
	if (mw_parse_rate(v, &bps) || !(bps > 0))
		return MW_EPARSE;
	*out = bps * 8 / 1e9;
	return *out < 1000 ? 0 : MW_EPARSE;
}

struct ukey {
	const char *name;
	size_t off;
};

#define UK(n)                                                                  \
	{                                                                      \
#n, offsetof(struct mw_dram_cfg, n)                            \
	}
static const struct ukey ukeys[] = {
	UK(stacks),	      UK(channels),   UK(pseudo_channels),
	UK(bank_groups),      UK(banks),      UK(rows),
	UK(columns),	      UK(bus_bits),   UK(burst_length),
	UK(transfers_per_ck), UK(read_queue), UK(write_queue),
	UK(write_high),	      UK(write_low),  UK(outstanding),
	UK(refresh_stagger),  UK(line_bytes),
};
#undef UK

static int bad(struct mw_diag *d, const char *key, const char *value,
	       const char *why)
{
	return mw_diag_set(d, MW_EPARSE, "", 0, "%s = '%s': %s", key, value,
			   why);
}

int mw_dram_cfg_set(struct mw_dram_cfg *c, const char *key, const char *value,
		    struct mw_diag *d)
{
	size_t i;

	if (!strcasecmp(key, "standard")) {
		int rc = mw_dram_cfg_init(c, value, d);

		return rc;
	}
	for (i = 0; i < sizeof(ukeys) / sizeof(ukeys[0]); i++)
		if (!strcasecmp(key, ukeys[i].name)) {
			uint32_t *p = (uint32_t *)((char *)c + ukeys[i].off);

			if (parse_u32(value, p))
				return bad(d, key, value,
					   "expected a whole number");
			return 0;
		}
	for (i = 0; i < NTPARAMS; i++)
		if (!strcmp(key, tparams[i].name) ||
		    (!strcasecmp(key, tparams[i].name))) {
			if (parse_ck(c, value, tp_ptr(&c->t, &tparams[i])))
				return bad(d, key, value,
					   "expected CK cycles or a time "
					   "(\"15ns\")");
			return 0;
		}
	if (!strcasecmp(key, "timing"))
		return parse_bool(value, &c->timing)
			       ? bad(d, key, value, "expected on or off")
			       : 0;
	if (!strcasecmp(key, "data_rate") || !strcasecmp(key, "clock")) {
		double r, hz;

		if (!strcasecmp(key, "data_rate")) {
			if (parse_gbps(value, &r))
				return bad(d, key, value,
					   "expected Gbit/s per pin "
					   "(\"6.4Gbps\")");
		} else {
			if (mw_parse_freq(value, &hz) || !(hz >= 1e6) ||
			    hz > 1e11)
				return bad(d, key, value,
					   "expected a frequency (\"1.6GHz\")");
			r = hz * c->transfers_per_ck / 1e9;
		}
		rescale(c, r);
		return 0;
	}
	if (!strcasecmp(key, "transaction")) {
		uint64_t b;

		if (mw_parse_size(value, &b) || b == 0 || b > 4096 ||
		    (b * 8) % c->bus_bits)
			return bad(d, key, value,
				   "expected bytes, a multiple of bus_bits / "
				   "8");
		c->burst_length = (uint32_t)(b * 8 / c->bus_bits);
		c->t.nBL = (c->burst_length + c->transfers_per_ck - 1) /
			   c->transfers_per_ck;
		return 0;
	}
	if (!strcasecmp(key, "frontend")) {
		if (!strcasecmp(value, "buffered"))
			c->buffered = true;
		else if (!strcasecmp(value, "blocking"))
			c->buffered = false;
		else
			return bad(d, key, value,
				   "expected buffered or blocking");
		return 0;
	}
	if (!strcasecmp(key, "row_policy")) {
		if (!strcasecmp(value, "open"))
			c->row_policy = MW_DRAM_OPEN_PAGE;
		else if (!strcasecmp(value, "closed"))
			c->row_policy = MW_DRAM_CLOSED_PAGE;
		else
			return bad(d, key, value, "expected open or closed");
		return 0;
	}
	if (!strcasecmp(key, "refresh")) {
		if (!strcasecmp(value, "allbank") || !strcasecmp(value, "all"))
			c->refresh = MW_DRAM_REF_ALLBANK;
		else if (!strcasecmp(value, "perbank") ||
			 !strcasecmp(value, "bank"))
			c->refresh = MW_DRAM_REF_PERBANK;
		else if (!strcasecmp(value, "off"))
			c->refresh = MW_DRAM_REF_OFF;
		else
			return bad(d, key, value,
				   "expected allbank, perbank or off");
		return 0;
	}
	if (!strcasecmp(key, "mapping")) {
		if (!value[0] || strlen(value) >= sizeof(c->mapping))
			return bad(d, key, value, "empty or too long");
		snprintf(c->mapping, sizeof(c->mapping), "%s", value);
		return 0;
	}
	return mw_diag_set(d, MW_ECONFIG, "", 0, "unknown key '%s'", key);
}

int mw_dram_cfg_from_kv(struct mw_dram_cfg *c, const struct mw_mem_kv *kv,
			uint32_t n, const char *file, struct mw_diag *d)
{
	const char *std = "hbm3-6400";
	uint32_t i, std_line = 0;
	int rc;

	if (!file)
		file = "";
	for (i = 0; i < n; i++)
		if (!strcasecmp(kv[i].key, "standard")) {
			std = kv[i].value;
			std_line = kv[i].line;
		}
	rc = mw_dram_cfg_init(c, std, d);
	if (rc) {
		char msg[MW_DIAG_MSG];

		/* d->msg cannot be both the source and the target */
		snprintf(msg, sizeof(msg), "%s", d ? d->msg : "unknown");
		return mw_diag_set(d, rc, file, std_line,
				   "[memory] standard: %s", msg);
	}
	if (n == 0) {
		c->timing = false;
		rc = mw_dram_cfg_validate(c, d);
		return rc ? rc : MW_DRAM_COUNTING;
	}
	for (i = 0; i < n; i++) {
		if (!strcasecmp(kv[i].key, "standard"))
			continue;
		rc = mw_dram_cfg_set(c, kv[i].key, kv[i].value, d);
		if (rc) {
			char msg[MW_DIAG_MSG];

			snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
			return mw_diag_set(d, rc, file, kv[i].line,
					   "[memory] %s", msg);
		}
	}
	rc = mw_dram_cfg_validate(c, d);
	if (rc) {
		char msg[MW_DIAG_MSG];

		snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
		return mw_diag_set(d, rc, file, 0, "[memory] %s", msg);
	}
	return c->timing ? 0 : MW_DRAM_COUNTING;
}

/* ---- mapping ------------------------------------------------------------ */

static const char *const field_names[MW_DF_N] = {
	"channel", "pseudo_channel", "bank_group", "bank", "row", "column"};

static uint64_t field_size(const struct mw_dram_cfg *c, int f)
{
	switch (f) {
	case MW_DF_CH:
		return (uint64_t)c->stacks * c->channels;
	case MW_DF_PC:
		return c->pseudo_channels;
	case MW_DF_BG:
		return c->bank_groups;
	case MW_DF_BA:
		return c->banks;
	case MW_DF_RO:
		return c->rows;
	default:
		return c->columns;
	}
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static unsigned log2u64(uint64_t x)
{
	unsigned l = 0;

	while (x > 1) {
		x >>= 1;
		l++;
	}
	return l;
}

static int map_err(struct mw_diag *d, const char *m, const char *why)
{
	return mw_diag_set(d, MW_ECONFIG, "", 0, "mapping = '%s': %s", m, why);
}

/* A custom bit order: one letter per bit, MSB first (RBGPHC). */
static int compile_bits(struct mw_dram_cfg *c, const char *s, size_t len,
			struct mw_diag *d)
{
	static const char letters[MW_DF_N] = {'H', 'P', 'G', 'B', 'R', 'C'};
	unsigned count[MW_DF_N] = {0};
	size_t i;
	int f;

	for (i = 0; i < len; i++) {
		const char *p = memchr(letters, s[i], MW_DF_N);

		count[p - letters]++;
	}
	for (f = 0; f < MW_DF_N; f++) {
		uint64_t sz = field_size(c, f);

		if (!is_pow2(sz) || count[f] != log2u64(sz)) {
			char why[160];

			snprintf(why, sizeof(why),
				 "%s needs %u '%c' bits for %llu values "
				 "(a power of two), has %u",
				 field_names[f], log2u64(sz), letters[f],
				 (unsigned long long)sz, count[f]);
			return map_err(d, c->mapping, why);
		}
	}
	c->nsegs = 0;
	for (i = len; i-- > 0;) {
		f = (int)((const char *)memchr(letters, s[i], MW_DF_N) -
			  letters);
		if (c->nsegs && c->seg[c->nsegs - 1].field == f) {
			c->seg[c->nsegs - 1].radix *= 2;
			c->seg[c->nsegs - 1].shift++;
			continue;
		}
		if (c->nsegs == MW_DRAM_MAP_MAX)
			return map_err(d, c->mapping, "too many segments");
		c->seg[c->nsegs++] = (struct mw_dram_seg){.field = (uint8_t)f,
							  .shift = 1,
							  .pow2 = true,
							  .radix = 2};
	}
	return 0;
}

struct token {
	int field;
	int width; /* bits, -1 = the rest */
};

static int token_field(const char *t)
{
	static const char *const names[] = {"ch", "ra", "pc", "bg",
					    "ba", "ro", "co"};
	static const int fields[] = {MW_DF_CH, MW_DF_PC, MW_DF_PC, MW_DF_BG,
				     MW_DF_BA, MW_DF_RO, MW_DF_CO};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncasecmp(t, names[i], 2))
			return fields[i];
	return -1;
}

/* A field order, MSB first: "RoBaRaCoCh", "RoCoBaBgRaChCo2". */
static int compile_order(struct mw_dram_cfg *c, const char *s, size_t len,
			 struct mw_diag *d)
{
	struct token tok[MW_DRAM_MAP_MAX];
	unsigned nt = 0, i, used[MW_DF_N] = {0};
	int rest[MW_DF_N], f;
	bool has_bg = false;
	size_t p = 0;

	while (p < len) {
		int fld, w = -1;

		if (p + 2 > len || (fld = token_field(s + p)) < 0)
			return map_err(d, c->mapping,
				       "expected fields Ch Ra Bg Ba Ro Co "
				       "(MSB first), a scheme name or a bit "
				       "string of R B G P H C");
		p += 2;
		if (p < len && isdigit((unsigned char)s[p])) {
			w = 0;
			while (p < len && isdigit((unsigned char)s[p]) &&
			       w < 64)
				w = w * 10 + (s[p++] - '0');
			if (w == 0 || w > 32)
				return map_err(d, c->mapping,
					       "field width must be 1..32 "
					       "bits");
		}
		if (nt + 2 > MW_DRAM_MAP_MAX)
			return map_err(d, c->mapping, "too many fields");
		if (fld == MW_DF_BG)
			has_bg = true;
		tok[nt++] = (struct token){fld, w};
	}
	/* Without Bg, Ba names the bank group (low) and bank together. */
	if (!has_bg) {
		struct token t2[MW_DRAM_MAP_MAX];
		unsigned n2 = 0;

		for (i = 0; i < nt; i++) {
			if (tok[i].field == MW_DF_BA && tok[i].width >= 0)
				return map_err(d, c->mapping,
					       "a Ba width needs Bg named too");
			if (n2 + 2 > MW_DRAM_MAP_MAX)
				return map_err(d, c->mapping,
					       "too many fields");
			t2[n2++] = tok[i];
			if (tok[i].field == MW_DF_BA)
				t2[n2++] = (struct token){MW_DF_BG, -1};
		}
		memcpy(tok, t2, sizeof(tok[0]) * n2);
		nt = n2;
	}
	for (f = 0; f < MW_DF_N; f++)
		rest[f] = 0;
	for (i = 0; i < nt; i++) {
		f = tok[i].field;
		if (tok[i].width < 0) {
			if (rest[f]++)
				return map_err(d, c->mapping,
					       "a field appears twice without "
					       "a width");
		} else {
			used[f] += (unsigned)tok[i].width;
		}
	}
	for (f = 0; f < MW_DF_N; f++) {
		uint64_t sz = field_size(c, f);
		char why[160];

		if (used[f] && !is_pow2(sz)) {
			snprintf(why, sizeof(why),
				 "%s has %llu values, so it cannot be split "
				 "in bit widths",
				 field_names[f], (unsigned long long)sz);
			return map_err(d, c->mapping, why);
		}
		if (used[f] > log2u64(sz) ||
		    (!rest[f] && used[f] != log2u64(sz)) ||
		    (!rest[f] && !used[f] && sz > 1)) {
			snprintf(why, sizeof(why),
				 "the widths of %s must cover its %u bits",
				 field_names[f], log2u64(sz));
			return map_err(d, c->mapping, why);
		}
	}
	c->nsegs = 0;
	for (i = nt; i-- > 0;) {
		uint64_t radix;

		f = tok[i].field;
		radix = tok[i].width < 0 ? field_size(c, f) >> used[f]
					 : 1ull << tok[i].width;
		if (radix <= 1)
			continue;
		c->seg[c->nsegs++] = (struct mw_dram_seg){
			.field = (uint8_t)f,
			.shift = (uint8_t)log2u64(radix),
			.pow2 = is_pow2(radix),
			.radix = radix,
		};
	}
	return 0;
}

static int compile_chash(struct mw_dram_cfg *c)
{
	uint32_t i, last = 0;
	bool any = false;

	c->chash_div = 1;
	c->chash_mod = 1;
	for (i = 0; i < c->nsegs; i++)
		if (c->seg[i].field == MW_DF_CH) {
			last = i;
			any = true;
		}
	if (!c->map_chash || !any)
		return 0;
	for (i = 0; i < c->nsegs; i++) {
		if (i <= last)
			c->chash_div *= c->seg[i].radix;
		else
			c->chash_mod *= c->seg[i].radix;
	}
	return 0;
}

static int compile_mapping(struct mw_dram_cfg *c, struct mw_diag *d)
{
	char buf[128];
	const char *s = c->mapping, *plus = strchr(s, '+');
	size_t len = plus ? (size_t)(plus - s) : strlen(s), i;
	bool bits = len > 0;
	int rc;

	c->map_xor = false;
	c->map_chash = false;
	while (plus) {
		const char *next = strchr(plus + 1, '+');
		size_t n = next ? (size_t)(next - plus) : strlen(plus);

		if (n == 4 && !strncasecmp(plus, "+xor", 4) && !c->map_xor)
			c->map_xor = true;
		else if (n == 6 && !strncasecmp(plus, "+chash", 6) &&
			 !c->map_chash)
			c->map_chash = true;
		else
			return map_err(d, c->mapping,
				       "suffixes are +xor and +chash (each at "
				       "most once)");
		plus = next;
	}
	if (len == 10 && !strncasecmp(s, "interleave", 10)) {
		/* 128 B of columns, then channel, PC, bank group, bank. */
		unsigned cb = c->tx_bytes < 128 ? log2u64(128 / c->tx_bytes)
						: 0;

		if (!is_pow2(c->columns) || (1u << cb) > c->columns)
			cb = 0;
		if (cb)
			snprintf(buf, sizeof(buf), "RoCoBaBgRaChCo%u", cb);
		else
			snprintf(buf, sizeof(buf), "RoCoBaBgRaCh");
		c->map_xor = true;
		rc = compile_order(c, buf, strlen(buf), d);
	} else {
		for (i = 0; i < len; i++)
			if (!strchr("RBGPHC", s[i]))
				bits = false;
		rc = bits ? compile_bits(c, s, len, d)
			  : compile_order(c, s, len, d);
	}
	return rc ? rc : compile_chash(c);
}

int mw_dram_cfg_validate(struct mw_dram_cfg *c, struct mw_diag *d)
{
	const struct mw_dram_timing *t = &c->t;
	uint64_t nch = (uint64_t)c->stacks * c->channels;

	if (!c->stacks || !c->channels || !c->pseudo_channels ||
	    !c->bank_groups || !c->banks || !c->rows || !c->columns)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "stacks, channels, pseudo_channels, "
				   "bank_groups, banks, rows and columns "
				   "must all be >= 1");
	if (nch > 4096 || c->pseudo_channels > 16 ||
	    (uint64_t)c->pseudo_channels * c->bank_groups * c->banks > 1024 ||
	    c->bank_groups > 64 || c->banks > 64)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "organization too large (at most 4096 "
				   "channels, 16 pseudo-channels, 1024 banks "
				   "per channel)");
	if (!c->bus_bits || c->bus_bits > 1024 || !c->burst_length ||
	    c->burst_length > 64 || (c->bus_bits * c->burst_length) % 8 ||
	    !c->transfers_per_ck || c->transfers_per_ck > 16)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "bus_bits x burst_length must be a whole "
				   "number of bytes (bus_bits 1..1024, "
				   "burst_length 1..64, transfers_per_ck "
				   "1..16)");
	c->tx_bytes = c->bus_bits * c->burst_length / 8;
	if (!is_pow2(c->tx_bytes))
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "transaction size %u B is not a power of "
				   "two",
				   c->tx_bytes);
	if (!(c->data_rate > 0))
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "data_rate must be > 0");
	c->tck_ns = tck_of(c);
	if (!c->read_queue || !c->write_queue || c->read_queue > 4096 ||
	    c->write_queue > 4096)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "read_queue and write_queue must be "
				   "1..4096");
	if (c->write_high > c->write_queue || c->write_high == 0 ||
	    c->write_low >= c->write_high)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "need write_low < write_high <= write_queue "
				   "(have %u, %u, %u)",
				   c->write_low, c->write_high, c->write_queue);
	if (!c->refresh_stagger || c->refresh_stagger > 64)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "refresh_stagger must be 1..64");
	if (c->line_bytes &&
	    (c->line_bytes & (c->line_bytes - 1) || c->line_bytes > 4096))
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "line_bytes must be 0 (off) or a power of "
				   "two up to 4096");
	if (!c->outstanding || c->outstanding > (1u << 22))
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "outstanding must be 1..4194304");
	if (!t->nBL || !t->tCCD_S || !t->tCCD_L || t->nBL > 1024)
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "nBL, tCCD_S and tCCD_L must be >= 1");
	{
		/* A row must be usable between two refreshes, or refresh
		 * would close it before its first access, forever. */
		uint64_t lim = c->refresh != MW_DRAM_REF_OFF ? t->tREFI / 4
							     : 1000000;
		size_t i;

		for (i = 0; i < NTPARAMS; i++) {
			uint32_t v = *(const uint32_t *)((const char *)t +
							 tparams[i].off);

			if (!strcmp(tparams[i].name, "tREFI") ||
			    !strcmp(tparams[i].name, "tRFC") ||
			    !strcmp(tparams[i].name, "tRFCpb"))
				continue;
			if (v > lim)
				return mw_diag_set(d, MW_ECONFIG, "", 0,
						   "%s = %u CK is too long (at "
						   "most %llu: "
						   "tREFI / 4, or 10^6 without "
						   "refresh)",
						   tparams[i].name, v,
						   (unsigned long long)lim);
		}
		if (t->tREFI > 100000000u)
			return mw_diag_set(d, MW_ECONFIG, "", 0,
					   "tREFI too long (at most 10^8 CK)");
	}
	if (c->refresh != MW_DRAM_REF_OFF) {
		uint32_t per = c->refresh == MW_DRAM_REF_PERBANK
				       ? c->bank_groups * c->banks
				       : 1;
		uint32_t rfc = c->refresh == MW_DRAM_REF_PERBANK ? t->tRFCpb
								 : t->tRFC;

		/* Each bank is refreshed once per tREFI either way. */
		if (t->tREFI / per == 0 || rfc + t->tRC >= t->tREFI)
			return mw_diag_set(d, MW_ECONFIG, "", 0,
					   "refresh cannot keep up: tREFI %u "
					   "<= tRFC %u + tRC (or < %u banks)",
					   t->tREFI, rfc, per);
	}
	return compile_mapping(c, d);
}

/* ---- decode / encode ------------------------------------------------------ */

uint32_t mw_dram_chash(const struct mw_dram_cfg *c, uint64_t q)
{
	q ^= q >> 33;
	q *= 0xff51afd7ed558ccdull;
	q ^= q >> 33;
	q *= 0xc4ceb9fe1a85ec53ull;
	q ^= q >> 33;
	return (uint32_t)(q % field_size(c, MW_DF_CH));
}

void mw_dram_decode(const struct mw_dram_cfg *c, mw_addr addr,
		    struct mw_dram_loc *loc)
{
	uint64_t a = addr / c->tx_bytes, mult[MW_DF_N], v[MW_DF_N];
	uint32_t i;
	int f;

	for (f = 0; f < MW_DF_N; f++) {
		mult[f] = 1;
		v[f] = 0;
	}
	for (i = 0; i < c->nsegs; i++) {
		const struct mw_dram_seg *s = &c->seg[i];
		uint64_t digit;

		if (s->pow2) {
			digit = a & (s->radix - 1);
			a >>= s->shift;
		} else {
			digit = a % s->radix;
			a /= s->radix;
		}
		v[s->field] += digit * mult[s->field];
		mult[s->field] *= s->radix;
	}
	if (c->map_chash) {
		uint64_t nch = field_size(c, MW_DF_CH),
			 q = addr / c->tx_bytes / c->chash_div % c->chash_mod;

		v[MW_DF_CH] = (v[MW_DF_CH] + mw_dram_chash(c, q)) % nch;
	}
	if (c->map_xor) {
		uint64_t row = v[MW_DF_RO];

		for (f = MW_DF_CH; f <= MW_DF_BA; f++) {
			uint64_t sz = field_size(c, f);

			if (sz <= 1)
				continue;
			if (is_pow2(sz)) {
				v[f] ^= row & (sz - 1);
				row >>= log2u64(sz);
			} else {
				v[f] = (v[f] + row % sz) % sz;
				row /= sz;
			}
		}
	}
	for (f = 0; f < MW_DF_N; f++)
		loc->f[f] = (uint32_t)v[f];
}

/* The transaction index of raw (un-hashed, un-XORed) field values. */
static uint64_t compose(const struct mw_dram_cfg *c, const uint64_t *v0)
{
	uint64_t v[MW_DF_N], a = 0, mult = 1;
	uint32_t i;

	memcpy(v, v0, sizeof(v));
	for (i = 0; i < c->nsegs; i++) {
		const struct mw_dram_seg *s = &c->seg[i];

		a += (v[s->field] % s->radix) * mult;
		v[s->field] /= s->radix;
		mult *= s->radix;
	}
	return a;
}

mw_addr mw_dram_encode(const struct mw_dram_cfg *c,
		       const struct mw_dram_loc *loc)
{
	uint64_t v[MW_DF_N];
	int f;

	for (f = 0; f < MW_DF_N; f++)
		v[f] = loc->f[f];
	if (c->map_xor) {
		uint64_t row = v[MW_DF_RO];

		for (f = MW_DF_CH; f <= MW_DF_BA; f++) {
			uint64_t sz = field_size(c, f);

			if (sz <= 1)
				continue;
			if (is_pow2(sz)) {
				v[f] ^= row & (sz - 1);
				row >>= log2u64(sz);
			} else {
				v[f] = (v[f] + sz - row % sz) % sz;
				row /= sz;
			}
		}
	}
	if (c->map_chash) {
		/* q is made of the digits above the channel's top segment,
		 * which the hash leaves alone: compose them with channel 0. */
		uint64_t nch = field_size(c, MW_DF_CH), ch = v[MW_DF_CH] % nch,
			 q;

		v[MW_DF_CH] = 0;
		q = compose(c, v) / c->chash_div % c->chash_mod;
		v[MW_DF_CH] = (ch + nch - mw_dram_chash(c, q)) % nch;
	}
	return compose(c, v) * c->tx_bytes;
}

uint64_t mw_dram_capacity(const struct mw_dram_cfg *c)
{
	uint64_t n = c->tx_bytes;
	int f;

	for (f = 0; f < MW_DF_N; f++)
		n *= field_size(c, f);
	return n;
}

double mw_dram_peak_bw(const struct mw_dram_cfg *c)
{
	double pcs = (double)c->stacks * c->channels * c->pseudo_channels;

	return pcs * c->tx_bytes / (c->t.nBL * tck_of(c) * 1e-9);
}

int mw_dram_describe_mapping(const struct mw_dram_cfg *c, char *buf, size_t cap)
{
	unsigned bit = log2u64(c->tx_bytes), i;
	uint64_t have[MW_DF_N] = {1, 1, 1, 1, 1, 1}, below = c->tx_bytes;
	size_t n = 0;
	bool exact = true;

	if (cap)
		buf[0] = 0;
#define PUT(...)                                                               \
	do {                                                                   \
		int k_ = snprintf(n < cap ? buf + n : NULL,                    \
				  n < cap ? cap - n : 0, __VA_ARGS__);         \
		if (k_ > 0)                                                    \
			n += (size_t)k_;                                       \
	} while (0)
	PUT("mapping %s%s, LSB first:\n", c->mapping,
	    c->map_xor && !strstr(c->mapping, "+xor") ? " (+xor)" : "");
	PUT("  addr[%u:0] byte within the %u B transaction\n",
	    bit ? bit - 1 : 0, c->tx_bytes);
	for (i = 0; i < c->nsegs; i++) {
		const struct mw_dram_seg *s = &c->seg[i];
		unsigned lo = log2u64(have[s->field]);

		if (exact && s->pow2) {
			if (s->shift == 1)
				PUT("  addr[%u] %s[%u]\n", bit,
				    field_names[s->field], lo);
			else
				PUT("  addr[%u:%u] %s[%u:%u]\n",
				    bit + s->shift - 1, bit,
				    field_names[s->field], lo + s->shift - 1,
				    lo);
			bit += s->shift;
		} else {
			PUT("  then %s[*%llu]: (address / %llu) mod %llu "
			    "(mixed radix)\n",
			    field_names[s->field],
			    (unsigned long long)have[s->field],
			    (unsigned long long)below,
			    (unsigned long long)s->radix);
			exact = false;
		}
		have[s->field] *= s->radix;
		below *= s->radix;
	}
	if (c->map_chash)
		PUT("  then channel += H(address / %llu mod %llu) modulo "
		    "%llu (+chash; H: murmur3 fmix64 of the address bits "
		    "above the channel field, the other fields unchanged)\n",
		    (unsigned long long)(c->chash_div * c->tx_bytes),
		    (unsigned long long)c->chash_mod,
		    (unsigned long long)field_size(c, MW_DF_CH));
	if (c->map_xor)
		PUT("  then channel, pseudo_channel, bank_group, bank are each "
		    "XORed with the next low bits of the row (added modulo "
		    "when not a power of two)\n");
	PUT("  capacity %llu bytes; addresses above it wrap\n",
	    (unsigned long long)mw_dram_capacity(c));
#undef PUT
	return (int)n;
}

int mw_dram_cfg_write_ini(const struct mw_dram_cfg *c, FILE *f)
{
	static const char *const pol[] = {"open", "closed"};
	static const char *const ref[] = {"allbank", "perbank", "off"};
	size_t i;
	int e = 0;

	e |= fprintf(f, "[memory]\n") < 0;
	e |= fprintf(f, "standard = %s\n", c->standard) < 0;
	e |= fprintf(f, "timing = %s\n", c->timing ? "on" : "off") < 0;
	for (i = 0; i < sizeof(ukeys) / sizeof(ukeys[0]); i++)
		e |= fprintf(f, "%s = %u\n", ukeys[i].name,
			     *(const uint32_t *)((const char *)c +
						 ukeys[i].off)) < 0;
	e |= fprintf(f, "data_rate = %.6gGbps ; tCK %.4f ns\n", c->data_rate,
		     tck_of(c)) < 0;
	e |= fprintf(f,
		     "; transaction %u B per pseudo-channel, peak %.1f GB/s\n",
		     c->bus_bits * c->burst_length / 8,
		     mw_dram_peak_bw(c) / 1e9) < 0;
	e |= fprintf(f, "row_policy = %s\n", pol[c->row_policy]) < 0;
	e |= fprintf(f, "refresh = %s\n", ref[c->refresh]) < 0;
	e |= fprintf(f, "frontend = %s\n",
		     c->buffered ? "buffered" : "blocking") < 0;
	e |= fprintf(f, "mapping = %s\n", c->mapping) < 0;
	for (i = 0; i < NTPARAMS; i++)
		e |= fprintf(f, "%s = %u\n", tparams[i].name,
			     *(const uint32_t *)((const char *)&c->t +
						 tparams[i].off)) < 0;
	return e ? MW_EIO : 0;
}
