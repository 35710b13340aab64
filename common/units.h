/*
 * units.h - numbers with units, in and out.
 *
 * Sizes follow the memory-capacity convention (JEDEC): K, KB and KiB all
 * mean 1024 bytes, likewise M/MB/MiB, G, T.  Rates follow the bandwidth
 * convention: GB/s is 10^9 bytes per second, GiB/s is 2^30; bit rates
 * (Gbps, Gb/s) are divided by 8.  Frequencies: Hz, kHz, MHz, GHz.  Times:
 * ps, ns, us, ms, s.  Suffixes are case-insensitive except b (bit) versus
 * B (byte) in rates.  Parsers return 0, MW_EPARSE (not a number with a
 * known unit) or MW_ERANGE (negative, too large, or a size that is not a
 * whole number of bytes).
 */
#ifndef MW_UNITS_H
#define MW_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Unsigned integer, decimal or 0x-prefixed hexadecimal, nothing else. */
int mw_parse_u64(const char *s, uint64_t *out);
/* A byte count: "128", "128B", "48KiB", "50MiB", "1.5GiB". */
int mw_parse_size(const char *s, uint64_t *out);
/* Bytes per second: "3.35TB/s", "900GB/s", "6.4Gbps" (bits). */
int mw_parse_rate(const char *s, double *bytes_per_s);
/* Hertz: "1.98GHz", "2619MHz", plain numbers are Hz. */
int mw_parse_freq(const char *s, double *hz);
/* Nanoseconds: "32ns", "3.9us", "1ms", plain numbers are ns. */
int mw_parse_time(const char *s, double *ns);

/* "512 B", "48.0 KiB", "1.50 GiB" into buf; returns buf. */
char *mw_fmt_bytes(char *buf, size_t cap, uint64_t bytes);
/* Decimal with thousands separators: "20,000,000"; returns buf. */
char *mw_fmt_count(char *buf, size_t cap, uint64_t n);
/* value with an SI prefix before unit: "3.35 TB/s", "12.3 ns"; returns buf. */
char *mw_fmt_si(char *buf, size_t cap, double value, const char *unit);

#endif
