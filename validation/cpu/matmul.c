/*
 * matmul.c - a tiled matrix multiply C += A B (doubles, row-major) at
 * several tile sizes: time per run.
 *
 * The loop order is the one a cache model can reason about: for each
 * T x T tile of C, for each tile step along K, multiply the A and B
 * tiles (i, k, j innermost, so B and C rows stream).  Small tiles fit in
 * L1, large ones spill to L2 and L3; the untiled run (tile = n) is the
 * reference.  Best of two runs.  The same loop nest traced by valgrind lackey is what
 * validation/cachegrind measures, so these times and the model's miss
 * counts describe the same accesses.
 *
 * Output: CSV on stdout, columns n,tile,seconds,gflops.
 * Usage: matmul [N] [TILE...]   (default 1024, tiles 16 32 64 128 256 1024)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void tiled(int n, int t, const double *a, const double *b, double *c)
{
	int i0, j0, k0, i, j, k;

	for (i0 = 0; i0 < n; i0 += t)
		for (j0 = 0; j0 < n; j0 += t)
			for (k0 = 0; k0 < n; k0 += t)
				for (i = i0; i < i0 + t && i < n; i++)
					for (k = k0; k < k0 + t && k < n; k++) {
						double aik = a[i * n + k];

						for (j = j0; j < j0 + t && j < n;
						     j++)
							c[i * n + j] +=
								aik * b[k * n + j];
					}
}

int main(int argc, char **argv)
{
	static const int defaults[] = { 16, 32, 64, 128, 256, 1024 };
	int n = argc > 1 ? atoi(argv[1]) : 1024;
	int ntiles = argc > 2 ? argc - 2 : 6, k;
	double *a = malloc(sizeof(double) * (size_t)n * (size_t)n);
	double *b = malloc(sizeof(double) * (size_t)n * (size_t)n);
	double *c = malloc(sizeof(double) * (size_t)n * (size_t)n);
	size_t i;

	if (!a || !b || !c || n <= 0)
		return 1;
	for (i = 0; i < (size_t)n * (size_t)n; i++) {
		a[i] = (double)(i % 7) * 0.5;
		b[i] = (double)(i % 5) * 0.25;
	}
	printf("n,tile,seconds,gflops\n");
	for (k = 0; k < ntiles; k++) {
		int t = argc > 2 ? atoi(argv[2 + k]) : defaults[k];
		double best = 1e30;
		int run;

		if (t <= 0 || t > n)
			continue;
		for (run = 0; run < 2; run++) {
			double t0;

			memset(c, 0, sizeof(double) * (size_t)n * (size_t)n);
			t0 = now();
			tiled(n, t, a, b, c);
			t0 = now() - t0;
			if (t0 < best)
				best = t0;
		}
		printf("%d,%d,%.6f,%.3f\n", n, t, best,
		       2.0 * n * (double)n * n / best / 1e9);
		fflush(stdout);
	}
	free(a);
	free(b);
	free(c);
	return 0;
}
