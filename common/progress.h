/*
 * progress.h - progress of a long run: when to report and what to say.
 * The library only measures and formats; cli/ decides where it goes (a
 * line on stderr when that is a terminal).
 */
#ifndef MW_PROGRESS_H
#define MW_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mw_progress {
	const char *what;  /* unit of work, plural: "records", "points" */
	uint64_t total;	   /* 0 = unknown */
	uint64_t done;	   /* work done so far */
	double start_s;	   /* monotonic seconds at start */
	double last_s;	   /* monotonic seconds at the last report */
	double interval_s; /* minimum time between reports */
};

/* Monotonic clock in seconds. */
double mw_now_s(void);

/* Starts a meter; what is borrowed and must outlive p. */
void mw_progress_start(struct mw_progress *p, const char *what, uint64_t total);

/* Records done units; true when a report is due (rate-limited). */
bool mw_progress_update(struct mw_progress *p, uint64_t done);

/*
 * "12.3M/20.0M records (61%), 45.6M records/s, 2s left" into buf.
 * Returns buf.
 */
char *mw_progress_format(const struct mw_progress *p, char *buf, size_t cap);

#endif
