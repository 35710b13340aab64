/*
 * hwconfig.c - hardware configs as INI (libinih), --set overrides and
 * validation.
 *
 * Notes:
 *  - libinih calls our reader once per line, so the reader counts lines
 *    and sees section headers before the handler sees their keys: empty
 *    and repeated sections are caught, and every key knows its line (the
 *    handler of libinih 55 gets no line number).  The reader strips
 *    leading blanks, which turns off libinih's continuation lines: every
 *    value is one line, so an indented line is a key of its own.
 *  - Lines longer than libinih's buffer (INI_MAX_LINE, 200 bytes) are
 *    refused rather than split.
 *  - Loading validates the whole config, and a refusal found by the
 *    validation points at the line of the key at fault (or of its section
 *    header when the key was left at its default).
 *  - Defaults: machine name = the file's stem, units 1, ctas_per_unit 1,
 *    clocks and peak rates 0 (unknown).  Levels: size and ways must be
 *    given; line 64 B, sector = line (unsectored), lru, write back,
 *    allocate on write, modulo index, non-inclusive, 1 slice, seed 1,
 *    bandwidth and latency 0 (unknown).
 *  - [memory] keys are kept verbatim (hierarchy/config.h) for the
 *    memory model; their shape is checked here (a name of letters,
 *    digits, '_', '.', '-'; a value that reloads the same) and validation
 *    runs the memory model's own parser (mw_dram_cfg_from_kv), so an
 *    unknown key or bad value is refused at load with its line.
 *  - Written numbers are the shortest decimal that parses back to the
 *    same double, so write -> load is exact.
 */
#include "hierarchy/hwconfig.h"

#include "common/alloc.h"
#include "common/units.h"
#include "hierarchy/dram.h"
#include "hierarchy/repl.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FILE    (1u << 20)
#define MAX_LINE    (INI_MAX_LINE - 2) /* libinih keeps room for '\n' */
#define MAX_UNITS   65536
#define MAX_CTAS    1024
#define MAX_SIZE    (1ull << 44) /* 16 TiB: no cache is larger */
#define MAX_LINE_B  65536
#define MAX_WAYS    (1u << 20)
#define MAX_SLICES  65536
#define MAX_SECTORS 64
#define MAX_LINES   (1ull << 31) /* per level: indexed in 32 bits */
#define MAX_CLOCK   1e12	 /* Hz */
#define MAX_FLOPS   1e19
#define MAX_RATE    1e16 /* bytes/s */
#define MAX_LATENCY 1e9	 /* ns */
#define WHY	    256

enum machine_key {
	MK_NAME,
	MK_UNITS,
	MK_CLOCK,
	MK_FP32,
	MK_BF16,
	MK_FP8,
	MK_CTAS,
	MK_COUNT
};

static const char *const machine_keys[MK_COUNT] = {
	"name",	      "units",	   "clock",	    "flops_fp32",
	"flops_bf16", "flops_fp8", "ctas_per_unit",
};

enum level_key {
	LK_SIZE,
	LK_WAYS,
	LK_LINE,
	LK_SECTOR,
	LK_REPL,
	LK_WRITE,
	LK_ALLOC,
	LK_INDEX,
	LK_INCL,
	LK_SLICES,
	LK_SEED,
	LK_BW,
	LK_LAT,
	LK_COUNT
};

static const char *const level_keys[LK_COUNT] = {
	"size",	 "ways",      "line",	 "sector",    "replacement",
	"write", "allocate",  "index",	 "inclusion", "slices",
	"seed",	 "bandwidth", "latency",
};

struct name_value {
	const char *name;
	int value;
};

static const struct name_value write_names[] = {
	{"back", MW_WRITE_BACK}, {"through", MW_WRITE_THROUGH}, {NULL, 0}};
static const struct name_value alloc_names[] = {
	{"write", MW_ALLOC_WRITE}, {"none", MW_ALLOC_NONE}, {NULL, 0}};
static const struct name_value index_names[] = {
	{"modulo", MW_INDEX_MODULO}, {"xor", MW_INDEX_XOR}, {NULL, 0}};
static const struct name_value incl_names[] = {{"non-inclusive", MW_INCL_NINE},
					       {"inclusive", MW_INCL_INCLUSIVE},
					       {"exclusive", MW_INCL_EXCLUSIVE},
					       /* a synonym of non-inclusive */
					       {"nine", MW_INCL_NINE},
					       {NULL, 0}};

static const char *enum_name(const struct name_value *t, int v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return "?";
}

const char *mw_hw_write_name(enum mw_write_policy w)
{
	return enum_name(write_names, (int)w);
}

const char *mw_hw_alloc_name(enum mw_alloc_policy a)
{
	return enum_name(alloc_names, (int)a);
}

const char *mw_hw_index_name(enum mw_index_fn i)
{
	return enum_name(index_names, (int)i);
}

const char *mw_hw_inclusion_name(enum mw_inclusion i)
{
	return enum_name(incl_names, (int)i);
}

const struct mw_hw_preset *mw_hw_preset_find(const char *name)
{
	const struct mw_hw_preset *p;

	for (p = mw_hw_presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* ---- small helpers ------------------------------------------------------ */

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memset(dst, 0, cap);
	memcpy(dst, src, n);
}

static void why(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, WHY, fmt, ap);
	va_end(ap);
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* "l1".."l8" -> 1..8; 0 for anything else. */
static unsigned level_number(const char *s)
{
	unsigned n = 0;

	if (s[0] != 'l' || s[1] < '1' || s[1] > '9')
		return 0;
	for (s++; *s; s++) {
		if (!isdigit((unsigned char)*s) || n > 1000)
			return 0;
		n = n * 10 + (unsigned)(*s - '0');
	}
	return n;
}

static void level_defaults(struct mw_level_cfg *lv, unsigned idx)
{
	memset(lv, 0, sizeof(*lv));
	snprintf(lv->name, sizeof(lv->name), "l%u", idx + 1);
	lv->ways = MW_HW_WAYS_UNSET;
	lv->line = 64;
	lv->sector = 64;
	copy_str(lv->replacement, sizeof(lv->replacement), "lru");
	lv->write = MW_WRITE_BACK;
	lv->allocate = MW_ALLOC_WRITE;
	lv->index = MW_INDEX_MODULO;
	lv->inclusion = MW_INCL_NINE;
	lv->slices = 1;
	lv->seed = 1;
}

static void machine_defaults(struct mw_machine_cfg *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	copy_str(m->name, sizeof(m->name), name);
	m->units = 1;
	m->ctas_per_unit = 1;
}

/* The file name without directories and without ".ini". */
static void stem(char *dst, size_t cap, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n, i;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".ini"))
		n -= 4;
	if (n >= cap)
		n = cap - 1;
	memset(dst, 0, cap);
	memcpy(dst, base, n);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)dst[i]) && !strchr("_.+-", dst[i]))
			dst[i] = '_';
	if (!n)
		copy_str(dst, cap, "custom");
}

/* Known policy names, comma-separated, into buf. */
static void policy_list(char *buf, size_t cap)
{
	const struct mw_repl_ops *const *p;
	size_t used = 0;

	buf[0] = '\0';
	for (p = mw_repl_policies; *p && used + 1 < cap; p++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
					 used ? ", " : "", (*p)->name);
}

static void preset_list(char *buf, size_t cap)
{
	const struct mw_hw_preset *p;
	size_t used = 0;

	buf[0] = '\0';
	for (p = mw_hw_presets; p->name && used + 1 < cap; p++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
					 used ? ", " : "", p->name);
}

/* ---- numbers --------------------------------------------------------------- */

/* "989.4TFLOP/s", "67 TFLOPS", "1.5e12": FLOP/s. */
static int parse_flops(const char *s, double *out)
{
	static const char prefixes[] = "kMGTPE";
	char *end;
	double v, scale = 1;
	const char *p;

	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return MW_EPARSE;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(v))
		return MW_EPARSE;
	while (*end == ' ')
		end++;
	if (*end && (p = strchr(prefixes, *end == 'K' ? 'k' : *end))) {
		scale = pow(1000.0, (double)(p - prefixes + 1));
		end++;
	}
	if (*end && strcasecmp(end, "FLOP/s") && strcasecmp(end, "FLOPS"))
		return MW_EPARSE;
	if (!*end && scale != 1)
		return MW_EPARSE;
	*out = v * scale;
	return 0;
}

struct unit_choice {
	const char *suffix;
	double scale;
};

/*
 * The shortest "NUMBERsuffix" that parse reads back as exactly v, with
 * the largest unit not above v.
 */
static void fmt_exact(char *buf, size_t cap, double v,
		      const struct unit_choice *units,
		      int (*parse)(const char *, double *))
{
	const struct unit_choice *u;
	double back;
	int prec;

	if (v == 0) {
		snprintf(buf, cap, "0");
		return;
	}
	for (u = units; u->suffix; u++) {
		if (v < u->scale && u[1].suffix)
			continue;
		for (prec = 1; prec <= 17; prec++) {
			snprintf(buf, cap, "%.*g%s", prec, v / u->scale,
				 u->suffix);
			if (strchr(buf, 'e'))
				continue;
			if (!parse(buf, &back) && back == v)
				return;
		}
	}
	/* every unit failed: the smallest, at full precision */
	for (u = units; u[1].suffix; u++)
		;
	snprintf(buf, cap, "%.17g%s", v / u->scale, u->suffix);
}

static const struct unit_choice rate_units[] = {{"TB/s", 1e12}, {"GB/s", 1e9},
						{"MB/s", 1e6},	{"KB/s", 1e3},
						{"B/s", 1},	{NULL, 0}};
static const struct unit_choice freq_units[] = {
	{"GHz", 1e9}, {"MHz", 1e6}, {"kHz", 1e3}, {"Hz", 1}, {NULL, 0}};
static const struct unit_choice time_units[] = {{"ns", 1}, {NULL, 0}};
static const struct unit_choice flops_units[] = {
	{"TFLOP/s", 1e12}, {"GFLOP/s", 1e9}, {"MFLOP/s", 1e6},
	{"kFLOP/s", 1e3},  {"FLOP/s", 1},    {NULL, 0}};

static void fmt_size(char *buf, size_t cap, uint64_t v)
{
	static const char *const names[] = {"TiB", "GiB", "MiB", "KiB"};
	int i;

	for (i = 0; i < 4 && v; i++) {
		uint64_t scale = 1ull << (10 * (4 - i));

		if (v % scale == 0) {
			snprintf(buf, cap, "%llu%s",
				 (unsigned long long)(v / scale), names[i]);
			return;
		}
	}
	snprintf(buf, cap, "%llu", (unsigned long long)v);
}

/* ---- applying one key ------------------------------------------------------ */

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int err = mw_parse_u64(s, &v);

	if (err)
		return err;
	if (v > UINT32_MAX)
		return MW_ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static int parse_enum(const struct name_value *t, const char *s, int *out)
{
	for (; t->name; t++) {
		if (!strcmp(t->name, s)) {
			*out = t->value;
			return 0;
		}
	}
	return MW_EPARSE;
}

static int parse_real(int (*parse)(const char *, double *), const char *s,
		      double *out)
{
	double v;
	int err;

	if (!strcmp(s, "0")) {
		*out = 0; /* unknown: no unit needed */
		return 0;
	}
	err = parse(s, &v);
	if (err)
		return err;
	if (!isfinite(v) || v < 0)
		return MW_ERANGE;
	*out = v;
	return 0;
}

/* A name for [machine] name: printable, reloads the same. */
static bool good_name(const char *s)
{
	const char *p;

	if (!*s || isspace((unsigned char)*s))
		return false;
	for (p = s; *p; p++)
		if (!isprint((unsigned char)*p) || strchr(";#=[]", *p))
			return false;
	return !isspace((unsigned char)p[-1]);
}

static bool good_mem_key(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* A value that libinih returns unchanged: no inline comment, no edges. */
static bool good_mem_value(const char *s)
{
	const char *p;

	if (!*s)
		return true;
	if (isspace((unsigned char)*s) || *s == ';' || *s == '#')
		return false;
	for (p = s; *p; p++) {
		if (!isprint((unsigned char)*p) && *p != '\t')
			return false;
		if (*p == ';' && isspace((unsigned char)p[-1]))
			return false;
	}
	return !isspace((unsigned char)p[-1]);
}

static int set_machine_key(struct mw_machine_cfg *m, int k, const char *v,
			   char *msg)
{
	uint32_t u;
	double x;

	switch (k) {
	case MK_NAME:
		if (strlen(v) >= MW_NAME_MAX || !good_name(v)) {
			why(msg,
			    "machine.name = %s: want 1 to %d printable "
			    "characters, none of ;#=[]",
			    v, MW_NAME_MAX - 1);
			return MW_ECONFIG;
		}
		copy_str(m->name, sizeof(m->name), v);
		return 0;
	case MK_UNITS:
	case MK_CTAS:
		if (parse_u32(v, &u) || u == 0 ||
		    u > (k == MK_UNITS ? MAX_UNITS : MAX_CTAS)) {
			why(msg,
			    "machine.%s = %s: want a whole number from 1 to %d",
			    machine_keys[k], v,
			    k == MK_UNITS ? MAX_UNITS : MAX_CTAS);
			return MW_ECONFIG;
		}
		if (k == MK_UNITS)
			m->units = u;
		else
			m->ctas_per_unit = u;
		return 0;
	case MK_CLOCK:
		if (parse_real(mw_parse_freq, v, &x) || x > MAX_CLOCK) {
			why(msg,
			    "machine.clock = %s: not a clock (like 1.98GHz)",
			    v);
			return MW_ECONFIG;
		}
		m->clock = x;
		return 0;
	default:
		if (parse_real(parse_flops, v, &x) || x > MAX_FLOPS) {
			why(msg,
			    "machine.%s = %s: not a rate of floating-point "
			    "operations (like 989.4TFLOP/s)",
			    machine_keys[k], v);
			return MW_ECONFIG;
		}
		if (k == MK_FP32)
			m->flops_fp32 = x;
		else if (k == MK_BF16)
			m->flops_bf16 = x;
		else
			m->flops_fp8 = x;
		return 0;
	}
}

static int set_level_key(struct mw_level_cfg *lv, int k, const char *v,
			 char *msg)
{
	const char *lname = lv->name;
	const char *kname = level_keys[k];
	char list[200];
	uint64_t u64;
	uint32_t u;
	double x;
	int e;

	switch (k) {
	case LK_SIZE:
		if (mw_parse_size(v, &u64)) {
			why(msg,
			    "%s.size = %s: not a size (a byte count like "
			    "48KiB or 50MiB)",
			    lname, v);
			return MW_ECONFIG;
		}
		lv->size = u64;
		return 0;
	case LK_WAYS:
		if (!strcmp(v, "full")) {
			lv->ways = 0;
			return 0;
		}
		if (parse_u32(v, &u) || u > MAX_WAYS) {
			why(msg,
			    "%s.ways = %s: want a number of ways or 'full'",
			    lname, v);
			return MW_ECONFIG;
		}
		if (u == 0) {
			why(msg,
			    "%s.ways = 0: zero ways; write 'full' for a fully "
			    "associative level",
			    lname);
			return MW_ECONFIG;
		}
		lv->ways = u;
		return 0;
	case LK_LINE:
	case LK_SECTOR:
	case LK_SLICES:
		if (k == LK_SLICES
			    ? parse_u32(v, &u)
			    : mw_parse_size(v, &u64) || u64 > UINT32_MAX) {
			why(msg, "%s.%s = %s: not a %s", lname, kname, v,
			    k == LK_SLICES ? "whole number" : "byte count");
			return MW_ECONFIG;
		}
		if (k == LK_LINE) {
			/* an unsectored level stays unsectored */
			if (lv->sector == lv->line)
				lv->sector = (uint32_t)u64;
			lv->line = (uint32_t)u64;
		} else if (k == LK_SECTOR) {
			lv->sector = (uint32_t)u64;
		} else {
			lv->slices = u;
		}
		return 0;
	case LK_REPL:
		if (!mw_repl_find(v)) {
			policy_list(list, sizeof(list));
			why(msg,
			    "%s.replacement = %s: unknown policy (known: %s)",
			    lname, v, list);
			return MW_ECONFIG;
		}
		copy_str(lv->replacement, sizeof(lv->replacement), v);
		return 0;
	case LK_WRITE:
		if (parse_enum(write_names, v, &e)) {
			why(msg, "%s.write = %s: want back or through", lname,
			    v);
			return MW_ECONFIG;
		}
		lv->write = (enum mw_write_policy)e;
		return 0;
	case LK_ALLOC:
		if (parse_enum(alloc_names, v, &e)) {
			why(msg,
			    "%s.allocate = %s: want write (allocate on a "
			    "write miss) or none",
			    lname, v);
			return MW_ECONFIG;
		}
		lv->allocate = (enum mw_alloc_policy)e;
		return 0;
	case LK_INDEX:
		if (parse_enum(index_names, v, &e)) {
			why(msg, "%s.index = %s: want modulo or xor", lname, v);
			return MW_ECONFIG;
		}
		lv->index = (enum mw_index_fn)e;
		return 0;
	case LK_INCL:
		if (parse_enum(incl_names, v, &e)) {
			why(msg,
			    "%s.inclusion = %s: want non-inclusive, inclusive "
			    "or exclusive",
			    lname, v);
			return MW_ECONFIG;
		}
		lv->inclusion = (enum mw_inclusion)e;
		return 0;
	case LK_SEED:
		if (mw_parse_u64(v, &u64)) {
			why(msg, "%s.seed = %s: not a whole number", lname, v);
			return MW_ECONFIG;
		}
		lv->seed = u64;
		return 0;
	case LK_BW:
		if (parse_real(mw_parse_rate, v, &x) || x > MAX_RATE) {
			why(msg,
			    "%s.bandwidth = %s: not a rate (like 9.7TB/s or "
			    "900GB/s)",
			    lname, v);
			return MW_ECONFIG;
		}
		lv->bandwidth = x;
		return 0;
	default:
		if (parse_real(mw_parse_time, v, &x) || x > MAX_LATENCY) {
			why(msg, "%s.latency = %s: not a time (like 147ns)",
			    lname, v);
			return MW_ECONFIG;
		}
		lv->latency = x;
		return 0;
	}
}

static int find_key(const char *const *keys, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return i;
	return -1;
}

static void key_list(char *buf, size_t cap, const char *const *keys, int n)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && used + 1 < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
					 i ? ", " : "", keys[i]);
}

static int unknown_key(char *msg, const char *section, const char *key,
		       const char *const *keys, int n)
{
	char list[200];

	key_list(list, sizeof(list), keys, n);
	why(msg, "unknown key '%s' in [%s] (keys: %s)", key, section, list);
	return MW_ECONFIG;
}

/* Adds or replaces a [memory] key; *index gets its slot. */
static int set_mem_key(struct mw_hw_cfg *cfg, const char *key, const char *v,
		       uint32_t line, char *msg, uint32_t *index)
{
	uint32_t i;

	if (strlen(key) >= MW_MEM_KEY_MAX || !good_mem_key(key)) {
		why(msg,
		    "memory key '%s': want 1 to %d letters, digits, '_', "
		    "'.' or '-'",
		    key, MW_MEM_KEY_MAX - 1);
		return MW_ECONFIG;
	}
	if (strlen(v) >= MW_MEM_VAL_MAX || !good_mem_value(v)) {
		why(msg,
		    "memory.%s: the value must be at most %d printable "
		    "characters without an inline comment",
		    key, MW_MEM_VAL_MAX - 1);
		return MW_ECONFIG;
	}
	for (i = 0; i < cfg->nmem; i++)
		if (!strcmp(cfg->mem[i].key, key))
			break;
	if (i == cfg->nmem) {
		if (cfg->nmem == MW_MEM_KEYS_MAX) {
			why(msg, "memory.%s: more than %d [memory] keys", key,
			    MW_MEM_KEYS_MAX);
			return MW_ECONFIG;
		}
		cfg->nmem++;
		copy_str(cfg->mem[i].key, sizeof(cfg->mem[i].key), key);
	}
	copy_str(cfg->mem[i].value, sizeof(cfg->mem[i].value), v);
	cfg->mem[i].line = line;
	*index = i;
	return 0;
}

/* ---- validation ------------------------------------------------------------ */

/* Where a refusal points: the machine, a level or the memory, and a key. */
struct fault {
	int section; /* -1 machine, 0.. level, -2 memory */
	int key;     /* enum machine_key / level_key, or memory index */
};

static int refuse(struct fault *f, int section, int key, char *msg,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int refuse(struct fault *f, int section, int key, char *msg,
		  const char *fmt, ...)
{
	va_list ap;

	f->section = section;
	f->key = key;
	va_start(ap, fmt);
	vsnprintf(msg, WHY, fmt, ap);
	va_end(ap);
	return MW_ECONFIG;
}

static bool bad_real(double v, double max)
{
	return !isfinite(v) || v < 0 || v > max;
}

static int check_machine(const struct mw_machine_cfg *m, char *msg,
			 struct fault *f)
{
	static const char *const flops[3] = {"flops_fp32", "flops_bf16",
					     "flops_fp8"};
	const double fv[3] = {m->flops_fp32, m->flops_bf16, m->flops_fp8};
	int i;

	if (!memchr(m->name, 0, sizeof(m->name)) || !good_name(m->name))
		return refuse(f, -1, MK_NAME, msg,
			      "machine.name: want 1 to %d printable "
			      "characters, none of ;#=[]",
			      MW_NAME_MAX - 1);
	if (m->units == 0 || m->units > MAX_UNITS)
		return refuse(f, -1, MK_UNITS, msg,
			      "machine.units: %u; want 1 to %d", m->units,
			      MAX_UNITS);
	if (m->ctas_per_unit == 0 || m->ctas_per_unit > MAX_CTAS)
		return refuse(f, -1, MK_CTAS, msg,
			      "machine.ctas_per_unit: %u; want 1 to %d",
			      m->ctas_per_unit, MAX_CTAS);
	if (bad_real(m->clock, MAX_CLOCK))
		return refuse(f, -1, MK_CLOCK, msg,
			      "machine.clock: %g Hz is not a clock", m->clock);
	for (i = 0; i < 3; i++)
		if (bad_real(fv[i], MAX_FLOPS))
			return refuse(f, -1, MK_FP32 + i, msg,
				      "machine.%s: %g FLOP/s is out of range",
				      flops[i], fv[i]);
	return 0;
}

static int check_level(const struct mw_hw_cfg *cfg, unsigned i, char *msg,
		       struct fault *f)
{
	const struct mw_level_cfg *lv = &cfg->levels[i];
	char expect[16], a[32], b[32], list[200];
	uint64_t per;
	int s = (int)i;

	snprintf(expect, sizeof(expect), "l%u", i + 1);
	if (!memchr(lv->name, 0, sizeof(lv->name)) || strcmp(lv->name, expect))
		return refuse(f, s, -1, msg,
			      "level %u is named '%.*s': levels are l1, l2, "
			      "... in order, with no gaps",
			      i + 1, MW_NAME_MAX, lv->name);
	if (lv->size == 0)
		return refuse(f, s, LK_SIZE, msg, "%s.size: not set (zero)",
			      lv->name);
	if (lv->size > MAX_SIZE)
		return refuse(f, s, LK_SIZE, msg,
			      "%s.size: %s is absurd (more than 16 TiB)",
			      lv->name, mw_fmt_bytes(a, sizeof(a), lv->size));
	if (lv->ways == MW_HW_WAYS_UNSET)
		return refuse(f, s, LK_WAYS, msg,
			      "%s.ways: not set (a number of ways, or full)",
			      lv->name);
	if (lv->ways > MAX_WAYS)
		return refuse(f, s, LK_WAYS, msg,
			      "%s.ways: %u is absurd (more than %u; write "
			      "full for a fully associative level)",
			      lv->name, lv->ways, MAX_WAYS);
	if (!is_pow2(lv->line) || lv->line < 2 || lv->line > MAX_LINE_B)
		return refuse(f, s, LK_LINE, msg,
			      "%s.line: %u B is not a power of two from 2 B "
			      "to 64 KiB",
			      lv->name, lv->line);
	if (lv->sector == 0)
		return refuse(f, s, LK_SECTOR, msg, "%s.sector: zero bytes",
			      lv->name);
	if (lv->sector > lv->line)
		return refuse(f, s, LK_SECTOR, msg,
			      "%s.sector: %u B is larger than the line (%u B)",
			      lv->name, lv->sector, lv->line);
	if (lv->line % lv->sector)
		return refuse(f, s, LK_SECTOR, msg,
			      "%s.sector: %u B does not divide the line (%u B)",
			      lv->name, lv->sector, lv->line);
	if (lv->line / lv->sector > MAX_SECTORS)
		return refuse(f, s, LK_SECTOR, msg,
			      "%s.sector: %u sectors per line; at most %d",
			      lv->name, lv->line / lv->sector, MAX_SECTORS);
	if (lv->slices == 0 || lv->slices > MAX_SLICES)
		return refuse(f, s, LK_SLICES, msg,
			      "%s.slices: %u; want 1 to %d", lv->name,
			      lv->slices, MAX_SLICES);
	if (lv->ways == 0 && lv->slices != 1)
		return refuse(f, s, LK_SLICES, msg,
			      "%s.slices: %u, but a fully associative level "
			      "has one slice",
			      lv->name, lv->slices);
	per = (uint64_t)lv->line * (lv->ways ? lv->ways : 1) * lv->slices;
	if (lv->size % per) {
		if (lv->ways)
			return refuse(f, s, LK_SIZE, msg,
				      "%s.size: %s is not a multiple of line x "
				      "ways "
				      "x slices = %u B x %u x %u = %llu B "
				      "(%.2f "
				      "sets per slice)",
				      lv->name,
				      mw_fmt_bytes(a, sizeof(a), lv->size),
				      lv->line, lv->ways, lv->slices,
				      (unsigned long long)per,
				      (double)lv->size / (double)per);
		return refuse(f, s, LK_SIZE, msg,
			      "%s.size: %s is not a multiple of line x slices "
			      "= %u B x %u = %llu B",
			      lv->name, mw_fmt_bytes(a, sizeof(a), lv->size),
			      lv->line, lv->slices, (unsigned long long)per);
	}
	if (lv->size / lv->line > MAX_LINES)
		return refuse(f, s, LK_SIZE, msg,
			      "%s.size: %s is more than 2^31 lines of %u B",
			      lv->name, mw_fmt_bytes(a, sizeof(a), lv->size),
			      lv->line);
	if (!memchr(lv->replacement, 0, sizeof(lv->replacement)) ||
	    !mw_repl_find(lv->replacement)) {
		policy_list(list, sizeof(list));
		return refuse(f, s, LK_REPL, msg,
			      "%s.replacement: unknown policy '%.*s' (known: "
			      "%s)",
			      lv->name, MW_NAME_MAX, lv->replacement, list);
	}
	if ((unsigned)lv->write > MW_WRITE_THROUGH)
		return refuse(f, s, LK_WRITE, msg, "%s.write: not a policy",
			      lv->name);
	if ((unsigned)lv->allocate > MW_ALLOC_NONE)
		return refuse(f, s, LK_ALLOC, msg, "%s.allocate: not a policy",
			      lv->name);
	if ((unsigned)lv->index > MW_INDEX_XOR)
		return refuse(f, s, LK_INDEX, msg, "%s.index: not a function",
			      lv->name);
	if ((unsigned)lv->inclusion > MW_INCL_EXCLUSIVE)
		return refuse(f, s, LK_INCL, msg, "%s.inclusion: not a mode",
			      lv->name);
	if (i == 0 && lv->inclusion != MW_INCL_NINE)
		return refuse(f, s, LK_INCL, msg,
			      "%s.inclusion: %s, but the first level has no "
			      "level above it",
			      lv->name, mw_hw_inclusion_name(lv->inclusion));
	if (i > 0 && lv->inclusion == MW_INCL_EXCLUSIVE) {
		const struct mw_level_cfg *up = &cfg->levels[i - 1];

		if (up->line != lv->line || up->sector != lv->sector)
			return refuse(f, s, LK_LINE, msg,
				      "%s: an exclusive level needs the line "
				      "and sector of the level above (%s: "
				      "%u/%u B, %s: %u/%u B)",
				      lv->name, up->name, up->line, up->sector,
				      lv->name, lv->line, lv->sector);
	}
	if (bad_real(lv->bandwidth, MAX_RATE))
		return refuse(f, s, LK_BW, msg,
			      "%s.bandwidth: %s is out of range", lv->name,
			      mw_fmt_si(b, sizeof(b), lv->bandwidth, "B/s"));
	if (bad_real(lv->latency, MAX_LATENCY))
		return refuse(f, s, LK_LAT, msg,
			      "%s.latency: %g ns is out of range", lv->name,
			      lv->latency);
	return 0;
}

/*
 * The memory model's own reading of [memory] (dram_cfg.c): an unknown
 * key or a bad value points at its line (or at [memory] when the error
 * is about the whole section or the key came from --set).
 */
static int check_memory_model(const struct mw_hw_cfg *cfg, char *msg,
			      struct fault *f)
{
	struct mw_dram_cfg dc;
	struct mw_diag dd;
	uint32_t i;
	int key = -1;

	mw_diag_clear(&dd);
	if (mw_dram_cfg_from_kv(&dc, cfg->mem, cfg->nmem, "", &dd) >= 0)
		return 0;
	for (i = 0; dd.line && i < cfg->nmem; i++)
		if (cfg->mem[i].line == dd.line)
			key = (int)i;
	return refuse(f, -2, key, msg, "%s", dd.msg);
}

static int check_memory(const struct mw_hw_cfg *cfg, char *msg, struct fault *f)
{
	uint32_t i, j;

	if (cfg->nmem > MW_MEM_KEYS_MAX)
		return refuse(f, -2, -1, msg, "memory: more than %d keys",
			      MW_MEM_KEYS_MAX);
	for (i = 0; i < cfg->nmem; i++) {
		const struct mw_mem_kv *kv = &cfg->mem[i];

		if (!memchr(kv->key, 0, sizeof(kv->key)) ||
		    !good_mem_key(kv->key))
			return refuse(f, -2, (int)i, msg,
				      "memory: key %u is not a name", i + 1);
		if (!memchr(kv->value, 0, sizeof(kv->value)) ||
		    !good_mem_value(kv->value))
			return refuse(f, -2, (int)i, msg,
				      "memory.%s: the value is not one line "
				      "of printable text",
				      kv->key);
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->mem[j].key, kv->key))
				return refuse(f, -2, (int)i, msg,
					      "memory.%s: given twice",
					      kv->key);
	}
	return check_memory_model(cfg, msg, f);
}

static int validate(const struct mw_hw_cfg *cfg, char *msg, struct fault *f)
{
	unsigned i;
	int err = check_machine(&cfg->machine, msg, f);

	if (err)
		return err;
	if (cfg->nlevels > MW_LEVELS_MAX)
		return refuse(f, -1, -1, msg, "%u cache levels; at most %d",
			      cfg->nlevels, MW_LEVELS_MAX);
	for (i = 0; i < cfg->nlevels; i++) {
		err = check_level(cfg, i, msg, f);
		if (err)
			return err;
	}
	return check_memory(cfg, msg, f);
}

int mw_hw_validate(const struct mw_hw_cfg *cfg, struct mw_diag *d)
{
	char msg[WHY];
	struct fault f;
	const char *src =
		memchr(cfg->source, 0, sizeof(cfg->source)) ? cfg->source : "";

	if (validate(cfg, msg, &f))
		return mw_diag_set(d, MW_ECONFIG, src, 0, "%s", msg);
	return 0;
}

/* ---- the INI reader -------------------------------------------------------- */

enum section_kind {
	SEC_NONE,
	SEC_MACHINE,
	SEC_LEVEL,
	SEC_MEMORY,
	SEC_SKIP /* a refused section: its keys are ignored */
};

struct parser {
	struct mw_hw_cfg *cfg;
	const char *name; /* for diagnostics */
	const char *text;
	size_t pos;
	uint64_t line; /* of the line last handed to libinih */
	enum section_kind kind;
	unsigned level; /* SEC_LEVEL: index */
	uint64_t machine_line, memory_line;
	uint64_t level_line[MW_LEVELS_MAX];
	uint64_t machine_key_line[MK_COUNT];
	uint64_t level_key_line[MW_LEVELS_MAX][LK_COUNT];
	bool sector_given[MW_LEVELS_MAX];
	uint64_t err_line; /* 0 = no error yet */
	char err[WHY];
};

static void fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return;
	p->err_line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

static void begin_section(struct parser *p, const char *name)
{
	unsigned n;

	if (!strcmp(name, "machine")) {
		if (p->machine_line) {
			fail(p, "[machine] appears twice (first at line %llu)",
			     (unsigned long long)p->machine_line);
			p->kind = SEC_SKIP;
			return;
		}
		p->machine_line = p->line;
		p->kind = SEC_MACHINE;
		return;
	}
	if (!strcmp(name, "memory")) {
		if (p->memory_line) {
			fail(p, "[memory] appears twice (first at line %llu)",
			     (unsigned long long)p->memory_line);
			p->kind = SEC_SKIP;
			return;
		}
		p->memory_line = p->line;
		p->kind = SEC_MEMORY;
		return;
	}
	n = level_number(name);
	if (!n) {
		fail(p,
		     "unknown section [%s] (sections: machine, l1 .. l%d, "
		     "memory)",
		     name, MW_LEVELS_MAX);
		p->kind = SEC_SKIP;
		return;
	}
	p->kind = SEC_SKIP;
	if (n > MW_LEVELS_MAX) {
		fail(p, "[%s]: at most %d cache levels", name, MW_LEVELS_MAX);
	} else if (n <= p->cfg->nlevels) {
		fail(p, "[%s] appears twice (first at line %llu)", name,
		     (unsigned long long)p->level_line[n - 1]);
	} else if (n > p->cfg->nlevels + 1) {
		fail(p,
		     "[%s] out of order: levels are l1, l2, ... with no "
		     "gaps, so [l%u] comes next",
		     name, p->cfg->nlevels + 1);
	} else if (p->memory_line) {
		fail(p, "[%s] after [memory]: cache levels come first", name);
	} else {
		p->level = p->cfg->nlevels++;
		level_defaults(&p->cfg->levels[p->level], p->level);
		p->level_line[p->level] = p->line;
		p->kind = SEC_LEVEL;
	}
}

/* fgets-like: one line per call, counted, leading blanks dropped. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *s = p->text + p->pos, *nl, *start;
	size_t len, take;

	if (!*s)
		return NULL;
	nl = strchr(s, '\n');
	len = nl ? (size_t)(nl - s) + 1 : strlen(s);
	p->pos += len;
	p->line++;
	start = s;
	while (start < s + len && (*start == ' ' || *start == '\t'))
		start++;
	take = len - (size_t)(start - s);
	if (take > (size_t)num - 2 || take > MAX_LINE) {
		fail(p, "line longer than %d characters", MAX_LINE);
		take = 0;
	}
	memcpy(str, start, take);
	str[take] = '\0';
	if (*str == '[') {
		const char *close = strchr(str, ']');
		char name[64];
		size_t n = close ? (size_t)(close - str - 1) : 0;

		if (close && n < sizeof(name)) {
			memcpy(name, str + 1, n);
			name[n] = '\0';
			begin_section(p, name);
		} else {
			/* libinih refuses a header without ']' itself */
			if (close)
				fail(p,
				     "section name longer than %d "
				     "characters",
				     (int)sizeof(name) - 1);
			p->kind = SEC_SKIP;
		}
	}
	return str;
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parser *p = user;
	char msg[WHY];
	uint64_t *seen;
	uint32_t slot;
	int k;

	(void)section; /* the reader tracks sections, with their lines */
	switch (p->kind) {
	case SEC_NONE:
		fail(p, "key '%s' before any [section]", key);
		return 0;
	case SEC_SKIP:
		return 1;
	case SEC_MACHINE:
		k = find_key(machine_keys, MK_COUNT, key);
		if (k < 0) {
			unknown_key(msg, "machine", key, machine_keys,
				    MK_COUNT);
			fail(p, "%s", msg);
			return 0;
		}
		seen = &p->machine_key_line[k];
		if (*seen) {
			fail(p, "machine.%s given twice (first at line %llu)",
			     key, (unsigned long long)*seen);
			return 0;
		}
		*seen = p->line;
		if (set_machine_key(&p->cfg->machine, k, value, msg)) {
			fail(p, "%s", msg);
			return 0;
		}
		return 1;
	case SEC_LEVEL:
		k = find_key(level_keys, LK_COUNT, key);
		if (k < 0) {
			unknown_key(msg, p->cfg->levels[p->level].name, key,
				    level_keys, LK_COUNT);
			fail(p, "%s", msg);
			return 0;
		}
		seen = &p->level_key_line[p->level][k];
		if (*seen) {
			fail(p, "%s.%s given twice (first at line %llu)",
			     p->cfg->levels[p->level].name, key,
			     (unsigned long long)*seen);
			return 0;
		}
		*seen = p->line;
		if (k == LK_SECTOR)
			p->sector_given[p->level] = true;
		if (set_level_key(&p->cfg->levels[p->level], k, value, msg)) {
			fail(p, "%s", msg);
			return 0;
		}
		return 1;
	case SEC_MEMORY: {
		uint32_t i;

		for (i = 0; i < p->cfg->nmem; i++) {
			if (!strcmp(p->cfg->mem[i].key, key)) {
				fail(p,
				     "memory.%s given twice (first at line "
				     "%u)",
				     key, p->cfg->mem[i].line);
				return 0;
			}
		}
		if (set_mem_key(p->cfg, key, value, (uint32_t)p->line, msg,
				&slot)) {
			fail(p, "%s", msg);
			return 0;
		}
		return 1;
	}
	}
	return 0;
}

/* The line a validation refusal points at. */
static uint64_t fault_line(const struct parser *p, const struct fault *f)
{
	if (f->section == -1)
		return f->key >= 0 && p->machine_key_line[f->key]
			       ? p->machine_key_line[f->key]
			       : p->machine_line;
	if (f->section == -2)
		return f->key >= 0 && (uint32_t)f->key < p->cfg->nmem
			       ? p->cfg->mem[f->key].line
			       : p->memory_line;
	if (f->key >= 0 && p->level_key_line[f->section][f->key])
		return p->level_key_line[f->section][f->key];
	return p->level_line[f->section];
}

int mw_hw_load_string(struct mw_hw_cfg *cfg, const char *text, const char *name,
		      struct mw_diag *d)
{
	struct parser *p;
	struct fault f;
	char msg[WHY];
	unsigned i;
	int rc, err = 0;

	p = mw_calloc(1, sizeof(*p));
	if (!p)
		return mw_diag_set(d, MW_ENOMEM, name, 0, "out of memory");
	memset(cfg, 0, sizeof(*cfg));
	stem(msg, MW_NAME_MAX, name);
	machine_defaults(&cfg->machine, msg);
	copy_str(cfg->source, sizeof(cfg->source), name);
	p->cfg = cfg;
	p->name = name;
	p->text = text;
	rc = ini_parse_stream(reader, p, handler, p);
	if (rc < 0) {
		err = mw_diag_set(d, MW_ENOMEM, name, 0, "out of memory");
		goto out_free;
	}
	if (rc > 0 && (!p->err_line || (uint64_t)rc < p->err_line)) {
		err = mw_diag_set(d, MW_ECONFIG, name, (uint64_t)rc,
				  "not a [section] or a key = value line");
		goto out_free;
	}
	if (p->err_line) {
		err = mw_diag_set(d, MW_ECONFIG, name, p->err_line, "%s",
				  p->err);
		goto out_free;
	}
	for (i = 0; i < cfg->nlevels; i++)
		if (!p->sector_given[i])
			cfg->levels[i].sector = cfg->levels[i].line;
	if (validate(cfg, msg, &f))
		err = mw_diag_set(d, MW_ECONFIG, name, fault_line(p, &f), "%s",
				  msg);
out_free:
	mw_free(p);
	return err;
}

int mw_hw_load_file(struct mw_hw_cfg *cfg, const char *path, struct mw_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int err;

	if (!f)
		return mw_diag_set(d, MW_EIO, path, 0, "cannot open: %s",
				   strerror(errno));
	buf = mw_malloc(MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		return mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory");
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	if (ferror(f)) {
		err = mw_diag_set(d, MW_EIO, path, 0, "read failed: %s",
				  strerror(errno));
		goto out;
	}
	if (n > MAX_FILE) {
		err = mw_diag_set(d, MW_ECONFIG, path, 0,
				  "larger than 1 MiB: not a hardware config");
		goto out;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		err = mw_diag_set(d, MW_ECONFIG, path, 0,
				  "holds NUL bytes: not a text file");
		goto out;
	}
	err = mw_hw_load_string(cfg, buf, path, d);
out:
	mw_free(buf);
	fclose(f);
	return err;
}

int mw_hw_preset(struct mw_hw_cfg *cfg, const char *name, struct mw_diag *d)
{
	const struct mw_hw_preset *p = mw_hw_preset_find(name);
	char list[256];

	if (!p) {
		preset_list(list, sizeof(list));
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "no preset '%s' (presets: %s)", name, list);
	}
	return mw_hw_load_string(cfg, p->text, p->name, d);
}

int mw_hw_open(struct mw_hw_cfg *cfg, const char *name_or_path,
	       struct mw_diag *d)
{
	char list[256];
	FILE *f;

	if (!strchr(name_or_path, '/') && mw_hw_preset_find(name_or_path))
		return mw_hw_preset(cfg, name_or_path, d);
	f = fopen(name_or_path, "rb");
	if (!f && errno == ENOENT && !strchr(name_or_path, '/')) {
		preset_list(list, sizeof(list));
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "'%s' is neither a preset (%s) nor a file",
				   name_or_path, list);
	}
	if (f)
		fclose(f);
	return mw_hw_load_file(cfg, name_or_path, d);
}

/* ---- --set ----------------------------------------------------------------- */

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

int mw_hw_set(struct mw_hw_cfg *cfg, const char *assignment, struct mw_diag *d)
{
	char buf[512], msg[WHY];
	char *eq, *dot, *section, *key, *value;
	unsigned n;
	uint32_t slot;
	int k, err;

	if (strlen(assignment) >= sizeof(buf))
		return mw_diag_set(d, MW_ECONFIG, "--set", 0,
				   "'%.40s...' is too long", assignment);
	strcpy(buf, assignment);
	eq = strchr(buf, '=');
	dot = eq ? memchr(buf, '.', (size_t)(eq - buf)) : NULL;
	if (!eq || !dot)
		return mw_diag_set(d, MW_ECONFIG, "--set", 0,
				   "'%s': expected SECTION.KEY=VALUE (like "
				   "l2.size=60MiB)",
				   assignment);
	*eq = '\0';
	*dot = '\0';
	section = buf;
	key = dot + 1;
	value = eq + 1;
	trim(section);
	trim(key);
	trim(value);
	if (!strcmp(section, "machine")) {
		k = find_key(machine_keys, MK_COUNT, key);
		if (k < 0)
			err = unknown_key(msg, "machine", key, machine_keys,
					  MK_COUNT);
		else
			err = set_machine_key(&cfg->machine, k, value, msg);
	} else if (!strcmp(section, "memory")) {
		err = set_mem_key(cfg, key, value, 0, msg, &slot);
	} else if ((n = level_number(section)) != 0) {
		if (n > MW_LEVELS_MAX || n > cfg->nlevels + 1)
			return mw_diag_set(d, MW_ECONFIG, "--set", 0,
					   "%s.%s: no level %s; the config has "
					   "%u, so a "
					   "new one is l%u",
					   section, key, section, cfg->nlevels,
					   cfg->nlevels + 1);
		k = find_key(level_keys, LK_COUNT, key);
		if (k < 0)
			return mw_diag_set(d, MW_ECONFIG, "--set", 0, "%s",
					   (unknown_key(msg, section, key,
							level_keys, LK_COUNT),
					    msg));
		if (n == cfg->nlevels + 1) {
			/* a new level, below the others */
			struct mw_level_cfg lv;

			level_defaults(&lv, n - 1);
			err = set_level_key(&lv, k, value, msg);
			if (!err) {
				cfg->levels[n - 1] = lv;
				cfg->nlevels = n;
			}
		} else {
			err = set_level_key(&cfg->levels[n - 1], k, value, msg);
		}
	} else {
		return mw_diag_set(d, MW_ECONFIG, "--set", 0,
				   "'%s': unknown section '%s' (machine, l1 .. "
				   "l%d, memory)",
				   assignment, section, MW_LEVELS_MAX);
	}
	if (err)
		return mw_diag_set(d, MW_ECONFIG, "--set", 0, "%s", msg);
	return 0;
}

/* ---- writing ----------------------------------------------------------------- */

static void put_real(FILE *f, const char *key, double v,
		     const struct unit_choice *units,
		     int (*parse)(const char *, double *))
{
	char buf[64];

	fmt_exact(buf, sizeof(buf), v, units, parse);
	fprintf(f, "%s = %s\n", key, buf);
}

int mw_hw_write_ini(const struct mw_hw_cfg *cfg, FILE *f)
{
	const struct mw_machine_cfg *m = &cfg->machine;
	char buf[64];
	unsigned i;
	const char *s;

	fputs("; memwall hardware config", f);
	if (memchr(cfg->source, 0, sizeof(cfg->source)) && cfg->source[0]) {
		fputs(", from ", f);
		for (s = cfg->source; *s; s++)
			fputc(isprint((unsigned char)*s) ? *s : '?', f);
	}
	fputs("\n; every key explicit; docs/hwconfig.md describes them\n\n", f);
	fprintf(f, "[machine]\nname = %s\nunits = %u\n", m->name, m->units);
	put_real(f, "clock", m->clock, freq_units, mw_parse_freq);
	put_real(f, "flops_fp32", m->flops_fp32, flops_units, parse_flops);
	put_real(f, "flops_bf16", m->flops_bf16, flops_units, parse_flops);
	put_real(f, "flops_fp8", m->flops_fp8, flops_units, parse_flops);
	fprintf(f, "ctas_per_unit = %u\n", m->ctas_per_unit);
	for (i = 0; i < cfg->nlevels; i++) {
		const struct mw_level_cfg *lv = &cfg->levels[i];

		fmt_size(buf, sizeof(buf), lv->size);
		fprintf(f, "\n[%s]\nsize = %s\n", lv->name, buf);
		if (lv->ways)
			fprintf(f, "ways = %u\n", lv->ways);
		else
			fputs("ways = full\n", f);
		fprintf(f, "line = %u\nsector = %u\nreplacement = %s\n",
			lv->line, lv->sector, lv->replacement);
		fprintf(f, "write = %s\nallocate = %s\nindex = %s\n",
			mw_hw_write_name(lv->write),
			mw_hw_alloc_name(lv->allocate),
			mw_hw_index_name(lv->index));
		fprintf(f, "inclusion = %s\nslices = %u\nseed = %llu\n",
			mw_hw_inclusion_name(lv->inclusion), lv->slices,
			(unsigned long long)lv->seed);
		put_real(f, "bandwidth", lv->bandwidth, rate_units,
			 mw_parse_rate);
		put_real(f, "latency", lv->latency, time_units, mw_parse_time);
	}
	fputs("\n[memory]\n", f);
	if (!cfg->nmem)
		fputs("; no keys: the memory counts bytes, no timing\n", f);
	for (i = 0; i < cfg->nmem; i++)
		fprintf(f, "%s = %s\n", cfg->mem[i].key, cfg->mem[i].value);
	return ferror(f) ? MW_EIO : 0;
}

bool mw_hw_equal(const struct mw_hw_cfg *a, const struct mw_hw_cfg *b)
{
	const struct mw_machine_cfg *x = &a->machine, *y = &b->machine;
	unsigned i;

	if (strcmp(x->name, y->name) || x->units != y->units ||
	    x->clock != y->clock || x->flops_fp32 != y->flops_fp32 ||
	    x->flops_bf16 != y->flops_bf16 || x->flops_fp8 != y->flops_fp8 ||
	    x->ctas_per_unit != y->ctas_per_unit)
		return false;
	if (a->nlevels != b->nlevels || a->nmem != b->nmem)
		return false;
	for (i = 0; i < a->nlevels && i < MW_LEVELS_MAX; i++) {
		const struct mw_level_cfg *p = &a->levels[i],
					  *q = &b->levels[i];

		if (strcmp(p->name, q->name) || p->size != q->size ||
		    p->ways != q->ways || p->line != q->line ||
		    p->sector != q->sector ||
		    strcmp(p->replacement, q->replacement) ||
		    p->write != q->write || p->allocate != q->allocate ||
		    p->index != q->index || p->inclusion != q->inclusion ||
		    p->slices != q->slices || p->seed != q->seed ||
		    p->bandwidth != q->bandwidth || p->latency != q->latency)
			return false;
	}
	for (i = 0; i < a->nmem && i < MW_MEM_KEYS_MAX; i++)
		if (strcmp(a->mem[i].key, b->mem[i].key) ||
		    strcmp(a->mem[i].value, b->mem[i].value))
			return false;
	return true;
}
