/*
 * fuzz_sweep.c - the sweep spec parser (--vary/--set/--hw values, ranges)
 * on arbitrary lines: each line of the input is one spec, its first byte
 * choosing --vary, --set or --hw.  Every failure must say why, and every
 * point of what was accepted must decode to values of its lists.
 */
#include "model/sweep.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mw_sweep *s = mw_sweep_create("fuzz");
	struct mw_sweep_param params[64];
	struct mw_sweep_point p;
	char *text = malloc(size + 1), *line, *save = NULL;
	uint64_t count, i;
	int n = 0;

	if (!s || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line && n < 60;
	     line = strtok_r(NULL, "\n", &save), n++) {
		struct mw_diag d;
		int err;

		if (!*line)
			continue;
		if (line[0] == 's')
			err = mw_sweep_set(s, line + 1, &d);
		else if (line[0] == 'h')
			err = mw_sweep_add_hw(s, line + 1, &d);
		else
			err = mw_sweep_vary(s, line + 1, &d);
		if (err && !d.msg[0])
			abort();
	}
	count = mw_sweep_count(s);
	if (count < 1 || count > MW_SWEEP_POINTS_MAX)
		abort();
	if (mw_sweep_ncolumns(s) > 64)
		abort();
	for (i = 0; i < count && i < 64; i++) {
		size_t k;

		if (mw_sweep_point_at(s, count - 1 - i, params, &p))
			abort();
		for (k = 0; k < p.nparams; k++)
			if (!p.params[k].value || !*p.params[k].value)
				abort();
	}
	if (mw_sweep_point_at(s, count, params, &p) != MW_EINVAL)
		abort();
	mw_sweep_destroy(s);
	free(text);
	return 0;
}
