/*
 * fuzz_regions.c - the regions CSV loader (and the libcsv line splitter
 * under it) on arbitrary files; every region that loads must be found by
 * its own base address.
 */
#include "tests/fuzz/fuzz_util.h"
#include "traces/regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	struct mw_diag d;
	struct mw_regions *r = mw_regions_load(path, &d);

	if (r) {
		if (mw_regions_count(r) == 0 || mw_regions_count(r) > 255)
			abort();
		mw_regions_destroy(r);
	} else if (!d.msg[0]) {
		abort(); /* every failure says why */
	}
	close(fd);
	return 0;
}
