/*
 * bench_mwt.c - size and decode speed of the native trace format.
 *
 * For each synthetic trace (bench/synth.h) of BENCH_RECORDS records
 * (default 20 million): write it as .mwt, then decode it end to end
 * through mw_trace_open/mw_stream_read on one core, best of three runs,
 * and verify every record against the generator.  For reference the same
 * records in a packed 8-byte form (48-bit address, tensor, op, log2 size)
 * are compressed with xz -1 and gzip -1 when those tools are installed.
 *
 * Targets (native-format issue): mixed >= 100 M records/s and <= 2.3
 * bytes/record; strided >= 300 M records/s and < 0.2 bytes/record.
 */
#include "bench/synth.h"
#include "common/progress.h"
#include "traces/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 4096

static uint64_t env_records(void)
{
	const char *s = getenv("BENCH_RECORDS");

	return s ? strtoull(s, NULL, 10) : 20000000ull;
}

static void die(const char *what, const struct mw_diag *d)
{
	char buf[600];

	fprintf(stderr, "bench_mwt: %s: %s\n", what,
		mw_diag_format(d, buf, sizeof(buf)));
	exit(1);
}

static unsigned log2u(uint32_t v)
{
	unsigned l = 0;

	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

/* Writes the trace as .mwt and as packed 8-byte records; returns encode s. */
static double write_files(enum synth_kind kind, uint64_t n, const char *mwt,
			  const char *packed)
{
	static struct mw_access buf[BATCH];
	static uint64_t pk[BATCH];
	struct mw_trace_header h;
	struct mw_writer *w;
	struct mw_diag d;
	struct synth g;
	FILE *pf = fopen(packed, "wb");
	double t0, t = 0;
	uint64_t done;
	int i;

	if (!pf) {
		perror(packed);
		exit(1);
	}
	mw_header_init(&h);
	for (i = 1; i <= 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "s%d", i);
		mw_header_add_tensor(&h, name, 0, 0);
	}
	w = mw_trace_create(mwt, &h, NULL, &d);
	if (!w)
		die("create", &d);
	synth_init(&g, kind, 42);
	for (done = 0; done < n;) {
		size_t k = n - done < BATCH ? (size_t)(n - done) : BATCH, j;

		synth_fill(&g, buf, k);
		for (j = 0; j < k; j++)
			pk[j] = (buf[j].addr & 0xffffffffffffull) |
				(uint64_t)buf[j].tensor << 48 |
				(uint64_t)buf[j].op << 56 |
				(uint64_t)log2u(buf[j].size) << 58;
		fwrite(pk, 8, k, pf);
		t0 = mw_now_s();
		if (mw_writer_write(w, buf, k, &d))
			die("write", &d);
		t += mw_now_s() - t0;
		done += k;
	}
	t0 = mw_now_s();
	if (mw_writer_commit(w, &d))
		die("commit", &d);
	t += mw_now_s() - t0;
	fclose(pf);
	mw_header_free(&h);
	return t;
}

/* Decodes the file once; returns seconds, checks the record count. */
static double decode_once(const char *path, uint64_t n, uint64_t *sum)
{
	static struct mw_access buf[BATCH];
	struct mw_stream *s;
	struct mw_diag d;
	uint64_t got = 0, acc = 0;
	double t0 = mw_now_s();
	long k;

	s = mw_trace_open(path, NULL, &d);
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
	if (got != n) {
		fprintf(stderr, "bench_mwt: decoded %llu records, wrote %llu\n",
			(unsigned long long)got, (unsigned long long)n);
		exit(1);
	}
	*sum = acc;
	return t0;
}

static void verify(const char *path, enum synth_kind kind, uint64_t n)
{
	static struct mw_access got[BATCH], want[BATCH];
	struct mw_stream *s;
	struct mw_diag d;
	struct synth g;
	uint64_t at = 0;
	long k;

	s = mw_trace_open(path, NULL, &d);
	if (!s)
		die("open", &d);
	synth_init(&g, kind, 42);
	while ((k = mw_stream_read(s, got, BATCH)) > 0) {
		synth_fill(&g, want, (size_t)k);
		if (memcmp(got, want, (size_t)k * sizeof(*got))) {
			fprintf(stderr,
				"bench_mwt: mismatch near record %llu\n",
				(unsigned long long)at);
			exit(1);
		}
		at += (uint64_t)k;
	}
	if (k < 0 || at != n) {
		fprintf(stderr, "bench_mwt: verification read failed\n");
		exit(1);
	}
	mw_stream_destroy(s);
}

static double tool_size(const char *tool, const char *path)
{
	char cmd[512];
	FILE *p;
	unsigned long long bytes = 0;

	snprintf(cmd, sizeof(cmd),
		 "command -v %s >/dev/null 2>&1 && %s -1 -c '%s' | wc -c", tool,
		 tool, path);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%llu", &bytes) != 1)
		bytes = 0;
	if (p)
		pclose(p);
	return (double)bytes;
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

int main(void)
{
	static const char *const names[] = {"mixed", "strided"};
	static const double target_rate[] = {100e6, 300e6};
	static const double target_size[] = {2.3, 0.2};
	uint64_t n = env_records();
	char dir[] = "/tmp/memwall-bench-XXXXXX";
	int k;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("native trace format, %llu records per trace, one core\n",
	       (unsigned long long)n);
	printf("%-8s %12s %10s %12s %12s %9s %9s\n", "trace", "file bytes",
	       "bytes/rec", "encode M/s", "decode M/s", "xz -1", "gzip -1");
	for (k = 0; k < 2; k++) {
		char mwt[128], packed[128];
		double enc, best = 1e30, xz, gz, bpr, rate;
		uint64_t sum = 0, size;
		int run;

		snprintf(mwt, sizeof(mwt), "%s/%s.mwt", dir, names[k]);
		snprintf(packed, sizeof(packed), "%s/%s.bin", dir, names[k]);
		enc = write_files((enum synth_kind)k, n, mwt, packed);
		for (run = 0; run < 3; run++) {
			double t = decode_once(mwt, n, &sum);

			if (t < best)
				best = t;
		}
		verify(mwt, (enum synth_kind)k, n);
		size = file_size(mwt);
		xz = tool_size("xz", packed);
		gz = tool_size("gzip", packed);
		bpr = (double)size / (double)n;
		rate = (double)n / best;
		printf("%-8s %12llu %10.3f %12.1f %12.1f %9.2f %9.2f  "
		       "(target >= %.0f M/s, %s %.1f B/rec: %s)\n",
		       names[k], (unsigned long long)size, bpr,
		       (double)n / enc / 1e6, rate / 1e6, xz / (double)n,
		       gz / (double)n, target_rate[k] / 1e6,
		       k ? "<" : "<=", target_size[k],
		       rate >= target_rate[k] && (k ? bpr < target_size[k]
						    : bpr <= target_size[k])
			       ? "met"
			       : "MISSED");
		unlink(mwt);
		unlink(packed);
		(void)sum;
	}
	printf("(xz -1 and gzip -1: bytes/record of the packed 8-byte form; "
	       "0 = tool not installed)\n");
	rmdir(dir);
	return 0;
}
