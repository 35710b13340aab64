/*
 * bandwidth.c - read bandwidth over working sets from 4 KiB to 1 GiB.
 *
 * Method: sum the 64-bit words of a buffer of the working set's size,
 * sequentially, with eight independent accumulators so the loop is bound
 * by loads, not by the adds; repeat to run about 0.2 s; best of three.
 * Bytes read / time is the bandwidth one core gets from the level the
 * working set fits in (compiled with -O2 -march=native the loop uses the
 * widest vector loads).  A compiler barrier after each pass keeps the
 * compiler from computing the (unchanged) sum once for all repetitions.
 *
 * Output: CSV on stdout, columns working_set_bytes,read_GBps.
 * Usage: bandwidth [MAX_BYTES]   (default 1 GiB)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t sum(const uint64_t *a, size_t n)
{
	uint64_t s[8] = { 0 };
	size_t i;
	int k;

	for (i = 0; i + 8 <= n; i += 8)
		for (k = 0; k < 8; k++)
			s[k] += a[i + k];
	return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

int main(int argc, char **argv)
{
	uint64_t max = argc > 1 ? strtoull(argv[1], NULL, 0) : 1ull << 30;
	uint64_t *a = mmap(NULL, max, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t ws, check = 0;
	size_t i;

	if (a == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(a, max, MADV_HUGEPAGE);
	for (i = 0; i < max / 8; i++)
		a[i] = i;
	printf("working_set_bytes,read_GBps\n");
	for (ws = 4096; ws <= max;
	     ws = (ws & (ws - 1)) ? ws / 3 * 4 : ws * 3 / 2) {
		uint64_t reps = (1ull << 30) / ws + 1;
		double best = 1e30;
		int pass;

		check += sum(a, ws / 8); /* warm */
		__asm__ volatile("" : : "r"(a) : "memory");
		for (pass = 0; pass < 3; pass++) {
			double t0 = now(), t;
			uint64_t r;

			for (r = 0; r < reps; r++) {
				check += sum(a, ws / 8);
				__asm__ volatile("" : : "r"(a) : "memory");
			}
			t = now() - t0;
			if (t < best)
				best = t;
		}
		printf("%llu,%.2f\n", (unsigned long long)ws,
		       (double)ws * (double)reps / best / 1e9);
		fflush(stdout);
	}
	if (check == 42)
		puts("");
	munmap(a, max);
	return 0;
}
