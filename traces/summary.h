/*
 * summary.h - what a trace holds: counts by op, unit and tensor, the
 * address range, and its footprint in distinct 64-byte lines.  Fed batch
 * by batch, so a summary of any length costs memory in proportion to the
 * footprint only.
 */
#ifndef MW_SUMMARY_H
#define MW_SUMMARY_H

#include "traces/access.h"
#include "traces/stream.h"

#include <stddef.h>
#include <stdint.h>

#define MW_SUMMARY_LINE 64 /* bytes per line for footprints */

struct mw_tensor_summary {
	uint64_t records; /* accesses tagged with the tensor */
	uint64_t bytes;	  /* bytes those accesses touch (sum of sizes) */
	uint64_t lines;	  /* distinct lines they touch */
};

struct mw_trace_summary {
	uint64_t records;
	uint64_t by_op[MW_OP_COUNT];
	uint64_t bytes; /* sum of access sizes */
	uint32_t min_size, max_size;
	mw_addr addr_min;    /* lowest byte touched */
	mw_addr addr_max;    /* highest byte touched */
	uint64_t lines;	     /* distinct lines touched */
	uint32_t units_used; /* distinct unit ids seen */
	uint32_t max_unit;   /* highest unit id seen */
	struct mw_tensor_summary tensor[MW_TENSOR_MAX + 1];
};

struct mw_summarizer;

/* Returns an owned summarizer (free with mw_summarizer_destroy) or NULL. */
struct mw_summarizer *mw_summarizer_create(void);
void mw_summarizer_destroy(struct mw_summarizer *s);
/* Adds n records; 0 or MW_ENOMEM. */
int mw_summarizer_add(struct mw_summarizer *s, const struct mw_access *r,
		      size_t n);
/* The summary so far (borrowed, valid until the next add or destroy). */
const struct mw_trace_summary *mw_summarizer_result(struct mw_summarizer *s);

#endif
