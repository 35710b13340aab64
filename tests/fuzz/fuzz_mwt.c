/*
 * fuzz_mwt.c - the native format reader on arbitrary files.  The fuzzing
 * build skips the CRC checks (MW_FUZZING) so inputs reach the decoder.
 */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));

	fuzz_read_all(path, "mwt");
	close(fd);
	return 0;
}
