/*
 * mwt_codec.c - records <-> columns for one block of the native format.
 *
 * Notes (the model of a trace this codec bets on):
 *  - Real traces interleave a few sequential or strided streams (one per
 *    tensor, per CTA, per loop) with scattered accesses.  Both sides keep
 *    MWT_SLOTS recent addresses, each with its last stride and the
 *    attributes (size, unit, op, tensor) of its last record.
 *  - Each record names one slot and one of four address modes (token
 *    bit 5 says a delta follows, bit 6 picks the variant):
 *      predicted (00): addr = slot.addr + slot.stride  (no delta bytes)
 *      repeat    (10): addr = slot.addr (stride kept), as a read-modify-write
 *      step      (01): addr = slot.addr + delta, and the stride becomes delta
 *      new       (11): addr = slot.addr + delta, stored in a fresh slot taken
 *                      by CLOCK replacement, stride = the record's size; the
 *                      named slot is untouched
 *    The encoder picks a predicting slot if any, else a slot holding the
 *    same address, else the nearest slot: a step when the distance is at
 *    most NEAR_BYTES, else a new stream.  A small hash from each slot's
 *    predicted address finds the predicting slot without scanning all of
 *    them in the common case (only the encoder keeps it).
 *  - Attributes are predicted from the named slot; the records where the
 *    prediction fails carry theirs in four run-length coded columns.
 *  - Fresh slots enter CLOCK unreferenced, so one-off scattered accesses
 *    are evicted before the streams that keep using their slots.
 *  - Every block starts from the same slots (address 0, stride 0, and
 *    attributes of a 1-byte read by unit 0, untagged), so blocks decode
 *    independently, and a slot's attributes are valid from the start: a
 *    record predicted from any slot is a valid record.
 *  - Deltas are wrapping 64-bit differences, zigzag coded, so any address
 *    pair round-trips exactly, then written as prefix varints: the number
 *    of trailing zero bits of the first byte, plus one, is the length in
 *    bytes (1..8, 7 payload bits per byte, little-endian); a first byte
 *    of 0 is followed by the 8-byte value.  Unlike LEB128 the length is
 *    known from one load, so decoding needs no loop and no
 *    data-dependent branch: that is most of the decoder's speed on
 *    scattered accesses.  Decoding loads 8 bytes at a time, so columns
 *    are followed by MWT_PAD readable bytes (mwt_codec.h).
 *  - The decoder validates as it goes: attributes are checked where they
 *    enter (the run-length columns), so a record never comes out with
 *    size 0 or an op, unit or tensor out of range, and no column is read
 *    past its end; a block that fails is reported corrupt.
 */
#include "traces/mwt_codec.h"

#include "common/alloc.h"
#include "common/err.h"
#include "common/hot.h"

#include <string.h>

#define NEAR_BYTES  (1u << 16)
#define TOKEN_SLOT  0x1fu
#define TOKEN_DELTA 0x20u /* a delta follows */
#define TOKEN_ALT   0x40u /* repeat (no delta) or new (with delta) */
#define TOKEN_SAME  0x80u /* attributes as the named slot's */

enum {
	MODE_PREDICT = 0,
	MODE_STEP = TOKEN_DELTA,
	MODE_REPEAT = TOKEN_ALT,
	MODE_NEW = TOKEN_DELTA | TOKEN_ALT
};

#define ATTR_COLS 4 /* op, size, unit, tensor: MWT_COL_OP + i */

size_t mwt_column_max(enum mwt_column c, size_t n)
{
	switch (c) {
	case MWT_COL_TOKEN:
		return n;
	case MWT_COL_DELTA:
		return 9 * n;
	default:
		return 20 * n; /* a (value, run) pair per record at most */
	}
}

#define FRESH_ATTRS 1ull /* size 1, unit 0, read, untagged */

static void reset_slots(struct mwt_slot *slots)
{
	int i;

	memset(slots, 0, MWT_SLOTS * sizeof(*slots));
	for (i = 0; i < MWT_SLOTS; i++)
		slots[i].attrs = FRESH_ATTRS;
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
static inline unsigned clock_pick(uint32_t *ref, unsigned *hand)
{
	uint32_t free = ~rotr32(*ref, *hand);
	unsigned k = free ? (unsigned)__builtin_ctz(free) : 0;
	unsigned v = (*hand + k) % MWT_SLOTS;

	if (!free)
		*ref = 0;
	else if (k)
		*ref &= ~rotl32((1u << k) - 1, *hand);
	*ref &= ~(1u << v);
	*hand = (v + 1) % MWT_SLOTS;
	return v;
}

static inline unsigned clock_victim(struct mwt_clock *c)
{
	return clock_pick(&c->ref, &c->hand);
}

/* ---- encoder ------------------------------------------------------------ */

int mwt_encoder_init(struct mwt_encoder *e, size_t max_records)
{
	int c;

	memset(e, 0, sizeof(*e));
	e->cap_records = max_records;
	for (c = 0; c < MWT_COLUMNS; c++) {
		e->col[c] = mw_malloc(
			mwt_column_max((enum mwt_column)c, max_records));
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

/* Prefix varint (see the Notes); returns the bytes written (1..9). */
static inline size_t put_pvarint(uint8_t *p, uint64_t v)
{
	unsigned bits = v ? 64 - (unsigned)__builtin_clzll(v) : 1;
	size_t len = (bits + 6) / 7, i;
	uint64_t x;

	if (len > 8) {
		p[0] = 0;
		for (i = 0; i < 8; i++)
			p[1 + i] = (uint8_t)(v >> (8 * i));
		return 9;
	}
	x = (v << len) | (1ull << (len - 1));
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(x >> (8 * i));
	return len;
}

static inline uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (uint64_t) - (int64_t)(d >> 63);
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

static void rle_push(struct mwt_encoder *e, int col, struct rle *r, uint64_t v)
{
	if (r->run && r->val == v) {
		r->run++;
		return;
	}
	rle_flush(e, col, r);
	r->val = v;
	r->run = 1;
}

static inline unsigned pred_hash(uint64_t a)
{
	return (unsigned)((a * 0x9e3779b97f4a7c15ull) >> 56);
}

/* Chooses slot and mode for address a with attributes attrs. */
static unsigned choose(const struct mwt_encoder *e, uint64_t a, uint64_t attrs,
		       unsigned *mode)
{
	const struct mwt_slot *slots = e->slots;
	unsigned hint = e->pred[pred_hash(a)];
	int predicted = -1, repeated = -1;
	unsigned i, nearest = 0;
	uint64_t best = UINT64_MAX;

	if (hint) {
		const struct mwt_slot *s = &slots[hint - 1];

		if (s->addr + s->stride == a && s->attrs == attrs) {
			*mode = MODE_PREDICT;
			return hint - 1;
		}
	}
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

void mwt_encode(struct mwt_encoder *e, const struct mw_access *recs, size_t n)
{
	struct rle rle[ATTR_COLS] = {{0, 0}};
	uint8_t *tok = e->col[MWT_COL_TOKEN];
	uint8_t *dp = e->col[MWT_COL_DELTA];
	size_t i;
	int c;

	reset_slots(e->slots);
	memset(&e->clock, 0, sizeof(e->clock));
	memset(e->pred, 0, sizeof(e->pred));
	memset(e->len, 0, sizeof(e->len));
	for (i = 0; i < n; i++) {
		const struct mw_access *r = &recs[i];
		uint64_t attrs = pack_attrs(r), a = r->addr;
		unsigned mode, si = choose(e, a, attrs, &mode);
		struct mwt_slot *s = &e->slots[si];
		unsigned same = s->attrs == attrs;

		tok[i] = (uint8_t)(si | mode | (same ? TOKEN_SAME : 0));
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
			dp += put_pvarint(dp, zigzag(a - s->addr));
			s->stride = a - s->addr;
			s->addr = a;
			break;
		case MODE_REPEAT:
			break;
		case MODE_NEW:
			dp += put_pvarint(dp, zigzag(a - s->addr));
			si = clock_victim(&e->clock);
			s = &e->slots[si];
			s->addr = a;
			s->stride = r->size;
			s->attrs = attrs;
			e->pred[pred_hash(a + s->stride)] = (uint8_t)(si + 1);
			continue;
		}
		s->attrs = attrs;
		e->clock.ref |= 1u << si;
		e->pred[pred_hash(s->addr + s->stride)] = (uint8_t)(si + 1);
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

	reset_slots(d->slots);
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
	return (z >> 1) ^ (uint64_t) - (int64_t)(z & 1);
}

/*
 * Starts the next run of attribute column i, checking its value; left is
 * the number of records not yet decoded, this one included.
 */
static int next_run(struct mwt_decoder *d, int i, uint64_t left)
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
	if (run >= left) {
		d->why = "attribute run longer than the block";
		return MW_ECORRUPT;
	}
	d->run_val[i] = v;
	d->run_left[i] = run + 1;
	return 0;
bad:
	d->why = i == 0	  ? "op out of range"
		 : i == 1 ? "size out of range"
		 : i == 2 ? "unit beyond the header's unit count"
			  : "tensor beyond the header's tensor table";
	return MW_ECORRUPT;
}

/* Attributes of the next record whose slot mispredicted them. */
static inline int next_attrs(struct mwt_decoder *d, uint64_t left,
			     uint64_t *attrs)
{
	int i;

	for (i = 0; i < ATTR_COLS; i++) {
		if (!d->run_left[i]) {
			int err = next_run(d, i, left);

			if (err)
				return err;
		}
		d->run_left[i]--;
	}
	*attrs = d->run_val[1] | d->run_val[2] << 32 | d->run_val[0] << 48 |
		 d->run_val[3] << 56;
	return 0;
}

static inline uint64_t load64le(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/*
 * Decodes the prefix varint at p (MWT_PAD readable bytes past the column
 * end make the 8-byte load safe); sets *len to its length.
 */
static inline uint64_t get_pvarint(const uint8_t *p, unsigned *len)
{
	uint64_t x = load64le(p);
	unsigned n;

	if (MW_UNLIKELY(!(x & 0xff))) {
		*len = 9;
		return load64le(p + 1);
	}
	n = (unsigned)__builtin_ctzll(x) + 1;
	*len = n;
	/* n <= 8: 7n <= 56 payload bits above the n length bits */
	return (x >> n) & ((1ull << (7 * n)) - 1);
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

MW_HOT_CLONES
long mwt_decode(struct mwt_decoder *d, struct mw_access *out, size_t cap)
{
	struct mwt_slot *slots = d->slots;
	uint32_t ref = d->clock.ref;
	unsigned hand = d->clock.hand;
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
		unsigned t = tok[i], si = t & TOKEN_SLOT, len;
		struct mwt_slot *s = &slots[si];
		uint64_t attrs = 0, a, z, delta;

		if (MW_LIKELY(t & TOKEN_SAME)) {
			attrs = s->attrs;
		} else {
			ret = next_attrs(d, d->left - i, &attrs);
			if (ret)
				goto out;
		}
		if (!(t & TOKEN_DELTA)) {
			/* predicted, or a repeat of the slot's address */
			a = s->addr + (t & TOKEN_ALT ? 0 : s->stride);
			s->addr = a;
			s->attrs = attrs;
			ref |= 1u << si;
			store(&out[i], a, attrs);
			continue;
		}
		z = get_pvarint(dp, &len);
		dp += len;
		if (MW_UNLIKELY(dp > dend)) {
			d->why = "delta column ends early";
			goto corrupt;
		}
		delta = unzigzag(z);
		a = s->addr + delta;
		if (t & TOKEN_ALT) {
			/* a new stream in the slot CLOCK gives up */
			s = &slots[clock_pick(&ref, &hand)];
			s->stride = (uint32_t)attrs;
		} else {
			s->stride = delta;
			ref |= 1u << si;
		}
		s->addr = a;
		s->attrs = attrs;
		store(&out[i], a, attrs);
	}
	ret = (long)n;
	goto out;
corrupt:
	ret = MW_ECORRUPT;
out:
	d->clock.ref = ref;
	d->clock.hand = hand;
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
