/*
 * fuzz_lackey.c - the valgrind lackey reader on arbitrary text, strict
 * and with skip_bad, with detection on.  Records must be valid (size >= 1,
 * not past the end of the address space, unit 0, untagged) and every
 * failure must say why.
 */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *path, const char *format, bool skip_bad)
{
	static struct mw_access buf[3];
	struct mw_read_opts o = {.format = format, .skip_bad = skip_bad};
	struct mw_diag d;
	struct mw_stream *s = mw_trace_open(path, &o, &d);
	long n, i;

	if (!s) {
		if (!d.msg[0])
			abort();
		return;
	}
	/* batches of 3: a modify's two records straddle reads */
	while ((n = mw_stream_read(s, buf, 3)) > 0) {
		for (i = 0; i < n; i++) {
			const struct mw_access *a = &buf[i];

			if (a->size == 0 ||
			    a->addr > UINT64_MAX - (a->size - 1) ||
			    a->op >= MW_OP_COUNT)
				abort();
			if (format && (a->unit || a->tensor))
				abort();
		}
	}
	if (n < 0 && !mw_stream_diag(s)->msg[0])
		abort();
	mw_stream_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));

	check(path, "lackey", false);
	check(path, "lackey", true);
	check(path, NULL, false); /* whichever format detection picks */
	close(fd);
	return 0;
}
