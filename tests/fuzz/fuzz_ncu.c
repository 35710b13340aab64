/*
 * fuzz_ncu.c - the Nsight Compute CSV reader on arbitrary files.
 */
#include "model/ncu.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	struct mw_diag d;
	struct mw_ncu_table *t = mw_ncu_load(path, &d);
	size_t i, j;

	if (t) {
		for (i = 0; i < mw_ncu_count(t); i++) {
			const struct mw_ncu_launch *l = mw_ncu_launch(t, i);

			for (j = 0; j < l->nmetrics; j++)
				if (l->metrics[j].value != l->metrics[j].value)
					abort(); /* NaN never comes out */
		}
		mw_ncu_table_destroy(t);
	} else if (!d.msg[0]) {
		abort();
	}
	close(fd);
	return 0;
}
