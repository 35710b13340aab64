/*
 * fuzz_nvbit.c - the NVBit mem_trace reader on arbitrary text, strict and
 * with skip_bad.  Every record must be a whole run of 32-byte sectors
 * (aligned, 32 B to 2 KiB) on a unit below the unit count, read or write;
 * every failure must say why.
 */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The units asked for; sector runs of 32 B to 2 KiB, reads or writes. */
static bool nv_ok(const struct mw_access *a, const struct mw_trace_header *h,
		  const struct mw_read_opts *o)
{
	if (!a)
		return h->units == o->units;
	return !(a->addr % 32 || a->size % 32 || a->size > 2048 ||
		 a->unit >= o->units || a->op > MW_OP_WRITE || a->tensor);
}

static void check(const char *path, bool skip_bad, uint32_t units)
{
	struct mw_read_opts o = {
		.format = "nvbit", .skip_bad = skip_bad, .units = units};

	fuzz_check_read(path, &o, 97, nv_ok, NULL, 0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	uint32_t units = size ? 1u + data[0] % 7 : 1;

	check(path, false, units);
	check(path, true, units);
	close(fd);
	return 0;
}
