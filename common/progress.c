/*
 * progress.c - rate-limited progress measurement.
 *
 * Notes:
 *  - Reports are due at most every interval_s (0.25 s by default) so a
 *    progress line costs nothing measurable in a hot loop that calls
 *    mw_progress_update once per batch.
 */
#include "common/progress.h"

#include <stdio.h>
#include <time.h>

double mw_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void mw_progress_start(struct mw_progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total;
	p->done = 0;
	p->start_s = mw_now_s();
	p->last_s = p->start_s;
	p->interval_s = 0.25;
}

bool mw_progress_update(struct mw_progress *p, uint64_t done)
{
	double now;

	p->done = done;
	now = mw_now_s();
	if (now - p->last_s < p->interval_s)
		return false;
	p->last_s = now;
	return true;
}

static void short_count(char *buf, size_t cap, double n)
{
	if (n >= 1e9)
		snprintf(buf, cap, "%.1fG", n / 1e9);
	else if (n >= 1e6)
		snprintf(buf, cap, "%.1fM", n / 1e6);
	else if (n >= 1e3)
		snprintf(buf, cap, "%.1fk", n / 1e3);
	else
		snprintf(buf, cap, "%.0f", n);
}

char *mw_progress_format(const struct mw_progress *p, char *buf, size_t cap)
{
	double elapsed = mw_now_s() - p->start_s;
	double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	char done[16], total[16], r[16];

	short_count(done, sizeof(done), (double)p->done);
	short_count(r, sizeof(r), rate);
	if (p->total && p->done <= p->total) {
		double left = rate > 0 ? (double)(p->total - p->done) / rate
				       : 0;

		short_count(total, sizeof(total), (double)p->total);
		snprintf(buf, cap, "%s/%s %s (%.0f%%), %s %s/s, %.0fs left",
			 done, total, p->what,
			 100.0 * (double)p->done / (double)p->total, r, p->what,
			 left);
	} else {
		snprintf(buf, cap, "%s %s, %s %s/s, %.0fs", done, p->what, r,
			 p->what, elapsed);
	}
	return buf;
}
