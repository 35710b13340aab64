/*
 * dram.c - event-driven HBM/DRAM timing model with FR-FCFS controllers
 * and a closed-loop front end.
 *
 * Notes:
 * - Time is counted in whole CK.  Each command (ACT, PRE, RD, WR, REF,
 *   REFpb) holds its bus for one CK: one row-command bus and one column
 *   bus per channel, shared by its pseudo-channels (PCs), dual-issued.
 *   HBM3's 1.5 CK ACT is rounded to 1 CK.
 * - Banks belong to a PC; tRRD_S/L and tFAW are per PC (Ramulator 2.1
 *   pseudo-channel mode), tCCD_S/L, tWTR_S/L and tRTW per PC and bank
 *   group, the data bus per PC (a burst holds it nBL CK, reads at
 *   +tCL, writes at +tCWL).
 * - A request is cut into transactions of tx_bytes; consecutive
 *   transactions in the same bank and row form one queue entry that
 *   issues one column command per transaction.  Bytes read/written are
 *   whole transactions.
 * - Controller per channel: a read queue and a write queue of entries.
 *   Reads are served until the write queue reaches write_high (or no
 *   read waits), then writes until write_low (or none wait).  FR-FCFS:
 *   among the commands of the active queue, the one legal earliest
 *   issues; ties go to refresh, then column commands (row hits), then
 *   the oldest entry.  A bank whose open row still has queued hits in
 *   the active queue is not precharged for a conflict.
 * - Open page keeps rows open until a conflict or refresh; closed page
 *   precharges a bank as soon as no queued entry hits its row.
 * - Refresh per PC: REFab every tREFI (all banks precharged first, ACTs
 *   that would start after the due time wait), or REFpb to one bank
 *   every tREFI / banks round robin.  Idle channels refresh too.
 * - Front end: requests enter in order while fewer than `outstanding`
 *   reads (plus writes still waiting outside a queue) are in flight.  A
 *   read completes when its last data beat arrives; writes are posted.
 *   frontend = buffered: an entry whose channel queue is full waits in
 *   that channel's FIFO (the L2 / crossbar side) and enters, oldest
 *   first, as soon as an entry leaves; blocking: the whole stream waits
 *   for room.  No per-cycle issue cap.
 * - line_bytes = L (0: off): the front end tracks lines as an L2's MSHRs
 *   do.  A read inside one L-byte line whose read is still in flight
 *   joins that read's slot (latency and reads_done then count lines); a
 *   write to the line of the previous write does not wait for a slot;
 *   a request that continues its bank's youngest entry (same slot, row
 *   and line, no column command issued yet; queued, or among the last
 *   four waiting aside) extends that entry, so a line's sectors are
 *   back-to-back column bursts of one entry, as a 128 B request's are.
 * - Event-driven: a channel's next command time is the max of the
 *   earliest-legal times kept per bank, bank group, PC and bus; a
 *   calendar (a wheel of CK slots with channel bitmaps, far keys in a
 *   heap) orders channels by it, ties to the lower channel.  Idle cycles
 *   are never visited.
 * - Slices: while the front end waits for a read completion (no write
 *   waits aside), channels share nothing, and a read issued at t
 *   completes at t + tCL + nBL at the earliest; so every command before
 *   min(next completion, earliest command + tCL + nBL) runs channel by
 *   channel without the calendar, and the log slice is sorted back
 *   into (time, channel) order, the order one event at a time gives
 *   (a log too short for a slice gets one command at a time).
 * - Scheduling cost: all entries of one bank in the active queue need
 *   the same command at the same time, so the bank's oldest entry (its
 *   oldest row hit, for a column command) stands for them.  Banks sit in
 *   per-queue class lists (column, ACT, conflict PRE) in age order of
 *   that entry, arrays of bank ids (a walk's next bank does not wait
 *   for a link in the last one); a walk stops at the first candidate
 *   legal at its class's lower bound.  The decisions are those of a
 *   scan over every entry.
 * - Row outcomes are per transaction: hit (row open), miss (bank was
 *   closed), conflict (another row had to be closed for it).
 * - Read latency: request enqueue to last data; percentiles from a
 *   log-linear histogram (16 sub-buckets per power of two, so within
 *   about 6 %).
 * - Idle share: a channel is idle from the end of the data of its last
 *   queued entry until the next entry arrives (and from 0 to its first,
 *   and after its last until the end); refresh does not count as work.
 *   Summed over channels over channels x end.  Requests waiting at other
 *   channels while one is idle are the front end's order, not a gap.
 * - Counting mode: no time; rows are classified in request order with
 *   one open row per bank.
 */
#include "hierarchy/dram.h"
#include "common/alloc.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define NO_ROW	 UINT32_MAX
#define INF	 UINT64_MAX
#define WHEEL	 256 /* CK the channel calendar covers ahead of now */
#define HIST_SUB 16
#define HIST_N	 (64 * HIST_SUB)

#define NIL UINT32_MAX

/* Scheduling classes of a bank for one queue (read or write). */
enum {
	K_COL, /* open row with queued hits: a column command */
	K_ACT, /* closed, entries queued: an ACT */
	K_PRE, /* open, no queued hit: a conflict PRE */
	K_NONE /* no entry of this queue */
};

struct dbank {
	uint64_t next_act, next_pre, next_rd, next_wr, ref_ok;
	uint64_t key[2]; /* seq of the entry that stands for it in its class */
	uint32_t open_row;
	uint32_t qhead[2], qtail[2]; /* its entries per queue, oldest first */
	uint32_t hithead[2];	     /* oldest entry hitting open_row */
	uint16_t hits[2];	/* queued entries hitting open_row, rd / wr */
	uint16_t pc, grp, inpc; /* PC, group in the channel, bank in PC */
	uint8_t cls[2];		/* class per queue */
	bool fresh;		/* activated, no column access yet */
	bool fresh_conflict;	/* that ACT followed a conflict PRE */
	bool closing;		/* closed page: in the closing list */
};

struct dgroup {
	uint64_t next_act, next_rd, next_wr;
};

struct dpc {
	uint64_t next_act, next_rd, next_wr;
	uint64_t faw[4]; /* last four ACT times, ring */
	uint32_t faw_i;
	uint32_t nact; /* ACTs so far, saturating at 4 */
	uint64_t ref_due;
	uint32_t ref_bank;
	uint64_t busy; /* CK of data transfer */
};

struct dentry {
	uint64_t seq;
	uint32_t bank; /* index in the channel */
	uint32_t row;
	uint32_t req; /* read request slot, UINT32_MAX for writes */
	uint16_t cols;
	uint16_t pc;  /* pseudo-channel of bank */
	uint16_t grp; /* bank group index in the channel */
	uint8_t write;
	uint8_t started;     /* a column command has issued */
	uint32_t next, prev; /* links in its bank's list */
	uint64_t tx_end;     /* transaction after its last */
	uint64_t line;	     /* line_bytes: the line of its first transaction */
};

enum {
	C_NONE,
	C_ACT,
	C_PRE,
	C_RD,
	C_WR,
	C_REF,
	C_REFPB
};

struct dcand {
	uint64_t t;
	uint64_t seq;
	int kind;
	int prio; /* 0 refresh, 1 column, 2 row for an entry, 3 closing */
	int q;	  /* entry index in the active queue, -1 none */
	uint32_t bank, pc;
	bool conflict;
};

struct dchan {
	/* this channel's banks, bank groups and PCs (in m->banks etc.) */
	struct dbank *bk;
	struct dgroup *gp;
	struct dpc *pp;
	uint64_t ref_min;   /* lowest ref_due of its PCs */
	struct dentry *ent; /* entries of both queues */
	uint32_t *free_ent, nfree_ent;
	uint32_t nr, nw; /* entries per queue */
	/*
	 * Per queue, per class: its banks in age order of the entry standing
	 * for each (ids, and those entries' seqs for placing a joining
	 * bank): arrays, so a walk reads the next bank without waiting for
	 * the last one's load.  Each list is a window [cid, cid + cn) of a
	 * buffer of 2 x nbank (cbuf_id + list x 2 x nbank): a leaving bank's
	 * older neighbours move up one place and the window starts one
	 * later; at the buffer's end the window moves back to its start.
	 */
	uint16_t *cid[2][3], *cbuf_id;
	uint64_t *ckey[2][3], *cbuf_key;
	uint32_t cn[2][3];
	/*
	 * Per queue: at most the lowest next_rd (read) / next_wr (write) of
	 * the K_COL banks (those terms only change at an ACT, before a bank
	 * joins), lowered as banks join, made exact by a full walk.
	 */
	uint64_t colmin[2];
	/* the same for next_act of the K_ACT banks (it only grows) */
	uint64_t actmin[2];
	uint32_t *closing;
	uint32_t nclosing;
	bool wmode;
	/* frontend = buffered: entries waiting for room, per queue, FIFO */
	struct dentry *ovf[2];
	uint32_t ovf_head[2], ovf_n[2], ovf_cap[2];
	uint64_t rowbus, colbus;
	struct dcand best;
	uint32_t hpos; /* position in the far heap */
	bool inwheel;  /* in the calendar wheel, else in the far heap */
	uint64_t key;
	/* stats */
	uint64_t bytes_read, bytes_written, tx, hits, misses, conflicts;
	uint64_t acts, pres, refs;
	/* CK with no entry queued: up to empty_since, and since it if empty */
	uint64_t idle_ck, empty_since;
};

struct hent {
	uint64_t key;
	uint32_t ch;
};

struct dreq {
	uint64_t issue, done;
	uint64_t line; /* line_bytes: its line, NO_LINE if it has none */
	uint32_t remaining;
	uint32_t hnext; /* line hash chain */
};

#define NO_LINE UINT64_MAX

struct mw_dram {
	struct mw_dram_cfg c;
	uint32_t nch, npc, nbank; /* nbank, npc: per channel */
	struct dchan *ch;
	struct dbank *banks;   /* nch x nbank */
	struct dgroup *groups; /* nch x npc x bg */
	struct dpc *pcs;       /* nch x npc */
	struct hent *heap;     /* far channels by key (ties: lower channel) */
	uint32_t nheap;
	uint64_t *wheel; /* WHEEL slots x wwords: channels due at that CK */
	uint32_t wwords, nwheel;
	uint32_t wcount[WHEEL]; /* channels per slot */
	uint64_t wsum[WHEEL / 64];
	uint64_t co_run; /* transactions in a row share all but the column */
	/* mw_dram_decode, compiled: segments with their field multipliers,
	 * then the +chash rotation, then the XOR steps (fields of size > 1,
	 * CH to BA) */
	struct dseg {
		uint64_t radix, mult;
		uint8_t field, shift;
		bool pow2;
	} dseg[MW_DRAM_MAP_MAX];
	struct dxor {
		uint64_t size;
		uint8_t field, shift;
		bool pow2;
	} dxor[4];
	uint32_t ndxor;
	/*
	 * Completion times of finished reads: mostly in order (a read's data
	 * ends tCL + nBL after its last RD), so a FIFO of nondecreasing
	 * times, and a heap for the few that arrive out of order.
	 */
	uint64_t *done_heap, *done_fifo;
	uint32_t ndone, nheapd, fifo_head, fifo_n;
	struct dreq *reqs;
	uint32_t *free_reqs;
	uint32_t nfree;
	uint32_t inflight; /* read requests not yet completed */
	uint32_t *lhash;   /* line_bytes: in-flight read lines -> slot */
	uint32_t lhash_bits;
	uint64_t last_wline; /* line of the last write request, or NO_LINE */
	uint32_t ovf_writes; /* write entries waiting outside the queues */
	uint64_t now, seq, queued, end;
	uint64_t requests, lat_sum, lat_n;
	uint64_t hist[HIST_N];
	uint64_t ref_interval; /* per PC */
	/* issue's constants: column to column of a PC, max(tCCD_S, nBL);
	 * RD to WR of a PC, max(tRTW, tCL + nBL - tCWL) */
	uint64_t ccd_pc, rd_wr;
	struct mw_dram_cmd *log, *log_tmp; /* log_tmp: for sorting a slice */
	size_t log_cap, log_n;
	bool log_trunc;
	bool slice;    /* in run_slice: rescan leaves the calendar alone */
	uint32_t *ran; /* run_slice: the channels that ran */
	/* counting mode */
	uint32_t *open_rows;
};

/* ---- small helpers ------------------------------------------------------ */

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void hist_add(struct mw_dram *m, uint64_t v)
{
	unsigned e = 0, b;

	if (v < HIST_SUB) {
		b = (unsigned)v;
	} else {
		uint64_t x = v;

		while (x >= 2 * HIST_SUB) {
			x >>= 1;
			e++;
		}
		b = (e + 1) * HIST_SUB + (unsigned)(x - HIST_SUB);
	}
	if (b >= HIST_N)
		b = HIST_N - 1;
	m->hist[b]++;
}

/* Lower bound of bucket b (mid-point reported). */
static double hist_value(unsigned b)
{
	unsigned e, s;

	if (b < HIST_SUB)
		return b;
	e = b / HIST_SUB - 1;
	s = b % HIST_SUB;
	return ((double)(HIST_SUB + s) + 0.5) * (double)(1ull << e);
}

static double hist_pct(const struct mw_dram *m, double p)
{
	uint64_t n = 0, want, acc = 0;
	unsigned b;

	for (b = 0; b < HIST_N; b++)
		n += m->hist[b];
	if (!n)
		return 0;
	want = (uint64_t)(p * (double)n);
	if (want >= n)
		want = n - 1;
	for (b = 0; b < HIST_N; b++) {
		acc += m->hist[b];
		if (acc > want)
			return hist_value(b);
	}
	return 0;
}

/* channel heap */
static inline bool hless(const struct hent *a, const struct hent *b)
{
	return a->key < b->key || (a->key == b->key && a->ch < b->ch);
}

/* Places x at position i of the far heap and restores its order. */
static void hsift(struct mw_dram *m, uint32_t i, struct hent x)
{
	struct hent *h = m->heap;
	uint32_t n = m->nheap;

	while (i > 0 && hless(&x, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		m->ch[h[i].ch].hpos = i;
		i = (i - 1) / 2;
	}
	for (;;) {
		uint32_t l = 2 * i + 1, c = l;

		if (l >= n)
			break;
		if (l + 1 < n && hless(&h[l + 1], &h[l]))
			c = l + 1;
		if (!hless(&h[c], &x))
			break;
		h[i] = h[c];
		m->ch[h[i].ch].hpos = i;
		i = c;
	}
	h[i] = x;
	m->ch[x.ch].hpos = i;
}

/*
 * Channel calendar: a channel whose key is within WHEEL CK of now sits
 * in the wheel (slot key % WHEEL, a bitmap of channels per slot and a
 * bitmap of non-empty slots); the others (far keys, INF) in the far
 * heap.  Keys never fall below now, so a slot holds one key value.  The
 * earliest is the lower (key, channel) of the wheel's first non-empty
 * slot from now (lowest channel bit) and the far heap's top.
 */
static void chan_setkey(struct mw_dram *m, uint32_t ci, uint64_t key)
{
	struct dchan *ch = &m->ch[ci];
	uint32_t w = ci / 64;
	uint64_t bit = 1ull << (ci % 64);

	if (ch->inwheel) {
		uint32_t sl = (uint32_t)(ch->key & (WHEEL - 1));
		uint64_t *b = &m->wheel[(size_t)sl * m->wwords];

		b[w] &= ~bit;
		if (--m->wcount[sl] == 0)
			m->wsum[sl / 64] &= ~(1ull << (sl % 64));
		m->nwheel--;
	} else {
		struct hent last = m->heap[--m->nheap];

		if (ch->hpos != m->nheap)
			hsift(m, ch->hpos, last);
	}
	ch->key = key;
	if (key < m->now + WHEEL) {
		uint32_t sl = (uint32_t)(key & (WHEEL - 1));

		m->wheel[(size_t)sl * m->wwords + w] |= bit;
		if (m->wcount[sl]++ == 0)
			m->wsum[sl / 64] |= 1ull << (sl % 64);
		m->nwheel++;
		ch->inwheel = true;
	} else {
		m->nheap++;
		hsift(m, m->nheap - 1, (struct hent){key, ci});
		ch->inwheel = false;
	}
}

/* The earliest channel and its key; INF if none can act. */
static inline uint64_t chan_top(const struct mw_dram *m, uint32_t *ci)
{
	uint64_t key = INF;

	*ci = 0;
	if (m->nwheel) {
		uint32_t p = (uint32_t)(m->now & (WHEEL - 1)), k, sl = 0, w;
		bool found = false;

		for (k = 0; k <= WHEEL / 64 && !found; k++) {
			uint32_t wi = (p / 64 + k) % (WHEEL / 64);
			uint64_t x = m->wsum[wi];

			if (k == 0)
				x &= ~0ull << (p % 64);
			else if (k == WHEEL / 64)
				x &= (1ull << (p % 64)) - 1;
			if (x) {
				sl = wi * 64 + (uint32_t)__builtin_ctzll(x);
				found = true;
			}
		}
		assert(found);
		for (w = 0; !m->wheel[(size_t)sl * m->wwords + w]; w++)
			;
		*ci = w * 64 + (uint32_t)__builtin_ctzll(
				       m->wheel[(size_t)sl * m->wwords + w]);
		key = m->now + ((sl - p) & (WHEEL - 1));
	}
	if (m->nheap && (m->heap[0].key < key ||
			 (m->heap[0].key == key && m->heap[0].ch < *ci))) {
		key = m->heap[0].key;
		*ci = m->heap[0].ch;
	}
	return key;
}

static void done_push(struct mw_dram *m, uint64_t t)
{
	uint32_t i, cap = m->c.outstanding;

	m->ndone++;
	if (!m->fifo_n ||
	    m->done_fifo[(m->fifo_head + m->fifo_n - 1) % cap] <= t) {
		m->done_fifo[(m->fifo_head + m->fifo_n++) % cap] = t;
		return;
	}
	i = m->nheapd++;
	m->done_heap[i] = t;
	while (i > 0 && m->done_heap[(i - 1) / 2] > m->done_heap[i]) {
		uint64_t x = m->done_heap[i];

		m->done_heap[i] = m->done_heap[(i - 1) / 2];
		m->done_heap[(i - 1) / 2] = x;
		i = (i - 1) / 2;
	}
}

/* The earliest completion time, INF if none. */
static inline uint64_t done_top(const struct mw_dram *m)
{
	uint64_t a = m->fifo_n ? m->done_fifo[m->fifo_head] : INF;
	uint64_t b = m->nheapd ? m->done_heap[0] : INF;

	return a < b ? a : b;
}

static uint64_t done_pop(struct mw_dram *m)
{
	uint64_t top;
	uint32_t i = 0;

	m->ndone--;
	if (m->fifo_n &&
	    (!m->nheapd || m->done_fifo[m->fifo_head] <= m->done_heap[0])) {
		top = m->done_fifo[m->fifo_head];
		m->fifo_head = (m->fifo_head + 1) % m->c.outstanding;
		m->fifo_n--;
		return top;
	}
	top = m->done_heap[0];
	m->done_heap[0] = m->done_heap[--m->nheapd];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, s = i;

		if (l < m->nheapd && m->done_heap[l] < m->done_heap[s])
			s = l;
		if (r < m->nheapd && m->done_heap[r] < m->done_heap[s])
			s = r;
		if (s == i)
			break;
		uint64_t x = m->done_heap[i];
		m->done_heap[i] = m->done_heap[s];
		m->done_heap[s] = x;
		i = s;
	}
	return top;
}

static void rescan(struct mw_dram *m, uint32_t ci);

static inline struct dbank *bank_of(struct mw_dram *m, uint32_t ch, uint32_t b)
{
	return &m->ch[ch].bk[b];
}

static inline uint32_t pc_of(const struct mw_dram *m, uint32_t b)
{
	return b / (m->c.bank_groups * m->c.banks);
}

static inline uint32_t group_of(const struct mw_dram *m, uint32_t b)
{
	return b / m->c.banks; /* index within the channel */
}

/* Where list (md, k) of a channel starts in cbuf_id / cbuf_key. */
static inline size_t list_buf(const struct mw_dram *m, int md, int k)
{
	return (size_t)(md * 3 + k) * 2 * m->nbank;
}

/* The channel's lowest ref_due, after one changed. */
static void ref_min_update(const struct mw_dram *m, struct dchan *ch)
{
	uint32_t p;

	ch->ref_min = INF;
	for (p = 0; p < m->npc; p++)
		if (ch->pp[p].ref_due < ch->ref_min)
			ch->ref_min = ch->pp[p].ref_due;
}

/* ---- address decoding ------------------------------------------------ */

static void decode_compile(struct mw_dram *m)
{
	const struct mw_dram_cfg *c = &m->c;
	uint64_t mult[MW_DF_N], size[MW_DF_N];
	uint32_t i;
	int f;

	for (f = 0; f < MW_DF_N; f++)
		mult[f] = 1;
	for (i = 0; i < c->nsegs; i++) {
		const struct mw_dram_seg *sg = &c->seg[i];

		m->dseg[i] = (struct dseg){.radix = sg->radix,
					   .mult = mult[sg->field],
					   .field = sg->field,
					   .shift = sg->shift,
					   .pow2 = sg->pow2};
		mult[sg->field] *= sg->radix;
	}
	size[MW_DF_CH] = (uint64_t)c->stacks * c->channels;
	size[MW_DF_PC] = c->pseudo_channels;
	size[MW_DF_BG] = c->bank_groups;
	size[MW_DF_BA] = c->banks;
	m->ndxor = 0;
	if (c->map_xor)
		for (f = MW_DF_CH; f <= MW_DF_BA; f++) {
			uint64_t sz = size[f];
			uint8_t sh = 0;

			if (sz <= 1)
				continue;
			while ((1ull << sh) < sz)
				sh++;
			m->dxor[m->ndxor++] =
				(struct dxor){.size = sz,
					      .field = (uint8_t)f,
					      .shift = sh,
					      .pow2 = !(sz & (sz - 1))};
		}
}

/*
 * mw_dram_decode of transaction tx, without the column: *ch, the bank
 * index in the channel and the row.  Same arithmetic, tables compiled
 * at create (tests compare the two).
 */
static void decode_tx(const struct mw_dram *m, uint64_t tx, uint32_t *ch,
		      uint32_t *bank, uint32_t *row)
{
	uint64_t v[MW_DF_N] = {0}, a = tx;
	uint32_t i;

	for (i = 0; i < m->c.nsegs; i++) {
		const struct dseg *sg = &m->dseg[i];
		uint64_t digit;

		if (sg->pow2) {
			digit = a & (sg->radix - 1);
			a >>= sg->shift;
		} else {
			digit = a % sg->radix;
			a /= sg->radix;
		}
		v[sg->field] += digit * sg->mult;
	}
	if (m->c.map_chash)
		v[MW_DF_CH] = (v[MW_DF_CH] +
			       mw_dram_chash(&m->c, tx / m->c.chash_div %
							    m->c.chash_mod)) %
			      m->nch;
	if (m->ndxor) {
		uint64_t r = v[MW_DF_RO];

		for (i = 0; i < m->ndxor; i++) {
			const struct dxor *x = &m->dxor[i];

			if (x->pow2) {
				v[x->field] ^= r & (x->size - 1);
				r >>= x->shift;
			} else {
				v[x->field] =
					(v[x->field] + r % x->size) % x->size;
				r /= x->size;
			}
		}
	}
	*ch = (uint32_t)v[MW_DF_CH];
	*bank = ((uint32_t)v[MW_DF_PC] * m->c.bank_groups +
		 (uint32_t)v[MW_DF_BG]) *
			m->c.banks +
		(uint32_t)v[MW_DF_BA];
	*row = (uint32_t)v[MW_DF_RO];
}

/* ---- create / destroy ------------------------------------------------ */

struct mw_dram *mw_dram_create(const struct mw_dram_cfg *cfg, struct mw_diag *d)
{
	struct mw_dram *m = mw_calloc(1, sizeof(*m));
	uint32_t i, qmax;

	if (!m) {
		mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		return NULL;
	}
	m->c = *cfg;
	if (mw_dram_cfg_validate(&m->c, d))
		goto out_free;
	m->nch = m->c.stacks * m->c.channels;
	m->npc = m->c.pseudo_channels;
	m->nbank = m->npc * m->c.bank_groups * m->c.banks;
	m->ch = mw_calloc(m->nch, sizeof(*m->ch));
	m->banks = mw_calloc((size_t)m->nch * m->nbank, sizeof(*m->banks));
	m->groups = mw_calloc((size_t)m->nch * m->npc * m->c.bank_groups,
			      sizeof(*m->groups));
	m->pcs = mw_calloc((size_t)m->nch * m->npc, sizeof(*m->pcs));
	m->heap = mw_calloc(m->nch, sizeof(*m->heap));
	m->wwords = (m->nch + 63) / 64;
	m->wheel = mw_calloc((size_t)WHEEL * m->wwords, sizeof(*m->wheel));
	m->done_heap = mw_calloc(m->c.outstanding, sizeof(*m->done_heap));
	m->done_fifo = mw_calloc(m->c.outstanding, sizeof(*m->done_fifo));
	m->reqs = mw_calloc(m->c.outstanding, sizeof(*m->reqs));
	m->free_reqs = mw_calloc(m->c.outstanding, sizeof(*m->free_reqs));
	m->ran = mw_calloc(m->nch, sizeof(*m->ran));
	if (!m->ran || !m->ch || !m->banks || !m->groups || !m->pcs ||
	    !m->heap || !m->wheel || !m->done_heap || !m->done_fifo ||
	    !m->reqs || !m->free_reqs)
		goto out_nomem;
	qmax = m->c.read_queue;
	for (i = 0; i < m->nch; i++) {
		struct dchan *ch = &m->ch[i];

		uint32_t k, nent = qmax + m->c.write_queue;

		ch->ent = mw_calloc(nent, sizeof(*ch->ent));
		ch->free_ent = mw_calloc(nent, sizeof(*ch->free_ent));
		ch->closing = mw_calloc(m->nbank, sizeof(*ch->closing));
		ch->cbuf_id =
			mw_calloc(12 * (size_t)m->nbank, sizeof(*ch->cbuf_id));
		ch->cbuf_key =
			mw_calloc(12 * (size_t)m->nbank, sizeof(*ch->cbuf_key));
		if (!ch->ent || !ch->free_ent || !ch->closing || !ch->cbuf_id ||
		    !ch->cbuf_key)
			goto out_nomem;
		for (k = 0; k < nent; k++)
			ch->free_ent[k] = nent - 1 - k;
		ch->nfree_ent = nent;
		for (k = 0; k < 6; k++) {
			size_t l = list_buf(m, (int)k / 3, (int)k % 3);

			ch->cid[k / 3][k % 3] = ch->cbuf_id + l;
			ch->ckey[k / 3][k % 3] = ch->cbuf_key + l;
		}
		ch->bk = &m->banks[(size_t)i * m->nbank];
		ch->gp = &m->groups[(size_t)i * m->npc * m->c.bank_groups];
		ch->pp = &m->pcs[(size_t)i * m->npc];
		ch->key = INF;
		ch->best.kind = C_NONE;
		ch->hpos = i;
		m->heap[i] = (struct hent){INF, i};
	}
	m->nheap = m->nch;
	decode_compile(m);
	m->co_run = m->c.nsegs && m->c.seg[0].field == MW_DF_CO
			    ? m->c.seg[0].radix
			    : 1;
	for (i = 0; i < (uint32_t)m->nch * m->nbank; i++) {
		struct dbank *b = &m->banks[i];
		uint32_t bi = i % m->nbank, k;

		b->open_row = NO_ROW;
		b->pc = (uint16_t)pc_of(m, bi);
		b->grp = (uint16_t)group_of(m, bi);
		b->inpc = (uint16_t)(bi % (m->c.bank_groups * m->c.banks));
		for (k = 0; k < 2; k++) {
			b->qhead[k] = b->qtail[k] = b->hithead[k] = NIL;
			b->cls[k] = K_NONE;
		}
	}
	for (i = 0; i < m->c.outstanding; i++)
		m->free_reqs[i] = m->c.outstanding - 1 - i;
	m->nfree = m->c.outstanding;
	m->last_wline = NO_LINE;
	if (m->c.line_bytes) {
		uint32_t nb;

		m->lhash_bits = 1;
		while ((1u << m->lhash_bits) < 2 * m->c.outstanding)
			m->lhash_bits++;
		nb = 1u << m->lhash_bits;
		m->lhash = mw_calloc(nb, sizeof(*m->lhash));
		if (!m->lhash)
			goto out_nomem;
		for (i = 0; i < nb; i++)
			m->lhash[i] = NIL;
	}
	m->ccd_pc = max64(m->c.t.tCCD_S, m->c.t.nBL);
	m->rd_wr = max64(m->c.t.tRTW,
			 m->c.t.tCL + m->c.t.nBL > m->c.t.tCWL
				 ? m->c.t.tCL + m->c.t.nBL - m->c.t.tCWL
				 : 0);
	m->ref_interval =
		m->c.refresh == MW_DRAM_REF_PERBANK
			? m->c.t.tREFI / (m->c.bank_groups * m->c.banks)
			: m->c.t.tREFI;
	for (i = 0; i < m->nch * m->npc; i++) {
		/* refresh_stagger phases; 1 = every PC in lock step */
		m->pcs[i].ref_due = m->ref_interval *
				    (1 + (uint64_t)i % m->c.refresh_stagger) /
				    m->c.refresh_stagger;
		memset(m->pcs[i].faw, 0, sizeof(m->pcs[i].faw));
	}
	for (i = 0; i < m->nch; i++)
		ref_min_update(m, &m->ch[i]);
	if (!m->c.timing) {
		m->open_rows = mw_calloc((size_t)m->nch * m->nbank,
					 sizeof(*m->open_rows));
		if (!m->open_rows)
			goto out_nomem;
		for (i = 0; i < m->nch * m->nbank; i++)
			m->open_rows[i] = NO_ROW;
	} else {
		for (i = 0; i < m->nch; i++)
			rescan(m, i); /* schedules the first refreshes */
	}
	return m;
out_nomem:
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory for the DRAM model");
out_free:
	mw_dram_destroy(m);
	return NULL;
}

void mw_dram_destroy(struct mw_dram *m)
{
	uint32_t i;

	if (!m)
		return;
	if (m->ch)
		for (i = 0; i < m->nch; i++) {
			mw_free(m->ch[i].ent);
			mw_free(m->ch[i].free_ent);
			mw_free(m->ch[i].closing);
			mw_free(m->ch[i].cbuf_id);
			mw_free(m->ch[i].cbuf_key);
			mw_free(m->ch[i].ovf[0]);
			mw_free(m->ch[i].ovf[1]);
		}
	mw_free(m->ch);
	mw_free(m->banks);
	mw_free(m->groups);
	mw_free(m->pcs);
	mw_free(m->heap);
	mw_free(m->wheel);
	mw_free(m->done_heap);
	mw_free(m->done_fifo);
	mw_free(m->lhash);
	mw_free(m->reqs);
	mw_free(m->free_reqs);
	mw_free(m->log);
	mw_free(m->log_tmp);
	mw_free(m->ran);
	mw_free(m->open_rows);
	mw_free(m);
}

int mw_dram_log_enable(struct mw_dram *m, size_t cap)
{
	mw_free(m->log);
	mw_free(m->log_tmp);
	m->log = m->log_tmp = NULL;
	m->log_cap = 0;
	if (!cap)
		return 0;
	m->log = mw_calloc(cap, sizeof(*m->log));
	m->log_tmp = mw_calloc(cap, sizeof(*m->log_tmp));
	if (!m->log || !m->log_tmp) {
		mw_free(m->log);
		mw_free(m->log_tmp);
		m->log = m->log_tmp = NULL;
		return MW_ENOMEM;
	}
	m->log_cap = cap;
	return 0;
}

const struct mw_dram_cmd *mw_dram_log(const struct mw_dram *m, size_t *n,
				      bool *truncated)
{
	*n = m->log_n;
	if (truncated)
		*truncated = m->log_trunc;
	return m->log;
}

/* ---- scheduling ------------------------------------------------------- */

static inline bool better(const struct dcand *a, const struct dcand *b)
{
	if (b->kind == C_NONE)
		return true;
	if (a->t != b->t)
		return a->t < b->t;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->seq < b->seq;
}

/* The next command entry e needs, and when it is legal. */
static void cand_entry(struct mw_dram *m, uint32_t ci, const struct dentry *e,
		       int q, int mode, struct dcand *out)
{
	const struct dchan *ch = &m->ch[ci];
	const struct dbank *b = bank_of(m, ci, e->bank);
	uint32_t p = e->pc;
	const struct dpc *pc = &ch->pp[p];
	const struct dgroup *g = &ch->gp[e->grp];
	uint64_t t;

	out->kind = C_NONE;
	if (b->open_row == e->row) {
		if (e->write)
			t = max64(max64(b->next_wr, g->next_wr),
				  max64(pc->next_wr, ch->colbus));
		else
			t = max64(max64(b->next_rd, g->next_rd),
				  max64(pc->next_rd, ch->colbus));
		out->kind = e->write ? C_WR : C_RD;
		out->prio = 1;
	} else if (b->open_row != NO_ROW) {
		if (b->hits[mode])
			return; /* its row still has hits queued */
		t = max64(b->next_pre, ch->rowbus);
		out->kind = C_PRE;
		out->prio = 2;
		out->conflict = true;
	} else {
		t = max64(max64(b->next_act, g->next_act),
			  max64(pc->next_act, ch->rowbus));
		if (pc->nact >= 4)
			t = max64(t, pc->faw[pc->faw_i] + m->c.t.tFAW);
		if (m->c.refresh != MW_DRAM_REF_OFF && t >= pc->ref_due &&
		    (m->c.refresh == MW_DRAM_REF_ALLBANK ||
		     pc->ref_bank == e->bank % (m->c.bank_groups * m->c.banks)))
			return; /* the refresh goes first */
		out->kind = C_ACT;
		out->prio = 2;
	}
	out->t = max64(t, m->now);
	out->seq = e->seq;
	out->q = q;
	out->bank = e->bank;
	out->pc = p;
}

static void cand_refresh(struct mw_dram *m, uint32_t ci, uint32_t p,
			 struct dcand *best)
{
	const struct dchan *ch = &m->ch[ci];
	const struct dpc *pc = &ch->pp[p];
	uint32_t per = m->c.bank_groups * m->c.banks, b0 = p * per, i;
	struct dcand c = {.seq = 0, .prio = 0, .q = -1, .pc = p};
	uint64_t t = max64(pc->ref_due, ch->rowbus);

	if (best->kind != C_NONE && t > best->t)
		return;
	if (m->c.refresh == MW_DRAM_REF_PERBANK) {
		const struct dbank *b = bank_of(m, ci, b0 + pc->ref_bank);

		c.bank = b0 + pc->ref_bank;
		if (b->open_row != NO_ROW) {
			c.kind = C_PRE;
			c.t = max64(t, b->next_pre);
		} else {
			c.kind = C_REFPB;
			c.t = max64(t, b->ref_ok);
		}
	} else {
		uint64_t pre_t = INF, ok = t;
		uint32_t pre_b = 0;

		for (i = 0; i < per; i++) {
			const struct dbank *b = bank_of(m, ci, b0 + i);

			if (b->open_row != NO_ROW) {
				if (b->next_pre < pre_t) {
					pre_t = b->next_pre;
					pre_b = b0 + i;
				}
			} else {
				ok = max64(ok, b->ref_ok);
			}
		}
		if (pre_t != INF) {
			c.kind = C_PRE;
			c.bank = pre_b;
			c.t = max64(t, pre_t);
		} else {
			c.kind = C_REF;
			c.bank = b0;
			c.t = ok;
		}
	}
	c.t = max64(c.t, m->now);
	if (better(&c, best))
		*best = c;
}

static void update_mode(struct mw_dram *m, struct dchan *ch)
{
	if (!ch->wmode) {
		if (ch->nw >= m->c.write_high || (ch->nr == 0 && ch->nw > 0))
			ch->wmode = true;
	} else if (ch->nw == 0 || (ch->nw <= m->c.write_low && ch->nr > 0)) {
		ch->wmode = false;
	}
}

/*
 * Moves bank bi of channel ci to the class list its state calls for in
 * queue md (lists are kept in age order of the entry standing for each
 * bank: its oldest hit for K_COL, its oldest entry otherwise).
 */
static void bank_reclass(struct mw_dram *m, uint32_t ci, uint32_t bi, int md)
{
	struct dchan *ch = &m->ch[ci];
	struct dbank *b = bank_of(m, ci, bi);
	uint64_t key = 0;
	int k;

	if (b->qhead[md] == NIL) {
		k = K_NONE;
	} else if (b->open_row == NO_ROW) {
		k = K_ACT;
		key = ch->ent[b->qhead[md]].seq;
	} else if (b->hits[md]) {
		k = K_COL;
		key = ch->ent[b->hithead[md]].seq;
	} else {
		k = K_PRE;
		key = ch->ent[b->qhead[md]].seq;
	}
	if (k == b->cls[md] && (k == K_NONE || key == b->key[md]))
		return;
	if (b->cls[md] != K_NONE) {
		int o = b->cls[md];
		uint64_t *ky = ch->ckey[md][o];
		uint16_t *id = ch->cid[md][o];
		uint32_t n = ch->cn[md][o], at;

		/* banks mostly leave near the old end: the older ones move up
		   one place and the window starts one later */
		for (at = 0; id[at] != bi; at++)
			assert(at + 1 < n); /* it is a member */
		for (; at > 0; at--) {
			ky[at] = ky[at - 1];
			id[at] = id[at - 1];
		}
		ch->ckey[md][o] = ky + 1;
		ch->cid[md][o] = id + 1;
		ch->cn[md][o] = n - 1;
	}
	b->cls[md] = (uint8_t)k;
	if (k == K_NONE)
		return;
	if (k == K_COL) {
		uint64_t x = md ? b->next_wr : b->next_rd;

		if (x < ch->colmin[md])
			ch->colmin[md] = x;
	} else if (k == K_ACT && b->next_act < ch->actmin[md]) {
		ch->actmin[md] = b->next_act;
	}
	b->key[md] = key;
	{
		uint64_t *ky = ch->ckey[md][k];
		uint16_t *id = ch->cid[md][k];
		uint32_t n = ch->cn[md][k], at = n;
		size_t l = list_buf(m, md, k);

		if (id + n == ch->cbuf_id + l + 2 * m->nbank) {
			/* the window reached its buffer's end: back to the start */
			memmove(ch->cbuf_key + l, ky, n * sizeof(*ky));
			memmove(ch->cbuf_id + l, id, n * sizeof(*id));
			ky = ch->ckey[md][k] = ch->cbuf_key + l;
			id = ch->cid[md][k] = ch->cbuf_id + l;
		}

		/* most banks join as the youngest */
		for (; at > 0 && ky[at - 1] > key; at--) {
			ky[at] = ky[at - 1];
			id[at] = id[at - 1];
		}
		ky[at] = key;
		id[at] = (uint16_t)bi;
		ch->cn[md][k] = n + 1;
	}
}

/*
 * rescan's column walk over the n banks id[] (queue md) in age order:
 * the earliest legal, the oldest of those, into *bt and *bb; stops at
 * the first bank legal at lb (none before it was, so it is the one).
 * *bmin: the lowest own term seen.  Returns the banks walked before a
 * stop (n: a full walk).
 */
static inline __attribute__((always_inline)) uint32_t
col_walk(const struct dbank *cb, const struct dgroup *cg, const uint16_t *id,
	 uint32_t n, int md, const uint64_t *pcx, uint64_t lb, uint64_t *bt,
	 uint32_t *bb, uint64_t *bmin)
{
	uint64_t t0 = *bt, mn = *bmin;
	uint32_t b0 = *bb, j;

	for (j = 0; j < n; j++) {
		const struct dbank *b = &cb[id[j]];
		uint64_t own = md ? b->next_wr : b->next_rd;
		uint64_t t = max64(max64(own, md ? cg[b->grp].next_wr
						 : cg[b->grp].next_rd),
				   pcx[b->pc]);
		/* branch-free minimum, as in the ACT walk */
		bool lt = t < t0;

		mn = own < mn ? own : mn;
		b0 = lt ? id[j] : b0;
		t0 = lt ? t : t0;
		if (t == lb)
			break;
	}
	*bt = t0;
	*bb = b0;
	*bmin = mn;
	return j;
}

/*
 * The channel's next command: the earliest legal candidate, ties to
 * refresh, then column commands, then the oldest entry.  All entries
 * of one bank in the active queue need the same command at the same
 * time (their bank's), so one candidate per bank stands for them: its
 * oldest entry (its oldest hit for a column command).  Each class list
 * is in age order, so its walk stops at the first candidate legal at
 * the class's lower bound (the shared bus, PC and now terms).
 */
static void rescan(struct mw_dram *m, uint32_t ci)
{
	struct dchan *ch = &m->ch[ci];
	struct dbank *cb = ch->bk;
	const struct dgroup *cg = ch->gp;
	const struct dpc *cp = ch->pp;
	struct dcand c;
	uint64_t now = m->now, s, lb, bt, srow;
	uint32_t i, j, n, p, bb;
	const uint16_t *id;
	int md;

	ch->best.kind = C_NONE;
	update_mode(m, ch);
	md = ch->wmode ? 1 : 0;
	if ((n = ch->cn[md][K_COL]) != 0) {
		/* pcx: the PC and bus terms every column command of a PC has */
		uint64_t pcx[16], bmin = INF;

		s = max64(ch->colbus, now);
		lb = INF;
		for (p = 0; p < m->npc; p++) {
			pcx[p] = max64(md ? cp[p].next_wr : cp[p].next_rd, s);
			if (pcx[p] < lb)
				lb = pcx[p];
		}
		/* no member's own term is below colmin (a lower bound) */
		lb = max64(lb, ch->colmin[md]);
		bt = INF;
		bb = NIL;
		id = ch->cid[md][K_COL];
		/* a literal queue each, so the field choice folds away */
		j = md ? col_walk(cb, cg, id, n, 1, pcx, lb, &bt, &bb, &bmin)
		       : col_walk(cb, cg, id, n, 0, pcx, lb, &bt, &bb, &bmin);
		if (j == n)
			ch->colmin[md] = bmin; /* a full walk: the exact min */
		ch->best = (struct dcand){.t = bt,
					  .seq = cb[bb].key[md],
					  .kind = md ? C_WR : C_RD,
					  .prio = 1,
					  .q = (int)cb[bb].hithead[md],
					  .bank = bb,
					  .pc = cb[bb].pc};
	}
	/* row commands are legal no earlier than the row bus and now */
	srow = max64(ch->rowbus, now);
	/* every ACT no earlier than actmin either: a column command legal
	   by then wins (see walk below) */
	if ((n = ch->cn[md][K_ACT]) != 0 &&
	    !(ch->best.kind != C_NONE &&
	      ch->best.t <= max64(srow, ch->actmin[md]))) {
		/*
		 * pcx: a PC's ACT terms (tRRD_S, tFAW) and the row bus, before
		 * now; refresh: an ACT at or after ref_due waits for the
		 * refresh (REFab: every bank of the PC, REFpb: its bank).
		 */
		uint64_t pcx[16], due[16];
		uint32_t rb[16];
		bool allbank = m->c.refresh == MW_DRAM_REF_ALLBANK;

		uint64_t bmin = INF;
		bool multi = n > 1, walk;

		id = ch->cid[md][K_ACT];
		bt = INF;
		bb = NIL;
		if (!multi) { /* one bank: no bounds needed */
			const struct dbank *b = &cb[id[0]];
			const struct dpc *pc = &cp[b->pc];
			uint64_t t =
				max64(max64(b->next_act, cg[b->grp].next_act),
				      max64(pc->next_act, ch->rowbus));

			if (pc->nact >= 4)
				t = max64(t, pc->faw[pc->faw_i] + m->c.t.tFAW);
			if (m->c.refresh == MW_DRAM_REF_OFF ||
			    t < pc->ref_due ||
			    (!allbank && pc->ref_bank != b->inpc)) {
				bt = max64(t, now);
				bb = id[0];
			}
		}
		lb = INF;
		for (p = 0; multi && p < m->npc; p++) {
			const struct dpc *pc = &cp[p];

			pcx[p] = max64(pc->next_act, ch->rowbus);
			if (pc->nact >= 4)
				pcx[p] = max64(pcx[p], pc->faw[pc->faw_i] +
							       m->c.t.tFAW);
			due[p] = m->c.refresh == MW_DRAM_REF_OFF ? INF
								 : pc->ref_due;
			rb[p] = allbank ? NIL : pc->ref_bank;
			if (pcx[p] < lb)
				lb = pcx[p];
		}
		/* no member's next_act is below actmin (a lower bound) */
		lb = max64(max64(lb, now), ch->actmin[md]);
		/* no ACT is legal before lb, and a column command wins a
		   tie: one at or before lb makes the walk moot */
		walk = multi && !(ch->best.kind != C_NONE && ch->best.t <= lb);
		for (j = 0; walk && j < n; j++) {
			const struct dbank *b = &cb[id[j]];
			uint64_t t =
				max64(max64(b->next_act, cg[b->grp].next_act),
				      pcx[b->pc]);

			if (b->next_act < bmin)
				bmin = b->next_act;
			/* the refresh check is on the time before now is applied */
			if (t >= due[b->pc] &&
			    (rb[b->pc] == NIL || rb[b->pc] == b->inpc))
				continue; /* the refresh goes first */
			t = max64(t, now);
			/* branch-free minimum: the order is unpredictable */
			{
				bool lt = t < bt;

				bb = lt ? id[j] : bb;
				bt = lt ? t : bt;
			}
			if (bt == lb)
				break;
		}
		if (walk && j == n)
			ch->actmin[md] = bmin; /* a full walk: the exact min */
		if (bb != NIL) {
			c = (struct dcand){.t = bt,
					   .seq = cb[bb].key[md],
					   .kind = C_ACT,
					   .prio = 2,
					   .q = (int)cb[bb].qhead[md],
					   .bank = bb,
					   .pc = cb[bb].pc};
			if (better(&c, &ch->best))
				ch->best = c;
		}
	}
	/* no conflict PRE is legal before srow; at srow it loses to a column
	   command (priority 1) but not always to an ACT (the same priority:
	   the older entry) */
	if ((n = ch->cn[md][K_PRE]) != 0 &&
	    !(ch->best.kind != C_NONE &&
	      (ch->best.t < srow ||
	       (ch->best.t == srow && ch->best.prio < 2)))) {
		bt = INF;
		bb = NIL;
		id = ch->cid[md][K_PRE];
		for (j = 0; j < n; j++) {
			uint64_t t = max64(cb[id[j]].next_pre, srow);

			/* branch-free minimum: the order is unpredictable */
			{
				bool lt = t < bt;

				bb = lt ? id[j] : bb;
				bt = lt ? t : bt;
			}
			if (bt == srow)
				break;
		}
		c = (struct dcand){.t = bt,
				   .seq = cb[bb].key[md],
				   .kind = C_PRE,
				   .prio = 2,
				   .q = (int)cb[bb].qhead[md],
				   .bank = bb,
				   .pc = cb[bb].pc,
				   .conflict = true};
		if (better(&c, &ch->best))
			ch->best = c;
	}
	for (i = 0; i < ch->nclosing; i++) {
		const struct dbank *b = bank_of(m, ci, ch->closing[i]);

		c = (struct dcand){.kind = C_PRE,
				   .prio = 3,
				   .q = -1,
				   .seq = 0,
				   .bank = ch->closing[i],
				   .pc = b->pc};
		c.t = max64(max64(b->next_pre, ch->rowbus), m->now);
		if (better(&c, &ch->best))
			ch->best = c;
	}
	if (m->c.refresh != MW_DRAM_REF_OFF &&
	    (ch->best.kind == C_NONE ||
	     max64(ch->ref_min, ch->rowbus) <= ch->best.t))
		for (i = 0; i < m->npc; i++)
			if (ch->best.kind == C_NONE ||
			    max64(cp[i].ref_due, ch->rowbus) <= ch->best.t)
				cand_refresh(m, ci, i, &ch->best);
	if (m->slice)
		return; /* run_slice files the channel once it stops */
	if ((ch->best.kind == C_NONE ? INF : ch->best.t) != ch->key)
		chan_setkey(m, ci, ch->best.kind == C_NONE ? INF : ch->best.t);
}

static inline void log_cmd(struct mw_dram *m, uint32_t ci, int kind,
			   uint32_t bank, uint32_t row, uint64_t t)
{
	static const uint8_t kinds[] = {
		0,	    MW_DRAM_ACT, MW_DRAM_PRE,  MW_DRAM_RD,
		MW_DRAM_WR, MW_DRAM_REF, MW_DRAM_REFPB};
	struct mw_dram_cmd *c;
	uint32_t per = m->c.bank_groups * m->c.banks;

	if (!m->log_cap)
		return;
	if (m->log_n == m->log_cap) {
		m->log_trunc = true;
		return;
	}
	c = &m->log[m->log_n++];
	c->time = t;
	c->channel = ci;
	c->kind = kinds[kind];
	c->pc = (uint8_t)(bank / per);
	c->bg = (uint8_t)(bank % per / m->c.banks);
	c->ba = (uint8_t)(bank % m->c.banks);
	c->row = row;
}

static uint32_t first_hit(const struct dchan *ch, const struct dbank *b,
			  uint32_t from)
{
	for (; from != NIL; from = ch->ent[from].next)
		if (ch->ent[from].row == b->open_row)
			return from;
	return NIL;
}

/* After an ACT: the bank's hits and oldest hit per queue. */
static void recount_hits(struct mw_dram *m, uint32_t ci, uint32_t bank,
			 struct dbank *b)
{
	const struct dchan *ch = &m->ch[ci];
	int md;

	for (md = 0; md < 2; md++) {
		uint32_t x;

		b->hits[md] = 0;
		b->hithead[md] = first_hit(ch, b, b->qhead[md]);
		for (x = b->hithead[md]; x != NIL; x = ch->ent[x].next)
			if (ch->ent[x].row == b->open_row)
				b->hits[md]++;
		bank_reclass(m, ci, bank, md);
	}
}

static void closing_remove(struct dchan *ch, struct dbank *b, uint32_t bank)
{
	uint32_t i;

	if (!b->closing)
		return;
	for (i = 0; i < ch->nclosing; i++)
		if (ch->closing[i] == bank) {
			ch->closing[i] = ch->closing[--ch->nclosing];
			break;
		}
	b->closing = false;
}

/* Enters *src into queue md of channel ci (room checked by the caller). */
static uint32_t ent_add(struct mw_dram *m, uint32_t ci,
			const struct dentry *src, int md)
{
	struct dchan *ch = &m->ch[ci];
	uint32_t x = ch->free_ent[--ch->nfree_ent];
	struct dentry *e = &ch->ent[x];
	struct dbank *b = bank_of(m, ci, src->bank);

	*e = *src;
	e->next = NIL;
	e->prev = b->qtail[md];
	if (b->qtail[md] != NIL)
		ch->ent[b->qtail[md]].next = x;
	else
		b->qhead[md] = x;
	b->qtail[md] = x;
	if (md)
		ch->nw++;
	else
		ch->nr++;
	if (b->open_row == e->row) {
		b->hits[md]++;
		if (b->hithead[md] == NIL)
			b->hithead[md] = x;
		closing_remove(ch, b, e->bank);
	}
	bank_reclass(m, ci, e->bank, md);
	return x;
}

/* Takes entry x (its bank's oldest hit, all columns done) out of queue md. */
static void ent_remove(struct mw_dram *m, uint32_t ci, struct dbank *b,
		       uint32_t x, int md)
{
	struct dchan *ch = &m->ch[ci];
	struct dentry *e = &ch->ent[x];
	uint32_t bank = e->bank;

	assert(b->hithead[md] == x && b->hits[md] > 0);
	b->hithead[md] = first_hit(ch, b, e->next);
	b->hits[md]--;
	if (e->prev != NIL)
		ch->ent[e->prev].next = e->next;
	else
		b->qhead[md] = e->next;
	if (e->next != NIL)
		ch->ent[e->next].prev = e->prev;
	else
		b->qtail[md] = e->prev;
	ch->free_ent[ch->nfree_ent++] = x;
	if (md)
		ch->nw--;
	else
		ch->nr--;
	bank_reclass(m, ci, bank, md);
}

/* ---- front-end lines (line_bytes) ------------------------------------ */

static inline uint32_t line_bucket(const struct mw_dram *m, uint64_t line)
{
	return (uint32_t)((line * 0x9E3779B97F4A7C15ull) >>
			  (64 - m->lhash_bits));
}

/* The slot of the in-flight read of line, or NIL. */
static uint32_t line_find(const struct mw_dram *m, uint64_t line)
{
	uint32_t x;

	for (x = m->lhash[line_bucket(m, line)]; x != NIL; x = m->reqs[x].hnext)
		if (m->reqs[x].line == line)
			return x;
	return NIL;
}

static void line_insert(struct mw_dram *m, uint32_t req)
{
	uint32_t *h = &m->lhash[line_bucket(m, m->reqs[req].line)];

	m->reqs[req].hnext = *h;
	*h = req;
}

static void line_remove(struct mw_dram *m, uint32_t req)
{
	uint32_t *x = &m->lhash[line_bucket(m, m->reqs[req].line)];

	while (*x != req)
		x = &m->reqs[*x].hnext;
	*x = m->reqs[req].hnext;
}

/* One entry (or the submission guard) of read request req is done. */
static void req_release(struct mw_dram *m, uint32_t req)
{
	struct dreq *r = &m->reqs[req];

	assert(r->remaining > 0);
	if (--r->remaining)
		return;
	m->lat_sum += r->done - r->issue;
	m->lat_n++;
	hist_add(m, r->done - r->issue);
	done_push(m, r->done);
	if (r->line != NO_LINE)
		line_remove(m, req);
	m->free_reqs[m->nfree++] = req;
}

/* Issues the channel's best command at its time. */
static void issue(struct mw_dram *m, uint32_t ci)
{
	struct dchan *ch = &m->ch[ci];
	const struct dcand *const c = &ch->best; /* not changed here */
	const struct mw_dram_timing *tm = &m->c.t;
	struct dbank *b = bank_of(m, ci, c->bank);
	struct dpc *pc = &ch->pp[c->pc];
	struct dgroup *g = &ch->gp[b->grp];
	uint64_t t = c->t;
	uint32_t per = m->c.bank_groups * m->c.banks, i;

	assert(t >= m->now);
	m->now = t;
	switch (c->kind) {
	case C_ACT: {
		const struct dentry *e = &ch->ent[c->q];

		log_cmd(m, ci, c->kind, c->bank, e->row, t);
		b->open_row = e->row;
		b->next_rd = t + tm->tRCD;
		b->next_wr = t + tm->tRCDWR;
		b->next_pre = max64(b->next_pre, t + tm->tRAS);
		b->next_act = t + tm->tRC;
		b->fresh = true;
		g->next_act = max64(g->next_act, t + tm->tRRD_L);
		pc->next_act = max64(pc->next_act, t + tm->tRRD_S);
		pc->faw[pc->faw_i] = t;
		pc->faw_i = (pc->faw_i + 1) & 3;
		if (pc->nact < 4)
			pc->nact++;
		ch->rowbus = t + 1;
		ch->acts++;
		recount_hits(m, ci, c->bank, b);
		break;
	}
	case C_PRE:
		log_cmd(m, ci, c->kind, c->bank, b->open_row, t);
		b->open_row = NO_ROW;
		b->hits[0] = b->hits[1] = 0;
		b->hithead[0] = b->hithead[1] = NIL;
		bank_reclass(m, ci, c->bank, 0);
		bank_reclass(m, ci, c->bank, 1);
		b->next_act = max64(b->next_act, t + tm->tRP);
		b->ref_ok = max64(b->ref_ok, t + tm->tRP);
		b->fresh_conflict = c->conflict;
		b->fresh = false;
		closing_remove(ch, b, c->bank);
		ch->rowbus = t + 1;
		ch->pres++;
		break;
	case C_REF:
		log_cmd(m, ci, c->kind, c->bank, 0, t);
		for (i = 0; i < per; i++) {
			struct dbank *x = bank_of(m, ci, c->pc * per + i);

			x->next_act = max64(x->next_act, t + tm->tRFC);
			x->ref_ok = max64(x->ref_ok, t + tm->tRFC);
			x->fresh_conflict = false;
		}
		pc->ref_due += m->ref_interval;
		ref_min_update(m, ch);
		ch->rowbus = t + 1;
		ch->refs++;
		break;
	case C_REFPB:
		log_cmd(m, ci, c->kind, c->bank, 0, t);
		b->next_act = max64(b->next_act, t + tm->tRFCpb);
		b->ref_ok = max64(b->ref_ok, t + tm->tRFCpb);
		b->fresh_conflict = false;
		pc->ref_due += m->ref_interval;
		ref_min_update(m, ch);
		pc->ref_bank = (pc->ref_bank + 1) % per;
		ch->rowbus = t + 1;
		ch->refs++;
		break;
	default: { /* RD, WR */
		bool wr = c->kind == C_WR;
		struct dentry *e = &ch->ent[c->q];
		uint64_t data_end;

		log_cmd(m, ci, c->kind, c->bank, e->row, t);
		e->started = 1;
		ch->colbus = t + 1;
		ch->tx++;
		if (b->fresh) {
			if (b->fresh_conflict)
				ch->conflicts++;
			else
				ch->misses++;
			b->fresh = false;
		} else {
			ch->hits++;
		}
		pc->busy += tm->nBL;
		if (wr) {
			uint64_t rd = t + tm->tCWL + tm->nBL;

			ch->bytes_written += m->c.tx_bytes;
			pc->next_wr = max64(pc->next_wr, t + m->ccd_pc);
			g->next_wr = max64(g->next_wr, t + tm->tCCD_L);
			pc->next_rd = max64(pc->next_rd, rd + tm->tWTR_S);
			g->next_rd = max64(g->next_rd, rd + tm->tWTR_L);
			b->next_pre = max64(b->next_pre, rd + tm->tWR);
			data_end = rd;
		} else {
			ch->bytes_read += m->c.tx_bytes;
			pc->next_rd = max64(pc->next_rd, t + m->ccd_pc);
			g->next_rd = max64(g->next_rd, t + tm->tCCD_L);
			pc->next_wr = max64(pc->next_wr, t + m->rd_wr);
			b->next_pre = max64(b->next_pre, t + tm->tRTP);
			data_end = t + tm->tCL + tm->nBL;
		}
		if (data_end > m->end)
			m->end = data_end;
		if (--e->cols == 0) {
			if (!wr) {
				struct dreq *r = &m->reqs[e->req];

				r->done = max64(r->done, data_end);
				req_release(m, e->req);
			}
			ent_remove(m, ci, b, (uint32_t)c->q, wr);
			if (ch->ovf_n[wr] > ch->ovf_head[wr]) {
				const struct dentry *x =
					&ch->ovf[wr][ch->ovf_head[wr]++];

				ent_add(m, ci, x, wr);
				if (wr)
					m->ovf_writes--;
				if (ch->ovf_head[wr] == ch->ovf_n[wr])
					ch->ovf_head[wr] = ch->ovf_n[wr] = 0;
			}
			m->queued--;
			if (!ch->nr && !ch->nw)
				ch->empty_since = data_end;
			if (m->c.row_policy == MW_DRAM_CLOSED_PAGE &&
			    !b->hits[0] && !b->hits[1] && !b->closing) {
				b->closing = true;
				ch->closing[ch->nclosing++] = c->bank;
			}
		}
		break;
	}
	}
}

/* Processes the earliest event: a read completion or a command. */
static int step(struct mw_dram *m)
{
	uint64_t tc = done_top(m);
	uint32_t ci;
	uint64_t te = chan_top(m, &ci);

	if (tc == INF && te == INF)
		return MW_EINVAL; /* nothing can ever happen: a bug */
	if (tc <= te) {
		done_pop(m);
		m->inflight--;
		if (tc > m->now)
			m->now = tc;
		return 0;
	}
	issue(m, ci);
	rescan(m, ci);
	return 0;
}

/* Stable sort of log[lo, hi) by (time, channel): the global order. */
static void log_sort(struct mw_dram *m, size_t lo, size_t hi)
{
	struct mw_dram_cmd *a = m->log, *t = m->log_tmp;
	size_t w, i;

	for (w = 1; w < hi - lo; w *= 2) {
		for (i = lo; i < hi; i += 2 * w) {
			size_t l = i, mid = i + w < hi ? i + w : hi, r = mid,
			       e = i + 2 * w < hi ? i + 2 * w : hi, o = i;

			while (l < mid || r < e)
				if (r == e ||
				    (l < mid &&
				     (a[l].time < a[r].time ||
				      (a[l].time == a[r].time &&
				       a[l].channel <= a[r].channel))))
					t[o++] = a[l++];
				else
					t[o++] = a[r++];
		}
		memcpy(a + lo, t + lo, (hi - lo) * sizeof(*a));
	}
}

/*
 * Processes events in the global order up to and including the next
 * read completion, for a front end that waits for one (nothing else
 * can enter meanwhile).  Channels share nothing but the front end, and
 * a read issued at t completes at t + tCL + nBL at the earliest, so
 * every command before the horizon min(next completion, earliest
 * command + tCL + nBL) runs channel by channel, each channel up to the
 * horizon with no calendar traffic; the log slice is then put back in
 * (time, channel) order.  Decisions and log are those of step().  (nBL
 * >= 1 is validated, so the horizon is past the earliest command.)
 */
static int run_slice(struct mw_dram *m)
{
	const uint64_t lat = (uint64_t)m->c.t.tCL + m->c.t.nBL;

	for (;;) {
		uint64_t tc = done_top(m), te, h, now0 = m->now, tmax = m->now;
		uint32_t ci, n = 0, k;
		size_t log0 = m->log_n;

		te = chan_top(m, &ci);
		if (tc == INF && te == INF)
			return MW_EINVAL;
		if (tc <= te) {
			done_pop(m);
			m->inflight--;
			if (tc > m->now)
				m->now = tc;
			return 0;
		}
		h = te + lat < tc ? te + lat : tc;
		if (m->log_cap &&
		    m->log_cap - m->log_n < 2 * (size_t)m->nch * (h - te)) {
			/* the slice might not fit: one command, in order */
			issue(m, ci);
			rescan(m, ci);
			continue;
		}
		m->slice = true;
		for (ci = 0; ci < m->nch; ci++) {
			struct dchan *ch = &m->ch[ci];

			if (ch->key >= h)
				continue;
			m->now = now0;
			while (ch->best.kind != C_NONE && ch->best.t < h) {
				issue(m, ci);
				rescan(m, ci);
			}
			if (m->now > tmax)
				tmax = m->now;
			m->ran[n++] = ci;
		}
		m->slice = false;
		m->now = tmax;
		for (k = 0; k < n; k++) {
			const struct dcand *b = &m->ch[m->ran[k]].best;

			chan_setkey(m, m->ran[k],
				    b->kind == C_NONE ? INF : b->t);
		}
		if (m->log_n - log0 > 1)
			log_sort(m, log0, m->log_n);
	}
}

/*
 * line_bytes: the entry a run of cols transactions from tx0 extends, or
 * NULL.  It must be its bank's youngest entry in the queue, or one of
 * the channel's last few waiting aside, of the same request slot, bank
 * and row, not started, ending at tx0, with the run in its line.
 */
static struct dentry *merge_target(struct mw_dram *m, uint32_t ci,
				   uint32_t bank, uint32_t row, uint16_t cols,
				   bool write, uint32_t req, uint64_t tx0)
{
	struct dchan *ch = &m->ch[ci];
	uint64_t line = (tx0 + cols - 1) * m->c.tx_bytes / m->c.line_bytes;
	const struct dbank *b = bank_of(m, ci, bank);
	struct dentry *e;
	uint32_t k, lo;

	lo = ch->ovf_n[write] - ch->ovf_head[write] > 4 ? ch->ovf_n[write] - 4
							: ch->ovf_head[write];
	for (k = ch->ovf_n[write]; k > lo; k--) {
		e = &ch->ovf[write][k - 1];
		if (e->bank != bank)
			continue;
		if (e->row == row && e->req == req && e->tx_end == tx0 &&
		    e->line == line && e->cols + cols <= UINT16_MAX)
			return e;
		return NULL; /* the bank's youngest waiting entry */
	}
	if (lo > ch->ovf_head[write])
		return NULL; /* the bank may have older waiting entries */
	if (b->qtail[write] == NIL)
		return NULL;
	e = &ch->ent[b->qtail[write]];
	if (e->row == row && e->req == req && !e->started && e->tx_end == tx0 &&
	    e->line == line && e->cols + cols <= UINT16_MAX)
		return e;
	return NULL;
}

static int submit(struct mw_dram *m, uint32_t ci, uint32_t bank, uint32_t row,
		  uint16_t cols, bool write, uint32_t req, uint64_t tx0)
{
	struct dchan *ch = &m->ch[ci];
	const struct dentry *e;
	uint64_t line = m->c.line_bytes ? tx0 * m->c.tx_bytes / m->c.line_bytes
					: 0;
	uint32_t x;
	int rc;
	bool was_w;

	if (m->c.line_bytes) {
		struct dentry *t =
			merge_target(m, ci, bank, row, cols, write, req, tx0);

		if (t) {
			/* back-to-back column bursts of one entry */
			t->cols = (uint16_t)(t->cols + cols);
			t->tx_end += cols;
			if (!write)
				m->reqs[req].remaining--;
			return 0;
		}
	}

	if (m->c.buffered &&
	    (write ? ch->nw >= m->c.write_queue : ch->nr >= m->c.read_queue)) {
		/* Wait aside, in order, until the queue has room. */
		if (ch->ovf_n[write] == ch->ovf_cap[write]) {
			uint32_t cap = ch->ovf_cap[write]
					       ? 2 * ch->ovf_cap[write]
					       : 64;
			struct dentry *nb;

			if (ch->ovf_head[write]) {
				uint32_t k =
					ch->ovf_n[write] - ch->ovf_head[write];

				memmove(ch->ovf[write],
					ch->ovf[write] + ch->ovf_head[write],
					(size_t)k * sizeof(struct dentry));
				ch->ovf_head[write] = 0;
				ch->ovf_n[write] = k;
			} else {
				nb = mw_reallocarray(ch->ovf[write], cap,
						     sizeof(*nb));
				if (!nb)
					return MW_ENOMEM;
				ch->ovf[write] = nb;
				ch->ovf_cap[write] = cap;
			}
		}
		ch->ovf[write][ch->ovf_n[write]++] =
			(struct dentry){.seq = m->seq++,
					.bank = bank,
					.row = row,
					.req = req,
					.cols = cols,
					.pc = (uint16_t)pc_of(m, bank),
					.grp = (uint16_t)group_of(m, bank),
					.write = write,
					.tx_end = tx0 + cols,
					.line = line};
		if (write)
			m->ovf_writes++;
		m->queued++;
		return 0;
	}
	while ((write ? ch->nw >= m->c.write_queue : ch->nr >= m->c.read_queue))
		if ((rc = step(m)))
			return rc;
	if (!ch->nr && !ch->nw && m->now > ch->empty_since)
		ch->idle_ck += m->now - ch->empty_since;
	{
		const struct dentry ne = {.seq = m->seq++,
					  .bank = bank,
					  .row = row,
					  .req = req,
					  .cols = cols,
					  .pc = (uint16_t)pc_of(m, bank),
					  .grp = (uint16_t)group_of(m, bank),
					  .write = write,
					  .tx_end = tx0 + cols,
					  .line = line};

		x = ent_add(m, ci, &ne, write);
	}
	e = &ch->ent[x];
	m->queued++;
	/* Incremental unless the arrival can change the decision. */
	was_w = ch->wmode;
	update_mode(m, ch);
	if (was_w != ch->wmode || ch->best.kind == C_NONE ||
	    ch->best.bank == bank || ch->best.kind == C_REF) {
		rescan(m, ci);
	} else if (ch->wmode == write) {
		struct dcand c;

		cand_entry(m, ci, e, (int)x, write, &c);
		if (c.kind != C_NONE && better(&c, &ch->best)) {
			ch->best = c;
			chan_setkey(m, ci, c.t);
		}
	}
	return 0;
}

static void count_access(struct mw_dram *m, mw_addr addr, uint32_t bytes,
			 bool write)
{
	uint64_t tx = addr / m->c.tx_bytes,
		 last = (addr + bytes - 1) / m->c.tx_bytes;
	uint32_t prev = UINT32_MAX, c = 0, bank = 0, row = NO_ROW;

	for (; tx <= last; tx++) {
		uint32_t idx;
		struct dchan *ch;

		/* as in mw_dram_access: a transaction that only steps the
		   lowest (column) digit keeps the channel, bank and row */
		if (prev == UINT32_MAX || tx % m->co_run == 0)
			decode_tx(m, tx, &c, &bank, &row);
		idx = c * m->nbank + bank;
		ch = &m->ch[c];
		ch->tx++;
		if (write)
			ch->bytes_written += m->c.tx_bytes;
		else
			ch->bytes_read += m->c.tx_bytes;
		if (m->open_rows[idx] == row &&
		    (m->c.row_policy == MW_DRAM_OPEN_PAGE || prev == idx)) {
			ch->hits++;
		} else {
			if (m->open_rows[idx] == NO_ROW ||
			    m->c.row_policy == MW_DRAM_CLOSED_PAGE) {
				ch->misses++;
			} else {
				ch->conflicts++;
				ch->pres++;
			}
			ch->acts++;
			m->open_rows[idx] = row;
		}
		prev = idx;
	}
}

int mw_dram_access(void *dram, mw_addr addr, uint32_t bytes, bool write)
{
	struct mw_dram *m = dram;
	uint64_t tx, last;
	uint32_t req = UINT32_MAX, cur_ch = 0, cur_bank = 0, cur_row = NO_ROW;
	uint64_t run0 = 0;
	uint16_t cols = 0;
	int rc;

	if (!bytes || addr + bytes - 1 < addr)
		return MW_EINVAL;
	m->requests++;
	if (!m->c.timing) {
		count_access(m, addr, bytes, write);
		return 0;
	}
	if (!write) {
		uint64_t line = NO_LINE;

		if (m->c.line_bytes &&
		    addr / m->c.line_bytes ==
			    (addr + bytes - 1) / m->c.line_bytes)
			line = addr / m->c.line_bytes;
		if (line != NO_LINE && (req = line_find(m, line)) != NIL) {
			/* joins the in-flight read of its line */
			m->reqs[req].remaining++;
		} else {
			/* with no write aside, only a completion frees a slot */
			while (m->inflight + m->ovf_writes >= m->c.outstanding)
				if ((rc = m->ovf_writes ? step(m)
							: run_slice(m)))
					return rc;
			req = m->free_reqs[--m->nfree];
			/* remaining holds one guard until every entry is
			 * queued. */
			m->reqs[req] = (struct dreq){.issue = m->now,
						     .done = m->now,
						     .line = line,
						     .remaining = 1};
			m->inflight++;
			if (line != NO_LINE)
				line_insert(m, req);
		}
	} else {
		uint64_t line = NO_LINE;

		if (m->c.line_bytes &&
		    addr / m->c.line_bytes ==
			    (addr + bytes - 1) / m->c.line_bytes)
			line = addr / m->c.line_bytes;
		/* a write to the line of the previous write rides along */
		if (line == NO_LINE || line != m->last_wline)
			while (m->ovf_writes &&
			       m->inflight + m->ovf_writes >= m->c.outstanding)
				if ((rc = step(m)))
					return rc;
		m->last_wline = line;
	}
	tx = addr / m->c.tx_bytes;
	last = (addr + bytes - 1) / m->c.tx_bytes;
	for (; tx <= last; tx++) {
		uint32_t ch, bank, row;

		/* The lowest mapping digit is a column one: no carry, same
		 * channel, bank and row (XOR takes only row bits). */
		if (cols && tx % m->co_run && cols < UINT16_MAX) {
			cols++;
			continue;
		}
		decode_tx(m, tx, &ch, &bank, &row);
		if (cols && ch == cur_ch && bank == cur_bank &&
		    row == cur_row && cols < UINT16_MAX) {
			cols++;
			continue;
		}
		if (cols) {
			if (!write)
				m->reqs[req].remaining++;
			if ((rc = submit(m, cur_ch, cur_bank, cur_row, cols,
					 write, req, run0)))
				return rc;
		}
		run0 = tx;
		cur_ch = ch;
		cur_bank = bank;
		cur_row = row;
		cols = 1;
	}
	if (!write)
		m->reqs[req].remaining++;
	rc = submit(m, cur_ch, cur_bank, cur_row, cols, write, req, run0);
	if (!rc && !write)
		req_release(m, req);
	return rc;
}

int mw_dram_finish(struct mw_dram *m)
{
	int rc;

	if (!m->c.timing)
		return 0;
	while (m->queued)
		if ((rc = step(m)))
			return rc;
	while (m->ndone) {
		done_pop(m);
		m->inflight--;
	}
	return 0;
}

/* ---- results ---------------------------------------------------------- */

void mw_dram_stats(const struct mw_dram *m, struct mw_dram_stats *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->requests = m->requests;
	for (i = 0; i < m->nch; i++) {
		const struct dchan *ch = &m->ch[i];

		s->transactions += ch->tx;
		s->bytes_read += ch->bytes_read;
		s->bytes_written += ch->bytes_written;
		s->row_hits += ch->hits;
		s->row_misses += ch->misses;
		s->row_conflicts += ch->conflicts;
		s->activations += ch->acts;
		s->precharges += ch->pres;
		s->refreshes += ch->refs;
	}
	s->reads_done = m->lat_n;
	for (i = 0; i < m->nch; i++) {
		const struct dchan *ch = &m->ch[i];
		uint64_t idle = ch->idle_ck;

		if (!ch->nr && !ch->nw && m->end > ch->empty_since)
			idle += m->end - ch->empty_since;
		s->idle_ck += idle;
	}
	s->end_ck = m->end;
	if (m->lat_n) {
		s->read_lat_mean_ns =
			(double)m->lat_sum / (double)m->lat_n * m->c.tck_ns;
		s->read_lat_p50_ns = hist_pct(m, 0.5) * m->c.tck_ns;
		s->read_lat_p99_ns = hist_pct(m, 0.99) * m->c.tck_ns;
	}
}

#define TRY(x)                                                                 \
	do {                                                                   \
		if ((rc = (x)))                                                \
			return rc;                                             \
	} while (0)

int mw_dram_results(const struct mw_dram *m, struct mw_results *r)
{
	struct mw_dram_stats s;
	double time_ns, peak = mw_dram_peak_bw(&m->c) / 1e9, eff = 0;
	double max_bytes = 0, sum_bytes = 0;
	uint32_t i;
	int rc;

	mw_dram_stats(m, &s);
	time_ns = (double)s.end_ck * m->c.tck_ns;
	if (time_ns > 0)
		eff = (double)(s.bytes_read + s.bytes_written) / time_ns;
	TRY(mw_results_add_text(r, "memory", "standard", m->c.standard));
	TRY(mw_results_add_text(r, "memory", "mode",
				m->c.timing ? "timing" : "counting"));
	TRY(mw_results_add_u64(r, "memory", "transaction_bytes",
			       m->c.tx_bytes));
	TRY(mw_results_add_u64(r, "memory", "requests", s.requests));
	TRY(mw_results_add_u64(r, "memory", "bytes_read", s.bytes_read));
	TRY(mw_results_add_u64(r, "memory", "bytes_written", s.bytes_written));
	TRY(mw_results_add_u64(r, "memory", "transactions", s.transactions));
	TRY(mw_results_add_u64(r, "memory", "row_hits", s.row_hits));
	TRY(mw_results_add_u64(r, "memory", "row_misses", s.row_misses));
	TRY(mw_results_add_u64(r, "memory", "row_conflicts", s.row_conflicts));
	TRY(mw_results_add_u64(r, "memory", "activations", s.activations));
	TRY(mw_results_add_u64(r, "memory", "precharges", s.precharges));
	TRY(mw_results_add_u64(r, "memory", "refreshes", s.refreshes));
	TRY(mw_results_add_f64(r, "memory", "peak_bandwidth_GBps", peak));
	for (i = 0; i < m->nch; i++) {
		double b =
			(double)(m->ch[i].bytes_read + m->ch[i].bytes_written);

		sum_bytes += b;
		if (b > max_bytes)
			max_bytes = b;
	}
	TRY(mw_results_add_f64(r, "memory", "imbalance",
			       sum_bytes > 0 ? max_bytes / (sum_bytes / m->nch)
					     : 0));
	if (m->c.timing) {
		TRY(mw_results_add_f64(r, "memory", "time_ns", time_ns));
		TRY(mw_results_add_f64(r, "memory", "effective_bandwidth_GBps",
				       eff));
		TRY(mw_results_add_f64(r, "memory", "efficiency",
				       peak > 0 ? eff / peak : 0));
		TRY(mw_results_add_f64(
			r, "memory", "idle_share",
			s.end_ck ? (double)s.idle_ck /
					   ((double)s.end_ck * m->nch)
				 : 0));
		TRY(mw_results_add_f64(r, "memory", "read_latency_mean_ns",
				       s.read_lat_mean_ns));
		TRY(mw_results_add_f64(r, "memory", "read_latency_p50_ns",
				       s.read_lat_p50_ns));
		TRY(mw_results_add_f64(r, "memory", "read_latency_p99_ns",
				       s.read_lat_p99_ns));
	}
	for (i = 0; i < m->nch; i++) {
		const struct dchan *ch = &m->ch[i];
		char scope[32];
		uint64_t busy = 0;
		uint32_t p;

		snprintf(scope, sizeof(scope), "memory:ch%u", i);
		TRY(mw_results_add_u64(r, scope, "bytes_read", ch->bytes_read));
		TRY(mw_results_add_u64(r, scope, "bytes_written",
				       ch->bytes_written));
		TRY(mw_results_add_u64(r, scope, "transactions", ch->tx));
		TRY(mw_results_add_u64(r, scope, "row_hits", ch->hits));
		TRY(mw_results_add_u64(r, scope, "row_misses", ch->misses));
		TRY(mw_results_add_u64(r, scope, "row_conflicts",
				       ch->conflicts));
		TRY(mw_results_add_u64(r, scope, "activations", ch->acts));
		TRY(mw_results_add_u64(r, scope, "refreshes", ch->refs));
		for (p = 0; p < m->npc; p++)
			busy += m->pcs[i * m->npc + p].busy;
		if (m->c.timing)
			TRY(mw_results_add_f64(
				r, scope, "utilization",
				s.end_ck ? (double)busy /
						   ((double)s.end_ck * m->npc)
					 : 0));
	}
	return 0;
}
