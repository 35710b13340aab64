/*
 * fuzz_hwconfig.c - the hardware config reader on arbitrary text: it
 * must refuse with a reason or load a config that validates, writes as
 * INI and reloads to an equal config; the first bytes past a NUL split
 * the input into INI text and one --set assignment, applied to what
 * loaded, which must then validate or be refused with a reason.
 */
#include "hierarchy/hwconfig.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mw_hw_cfg cfg, back;
	struct mw_diag d;
	char *text = malloc(size + 1), *out = NULL, *set;
	size_t len = 0;
	FILE *f;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	set = memchr(text, '\0', size) ? text + strlen(text) + 1 : NULL;
	if (mw_hw_load_string(&cfg, text, "fuzz.ini", &d)) {
		if (!d.msg[0])
			abort(); /* every refusal says why */
		goto out;
	}
	if (mw_hw_validate(&cfg, &d))
		abort(); /* loading validates */
	f = open_memstream(&out, &len);
	if (!f || mw_hw_write_ini(&cfg, f))
		abort();
	fclose(f);
	if (mw_hw_load_string(&back, out, "written", &d) ||
	    !mw_hw_equal(&cfg, &back))
		abort(); /* write -> load is exact */
	if (set && set < text + size) {
		if (mw_hw_set(&cfg, set, &d)) {
			if (!d.msg[0])
				abort();
		} else if (mw_hw_validate(&cfg, &d) && !d.msg[0]) {
			abort();
		}
	}
out:
	free(out);
	free(text);
	return 0;
}
