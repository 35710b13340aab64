/*
 * fuzz_din.c - the DineroIV din reader on arbitrary text, strict and with
 * skip_bad.  Records must be valid (size >= 1, not past the end of the
 * address space, unit 0, untagged); every failure must say why; what the
 * strict reader accepts must survive the din writer and read back equal.
 */
#include "tests/fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

/* din records are untagged, on unit 0, and never pass 2^64. */
static bool din_ok(const struct mw_access *a, const struct mw_trace_header *h,
		   const struct mw_read_opts *o)
{
	(void)h;
	(void)o;
	return !a || (a->addr <= UINT64_MAX - (a->size - 1) && !a->unit &&
		      !a->tensor && a->op < MW_OP_COUNT);
}

static long check(const char *path, bool skip_bad, struct mw_access *keep)
{
	struct mw_read_opts o = {.format = "din", .skip_bad = skip_bad};

	return fuzz_check_read(path, &o, 61, din_ok, keep, CAP, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mw_access recs[CAP], back[CAP];
	char path[64], out[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	long n = check(path, false, recs);

	check(path, true, NULL);
	if (n > 0 && n <= CAP) {
		struct mw_trace_header h;
		struct mw_diag d;
		struct mw_writer *w;

		mw_header_init(&h);
		snprintf(out, sizeof(out), "/tmp/fuzz_din.%d.din",
			 (int)getpid());
		w = mw_trace_create(out, &h, NULL, &d);
		if (!w || mw_writer_write(w, recs, (size_t)n, &d) ||
		    mw_writer_commit(w, &d))
			abort();
		if (check(out, false, back) != n ||
		    memcmp(recs, back, (size_t)n * sizeof(*recs)))
			abort();
		unlink(out);
		mw_header_free(&h);
	}
	close(fd);
	return 0;
}
