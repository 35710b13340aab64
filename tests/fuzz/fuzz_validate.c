/*
 * fuzz_validate.c - measured data from arbitrary files matched with
 * predictions (model/validate.h) on a small machine with a small record
 * limit: every row comes back, either compared (with a prediction) or
 * with a reason; the statistics only count compared rows.
 */
#include "model/validate.h"
#include "tests/fuzz/fuzz_util.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {"machine.units=2", "l2.size=64KiB"};
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	struct mw_diag d;
	struct mw_measured *m = mw_measured_load(path, NULL, &d);
	struct mw_validate_opts o;
	struct mw_validate *v;
	size_t i, n = 0;

	close(fd);
	if (!m)
		return 0;
	mw_validate_opts_init(&o);
	o.sets = sets;
	o.nsets = 2;
	o.max_records = 20000;
	v = mw_validate_run(m, &o, &d);
	if (!v) {
		if (!d.msg[0])
			abort();
		mw_measured_destroy(m);
		return 0;
	}
	if (mw_validate_count(v) != mw_measured_count(m))
		abort();
	for (i = 0; i < mw_validate_count(v); i++) {
		const struct mw_validate_row *x = mw_validate_row(v, i);

		if (x->reason) {
			if (!*x->reason)
				abort();
			continue;
		}
		n++;
		if (!x->predicted_name || isnan(x->predicted))
			abort();
	}
	if (n != mw_validate_compared(v))
		abort();
	for (i = 0; i < mw_validate_nstats(v); i++) {
		const struct mw_validate_stat *s = mw_validate_stat(v, i);

		if (!s->rows || s->rows > n || s->worst >= mw_validate_count(v))
			abort();
	}
	mw_validate_destroy(v);
	mw_measured_destroy(m);
	return 0;
}
