/*
 * dram_check.c - replays a DRAM command log and checks every timing
 * constraint between every pair of commands, and the bank states.
 *
 * Notes:
 * - Independent of the scheduler in dram.c: it knows only the config and
 *   the log.  Pairs further apart than the longest constraint cannot
 *   violate anything, so each command is compared with every earlier
 *   command of its channel inside that window.
 * - Constraints (j before i, dt = t_i - t_j): one row and one column
 *   command per channel per CK; same bank: ACT-RD tRCD, ACT-WR tRCDWR,
 *   ACT-PRE tRAS, ACT-ACT tRC, PRE-ACT tRP, RD-PRE tRTP, WR-PRE
 *   tCWL + nBL + tWR, PRE-REFpb tRP, REFpb-ACT tRFCpb; same PC: ACT-ACT
 *   tRRD_L (same group) / tRRD_S, four ACTs within tFAW, RD-RD and WR-WR
 *   tCCD_L / tCCD_S and nBL (data bus), RD-WR tRTW and data-bus
 *   turnaround, WR-RD tCWL + nBL + tWTR_L / tWTR_S, PRE-REF tRP,
 *   REF-ACT tRFC.  States: ACT on a closed bank, RD/WR on the open row,
 *   PRE on an open bank, REF with every bank of its PC closed.
 * - Refresh: consecutive refreshes of a PC (REFab, or REFpb of any of its
 *   banks) are at most 9 intervals apart (JEDEC allows 8 postponed).
 */
#include "hierarchy/dram.h"
#include "common/alloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const kname[] = {"ACT", "PRE", "RD", "WR", "REF", "REFpb"};

struct ck_ctx {
	const struct mw_dram_cfg *c;
	const struct mw_dram_cmd *log;
	struct mw_diag *d;
};

static int viol(struct ck_ctx *x, size_t j, size_t i, const char *what,
		uint64_t need)
{
	const struct mw_dram_cmd *a = &x->log[j], *b = &x->log[i];

	return mw_diag_set(x->d, MW_ERANGE, "", 0,
			   "command %zu %s ch%u pc%u bg%u ba%u at %llu and "
			   "command %zu %s pc%u bg%u ba%u at %llu: %s needs "
			   "%llu CK",
			   j, kname[a->kind], a->channel, a->pc, a->bg, a->ba,
			   (unsigned long long)a->time, i, kname[b->kind],
			   b->pc, b->bg, b->ba, (unsigned long long)b->time,
			   what, (unsigned long long)need);
}

static const struct mw_dram_cmd *sort_log;

static int by_chan_time(const void *pa, const void *pb)
{
	const size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct mw_dram_cmd *x = &sort_log[a], *y = &sort_log[b];

	if (x->channel != y->channel)
		return x->channel < y->channel ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return a < b ? -1 : a > b;
}

static bool is_row(int k)
{
	return k == MW_DRAM_ACT || k == MW_DRAM_PRE || k == MW_DRAM_REF ||
	       k == MW_DRAM_REFPB;
}

/* The constraint between earlier j and later i, or 0. */
static int pair(struct ck_ctx *x, size_t j, size_t i)
{
	const struct mw_dram_timing *t = &x->c->t;
	const struct mw_dram_cmd *a = &x->log[j], *b = &x->log[i];
	uint64_t dt = b->time - a->time;
	bool same_pc = a->pc == b->pc, same_bg = same_pc && a->bg == b->bg;
	bool same_bank = same_bg && a->ba == b->ba;
	int ka = a->kind, kb = b->kind;

#define NEED(cond, what, n)                                                    \
	do {                                                                   \
		if ((cond) && dt < (uint64_t)(n))                              \
			return viol(x, j, i, what, (uint64_t)(n));             \
	} while (0)
	NEED(is_row(ka) && is_row(kb), "one row command per CK", 1);
	NEED(!is_row(ka) && !is_row(kb), "one column command per CK", 1);
	if (!same_pc)
		return 0;
	if (ka == MW_DRAM_ACT && kb == MW_DRAM_ACT) {
		NEED(same_bank, "tRC", t->tRC);
		NEED(same_bg, "tRRD_L", t->tRRD_L);
		NEED(1, "tRRD_S", t->tRRD_S);
	}
	if (ka == kb && (ka == MW_DRAM_RD || ka == MW_DRAM_WR)) {
		NEED(same_bg, "tCCD_L", t->tCCD_L);
		NEED(1, "tCCD_S", t->tCCD_S);
		NEED(1, "data bus (nBL)", t->nBL);
	}
	if (ka == MW_DRAM_RD && kb == MW_DRAM_WR) {
		NEED(1, "tRTW", t->tRTW);
		NEED(t->tCL + t->nBL > t->tCWL, "data bus turnaround",
		     t->tCL + t->nBL - t->tCWL);
	}
	if (ka == MW_DRAM_WR && kb == MW_DRAM_RD) {
		NEED(same_bg, "tCWL + nBL + tWTR_L",
		     t->tCWL + t->nBL + t->tWTR_L);
		NEED(1, "tCWL + nBL + tWTR_S", t->tCWL + t->nBL + t->tWTR_S);
	}
	if (ka == MW_DRAM_PRE && kb == MW_DRAM_REF)
		NEED(1, "tRP before REF", t->tRP);
	if (ka == MW_DRAM_REF && kb == MW_DRAM_ACT)
		NEED(1, "tRFC", t->tRFC);
	if (ka == MW_DRAM_REF && kb == MW_DRAM_REF)
		NEED(1, "tRFC between REFs", t->tRFC);
	if (!same_bank)
		return 0;
	NEED(ka == MW_DRAM_ACT && kb == MW_DRAM_RD, "tRCD", t->tRCD);
	NEED(ka == MW_DRAM_ACT && kb == MW_DRAM_WR, "tRCDWR", t->tRCDWR);
	NEED(ka == MW_DRAM_ACT && kb == MW_DRAM_PRE, "tRAS", t->tRAS);
	NEED(ka == MW_DRAM_PRE && kb == MW_DRAM_ACT, "tRP", t->tRP);
	NEED(ka == MW_DRAM_RD && kb == MW_DRAM_PRE, "tRTP", t->tRTP);
	NEED(ka == MW_DRAM_WR && kb == MW_DRAM_PRE, "tCWL + nBL + tWR",
	     t->tCWL + t->nBL + t->tWR);
	NEED(ka == MW_DRAM_PRE && kb == MW_DRAM_REFPB, "tRP before REFpb",
	     t->tRP);
	NEED(ka == MW_DRAM_REFPB && kb == MW_DRAM_ACT, "tRFCpb", t->tRFCpb);
	NEED(ka == MW_DRAM_REFPB && kb == MW_DRAM_REFPB, "tRFCpb between REFpb",
	     t->tRFCpb);
#undef NEED
	return 0;
}

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

int mw_dram_check(const struct mw_dram_cfg *c, const struct mw_dram_cmd *log,
		  size_t n, struct mw_diag *d)
{
	const struct mw_dram_timing *t = &c->t;
	uint32_t nch = c->stacks * c->channels, per = c->bank_groups * c->banks;
	uint32_t nbank = c->pseudo_channels * per;
	uint64_t interval = c->refresh == MW_DRAM_REF_PERBANK ? t->tREFI / per
							      : t->tREFI;
	uint64_t win = 1 + max3(max3(t->tRC, t->tRFC, t->tRFCpb),
				max3(t->tFAW, t->tCWL + t->nBL + t->tWR,
				     t->tCWL + t->nBL + t->tWTR_L),
				max3(t->tRTW, t->tCL + t->nBL, t->tRAS));
	struct ck_ctx x = {c, log, d};
	uint32_t *open = NULL;
	uint64_t *last_ref = NULL;
	size_t *idx = NULL, k, start = 0;
	int rc = 0;

	if (!n)
		return 0;
	idx = mw_calloc(n, sizeof(*idx));
	open = mw_calloc((size_t)nch * nbank, sizeof(*open));
	last_ref =
		mw_calloc((size_t)nch * c->pseudo_channels, sizeof(*last_ref));
	if (!idx || !open || !last_ref) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out_free;
	}
	for (k = 0; k < (size_t)nch * nbank; k++)
		open[k] = UINT32_MAX;
	for (k = 0; k < n; k++) {
		idx[k] = k;
		if (log[k].channel >= nch || log[k].pc >= c->pseudo_channels ||
		    log[k].bg >= c->bank_groups || log[k].ba >= c->banks ||
		    log[k].kind > MW_DRAM_REFPB) {
			rc = mw_diag_set(d, MW_ERANGE, "", 0,
					 "command %zu names no bank of this "
					 "config",
					 k);
			goto out_free;
		}
	}
	sort_log = log;
	qsort(idx, n, sizeof(*idx), by_chan_time);
	for (k = 0; k < n; k++) {
		size_t i = idx[k], j;
		const struct mw_dram_cmd *b = &log[i];
		uint32_t *o = &open[(size_t)b->channel * nbank + b->pc * per +
				    b->bg * c->banks + b->ba];
		uint64_t *lr =
			&last_ref[(size_t)b->channel * c->pseudo_channels +
				  b->pc];
		unsigned acts = 0;
		size_t q;

		if (k && log[idx[k - 1]].channel != b->channel)
			start = k;
		for (q = k; q-- > start;) {
			j = idx[q];
			if (b->time - log[j].time > win)
				break;
			if ((rc = pair(&x, j, i)))
				goto out_free;
			if (b->kind == MW_DRAM_ACT &&
			    log[j].kind == MW_DRAM_ACT && log[j].pc == b->pc &&
			    ++acts == 4 && b->time - log[j].time < t->tFAW) {
				rc = viol(&x, j, i, "tFAW (5th ACT)", t->tFAW);
				goto out_free;
			}
		}
		switch (b->kind) {
		case MW_DRAM_ACT:
			if (*o != UINT32_MAX) {
				rc = viol(&x, i, i, "ACT on an open bank", 0);
				goto out_free;
			}
			*o = b->row;
			break;
		case MW_DRAM_PRE:
			if (*o == UINT32_MAX) {
				rc = viol(&x, i, i, "PRE on a closed bank", 0);
				goto out_free;
			}
			*o = UINT32_MAX;
			break;
		case MW_DRAM_RD:
		case MW_DRAM_WR:
			if (*o != b->row) {
				rc = viol(&x, i, i,
					  "column access to a row that is not "
					  "open",
					  0);
				goto out_free;
			}
			break;
		default: {
			uint32_t bb, first = b->kind == MW_DRAM_REF ? 0 : 0;

			for (bb = first; bb < per; bb++) {
				uint32_t *p = &open[(size_t)b->channel * nbank +
						    b->pc * per + bb];

				if ((b->kind == MW_DRAM_REF || p == o) &&
				    *p != UINT32_MAX) {
					rc = viol(&x, i, i,
						  "refresh of an open bank", 0);
					goto out_free;
				}
			}
			if (b->time > *lr + 9 * interval) {
				rc = viol(&x, i, i,
					  "refresh later than 9 intervals",
					  9 * interval);
				goto out_free;
			}
			*lr = b->time;
			break;
		}
		}
	}
out_free:
	mw_free(idx);
	mw_free(open);
	mw_free(last_ref);
	return rc;
}
