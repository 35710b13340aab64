/*
 * sched.h - the CTA scheduler: places the CTAs of a sequence of kernel
 * launches on units in waves and interleaves the resident CTAs' steps.
 *
 * A launch is a grid of items (CTAs or, persistent, tiles); each item is
 * a number of steps; a step is a batch of records (tile loads or stores).
 * units x ctas_per_unit slots hold one CTA each; every round each busy
 * slot issues one step, in slot order, and a slot whose CTA finished
 * takes the next item of the grid.  Launches run one after another.
 * Memory is constant in the problem size: steps are generated on demand.
 */
#ifndef MW_SCHED_H
#define MW_SCHED_H

#include "common/err.h"
#include "traces/access.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_sched_cfg {
	uint32_t units;		/* SMs, 1..65536 */
	uint32_t ctas_per_unit; /* resident CTAs per unit, >= 1 */
};

/* One launch.  Callbacks borrow ctx. */
struct mw_sched_work {
	uint64_t items;
	/* Steps of item i (0 = the CTA exits at once). */
	uint32_t (*steps)(const void *ctx, uint64_t item);
	/* Records of step s of item i into out (room for max_step_records);
	   returns the count.  unit is filled by the scheduler. */
	size_t (*emit)(const void *ctx, uint64_t item, uint32_t step,
		       struct mw_access *out);
	size_t max_step_records;
	/* Persistent kernel: the grid is the slots and slot j runs items
	   j, j + slots, ... in turn (as one long-lived CTA). */
	bool persistent;
	const void *ctx;
};

struct mw_sched;

/*
 * Returns an owned scheduler over works[0..n-1] (the array is copied, the
 * contexts are borrowed) or NULL with d filled.  Free with
 * mw_sched_destroy.
 */
struct mw_sched *mw_sched_create(const struct mw_sched_cfg *cfg,
				 const struct mw_sched_work *works, size_t n,
				 struct mw_diag *d);
void mw_sched_destroy(struct mw_sched *s);

/*
 * The next step's records (borrowed, valid until the next call): sets *out
 * and returns the count, 0 at the end.  Steps with no record are skipped.
 */
size_t mw_sched_next(struct mw_sched *s, const struct mw_access **out);

/* Where the last step came from (for tests): launch, item, step, slot. */
struct mw_sched_pos {
	uint32_t work;
	uint64_t item;
	uint32_t step;
	uint32_t slot;
	uint64_t round; /* rounds started in this launch, from 1 */
};
void mw_sched_last(const struct mw_sched *s, struct mw_sched_pos *pos);

/* The unit a slot runs on: slots fill units breadth-first. */
static inline uint32_t mw_sched_unit(const struct mw_sched_cfg *c,
				     uint32_t slot)
{
	return slot % c->units;
}

#endif
