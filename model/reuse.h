/*
 * reuse.h - reuse-distance analysis: LRU stack distances, reuse times and
 * the miss-ratio curve of a fully associative LRU cache at every capacity,
 * from one pass over a stream of accesses.
 *
 * A streaming consumer: mw_reuse_create(opts), mw_reuse_feed() batches of
 * struct mw_access (any number, any size), mw_reuse_finish(), then query
 * the curve of each scope.  Memory grows with the footprint (distinct
 * lines), never with the trace length.
 *
 * Definitions (per line reference; an access spanning several lines is
 * one reference per line, all with the access's unit, op and tensor):
 *  - stack distance: distinct other lines referenced since the previous
 *    reference to this line (0 = immediate re-reference); a fully
 *    associative LRU cache of C lines hits exactly when distance < C;
 *  - reuse time: line references (to any line, by the same stack) since
 *    the previous reference to this line (1 = immediate re-reference);
 *  - cold: the first reference to a line (a miss at every capacity).
 *
 * Scopes: "all" (index 0) and, with a split, one per tensor, op or unit;
 * a split attributes each reference to its scope in the same stack, so
 * the scopes' misses add up to "all" at every capacity.  View: shared
 * (one stack, a shared cache) or private (one stack per unit, a private
 * cache of each capacity per unit; "all" is then the sum over the units).
 *
 * Sampling (SHARDS, Waldspurger et al., FAST'15): only lines whose hash
 * falls under a threshold are tracked; distances are scaled by the
 * inverse sampling rate.  Fixed-rate keeps the threshold; fixed-memory
 * starts at rate 1 and lowers the threshold so that at most max_lines
 * lines are tracked per stack.  The estimates are doubles.
 */
#ifndef MW_REUSE_H
#define MW_REUSE_H

#include "common/results.h"
#include "traces/access.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mw_reuse_split {
	MW_REUSE_SPLIT_NONE = 0, /* only "all" */
	MW_REUSE_SPLIT_TENSOR,	 /* one scope per tensor index (0..255) */
	MW_REUSE_SPLIT_OP,	 /* one scope per op (read, write, ifetch) */
	MW_REUSE_SPLIT_UNIT	 /* one scope per unit */
};

enum mw_reuse_view {
	MW_REUSE_VIEW_SHARED = 0, /* one LRU stack for every unit */
	MW_REUSE_VIEW_PRIVATE	  /* one LRU stack per unit */
};

enum mw_reuse_sampling {
	MW_REUSE_EXACT = 0,
	MW_REUSE_FIXED_RATE,  /* SHARDS at rate opts.rate */
	MW_REUSE_FIXED_MEMORY /* SHARDS with at most opts.max_lines per stack */
};

/* One line reference, for the optional per-reference hook (tests). */
struct mw_reuse_event {
	uint64_t line;	   /* line number (address >> log2 line size) */
	uint64_t distance; /* stack distance in lines; UINT64_MAX = cold */
	uint64_t time;	   /* reuse time in references; 0 = cold */
	uint16_t unit;
	uint8_t op;
	uint8_t tensor;
};

struct mw_reuse_opts {
	uint32_t line_bytes; /* power of two >= 1; 0 = 128 */
	enum mw_reuse_split split;
	enum mw_reuse_view view;
	enum mw_reuse_sampling sampling;
	double rate;	    /* MW_REUSE_FIXED_RATE: 0 < rate <= 1 */
	uint64_t max_lines; /* MW_REUSE_FIXED_MEMORY: lines per stack, >= 16 */
	bool adjust; /* sampled: SHARDS-adj (the shortfall of the sample's
			weight goes to distance 0, miss ratios over the true
			count); off: plain SHARDS, ratios over the sample's
			weight, which erred less on the bench traces */
	uint32_t exact_lines; /* distances below this are counted exactly,
				 above in logarithmic bins of 1/128 octave;
				 power of two >= 128, 0 = 4096 */
	/* Internal: log2 of the clock epochs reuse times are stored in
	   (0 = 31); tests set it small to exercise epoch changes. */
	unsigned clock_epoch_log;
	/* Exact mode only: called for every line reference, in order. */
	void (*on_event)(void *ctx, const struct mw_reuse_event *e);
	void *event_ctx;
};

struct mw_reuse;

/* Fills o with the defaults (exact, 128-byte lines, shared, no split). */
void mw_reuse_opts_init(struct mw_reuse_opts *o);

/*
 * Returns an owned analyser (free with mw_reuse_destroy), or NULL when the
 * options are invalid (MW_EINVAL in *err) or memory runs out (MW_ENOMEM);
 * err may be NULL.  o is copied.
 */
struct mw_reuse *mw_reuse_create(const struct mw_reuse_opts *o, int *err);
void mw_reuse_destroy(struct mw_reuse *r);

/* Consumes n records (borrowed).  0 or MW_ENOMEM (r is then unusable). */
int mw_reuse_feed(struct mw_reuse *r, const struct mw_access *recs, size_t n);

/*
 * Ends the pass: applies the sampling correction.  Queries are valid after
 * it; feeding after it is an error (MW_EINVAL).  Returns 0.
 */
int mw_reuse_finish(struct mw_reuse *r);

/* ---- queries (after mw_reuse_finish) ---------------------------------- */

/* Number of scopes (1 + the split's size); scope 0 is "all". */
unsigned mw_reuse_scopes(const struct mw_reuse *r);
/* Whether a scope received any reference. */
bool mw_reuse_scope_used(const struct mw_reuse *r, unsigned scope);
/* Scope index of a tensor, op or unit (per the split); 0 without split. */
unsigned mw_reuse_scope_of(const struct mw_reuse *r, unsigned key);
/* The tensor, op or unit a scope >= 1 stands for. */
unsigned mw_reuse_scope_key(const struct mw_reuse *r, unsigned scope);

uint32_t mw_reuse_line_bytes(const struct mw_reuse *r);
/* Records fed. */
uint64_t mw_reuse_records(const struct mw_reuse *r);

/* What one scope saw (estimates when sampled). */
struct mw_reuse_summary {
	double refs;		  /* line references */
	double cold;		  /* first references (the miss floor) */
	double mean_distance;	  /* over warm references, lines */
	double mean_time;	  /* over warm references, references */
	uint64_t median_distance; /* lines, lower bound of its bin */
	uint64_t median_time;	  /* references, lower bound of its bin */
};
int mw_reuse_summary(const struct mw_reuse *r, unsigned scope,
		     struct mw_reuse_summary *out);

/*
 * Misses of a fully associative LRU cache of capacity_lines lines (0 =
 * no cache: every reference misses).  Exact (in exact mode) when
 * capacity_lines < exact_lines or is a bin edge (every power of two is);
 * otherwise interpolated linearly inside the bin.
 */
double mw_reuse_misses(const struct mw_reuse *r, unsigned scope,
		       uint64_t capacity_lines);
/* misses / refs (0 when the scope saw nothing). */
double mw_reuse_miss_ratio(const struct mw_reuse *r, unsigned scope,
			   uint64_t capacity_lines);

/*
 * The capacities (in lines, increasing, starting at 1) where the scope's
 * curve steps: every bin edge at which the misses change, up to the
 * largest distance seen + 1.  Writes up to cap values into out (may be
 * NULL with cap 0) and returns how many there are.
 */
size_t mw_reuse_steps(const struct mw_reuse *r, unsigned scope, uint64_t *out,
		      size_t cap);

/* Distinct lines tracked: the footprint (exact) or its estimate. */
double mw_reuse_footprint_lines(const struct mw_reuse *r);

/*
 * The effective sampling rate: 1 exact, opts.rate fixed-rate, the final
 * (lowest over the stacks) rate for fixed-memory.
 */
double mw_reuse_rate(const struct mw_reuse *r);

/*
 * Where the curve bends: *half_lines = the smallest capacity whose misses
 * are at most half those of a one-line cache (0 when the cold floor is
 * above that half), *floor_lines = the smallest capacity with only cold
 * misses left (1 when the curve is flat).
 */
void mw_reuse_knees(const struct mw_reuse *r, unsigned scope,
		    uint64_t *half_lines, uint64_t *floor_lines);

/*
 * Appends the summary of every used scope to res: scope "reuse" for all,
 * "reuse:NAME" for the others (name(ctx, scope) borrowed), metrics
 * line_bytes, sampling_rate, refs, cold, footprint_bytes, mean and median
 * distance (lines) and time (references), half_bytes (0: never halves),
 * floor_bytes.  0 or
 * MW_ENOMEM.
 */
int mw_reuse_add_results(const struct mw_reuse *r, struct mw_results *res,
			 const char *(*name)(void *ctx, unsigned scope),
			 void *ctx);

#endif
