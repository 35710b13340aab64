/*
 * sched.c - CTA scheduler: waves of resident CTAs, steps interleaved.
 *
 * Notes:
 *  - Slot j runs on unit j mod units, so the first wave spreads over all
 *    units before any unit gets a second CTA (as the hardware block
 *    scheduler does).
 *  - Rounds: each round visits the busy slots in slot order and issues
 *    one step of each.  All steps are taken to last the same time; a CTA
 *    with more steps (causal attention, uneven split-K) simply stays
 *    resident longer, and its slot is refilled as soon as it ends.
 *  - A finished CTA's slot takes the next unstarted item in grid order at
 *    once (it issues its first step in the next round).  Items with zero
 *    steps are passed over without occupying a slot.
 *  - Persistent launches: slot j owns items j, j+slots, j+2 slots, ...
 *    and walks them one after another without ever freeing the slot.
 *  - Launches are serialized: the next starts when the previous drained.
 */
#include "model/sched.h"

#include "common/alloc.h"

#include <assert.h>
#include <string.h>

struct slot {
	uint64_t item;
	uint32_t step, nsteps;
	bool busy;
};

struct mw_sched {
	struct mw_sched_cfg cfg;
	struct mw_sched_work *works;
	size_t nworks, cur;
	uint32_t nslots;
	uint32_t span; /* slots this launch can use: min(slots, items) */
	struct slot *slots;
	uint32_t next_slot; /* slot to visit next in this round */
	uint32_t busy;
	uint64_t next_item; /* next unstarted item (non-persistent) */
	bool started;
	struct mw_access *buf;
	struct mw_sched_pos last;
	uint64_t round;
};

struct mw_sched *mw_sched_create(const struct mw_sched_cfg *cfg,
				 const struct mw_sched_work *works, size_t n,
				 struct mw_diag *d)
{
	struct mw_sched *s;
	size_t i, maxrec = 1;
	uint64_t nslots;

	if (!cfg->units || cfg->units > 65536 || !cfg->ctas_per_unit) {
		mw_diag_set(d, MW_EINVAL, "", 0,
			    "units must be 1..65536 and ctas-per-unit >= 1");
		return NULL;
	}
	nslots = (uint64_t)cfg->units * cfg->ctas_per_unit;
	if (nslots > (1u << 24)) {
		mw_diag_set(d, MW_EINVAL, "", 0,
			    "units x ctas-per-unit = %llu slots is more "
			    "than 16777216",
			    (unsigned long long)nslots);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (works[i].max_step_records > maxrec)
			maxrec = works[i].max_step_records;
	s = mw_calloc(1, sizeof(*s));
	if (!s)
		goto out_nomem;
	s->cfg = *cfg;
	s->nslots = (uint32_t)nslots;
	s->nworks = n;
	s->works = mw_calloc(n ? n : 1, sizeof(*s->works));
	s->slots = mw_calloc(s->nslots, sizeof(*s->slots));
	s->buf = mw_calloc(maxrec, sizeof(*s->buf));
	if (!s->works || !s->slots || !s->buf)
		goto out_nomem;
	if (n)
		memcpy(s->works, works, n * sizeof(*works));
	return s;
out_nomem:
	mw_sched_destroy(s);
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory for the scheduler");
	return NULL;
}

void mw_sched_destroy(struct mw_sched *s)
{
	if (!s)
		return;
	mw_free(s->works);
	mw_free(s->slots);
	mw_free(s->buf);
	mw_free(s);
}

/* Gives slot j its next item with at least one step; false if none. */
static bool refill(struct mw_sched *s, uint32_t j)
{
	const struct mw_sched_work *w = &s->works[s->cur];
	struct slot *sl = &s->slots[j];

	for (;;) {
		uint64_t it;

		if (w->persistent) {
			/* nsteps != 0 once the slot has had an item */
			it = sl->nsteps ? sl->item + s->nslots : j;
		} else {
			it = s->next_item++;
		}
		if (it >= w->items) {
			sl->busy = false;
			return false;
		}
		sl->item = it;
		sl->step = 0;
		sl->nsteps = w->steps(w->ctx, it);
		if (sl->nsteps) {
			sl->busy = true;
			return true;
		}
		sl->busy = false;
		sl->nsteps = 1;
	}
}

static void start_work(struct mw_sched *s)
{
	uint32_t j;

	s->next_item = 0;
	s->busy = 0;
	s->next_slot = 0;
	s->round = 0;
	memset(s->slots, 0, s->nslots * sizeof(*s->slots));
	s->span = s->works[s->cur].items < s->nslots
			  ? (uint32_t)s->works[s->cur].items
			  : s->nslots;
	for (j = 0; j < s->span; j++) {
		if (refill(s, j))
			s->busy++;
		else if (!s->works[s->cur].persistent)
			break;
	}
}

size_t mw_sched_next(struct mw_sched *s, const struct mw_access **out)
{
	for (;;) {
		const struct mw_sched_work *w;
		struct slot *sl;
		uint32_t j, unit;
		size_t n, i;

		if (!s->started) {
			s->started = true;
			s->cur = 0;
			if (s->nworks)
				start_work(s);
		}
		if (s->cur >= s->nworks)
			return 0;
		if (!s->busy) {
			s->cur++;
			if (s->cur >= s->nworks)
				return 0;
			start_work(s);
			continue;
		}
		w = &s->works[s->cur];
		if (s->next_slot == 0)
			s->round++;
		j = s->next_slot;
		s->next_slot = j + 1 >= s->span ? 0 : j + 1;
		sl = &s->slots[j];
		if (!sl->busy)
			continue;
		n = w->emit(w->ctx, sl->item, sl->step, s->buf);
		assert(n <= w->max_step_records);
		s->last.work = (uint32_t)s->cur;
		s->last.item = sl->item;
		s->last.step = sl->step;
		s->last.slot = j;
		s->last.round = s->round;
		if (++sl->step == sl->nsteps && !refill(s, j))
			s->busy--;
		if (!n)
			continue;
		unit = mw_sched_unit(&s->cfg, j);
		for (i = 0; i < n; i++)
			s->buf[i].unit = (uint16_t)unit;
		*out = s->buf;
		return n;
	}
}

void mw_sched_last(const struct mw_sched *s, struct mw_sched_pos *pos)
{
	*pos = s->last;
}
