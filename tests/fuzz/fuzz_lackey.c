/*
 * fuzz_lackey.c - the valgrind lackey reader on arbitrary text, strict
 * and with skip_bad, with detection on.  Records must be valid (size >= 1,
 * not past the end of the address space, unit 0, untagged) and every
 * failure must say why.
 */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Records never pass 2^64; lackey's are untagged on unit 0. */
static bool lk_ok(const struct mw_access *a, const struct mw_trace_header *h,
		  const struct mw_read_opts *o)
{
	(void)h;
	if (!a)
		return true;
	if (a->addr > UINT64_MAX - (a->size - 1) || a->op >= MW_OP_COUNT)
		return false;
	return !o->format || (!a->unit && !a->tensor);
}

static void check(const char *path, const char *format, bool skip_bad)
{
	struct mw_read_opts o = {.format = format, .skip_bad = skip_bad};

	/* batches of 3: a modify's two records straddle reads */
	fuzz_check_read(path, &o, 3, lk_ok, NULL, 0, NULL);
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
