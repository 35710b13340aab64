/*
 * dram.h - the HBM/DRAM memory: configuration (standards, organization,
 * timing, address mapping) and an event-driven timing model with a
 * closed-loop front end.
 *
 * Config: mw_dram_cfg_init(standard) fills a preset, mw_dram_cfg_set
 * overrides one key, mw_dram_cfg_from_kv applies the [memory] section of
 * config.h (standard first, then the rest in order), and
 * mw_dram_cfg_validate checks the whole and compiles the mapping.
 * Timing values are in clock cycles (CK) of the configured clock.
 *
 * Model: mw_dram_create, then mw_dram_access for each request in the
 * order the caches emit them, mw_dram_finish to drain, mw_dram_results.
 */
#ifndef MW_DRAM_H
#define MW_DRAM_H

#include "common/err.h"
#include "common/results.h"
#include "hierarchy/config.h"
#include "traces/access.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* mw_dram_cfg_from_kv: no keys at all, or timing = off: counting mode. */
#define MW_DRAM_COUNTING 1

#define MW_DRAM_MAP_MAX 40 /* mapping segments */

enum mw_dram_row_policy {
	MW_DRAM_OPEN_PAGE = 0,	/* rows stay open until a conflict */
	MW_DRAM_CLOSED_PAGE = 1 /* a row closes once no queued access hits it */
};

enum mw_dram_refresh {
	MW_DRAM_REF_ALLBANK = 0, /* REFab per pseudo-channel every tREFI */
	MW_DRAM_REF_PERBANK = 1, /* REFpb round robin, tREFI / banks apart */
	MW_DRAM_REF_OFF = 2
};

/* Address fields of the mapping. */
enum mw_dram_field {
	MW_DF_CH = 0, /* channel, all stacks together */
	MW_DF_PC = 1, /* pseudo-channel ("Ra" in Ramulator names) */
	MW_DF_BG = 2, /* bank group */
	MW_DF_BA = 3, /* bank within its group */
	MW_DF_RO = 4, /* row */
	MW_DF_CO = 5, /* column, in transactions */
	MW_DF_N = 6
};

/* Timing parameters, all in CK of the configured clock. */
struct mw_dram_timing {
	uint32_t nBL; /* data-bus CK per burst (burst_length / transfers per CK) */
	uint32_t tRCD;	 /* ACT to RD */
	uint32_t tRCDWR; /* ACT to WR */
	uint32_t tCL;	 /* RD to first data */
	uint32_t tCWL;	 /* WR to first data */
	uint32_t tRP;	 /* PRE to ACT, same bank */
	uint32_t tRAS;	 /* ACT to PRE, same bank */
	uint32_t tRC;	 /* ACT to ACT, same bank */
	uint32_t tWR;	 /* end of write data to PRE */
	uint32_t tRTP;	 /* RD to PRE */
	uint32_t tCCD_S; /* column to column, other bank group */
	uint32_t tCCD_L; /* column to column, same bank group */
	uint32_t tRRD_S; /* ACT to ACT, other bank group */
	uint32_t tRRD_L; /* ACT to ACT, same bank group */
	uint32_t tFAW;	 /* window holding at most 4 ACTs (per PC) */
	uint32_t tWTR_S; /* end of write data to RD, other bank group */
	uint32_t tWTR_L; /* end of write data to RD, same bank group */
	uint32_t tRTW;	 /* RD to WR turnaround (per PC) */
	uint32_t tRFC;	 /* REFab to ACT */
	uint32_t tRFCpb; /* REFpb to ACT, same bank */
	uint32_t tREFI;	 /* average refresh interval (REFab) */
};

/* One mapping segment: radix consecutive values of field, LSB first. */
struct mw_dram_seg {
	uint8_t field;	/* enum mw_dram_field */
	uint8_t shift;	/* log2(radix) when pow2 */
	bool pow2;	/* radix is a power of two */
	uint64_t radix; /* number of values this segment selects */
};

struct mw_dram_cfg {
	char standard[32]; /* preset it started from */
	bool timing;	   /* false: counting mode (bytes, row outcomes) */
	uint32_t stacks;   /* HBM stacks or DIMMs */
	uint32_t channels; /* per stack */
	uint32_t pseudo_channels;  /* per channel (DDR5: sub-channels) */
	uint32_t bank_groups;	   /* per pseudo-channel */
	uint32_t banks;		   /* per bank group */
	uint32_t rows;		   /* per bank */
	uint32_t columns;	   /* transactions per row */
	uint32_t bus_bits;	   /* data pins per pseudo-channel */
	uint32_t burst_length;	   /* transfers per column access */
	uint32_t transfers_per_ck; /* data transfers per CK per pin */
	double data_rate;	   /* Gbit/s per pin */
	uint32_t read_queue;	   /* entries per channel */
	uint32_t write_queue;	   /* entries per channel */
	uint32_t write_high;	   /* start draining writes at this many */
	uint32_t write_low;	   /* stop draining at this many */
	uint32_t outstanding;	   /* front-end read requests in flight */
	uint32_t line_bytes; /* 0, or a front-end line (MSHR) of this many bytes:
			      * reads within one in-flight line share its
			      * outstanding slot, and a request adjacent to
			      * its bank's youngest unstarted entry in the
			      * same line and row extends it (docs/dram.md) */
	enum mw_dram_row_policy row_policy;
	enum mw_dram_refresh refresh;
	uint32_t refresh_stagger; /* PCs refresh in this many phases (1: lockstep) */
	bool buffered;	  /* frontend = buffered: a full channel queue holds its
			  requests aside; blocking: it stalls the stream */
	char mapping[96]; /* scheme name, field order or bit string */
	struct mw_dram_timing t;
	/* Derived by mw_dram_cfg_validate: */
	uint32_t tx_bytes;  /* bytes per column access per PC */
	double tck_ns;	    /* CK period */
	bool map_xor;	    /* bank-side fields XORed with row bits */
	bool map_chash;	    /* +chash: channel rotated by a hash of the
			    * address bits above the channel field */
	uint64_t chash_div; /* +chash: transactions below the field's top */
	uint64_t chash_mod; /* +chash: values of the bits above it */
	uint32_t nsegs;	    /* mapping segments, LSB first */
	struct mw_dram_seg seg[MW_DRAM_MAP_MAX];
};

/* One command of the log (for the checker and for inspection). */
enum mw_dram_cmd_kind {
	MW_DRAM_ACT = 0,
	MW_DRAM_PRE = 1,
	MW_DRAM_RD = 2,
	MW_DRAM_WR = 3,
	MW_DRAM_REF = 4,  /* all banks of one pseudo-channel */
	MW_DRAM_REFPB = 5 /* one bank */
};

struct mw_dram_cmd {
	uint64_t time;	  /* CK */
	uint32_t channel; /* 0 .. stacks x channels - 1 */
	uint8_t kind;	  /* enum mw_dram_cmd_kind */
	uint8_t pc, bg, ba;
	uint32_t row; /* ACT, RD, WR: the row */
};

/* Decoded address. */
struct mw_dram_loc {
	uint32_t f[MW_DF_N]; /* indexed by enum mw_dram_field */
};

/*
 * Fills c with a standard's preset (hbm2-2000, hbm2e-3200, hbm2e-3600,
 * hbm3-6400, hbm3e-9600, ddr5-4800).  0, or MW_ECONFIG naming the known
 * standards in d.
 */
int mw_dram_cfg_init(struct mw_dram_cfg *c, const char *standard,
		     struct mw_diag *d);
/*
 * Sets one key (names as in the [memory] section).  Setting "standard"
 * re-initialises c.  Setting data_rate or clock rescales every timing
 * value so its time in ns is kept (rounded up).  0, MW_ECONFIG (unknown
 * key) or MW_EPARSE (bad value), with the reason in d.
 */
int mw_dram_cfg_set(struct mw_dram_cfg *c, const char *key, const char *value,
		    struct mw_diag *d);
/*
 * Applies a [memory] section: standard first (default hbm3-6400), then
 * the other keys in order, then validates.  file names the config for
 * messages.  0 (timing mode), MW_DRAM_COUNTING (no keys, or timing =
 * off) or a negative error naming file:line and the key.
 */
int mw_dram_cfg_from_kv(struct mw_dram_cfg *c, const struct mw_mem_kv *kv,
			uint32_t n, const char *file, struct mw_diag *d);
/*
 * The +chash rotation of channel for q, the transaction index's digits
 * above the last channel segment (addr / tx_bytes / chash_div mod
 * chash_mod): a fixed 64-bit mix (murmur3 fmix64) of q, mod channels.
 */
uint32_t mw_dram_chash(const struct mw_dram_cfg *c, uint64_t q);

/* Checks the whole config and compiles the mapping.  0 or MW_ECONFIG. */
int mw_dram_cfg_validate(struct mw_dram_cfg *c, struct mw_diag *d);
/* Writes the resolved values as a [memory] section.  0 or MW_EIO. */
int mw_dram_cfg_write_ini(const struct mw_dram_cfg *c, FILE *f);
/*
 * Describes the (validated) mapping field by field, LSB first, with
 * the address bits of each.  Returns the length it needed (as
 * snprintf); buf is always terminated.
 */
int mw_dram_describe_mapping(const struct mw_dram_cfg *c, char *buf,
			     size_t cap);
/* Peak bandwidth in bytes/s: stacks x channels x PCs x tx / (nBL x tCK). */
double mw_dram_peak_bw(const struct mw_dram_cfg *c);
/* Names of the standards, NULL-terminated (static). */
const char *const *mw_dram_standards(void);

/* Address -> location and back (validated c; addr within capacity). */
void mw_dram_decode(const struct mw_dram_cfg *c, mw_addr addr,
		    struct mw_dram_loc *loc);
mw_addr mw_dram_encode(const struct mw_dram_cfg *c,
		       const struct mw_dram_loc *loc);
/* Bytes the organization holds. */
uint64_t mw_dram_capacity(const struct mw_dram_cfg *c);

struct mw_dram;

/* Returns an owned model (free with mw_dram_destroy) or NULL with d. */
struct mw_dram *mw_dram_create(const struct mw_dram_cfg *c, struct mw_diag *d);
void mw_dram_destroy(struct mw_dram *m);
/*
 * Keeps a log of up to cap commands (0 turns it off); later commands are
 * counted but not kept.  Call before the first access.  0 or MW_ENOMEM.
 */
int mw_dram_log_enable(struct mw_dram *m, size_t cap);
/* The log (borrowed, valid until destroy); *n gets its length. */
const struct mw_dram_cmd *mw_dram_log(const struct mw_dram *m, size_t *n,
				      bool *truncated);

/*
 * One request from the level above (dram is a struct mw_dram *), cut
 * into transactions.  Requests are served in arrival order as far as the
 * front end goes (closed loop, outstanding reads at most).  0 or
 * MW_EINVAL (bytes == 0).
 */
int mw_dram_access(void *dram, mw_addr addr, uint32_t bytes, bool write);
/* Serves everything still queued.  0. */
int mw_dram_finish(struct mw_dram *m);
/* Appends scopes memory and memory:chN.  0 or MW_ENOMEM. */
int mw_dram_results(const struct mw_dram *m, struct mw_results *r);

/* Totals, for tests and callers that want numbers without results. */
struct mw_dram_stats {
	uint64_t requests, transactions, bytes_read, bytes_written;
	uint64_t row_hits, row_misses, row_conflicts;
	uint64_t activations, precharges, refreshes;
	uint64_t reads_done; /* read requests completed (line_bytes: lines) */
	uint64_t end_ck;     /* last data transfer ends (CK) */
	uint64_t idle_ck; /* channel-CK with no request queued (all channels) */
	double read_lat_mean_ns; /* 0 if no reads */
	double read_lat_p50_ns, read_lat_p99_ns;
};
void mw_dram_stats(const struct mw_dram *m, struct mw_dram_stats *s);

/*
 * Replays a command log and checks every timing constraint between
 * every pair of commands (same bank, bank group, pseudo-channel,
 * channel buses, data bus), bank states and refresh intervals.  0, or
 * MW_ERANGE with the first violation (commands and constraint) in d.
 * Quadratic in the log length within a pseudo-channel: for tests.
 */
int mw_dram_check(const struct mw_dram_cfg *c, const struct mw_dram_cmd *log,
		  size_t n, struct mw_diag *d);

#endif
