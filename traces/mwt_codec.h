/*
 * mwt_codec.h - the column codec of the native trace format: one block of
 * records <-> six byte columns, before deflate.  Pure functions of their
 * inputs; trace_mwt.c adds the file structure around them.
 *
 * Columns, in order:
 *   MWT_COL_TOKEN   one byte per record: slot (5 bits), address mode
 *                   (2 bits), "attributes as the slot's" (1 bit)
 *   MWT_COL_DELTA   zigzag prefix-varint address deltas for modes that
 *                   need one
 *   MWT_COL_OP, MWT_COL_SIZE, MWT_COL_UNIT, MWT_COL_TENSOR
 *                   run-length coded (value, run - 1) LEB128 pairs, holding
 *                   the attributes of the records whose slot mispredicted
 *                   them
 */
#ifndef MW_MWT_CODEC_H
#define MW_MWT_CODEC_H

#include "traces/access.h"

#include <stddef.h>
#include <stdint.h>

enum mwt_column {
	MWT_COL_TOKEN,
	MWT_COL_DELTA,
	MWT_COL_OP,
	MWT_COL_SIZE,
	MWT_COL_UNIT,
	MWT_COL_TENSOR,
	MWT_COLUMNS
};

#define MWT_SLOTS 32
#define MWT_PAD	  32 /* readable bytes the decoder needs past each column */

/* Most bytes a column can take for n records (bounds corrupt lengths). */
size_t mwt_column_max(enum mwt_column c, size_t n);

struct mwt_slot {
	uint64_t addr;	 /* last address seen in this slot */
	uint64_t stride; /* last step, as an unsigned (wrapping) difference */
	uint64_t attrs;	 /* size | unit << 32 | op << 48 | tensor << 56 */
	uint64_t pad;	 /* 32-byte slots index with a shift */
};

/* CLOCK replacement over the slots: reference bits and the hand. */
struct mwt_clock {
	uint32_t ref;  /* bit i: slot i used since the hand last passed */
	unsigned hand; /* next slot the hand looks at */
};

#define MWT_PRED_HASH 256

/* Encoder scratch: the columns of one block.  Owns its buffers. */
struct mwt_encoder {
	struct mwt_slot slots[MWT_SLOTS];
	struct mwt_clock clock;
	uint8_t pred[MWT_PRED_HASH]; /* hash of a predicted address -> slot + 1 */
	uint8_t *col[MWT_COLUMNS];   /* owned */
	size_t len[MWT_COLUMNS];     /* bytes used */
	size_t cap_records;	     /* block size the buffers are for */
};

/* Allocates buffers for blocks of up to max_records; 0 or MW_ENOMEM. */
int mwt_encoder_init(struct mwt_encoder *e, size_t max_records);
void mwt_encoder_fini(struct mwt_encoder *e);

/* Encodes n (<= max_records) records into fresh columns (e->col, e->len). */
void mwt_encode(struct mwt_encoder *e, const struct mw_access *recs, size_t n);

/* Decoder state for one block; plain data, no allocation. */
struct mwt_decoder {
	struct mwt_slot slots[MWT_SLOTS];
	struct mwt_clock clock;
	const uint8_t *pos[MWT_COLUMNS]; /* next unread byte per column */
	const uint8_t *end[MWT_COLUMNS]; /* end of each column */
	uint64_t run_val[4];		 /* current run per attribute column */
	uint64_t run_left[4];		 /* records left in that run */
	uint64_t left;			 /* records left in the block */
	uint32_t units;			 /* valid unit ids are < units */
	uint32_t ntensors;		 /* valid tensor ids are <= ntensors */
	const char *why;		 /* reason of the last failure */
};

/*
 * Starts decoding a block of nrec records from the given columns; each
 * column must be followed by MWT_PAD readable bytes (any content), since
 * the decoder loads 8 bytes at a time.
 */
void mwt_decode_begin(struct mwt_decoder *d, const uint8_t *const col[],
		      const size_t len[], uint64_t nrec, uint32_t units,
		      uint32_t ntensors);

/*
 * Decodes up to cap records; returns the count (0 when the block is
 * done) or MW_ECORRUPT with d->why set.
 */
long mwt_decode(struct mwt_decoder *d, struct mw_access *out, size_t cap);

/* After the last record: 0 if every column was used exactly, else MW_ECORRUPT. */
int mwt_decode_end(struct mwt_decoder *d);

#endif
