/*
 * fuzz_mwt_codec.c - the native column decoder on arbitrary columns: the
 * first 13 bytes give the record count, unit and tensor limits and the
 * column lengths; the rest is column data.  Decoded records are checked
 * against the limits, and whatever decodes is re-encoded and must decode
 * to the same records.
 */
#include "traces/mwt_codec.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mw_access out[4096], again[4096];
	const uint8_t *col[MWT_COLUMNS];
	size_t len[MWT_COLUMNS], off = 13, total = 0;
	struct mwt_decoder d;
	struct mwt_encoder e;
	uint8_t *buf;
	uint32_t nrec, units, ntensors;
	long n;
	int c;

	if (size < 13)
		return 0;
	nrec = 1 + (data[0] | data[1] << 8) % 4096;
	units = 1 + data[2];
	ntensors = data[3];
	for (c = 0; c < MWT_COLUMNS; c++)
		len[c] = (size_t)(data[4 + c] | (c == 0 ? data[10] << 8 : 0));
	for (c = 0; c < MWT_COLUMNS; c++)
		total += len[c];
	if (total > size - off)
		return 0;
	buf = calloc(total + MWT_PAD, 1);
	memcpy(buf, data + off, total);
	for (c = 0, total = 0; c < MWT_COLUMNS; c++) {
		col[c] = buf + total;
		total += len[c];
	}
	mwt_decode_begin(&d, col, len, nrec, units, ntensors);
	n = mwt_decode(&d, out, 4096);
	if (n > 0 && mwt_decode(&d, out, 1) == 0 && mwt_decode_end(&d) == 0) {
		long i;

		for (i = 0; i < n; i++)
			if (!out[i].size || out[i].op >= MW_OP_COUNT ||
			    out[i].unit >= units || out[i].tensor > ntensors)
				abort();
		if (mwt_encoder_init(&e, (size_t)n))
			abort();
		mwt_encode(&e, out, (size_t)n);
		for (c = 0; c < MWT_COLUMNS; c++) {
			uint8_t *p = calloc(e.len[c] + MWT_PAD, 1);

			memcpy(p, e.col[c], e.len[c]);
			col[c] = p;
		}
		mwt_decode_begin(&d, col, e.len, (uint64_t)n, units, ntensors);
		if (mwt_decode(&d, again, 4096) != n ||
		    mwt_decode_end(&d) != 0 ||
		    memcmp(out, again, (size_t)n * sizeof(*out)))
			abort();
		for (c = 0; c < MWT_COLUMNS; c++)
			free((void *)col[c]);
		mwt_encoder_fini(&e);
	}
	free(buf);
	return 0;
}
