/*
 * run.c - a kernel run on a machine: generator -> hierarchy -> memory,
 * then bounds and the time estimate.
 *
 * Notes:
 *  - The CTAs run on machine.units units with machine.ctas_per_unit
 *    resident each (the kernel's own ctas-per-unit wins when not 0), the
 *    same schedule `memwall gen --hw` writes, so `sim --flush` on that
 *    trace gives the same counters.
 *  - At the end every dirty line is written back (the kernel's outputs
 *    reach memory), then the memory model serves what it still holds.
 *  - The memory model comes from the config's [memory] keys
 *    (hierarchy/dram.h).  A peak_bandwidth key (the presets' figure
 *    before they describe the DRAM) is not a DRAM key: it is taken out
 *    and is the peak of counting mode.  In timing mode the memory time
 *    is the model's time to serve the miss stream (closed loop, as fast
 *    as the memory accepts); in counting mode the bytes over the peak.
 *  - Warm (o->warm): the kernel runs twice through the same caches; the
 *    counters of the first pass are subtracted, and the second pass has a
 *    fresh memory model (its time is the second pass's time).  Dirty
 *    lines of the first pass written back during the second count in the
 *    second, as on hardware.  The reuse analysis sees the second pass.
 *  - Reuse (o->reuse): one shared LRU stack over the accesses as the
 *    kernel issues them (before any cache): the miss-ratio curve of a
 *    fully associative cache shared by every unit, the best an L2 of
 *    that size could do without the L1s.
 */
#include "model/run.h"

#include "common/alloc.h"
#include "common/units.h"
#include "hierarchy/dram.h"
#include "hierarchy/hierarchy.h"
#include "model/bounds.h"
#include "model/timing.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BATCH 8192

void mw_run_opts_init(struct mw_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	mw_reuse_opts_init(&o->reuse_opts);
	o->reuse_opts.split = MW_REUSE_SPLIT_TENSOR;
}

struct run {
	const struct mw_kernel *k;
	const struct mw_hw_cfg *hw;
	const struct mw_run_opts *o;
	struct mw_sched_cfg sc;
	struct mw_dram_cfg dc;
	bool timing;	    /* dc in timing mode */
	double counting_bw; /* bytes/s, counting mode peak; 0 unknown */
	struct mw_hier *h;
	struct mw_dram *dram;
	struct mw_reuse *reuse;
	struct mw_trace_header hdr; /* tensors of the kernel */
	struct mw_access *buf;
	uint64_t records;	/* of the reported pass */
	uint64_t total_records; /* every pass */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The DRAM config of hw's [memory] keys, peak_bandwidth aside. */
static int memory_cfg(struct run *r, struct mw_diag *d)
{
	struct mw_mem_kv *kv;
	uint32_t i, n = 0;
	int rc;

	kv = mw_calloc(r->hw->nmem ? r->hw->nmem : 1, sizeof(*kv));
	if (!kv)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	r->counting_bw = 0;
	for (i = 0; i < r->hw->nmem; i++) {
		const struct mw_mem_kv *e = &r->hw->mem[i];

		if (!strcasecmp(e->key, "peak_bandwidth")) {
			if (mw_parse_rate(e->value, &r->counting_bw)) {
				mw_free(kv);
				return mw_diag_set(d, MW_ECONFIG, r->hw->source,
						   e->line,
						   "[memory] peak_bandwidth: "
						   "'%s' is not a rate",
						   e->value);
			}
			continue;
		}
		kv[n++] = *e;
	}
	rc = mw_dram_cfg_from_kv(&r->dc, kv, n, r->hw->source, d);
	mw_free(kv);
	if (rc < 0)
		return rc;
	r->timing = rc == 0;
	if (r->timing || r->counting_bw <= 0)
		r->counting_bw = mw_dram_peak_bw(&r->dc);
	return 0;
}

static int new_dram(struct run *r, struct mw_diag *d)
{
	struct mw_mem_sink sink;

	mw_dram_destroy(r->dram);
	r->dram = mw_dram_create(&r->dc, d);
	if (!r->dram)
		return d && d->code ? d->code : MW_ECONFIG;
	sink.ctx = r->dram;
	sink.access = mw_dram_access;
	mw_hier_set_memory_sink(r->h, &sink);
	return 0;
}

/* One pass of the kernel through the hierarchy. */
static int one_pass(struct run *r, bool reported, struct mw_diag *d)
{
	struct mw_stream *s = mw_kernel_stream(r->k, &r->sc, d);
	long n;
	int rc = 0;

	if (!s)
		return d && d->code ? d->code : MW_EINVAL;
	while ((n = mw_stream_read(s, r->buf, BATCH)) > 0) {
		if (mw_hier_access_batch(r->h, r->buf, (size_t)n)) {
			*d = *mw_hier_diag(r->h);
			rc = d->code ? d->code : MW_ERANGE;
			goto out;
		}
		if (reported && r->reuse &&
		    mw_reuse_feed(r->reuse, r->buf, (size_t)n)) {
			rc = mw_diag_set(d, MW_ENOMEM, "", 0,
					 "reuse analysis: out of memory");
			goto out;
		}
		if (reported)
			r->records += (uint64_t)n;
		r->total_records += (uint64_t)n;
		if (r->o->progress)
			r->o->progress(r->o->progress_ctx, r->total_records);
		if (r->o->interrupt && *r->o->interrupt) {
			rc = mw_diag_set(d, MW_ECANCEL, "", 0, "interrupted");
			goto out;
		}
	}
	if (n < 0) {
		*d = *mw_stream_diag(s);
		rc = (int)n;
	}
out:
	mw_stream_destroy(s);
	return rc;
}

/* Appends src's results to dst, those whose scope and metric dst
   already has aside (the hierarchy's counters win over the model's). */
static int merge_new(struct mw_results *dst, const struct mw_results *src)
{
	size_t i;
	int err = 0;

	for (i = 0; i < mw_results_count(src); i++) {
		const struct mw_result *x = mw_results_get(src, i);

		if (mw_results_find(dst, x->scope, x->metric))
			continue;
		if (x->kind == MW_RESULT_U64)
			err |= mw_results_add_u64(dst, x->scope, x->metric,
						  x->u);
		else if (x->kind == MW_RESULT_F64)
			err |= mw_results_add_f64(dst, x->scope, x->metric,
						  x->f);
		else
			err |= mw_results_add_text(dst, x->scope, x->metric,
						   x->text);
	}
	return err ? MW_ENOMEM : 0;
}

/* Appends after - before (the same scopes and metrics, integer counters
   subtracted) to out. */
static int append_diff(struct mw_results *out, const struct mw_results *after,
		       const struct mw_results *before)
{
	size_t i;
	int err = 0;

	for (i = 0; i < mw_results_count(after); i++) {
		const struct mw_result *x = mw_results_get(after, i);
		const struct mw_result *b =
			before ? mw_results_find(before, x->scope, x->metric)
			       : NULL;
		uint64_t v = x->u;

		if (x->kind == MW_RESULT_F64) {
			err |= mw_results_add_f64(out, x->scope, x->metric,
						  x->f);
			continue;
		}
		if (x->kind == MW_RESULT_TEXT) {
			err |= mw_results_add_text(out, x->scope, x->metric,
						   x->text);
			continue;
		}
		if (b && b->kind == MW_RESULT_U64)
			v = x->u >= b->u ? x->u - b->u : 0;
		err |= mw_results_add_u64(out, x->scope, x->metric, v);
	}
	return err ? MW_ENOMEM : 0;
}

static const char *tensor_scope(void *ctx, unsigned scope)
{
	struct run *r = ctx;

	return mw_header_tensor_name(&r->hdr,
				     mw_reuse_scope_key(r->reuse, scope));
}

static int add_reuse(struct run *r, struct mw_results *out)
{
	uint32_t line = mw_reuse_line_bytes(r->reuse);
	double fp;
	uint64_t cap;
	char m[64];
	int err = 0;

	mw_reuse_finish(r->reuse);
	fp = mw_reuse_footprint_lines(r->reuse) * line;
	if (mw_reuse_add_results(r->reuse, out, tensor_scope, r))
		return MW_ENOMEM;
	for (cap = line; cap > 0; cap *= 2) {
		snprintf(m, sizeof(m), "miss_ratio.%llu",
			 (unsigned long long)cap);
		err |= mw_results_add_f64(out, "mrc", m,
					  mw_reuse_miss_ratio(r->reuse, 0,
							      cap / line));
		if ((double)cap >= fp)
			break;
	}
	if (r->hw->nlevels >= 2) {
		err |= mw_results_add_u64(out, "mrc", "l2_bytes",
					  r->hw->levels[1].size);
		err |= mw_results_add_f64(
			out, "mrc", "l2_miss_ratio",
			mw_reuse_miss_ratio(r->reuse, 0,
					    r->hw->levels[1].size / line));
	}
	return err ? MW_ENOMEM : 0;
}

static int kernel_results(const struct run *r, struct mw_results *out)
{
	const struct mw_kernel_ops *ops = mw_kernel_ops(r->k);
	char *desc = mw_kernel_describe(r->k, NULL);
	const char *params = desc ? desc : "";
	int err = 0;
	unsigned i;

	if (!desc)
		return MW_ENOMEM;
	/* "memwall gen NAME k=v ..." -> "k=v ..." */
	params += strlen("memwall gen ") + strlen(ops->name);
	while (*params == ' ')
		params++;
	err |= mw_results_add_text(out, "kernel", "name", ops->name);
	err |= mw_results_add_text(out, "kernel", "params", params);
	for (i = 0; ops->params[i].key; i++)
		err |= mw_results_add_text(out, "kernel", ops->params[i].key,
					   mw_kernel_get(r->k,
							 ops->params[i].key));
	if (!mw_kernel_get(r->k, "dtype"))
		err |= mw_results_add_text(
			out, "kernel", "dtype",
			mw_dtype_name(mw_kernel_dtype(r->k)));
	mw_free(desc);
	return err ? MW_ENOMEM : 0;
}

static int finish_results(struct run *r, struct mw_results *out, double seconds,
			  struct mw_diag *d)
{
	struct mw_bounds b;
	struct mw_timing_in ti;
	struct mw_timing t;
	struct mw_dram_stats ds;
	struct mw_results *dr;
	int rc, err = 0;

	rc = mw_kernel_bounds(r->k, &r->sc, &b, d);
	if (rc)
		return rc;
	memset(&ti, 0, sizeof(ti));
	ti.flops = b.flops;
	ti.dtype = mw_kernel_dtype(r->k);
	if (r->hw->nlevels >= 2) {
		/* counters of the reported pass: from the results, which
		   already had the first pass subtracted */
		const struct mw_result *f = mw_results_find(
			out, r->hw->levels[0].name, "bytes_from_below");
		const struct mw_result *w = mw_results_find(
			out, r->hw->levels[0].name, "bytes_to_below");

		ti.l2_bytes = (f ? f->u : 0) + (w ? w->u : 0);
	}
	{
		const struct mw_result *br =
			mw_results_find(out, "memory", "bytes_read");
		const struct mw_result *bw =
			mw_results_find(out, "memory", "bytes_written");

		ti.memory_bytes = (br ? br->u : 0) + (bw ? bw->u : 0);
	}
	mw_dram_stats(r->dram, &ds);
	ti.memory_time_ns = r->timing ? (double)ds.end_ck * r->dc.tck_ns : -1;
	ti.memory_peak_Bps = r->counting_bw;
	mw_timing_estimate(r->hw, &ti, &t);

	/* the memory model's scopes, beside the hierarchy's counters */
	dr = mw_results_create();
	if (!dr)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	if (!r->timing) {
		err |= mw_results_add_f64(out, "memory", "peak_bandwidth_GBps",
					  r->counting_bw / 1e9);
		err |= mw_results_add_f64(
			out, "memory", "effective_bandwidth_GBps",
			t.memory_ns > 0 ? (double)ti.memory_bytes / t.memory_ns
					: 0);
		err |= mw_results_add_f64(out, "memory", "time_ns",
					  t.memory_ns);
	}
	err |= mw_dram_results(r->dram, dr) ? 1 : 0;
	err |= merge_new(out, dr) ? 1 : 0;
	mw_results_destroy(dr);

	err |= mw_bounds_results(&b, out) ? 1 : 0;
	{
		const struct mw_result *br =
			mw_results_find(out, "memory", "bytes_read");
		uint64_t rd = br ? br->u : 0;

		err |= mw_results_add_u64(out, "bounds", "simulated_read_bytes",
					  rd);
		err |= mw_results_add_f64(
			out, "bounds", "read_over_compulsory",
			b.compulsory_read
				? (double)rd / (double)b.compulsory_read
				: 0);
	}
	err |= mw_timing_results(&t, out) ? 1 : 0;
	err |= mw_results_add_text(out, "run", "hw", r->hw->machine.name);
	err |= mw_results_add_u64(out, "run", "units", r->sc.units);
	err |= mw_results_add_u64(out, "run", "ctas_per_unit",
				  mw_kernel_ctas_per_unit(r->k, &r->sc));
	err |= mw_results_add_u64(out, "run", "passes", r->o->warm ? 2 : 1);
	err |= mw_results_add_u64(out, "run", "records", r->records);
	err |= mw_results_add_f64(out, "run", "seconds", seconds);
	err |= mw_results_add_f64(
		out, "run", "accesses_per_s",
		seconds > 0 ? (double)r->total_records / seconds : 0);
	return err ? mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory") : 0;
}

int mw_run(const struct mw_kernel *k, const struct mw_hw_cfg *hw,
	   const struct mw_run_opts *o, struct mw_results *out,
	   struct mw_diag *d)
{
	struct mw_run_opts defaults;
	struct mw_results *before = NULL, *hr = NULL;
	struct mw_stream *s;
	struct run r;
	double t0 = now_s();
	int rc;

	if (!o) {
		mw_run_opts_init(&defaults);
		o = &defaults;
	}
	memset(&r, 0, sizeof(r));
	r.k = k;
	r.hw = hw;
	r.o = o;
	r.sc.units = hw->machine.units;
	r.sc.ctas_per_unit =
		hw->machine.ctas_per_unit ? hw->machine.ctas_per_unit : 1;
	mw_header_init(&r.hdr);
	rc = mw_kernel_validate(k, d);
	if (rc)
		goto out;
	rc = memory_cfg(&r, d);
	if (rc)
		goto out;
	/* the tensor table: from a stream that is not read */
	s = mw_kernel_stream(k, &r.sc, d);
	if (!s) {
		rc = d && d->code ? d->code : MW_EINVAL;
		goto out;
	}
	rc = mw_header_copy(&r.hdr, mw_stream_header(s));
	mw_stream_destroy(s);
	if (rc) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	r.buf = mw_calloc(BATCH, sizeof(*r.buf));
	r.h = mw_hier_create(hw, r.hdr.ntensors, d);
	if (!r.buf || !r.h) {
		rc = r.buf ? (d && d->code ? d->code : MW_ECONFIG)
			   : mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	if (o->reuse) {
		int err = 0;

		r.reuse = mw_reuse_create(&o->reuse_opts, &err);
		if (!r.reuse) {
			rc = mw_diag_set(d, err ? err : MW_ENOMEM, "", 0,
					 "reuse analysis: %s",
					 mw_strerror(err ? err : MW_ENOMEM));
			goto out;
		}
	}
	rc = new_dram(&r, d);
	if (rc)
		goto out;
	if (o->warm) {
		rc = one_pass(&r, false, d);
		if (rc)
			goto out;
		before = mw_results_create();
		if (!before || mw_hier_results(r.h, &r.hdr, before)) {
			rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
			goto out;
		}
		rc = mw_dram_finish(r.dram);
		if (!rc)
			rc = new_dram(&r, d);
		if (rc)
			goto out;
	}
	rc = one_pass(&r, true, d);
	if (rc)
		goto out;
	if (mw_hier_flush(r.h)) {
		*d = *mw_hier_diag(r.h);
		rc = d->code ? d->code : MW_EINVAL;
		goto out;
	}
	mw_dram_finish(r.dram);
	hr = mw_results_create();
	if (!hr || kernel_results(&r, out) ||
	    mw_hier_results(r.h, &r.hdr, hr) || append_diff(out, hr, before)) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	rc = finish_results(&r, out, now_s() - t0, d);
	if (!rc && r.reuse && add_reuse(&r, out))
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
out:
	mw_results_destroy(hr);
	mw_results_destroy(before);
	mw_reuse_destroy(r.reuse);
	mw_hier_destroy(r.h);
	mw_dram_destroy(r.dram);
	mw_free(r.buf);
	mw_header_free(&r.hdr);
	return rc;
}
