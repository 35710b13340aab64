/*
 * hwconfig.h - hardware configs: reading and writing the INI form of a
 * struct mw_hw_cfg (config.h), the built-in presets, --set overrides and
 * validation.
 *
 * The INI form: [machine] (name, units, clock, flops_fp32, flops_bf16,
 * flops_fp8, ctas_per_unit), then one section per cache level [l1],
 * [l2], ... in order (size, ways, line, sector, replacement, write,
 * allocate, index, inclusion, slices, seed, bandwidth, latency), then
 * [memory], whose keys are kept verbatim for the memory model.  Sizes,
 * rates, clocks and times take units (common/units.h).  docs/hwconfig.md
 * lists every key.
 *
 * Every refusal fills the struct mw_diag with the file and line (or
 * "--set" and SECTION.KEY) and a one-line reason, code MW_ECONFIG (or
 * MW_EIO, MW_ENOMEM).
 */
#ifndef MW_HWCONFIG_H
#define MW_HWCONFIG_H

#include "common/err.h"
#include "hierarchy/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ways of a level that no file or --set has given yet (refused by validate) */
#define MW_HW_WAYS_UNSET UINT32_MAX

/* A built-in preset: the text of hierarchy/presets/NAME.ini. */
struct mw_hw_preset {
	const char *name;	 /* "h100-sxm" */
	const char *description; /* one line */
	const char *text;	 /* the INI, with its sources in comments */
};

/* Every preset, terminated by an entry with name NULL (hwpresets.c). */
extern const struct mw_hw_preset mw_hw_presets[];

/* The preset named name, or NULL. */
const struct mw_hw_preset *mw_hw_preset_find(const char *name);

/*
 * Reads a config from INI text (text borrowed, NUL-terminated; name is
 * used in diagnostics and as cfg->source) and validates it.  cfg is
 * overwritten.  0, or MW_ECONFIG with d naming name:line and the reason.
 */
int mw_hw_load_string(struct mw_hw_cfg *cfg, const char *text, const char *name,
		      struct mw_diag *d);

/* The same from a file (at most 1 MiB).  MW_EIO when it cannot be read. */
int mw_hw_load_file(struct mw_hw_cfg *cfg, const char *path, struct mw_diag *d);

/* Loads a built-in preset.  MW_ECONFIG (listing the names) when unknown. */
int mw_hw_preset(struct mw_hw_cfg *cfg, const char *name, struct mw_diag *d);

/*
 * A preset name or an INI file path: a word without '/' that names a
 * preset is the preset, anything else a file.
 */
int mw_hw_open(struct mw_hw_cfg *cfg, const char *name_or_path,
	       struct mw_diag *d);

/*
 * Applies one override "SECTION.KEY=VALUE" ("l2.size=60MiB",
 * "l1.ways=full", "memory.channels=8"): any key of [machine] or of an
 * existing level, the next level (l3 after l2: a new level with the
 * defaults; give it size and ways), or any [memory] key (added or
 * replaced).  Setting line on an unsectored level keeps it unsectored.
 * Does not validate the whole config: call mw_hw_validate after the
 * last override.  0 or MW_ECONFIG (d: file "--set", the reason).
 */
int mw_hw_set(struct mw_hw_cfg *cfg, const char *assignment, struct mw_diag *d);

/*
 * Checks the config as a whole: geometry (ways, line a power of two,
 * sector dividing the line, size a multiple of line x ways x slices),
 * known policies, sane magnitudes, level names l1..lN.  0 or MW_ECONFIG
 * with d->msg "SECTION.KEY: reason" (d->file = cfg->source).
 */
int mw_hw_validate(const struct mw_hw_cfg *cfg, struct mw_diag *d);

/*
 * Writes cfg as INI with every key explicit; loading the text gives a
 * config equal to cfg (mw_hw_equal).  0 or MW_EIO.
 */
int mw_hw_write_ini(const struct mw_hw_cfg *cfg, FILE *f);

/* Same machine, levels and memory keys (sources and INI lines ignored). */
bool mw_hw_equal(const struct mw_hw_cfg *a, const struct mw_hw_cfg *b);

/* Names for the enums, as written in INI files ("back", "xor", ...). */
const char *mw_hw_write_name(enum mw_write_policy w);
const char *mw_hw_alloc_name(enum mw_alloc_policy a);
const char *mw_hw_index_name(enum mw_index_fn i);
const char *mw_hw_inclusion_name(enum mw_inclusion i);

#endif
