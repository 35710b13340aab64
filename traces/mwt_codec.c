/*
 * mwt_codec.c - records <-> columns for one block of the native format.
 *
 * Notes (the model of a trace this codec bets on):
 *  - Real traces interleave a few sequential or strided streams (one per
 *    tensor, per CTA, per loop) with scattered accesses.  Both sides keep
 *    MWT_SLOTS recent addresses, each with its last stride and the
 *    attributes (size, unit, op, tensor) of its last record.
 *  - Each record names one slot and one of four address modes:
 *      0 predicted: addr = slot.addr + slot.stride    (no delta bytes)
 *      1 step:      addr = slot.addr + delta, and the stride becomes delta
 *      2 new:       addr = slot.addr + delta, stored in a fresh slot taken
 *                   by CLOCK replacement, stride = the record's size; the
 *                   named slot is untouched
 *      3 repeat:    addr = slot.addr (stride kept), as a read-modify-write
 *    The encoder picks a predicting slot if any, else a slot holding the
 *    same address, else the nearest slot: a step when the distance is at
 *    most NEAR_BYTES, else a new stream.
 *  - Attributes are predicted from the named slot; the records where the
 *    prediction fails carry theirs in four run-length coded columns.
 *  - Fresh slots enter CLOCK unreferenced, so one-off scattered accesses
 *    are evicted before the streams that keep using their slots.
 *  - Every block starts from zeroed slots: blocks decode independently.
 *  - Deltas are wrapping 64-bit differences, zigzag coded, so any address
 *    pair round-trips exactly.
 *  - The decoder validates as it goes: a record never comes out with size
 *    0, an op, unit or tensor out of range, and no column is read past its
 *    end; a block that fails is reported corrupt, never decoded into
 *    garbage.
 */
#include "traces/mwt_codec.h"

#include "common/alloc.h"
#include "common/err.h"

#include <string.h>

#define NEAR_BYTES (1u << 16)
#define TOKEN_SLOT 0x1fu
#define TOKEN_MODE_SHIFT 5
#define TOKEN_SAME 0x80u

enum { MODE_PREDICT, MODE_STEP, MODE_NEW, MODE_REPEAT };

#define ATTR_COLS 4 /* op, size, unit, tensor: MWT_COL_OP + i */

size_t mwt_column_max(enum mwt_column c, size_t n)
{
	switch (c) {
	case MWT_COL_TOKEN:
		return n;
	case MWT_COL_DELTA:
		return 10 * n;
	default:
		return 20 * n; /* a (value, run) pair per record at most */
	}
}

static inline uint64_t pack_attrs(const struct mw_access *r)
{
	return (uint64_t)r->size | (uint64_t)r->unit << 32 |
	       (uint64_t)r->op << 48 | (uint64_t)r->tensor << 56;
}

_Static_assert(MWT_SLOTS == 32, "the CLOCK bit tricks assume 32 slots");

static inline uint32_t rotr32(uint32_t x, unsigned k)
{
	return k ? x >> k | x << (32 - k) : x;
}

static inline uint32_t rotl32(uint32_t x, unsigned k)
{
	return k ? x << k | x >> (32 - k) : x;
}

/*
 * CLOCK in constant time: the hand sweeps from its position, clearing the
 * reference bits it passes, and stops at the first unreferenced slot;
 * with every bit set it goes round once, clearing all, and takes the slot
 * it started at.  The victim enters unreferenced.
 */
static inline unsigned clock_victim(struct mwt_clock *c)
{
	uint32_t free = ~rotr32(c->ref, c->hand);
	unsigned k = free ? (unsigned)__builtin_ctz(free) : 0;
	unsigned v = (c->hand + k) % MWT_SLOTS;

	if (!free)
		c->ref = 0;
	else if (k)
		c->ref &= ~rotl32((1u << k) - 1, c->hand);
	c->ref &= ~(1u << v);
	c->hand = (v + 1) % MWT_SLOTS;
	return v;
}

/* ---- encoder ------------------------------------------------------------ */

int mwt_encoder_init(struct mwt_encoder *e, size_t max_records)
{
	int c;

	memset(e, 0, sizeof(*e));
	e->cap_records = max_records;
	for (c = 0; c < MWT_COLUMNS; c++) {
		e->col[c] = mw_malloc(mwt_column_max((enum mwt_column)c,
						     max_records));
		if (!e->col[c]) {
			mwt_encoder_fini(e);
			return MW_ENOMEM;
		}
	}
	return 0;
}

void mwt_encoder_fini(struct mwt_encoder *e)
{
	int c;

	for (c = 0; c < MWT_COLUMNS; c++) {
		mw_free(e->col[c]);
		e->col[c] = NULL;
	}
}

static inline size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (uint64_t)-(int64_t)(d >> 63);
}

struct rle {
	uint64_t val;
	uint64_t run; /* 0 = nothing pending */
};

static void rle_flush(struct mwt_encoder *e, int col, struct rle *r)
{
	if (!r->run)
		return;
	e->len[col] += put_varint(e->col[col] + e->len[col], r->val);
	e->len[col] += put_varint(e->col[col] + e->len[col], r->run - 1);
	r->run = 0;
}

static void rle_push(struct mwt_encoder *e, int col, struct rle *r,
		     uint64_t v)
{
	if (r->run && r->val == v) {
		r->run++;
		return;
	}
	rle_flush(e, col, r);
	r->val = v;
	r->run = 1;
}

/* Chooses slot and mode for address a with attributes attrs. */
static unsigned choose(const struct mwt_slot *slots, uint64_t a,
		       uint64_t attrs, unsigned *mode)
{
	int predicted = -1, repeated = -1;
	unsigned i, nearest = 0;
	uint64_t best = UINT64_MAX;

	for (i = 0; i < MWT_SLOTS; i++) {
		const struct mwt_slot *s = &slots[i];
		uint64_t dist;

		if (s->addr + s->stride == a &&
		    (predicted < 0 || s->attrs == attrs)) {
			predicted = (int)i;
			if (s->attrs == attrs)
				break;
		}
		if (s->addr == a && (repeated < 0 || s->attrs == attrs))
			repeated = (int)i;
		dist = a >= s->addr ? a - s->addr : s->addr - a;
		if (dist < best) {
			best = dist;
			nearest = i;
		}
	}
	if (predicted >= 0) {
		*mode = MODE_PREDICT;
		return (unsigned)predicted;
	}
	if (repeated >= 0) {
		*mode = MODE_REPEAT;
		return (unsigned)repeated;
	}
	*mode = best <= NEAR_BYTES ? MODE_STEP : MODE_NEW;
	return nearest;
}

void mwt_encode(struct mwt_encoder *e, const struct mw_access *recs,
		size_t n)
{
	struct rle rle[ATTR_COLS] = { { 0, 0 } };
	uint8_t *tok = e->col[MWT_COL_TOKEN];
	uint8_t *dp = e->col[MWT_COL_DELTA];
	size_t i;
	int c;

	memset(e->slots, 0, sizeof(e->slots));
	memset(&e->clock, 0, sizeof(e->clock));
	memset(e->len, 0, sizeof(e->len));
	for (i = 0; i < n; i++) {
		const struct mw_access *r = &recs[i];
		uint64_t attrs = pack_attrs(r), a = r->addr;
		unsigned mode, si = choose(e->slots, a, attrs, &mode);
		struct mwt_slot *s = &e->slots[si];
		unsigned same = s->attrs == attrs;

		tok[i] = (uint8_t)(si | mode << TOKEN_MODE_SHIFT |
				   (same ? TOKEN_SAME : 0));
		if (!same) {
			rle_push(e, MWT_COL_OP, &rle[0], r->op);
			rle_push(e, MWT_COL_SIZE, &rle[1], r->size);
			rle_push(e, MWT_COL_UNIT, &rle[2], r->unit);
			rle_push(e, MWT_COL_TENSOR, &rle[3], r->tensor);
		}
		switch (mode) {
		case MODE_PREDICT:
			s->addr = a;
			break;
		case MODE_STEP:
			dp += put_varint(dp, zigzag(a - s->addr));
			s->stride = a - s->addr;
			s->addr = a;
			break;
		case MODE_REPEAT:
			break;
		case MODE_NEW:
			dp += put_varint(dp, zigzag(a - s->addr));
			s = &e->slots[clock_victim(&e->clock)];
			s->addr = a;
			s->stride = r->size;
			s->attrs = attrs;
			continue;
		}
		s->attrs = attrs;
		e->clock.ref |= 1u << si;
	}
	for (c = 0; c < ATTR_COLS; c++)
		rle_flush(e, MWT_COL_OP + c, &rle[c]);
	e->len[MWT_COL_TOKEN] = n;
	e->len[MWT_COL_DELTA] = (size_t)(dp - e->col[MWT_COL_DELTA]);
}

/* ---- decoder ------------------------------------------------------------ */

void mwt_decode_begin(struct mwt_decoder *d, const uint8_t *const col[],
		      const size_t len[], uint64_t nrec, uint32_t units,
		      uint32_t ntensors)
{
	int c;

	memset(d->slots, 0, sizeof(d->slots));
	memset(&d->clock, 0, sizeof(d->clock));
	for (c = 0; c < MWT_COLUMNS; c++) {
		d->pos[c] = col[c];
		d->end[c] = col[c] + len[c];
	}
	memset(d->run_left, 0, sizeof(d->run_left));
	memset(d->run_val, 0, sizeof(d->run_val));
	d->left = nrec;
	d->units = units;
	d->ntensors = ntensors;
	d->why = NULL;
}

/* Reads one LEB128 value; false on a truncated or over-long encoding. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end,
			     uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (p == end || shift > 63)
			return 0;
		b = *p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	*pp = p;
	*v = x;
	return 1;
}

static inline uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

/* Starts the next run of attribute column i, checking its value. */
static int next_run(struct mwt_decoder *d, int i)
{
	int c = MWT_COL_OP + i;
	uint64_t v, run;

	if (!get_varint(&d->pos[c], d->end[c], &v) ||
	    !get_varint(&d->pos[c], d->end[c], &run)) {
		d->why = "attribute column ends early";
		return MW_ECORRUPT;
	}
	switch (i) {
	case 0:
		if (v >= MW_OP_COUNT)
			goto bad;
		break;
	case 1:
		if (v == 0 || v > UINT32_MAX)
			goto bad;
		break;
	case 2:
		if (v >= d->units)
			goto bad;
		break;
	default:
		if (v > d->ntensors)
			goto bad;
		break;
	}
	if (run >= d->left) {
		d->why = "attribute run longer than the block";
		return MW_ECORRUPT;
	}
	d->run_val[i] = v;
	d->run_left[i] = run + 1;
	return 0;
bad:
	d->why = i == 0 ? "op out of range" :
		 i == 1 ? "size out of range" :
		 i == 2 ? "unit beyond the header's unit count" :
			  "tensor beyond the header's tensor table";
	return MW_ECORRUPT;
}

/* Attributes of the next record whose slot mispredicted them. */
static inline int next_attrs(struct mwt_decoder *d, uint64_t *attrs)
{
	int i;

	for (i = 0; i < ATTR_COLS; i++) {
		if (!d->run_left[i]) {
			int err = next_run(d, i);

			if (err)
				return err;
		}
		d->run_left[i]--;
	}
	*attrs = d->run_val[1] | d->run_val[2] << 32 | d->run_val[0] << 48 |
		 d->run_val[3] << 56;
	return 0;
}

/* Reads a LEB128 value with at least 10 bytes available: no bound checks. */
static inline uint64_t get_varint_fast(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint64_t x = p[0] & 0x7f;
	unsigned i = 1;

	if (p[0] & 0x80) {
		do {
			x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		} while ((p[i++] & 0x80) && i < 10);
	}
	*pp = p + i;
	return x;
}

/* The next delta; false when the column ends early or a value is too long. */
static inline int next_delta(const uint8_t **dp, const uint8_t *dend,
			     uint64_t *z)
{
	if (dend - *dp >= 10) {
		*z = get_varint_fast(dp);
		return !((*dp)[-1] & 0x80);
	}
	return get_varint(dp, dend, z);
}

static inline void store(struct mw_access *o, uint64_t a, uint64_t attrs)
{
	o->addr = a;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* size, unit, op, tensor are laid out as attrs packs them. */
	memcpy(&o->size, &attrs, sizeof(attrs));
#else
	o->size = (uint32_t)attrs;
	o->unit = (uint16_t)(attrs >> 32);
	o->op = (uint8_t)(attrs >> 48);
	o->tensor = (uint8_t)(attrs >> 56);
#endif
}

long mwt_decode(struct mwt_decoder *d, struct mw_access *out, size_t cap)
{
	struct mwt_slot *slots = d->slots;
	struct mwt_clock clock = d->clock;
	const uint8_t *tok = d->pos[MWT_COL_TOKEN];
	const uint8_t *dp = d->pos[MWT_COL_DELTA];
	const uint8_t *dend = d->end[MWT_COL_DELTA];
	size_t n = cap < d->left ? cap : (size_t)d->left, i;
	long ret;

	if ((size_t)(d->end[MWT_COL_TOKEN] - tok) < n) {
		d->why = "token column shorter than the record count";
		return MW_ECORRUPT;
	}
	for (i = 0; i < n; i++) {
		unsigned t = tok[i], si = t & TOKEN_SLOT;
		struct mwt_slot *s = &slots[si];
		uint64_t attrs, a, z;

		if (t & TOKEN_SAME) {
			attrs = s->attrs;
			if (!(uint32_t)attrs) {
				d->why = "record refers to an empty slot";
				goto corrupt;
			}
		} else {
			d->left -= i; /* run checks compare with records left */
			ret = next_attrs(d, &attrs);
			d->left += i;
			if (ret)
				goto out;
		}
		switch ((t >> TOKEN_MODE_SHIFT) & 3) {
		case MODE_PREDICT:
			a = s->addr + s->stride;
			s->addr = a;
			break;
		case MODE_STEP:
			if (!next_delta(&dp, dend, &z))
				goto short_delta;
			s->stride = unzigzag(z);
			a = s->addr + s->stride;
			s->addr = a;
			break;
		case MODE_REPEAT:
			a = s->addr;
			break;
		default: /* MODE_NEW */
			if (!next_delta(&dp, dend, &z))
				goto short_delta;
			a = s->addr + unzigzag(z);
			s = &slots[clock_victim(&clock)];
			s->addr = a;
			s->stride = (uint32_t)attrs;
			s->attrs = attrs;
			store(&out[i], a, attrs);
			continue;
		}
		s->attrs = attrs;
		clock.ref |= 1u << si;
		store(&out[i], a, attrs);
	}
	ret = (long)n;
	goto out;
short_delta:
	d->why = "delta column ends early";
corrupt:
	ret = MW_ECORRUPT;
out:
	d->clock = clock;
	d->pos[MWT_COL_TOKEN] = tok + (ret > 0 ? (size_t)ret : 0);
	d->pos[MWT_COL_DELTA] = dp;
	if (ret > 0)
		d->left -= (uint64_t)ret;
	return ret;
}

int mwt_decode_end(struct mwt_decoder *d)
{
	int c;

	if (d->left) {
		d->why = "block ended before its record count";
		return MW_ECORRUPT;
	}
	for (c = 0; c < MWT_COLUMNS; c++) {
		if (d->pos[c] != d->end[c]) {
			d->why = "column holds bytes past its last record";
			return MW_ECORRUPT;
		}
	}
	for (c = 0; c < ATTR_COLS; c++) {
		if (d->run_left[c]) {
			d->why = "attribute run longer than its records";
			return MW_ECORRUPT;
		}
	}
	return 0;
}
