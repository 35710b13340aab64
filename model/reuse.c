/*
 * reuse.c - LRU stack distances and miss-ratio curves (see reuse.h).
 *
 * Notes:
 *  - Model: a fully associative LRU cache of C lines hits a reference
 *    exactly when its stack distance is < C (Mattson et al. 1970), so one
 *    histogram of distances gives the misses at every capacity.  Lines are
 *    address >> log2(line_bytes); an access covering several lines is one
 *    reference per line, lowest first.  Reads and writes are treated alike
 *    (no write-no-allocate): the curve is that of a write-allocate cache.
 *  - Exact distances: every tracked line has the timestamp of its last
 *    reference; a bit array marks the live timestamps (one per line); the
 *    distance of a reference is the number of live timestamps after the
 *    line's own.  Counting: popcount over the 64-bit words near the top
 *    (the "tail", not yet in the tree), plus a Fenwick tree over blocks of
 *    BLOCK_WORDS words for the rest; a reference costs at most one tree
 *    prefix query and one tree update, and none when its previous use is
 *    in the tail, which is where most reuse lies.  When the timestamps run
 *    out the live ones are renumbered 0..live-1 in order (compaction), so
 *    the bit array stays about 4x the footprint in bits and the tree stays
 *    cache-resident.
 *  - The line -> (timestamp, last reference time) map is 256 open-
 *    addressing sub-tables picked by the top 8 bits of a Fibonacci hash,
 *    each with linear probing at load <= 3/4 and 16-byte slots, growing on
 *    its own: a growth then allocates 1/256 of the table and reuses the
 *    memory earlier growths freed, instead of touching twice the final
 *    table in fresh pages (whose first touch was 40% of the run time on
 *    the build machine).  Prefetched a few records ahead in the plain
 *    exact loop; deletion (fixed-memory sampling) shifts entries back, no
 *    tombstones.
 *  - An immediate re-reference of the last line of a stack (distance 0)
 *    touches neither the table nor the bit array.
 *  - Histograms: distances (and reuse times) below exact_lines are counted
 *    one bin per value; above, 128 bins per octave, so powers of two are
 *    always bin edges and a query at a bin edge is exact.  Cold references
 *    are counted apart.  A split keeps one histogram per scope; scope 0
 *    ("all") is their sum, built at mw_reuse_finish.
 *  - Sampling (SHARDS): a line is tracked when h = line * SAMPLE_MUL (a
 *    bijection on 64-bit words, so distinct lines have distinct hashes) is
 *    <= the threshold; rate = (threshold + 1) / 2^64.  A tracked reference
 *    adds weight 1/rate at distance d/rate, so the histograms estimate
 *    true reference counts.  Fixed-memory keeps a max-heap of the tracked
 *    (hash, stack) pairs, one threshold for all stacks and at most
 *    max_lines pairs in total: when over, the largest hash is evicted from
 *    its stack and the threshold drops below it (weights already counted
 *    stay at the rate they were taken at).  Miss ratios are over the
 *    sample's total weight (plain SHARDS).  With opts.adjust (SHARDS-adj)
 *    the difference between the true reference count of a scope and its
 *    weight goes to its distance-0 bin instead and ratios are over the
 *    true count; on the bench traces (mixed and strided, rates 1% and
 *    0.1%, fixed-memory) that erred as much or more, so it is off.
 *    Misses are the ratio times the true reference count.
 *  - Reuse time counts line references of the same stack (sampled or
 *    not), including distance-0 repeats.  A slot keeps the low 32 bits of
 *    the clock at its last reference; the high part comes from the epoch
 *    (2^31 references) of its timestamp, found among the first timestamps
 *    of the epochs (renumbered with the rest at compaction), so reuse
 *    times are exact at any trace length with 16-byte slots.
 */
#include "model/reuse.h"

#include "common/alloc.h"
#include "common/err.h"
#include "common/hot.h"
#include "traces/stream.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define HASH_MUL   0x9e3779b97f4a7c15ull /* table index: Fibonacci hashing */
#define SAMPLE_MUL 0xd6e8feb86659fd93ull /* sampling hash, odd */

#define TABLE_BITS  8	       /* log2 of the sub-tables per stack */
#define BIG_BYTES   (4u << 20) /* huge pages from this size up */
#define TABLES	    (1u << TABLE_BITS)
#define TABLE_MIN   16 /* initial slots per sub-table */
#define BLOCK_WORDS 8  /* 64-bit words per Fenwick leaf (512 timestamps) */
#define BLOCK_SHIFT 3
#define TAIL_BLOCKS 2 /* complete tail blocks that trigger a flush */
#define MIN_TS	    (1u << 14)
#define SUB_BITS    7 /* log2 of bins per octave above exact_lines */
#ifndef PREFETCH
#define PREFETCH 16 /* records ahead in the exact loop */
#endif
#define ALWAYS __attribute__((always_inline)) inline

struct slot {
	uint64_t key; /* line + 1; 0 = empty */
	uint32_t ts;  /* compact timestamp of the last reference */
	uint32_t raw; /* stack clock at the last reference, mod 2^32 */
};

_Static_assert(sizeof(struct slot) == 16, "four slots per cache line");

/*
 * One of the TABLES sub-tables a stack's lines are spread over by the top
 * bits of their hash: each grows on its own, so a growth allocates 1/256
 * of the table and the memory it frees serves the next ones.
 */
struct table {
	struct slot *slots;
	uint64_t mask;	/* slots - 1 */
	unsigned shift; /* 64 - log2(slots) */
	uint64_t count; /* lines in this sub-table */
};

/* One LRU stack. */
struct stack {
	struct table tab[TABLES];
	uint64_t count;	 /* lines in the tables */
	struct slot top; /* the line UINT64_MAX, whose key would wrap */
	uint64_t *bits;	 /* live timestamps */
	uint32_t *fen;	 /* Fenwick tree over blocks, 1-based */
	uint64_t nts;	 /* timestamps available (multiple of 512) */
	uint64_t now;	 /* next timestamp */
	uint64_t fb;	 /* blocks < fb are in the tree */
	uint64_t fen_total;
	uint64_t tail_live;  /* live timestamps in blocks >= fb */
	uint64_t clock;	     /* references (reuse time) */
	uint64_t next_epoch; /* clock at which the next epoch starts */
	uint32_t *marks;     /* marks[e-1]: first timestamp of epoch e */
	uint64_t nmarks, cap_marks;
	unsigned epoch_log;
	uint32_t raw_mask;  /* 2^(epoch_log + 1) - 1: raw keeps those bits */
	uint64_t last_line; /* the most recent line (valid when has_last) */
	struct slot *last_slot;
	bool has_last;
};

struct hist {
	uint64_t *u; /* exact mode */
	double *w;   /* sampled mode */
	uint64_t cold_u;
	double cold_w;
	uint64_t refs; /* true references of the scope (all modes) */
	size_t max_bin;
	bool any;
};

struct heap_ent {
	uint64_t hash;
	uint32_t stack;
};

struct scope_data {
	struct hist dist;
	struct hist time;
	double *suffix; /* after finish: suffix[b] = distance weight in bins >= b */
	size_t nbins_used;
	double total; /* the miss-ratio denominator: refs, or without
			 SHARDS-adj the sample's total weight */
};

struct mw_reuse {
	struct mw_reuse_opts o;
	unsigned line_shift;
	unsigned exact_log;
	size_t nbins;
	bool sampled;
	bool finished;
	bool failed;
	uint64_t thr;	 /* sampling threshold (hash <= thr is tracked) */
	double inv_rate; /* 1 / current rate */
	uint64_t records;
	unsigned nscopes;
	struct scope_data **scopes; /* nscopes, lazily allocated */
	unsigned nstacks;
	struct stack **stacks; /* nstacks, lazily allocated */
	struct heap_ent *heap; /* fixed-memory */
	uint64_t heap_n, heap_cap;
	uint64_t sample_inv; /* SAMPLE_MUL^-1 mod 2^64 */
};

/*
 * Zeroed array for the big tables; asks for transparent huge pages, which
 * cuts the page faults of a table of hundreds of MiB by 512.
 */
static void *big_calloc(size_t n, size_t size)
{
	void *p = mw_calloc(n, size);

#ifdef MADV_HUGEPAGE
	if (p && n * size >= BIG_BYTES) {
		uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
		uintptr_t e = ((uintptr_t)p + n * size) & ~(uintptr_t)4095;

		madvise((void *)a, e - a, MADV_HUGEPAGE);
	}
#endif
	return p;
}

/* ---- histograms ---------------------------------------------------------- */

static ALWAYS unsigned log2_u64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static ALWAYS size_t bin_of(const struct mw_reuse *r, uint64_t d)
{
	unsigned k;

	if (d < r->o.exact_lines)
		return (size_t)d;
	k = log2_u64(d);
	return (size_t)r->o.exact_lines +
	       ((size_t)(k - r->exact_log) << SUB_BITS) +
	       (size_t)((d >> (k - SUB_BITS)) & ((1u << SUB_BITS) - 1));
}

/* Lower edge of bin b, and its width. */
static uint64_t bin_lo(const struct mw_reuse *r, size_t b, uint64_t *width)
{
	size_t e = r->o.exact_lines, i;
	unsigned k;

	if (b < e) {
		*width = 1;
		return b;
	}
	i = b - e;
	k = r->exact_log + (unsigned)(i >> SUB_BITS);
	*width = 1ull << (k - SUB_BITS);
	return ((1ull << SUB_BITS) + (i & ((1u << SUB_BITS) - 1)))
	       << (k - SUB_BITS);
}

static int hist_alloc(const struct mw_reuse *r, struct hist *h)
{
	if (r->sampled)
		h->w = mw_calloc(r->nbins, sizeof(*h->w));
	else
		h->u = mw_calloc(r->nbins, sizeof(*h->u));
	return h->u || h->w ? 0 : MW_ENOMEM;
}

static void hist_free(struct hist *h)
{
	mw_free(h->u);
	mw_free(h->w);
}

static ALWAYS void hist_add_u(struct hist *h, size_t b)
{
	h->u[b]++;
	if (b > h->max_bin)
		h->max_bin = b;
}

static ALWAYS void hist_add_w(struct hist *h, size_t b, double w)
{
	h->w[b] += w;
	if (b > h->max_bin)
		h->max_bin = b;
}

static double hist_get(const struct hist *h, size_t b)
{
	return h->u ? (double)h->u[b] : h->w[b];
}

static struct scope_data *scope_get(struct mw_reuse *r, unsigned s)
{
	struct scope_data *sd = r->scopes[s];

	if (MW_LIKELY(sd != NULL))
		return sd;
	sd = mw_calloc(1, sizeof(*sd));
	if (!sd)
		return NULL;
	if (hist_alloc(r, &sd->dist) || hist_alloc(r, &sd->time)) {
		hist_free(&sd->dist);
		hist_free(&sd->time);
		mw_free(sd);
		return NULL;
	}
	r->scopes[s] = sd;
	return sd;
}

/* ---- the stack's timestamp counter -------------------------------------- */

static ALWAYS void fen_add(struct stack *st, uint64_t block, int64_t v)
{
	uint64_t n = st->nts >> (6 + BLOCK_SHIFT), i;

	for (i = block + 1; i <= n; i += i & (~i + 1))
		st->fen[i] = (uint32_t)((int64_t)st->fen[i] + v);
}

/* Live timestamps in blocks 0..block. */
static ALWAYS uint64_t fen_prefix(const struct stack *st, uint64_t block)
{
	uint64_t i, s = 0;

	for (i = block + 1; i; i &= i - 1)
		s += st->fen[i];
	return s;
}

static ALWAYS uint64_t popc(uint64_t x)
{
	return (uint64_t)__builtin_popcountll(x);
}

/* Live timestamps after t (t < now). */
static ALWAYS uint64_t count_after(const struct stack *st, uint64_t t)
{
	uint64_t w = t >> 6, nw = (st->now - 1) >> 6, tb = w >> BLOCK_SHIFT;
	uint64_t c, end, i;

	c = popc(st->bits[w] & ~((2ull << (t & 63)) - 1));
	if (tb >= st->fb) {
		for (i = w + 1; i <= nw; i++)
			c += popc(st->bits[i]);
		return c;
	}
	end = (tb + 1) << BLOCK_SHIFT;
	for (i = w + 1; i < end; i++)
		c += popc(st->bits[i]);
	return c + st->fen_total - fen_prefix(st, tb) + st->tail_live;
}

static ALWAYS void clear_ts(struct stack *st, uint64_t t)
{
	uint64_t b = t >> (6 + BLOCK_SHIFT);

	assert(st->bits[t >> 6] & (1ull << (t & 63)));
	st->bits[t >> 6] &= ~(1ull << (t & 63));
	if (b < st->fb) {
		fen_add(st, b, -1);
		st->fen_total--;
	} else {
		st->tail_live--;
	}
}

/* Moves complete tail blocks into the tree. */
MW_HOT_CLONES
static void flush_tail(struct stack *st)
{
	uint64_t cur = st->now >> (6 + BLOCK_SHIFT);

	while (st->fb < cur) {
		uint64_t c = 0, i, w0 = st->fb << BLOCK_SHIFT;

		for (i = 0; i < BLOCK_WORDS; i++)
			c += popc(st->bits[w0 + i]);
		if (c)
			fen_add(st, st->fb, (int64_t)c);
		st->fen_total += c;
		st->tail_live -= c;
		st->fb++;
	}
}

static ALWAYS uint32_t rank_of(const uint32_t *pre, const uint64_t *bits,
			       uint32_t t)
{
	return pre[t >> 6] +
	       (uint32_t)popc(bits[t >> 6] & ((1ull << (t & 63)) - 1));
}

/*
 * Renumbers the live timestamps 0..live-1 in order and resizes the arrays
 * to about 4x the live count.  Slots whose bit is clear (the line being
 * referenced right now) get a meaningless value, overwritten by the caller.
 */
MW_HOT_CLONES
static int compact(struct stack *st)
{
	uint64_t nw = st->nts >> 6, live = 0, i, nts, nblocks, b, full;
	uint64_t *bits;
	uint32_t *fen, *pre;
	unsigned t;

	pre = mw_malloc((size_t)(nw + 1) * sizeof(*pre));
	if (!pre)
		return MW_ENOMEM;
	for (i = 0; i < nw; i++) {
		pre[i] = (uint32_t)live;
		live += popc(st->bits[i]);
	}
	nts = MIN_TS;
	while (nts < 4 * (live + 1))
		nts <<= 1;
	if (nts > (1ull << 32)) {
		mw_free(pre);
		return MW_ENOMEM;
	}
	bits = big_calloc((size_t)(nts >> 6), sizeof(*bits));
	nblocks = nts >> (6 + BLOCK_SHIFT);
	fen = mw_calloc((size_t)nblocks + 1, sizeof(*fen));
	if (!bits || !fen) {
		mw_free(bits);
		mw_free(fen);
		mw_free(pre);
		return MW_ENOMEM;
	}
	for (t = 0; t < TABLES; t++) {
		struct table *tb = &st->tab[t];

		for (i = 0; i <= tb->mask; i++)
			if (tb->slots[i].key)
				tb->slots[i].ts =
					rank_of(pre, st->bits, tb->slots[i].ts);
	}
	if (st->top.key)
		st->top.ts = rank_of(pre, st->bits, st->top.ts);
	for (i = 0; i < st->nmarks; i++)
		st->marks[i] = st->marks[i] >= st->nts
				       ? (uint32_t)live
				       : rank_of(pre, st->bits, st->marks[i]);
	mw_free(pre);
	for (i = 0; i < live >> 6; i++)
		bits[i] = ~0ull;
	if (live & 63)
		bits[live >> 6] = (1ull << (live & 63)) - 1;
	full = live >> (6 + BLOCK_SHIFT);
	/* Linear Fenwick build over the full blocks (512 live each). */
	for (b = 1; b <= full; b++)
		fen[b] += 512;
	for (b = 1; b <= nblocks; b++) {
		uint64_t p = b + (b & (~b + 1));

		if (p <= nblocks)
			fen[p] += fen[b];
	}
	mw_free(st->bits);
	mw_free(st->fen);
	st->bits = bits;
	st->fen = fen;
	st->nts = nts;
	st->now = live;
	st->fb = full;
	st->fen_total = full * 512;
	st->tail_live = live - full * 512;
	return 0;
}

/* Gives the referenced line a new timestamp (its old one is cleared). */
static ALWAYS int stamp(struct stack *st, struct slot *sl)
{
	uint64_t t;

	if (MW_UNLIKELY(st->now == st->nts) && compact(st))
		return MW_ENOMEM;
	t = st->now++;
	st->bits[t >> 6] |= 1ull << (t & 63);
	st->tail_live++;
	sl->ts = (uint32_t)t;
	if (MW_UNLIKELY((st->now >> (6 + BLOCK_SHIFT)) >= st->fb + TAIL_BLOCKS))
		flush_tail(st);
	return 0;
}

/* ---- the line table ------------------------------------------------------ */

static void stack_destroy(struct stack *st);

static struct stack *stack_create(unsigned epoch_log)
{
	struct stack *st = mw_calloc(1, sizeof(*st));
	bool ok = true;
	unsigned t;

	if (!st)
		return NULL;
	st->epoch_log = epoch_log;
	st->raw_mask = (uint32_t)((2ull << epoch_log) - 1);
	st->next_epoch = 1ull << epoch_log;
	for (t = 0; t < TABLES; t++) {
		st->tab[t].mask = TABLE_MIN - 1;
		st->tab[t].shift = 64 - 4;
		st->tab[t].slots = mw_calloc(TABLE_MIN, sizeof(struct slot));
		if (!st->tab[t].slots)
			ok = false;
	}
	st->nts = MIN_TS;
	st->bits = mw_calloc(MIN_TS >> 6, sizeof(*st->bits));
	st->fen =
		mw_calloc((MIN_TS >> (6 + BLOCK_SHIFT)) + 1, sizeof(*st->fen));
	if (!ok || !st->bits || !st->fen) {
		stack_destroy(st);
		return NULL;
	}
	return st;
}

static void stack_destroy(struct stack *st)
{
	unsigned t;

	if (!st)
		return;
	for (t = 0; t < TABLES; t++)
		mw_free(st->tab[t].slots);
	mw_free(st->bits);
	mw_free(st->fen);
	mw_free(st->marks);
	mw_free(st);
}

/* The sub-table of a key, and the key's home slot in it. */
static ALWAYS struct table *table_of(struct stack *st, uint64_t key)
{
	return &st->tab[(key * HASH_MUL) >> (64 - TABLE_BITS)];
}

static ALWAYS uint64_t slot_index(const struct table *tb, uint64_t key)
{
	return ((key * HASH_MUL) << TABLE_BITS) >> tb->shift;
}

static int grow(struct stack *st, struct table *tb)
{
	uint64_t n = (tb->mask + 1) * 2, i;
	struct slot *ns = big_calloc((size_t)n, sizeof(*ns));
	unsigned shift = tb->shift - 1;

	if (!ns)
		return MW_ENOMEM;
	for (i = 0; i <= tb->mask; i++) {
		uint64_t k = tb->slots[i].key, j;

		if (!k)
			continue;
		for (j = ((k * HASH_MUL) << TABLE_BITS) >> shift; ns[j].key;
		     j = (j + 1) & (n - 1))
			;
		ns[j] = tb->slots[i];
	}
	mw_free(tb->slots);
	tb->slots = ns;
	tb->mask = n - 1;
	tb->shift = shift;
	st->has_last = false;
	return 0;
}

/*
 * The slot of line; *fresh tells whether it was inserted now (its key is
 * set, ts and raw zero).  NULL on allocation failure.
 */
static ALWAYS struct slot *lookup(struct stack *st, uint64_t line, bool *fresh)
{
	uint64_t key = line + 1, i;
	struct table *tb;

	*fresh = false;
	if (MW_UNLIKELY(!key)) {
		if (!st->top.key) {
			st->top.key = 1;
			*fresh = true;
		}
		return &st->top;
	}
	tb = table_of(st, key);
	for (i = slot_index(tb, key);; i = (i + 1) & tb->mask) {
		if (tb->slots[i].key == key)
			return &tb->slots[i];
		if (!tb->slots[i].key)
			break;
	}
	if (MW_UNLIKELY((tb->count + 1) * 4 > (tb->mask + 1) * 3)) {
		if (grow(st, tb))
			return NULL;
		for (i = slot_index(tb, key); tb->slots[i].key;
		     i = (i + 1) & tb->mask)
			;
	}
	tb->slots[i].key = key;
	tb->slots[i].ts = 0;
	tb->slots[i].raw = 0;
	tb->count++;
	st->count++;
	*fresh = true;
	return &tb->slots[i];
}

/* Removes line (which must be present) from the table and the counter. */
static void stack_remove(struct stack *st, uint64_t line)
{
	uint64_t key = line + 1, i, j, home;
	struct table *tb;

	st->has_last = false;
	if (!key) {
		clear_ts(st, st->top.ts);
		memset(&st->top, 0, sizeof(st->top));
		return;
	}
	tb = table_of(st, key);
	for (i = slot_index(tb, key); tb->slots[i].key != key;
	     i = (i + 1) & tb->mask)
		assert(tb->slots[i].key);
	clear_ts(st, tb->slots[i].ts);
	tb->count--;
	st->count--;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (j = (i + 1) & tb->mask; tb->slots[j].key; j = (j + 1) & tb->mask) {
		home = slot_index(tb, tb->slots[j].key);
		if (((j - home) & tb->mask) >= ((j - i) & tb->mask)) {
			tb->slots[i] = tb->slots[j];
			i = j;
		}
	}
	memset(&tb->slots[i], 0, sizeof(tb->slots[i]));
}

/*
 * One reference to line in st: returns 0 and the distance (UINT64_MAX =
 * cold) and reuse time, or MW_ENOMEM.
 */
static int push_mark(struct stack *st)
{
	if (st->nmarks == st->cap_marks) {
		uint64_t nc = st->cap_marks ? st->cap_marks * 2 : 16;
		uint32_t *nm =
			mw_reallocarray(st->marks, (size_t)nc, sizeof(*nm));

		if (!nm)
			return MW_ENOMEM;
		st->marks = nm;
		st->cap_marks = nc;
	}
	st->marks[st->nmarks++] = (uint32_t)st->now;
	st->next_epoch += 1ull << st->epoch_log;
	/* The next reference restamps, so raw and ts share an epoch. */
	st->has_last = false;
	return 0;
}

/*
 * The full clock of a slot's last reference: its epoch is the number of
 * marks at or below its timestamp, its offset in the epoch (< 2^31) the
 * difference of the low epoch_log + 1 bits.
 */
static ALWAYS uint64_t raw_of(const struct stack *st, const struct slot *sl)
{
	uint64_t e = st->nmarks, lo, hi, base;

	if (MW_LIKELY(!e))
		return sl->raw; /* clock < 2^epoch_log: raw is all of it */
	if (sl->ts < st->marks[e - 1]) {
		lo = 0;
		hi = e - 1; /* answer in [lo, hi] */
		while (lo < hi) {
			uint64_t mid = (lo + hi + 1) / 2;

			if (st->marks[mid - 1] <= sl->ts)
				lo = mid;
			else
				hi = mid - 1;
		}
		e = lo;
	}
	base = e << st->epoch_log;
	return base + ((sl->raw - (uint32_t)base) & st->raw_mask);
}

static ALWAYS int stack_ref(struct stack *st, uint64_t line, uint64_t *dist,
			    uint64_t *time)
{
	struct slot *sl;
	bool fresh;

	st->clock++;
	/* >=: the sampled loops advance the clock without coming here. */
	while (MW_UNLIKELY(st->clock >= st->next_epoch))
		if (push_mark(st))
			return MW_ENOMEM;
	if (st->has_last && st->last_line == line) {
		sl = st->last_slot;
		*dist = 0;
		*time = st->clock - raw_of(st, sl);
		sl->raw = (uint32_t)st->clock & st->raw_mask;
		return 0;
	}
	sl = lookup(st, line, &fresh);
	if (MW_UNLIKELY(!sl))
		return MW_ENOMEM;
	if (fresh) {
		*dist = UINT64_MAX;
		*time = 0;
	} else {
		*dist = count_after(st, sl->ts);
		*time = st->clock - raw_of(st, sl);
		clear_ts(st, sl->ts);
	}
	sl->raw = (uint32_t)st->clock & st->raw_mask;
	if (MW_UNLIKELY(stamp(st, sl)))
		return MW_ENOMEM;
	st->last_line = line;
	st->last_slot = sl;
	st->has_last = true;
	return 0;
}

/* ---- options, create, destroy -------------------------------------------- */

void mw_reuse_opts_init(struct mw_reuse_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->line_bytes = 128;
	o->exact_lines = 4096;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static unsigned nscopes_of(enum mw_reuse_split s)
{
	switch (s) {
	case MW_REUSE_SPLIT_TENSOR:
	case MW_REUSE_SPLIT_OP:
		return 1 + 256;
	case MW_REUSE_SPLIT_UNIT:
		return 1 + 65536;
	default:
		return 1;
	}
}

struct mw_reuse *mw_reuse_create(const struct mw_reuse_opts *o, int *err)
{
	struct mw_reuse *r;
	int e = MW_EINVAL;
	uint64_t inv = SAMPLE_MUL, i;

	r = mw_calloc(1, sizeof(*r));
	if (!r) {
		e = MW_ENOMEM;
		goto out_err;
	}
	r->o = *o;
	if (!r->o.line_bytes)
		r->o.line_bytes = 128;
	if (!r->o.exact_lines)
		r->o.exact_lines = 4096;
	if (!pow2(r->o.line_bytes) || !pow2(r->o.exact_lines) ||
	    r->o.exact_lines < (1u << SUB_BITS) ||
	    r->o.split > MW_REUSE_SPLIT_UNIT ||
	    r->o.view > MW_REUSE_VIEW_PRIVATE ||
	    r->o.sampling > MW_REUSE_FIXED_MEMORY || r->o.clock_epoch_log > 31)
		goto out_free;
	r->line_shift = log2_u64(r->o.line_bytes);
	r->exact_log = log2_u64(r->o.exact_lines);
	r->nbins = r->o.exact_lines + ((size_t)(64 - r->exact_log) << SUB_BITS);
	r->thr = UINT64_MAX;
	r->inv_rate = 1;
	if (r->o.sampling == MW_REUSE_FIXED_RATE) {
		if (!(r->o.rate > 0 && r->o.rate <= 1))
			goto out_free;
		if (r->o.rate < 1) {
			double t = ldexp(r->o.rate, 64);

			r->thr = t < 1 ? 0 : (uint64_t)t - 1;
		}
		r->inv_rate = ldexp(1.0, 64) / ((double)r->thr + 1.0);
		r->sampled = true;
	} else if (r->o.sampling == MW_REUSE_FIXED_MEMORY) {
		if (r->o.max_lines < 16)
			goto out_free;
		r->sampled = true;
	}
	if (r->o.on_event && r->sampled)
		goto out_free;
	/* Newton's iteration for the inverse of an odd number mod 2^64. */
	for (i = 0; i < 6; i++)
		inv *= 2 - SAMPLE_MUL * inv;
	r->sample_inv = inv;
	e = MW_ENOMEM;
	r->nscopes = nscopes_of(r->o.split);
	r->scopes = mw_calloc(r->nscopes, sizeof(*r->scopes));
	r->nstacks = r->o.view == MW_REUSE_VIEW_PRIVATE ? MW_UNITS_MAX : 1;
	r->stacks = mw_calloc(r->nstacks, sizeof(*r->stacks));
	if (!r->scopes || !r->stacks || !scope_get(r, 0))
		goto out_free;
	if (err)
		*err = 0;
	return r;
out_free:
	mw_reuse_destroy(r);
out_err:
	if (err)
		*err = e;
	return NULL;
}

void mw_reuse_destroy(struct mw_reuse *r)
{
	unsigned i;

	if (!r)
		return;
	if (r->scopes)
		for (i = 0; i < r->nscopes; i++)
			if (r->scopes[i]) {
				hist_free(&r->scopes[i]->dist);
				hist_free(&r->scopes[i]->time);
				mw_free(r->scopes[i]->suffix);
				mw_free(r->scopes[i]);
			}
	if (r->stacks)
		for (i = 0; i < r->nstacks; i++)
			stack_destroy(r->stacks[i]);
	mw_free(r->scopes);
	mw_free(r->stacks);
	mw_free(r->heap);
	mw_free(r);
}

/* ---- feeding ------------------------------------------------------------- */

static ALWAYS struct stack *stack_get(struct mw_reuse *r, unsigned i)
{
	struct stack *st = r->stacks[i];

	if (MW_LIKELY(st != NULL))
		return st;
	st = stack_create(r->o.clock_epoch_log ? r->o.clock_epoch_log : 31);
	r->stacks[i] = st;
	return st;
}

static ALWAYS unsigned scope_key(const struct mw_reuse *r,
				 const struct mw_access *a)
{
	switch (r->o.split) {
	case MW_REUSE_SPLIT_TENSOR:
		return 1u + a->tensor;
	case MW_REUSE_SPLIT_OP:
		return 1u + a->op;
	case MW_REUSE_SPLIT_UNIT:
		return 1u + a->unit;
	default:
		return 0;
	}
}

static ALWAYS void record_exact(struct mw_reuse *r, struct scope_data *sd,
				uint64_t d, uint64_t t)
{
	sd->dist.refs++;
	if (d == UINT64_MAX) {
		sd->dist.cold_u++;
		return;
	}
	hist_add_u(&sd->dist, bin_of(r, d));
	hist_add_u(&sd->time, bin_of(r, t));
}

/* The plain case: exact, shared, no split, no hook. */
MW_HOT_CLONES
static int feed_exact_plain(struct mw_reuse *r, const struct mw_access *recs,
			    size_t n)
{
	struct stack *st = stack_get(r, 0);
	struct scope_data *sd = r->scopes[0];
	unsigned sh = r->line_shift;
	size_t k;

	if (!st)
		return MW_ENOMEM;
	for (k = 0; k < n; k++) {
		uint64_t line, last, d, t;

		if (k + PREFETCH < n) {
			uint64_t pl = (recs[k + PREFETCH].addr >> sh) + 1;

			const struct table *tb = table_of(st, pl);

			__builtin_prefetch(&tb->slots[slot_index(tb, pl)]);
		}
		line = recs[k].addr >> sh;
		last = (recs[k].addr + recs[k].size - 1) >> sh;
		if (MW_UNLIKELY(last < line))
			last = UINT64_MAX >> sh;
		for (;; line++) {
			if (MW_UNLIKELY(stack_ref(st, line, &d, &t)))
				return MW_ENOMEM;
			sd->dist.refs++;
			if (MW_LIKELY(d != UINT64_MAX)) {
				hist_add_u(&sd->dist, bin_of(r, d));
				hist_add_u(&sd->time, bin_of(r, t));
			} else {
				sd->dist.cold_u++;
			}
			if (line == last)
				break;
		}
	}
	return 0;
}

static int feed_exact_general(struct mw_reuse *r, const struct mw_access *recs,
			      size_t n)
{
	unsigned sh = r->line_shift;
	size_t k;

	for (k = 0; k < n; k++) {
		const struct mw_access *a = &recs[k];
		struct stack *st = stack_get(
			r, r->o.view == MW_REUSE_VIEW_PRIVATE ? a->unit : 0);
		struct scope_data *sd = scope_get(r, scope_key(r, a));
		uint64_t line = a->addr >> sh, last, d, t;

		if (!st || !sd)
			return MW_ENOMEM;
		last = (a->addr + a->size - 1) >> sh;
		if (last < line)
			last = UINT64_MAX >> sh;
		for (;; line++) {
			if (stack_ref(st, line, &d, &t))
				return MW_ENOMEM;
			record_exact(r, sd, d, t);
			if (r->o.on_event) {
				struct mw_reuse_event e = {
					line, d, t, a->unit, a->op, a->tensor};

				r->o.on_event(r->o.event_ctx, &e);
			}
			if (line == last)
				break;
		}
	}
	return 0;
}

/* ---- sampled ------------------------------------------------------------- */

static void heap_swap(struct heap_ent *h, uint64_t a, uint64_t b)
{
	struct heap_ent t = h[a];

	h[a] = h[b];
	h[b] = t;
}

static int heap_push(struct mw_reuse *r, uint64_t hash, uint32_t stack)
{
	uint64_t i;

	if (r->heap_n == r->heap_cap) {
		uint64_t nc = r->heap_cap ? r->heap_cap * 2 : 1024;
		struct heap_ent *nh =
			mw_reallocarray(r->heap, (size_t)nc, sizeof(*nh));

		if (!nh)
			return MW_ENOMEM;
		r->heap = nh;
		r->heap_cap = nc;
	}
	i = r->heap_n++;
	r->heap[i].hash = hash;
	r->heap[i].stack = stack;
	while (i && r->heap[(i - 1) / 2].hash < r->heap[i].hash) {
		heap_swap(r->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct heap_ent heap_pop(struct mw_reuse *r)
{
	struct heap_ent top = r->heap[0];
	uint64_t i = 0;

	r->heap[0] = r->heap[--r->heap_n];
	for (;;) {
		uint64_t l = 2 * i + 1, m = i;

		if (l < r->heap_n && r->heap[l].hash > r->heap[m].hash)
			m = l;
		if (l + 1 < r->heap_n && r->heap[l + 1].hash > r->heap[m].hash)
			m = l + 1;
		if (m == i)
			break;
		heap_swap(r->heap, i, m);
		i = m;
	}
	return top;
}

/* Fixed-memory: evicts the largest hashes until within max_lines. */
static void shrink_sample(struct mw_reuse *r)
{
	while (r->heap_n > r->o.max_lines) {
		struct heap_ent e = heap_pop(r);

		stack_remove(r->stacks[e.stack], e.hash * r->sample_inv);
		r->thr = e.hash - 1;
		while (r->heap_n && r->heap[0].hash > r->thr) {
			e = heap_pop(r);
			stack_remove(r->stacks[e.stack],
				     e.hash * r->sample_inv);
		}
	}
	r->inv_rate = ldexp(1.0, 64) / ((double)r->thr + 1.0);
}

/* A reference to a tracked line (hash <= thr) of stack si. */
static int sampled_ref(struct mw_reuse *r, unsigned si, struct stack *st,
		       struct scope_data *sd, uint64_t line, uint64_t hash)
{
	uint64_t d, t;
	double w = r->inv_rate, scaled;

	/* The clock already counted this reference; stack_ref counts again. */
	st->clock--;
	if (stack_ref(st, line, &d, &t))
		return MW_ENOMEM;
	if (d == UINT64_MAX) {
		sd->dist.cold_w += w;
		if (r->o.sampling == MW_REUSE_FIXED_MEMORY) {
			if (heap_push(r, hash, si))
				return MW_ENOMEM;
			if (r->heap_n > r->o.max_lines)
				shrink_sample(r);
		}
		return 0;
	}
	scaled = (double)d * w;
	/* 2^64 and above would not convert; such distances are all alike. */
	if (scaled >= 1.8e19)
		scaled = 1.8e19;
	hist_add_w(&sd->dist, bin_of(r, (uint64_t)scaled), w);
	hist_add_w(&sd->time, bin_of(r, t), w);
	return 0;
}

MW_HOT_CLONES
static int feed_sampled_plain(struct mw_reuse *r, const struct mw_access *recs,
			      size_t n)
{
	struct stack *st = stack_get(r, 0);
	struct scope_data *sd = r->scopes[0];
	unsigned sh = r->line_shift;
	uint64_t refs = 0, clock;
	size_t k;

	if (!st)
		return MW_ENOMEM;
	clock = st->clock;
	for (k = 0; k < n; k++) {
		uint64_t line = recs[k].addr >> sh;
		uint64_t last = (recs[k].addr + recs[k].size - 1) >> sh;

		if (MW_UNLIKELY(last != line)) {
			if (last < line)
				last = UINT64_MAX >> sh;
			for (;; line++) {
				uint64_t h = line * SAMPLE_MUL;

				clock++;
				refs++;
				if (h <= r->thr) {
					st->clock = clock;
					if (sampled_ref(r, 0, st, sd, line, h))
						return MW_ENOMEM;
				}
				if (line == last)
					break;
			}
			continue;
		}
		clock++;
		refs++;
		if (MW_UNLIKELY(line * SAMPLE_MUL <= r->thr)) {
			st->clock = clock;
			if (sampled_ref(r, 0, st, sd, line, line * SAMPLE_MUL))
				return MW_ENOMEM;
		}
	}
	st->clock = clock;
	sd->dist.refs += refs;
	return 0;
}

static int feed_sampled_general(struct mw_reuse *r,
				const struct mw_access *recs, size_t n)
{
	unsigned sh = r->line_shift;
	size_t k;

	for (k = 0; k < n; k++) {
		const struct mw_access *a = &recs[k];
		unsigned si = r->o.view == MW_REUSE_VIEW_PRIVATE ? a->unit : 0;
		struct stack *st = stack_get(r, si);
		struct scope_data *sd = scope_get(r, scope_key(r, a));
		uint64_t line = a->addr >> sh, last;

		if (!st || !sd)
			return MW_ENOMEM;
		last = (a->addr + a->size - 1) >> sh;
		if (last < line)
			last = UINT64_MAX >> sh;
		for (;; line++) {
			uint64_t h = line * SAMPLE_MUL;

			st->clock++;
			sd->dist.refs++;
			if (h <= r->thr && sampled_ref(r, si, st, sd, line, h))
				return MW_ENOMEM;
			if (line == last)
				break;
		}
	}
	return 0;
}

int mw_reuse_feed(struct mw_reuse *r, const struct mw_access *recs, size_t n)
{
	int e;

	if (r->finished || r->failed)
		return MW_EINVAL;
	if (r->sampled)
		e = r->o.split == MW_REUSE_SPLIT_NONE &&
				    r->o.view == MW_REUSE_VIEW_SHARED
			    ? feed_sampled_plain(r, recs, n)
			    : feed_sampled_general(r, recs, n);
	else
		e = r->o.split == MW_REUSE_SPLIT_NONE &&
				    r->o.view == MW_REUSE_VIEW_SHARED &&
				    !r->o.on_event
			    ? feed_exact_plain(r, recs, n)
			    : feed_exact_general(r, recs, n);
	if (e)
		r->failed = true;
	else
		r->records += n;
	return e;
}

/* ---- finish and queries -------------------------------------------------- */

static void hist_merge(struct hist *dst, const struct hist *src, size_t nbins)
{
	size_t b;

	for (b = 0; b <= src->max_bin && b < nbins; b++) {
		if (dst->u)
			dst->u[b] += src->u[b];
		else
			dst->w[b] += src->w[b];
	}
	if (src->max_bin > dst->max_bin)
		dst->max_bin = src->max_bin;
	dst->cold_u += src->cold_u;
	dst->cold_w += src->cold_w;
	dst->refs += src->refs;
}

int mw_reuse_finish(struct mw_reuse *r)
{
	unsigned s;

	if (r->finished)
		return 0;
	r->finished = true;
	for (s = 0; s < r->nscopes; s++) {
		struct scope_data *sd = r->scopes[s];
		double sum = 0;
		size_t b;

		if (!sd)
			continue;
		sd->dist.any = sd->dist.refs != 0;
		if (!r->sampled)
			continue;
		/* SHARDS-adj: the sample's weight should equal the refs. */
		for (b = 0; b <= sd->dist.max_bin; b++)
			sum += sd->dist.w[b];
		sum += sd->dist.cold_w;
		if (r->o.adjust && sd->dist.refs)
			sd->dist.w[0] += (double)sd->dist.refs - sum;
		else
			sd->total = sum;
	}
	if (r->o.split != MW_REUSE_SPLIT_NONE)
		for (s = 1; s < r->nscopes; s++)
			if (r->scopes[s]) {
				hist_merge(&r->scopes[0]->dist,
					   &r->scopes[s]->dist, r->nbins);
				hist_merge(&r->scopes[0]->time,
					   &r->scopes[s]->time, r->nbins);
			}
	r->scopes[0]->dist.any = r->scopes[0]->dist.refs != 0;
	if (r->o.split != MW_REUSE_SPLIT_NONE && r->sampled && !r->o.adjust)
		for (s = 1, r->scopes[0]->total = 0; s < r->nscopes; s++)
			if (r->scopes[s])
				r->scopes[0]->total += r->scopes[s]->total;
	for (s = 0; s < r->nscopes; s++) {
		struct scope_data *sd = r->scopes[s];
		size_t nb, b;
		double acc = 0;

		if (!sd || !sd->dist.any)
			continue;
		nb = sd->dist.max_bin + 1;
		sd->suffix = mw_calloc(nb + 1, sizeof(*sd->suffix));
		if (!sd->suffix)
			return MW_ENOMEM;
		if (sd->dist.u) {
			uint64_t u = 0;

			for (b = nb; b-- > 0;) {
				u += sd->dist.u[b];
				sd->suffix[b] = (double)u;
			}
		} else {
			for (b = nb; b-- > 0;) {
				acc += sd->dist.w[b];
				sd->suffix[b] = acc;
			}
		}
		sd->nbins_used = nb;
	}
	return 0;
}

unsigned mw_reuse_scopes(const struct mw_reuse *r)
{
	return r->nscopes;
}

bool mw_reuse_scope_used(const struct mw_reuse *r, unsigned scope)
{
	return scope < r->nscopes && r->scopes[scope] &&
	       r->scopes[scope]->dist.refs;
}

unsigned mw_reuse_scope_of(const struct mw_reuse *r, unsigned key)
{
	return r->o.split == MW_REUSE_SPLIT_NONE ? 0 : key + 1;
}

unsigned mw_reuse_scope_key(const struct mw_reuse *r, unsigned scope)
{
	(void)r;
	return scope ? scope - 1 : 0;
}

uint32_t mw_reuse_line_bytes(const struct mw_reuse *r)
{
	return r->o.line_bytes;
}

uint64_t mw_reuse_records(const struct mw_reuse *r)
{
	return r->records;
}

static double cold_of(const struct hist *h)
{
	return h->u ? (double)h->cold_u : h->cold_w;
}

/*
 * Plain SHARDS: estimates are scaled so that the sample's weight matches
 * the true reference count (misses = miss ratio * references).
 */
static double scale_of(const struct mw_reuse *r, const struct scope_data *sd)
{
	return r->sampled && !r->o.adjust && sd->total > 0
		       ? (double)sd->dist.refs / sd->total
		       : 1;
}

static double raw_misses(const struct mw_reuse *r, const struct scope_data *sd,
			 uint64_t capacity_lines)
{
	uint64_t lo, width;
	size_t b;
	double m;

	m = cold_of(&sd->dist);
	b = bin_of(r, capacity_lines);
	if (b >= sd->nbins_used)
		return m;
	lo = bin_lo(r, b, &width);
	if (lo == capacity_lines)
		return m + sd->suffix[b];
	return m + sd->suffix[b + 1] +
	       hist_get(&sd->dist, b) * (double)(lo + width - capacity_lines) /
		       (double)width;
}

double mw_reuse_misses(const struct mw_reuse *r, unsigned scope,
		       uint64_t capacity_lines)
{
	const struct scope_data *sd;

	if (!mw_reuse_scope_used(r, scope) || !r->finished)
		return 0;
	sd = r->scopes[scope];
	if (!capacity_lines)
		return (double)sd->dist.refs;
	return raw_misses(r, sd, capacity_lines) * scale_of(r, sd);
}

double mw_reuse_miss_ratio(const struct mw_reuse *r, unsigned scope,
			   uint64_t capacity_lines)
{
	double refs;

	if (!mw_reuse_scope_used(r, scope))
		return 0;
	refs = (double)r->scopes[scope]->dist.refs;
	return mw_reuse_misses(r, scope, capacity_lines) / refs;
}

size_t mw_reuse_steps(const struct mw_reuse *r, unsigned scope, uint64_t *out,
		      size_t cap)
{
	const struct scope_data *sd;
	size_t n = 0, b;
	uint64_t w;

	if (!mw_reuse_scope_used(r, scope) || !r->finished)
		return 0;
	sd = r->scopes[scope];
	/* Capacity lo(b) + width hits the references of bin b. */
	for (b = 0; b < sd->nbins_used; b++) {
		if (hist_get(&sd->dist, b) == 0)
			continue;
		if (n < cap)
			out[n] = bin_lo(r, b, &w) + w;
		n++;
	}
	return n;
}

double mw_reuse_footprint_lines(const struct mw_reuse *r)
{
	return r->finished ? cold_of(&r->scopes[0]->dist) *
				     scale_of(r, r->scopes[0])
			   : 0;
}

double mw_reuse_rate(const struct mw_reuse *r)
{
	return r->sampled ? 1.0 / r->inv_rate : 1.0;
}

/* The lower edge of the bin holding the median of h's warm weight. */
static uint64_t hist_median(const struct mw_reuse *r, const struct hist *h,
			    double *mean)
{
	double total = 0, acc = 0, sum = 0;
	uint64_t med = 0, w, lo;
	size_t b;
	bool found = false;

	for (b = 0; b <= h->max_bin; b++)
		total += hist_get(h, b);
	for (b = 0; b <= h->max_bin; b++) {
		double c = hist_get(h, b);

		lo = bin_lo(r, b, &w);
		sum += c * ((double)lo + (double)(w - 1) / 2);
		acc += c;
		if (!found && total > 0 && acc >= total / 2) {
			med = lo;
			found = true;
		}
	}
	*mean = total > 0 ? sum / total : 0;
	return med;
}

int mw_reuse_summary(const struct mw_reuse *r, unsigned scope,
		     struct mw_reuse_summary *out)
{
	const struct scope_data *sd;

	memset(out, 0, sizeof(*out));
	if (!r->finished)
		return MW_EINVAL;
	if (!mw_reuse_scope_used(r, scope))
		return 0;
	sd = r->scopes[scope];
	out->refs = (double)sd->dist.refs;
	out->cold = cold_of(&sd->dist) * scale_of(r, sd);
	out->median_distance = hist_median(r, &sd->dist, &out->mean_distance);
	out->median_time = hist_median(r, &sd->time, &out->mean_time);
	return 0;
}

void mw_reuse_knees(const struct mw_reuse *r, unsigned scope,
		    uint64_t *half_lines, uint64_t *floor_lines)
{
	const struct scope_data *sd;
	double one, half;
	uint64_t w, c;
	size_t b;
	bool got_half = false;

	*half_lines = 1;
	*floor_lines = 1;
	if (!mw_reuse_scope_used(r, scope) || !r->finished)
		return;
	sd = r->scopes[scope];
	one = mw_reuse_misses(r, scope, 1);
	half = one / 2;
	for (b = 1; b < sd->nbins_used; b++) {
		if (hist_get(&sd->dist, b) == 0)
			continue;
		c = bin_lo(r, b, &w) + w;
		*floor_lines = c;
		if (!got_half && mw_reuse_misses(r, scope, c) <= half) {
			*half_lines = c;
			got_half = true;
		}
	}
	if (!got_half)
		*half_lines = 0;
}

int mw_reuse_add_results(const struct mw_reuse *r, struct mw_results *res,
			 const char *(*name)(void *ctx, unsigned scope),
			 void *ctx)
{
	struct mw_reuse_summary s;
	char scope[300];
	uint64_t half, floor_l, lb = r->o.line_bytes;
	unsigned i;
	int e = 0;

	for (i = 0; i < r->nscopes; i++) {
		if (i && !mw_reuse_scope_used(r, i))
			continue;
		if (i)
			snprintf(scope, sizeof(scope), "reuse:%s",
				 name(ctx, i));
		else
			snprintf(scope, sizeof(scope), "reuse");
		mw_reuse_summary(r, i, &s);
		mw_reuse_knees(r, i, &half, &floor_l);
		if (!i) {
			e |= mw_results_add_u64(res, scope, "line_bytes", lb);
			e |= mw_results_add_f64(res, scope, "sampling_rate",
						mw_reuse_rate(r));
			e |= mw_results_add_u64(res, scope, "records",
						r->records);
		}
		e |= mw_results_add_f64(res, scope, "refs", s.refs);
		e |= mw_results_add_f64(res, scope, "cold", s.cold);
		e |= mw_results_add_f64(res, scope, "footprint_bytes",
					s.cold * (double)lb);
		e |= mw_results_add_f64(res, scope, "mean_distance",
					s.mean_distance);
		e |= mw_results_add_u64(res, scope, "median_distance",
					s.median_distance);
		e |= mw_results_add_f64(res, scope, "mean_time", s.mean_time);
		e |= mw_results_add_u64(res, scope, "median_time",
					s.median_time);
		e |= mw_results_add_u64(res, scope, "half_bytes", half * lb);
		e |= mw_results_add_u64(res, scope, "floor_bytes",
					floor_l * lb);
	}
	return e ? MW_ENOMEM : 0;
}
