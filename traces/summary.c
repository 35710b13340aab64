/*
 * summary.c - trace summaries for `memwall info`.
 *
 * Notes:
 *  - Footprints count every 64-byte line an access touches, so an access
 *    straddling a line boundary counts both lines.
 *  - Distinct lines are kept exactly (a hash set per tensor that occurs
 *    and one for the whole trace): memory grows with the footprint, about
 *    16 bytes per line and set, never with the number of records.
 *  - The address range covers every byte touched: addr_max is the last
 *    byte of the highest access, computed without overflow.
 */
#include "traces/summary.h"

#include "common/alloc.h"
#include "common/err.h"
#include "common/hash.h"

#include <string.h>

struct mw_summarizer {
	struct mw_trace_summary sum;
	struct mw_u64set *all;				/* owned */
	struct mw_u64set *by_tensor[MW_TENSOR_MAX + 1]; /* owned, lazily */
	uint64_t unit_seen[MW_UNITS_MAX / 64];		/* bitmap */
};

struct mw_summarizer *mw_summarizer_create(void)
{
	struct mw_summarizer *s = mw_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->all = mw_u64set_create();
	if (!s->all) {
		mw_free(s);
		return NULL;
	}
	s->sum.min_size = UINT32_MAX;
	s->sum.addr_min = UINT64_MAX;
	return s;
}

void mw_summarizer_destroy(struct mw_summarizer *s)
{
	int i;

	if (!s)
		return;
	mw_u64set_destroy(s->all);
	for (i = 0; i <= MW_TENSOR_MAX; i++)
		mw_u64set_destroy(s->by_tensor[i]);
	mw_free(s);
}

/* Adds the lines of one access to the global and tensor sets. */
static int add_lines(struct mw_summarizer *s, const struct mw_access *r,
		     mw_addr last)
{
	struct mw_u64set *ts = s->by_tensor[r->tensor];
	uint64_t line, end = last / MW_SUMMARY_LINE;
	int added;

	if (!ts) {
		ts = mw_u64set_create();
		if (!ts)
			return MW_ENOMEM;
		s->by_tensor[r->tensor] = ts;
	}
	for (line = r->addr / MW_SUMMARY_LINE;; line++) {
		added = mw_u64set_add(s->all, line);
		if (added < 0)
			return added;
		s->sum.lines += (uint64_t)added;
		added = mw_u64set_add(ts, line);
		if (added < 0)
			return added;
		s->sum.tensor[r->tensor].lines += (uint64_t)added;
		if (line == end)
			break;
	}
	return 0;
}

int mw_summarizer_add(struct mw_summarizer *s, const struct mw_access *r,
		      size_t n)
{
	struct mw_trace_summary *sum = &s->sum;
	size_t i;

	for (i = 0; i < n; i++, r++) {
		/* the last byte, clamped at the top of the address space */
		mw_addr last = r->addr + (r->size - 1) < r->addr
				       ? UINT64_MAX
				       : r->addr + (r->size - 1);
		int err;

		sum->records++;
		if (r->op < MW_OP_COUNT)
			sum->by_op[r->op]++;
		sum->bytes += r->size;
		if (r->size < sum->min_size)
			sum->min_size = r->size;
		if (r->size > sum->max_size)
			sum->max_size = r->size;
		if (r->addr < sum->addr_min)
			sum->addr_min = r->addr;
		if (last > sum->addr_max)
			sum->addr_max = last;
		if (!(s->unit_seen[r->unit / 64] & 1ull << (r->unit % 64))) {
			s->unit_seen[r->unit / 64] |= 1ull << (r->unit % 64);
			sum->units_used++;
		}
		if (r->unit > sum->max_unit)
			sum->max_unit = r->unit;
		sum->tensor[r->tensor].records++;
		sum->tensor[r->tensor].bytes += r->size;
		err = add_lines(s, r, last);
		if (err)
			return err;
	}
	return 0;
}

const struct mw_trace_summary *mw_summarizer_result(struct mw_summarizer *s)
{
	return &s->sum;
}
