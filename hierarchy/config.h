/*
 * config.h - a machine as plain data: its units, its cache levels in
 * order (the first private to each unit, the rest shared) and its memory.
 *
 * This is the contract between the INI reader (hwconfig.c, presets),
 * the cache hierarchy (hierarchy.c) and the layers above (model/ reads
 * clocks, peak rates and bandwidths for time estimates).  Every field
 * carries its unit.  A config is filled by mw_hw_load / mw_hw_preset and
 * then --set overrides, and is checked as a whole by mw_hw_validate.
 *
 * The [memory] section belongs to the memory model: its keys are kept
 * verbatim here (with their INI line numbers for diagnostics) and are
 * interpreted by hierarchy/dram.c.  With no keys the memory only counts
 * bytes.
 */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include "common/err.h"

#include <stdbool.h>
#include <stdint.h>

#define MW_LEVELS_MAX	8  /* cache levels l1..l8 */
#define MW_NAME_MAX	32 /* level, machine and policy names */
#define MW_MEM_KEYS_MAX 64 /* keys in the [memory] section */
#define MW_MEM_KEY_MAX	32
#define MW_MEM_VAL_MAX	96

enum mw_write_policy {
	MW_WRITE_BACK = 0,   /* dirty lines written below on eviction */
	MW_WRITE_THROUGH = 1 /* every write is passed below at once */
};

enum mw_alloc_policy {
	MW_ALLOC_WRITE = 0, /* a write miss fills the line (write-allocate) */
	MW_ALLOC_NONE = 1   /* a write miss goes below, nothing is filled */
};

enum mw_index_fn {
	MW_INDEX_MODULO = 0, /* set = line number mod sets */
	MW_INDEX_XOR = 1     /* set bits XOR-folded with upper address bits */
};

enum mw_inclusion {
	MW_INCL_NINE = 0,      /* non-inclusive, non-exclusive (default) */
	MW_INCL_INCLUSIVE = 1, /* evicting here invalidates copies above */
	MW_INCL_EXCLUSIVE = 2  /* filled only by victims from above */
};

/* One cache level.  A level with ways == 0 is fully associative. */
struct mw_level_cfg {
	char name[MW_NAME_MAX]; /* section name: "l1", "l2", ... */
	uint64_t size;	 /* bytes, all slices together (per unit for l1) */
	uint32_t ways;	 /* 0 = fully associative */
	uint32_t line;	 /* bytes, power of two */
	uint32_t sector; /* bytes, divides line; == line: unsectored */
	char replacement[MW_NAME_MAX]; /* a name in the policy table (repl.h) */
	enum mw_write_policy write;
	enum mw_alloc_policy allocate;
	enum mw_index_fn index;
	enum mw_inclusion inclusion; /* relation to the levels above */
	uint32_t slices;	     /* address-hashed slices, >= 1 */
	uint64_t seed;		     /* for random policies */
	double bandwidth; /* bytes/s this level delivers, 0 = unknown */
	double latency;	  /* ns for a hit, 0 = unknown */
};

/* The whole machine. */
struct mw_machine_cfg {
	char name[MW_NAME_MAX];
	uint32_t units;	   /* SMs or cores, each with its own first level */
	double clock;	   /* Hz of the units, 0 = unknown */
	double flops_fp32; /* peak FLOP/s, dense, 0 = unknown */
	double flops_bf16; /* peak FLOP/s for bf16/fp16 tensor math */
	double flops_fp8;  /* peak FLOP/s for fp8 */
	uint32_t ctas_per_unit; /* default resident CTAs per unit, >= 1 */
};

/* One key = value line of the [memory] section, verbatim. */
struct mw_mem_kv {
	char key[MW_MEM_KEY_MAX];
	char value[MW_MEM_VAL_MAX];
	uint32_t line; /* INI line, 0 = from --set or a preset's code */
};

struct mw_hw_cfg {
	struct mw_machine_cfg machine;
	uint32_t nlevels; /* levels[0..nlevels-1]; 0 = straight to memory */
	struct mw_level_cfg levels[MW_LEVELS_MAX];
	uint32_t nmem; /* [memory] keys, in file order, overrides last */
	struct mw_mem_kv mem[MW_MEM_KEYS_MAX];
	char source[256]; /* preset name or file path, for reports */
};

#endif
