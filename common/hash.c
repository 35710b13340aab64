/*
 * hash.c - random numbers and the 64-bit key set.
 *
 * Notes:
 *  - The set keeps a separate flag for key 0 so the table can use 0 as the
 *    empty marker; keys are stored as given and placed by mw_mix64, so
 *    strided keys (line numbers) spread evenly.
 *  - The table doubles at a load factor of 1/2.
 */
#include "common/hash.h"

#include "common/alloc.h"
#include "common/err.h"

void mw_rng_seed(struct mw_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		r->s[i] = mw_mix64(seed);
	}
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t mw_rng_next(struct mw_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t mw_rng_below(struct mw_rng *r, uint64_t n)
{
	__extension__ typedef unsigned __int128 u128;
	u128 m = (u128)mw_rng_next(r) * n;
	uint64_t lo = (uint64_t)m;

	if (lo < n) {
		uint64_t t = -n % n;

		while (lo < t) {
			m = (u128)mw_rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double mw_rng_unit(struct mw_rng *r)
{
	return (double)(mw_rng_next(r) >> 11) * 0x1.0p-53;
}

struct mw_u64set {
	uint64_t *slots; /* 0 = empty */
	uint64_t mask;	 /* capacity - 1, capacity a power of two */
	uint64_t count;	 /* keys stored in slots */
	bool has_zero;	 /* key 0, kept apart */
};

struct mw_u64set *mw_u64set_create(void)
{
	struct mw_u64set *s = mw_calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->mask = 1023;
	s->slots = mw_calloc(s->mask + 1, sizeof(*s->slots));
	if (!s->slots) {
		mw_free(s);
		return NULL;
	}
	return s;
}

void mw_u64set_destroy(struct mw_u64set *s)
{
	if (!s)
		return;
	mw_free(s->slots);
	mw_free(s);
}

static void place(uint64_t *slots, uint64_t mask, uint64_t key)
{
	uint64_t i = mw_mix64(key) & mask;

	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = key;
}

static int grow(struct mw_u64set *s)
{
	uint64_t newmask = s->mask * 2 + 1, i;
	uint64_t *n = mw_calloc(newmask + 1, sizeof(*n));

	if (!n)
		return MW_ENOMEM;
	for (i = 0; i <= s->mask; i++)
		if (s->slots[i])
			place(n, newmask, s->slots[i]);
	mw_free(s->slots);
	s->slots = n;
	s->mask = newmask;
	return 0;
}

int mw_u64set_add(struct mw_u64set *s, uint64_t key)
{
	uint64_t i;

	if (key == 0) {
		if (s->has_zero)
			return 0;
		s->has_zero = true;
		return 1;
	}
	for (i = mw_mix64(key) & s->mask; s->slots[i]; i = (i + 1) & s->mask)
		if (s->slots[i] == key)
			return 0;
	if ((s->count + 1) * 2 > s->mask + 1) {
		int err = grow(s);

		if (err)
			return err;
		place(s->slots, s->mask, key);
	} else {
		s->slots[i] = key;
	}
	s->count++;
	return 1;
}

bool mw_u64set_has(const struct mw_u64set *s, uint64_t key)
{
	uint64_t i;

	if (key == 0)
		return s->has_zero;
	for (i = mw_mix64(key) & s->mask; s->slots[i]; i = (i + 1) & s->mask)
		if (s->slots[i] == key)
			return true;
	return false;
}

uint64_t mw_u64set_count(const struct mw_u64set *s)
{
	return s->count + (s->has_zero ? 1 : 0);
}
