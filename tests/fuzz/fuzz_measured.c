/*
 * fuzz_measured.c - the measured-data reader (memwall's layout and ncu
 * exports) on arbitrary files; each row's parameters are also turned into
 * an argument vector.
 */
#include "model/measured.h"
#include "tests/fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mw_measured_opts o = {.ncu_kernel = "gemm",
						  .ncu_params = "--m 64"};
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	struct mw_diag d;
	struct mw_measured *m =
		mw_measured_load(path, size && data[0] == 'I' ? &o : NULL, &d);
	size_t i;

	if (m) {
		for (i = 0; i < mw_measured_count(m); i++) {
			const struct mw_measured_row *r = mw_measured_row(m, i);
			char **argv;
			int argc;

			if (r->value != r->value || !*r->case_name ||
			    !*r->metric)
				abort(); /* no NaN, no empty key fields */
			if (mw_measured_row_argv(r, &argv, &argc))
				abort();
			if (argc < 1 || argv[argc] ||
			    strcmp(argv[0], r->kernel))
				abort();
			mw_measured_argv_free(argv);
		}
		mw_measured_destroy(m);
	} else if (!d.msg[0]) {
		abort();
	}
	close(fd);
	return 0;
}
