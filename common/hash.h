/*
 * hash.h - 64-bit mixing, a seeded random generator, and a set of 64-bit
 * keys (distinct cache lines, distinct pages).
 */
#ifndef MW_HASH_H
#define MW_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bijective 64-bit mixer (the splitmix64 finalizer). */
static inline uint64_t mw_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Seeded, reproducible generator (xoshiro256**); the state is plain data. */
struct mw_rng {
	uint64_t s[4];
};

void mw_rng_seed(struct mw_rng *r, uint64_t seed);
uint64_t mw_rng_next(struct mw_rng *r);
/* Uniform in [0, n); n > 0.  Unbiased (Lemire's method). */
uint64_t mw_rng_below(struct mw_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double mw_rng_unit(struct mw_rng *r);

/*
 * A set of 64-bit keys, open addressing with linear probing; memory grows
 * with the number of distinct keys, never with the number of insertions.
 */
struct mw_u64set;

/* Returns an owned empty set (free with mw_u64set_destroy) or NULL. */
struct mw_u64set *mw_u64set_create(void);
void mw_u64set_destroy(struct mw_u64set *s);
/* Adds key: 1 if it was new, 0 if present, MW_ENOMEM on failure. */
int mw_u64set_add(struct mw_u64set *s, uint64_t key);
bool mw_u64set_has(const struct mw_u64set *s, uint64_t key);
uint64_t mw_u64set_count(const struct mw_u64set *s);

#endif
