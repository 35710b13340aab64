/*
 * fuzz_hwconfig.c - the hardware config reader on arbitrary text: it
 * must refuse with a reason or load a config that validates, writes as
 * INI and reloads to an equal config; the first bytes past a NUL split
 * the input into INI text and one --set assignment, applied to what
 * loaded, which must then validate or be refused with a reason.
 */
#include "hierarchy/hierarchy.h"
#include "hierarchy/hwconfig.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Builds cfg when its caches hold few lines; aborts if it is refused. */
static void must_build(const struct mw_hw_cfg *cfg)
{
	struct mw_diag d;
	struct mw_hier *h;
	double lines = 0;
	uint32_t i;

	for (i = 0; i < cfg->nlevels; i++)
		lines += (double)cfg->levels[i].size / cfg->levels[i].line *
			 (i ? 1 : cfg->machine.units);
	if (lines > 1 << 16)
		return;
	h = mw_hier_create(cfg, 2, &d);
	if (!h && d.code == MW_ECONFIG)
		abort();
	mw_hier_destroy(h);
}

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
	must_build(&cfg);
	if (set && set < text + size) {
		if (mw_hw_set(&cfg, set, &d)) {
			if (!d.msg[0])
				abort();
		} else if (mw_hw_validate(&cfg, &d)) {
			if (!d.msg[0])
				abort();
		} else {
			must_build(&cfg);
		}
	}
out:
	free(out);
	free(text);
	return 0;
}
