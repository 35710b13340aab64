/*
 * test_hwconfig.c - hardware configs: every preset loads, validates and
 * equals its shipped file; write -> load round trips (presets and seeded
 * random configs); --set on every key type; every refusal with its exact
 * message.
 */
#include "common/alloc.h"
#include "common/hash.h"
#include "hierarchy/hwconfig.h"
#include "hierarchy/repl.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base_ini[] = "[machine]\n"
			       "name = t\n"
			       "units = 4\n"
			       "\n"
			       "[l1]\n"
			       "size = 32KiB\n"
			       "ways = 8\n"
			       "\n"
			       "[l2]\n"
			       "size = 1MiB\n"
			       "ways = 16\n"
			       "line = 128\n"
			       "sector = 32\n"
			       "\n"
			       "[memory]\n";

/* The config written as INI and read back. */
static void round_trip(const struct mw_hw_cfg *c, struct mw_hw_cfg *back)
{
	struct mw_diag d;
	char *text = NULL, msg[600];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert(f);
	cr_assert_eq(mw_hw_write_ini(c, f), 0);
	fclose(f);
	if (mw_hw_load_string(back, text, "written", &d))
		cr_assert_fail("reload failed: %s\n%s",
			       mw_diag_format(&d, msg, sizeof(msg)), text);
	free(text);
}

static char *diag_text(const struct mw_diag *d)
{
	static char buf[600];

	return mw_diag_format(d, buf, sizeof(buf));
}

/* ---- presets --------------------------------------------------------------- */

Test(hwconfig, presets_load_validate_round_trip)
{
	const struct mw_hw_preset *p;
	struct mw_hw_cfg c, back;
	struct mw_diag d;
	int n = 0;

	for (p = mw_hw_presets; p->name; p++, n++) {
		if (mw_hw_preset(&c, p->name, &d))
			cr_assert_fail("%s: %s", p->name, diag_text(&d));
		cr_assert_eq(mw_hw_validate(&c, &d), 0, "%s", p->name);
		cr_assert_str_eq(c.source, p->name);
		cr_assert_str_eq(c.machine.name, p->name);
		cr_assert(c.nlevels >= 2);
		cr_assert(c.machine.flops_fp32 > 0, "%s", p->name);
		cr_assert(c.machine.flops_bf16 > 0, "%s", p->name);
		cr_assert(c.machine.clock > 0, "%s", p->name);
		cr_assert(strlen(p->description) > 10);
		round_trip(&c, &back);
		cr_assert(mw_hw_equal(&c, &back), "%s", p->name);
	}
	cr_assert_geq(n, 5);
	cr_assert(mw_hw_preset_find("h100-sxm"));
	cr_assert(mw_hw_preset_find("h200"));
	cr_assert(mw_hw_preset_find("a100-80g"));
	cr_assert(mw_hw_preset_find("mi300x"));
	cr_assert(mw_hw_preset_find("cpu-host"));
	cr_assert_null(mw_hw_preset_find("h100"));
}

/* One source of truth: the embedded text is the shipped file, byte for byte. */
Test(hwconfig, presets_match_files)
{
	const struct mw_hw_preset *p;
	char path[512];
	size_t len;
	DIR *dir;
	struct dirent *e;
	int files = 0, n = 0;

	for (p = mw_hw_presets; p->name; p++, n++) {
		char *text;

		snprintf(path, sizeof(path), "%s/%s.ini", MW_PRESET_DIR,
			 p->name);
		text = th_slurp(path, &len);
		cr_assert(text, "%s missing", path);
		cr_assert_eq(len, strlen(p->text),
			     "%s differs from the embedded preset: run "
			     "scripts/embed-presets.sh",
			     path);
		cr_assert_eq(memcmp(text, p->text, len), 0,
			     "%s differs from the embedded preset: run "
			     "scripts/embed-presets.sh",
			     path);
		free(text);
	}
	dir = opendir(MW_PRESET_DIR);
	cr_assert(dir);
	while ((e = readdir(dir))) {
		size_t l = strlen(e->d_name);

		if (l > 4 && !strcmp(e->d_name + l - 4, ".ini")) {
			char name[256];

			snprintf(name, sizeof(name), "%.*s", (int)(l - 4),
				 e->d_name);
			cr_assert(mw_hw_preset_find(name),
				  "%s is shipped but not embedded", e->d_name);
			files++;
		}
	}
	closedir(dir);
	cr_assert_eq(files, n);
}

Test(hwconfig, preset_figures)
{
	struct mw_hw_cfg c;
	struct mw_diag d;

	cr_assert_eq(mw_hw_preset(&c, "h100-sxm", &d), 0);
	cr_assert_eq(c.machine.units, 132);
	cr_assert_eq(c.levels[1].size, 50ull << 20);
	cr_assert_eq(c.levels[0].line, 128);
	cr_assert_eq(c.levels[0].sector, 32);
	cr_assert_eq(c.levels[0].write, MW_WRITE_THROUGH);
	cr_assert_eq(c.levels[0].allocate, MW_ALLOC_NONE);
	cr_assert_eq(c.levels[1].write, MW_WRITE_BACK);
	cr_assert_float_eq(c.machine.flops_bf16, 989.4e12, 1e6);
	cr_assert_eq(c.nmem, 10);
	cr_assert_str_eq(c.mem[0].key, "standard");
	cr_assert_str_eq(c.mem[0].value, "hbm3-6400");
	cr_assert_str_eq(c.mem[2].key, "data_rate");
	cr_assert_str_eq(c.mem[2].value, "5.2375Gbps");
	cr_assert_eq(mw_hw_preset(&c, "cpu-host", &d), 0);
	cr_assert_eq(c.levels[0].size, 48 << 10);
	cr_assert_eq(c.levels[0].ways, 12);
	cr_assert_eq(c.levels[1].size, 2 << 20);
	cr_assert_eq(c.nlevels, 3);
	cr_assert_eq(c.nmem, 2);
	cr_assert_str_eq(c.mem[0].value, "ddr5-4800");
	cr_assert_eq(mw_hw_preset(&c, "h200", &d), 0);
	cr_assert_eq(c.levels[1].size, 60ull << 20);
}

/* ---- loading ----------------------------------------------------------------- */

Test(hwconfig, defaults)
{
	struct mw_hw_cfg c;
	struct mw_diag d;
	const struct mw_level_cfg *l1 = &c.levels[0], *l2 = &c.levels[1];

	cr_assert_eq(mw_hw_load_string(&c, base_ini, "dir/base.ini", &d), 0,
		     "%s", diag_text(&d));
	cr_assert_str_eq(c.source, "dir/base.ini");
	cr_assert_str_eq(c.machine.name, "t");
	cr_assert_eq(c.machine.units, 4);
	cr_assert_eq(c.machine.ctas_per_unit, 1);
	cr_assert_eq(c.machine.clock, 0);
	cr_assert_eq(c.nlevels, 2);
	cr_assert_str_eq(l1->name, "l1");
	cr_assert_eq(l1->size, 32 << 10);
	cr_assert_eq(l1->line, 64);
	cr_assert_eq(l1->sector, 64);
	cr_assert_str_eq(l1->replacement, "lru");
	cr_assert_eq(l1->write, MW_WRITE_BACK);
	cr_assert_eq(l1->allocate, MW_ALLOC_WRITE);
	cr_assert_eq(l1->index, MW_INDEX_MODULO);
	cr_assert_eq(l1->inclusion, MW_INCL_NINE);
	cr_assert_eq(l1->slices, 1);
	cr_assert_eq(l1->seed, 1);
	cr_assert_eq(l2->line, 128);
	cr_assert_eq(l2->sector, 32);
	cr_assert_eq(c.nmem, 0);
	/* the machine name defaults to the file's stem */
	cr_assert_eq(mw_hw_load_string(&c, "[l1]\nsize=4KiB\nways=full\n",
				       "/x/my gpu.ini", &d),
		     0, "%s", diag_text(&d));
	cr_assert_str_eq(c.machine.name, "my_gpu");
	cr_assert_eq(c.levels[0].ways, 0);
	/* no levels at all: straight to memory */
	cr_assert_eq(mw_hw_load_string(&c, "[machine]\nunits=2\n", "m", &d), 0);
	cr_assert_eq(c.nlevels, 0);
}

Test(hwconfig, every_key)
{
	static const char ini[] = "; a comment\n"
				  "# another\n"
				  "[machine]\n"
				  "name = big-gpu\n"
				  "units = 0x10            ; hexadecimal "
				  "works\n"
				  "clock = 1755MHz\n"
				  "flops_fp32 = 51.2 TFLOPS\n"
				  "flops_bf16 = 756TFLOP/s\n"
				  "flops_fp8 = 1.5e15\n"
				  "ctas_per_unit = 2\n"
				  "[l1]\n"
				  "  size = 256KiB   ; indented lines are keys "
				  "too\n"
				  "ways = full\n"
				  "line = 128B\n"
				  "sector = 32\n"
				  "replacement = srrip\n"
				  "write = through\n"
				  "allocate = none\n"
				  "index = xor\n"
				  "inclusion = non-inclusive\n"
				  "slices = 1\n"
				  "seed = 42\n"
				  "bandwidth = 6.4Gbps\n"
				  "latency = 0.0195us\n"
				  "[l2]\n"
				  "size = 36MiB\n"
				  "ways = 24\n"
				  "line = 128\n"
				  "sector = 128\n"
				  "inclusion = inclusive\n"
				  "slices = 3\n"
				  "[memory]\n"
				  "channels = 10\n"
				  "tRCD = 14ns\n"
				  "row_policy = closed\n";
	struct mw_hw_cfg c, back;
	struct mw_diag d;

	cr_assert_eq(mw_hw_load_string(&c, ini, "every.ini", &d), 0, "%s",
		     diag_text(&d));
	cr_assert_str_eq(c.machine.name, "big-gpu");
	cr_assert_eq(c.machine.units, 16);
	cr_assert_float_eq(c.machine.clock, 1.755e9, 1);
	cr_assert_float_eq(c.machine.flops_fp32, 51.2e12, 1e3);
	cr_assert_float_eq(c.machine.flops_bf16, 756e12, 1e3);
	cr_assert_float_eq(c.machine.flops_fp8, 1.5e15, 1e3);
	cr_assert_eq(c.machine.ctas_per_unit, 2);
	cr_assert_eq(c.levels[0].size, 256 << 10);
	cr_assert_eq(c.levels[0].ways, 0);
	cr_assert_eq(c.levels[0].line, 128);
	cr_assert_str_eq(c.levels[0].replacement, "srrip");
	cr_assert_eq(c.levels[0].write, MW_WRITE_THROUGH);
	cr_assert_eq(c.levels[0].allocate, MW_ALLOC_NONE);
	cr_assert_eq(c.levels[0].index, MW_INDEX_XOR);
	cr_assert_eq(c.levels[0].seed, 42);
	cr_assert_float_eq(c.levels[0].bandwidth, 0.8e9, 1);
	cr_assert_float_eq(c.levels[0].latency, 19.5, 1e-9);
	cr_assert_eq(c.levels[1].inclusion, MW_INCL_INCLUSIVE);
	cr_assert_eq(c.levels[1].slices, 3);
	cr_assert_eq(c.levels[1].sector, 128);
	cr_assert_eq(c.nmem, 3);
	cr_assert_str_eq(c.mem[0].key, "channels");
	cr_assert_str_eq(c.mem[0].value, "10");
	cr_assert_eq(c.mem[0].line, 33);
	cr_assert_str_eq(c.mem[1].key, "tRCD");
	cr_assert_str_eq(c.mem[1].value, "14ns");
	cr_assert_str_eq(c.mem[2].key, "row_policy");
	round_trip(&c, &back);
	cr_assert(mw_hw_equal(&c, &back));
	cr_assert_gt(back.mem[0].line, 0);
}

Test(hwconfig, every_policy_name_accepted)
{
	const struct mw_repl_ops *const *r;
	struct mw_hw_cfg c;
	struct mw_diag d;
	char set[64];

	for (r = mw_repl_policies; *r; r++) {
		cr_assert_eq(mw_hw_load_string(&c, base_ini, "b", &d), 0);
		snprintf(set, sizeof(set), "l2.replacement=%s", (*r)->name);
		cr_assert_eq(mw_hw_set(&c, set, &d), 0, "%s", diag_text(&d));
		cr_assert_eq(mw_hw_validate(&c, &d), 0);
		cr_assert_str_eq(c.levels[1].replacement, (*r)->name);
	}
}

/* ---- --set --------------------------------------------------------------------- */

Test(hwconfig, set_every_key_type)
{
	struct mw_hw_cfg c, back;
	struct mw_diag d;
	static const char *const sets[] = {
		"machine.name=other",
		"machine.units = 8",
		"machine.clock=2GHz",
		"machine.flops_fp32=1PFLOP/s",
		"machine.flops_bf16=0",
		"machine.flops_fp8=3TFLOP/s",
		"machine.ctas_per_unit=4",
		"l1.size=64KiB",
		"l1.ways=full",
		"l1.line=128",
		"l1.replacement=fifo",
		"l1.write=through",
		"l1.allocate=none",
		"l1.index=xor",
		"l1.slices=1",
		"l1.seed=0xdead",
		"l1.bandwidth=1.5TB/s",
		"l1.latency=30ns",
		"l2.sector=64",
		"l2.inclusion=exclusive",
		"l2.line=128",
		"l2.size=2MiB",
		"memory.channels=8",
		"memory.channels=16",
		"memory.outstanding=64",
		"l3.size=8MiB",
		"l3.ways=full",
		"l3.line=128",
		"l3.sector=64",
		"l2.sector=128",
		"l3.inclusion=inclusive",
	};
	size_t i;

	cr_assert_eq(mw_hw_load_string(&c, base_ini, "b", &d), 0);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		cr_assert_eq(mw_hw_set(&c, sets[i], &d), 0, "%s: %s", sets[i],
			     diag_text(&d));
	/* l2 exclusive needs l1's line and sector: l1 is 128/128 now */
	cr_assert_eq(mw_hw_validate(&c, &d), 0, "%s", diag_text(&d));
	cr_assert_str_eq(c.machine.name, "other");
	cr_assert_eq(c.machine.units, 8);
	cr_assert_float_eq(c.machine.clock, 2e9, 1);
	cr_assert_float_eq(c.machine.flops_fp32, 1e15, 1);
	cr_assert_eq(c.machine.flops_bf16, 0);
	cr_assert_eq(c.machine.ctas_per_unit, 4);
	cr_assert_eq(c.levels[0].size, 64 << 10);
	cr_assert_eq(c.levels[0].ways, 0);
	cr_assert_eq(c.levels[0].line, 128);
	cr_assert_eq(c.levels[0].sector, 128, "unsectored stays unsectored");
	cr_assert_str_eq(c.levels[0].replacement, "fifo");
	cr_assert_eq(c.levels[0].seed, 0xdead);
	cr_assert_float_eq(c.levels[0].bandwidth, 1.5e12, 1);
	cr_assert_eq(c.levels[1].inclusion, MW_INCL_EXCLUSIVE);
	cr_assert_eq(c.levels[1].sector, 128);
	cr_assert_eq(c.nlevels, 3);
	cr_assert_str_eq(c.levels[2].name, "l3");
	cr_assert_eq(c.levels[2].size, 8 << 20);
	cr_assert_eq(c.levels[2].sector, 64);
	cr_assert_eq(c.nmem, 2);
	cr_assert_str_eq(c.mem[0].value, "16");
	cr_assert_eq(c.mem[0].line, 0);
	cr_assert_str_eq(c.mem[1].key, "outstanding");
	round_trip(&c, &back);
	cr_assert(mw_hw_equal(&c, &back));
	/* a sectored level keeps its sector when the line changes */
	cr_assert_eq(mw_hw_load_string(&c, base_ini, "b", &d), 0);
	cr_assert_eq(mw_hw_set(&c, "l2.line=256", &d), 0);
	cr_assert_eq(c.levels[1].sector, 32);
	cr_assert_eq(mw_hw_set(&c, "l2.inclusion=inclusive", &d), 0);
	cr_assert_eq(mw_hw_set(&c, "l2.inclusion=nine", &d), 0);
	cr_assert_eq(c.levels[1].inclusion, MW_INCL_NINE);
}

struct refusal {
	const char *input;
	const char *message;
};

Test(hwconfig, set_refusals)
{
	static const struct refusal cases[] = {
		{"l2size=5", "--set: 'l2size=5': expected SECTION.KEY=VALUE "
			     "(like l2.size=60MiB)"},
		{"l2.size", "--set: 'l2.size': expected SECTION.KEY=VALUE "
			    "(like l2.size=60MiB)"},
		{"cache.size=1", "--set: 'cache.size=1': unknown section "
				 "'cache' (machine, l1 .. l8, memory)"},
		{"l4.size=1MiB", "--set: l4.size: no level l4; the config has "
				 "2, so a new one is l3"},
		{"l9.size=1MiB", "--set: l9.size: no level l9; the config has "
				 "2, so a new one is l3"},
		{"l2.sise=1MiB", "--set: unknown key 'sise' in [l2] (keys: "
				 "size, ways, line, "
				 "sector, replacement, write, allocate, index, "
				 "inclusion, "
				 "slices, seed, bandwidth, latency)"},
		{"machine.cores=4", "--set: unknown key 'cores' in [machine] "
				    "(keys: name, units, "
				    "clock, flops_fp32, flops_bf16, flops_fp8, "
				    "ctas_per_unit)"},
		{"l2.size=60MiX", "--set: l2.size = 60MiX: not a size (a byte "
				  "count like 48KiB or 50MiB)"},
		{"l2.ways=0", "--set: l2.ways = 0: zero ways; write 'full' "
			      "for a fully associative level"},
		{"l2.ways=many", "--set: l2.ways = many: want a number of ways "
				 "or 'full'"},
		{"l2.replacement=lfu", "--set: l2.replacement = lfu: unknown "
				       "policy (known: lru, "
				       "fifo, random, tree-plru, srrip, brrip, "
				       "drrip)"},
		{"l2.write=maybe", "--set: l2.write = maybe: want back or "
				   "through"},
		{"l2.allocate=read", "--set: l2.allocate = read: want write "
				     "(allocate on a write "
				     "miss) or none"},
		{"l2.index=hash", "--set: l2.index = hash: want modulo or xor"},
		{"l2.inclusion=strict", "--set: l2.inclusion = strict: want "
					"non-inclusive, inclusive "
					"or exclusive"},
		{"l2.line=-1", "--set: l2.line = -1: not a byte count"},
		{"l2.slices=two", "--set: l2.slices = two: not a whole number"},
		{"l2.seed=x", "--set: l2.seed = x: not a whole number"},
		{"l2.bandwidth=9TB", "--set: l2.bandwidth = 9TB: not a rate "
				     "(like 9.7TB/s or 900GB/s)"},
		{"l2.latency=3 parsecs", "--set: l2.latency = 3 parsecs: not a "
					 "time (like 147ns)"},
		{"machine.units=0", "--set: machine.units = 0: want a whole "
				    "number from 1 to "
				    "65536"},
		{"machine.ctas_per_unit=5000", "--set: machine.ctas_per_unit = "
					       "5000: want a whole number "
					       "from 1 to 1024"},
		{"machine.clock=fast", "--set: machine.clock = fast: not a "
				       "clock (like 1.98GHz)"},
		{"machine.flops_bf16=lots", "--set: machine.flops_bf16 = lots: "
					    "not a rate of "
					    "floating-point operations (like "
					    "989.4TFLOP/s)"},
		{"machine.name=a;b", "--set: machine.name = a;b: want 1 to 31 "
				     "printable characters, none of ;#=[]"},
		{"memory.a b=1", "--set: memory key 'a b': want 1 to 31 "
				 "letters, digits, '_', '.' or '-'"},
		{"memory.x=1 ;2", "--set: memory.x: the value must be at most "
				  "95 printable characters without an inline "
				  "comment"},
	};
	struct mw_hw_cfg c;
	struct mw_diag d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(mw_hw_load_string(&c, base_ini, "b", &d), 0);
		cr_assert_eq(mw_hw_set(&c, cases[i].input, &d), MW_ECONFIG,
			     "%s accepted", cases[i].input);
		cr_assert_str_eq(diag_text(&d), cases[i].message);
	}
}

/* ---- refusals of files ----------------------------------------------------- */

Test(hwconfig, file_refusals)
{
	static const struct refusal cases[] = {
		{"[l1]\nsize = 32KiB\nways = 0\n", "t.ini:3: l1.ways = 0: zero "
						   "ways; write 'full' for a "
						   "fully "
						   "associative level"},
		{"[l1]\nsize = 32KiB\nways = 8\nline = 64\nsector = 128\n",
		 "t.ini:5: l1.sector: 128 B is larger than the line (64 B)"},
		{"[l1]\nsize = 32KiB\nways = 8\nline = 64\nsector = 24\n",
		 "t.ini:5: l1.sector: 24 B does not divide the line (64 B)"},
		{"[l1]\nsize = 48KiB\nways = 8\nline = 96\n", "t.ini:4: "
							      "l1.line: 96 B "
							      "is not a power "
							      "of two from 2 B "
							      "to 64 KiB"},
		{"[l1]\nsize = 32KiB\nways = full\nslices = 2\n", "t.ini:4: "
								  "l1.slices: "
								  "2, but a "
								  "fully "
								  "associative "
								  "level has "
								  "one slice"},
		{"[l1]\nsize = 8TiB\nways = 16\nline = 64\n", "t.ini:2: "
							      "l1.size: 8.00 "
							      "TiB is more "
							      "than 2^31 lines "
							      "of 64 B"},
		{"[l1]\nsize = 32KiB\nways = "
		 "8\n["
		 "l123456789012345678901234567890123456789012345678901234567890"
		 "12345]\n",
		 "t.ini:4: section name longer than 63 characters"},
		{"[l1]\nsize = 50MiB\nways = 16\nline = 128\nslices = 3\n",
		 "t.ini:2: l1.size: 50.0 MiB is not a multiple of line x ways "
		 "x slices = 128 B x 16 x 3 = 6144 B (8533.33 sets per "
		 "slice)"},
		{"[l1]\nsize = 1000\nways = full\n", "t.ini:2: l1.size: 1000 B "
						     "is not a multiple of "
						     "line x slices "
						     "= 64 B x 1 = 64 B"},
		{"[l1]\nways = 8\n", "t.ini:1: l1.size: not set (zero)"},
		{"[l1]\nsize = 32KiB\n", "t.ini:1: l1.ways: not set (a number "
					 "of ways, or full)"},
		{"[l1]\nsize = 32TiB\nways = 8\n", "t.ini:2: l1.size: 32.0 TiB "
						   "is absurd (more than 16 "
						   "TiB)"},
		{"[l1]\nsize = 32KiB\nways = 8\nline=128\nsector = 1\n",
		 "t.ini:5: l1.sector: 128 sectors per line; at most 64"},
		{"[l1]\nsize = 32KiB\nways = 8\nreplacement = lfu\n",
		 "t.ini:4: l1.replacement = lfu: unknown policy (known: lru, "
		 "fifo, random, tree-plru, srrip, brrip, drrip)"},
		{"[l1]\nsize = 32KiB\nways = 8\ncolour = blue\n",
		 "t.ini:4: unknown key 'colour' in [l1] (keys: size, ways, "
		 "line, sector, replacement, write, allocate, index, "
		 "inclusion, slices, seed, bandwidth, latency)"},
		{"[machine]\nunits = 2\n[cache]\nsize = 1\n", "t.ini:3: "
							      "unknown section "
							      "[cache] "
							      "(sections: "
							      "machine, l1 .. "
							      "l8, memory)"},
		{"[l1]\nsize = 32KiB\nways = 8\n[l3]\nsize = 1MiB\n",
		 "t.ini:4: [l3] out of order: levels are l1, l2, ... with no "
		 "gaps, so [l2] comes next"},
		{"[l2]\nsize = 32KiB\n", "t.ini:1: [l2] out of order: levels "
					 "are l1, l2, ... with no "
					 "gaps, so [l1] comes next"},
		{"[l1]\nsize = 32KiB\nways = 8\n[l1]\n", "t.ini:4: [l1] "
							 "appears twice (first "
							 "at line 1)"},
		{"[machine]\n[machine]\n", "t.ini:2: [machine] appears twice "
					   "(first at line 1)"},
		{"[memory]\n[l1]\nsize = 32KiB\nways = 8\n", "t.ini:2: [l1] "
							     "after [memory]: "
							     "cache levels "
							     "come first"},
		{"[l9]\n", "t.ini:1: [l9]: at most 8 cache levels"},
		{"[l1]\nsize = 32KiB\nsize = 64KiB\nways = 8\n", "t.ini:3: "
								 "l1.size "
								 "given twice "
								 "(first at "
								 "line 2)"},
		{"[machine]\nunits = 2\nunits = 3\n", "t.ini:3: machine.units "
						      "given twice (first at "
						      "line 2)"},
		{"[memory]\nchannels = 8\nchannels = 9\n", "t.ini:3: "
							   "memory.channels "
							   "given twice (first "
							   "at line 2)"},
		{"[memory]\nstandard = hbm3-6400\nbank_grops = 4\n", "t.ini:3: "
								     "[memory] "
								     "unknown "
								     "key "
								     "'bank_"
								     "grops'"},
		{"[memory]\ntFAW = fast\n", "t.ini:2: [memory] tFAW = 'fast': "
					    "expected CK cycles or a "
					    "time (\"15ns\")"},
		{"[memory]\nstandard = hbm9\n", "t.ini:2: [memory] standard: "
						"unknown memory standard "
						"'hbm9' "
						"(known: hbm2-2000, "
						"hbm2e-3200, hbm2e-3600, "
						"hbm3-6400, "
						"hbm3e-9600, ddr5-4800)"},
		{"units = 2\n", "t.ini:1: key 'units' before any [section]"},
		{"[machine]\nunits\n", "t.ini:2: not a [section] or a key = "
				       "value line"},
		{"[machine\nunits = 2\n", "t.ini:1: not a [section] or a key = "
					  "value line"},
		{"[machine]\nunits = 65537\n", "t.ini:2: machine.units = "
					       "65537: want a whole number "
					       "from 1 "
					       "to 65536"},
		{"[l1]\nsize = 32KiB\nways = 8\ninclusion = inclusive\n",
		 "t.ini:4: l1.inclusion: inclusive, but the first level has "
		 "no level above it"},
		{"[l1]\nsize = 32KiB\nways = 8\n[l2]\nsize = 1MiB\nways = "
		 "16\nline = 128\ninclusion = exclusive\n",
		 "t.ini:7: l2: an exclusive level needs the line and sector "
		 "of the level above (l1: 64/64 B, l2: 128/128 B)"},
		{"[l1]\nsize = 32KiB\nways = 2000000\n", "t.ini:3: l1.ways = "
							 "2000000: want a "
							 "number of ways or "
							 "'full'"},
		{"[l1]\nsize = 32KiB\nways = 8\nslices = 0\n", "t.ini:4: "
							       "l1.slices: 0; "
							       "want 1 to "
							       "65536"},
		{"[machine]\nname = 0123456789012345678901234567890123\n",
		 "t.ini:2: machine.name = 0123456789012345678901234567890123: "
		 "want 1 to 31 printable characters, none of ;#=[]"},
	};
	struct mw_hw_cfg c;
	struct mw_diag d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(mw_hw_load_string(&c, cases[i].input, "t.ini", &d),
			     MW_ECONFIG, "case %zu accepted", i);
		cr_assert_str_eq(diag_text(&d), cases[i].message, "case %zu",
				 i);
	}
}

Test(hwconfig, long_line_refused)
{
	char ini[400];
	struct mw_hw_cfg c;
	struct mw_diag d;

	snprintf(ini, sizeof(ini), "[machine]\nname = x ; %0250d\n", 0);
	cr_assert_eq(mw_hw_load_string(&c, ini, "t.ini", &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "t.ini:2: line longer than 198 "
					"characters");
}

Test(hwconfig, validate_refusals)
{
	struct mw_hw_cfg c, good;
	struct mw_diag d;

	cr_assert_eq(mw_hw_load_string(&good, base_ini, "base", &d), 0);
	c = good;
	c.levels[1].ways = 0;
	cr_assert_eq(mw_hw_validate(&c, &d), 0, "ways 0 is full");
	c = good;
	c.levels[1].sector = 0;
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: l2.sector: zero bytes");
	c = good;
	strcpy(c.levels[1].name, "l3");
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: level 2 is named 'l3': levels "
					"are l1, l2, "
					"... in order, with no gaps");
	c = good;
	strcpy(c.levels[0].replacement, "nope");
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: l1.replacement: unknown policy "
					"'nope' (known: "
					"lru, fifo, random, tree-plru, srrip, "
					"brrip, drrip)");
	c = good;
	c.levels[0].latency = NAN;
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: l1.latency: nan ns is out of "
					"range");
	c = good;
	c.machine.units = 0;
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: machine.units: 0; want 1 to "
					"65536");
	c = good;
	c.nlevels = 9;
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: 9 cache levels; at most 8");
	c = good;
	c.nmem = 2;
	strcpy(c.mem[0].key, "a");
	strcpy(c.mem[1].key, "a");
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: memory.a: given twice");
	c = good;
	c.levels[0].write = (enum mw_write_policy)7;
	cr_assert_eq(mw_hw_validate(&c, &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "base: l1.write: not a policy");
}

Test(hwconfig, files_and_open)
{
	struct mw_hw_cfg c;
	struct mw_diag d;
	char *path = th_temp_file(".ini", base_ini, strlen(base_ini));
	char *nul = th_temp_file(".ini", "[l1]\0x", 6);
	char msg[700];

	cr_assert_eq(mw_hw_load_file(&c, path, &d), 0, "%s", diag_text(&d));
	cr_assert_str_eq(c.source, path);
	cr_assert_eq(mw_hw_open(&c, path, &d), 0);
	cr_assert_eq(c.machine.units, 4);
	cr_assert_eq(mw_hw_open(&c, "a100-80g", &d), 0);
	cr_assert_eq(c.machine.units, 108);
	cr_assert_eq(mw_hw_open(&c, "h100", &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "'h100' is neither a preset (h100-sxm, "
					"h200, "
					"a100-80g, mi300x, cpu-host) nor a "
					"file");
	cr_assert_eq(mw_hw_preset(&c, "h100", &d), MW_ECONFIG);
	cr_assert_str_eq(diag_text(&d), "no preset 'h100' (presets: h100-sxm, "
					"h200, a100-80g, mi300x, cpu-host)");
	cr_assert_eq(mw_hw_open(&c, "/nonexistent/x.ini", &d), MW_EIO);
	cr_assert_str_eq(diag_text(&d), "/nonexistent/x.ini: cannot open: No "
					"such file or directory");
	cr_assert_eq(mw_hw_load_file(&c, nul, &d), MW_ECONFIG);
	snprintf(msg, sizeof(msg), "%s: holds NUL bytes: not a text file", nul);
	cr_assert_str_eq(diag_text(&d), msg);
	th_remove(path);
	th_remove(nul);
}

Test(hwconfig, large_file_refused)
{
	size_t n = (1u << 20) + 1;
	char *big = malloc(n), *path, msg[700];
	struct mw_hw_cfg c;
	struct mw_diag d;

	cr_assert(big);
	memset(big, ';', n);
	path = th_temp_file(".ini", big, n);
	cr_assert_eq(mw_hw_load_file(&c, path, &d), MW_ECONFIG);
	snprintf(msg, sizeof(msg),
		 "%s: larger than 1 MiB: not a hardware config", path);
	cr_assert_str_eq(diag_text(&d), msg);
	th_remove(path);
	free(big);
}

Test(hwconfig, out_of_memory)
{
	struct mw_hw_cfg c;
	struct mw_diag d;

	mw_alloc_fail_after(0);
	cr_assert_eq(mw_hw_load_string(&c, base_ini, "b", &d), MW_ENOMEM);
	mw_alloc_fail_after(-1);
	cr_assert_eq(mw_hw_load_string(&c, base_ini, "b", &d), 0);
}

/* ---- seeded random configs round-trip exactly ------------------------------ */

static double random_real(struct mw_rng *r)
{
	switch (mw_rng_below(r, 4)) {
	case 0:
		return 0;
	case 1:
		return (double)mw_rng_below(r, 100000) * 1e6;
	case 2:
		return mw_rng_unit(r) * 1e13;
	default:
		return mw_rng_unit(r) * 1000;
	}
}

Test(hwconfig, random_round_trip)
{
	static const char *const keys[] = {"tRCD", "tRP", "tCL", "tRTP"};
	struct mw_rng r;
	struct mw_hw_cfg c, back;
	struct mw_diag d;
	int iter;
	unsigned i;

	mw_rng_seed(&r, 7);
	for (iter = 0; iter < 300; iter++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.machine.name, sizeof(c.machine.name), "m%d", iter);
		c.machine.units = 1 + (uint32_t)mw_rng_below(&r, 200);
		c.machine.ctas_per_unit = 1 + (uint32_t)mw_rng_below(&r, 8);
		c.machine.clock = mw_rng_unit(&r) * 3e9;
		c.machine.flops_fp32 = random_real(&r);
		c.machine.flops_bf16 = random_real(&r) * 1e3;
		c.machine.flops_fp8 = random_real(&r);
		c.nlevels = (uint32_t)mw_rng_below(&r, MW_LEVELS_MAX + 1);
		for (i = 0; i < c.nlevels; i++) {
			struct mw_level_cfg *lv = &c.levels[i];
			const struct mw_repl_ops *const *p = mw_repl_policies;
			unsigned np = 0;

			while (p[np])
				np++;
			snprintf(lv->name, sizeof(lv->name), "l%u", i + 1);
			lv->line = 1u << (2 + mw_rng_below(&r, 8));
			lv->sector = lv->line >> mw_rng_below(&r, 3);
			lv->ways = (uint32_t)mw_rng_below(&r, 33);
			lv->slices = lv->ways
					     ? 1 + (uint32_t)mw_rng_below(&r, 5)
					     : 1;
			lv->size = (uint64_t)lv->line *
				   (lv->ways ? lv->ways : 1) * lv->slices *
				   (1 + mw_rng_below(&r, 5000));
			strcpy(lv->replacement, p[mw_rng_below(&r, np)]->name);
			lv->write = (enum mw_write_policy)mw_rng_below(&r, 2);
			lv->allocate =
				(enum mw_alloc_policy)mw_rng_below(&r, 2);
			lv->index = (enum mw_index_fn)mw_rng_below(&r, 2);
			lv->inclusion =
				i ? (enum mw_inclusion)mw_rng_below(&r, 2)
				  : MW_INCL_NINE;
			lv->seed = mw_rng_next(&r);
			lv->bandwidth = random_real(&r);
			lv->latency = mw_rng_unit(&r) * 1000;
		}
		c.nmem = (uint32_t)mw_rng_below(&r, 5);
		for (i = 0; i < c.nmem; i++) {
			strcpy(c.mem[i].key, keys[i]);
			snprintf(
				c.mem[i].value, sizeof(c.mem[i].value),
				"%llu ns",
				(unsigned long long)(1 + mw_rng_below(&r, 60)));
		}
		cr_assert_eq(mw_hw_validate(&c, &d), 0, "%d: %s", iter,
			     diag_text(&d));
		round_trip(&c, &back);
		cr_assert(mw_hw_equal(&c, &back), "iteration %d", iter);
	}
}
