/*
 * gen_reuse_small.c - writes reuse_small.mwt, the trace of the reuse
 * golden tests: a small blocked matrix product C += A * B (16x16 tiles of
 * 4-byte elements, 64x64 matrices) on 2 units, each unit taking every
 * other row of tiles, with A, B and C tagged as tensors.
 *
 *   cc -std=c11 -D_GNU_SOURCE -I. tests/data/gen_reuse_small.c \
 *      build/rel/common/*.o build/rel/traces/*.o -lz -lcsv -ldeflate \
 *      -linih -lm -o /tmp/gen && /tmp/gen tests/data/reuse_small.mwt
 */
#include "traces/format.h"

#include <stdio.h>

#define N 64
#define T 16

int main(int argc, char **argv)
{
	static struct mw_access rec[1 << 16];
	struct mw_trace_header h;
	struct mw_writer *w;
	struct mw_diag d;
	const mw_addr base[3] = {0x10000, 0x20000, 0x30000};
	size_t n = 0;
	int ti, tj, tk, i, k;

	mw_header_init(&h);
	h.units = 2;
	mw_header_add_tensor(&h, "A", base[0], N * N * 4);
	mw_header_add_tensor(&h, "B", base[1], N * N * 4);
	mw_header_add_tensor(&h, "C", base[2], N * N * 4);
	mw_header_set_provenance(&h, "gen_reuse_small: tiled 64x64 gemm");
	for (ti = 0; ti < N / T; ti++)
		for (tj = 0; tj < N / T; tj++)
			for (tk = 0; tk < N / T; tk++)
				for (i = 0; i < T; i++) {
					uint16_t u = (uint16_t)(ti & 1);
					int row = ti * T + i;

					/* a row of the A tile, 64 bytes */
					rec[n++] = (struct mw_access){
						base[0] + (mw_addr)(row * N +
								    tk * T) *
								  4,
						T * 4, u, MW_OP_READ, 1};
					for (k = 0; k < T; k += 8)
						rec[n++] = (struct mw_access){
							base[1] +
								(mw_addr)((tk * T +
									   i) * N +
									  tj * T +
									  k) *
									4,
							32, u, MW_OP_READ, 2};
					if (tk == N / T - 1)
						rec[n++] = (struct mw_access){
							base[2] +
								(mw_addr)(row * N +
									  tj * T) *
									4,
							T * 4, u, MW_OP_WRITE,
							3};
				}
	w = mw_trace_create(argv[1], &h, NULL, &d);
	if (!w || mw_writer_write(w, rec, n, &d) || mw_writer_commit(w, &d)) {
		fprintf(stderr, "%s\n", d.msg);
		return 1;
	}
	printf("%zu records\n", n);
	mw_header_free(&h);
	return argc > 2;
}
