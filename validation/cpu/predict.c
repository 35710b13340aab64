/*
 * predict.c - the access pattern of a CPU microbenchmark at one working-set
 * size, as a memwall CSV trace on stdout, for `memwall sim --hw cpu-host`
 * (validation/cpu/knees.sh compares the predicted knees with the measured).
 *
 * Usage: predict chase|read WORKING_SET_BYTES SAMPLE
 *
 *   chase  chase.c's walk: the same random single cycle over 64-byte cells
 *          (Sattolo's algorithm with chase.c's generator, its state advanced
 *          through every smaller working set of chase.c's sweep first, so
 *          the cycle is the one chase.c measured, for SAMPLE 1), one 8-byte
 *          load per cell, starting at cell 0.
 *   read   bandwidth.c's sweep: the buffer read sequentially, one 64-byte
 *          record per line (the 8-byte words of a line after its first
 *          always hit the first level, so a record per line gives the same
 *          line traffic; miss ratios are per line, not per word).
 *
 * Notes:
 *  - The trace is one warm-up lap (a full pass over the working set, as the
 *    benchmarks' own warm-up) as instruction fetches, then two measured laps
 *    as reads.  memwall treats an ifetch as a read (same lookups, fills and
 *    replacement), so the caches evolve as for reads, and the per-op rows
 *    `LEVEL,reads.*` of `memwall sim --csv` count the measured laps only.
 *    The benchmarks run more measured loads (at least 2 million); after the
 *    warm-up lap every lap of these cyclic patterns behaves the same under
 *    LRU, so two laps give the steady-state miss ratios.
 *  - chase with SAMPLE > 1 draws a random single cycle over the kept cells
 *    only (Sattolo's algorithm again, same generator): a uniformly random
 *    cyclic order of them, which is what chase.c's cycle restricted to those
 *    cells is in distribution, but not its exact order (walking the full
 *    cycle of a 1 GiB working set to extract that order takes seconds of
 *    cache misses per size).  Under LRU the order changes nothing: every
 *    set of a contiguous buffer holds n / sets lines (or one more), and a
 *    set that sees a cyclic sequence of more lines than it has ways misses
 *    on every access, one that holds them all hits after the warm-up lap.
 *  - SAMPLE (a power of two, 1 to 65536) keeps only the lines whose line
 *    number is a multiple of it: set sampling.  With modulo set indexing and
 *    a SAMPLE dividing every level's set count, the kept lines are exactly
 *    those of the sets whose index is a multiple of SAMPLE, in every level,
 *    and those sets see exactly the accesses they see in the full trace, so
 *    their hits and misses are exact, and the miss ratio is that of 1/SAMPLE
 *    of the sets.  knees.sh checks the divisibility.
 *  - Addresses start at 0x40000000 (1 GiB aligned, as a huge-page-backed
 *    buffer is): the model indexes sets by these addresses; the hardware
 *    indexes L2/L3 by physical addresses, which are these modulo 2 MiB
 *    under transparent huge pages.
 *  - The working-set sizes of the sweep are chase.c's: 4 KiB, 6 KiB, 8 KiB,
 *    12 KiB, ... (powers of two and halfway).  `predict sizes MAX` prints
 *    them, one per line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE 64
#define BASE 0x40000000ull

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* chase.c's generator (splitmix64), bit for bit. */
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t next_ws(uint64_t ws)
{
	return (ws & (ws - 1)) ? ws / 3 * 4 : ws * 3 / 2;
}

static int usage(void)
{
	fprintf(stderr, "usage: predict chase|read WORKING_SET_BYTES SAMPLE\n"
			"       predict sizes MAX_BYTES\n");
	return 2;
}

static int emit(uint64_t line, uint32_t size, char op)
{
	return printf("0x%llx,%u,%c\n",
		      (unsigned long long)(BASE + line * LINE), size, op) < 0;
}

int main(int argc, char **argv)
{
	uint64_t ws, n, m, i, s, sample, p;
	int lap, bad = 0;
	char *end;

	if (argc == 3 && strcmp(argv[1], "sizes") == 0) {
		uint64_t max = strtoull(argv[2], &end, 0);

		if (*end || max < 4096)
			return usage();
		for (ws = 4096; ws <= max; ws = next_ws(ws))
			printf("%llu\n", (unsigned long long)ws);
		return 0;
	}
	if (argc != 4 || (strcmp(argv[1], "chase") && strcmp(argv[1], "read")))
		return usage();
	ws = strtoull(argv[2], &end, 0);
	if (*end || ws < 4096 || ws > (1ull << 40))
		return usage();
	sample = strtoull(argv[3], &end, 0);
	if (*end || sample == 0 || sample > 65536 || (sample & (sample - 1)))
		return usage();
	n = ws / LINE;
	if (printf("addr,size,op\n") < 0)
		return 1;
	if (strcmp(argv[1], "read") == 0) {
		for (lap = 0; lap < 3 && !bad; lap++)
			for (i = 0; i < n && !bad; i += sample)
				bad = emit(i, LINE, lap ? 'r' : 'i');
	} else {
		uint32_t *next;

		/* chase.c draws n - 1 numbers per working set, in order */
		for (s = 4096; s < ws; s = next_ws(s))
			for (i = s / LINE - 1; i > 0; i--)
				rng();
		if (s != ws) {
			fprintf(stderr,
				"predict: %llu is not a working set of "
				"chase.c's sweep (predict sizes MAX)\n",
				(unsigned long long)ws);
			return 2;
		}
		m = n / sample; /* cells kept: 0, sample, 2 sample, ... */
		if (m == 0)
			m = 1;
		if (m > UINT32_MAX) {
			fprintf(stderr, "predict: working set too large\n");
			return 2;
		}
		next = malloc(m * sizeof *next);
		if (!next) {
			fprintf(stderr, "predict: out of memory\n");
			return 1;
		}
		for (i = 0; i < m; i++)
			next[i] = (uint32_t)i;
		for (i = m - 1; i > 0; i--) { /* Sattolo, as chase.c */
			uint64_t j = rng() % i;
			uint32_t t = next[i];

			next[i] = next[j];
			next[j] = t;
		}
		p = 0;
		for (lap = 0; lap < 3 && !bad; lap++) {
			for (i = 0; i < m && !bad; i++) {
				bad = emit(p * sample, 8, lap ? 'r' : 'i');
				p = next[p];
			}
			if (p != 0) { /* Sattolo's cycle passes every cell */
				fprintf(stderr,
					"predict: the cycle is not one lap "
					"of %llu cells\n",
					(unsigned long long)m);
				free(next);
				return 1;
			}
		}
		free(next);
	}
	if (bad || fflush(stdout) != 0) {
		fprintf(stderr, "predict: write error\n");
		return 1;
	}
	return 0;
}
