/*
 * synth.c - the benchmarks' synthetic traces (see synth.h).
 */
#include "bench/synth.h"

#include <string.h>

#define MIXED_STREAMS	      16
#define MIXED_RANDOM_PERMILLE 200
#define MIXED_RANDOM_SPAN     (1ull << 30)

static const int64_t strided_step[4] = {128, 8192, 64, -128};
static const uint32_t strided_size[4] = {128, 128, 64, 128};

void synth_init(struct synth *g, enum synth_kind kind, uint64_t seed)
{
	int i;

	memset(g, 0, sizeof(*g));
	g->kind = kind;
	mw_rng_seed(&g->rng, seed);
	for (i = 0; i < 16; i++)
		g->pos[i] = (uint64_t)(i + 1) << 32;
}

void synth_fill(struct synth *g, struct mw_access *out, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++, g->i++) {
		struct mw_access *r = &out[k];

		r->unit = 0;
		r->tensor = 0;
		if (g->kind == SYNTH_STRIDED) {
			unsigned s = (unsigned)(g->i & 3);

			r->addr = g->pos[s];
			r->size = strided_size[s];
			r->op = s == 3 ? MW_OP_WRITE : MW_OP_READ;
			r->tensor = (uint8_t)(s + 1);
			g->pos[s] += (uint64_t)strided_step[s];
			continue;
		}
		r->size = 8;
		if (mw_rng_below(&g->rng, 1000) < MIXED_RANDOM_PERMILLE) {
			r->addr = 0x7f0000000000ull +
				  (mw_rng_below(&g->rng, MIXED_RANDOM_SPAN) &
				   ~7ull);
			r->op = (uint8_t)(mw_rng_next(&g->rng) & 1);
		} else {
			unsigned s =
				(unsigned)mw_rng_below(&g->rng, MIXED_STREAMS);

			r->addr = g->pos[s];
			g->pos[s] += 8;
			r->op = s < 2 ? MW_OP_WRITE : MW_OP_READ;
		}
	}
}
