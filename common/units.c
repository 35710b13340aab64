/*
 * units.c - parsing and printing numbers with units.
 *
 * Notes:
 *  - Parsing is strict: the whole string must be a number and a known
 *    suffix (spaces between them are allowed), so a typo in a config is an
 *    error instead of a silently different machine.
 *  - Sizes are exact integers; "1.5KiB" is accepted because it is a whole
 *    number of bytes, "1.3B" is not.
 */
#include "common/units.h"

#include "common/err.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct suffix {
	const char *name;
	double scale;
};

int mw_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int base = 10;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return MW_EPARSE;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return MW_EPARSE;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return MW_EPARSE;
	if (errno == ERANGE)
		return MW_ERANGE;
	*out = v;
	return 0;
}

/* Splits "1.5 GiB" into a finite non-negative number and its suffix. */
static int split_number(const char *s, double *num, const char **suffix)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s))
		return MW_EPARSE;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return *s == '-' ? MW_ERANGE : MW_EPARSE;
	errno = 0;
	*num = strtod(s, &end);
	if (end == s)
		return MW_EPARSE;
	if (errno == ERANGE || !isfinite(*num))
		return MW_ERANGE;
	while (*end == ' ')
		end++;
	*suffix = end;
	return 0;
}

static int lookup(const struct suffix *t, const char *sfx, int fold,
		  double *scale)
{
	for (; t->name; t++) {
		if (fold ? !strcasecmp(t->name, sfx) : !strcmp(t->name, sfx)) {
			*scale = t->scale;
			return 0;
		}
	}
	return MW_EPARSE;
}

static const struct suffix size_suffixes[] = {
	{"", 1},
	{"B", 1},
	{"K", 1024.0},
	{"KB", 1024.0},
	{"KiB", 1024.0},
	{"M", 1048576.0},
	{"MB", 1048576.0},
	{"MiB", 1048576.0},
	{"G", 1073741824.0},
	{"GB", 1073741824.0},
	{"GiB", 1073741824.0},
	{"T", 1099511627776.0},
	{"TB", 1099511627776.0},
	{"TiB", 1099511627776.0},
	{NULL, 0},
};

int mw_parse_size(const char *s, uint64_t *out)
{
	const char *sfx;
	double num, scale, v;
	int err = split_number(s, &num, &sfx);

	if (err)
		return err;
	if (lookup(size_suffixes, sfx, 1, &scale))
		return MW_EPARSE;
	v = num * scale;
	if (v >= 18446744073709551616.0)
		return MW_ERANGE;
	if (v != floor(v))
		return MW_ERANGE;
	*out = (uint64_t)v;
	return 0;
}

static const struct suffix rate_suffixes[] = {
	{"B/s", 1},
	{"KB/s", 1e3},
	{"MB/s", 1e6},
	{"GB/s", 1e9},
	{"TB/s", 1e12},
	{"KiB/s", 1024.0},
	{"MiB/s", 1048576.0},
	{"GiB/s", 1073741824.0},
	{"TiB/s", 1099511627776.0},
	{"bps", 1.0 / 8},
	{"b/s", 1.0 / 8},
	{"Kbps", 1e3 / 8},
	{"Mbps", 1e6 / 8},
	{"Gbps", 1e9 / 8},
	{"Tbps", 1e12 / 8},
	{"Kb/s", 1e3 / 8},
	{"Mb/s", 1e6 / 8},
	{"Gb/s", 1e9 / 8},
	{"Tb/s", 1e12 / 8},
	{NULL, 0},
};

int mw_parse_rate(const char *s, double *bytes_per_s)
{
	const char *sfx;
	double num, scale;
	int err = split_number(s, &num, &sfx);

	if (err)
		return err;
	if (lookup(rate_suffixes, sfx, 0, &scale))
		return MW_EPARSE;
	*bytes_per_s = num * scale;
	return 0;
}

static const struct suffix freq_suffixes[] = {
	{"", 1}, {"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}, {NULL, 0},
};

int mw_parse_freq(const char *s, double *hz)
{
	const char *sfx;
	double num, scale;
	int err = split_number(s, &num, &sfx);

	if (err)
		return err;
	if (lookup(freq_suffixes, sfx, 1, &scale))
		return MW_EPARSE;
	*hz = num * scale;
	return 0;
}

static const struct suffix time_suffixes[] = {
	{"", 1},     {"ps", 1e-3}, {"ns", 1}, {"us", 1e3},
	{"ms", 1e6}, {"s", 1e9},   {NULL, 0},
};

int mw_parse_time(const char *s, double *ns)
{
	const char *sfx;
	double num, scale;
	int err = split_number(s, &num, &sfx);

	if (err)
		return err;
	if (lookup(time_suffixes, sfx, 1, &scale))
		return MW_EPARSE;
	*ns = num * scale;
	return 0;
}

char *mw_fmt_bytes(char *buf, size_t cap, uint64_t bytes)
{
	static const char *const names[] = {"B",   "KiB", "MiB", "GiB",
					    "TiB", "PiB", "EiB"};
	double v = (double)bytes;
	int i = 0;

	if (bytes < 1024) {
		snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	while (v >= 1024 && i < 6) {
		v /= 1024;
		i++;
	}
	snprintf(buf, cap,
		 v < 10	   ? "%.2f %s"
		 : v < 100 ? "%.1f %s"
			   : "%.0f %s",
		 v, names[i]);
	return buf;
}

char *mw_fmt_count(char *buf, size_t cap, uint64_t n)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	len = strlen(digits);
	for (i = 0; i < len && o + 1 < cap; i++) {
		if (i && (len - i) % 3 == 0) {
			if (o + 2 >= cap)
				break;
			buf[o++] = ',';
		}
		buf[o++] = digits[i];
	}
	if (cap)
		buf[o < cap ? o : cap - 1] = '\0';
	return buf;
}

char *mw_fmt_si(char *buf, size_t cap, double value, const char *unit)
{
	static const char *const big[] = {"", "k", "M", "G", "T", "P", "E"};
	static const char *const small[] = {"", "m", "u", "n", "p"};
	double v = fabs(value);
	int i = 0;

	if (v >= 1000) {
		while (v >= 1000 && i < 6) {
			v /= 1000;
			i++;
		}
		snprintf(buf, cap, "%.3g %s%s", value < 0 ? -v : v, big[i],
			 unit);
	} else if (v > 0 && v < 1) {
		while (v < 1 && i < 4) {
			v *= 1000;
			i++;
		}
		snprintf(buf, cap, "%.3g %s%s", value < 0 ? -v : v, small[i],
			 unit);
	} else {
		snprintf(buf, cap, "%.3g %s", value, unit);
	}
	return buf;
}
