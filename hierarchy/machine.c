/*
 * machine.c - a machine: the cache hierarchy and the memory model of one
 * hardware config, wired together.
 *
 * Notes:
 *  - The hierarchy's memory sink is mw_dram_access: every fill, write-
 *    back and write-through the last cache level sends reaches the DRAM
 *    model in the order the caches emit it (closed-loop front end; see
 *    dram.c for what that assumes).
 *  - Memory mode: [memory] with keys is timing mode unless `timing =
 *    off`; an empty [memory] (or none) is counting mode, with the
 *    defaults of hbm3-6400 for the organization and mapping, so row
 *    outcomes and per-channel bytes are still counted.
 *  - One source per number: bytes_read / bytes_written / reads / writes
 *    of scope `memory` are the hierarchy's (exact per tensor too); the
 *    DRAM model's own byte and request totals are left out of the
 *    results.  They agree whenever every request covers whole
 *    transactions (sector >= transaction, the case of every preset);
 *    otherwise the DRAM moves whole transactions and the difference is
 *    reported as overfetch_bytes.  The DRAM's effective bandwidth counts
 *    the bytes it moved.
 *  - Memory-only configs (nlevels == 0): each record is widened to the
 *    whole transactions it touches (start rounded down, end up) and is
 *    one request of the DRAM front end (which cuts it into
 *    transactions), so a trace's request size is kept: 128 B records
 *    are 128 B requests.  The hierarchy, without a sink, only counts
 *    them (checking unit, tensor and size as for any config; it cuts
 *    them into MW_HIER_MEM_LINE-byte pieces, so its reads / writes
 *    count pieces, its bytes the widened bytes, which agree with the
 *    DRAM model's).  A record that could not be widened without leaving
 *    the address space or the 32-bit size is passed unchanged.
 *  - Per-tensor memory scopes (memory:TENSOR) come from the hierarchy,
 *    per-channel scopes (memory:chN) from the DRAM model.
 */
#include "hierarchy/machine.h"

#include "common/alloc.h"

#include <assert.h>
#include <string.h>

struct mw_machine {
	struct mw_hier *hier;	 /* owned */
	struct mw_dram *dram;	 /* owned */
	struct mw_dram_cfg dcfg; /* resolved, validated */
	bool timed;		 /* timing mode */
	bool finished;
	uint32_t nlevels;
	struct mw_access *wide; /* owned: widened batch (nlevels == 0) */
	size_t wide_cap;
	struct mw_diag diag;
};

struct mw_machine *mw_machine_create(const struct mw_hw_cfg *cfg,
				     uint32_t ntensors, struct mw_diag *d)
{
	struct mw_machine *m;
	struct mw_mem_sink sink;
	int rc;

	m = mw_calloc(1, sizeof(*m));
	if (!m) {
		mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		return NULL;
	}
	rc = mw_dram_cfg_from_kv(&m->dcfg, cfg->mem, cfg->nmem, cfg->source, d);
	if (rc < 0)
		goto out_free;
	m->timed = rc == 0;
	m->nlevels = cfg->nlevels;
	m->hier = mw_hier_create(cfg, ntensors, d);
	if (!m->hier)
		goto out_free;
	m->dram = mw_dram_create(&m->dcfg, d);
	if (!m->dram)
		goto out_free;
	sink.ctx = m->dram;
	sink.access = mw_dram_access;
	if (m->nlevels)
		mw_hier_set_memory_sink(m->hier, &sink);
	mw_diag_clear(&m->diag);
	return m;
out_free:
	mw_machine_destroy(m);
	return NULL;
}

void mw_machine_destroy(struct mw_machine *m)
{
	if (!m)
		return;
	mw_dram_destroy(m->dram);
	mw_hier_destroy(m->hier);
	mw_free(m->wide);
	mw_free(m);
}

/* The copy of recs widened to whole transactions, or NULL (no memory). */
static const struct mw_access *widen(struct mw_machine *m,
				     const struct mw_access *recs, size_t n)
{
	uint64_t tx = m->dcfg.tx_bytes;
	size_t i;

	if (n > m->wide_cap) {
		struct mw_access *w =
			mw_reallocarray(m->wide, n, sizeof(*m->wide));

		if (!w)
			return NULL;
		m->wide = w;
		m->wide_cap = n;
	}
	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		mw_addr lo = a->addr & ~(tx - 1), end;

		m->wide[i] = *a;
		if (a->size == 0 || a->addr > UINT64_MAX - a->size)
			continue; /* the hierarchy refuses it */
		end = a->addr + a->size;
		if (end & (tx - 1)) {
			if (end > UINT64_MAX - tx)
				continue;
			end = (end | (tx - 1)) + 1;
		}
		if (end - lo > UINT32_MAX)
			continue;
		m->wide[i].addr = lo;
		m->wide[i].size = (uint32_t)(end - lo);
	}
	return m->wide;
}

/* Memory only: each widened record counted, then one DRAM request. */
static int memory_only(struct mw_machine *m, const struct mw_access *w,
		       size_t n)
{
	static const char first[] = "record 0: ";
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = mw_hier_access_batch(m->hier, &w[i], 1);
		if (rc) {
			const char *msg = mw_hier_diag(m->hier)->msg;

			if (!strncmp(msg, first, sizeof(first) - 1))
				msg += sizeof(first) - 1;
			return mw_diag_set(&m->diag, rc, "", 0,
					   "record %zu: %s", i, msg);
		}
		rc = mw_dram_access(m->dram, w[i].addr, w[i].size,
				    w[i].op == MW_OP_WRITE);
		if (rc)
			return mw_diag_set(&m->diag, rc, "", 0,
					   "record %zu: memory: %s", i,
					   mw_strerror(rc));
	}
	return 0;
}

int mw_machine_access_batch(struct mw_machine *m, const struct mw_access *recs,
			    size_t n)
{
	const struct mw_access *w;
	int rc;

	if (m->finished)
		return mw_diag_set(&m->diag, MW_EINVAL, "", 0,
				   "the run has already finished");
	if (m->nlevels == 0) {
		if (!n)
			return 0;
		w = widen(m, recs, n);
		if (!w)
			return mw_diag_set(&m->diag, MW_ENOMEM, "", 0,
					   "out of memory");
		return memory_only(m, w, n);
	}
	rc = mw_hier_access_batch(m->hier, recs, n);
	if (rc)
		m->diag = *mw_hier_diag(m->hier);
	return rc;
}

int mw_machine_finish(struct mw_machine *m, bool flush)
{
	int rc;

	if (m->finished)
		return 0;
	m->finished = true;
	if (flush) {
		rc = mw_hier_flush(m->hier);
		if (rc) {
			m->diag = *mw_hier_diag(m->hier);
			return rc;
		}
	}
	rc = mw_dram_finish(m->dram);
	if (rc)
		return mw_diag_set(&m->diag, rc, "", 0,
				   "draining the memory: %s", mw_strerror(rc));
	return 0;
}

/* Metrics of the DRAM model's scope memory that the hierarchy gives. */
static bool duplicate(const struct mw_result *x)
{
	static const char *const dup[] = {"requests", "bytes_read",
					  "bytes_written"};
	size_t i;

	if (strcmp(x->scope, "memory"))
		return false;
	for (i = 0; i < sizeof(dup) / sizeof(dup[0]); i++)
		if (!strcmp(x->metric, dup[i]))
			return true;
	return false;
}

static int copy_result(struct mw_results *out, const struct mw_result *x)
{
	switch (x->kind) {
	case MW_RESULT_U64:
		return mw_results_add_u64(out, x->scope, x->metric, x->u);
	case MW_RESULT_F64:
		return mw_results_add_f64(out, x->scope, x->metric, x->f);
	case MW_RESULT_TEXT:
		return mw_results_add_text(out, x->scope, x->metric, x->text);
	}
	return MW_EINVAL;
}

int mw_machine_results(const struct mw_machine *m,
		       const struct mw_trace_header *hdr,
		       struct mw_results *out)
{
	struct mw_results *dr;
	struct mw_mem_counters hc;
	struct mw_dram_stats s;
	uint64_t hb, db;
	size_t i;
	int rc;

	if (!m->finished)
		return MW_EINVAL;
	rc = mw_hier_results(m->hier, hdr, out);
	if (rc)
		return rc;
	dr = mw_results_create();
	if (!dr)
		return MW_ENOMEM;
	rc = mw_dram_results(m->dram, dr);
	for (i = 0; !rc && i < mw_results_count(dr); i++) {
		const struct mw_result *x = mw_results_get(dr, i);

		if (duplicate(x))
			continue;
		rc = copy_result(out, x);
		if (!rc && !strcmp(x->scope, "memory") &&
		    !strcmp(x->metric, "imbalance")) {
			mw_hier_memory_stats(m->hier, MW_STATS_ALL,
					     MW_STATS_ALL, &hc);
			mw_dram_stats(m->dram, &s);
			hb = hc.v[MW_MEM_BYTES_READ] +
			     hc.v[MW_MEM_BYTES_WRITTEN];
			db = s.bytes_read + s.bytes_written;
			rc = mw_results_add_u64(out, "memory",
						"overfetch_bytes",
						db > hb ? db - hb : 0);
		}
	}
	mw_results_destroy(dr);
	return rc;
}

const struct mw_diag *mw_machine_diag(const struct mw_machine *m)
{
	return &m->diag;
}

struct mw_hier *mw_machine_hier(struct mw_machine *m)
{
	return m->hier;
}

const struct mw_hier *mw_machine_hier_const(const struct mw_machine *m)
{
	return m->hier;
}

const struct mw_dram *mw_machine_dram(const struct mw_machine *m)
{
	return m->dram;
}

const struct mw_dram_cfg *mw_machine_dram_cfg(const struct mw_machine *m)
{
	return &m->dcfg;
}

bool mw_machine_timed(const struct mw_machine *m)
{
	return m->timed;
}

double mw_machine_peak_bw(const struct mw_machine *m)
{
	return mw_dram_peak_bw(&m->dcfg);
}

void mw_machine_memory_stats(const struct mw_machine *m,
			     struct mw_dram_stats *s)
{
	assert(m->dram);
	mw_dram_stats(m->dram, s);
}
