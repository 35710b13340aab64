/*
 * stats.c - per level, per op, per tensor counters.
 *
 * Notes:
 *  - Counters are plain uint64_t, indexed [tensor][op]; summing over
 *    tensors or ops is done on demand, never kept twice.
 */
#include "hierarchy/stats.h"
#include "common/alloc.h"
#include "common/err.h"

#include <string.h>

const char *const mw_stat_names[MW_STAT_COUNT] = {
	"accesses",	  "hits",	   "misses",
	"sector_misses",  "writebacks",	   "bytes_from_below",
	"bytes_to_below", "invalidations", "victim_fills",
};

const char *const mw_mem_stat_names[MW_MEM_STAT_COUNT] = {
	"reads",
	"writes",
	"bytes_read",
	"bytes_written",
};

int mw_level_stats_init(struct mw_level_stats *s, uint32_t ntensors)
{
	s->ntensors = ntensors;
	s->c = mw_calloc(((size_t)ntensors + 1) * MW_OP_COUNT, sizeof(*s->c));
	return s->c ? 0 : MW_ENOMEM;
}

void mw_level_stats_fini(struct mw_level_stats *s)
{
	mw_free(s->c);
	s->c = NULL;
}

int mw_mem_stats_init(struct mw_mem_stats *s, uint32_t ntensors)
{
	s->ntensors = ntensors;
	s->c = mw_calloc(((size_t)ntensors + 1) * MW_OP_COUNT, sizeof(*s->c));
	return s->c ? 0 : MW_ENOMEM;
}

void mw_mem_stats_fini(struct mw_mem_stats *s)
{
	mw_free(s->c);
	s->c = NULL;
}

static bool in_range(uint32_t v, uint32_t lo, uint32_t hi, uint32_t want)
{
	return want == MW_STATS_ALL || (v >= lo && v <= hi && v == want);
}

void mw_level_stats_sum(const struct mw_level_stats *s, uint32_t tensor,
			uint32_t op, struct mw_counters *out)
{
	uint32_t t, o;
	unsigned k;

	for (t = 0; t <= s->ntensors; t++) {
		if (!in_range(t, 0, s->ntensors, tensor))
			continue;
		for (o = 0; o < MW_OP_COUNT; o++) {
			const struct mw_counters *c;

			if (!in_range(o, 0, MW_OP_COUNT - 1, op))
				continue;
			c = &s->c[(size_t)t * MW_OP_COUNT + o];
			for (k = 0; k < MW_STAT_COUNT; k++)
				out->v[k] += c->v[k];
		}
	}
}

void mw_mem_stats_sum(const struct mw_mem_stats *s, uint32_t tensor,
		      uint32_t op, struct mw_mem_counters *out)
{
	uint32_t t, o;
	unsigned k;

	for (t = 0; t <= s->ntensors; t++) {
		if (!in_range(t, 0, s->ntensors, tensor))
			continue;
		for (o = 0; o < MW_OP_COUNT; o++) {
			const struct mw_mem_counters *c;

			if (!in_range(o, 0, MW_OP_COUNT - 1, op))
				continue;
			c = &s->c[(size_t)t * MW_OP_COUNT + o];
			for (k = 0; k < MW_MEM_STAT_COUNT; k++)
				out->v[k] += c->v[k];
		}
	}
}

void mw_level_stats_merge(struct mw_level_stats *dst,
			  const struct mw_level_stats *src)
{
	size_t i, n = ((size_t)src->ntensors + 1) * MW_OP_COUNT;
	unsigned k;

	for (i = 0; i < n; i++)
		for (k = 0; k < MW_STAT_COUNT; k++)
			dst->c[i].v[k] += src->c[i].v[k];
}

bool mw_counters_consistent(const struct mw_counters *c)
{
	return c->v[MW_STAT_HITS] + c->v[MW_STAT_SECTOR_MISSES] ==
		       c->v[MW_STAT_ACCESSES] &&
	       c->v[MW_STAT_MISSES] <= c->v[MW_STAT_SECTOR_MISSES];
}
