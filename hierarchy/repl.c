/*
 * repl.c - the replacement policies and their table.
 *
 * Notes:
 *  - lru and fifo keep a 64-bit stamp per way (last touch, or fill for
 *    fifo) when a set has at most STAMP_WAYS ways: a hit is one store,
 *    a victim a scan of the set.  Wider sets (fully associative caches)
 *    use a doubly-linked list per set instead: every operation O(1).
 *    Both give the exact same order.
 *  - tree-plru: a binary tree of ways-1 direction bits per set (padded
 *    to a power of two; a victim search never enters a subtree holding
 *    no real way).  A touch points every node on its path away from it.
 *  - srrip / brrip / drrip (Jaleel et al., ISCA 2010) with 2-bit
 *    re-reference prediction values: hit -> 0; srrip inserts at 2,
 *    brrip at 3 except one fill in 32 (seeded generator) at 2; the
 *    victim is the first way (lowest index) at 3, after ageing every way
 *    of the set until one is.  drrip duels: with 64 sets or more, sets
 *    with set % 64 == 0 always use srrip and set % 64 == 33 brrip (with
 *    fewer sets: set 0 and the last set); a miss (fill) in an srrip
 *    leader raises a 10-bit saturating counter, one in a brrip leader
 *    lowers it; the other sets use brrip when it is >= 512.
 *  - random: victim uniform over the ways from the level's seed.
 *  - The cache fills invalid ways itself, so victim() sees full sets.
 *  - A set-associative lru or fifo cache of up to 64 ways does not use
 *    lru_ops / fifo_ops at run time: it keeps the same order as rank
 *    bytes of its own (hierarchy/cache_int.h), without an indirect call.
 *    These vtables serve fully associative and wider levels (and name the
 *    policies in the table).
 */
#include "hierarchy/repl.h"
#include "common/alloc.h"
#include "common/hash.h"

#include <string.h>

#define STAMP_WAYS 32
#define NIL	   UINT32_MAX
#define RRPV_MAX   3
#define PSEL_MAX   1023u
#define PSEL_MID   512u

enum rrip_kind {
	RRIP_S,
	RRIP_B,
	RRIP_D
};

struct mw_repl {
	uint32_t sets, ways;
	struct mw_rng rng;
	/* lru, fifo */
	bool list;
	uint64_t clock;
	uint64_t *stamp;       /* [sets * ways], 0 = invalid */
	uint32_t *prev, *next; /* list variant: [sets * ways] */
	uint32_t *head, *tail; /* list variant: [sets], head = newest */
	/* tree-plru */
	uint32_t pad;  /* ways rounded up to a power of two */
	uint8_t *bits; /* [sets * pad], nodes 1..pad-1 */
	/* rrip */
	enum rrip_kind kind;
	uint8_t *rrpv; /* [sets * ways] */
	uint32_t psel;
};

static struct mw_repl *repl_new(uint32_t sets, uint32_t ways, uint64_t seed)
{
	struct mw_repl *r = mw_calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->sets = sets;
	r->ways = ways;
	mw_rng_seed(&r->rng, seed);
	r->psel = PSEL_MID;
	return r;
}

static void repl_destroy(struct mw_repl *r)
{
	if (!r)
		return;
	mw_free(r->stamp);
	mw_free(r->prev);
	mw_free(r->next);
	mw_free(r->head);
	mw_free(r->tail);
	mw_free(r->bits);
	mw_free(r->rrpv);
	mw_free(r);
}

/* ---- lru / fifo ---------------------------------------------------------- */

static struct mw_repl *order_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
	struct mw_repl *r = repl_new(sets, ways, seed);
	size_t n = (size_t)sets * ways;

	if (!r)
		return NULL;
	if (ways <= STAMP_WAYS) {
		r->stamp = mw_calloc(n, sizeof(*r->stamp));
		if (!r->stamp)
			goto out_free;
		return r;
	}
	r->list = true;
	r->prev = mw_calloc(n, sizeof(*r->prev));
	r->next = mw_calloc(n, sizeof(*r->next));
	r->head = mw_calloc(sets, sizeof(*r->head));
	r->tail = mw_calloc(sets, sizeof(*r->tail));
	if (!r->prev || !r->next || !r->head || !r->tail)
		goto out_free;
	memset(r->head, 0xff, sets * sizeof(*r->head));
	memset(r->tail, 0xff, sets * sizeof(*r->tail));
	return r;
out_free:
	repl_destroy(r);
	return NULL;
}

static void list_unlink(struct mw_repl *r, uint32_t set, uint32_t i)
{
	uint32_t p = r->prev[i], n = r->next[i];

	if (p == NIL)
		r->head[set] = n;
	else
		r->next[p] = n;
	if (n == NIL)
		r->tail[set] = p;
	else
		r->prev[n] = p;
}

static void list_push(struct mw_repl *r, uint32_t set, uint32_t i)
{
	uint32_t h = r->head[set];

	r->prev[i] = NIL;
	r->next[i] = h;
	if (h == NIL)
		r->tail[set] = i;
	else
		r->prev[h] = i;
	r->head[set] = i;
}

static void order_touch(struct mw_repl *r, uint32_t set, uint32_t way)
{
	uint32_t i = set * r->ways + way;

	if (!r->list) {
		r->stamp[i] = ++r->clock;
		return;
	}
	if (r->head[set] == i)
		return;
	list_unlink(r, set, i);
	list_push(r, set, i);
}

static void order_fill(struct mw_repl *r, uint32_t set, uint32_t way)
{
	uint32_t i = set * r->ways + way;

	if (!r->list)
		r->stamp[i] = ++r->clock;
	else
		list_push(r, set, i);
}

static void fifo_hit(struct mw_repl *r, uint32_t set, uint32_t way)
{
	(void)r;
	(void)set;
	(void)way;
}

static uint32_t order_victim(struct mw_repl *r, uint32_t set)
{
	const uint64_t *s;
	uint64_t bv;
	uint32_t w, best = 0;

	if (r->list)
		return r->tail[set] - set * r->ways;
	s = &r->stamp[(size_t)set * r->ways];
	bv = s[0];
	for (w = 1; w < r->ways; w++) {
		/* branchless (cmov): the oldest way is unpredictable */
		bool lt = s[w] < bv;

		best = lt ? w : best;
		bv = lt ? s[w] : bv;
	}
	return best;
}

static void order_invalidate(struct mw_repl *r, uint32_t set, uint32_t way)
{
	uint32_t i = set * r->ways + way;

	if (!r->list)
		r->stamp[i] = 0;
	else
		list_unlink(r, set, i);
}

static bool order_check(const struct mw_repl *r, uint32_t set,
			const bool *valid)
{
	uint32_t w, v, nvalid = 0, seen = 0, i, p = NIL;
	uint32_t base = set * r->ways;

	for (w = 0; w < r->ways; w++)
		nvalid += valid[w];
	if (!r->list) {
		const uint64_t *s = &r->stamp[base];

		for (w = 0; w < r->ways; w++) {
			if (!valid[w] ? s[w] != 0
				      : s[w] == 0 || s[w] > r->clock)
				return false;
			for (v = 0; valid[w] && v < w; v++)
				if (valid[v] && s[v] == s[w])
					return false;
		}
		return true;
	}
	for (i = r->head[set]; i != NIL; p = i, i = r->next[i]) {
		if (i < base || i >= base + r->ways || !valid[i - base] ||
		    r->prev[i] != p || ++seen > nvalid)
			return false;
	}
	return seen == nvalid && r->tail[set] == p;
}

/* ---- random -------------------------------------------------------------- */

static struct mw_repl *random_create(uint32_t sets, uint32_t ways,
				     uint64_t seed)
{
	return repl_new(sets, ways, seed);
}

static void nop(struct mw_repl *r, uint32_t set, uint32_t way)
{
	(void)r;
	(void)set;
	(void)way;
}

static uint32_t random_victim(struct mw_repl *r, uint32_t set)
{
	(void)set;
	return (uint32_t)mw_rng_below(&r->rng, r->ways);
}

static bool yes(const struct mw_repl *r, uint32_t set, const bool *valid)
{
	(void)r;
	(void)set;
	(void)valid;
	return true;
}

/* ---- tree-plru ----------------------------------------------------------- */

static struct mw_repl *plru_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
	struct mw_repl *r = repl_new(sets, ways, seed);

	if (!r)
		return NULL;
	r->pad = 1;
	while (r->pad < ways)
		r->pad <<= 1;
	r->bits = mw_calloc((size_t)sets * r->pad, 1);
	if (!r->bits) {
		repl_destroy(r);
		return NULL;
	}
	return r;
}

static void plru_touch(struct mw_repl *r, uint32_t set, uint32_t way)
{
	uint8_t *b = &r->bits[(size_t)set * r->pad];
	uint32_t n = 1, lo = 0, span = r->pad;

	while (span > 1) {
		uint32_t mid = lo + span / 2;

		span /= 2;
		if (way < mid) {
			b[n] = 1; /* victim side: right */
			n = 2 * n;
		} else {
			b[n] = 0;
			n = 2 * n + 1;
			lo = mid;
		}
	}
}

static uint32_t plru_victim(struct mw_repl *r, uint32_t set)
{
	const uint8_t *b = &r->bits[(size_t)set * r->pad];
	uint32_t n = 1, lo = 0, span = r->pad;

	while (span > 1) {
		uint32_t mid = lo + span / 2;

		span /= 2;
		if (b[n] && mid < r->ways) {
			n = 2 * n + 1;
			lo = mid;
		} else {
			n = 2 * n;
		}
	}
	return lo;
}

static bool plru_check(const struct mw_repl *r, uint32_t set, const bool *valid)
{
	const uint8_t *b = &r->bits[(size_t)set * r->pad];
	uint32_t n;

	(void)valid;
	for (n = 0; n < r->pad; n++)
		if (b[n] > 1)
			return false;
	return true;
}

/* ---- rrip ---------------------------------------------------------------- */

static struct mw_repl *rrip_new(uint32_t sets, uint32_t ways, uint64_t seed,
				enum rrip_kind kind)
{
	struct mw_repl *r = repl_new(sets, ways, seed);

	if (!r)
		return NULL;
	r->kind = kind;
	r->rrpv = mw_malloc((size_t)sets * ways);
	if (!r->rrpv) {
		repl_destroy(r);
		return NULL;
	}
	memset(r->rrpv, RRPV_MAX, (size_t)sets * ways);
	return r;
}

static struct mw_repl *srrip_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
	return rrip_new(sets, ways, seed, RRIP_S);
}

static struct mw_repl *brrip_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
	return rrip_new(sets, ways, seed, RRIP_B);
}

static struct mw_repl *drrip_create(uint32_t sets, uint32_t ways, uint64_t seed)
{
	return rrip_new(sets, ways, seed, RRIP_D);
}

/* -1: srrip leader, 1: brrip leader, 0: follower. */
static int drrip_role(const struct mw_repl *r, uint32_t set)
{
	if (r->sets >= 64)
		return set % 64 == 0 ? -1 : set % 64 == 33 ? 1 : 0;
	return set == 0 ? -1 : set == r->sets - 1 ? 1 : 0;
}

static void rrip_hit(struct mw_repl *r, uint32_t set, uint32_t way)
{
	r->rrpv[(size_t)set * r->ways + way] = 0;
}

static uint8_t brrip_insert(struct mw_repl *r)
{
	return (mw_rng_next(&r->rng) & 31) == 0 ? RRPV_MAX - 1 : RRPV_MAX;
}

static void rrip_fill(struct mw_repl *r, uint32_t set, uint32_t way)
{
	uint8_t v = RRPV_MAX - 1;
	bool bimodal = r->kind == RRIP_B;

	if (r->kind == RRIP_D) {
		int role = drrip_role(r, set);

		if (role < 0 && r->psel < PSEL_MAX)
			r->psel++;
		else if (role > 0 && r->psel > 0)
			r->psel--;
		bimodal = role > 0 || (role == 0 && r->psel >= PSEL_MID);
	}
	if (bimodal)
		v = brrip_insert(r);
	r->rrpv[(size_t)set * r->ways + way] = v;
}

static uint32_t rrip_victim(struct mw_repl *r, uint32_t set)
{
	uint8_t *p = &r->rrpv[(size_t)set * r->ways];
	uint8_t max = 0;
	uint32_t w, first = 0;

	for (w = 0; w < r->ways; w++) {
		if (p[w] > max) {
			max = p[w];
			first = w;
		}
	}
	if (max < RRPV_MAX) {
		uint8_t d = (uint8_t)(RRPV_MAX - max);

		for (w = 0; w < r->ways; w++)
			p[w] = (uint8_t)(p[w] + d);
	}
	return first;
}

static void rrip_invalidate(struct mw_repl *r, uint32_t set, uint32_t way)
{
	r->rrpv[(size_t)set * r->ways + way] = RRPV_MAX;
}

static bool rrip_check(const struct mw_repl *r, uint32_t set, const bool *valid)
{
	const uint8_t *p = &r->rrpv[(size_t)set * r->ways];
	uint32_t w;

	for (w = 0; w < r->ways; w++)
		if (p[w] > RRPV_MAX || (!valid[w] && p[w] != RRPV_MAX))
			return false;
	return r->psel <= PSEL_MAX;
}

/* ---- the table ----------------------------------------------------------- */

static const struct mw_repl_ops lru_ops = {
	"lru",	      "least recently used", order_create,
	repl_destroy, order_touch,	     order_fill,
	order_victim, order_invalidate,	     order_check,
};
static const struct mw_repl_ops fifo_ops = {
	"fifo",	      "first in, first out",
	order_create, repl_destroy,
	fifo_hit,     order_fill,
	order_victim, order_invalidate,
	order_check,
};
static const struct mw_repl_ops random_ops = {
	"random",      "uniformly random victim (seeded)",
	random_create, repl_destroy,
	nop,	       nop,
	random_victim, nop,
	yes,
};
static const struct mw_repl_ops plru_ops = {
	"tree-plru", "tree pseudo-LRU (one bit per node)",
	plru_create, repl_destroy,
	plru_touch,  plru_touch,
	plru_victim, nop,
	plru_check,
};
static const struct mw_repl_ops srrip_ops = {
	"srrip",      "static re-reference interval prediction (2-bit)",
	srrip_create, repl_destroy,
	rrip_hit,     rrip_fill,
	rrip_victim,  rrip_invalidate,
	rrip_check,
};
static const struct mw_repl_ops brrip_ops = {
	"brrip",      "bimodal RRIP (distant insertion, 1/32 long)",
	brrip_create, repl_destroy,
	rrip_hit,     rrip_fill,
	rrip_victim,  rrip_invalidate,
	rrip_check,
};
static const struct mw_repl_ops drrip_ops = {
	"drrip",      "dynamic RRIP: set dueling between srrip and brrip",
	drrip_create, repl_destroy,
	rrip_hit,     rrip_fill,
	rrip_victim,  rrip_invalidate,
	rrip_check,
};

const struct mw_repl_ops *const mw_repl_policies[] = {
	&lru_ops,   &fifo_ops,	&random_ops, &plru_ops,
	&srrip_ops, &brrip_ops, &drrip_ops,  NULL,
};

const struct mw_repl_ops *mw_repl_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; mw_repl_policies[i]; i++)
		if (strcmp(mw_repl_policies[i]->name, name) == 0)
			return mw_repl_policies[i];
	return NULL;
}
