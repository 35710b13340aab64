/*
 * fuzz_nvbit.c - the NVBit mem_trace reader on arbitrary text, strict and
 * with skip_bad.  Every record must be a whole run of 32-byte sectors
 * (aligned, 32 B to 2 KiB) on a unit below the unit count, read or write;
 * every failure must say why.
 */
#include "tests/fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *path, bool skip_bad, uint32_t units)
{
	static struct mw_access buf[97];
	struct mw_read_opts o = {
		.format = "nvbit", .skip_bad = skip_bad, .units = units};
	struct mw_diag d;
	struct mw_stream *s = mw_trace_open(path, &o, &d);
	long n, i;

	if (!s) {
		if (!d.msg[0])
			abort();
		return;
	}
	if (mw_stream_header(s)->units != units)
		abort();
	while ((n = mw_stream_read(s, buf, 97)) > 0) {
		for (i = 0; i < n; i++) {
			const struct mw_access *a = &buf[i];

			if (a->addr % 32 || a->size % 32 || a->size == 0 ||
			    a->size > 2048 || a->unit >= units ||
			    a->op > MW_OP_WRITE || a->tensor)
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
	uint32_t units = size ? 1u + data[0] % 7 : 1;

	check(path, false, units);
	check(path, true, units);
	close(fd);
	return 0;
}
