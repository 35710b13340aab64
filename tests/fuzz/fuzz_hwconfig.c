/*
 * fuzz_hwconfig.c - the hardware config reader on arbitrary text: it
 * must refuse with a reason or load a config that validates, writes as
 * INI and reloads to an equal config; the first bytes past a NUL split
 * the input into INI text and one --set assignment, applied to what
 * loaded, which must then validate or be refused with a reason.  A
 * config that validates (and is small enough) must build a machine
 * (caches and memory model) that runs a few accesses to the end.
 */
#include "common/results.h"
#include "hierarchy/hwconfig.h"
#include "hierarchy/machine.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Builds the machine of cfg when its caches and memory are small, runs
 * a few accesses; aborts if a validated config is refused.
 */
static void must_build(const struct mw_hw_cfg *cfg)
{
	struct mw_diag d;
	struct mw_machine *m;
	struct mw_dram_cfg dc;
	struct mw_results *r;
	struct mw_access a[8];
	double lines = 0, banks;
	uint32_t i;

	for (i = 0; i < cfg->nlevels; i++)
		lines += (double)cfg->levels[i].size / cfg->levels[i].line *
			 (i ? 1 : cfg->machine.units);
	if (lines > 1 << 16)
		return;
	if (mw_dram_cfg_from_kv(&dc, cfg->mem, cfg->nmem, "", &d) < 0)
		abort(); /* validation ran the same parser */
	banks = (double)dc.stacks * dc.channels * dc.pseudo_channels *
		dc.bank_groups * dc.banks;
	if (banks > 1 << 16)
		return;
	m = mw_machine_create(cfg, 2, &d);
	if (!m) {
		if (d.code == MW_ECONFIG)
			abort();
		return;
	}
	for (i = 0; i < 8; i++) {
		a[i].addr = (uint64_t)i * 4096 + i * 3;
		a[i].size = 1 + i * 40;
		a[i].unit = 0;
		a[i].op = (uint8_t)(i % 2);
		a[i].tensor = (uint8_t)(i % 3);
	}
	if (mw_machine_access_batch(m, a, 8) || mw_machine_finish(m, true))
		abort();
	r = mw_results_create();
	if (r && mw_machine_results(m, NULL, r) == MW_EINVAL)
		abort();
	mw_results_destroy(r);
	mw_machine_destroy(m);
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
