/*
 * test_sched.c - the CTA scheduler: waves, round-robin interleaving,
 * refill on finish, persistent mode, serialized launches; compared with
 * a naive reference that replays the hardware's rule step by step.
 */
#include "model/sched.h"

#include "common/hash.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Item i has 1 + (i * 7 + seed) % span steps (0 steps when zero is set
   and i % 5 == 4); each step emits one record naming (item, step). */
struct synth {
	uint32_t span, seed;
	bool zero;
	uint32_t fixed; /* when not 0: every item has this many steps */
};

static uint32_t syn_steps(const void *ctx, uint64_t item)
{
	const struct synth *s = ctx;

	if (s->fixed)
		return s->fixed;
	if (s->zero && item % 5 == 4)
		return 0;
	return 1 + (uint32_t)((item * 7 + s->seed) % s->span);
}

static size_t syn_emit(const void *ctx, uint64_t item, uint32_t step,
		       struct mw_access *out)
{
	(void)ctx;
	out[0].addr = item << 20 | step;
	out[0].size = 1;
	out[0].op = 0;
	out[0].tensor = 0;
	return 1;
}

static struct mw_sched_work work(const struct synth *s, uint64_t items,
				 bool persistent)
{
	struct mw_sched_work w = {items, syn_steps, syn_emit, 1, persistent, s};
	return w;
}

/* Reference: a list of slots, rounds, the rule written out plainly. */
static size_t reference(const struct mw_sched_cfg *c,
			const struct mw_sched_work *w, uint64_t *addr,
			uint16_t *unit)
{
	uint32_t slots = c->units * c->ctas_per_unit, j;
	int64_t *item = malloc(slots * sizeof(*item));
	uint32_t *step = calloc(slots, sizeof(*step));
	uint64_t next = 0;
	size_t n = 0;
	bool any = true;

	for (j = 0; j < slots; j++) {
		item[j] = -1;
		if (w->persistent) {
			uint64_t it = j;

			while (it < w->items && !w->steps(w->ctx, it))
				it += slots;
			if (it < w->items)
				item[j] = (int64_t)it;
		} else {
			while (next < w->items && !w->steps(w->ctx, next))
				next++;
			if (next < w->items)
				item[j] = (int64_t)next++;
		}
	}
	while (any) {
		any = false;
		for (j = 0; j < slots; j++) {
			if (item[j] < 0)
				continue;
			any = true;
			addr[n] = (uint64_t)item[j] << 20 | step[j];
			unit[n++] = (uint16_t)(j % c->units);
			if (++step[j] < w->steps(w->ctx, (uint64_t)item[j]))
				continue;
			step[j] = 0;
			if (w->persistent) {
				uint64_t it = (uint64_t)item[j] + slots;

				while (it < w->items && !w->steps(w->ctx, it))
					it += slots;
				item[j] = it < w->items ? (int64_t)it : -1;
			} else {
				while (next < w->items &&
				       !w->steps(w->ctx, next))
					next++;
				item[j] = next < w->items ? (int64_t)next++
							  : -1;
			}
		}
	}
	free(item);
	free(step);
	return n;
}

Test(sched, matches_reference_on_random_grids)
{
	struct mw_rng rng;
	int trial;

	mw_rng_seed(&rng, 11);
	for (trial = 0; trial < 200; trial++) {
		struct synth s = {(uint32_t)(1 + mw_rng_below(&rng, 6)),
				  (uint32_t)mw_rng_below(&rng, 100),
				  trial % 3 == 0, 0};
		struct mw_sched_cfg c = {(uint32_t)(1 + mw_rng_below(&rng, 9)),
					 (uint32_t)(1 + mw_rng_below(&rng, 3))};
		struct mw_sched_work w =
			work(&s, mw_rng_below(&rng, 200), trial % 2);
		uint64_t *addr = malloc(200 * 8 * sizeof(*addr));
		uint16_t *unit = malloc(200 * 8 * sizeof(*unit));
		size_t n = reference(&c, &w, addr, unit), i = 0;
		struct mw_diag d;
		struct mw_sched *sc = mw_sched_create(&c, &w, 1, &d);
		const struct mw_access *out;
		size_t got;

		cr_assert_not_null(sc);
		while ((got = mw_sched_next(sc, &out)) > 0) {
			cr_assert_eq(got, 1);
			cr_assert_lt(i, n);
			cr_assert_eq(out[0].addr, addr[i], "trial %d rec %zu",
				     trial, i);
			cr_assert_eq(out[0].unit, unit[i]);
			i++;
		}
		cr_assert_eq(i, n);
		mw_sched_destroy(sc);
		free(addr);
		free(unit);
	}
}

Test(sched, uniform_waves_interleave_round_robin)
{
	/* 4 units x 2 slots, 20 items of 3 steps: waves of 8 CTAs; in each
	   round the resident CTAs issue one step each, in slot order, and
	   slot j runs on unit j mod 4. */
	struct synth s = {1, 0, false, 3};
	struct mw_sched_cfg c = {4, 2};
	struct mw_sched_work w = work(&s, 20, false);
	struct mw_diag d;
	struct mw_sched *sc = mw_sched_create(&c, &w, 1, &d);
	const struct mw_access *out;
	struct mw_sched_pos pos;
	uint64_t k = 0;

	cr_assert_not_null(sc);
	while (mw_sched_next(sc, &out)) {
		uint64_t wave = k / 24, in_wave = k % 24;
		uint64_t round = in_wave / 8, slot = in_wave % 8;
		uint64_t item = wave * 8 + slot;

		if (wave == 2) { /* the last wave holds 4 CTAs */
			round = (k - 48) / 4;
			slot = (k - 48) % 4;
			item = 16 + slot;
		}
		mw_sched_last(sc, &pos);
		cr_assert_eq(out[0].addr >> 20, item, "record %llu",
			     (unsigned long long)k);
		cr_assert_eq(out[0].addr & 0xfffff, round);
		cr_assert_eq(out[0].unit, slot % 4);
		cr_assert_eq(pos.slot, slot);
		k++;
	}
	cr_assert_eq(k, 60);
	mw_sched_destroy(sc);
}

Test(sched, persistent_slots_own_strided_items)
{
	struct synth s = {1, 0, false, 2};
	struct mw_sched_cfg c = {3, 1};
	struct mw_sched_work w = work(&s, 10, true);
	struct mw_diag d;
	struct mw_sched *sc = mw_sched_create(&c, &w, 1, &d);
	const struct mw_access *out;
	struct mw_sched_pos pos;
	unsigned seen[10] = {0};

	while (mw_sched_next(sc, &out)) {
		uint64_t item = out[0].addr >> 20;

		mw_sched_last(sc, &pos);
		cr_assert_eq(pos.slot, item % 3);
		cr_assert_eq(out[0].unit, item % 3);
		cr_assert_eq(out[0].addr & 0xfffff, seen[item]);
		seen[item]++;
	}
	for (unsigned i = 0; i < 10; i++)
		cr_assert_eq(seen[i], 2);
	mw_sched_destroy(sc);
}

Test(sched, launches_run_one_after_another)
{
	struct synth s1 = {4, 1, false, 0}, s2 = {2, 0, true, 0};
	struct mw_sched_cfg c = {2, 2};
	struct mw_sched_work w[3] = {work(&s1, 9, false), work(&s2, 0, false),
				     work(&s2, 7, false)};
	struct mw_diag d;
	struct mw_sched *sc = mw_sched_create(&c, w, 3, &d);
	const struct mw_access *out;
	struct mw_sched_pos pos;
	uint32_t last = 0;
	size_t n = 0;

	while (mw_sched_next(sc, &out)) {
		mw_sched_last(sc, &pos);
		cr_assert_geq(pos.work, last);
		cr_assert_neq(pos.work, 1);
		last = pos.work;
		n++;
	}
	cr_assert_eq(last, 2);
	cr_assert_gt(n, 9);
	cr_assert_eq(mw_sched_next(sc, &out), 0);
	mw_sched_destroy(sc);
}

Test(sched, bad_configs)
{
	struct mw_diag d;
	struct synth s = {1, 0, false, 1};
	struct mw_sched_work w = work(&s, 1, false);

	cr_assert_null(
		mw_sched_create(&(struct mw_sched_cfg){0, 1}, &w, 1, &d));
	cr_assert_eq(d.code, MW_EINVAL);
	cr_assert_null(
		mw_sched_create(&(struct mw_sched_cfg){4, 0}, &w, 1, &d));
	cr_assert_null(mw_sched_create(&(struct mw_sched_cfg){65536, 1024}, &w,
				       1, &d));
}
