/*
 * bench_nvbit.c - read speed of the NVBit mem_trace reader.
 *
 * Writes a synthetic mem_trace log of BENCH_NVBIT_LINES warp instructions
 * (default 300000, about 600 bytes each as the tool prints them) shaped
 * like a tiled GEMM: 50% LDG.E.128 on contiguous rows, 25% LDS (shared,
 * skipped), 10% STG.E.128, 10% LDG.E strided by 128 B, 5% LDG.E.64 with
 * scattered lanes and a random active mask; CTAs of a 132-CTA grid.
 * Then reads it through mw_trace_open/mw_stream_read on one core, plain
 * and gzip-compressed, best of three, and prints warp instructions/s,
 * records/s and text MB/s.
 */
#include "common/hash.h"
#include "common/progress.h"
#include "traces/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define BATCH 4096

static void die(const char *what, const struct mw_diag *d)
{
	char buf[600];

	fprintf(stderr, "bench_nvbit: %s: %s\n", what,
		mw_diag_format(d, buf, sizeof(buf)));
	exit(1);
}

static unsigned long env_lines(void)
{
	const char *s = getenv("BENCH_NVBIT_LINES");

	return s ? strtoul(s, NULL, 10) : 300000ul;
}

/* One line of the synthetic trace into buf; returns its length. */
static int synth_line(struct mw_rng *rng, unsigned long i, char *buf)
{
	static const char *const ops[] = {"LDG.E.128", "LDS.U.128", "STG.E.128",
					  "LDG.E", "LDG.E.64"};
	uint64_t pick = mw_rng_below(rng, 20), base, lane[32];
	unsigned cta = (unsigned)(i / 64 % 132), op;
	int n, k;

	base = 0x7f8a00000000ull + 512 * mw_rng_below(rng, 1u << 20);
	if (pick < 10) {
		op = 0;
		for (k = 0; k < 32; k++)
			lane[k] = base + 16 * (uint64_t)k;
	} else if (pick < 15) {
		op = 1;
		for (k = 0; k < 32; k++)
			lane[k] = 0x400 + 16 * (uint64_t)k;
	} else if (pick < 17) {
		op = 2;
		for (k = 0; k < 32; k++)
			lane[k] = base + 0x1000000 + 16 * (uint64_t)k;
	} else if (pick < 19) {
		op = 3;
		for (k = 0; k < 32; k++)
			lane[k] = base + 128 * (uint64_t)k;
	} else {
		op = 4;
		for (k = 0; k < 32; k++)
			lane[k] =
				mw_rng_below(rng, 2)
					? base + 8 * mw_rng_below(rng, 1u << 16)
					: 0;
	}
	n = sprintf(buf,
		    "MEMTRACE: CTX 0x00005581c7d3a9e0 - grid_launch_id 0 - CTA "
		    "%u,0,0 - warp %u - %s - ",
		    cta, (unsigned)(i % 48), ops[op]);
	for (k = 0; k < 32; k++)
		n += sprintf(buf + n, "0x%016llx ",
			     (unsigned long long)lane[k]);
	buf[n++] = '\n';
	return n;
}

static uint64_t write_trace(const char *plain, const char *gz,
			    unsigned long lines)
{
	FILE *f = fopen(plain, "wb");
	gzFile z = gzopen(gz, "wb6");
	struct mw_rng rng;
	char buf[1024];
	uint64_t bytes = 0;
	unsigned long i;
	int n;

	if (!f || !z) {
		perror("bench_nvbit: create");
		exit(1);
	}
	mw_rng_seed(&rng, 42);
	n = sprintf(buf, "MEMTRACE: CTX 0x00005581c7d3a9e0 - LAUNCH - Kernel "
			 "pc "
			 "0x00007f8a2e0c1600 - Kernel name bench - grid launch "
			 "id 0 - grid size 132,1,1 - block size 256,1,1 - "
			 "nregs "
			 "40 - shmem 0 - cuda stream id 0\n");
	fwrite(buf, 1, (size_t)n, f);
	gzwrite(z, buf, (unsigned)n);
	for (i = 0; i < lines; i++) {
		n = synth_line(&rng, i, buf);
		fwrite(buf, 1, (size_t)n, f);
		gzwrite(z, buf, (unsigned)n);
		bytes += (uint64_t)n;
	}
	if (fclose(f) || gzclose(z) != Z_OK) {
		perror("bench_nvbit: write");
		exit(1);
	}
	return bytes;
}

/* Reads the whole trace; returns seconds; *records gets the count. */
static double read_once(const char *path, uint64_t *records)
{
	static struct mw_access buf[BATCH];
	struct mw_read_opts o = {.format = "nvbit"};
	struct mw_diag d;
	struct mw_stream *s;
	double t0 = mw_now_s();
	uint64_t got = 0, acc = 0;
	long k;

	s = mw_trace_open(path, &o, &d);
	if (!s)
		die("open", &d);
	while ((k = mw_stream_read(s, buf, BATCH)) > 0) {
		long j;

		for (j = 0; j < k; j++)
			acc += buf[j].addr ^ buf[j].size;
		got += (uint64_t)k;
	}
	if (k < 0)
		die("read", mw_stream_diag(s));
	mw_stream_destroy(s);
	t0 = mw_now_s() - t0;
	*records = got + (acc & 0); /* acc keeps the loop honest */
	return t0;
}

int main(void)
{
	unsigned long lines = env_lines();
	char dir[] = "/tmp/memwall-bench-XXXXXX", plain[128], gz[128];
	const char *paths[2] = {plain, gz}, *names[2] = {"plain", "gzip"};
	uint64_t text;
	int k;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(plain, sizeof(plain), "%s/t.nvbit", dir);
	snprintf(gz, sizeof(gz), "%s/t.nvbit.gz", dir);
	text = write_trace(plain, gz, lines);
	printf("NVBit mem_trace reader, %lu warp instructions (%.1f MB of "
	       "text), one core\n",
	       lines, (double)text / 1e6);
	printf("%-6s %14s %12s %12s %10s\n", "input", "warp instr/s",
	       "records/s", "records", "text MB/s");
	for (k = 0; k < 2; k++) {
		double best = 1e30;
		uint64_t records = 0;
		int run;

		for (run = 0; run < 3; run++) {
			double t = read_once(paths[k], &records);

			if (t < best)
				best = t;
		}
		printf("%-6s %13.2fM %11.2fM %12llu %10.0f\n", names[k],
		       (double)lines / best / 1e6, (double)records / best / 1e6,
		       (unsigned long long)records, (double)text / best / 1e6);
	}
	unlink(plain);
	unlink(gz);
	rmdir(dir);
	return 0;
}
