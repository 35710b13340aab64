/*
 * chase.c - load-to-use latency by pointer chasing, over working sets from
 * 4 KiB to 1 GiB.
 *
 * Method: the working set is an array of 64-byte cells, one per cache
 * line; each cell holds the index of the next, in one random cycle
 * through all cells (Sattolo's algorithm, seeded), so every load depends
 * on the previous one and hardware prefetchers cannot guess the next
 * line.  Time per load = best of two passes, each of at least 2 million
 * loads and one full lap of the cycle (the loop is one dependent load).  The
 * buffer is backed by transparent huge pages where the kernel allows
 * (madvise), so small working sets are not dominated by TLB misses;
 * large ones still see them, as real code does.
 *
 * Output: CSV on stdout, columns working_set_bytes,ns_per_load.
 * Usage: chase [MAX_BYTES]   (default 1 GiB)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct cell {
	uint64_t next;
	char pad[LINE - sizeof(uint64_t)];
};

int main(int argc, char **argv)
{
	uint64_t max = argc > 1 ? strtoull(argv[1], NULL, 0) : 1ull << 30;
	size_t cap = max / LINE;
	struct cell *a = mmap(NULL, cap * LINE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ws;

	if (a == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(a, cap * LINE, MADV_HUGEPAGE);
	printf("working_set_bytes,ns_per_load\n");
	/* 4 KiB, 6 KiB, 8 KiB, 12 KiB, ...: powers of two and halfway */
	for (ws = 4096; ws <= max;
	     ws = (ws & (ws - 1)) ? ws / 3 * 4 : ws * 3 / 2) {
		size_t n = ws / LINE, i, k;
		uint64_t p = 0, loads;
		double best = 1e30;
		int pass;

		for (i = 0; i < n; i++)
			a[i].next = i;
		for (i = n - 1; i > 0; i--) { /* Sattolo: one single cycle */
			size_t j = rng() % i;
			uint64_t t = a[i].next;

			a[i].next = a[j].next;
			a[j].next = t;
		}
		loads = 2000000;
		if (loads < n)
			loads = n;
		for (k = 0; k < n; k++) /* warm: one lap */
			p = a[p].next;
		for (pass = 0; pass < 2; pass++) {
			double t0 = now(), t;

			for (k = 0; k < loads; k++)
				p = a[p].next;
			t = (now() - t0) / (double)loads;
			if (t < best)
				best = t;
		}
		printf("%llu,%.3f\n", (unsigned long long)ws, best * 1e9);
		fflush(stdout);
		if (p == UINT64_MAX)
			puts("");
	}
	munmap(a, cap * LINE);
	return 0;
}
