/*
 * fuzz_dramcfg.c - the [memory] key parser (mw_dram_cfg_from_kv and
 * mw_dram_cfg_set) on arbitrary text: each input line "key = value"
 * becomes one key; a config that validates must describe, print and
 * map addresses without trouble, and small ones run a few accesses.
 */
#include "hierarchy/dram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mw_mem_kv kv[MW_MEM_KEYS_MAX];
	struct mw_dram_cfg c;
	struct mw_diag d;
	uint32_t n = 0;
	size_t i = 0;
	int rc;

	while (i < size && n < MW_MEM_KEYS_MAX) {
		size_t j = i, k = 0, eq = SIZE_MAX;

		while (j < size && data[j] != '\n') {
			if (data[j] == '=' && eq == SIZE_MAX)
				eq = j;
			j++;
		}
		memset(&kv[n], 0, sizeof(kv[n]));
		if (eq != SIZE_MAX) {
			for (k = i; k < eq && k - i < MW_MEM_KEY_MAX - 1; k++)
				kv[n].key[k - i] =
					(char)(data[k] ? data[k] : '?');
			for (k = eq + 1;
			     k < j && k - eq - 1 < MW_MEM_VAL_MAX - 1; k++)
				kv[n].value[k - eq - 1] =
					(char)(data[k] ? data[k] : '?');
			kv[n].line = n + 1;
			n++;
		}
		i = j + 1;
	}
	rc = mw_dram_cfg_from_kv(&c, kv, n, "fuzz", &d);
	if (rc < 0) {
		if (!d.msg[0])
			abort(); /* every failure explains itself */
		return 0;
	}
	{
		char buf[8192];
		FILE *f = fopen("/dev/null", "w");
		struct mw_dram_loc l;
		uint64_t cap = mw_dram_capacity(&c), a;

		mw_dram_describe_mapping(&c, buf, sizeof(buf));
		if (f) {
			mw_dram_cfg_write_ini(&c, f);
			fclose(f);
		}
		for (a = 0; a < 64; a++) {
			uint64_t x = (a * 0x9e3779b97f4a7c15ull) % cap /
				     c.tx_bytes * c.tx_bytes;

			mw_dram_decode(&c, x, &l);
			if (mw_dram_encode(&c, &l) != x)
				abort(); /* mapping must round trip */
		}
		if (!(mw_dram_peak_bw(&c) > 0))
			abort();
		if (c.stacks * c.channels <= 64 && c.outstanding <= 4096) {
			struct mw_dram *m = mw_dram_create(&c, &d);

			if (m) {
				for (a = 0; a < 200; a++)
					mw_dram_access(m, a * 96, 64,
						       a % 3 == 0);
				/* 32 B sectors, reads and writes of lines */
				for (a = 0; a < 200; a++)
					mw_dram_access(
						m, a / 8 * 4096 + a % 4 * 32,
						32, a / 4 % 2);
				mw_dram_finish(m);
				mw_dram_destroy(m);
			}
		}
	}
	return 0;
}
