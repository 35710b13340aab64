/*
 * synth.h - the synthetic traces the benchmarks measure (shared by the
 * format, cache and reuse benchmarks so every figure uses the same input).
 *
 *  mixed:   16 sequential streams of 8-byte accesses (two written, the
 *           rest read) picked at random per access, plus 20% uniform
 *           random 8-byte accesses over 1 GiB.  Calibrated so that a
 *           packed 8-byte form compresses to about 2.3 bytes/record with
 *           xz -1 and 3.2 with gzip -1, the reference figures of the
 *           native-format issue.
 *  strided: 4 streams with constant strides (128, 8192, 64 and -128
 *           bytes), 128- and 64-byte accesses, interleaved round-robin.
 */
#ifndef MW_BENCH_SYNTH_H
#define MW_BENCH_SYNTH_H

#include "common/hash.h"
#include "traces/access.h"

#include <stddef.h>

enum synth_kind {
	SYNTH_MIXED,
	SYNTH_STRIDED
};

struct synth {
	enum synth_kind kind;
	struct mw_rng rng;
	uint64_t pos[16];
	uint64_t i;
};

void synth_init(struct synth *g, enum synth_kind kind, uint64_t seed);
/* Fills n records. */
void synth_fill(struct synth *g, struct mw_access *out, size_t n);

#endif
