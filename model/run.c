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
 *  - The machine (hierarchy/machine.h) wires the caches to the memory
 *    model of the config's [memory] keys.  In timing mode the memory time
 *    is the model's time to serve the miss stream (closed loop, as fast
 *    as the memory accepts); in counting mode the bytes over the
 *    memory's peak.
 *  - Warm (o->warm): the kernel runs twice through the same machine; the
 *    counters of the first pass (caches, and the memory model's totals)
 *    are subtracted.  The memory is drained between the passes (every
 *    request of the first pass served; open rows and refresh state carry
 *    over), so the memory time of the second pass is its own: from the
 *    end of the first pass's last transfer to the end of its own.  Dirty
 *    lines of the first pass written back during the second count in the
 *    second, as on hardware.  The per-channel scopes (memory:chN) and the
 *    read latencies would mix both passes, so a warm run leaves them out.
 *    The reuse analysis sees the second pass.
 *  - Reuse (o->reuse): one shared LRU stack over the accesses as the
 *    kernel issues them (before any cache): the miss-ratio curve of a
 *    fully associative cache shared by every unit, the best an L2 of
 *    that size could do without the L1s.
 */
#include "model/run.h"

#include "common/alloc.h"
#include "hierarchy/dram.h"
#include "hierarchy/hierarchy.h"
#include "hierarchy/machine.h"
#include "model/bounds.h"
#include "model/timing.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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
	struct mw_machine *m;
	struct mw_results *before;  /* warm: hierarchy after the first pass */
	struct mw_dram_stats first; /* warm: memory totals after it */
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

static int one_pass(struct run *r, bool reported, struct mw_diag *d)
{
	struct mw_stream *s = mw_kernel_stream(r->k, &r->sc, d);
	long n;
	int rc = 0;

	if (!s)
		return d && d->code ? d->code : MW_EINVAL;
	while ((n = mw_stream_read(s, r->buf, BATCH)) > 0) {
		if (mw_machine_access_batch(r->m, r->buf, (size_t)n)) {
			*d = *mw_machine_diag(r->m);
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

static int add_copy(struct mw_results *out, const struct mw_result *x,
		    uint64_t u)
{
	if (x->kind == MW_RESULT_U64)
		return mw_results_add_u64(out, x->scope, x->metric, u);
	if (x->kind == MW_RESULT_F64)
		return mw_results_add_f64(out, x->scope, x->metric, x->f);
	return mw_results_add_text(out, x->scope, x->metric, x->text);
}

/* A memory-model total of scope memory, from the stats struct. */
static bool dram_total(const struct mw_dram_stats *s, const char *metric,
		       uint64_t *v)
{
	static const struct {
		const char *name;
		size_t off;
	} totals[] = {
		{"requests", offsetof(struct mw_dram_stats, requests)},
		{"transactions", offsetof(struct mw_dram_stats, transactions)},
		{"row_hits", offsetof(struct mw_dram_stats, row_hits)},
		{"row_misses", offsetof(struct mw_dram_stats, row_misses)},
		{"row_conflicts",
		 offsetof(struct mw_dram_stats, row_conflicts)},
		{"activations", offsetof(struct mw_dram_stats, activations)},
		{"precharges", offsetof(struct mw_dram_stats, precharges)},
		{"refreshes", offsetof(struct mw_dram_stats, refreshes)},
	};
	size_t i;

	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		if (!strcmp(metric, totals[i].name)) {
			memcpy(v, (const char *)s + totals[i].off, sizeof(*v));
			return true;
		}
	return false;
}

static bool mixes_passes(const struct mw_result *x)
{
	return !strncmp(x->scope, "memory:ch", 9) ||
	       (!strcmp(x->scope, "memory") &&
		(!strncmp(x->metric, "read_latency", 12) ||
		 !strcmp(x->metric, "imbalance")));
}

/* The memory time of the reported pass (ns), < 0 in counting mode. */
static double memory_time_ns(const struct run *r)
{
	struct mw_dram_stats s;
	uint64_t start = r->o->warm ? r->first.end_ck : 0;

	if (!mw_machine_timed(r->m))
		return -1;
	mw_machine_memory_stats(r->m, &s);
	return (double)(s.end_ck > start ? s.end_ck - start : 0) *
	       mw_machine_dram_cfg(r->m)->tck_ns;
}

static uint64_t get_u64(const struct mw_results *r, const char *scope,
			const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	return x && x->kind == MW_RESULT_U64 ? x->u : 0;
}

/*
 * Appends the machine's results to out; warm: those of the second pass
 * (counters minus the first pass's, the memory's time and bandwidth of
 * the second pass, what mixes both passes left out).
 */
static int machine_results(struct run *r, struct mw_results *out,
			   struct mw_diag *d)
{
	struct mw_results *all = mw_results_create();
	struct mw_dram_stats s;
	double t_ns = memory_time_ns(r);
	size_t i;
	int err = 0;

	if (!all)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	if (mw_machine_results(r->m, &r->hdr, all)) {
		mw_results_destroy(all);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	mw_machine_memory_stats(r->m, &s);
	for (i = 0; i < mw_results_count(all); i++) {
		const struct mw_result *x = mw_results_get(all, i);
		const struct mw_result *b =
			r->before ? mw_results_find(r->before, x->scope,
						    x->metric)
				  : NULL;
		uint64_t v = x->u, v1;

		if (!r->o->warm) {
			err |= add_copy(out, x, v);
			continue;
		}
		if (mixes_passes(x))
			continue;
		if (b && b->kind == MW_RESULT_U64 && x->kind == MW_RESULT_U64)
			v = x->u >= b->u ? x->u - b->u : 0;
		else if (!strcmp(x->scope, "memory") &&
			 x->kind == MW_RESULT_U64 &&
			 dram_total(&s, x->metric, &v) &&
			 dram_total(&r->first, x->metric, &v1))
			v = v >= v1 ? v - v1 : 0;
		else if (!strcmp(x->scope, "memory") &&
			 !strcmp(x->metric, "overfetch_bytes") &&
			 x->kind == MW_RESULT_U64) {
			/* the first pass's: what the memory moved then minus
			   what the hierarchy asked for */
			uint64_t moved =
				r->first.bytes_read + r->first.bytes_written;
			uint64_t asked =
				get_u64(r->before, "memory", "bytes_read") +
				get_u64(r->before, "memory", "bytes_written");
			uint64_t of1 = moved > asked ? moved - asked : 0;

			v = x->u >= of1 ? x->u - of1 : 0;
		}
		if (!strcmp(x->scope, "memory") && x->kind == MW_RESULT_F64 &&
		    t_ns >= 0) {
			double moved = (double)(s.bytes_read + s.bytes_written -
						r->first.bytes_read -
						r->first.bytes_written);
			double eff = t_ns > 0 ? moved / t_ns : 0;
			double peak = mw_machine_peak_bw(r->m) / 1e9;

			if (!strcmp(x->metric, "time_ns")) {
				err |= mw_results_add_f64(out, x->scope,
							  x->metric, t_ns);
				continue;
			}
			if (!strcmp(x->metric, "effective_bandwidth_GBps")) {
				err |= mw_results_add_f64(out, x->scope,
							  x->metric, eff);
				continue;
			}
			if (!strcmp(x->metric, "efficiency")) {
				err |= mw_results_add_f64(
					out, x->scope, x->metric,
					peak > 0 ? eff / peak : 0);
				continue;
			}
		}
		err |= add_copy(out, x, v);
	}
	mw_results_destroy(all);
	return err ? mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory") : 0;
}

static int finish_results(struct run *r, struct mw_results *out, double seconds,
			  struct mw_diag *d)
{
	struct mw_bounds b;
	struct mw_timing_in ti;
	struct mw_timing t;
	uint64_t rd;
	int rc, err = 0;

	rc = mw_kernel_bounds(r->k, &r->sc, &b, d);
	if (rc)
		return rc;
	memset(&ti, 0, sizeof(ti));
	ti.flops = b.flops;
	ti.dtype = mw_kernel_dtype(r->k);
	/* counters of the reported pass, from the results */
	if (r->hw->nlevels >= 2)
		ti.l2_bytes =
			get_u64(out, r->hw->levels[0].name,
				"bytes_from_below") +
			get_u64(out, r->hw->levels[0].name, "bytes_to_below");
	rd = get_u64(out, "memory", "bytes_read");
	ti.memory_bytes = rd + get_u64(out, "memory", "bytes_written");
	ti.memory_time_ns = memory_time_ns(r);
	ti.memory_peak_Bps = mw_machine_peak_bw(r->m);
	mw_timing_estimate(r->hw, &ti, &t);
	if (!mw_machine_timed(r->m)) {
		/* counting mode: the bytes at the peak, as the estimate */
		err |= mw_results_add_f64(out, "memory", "time_ns",
					  t.memory_ns);
		err |= mw_results_add_f64(
			out, "memory", "effective_bandwidth_GBps",
			t.memory_ns > 0 ? (double)ti.memory_bytes / t.memory_ns
					: 0);
	}
	err |= mw_bounds_results(&b, out) ? 1 : 0;
	err |= mw_results_add_u64(out, "bounds", "simulated_read_bytes", rd);
	err |= mw_results_add_f64(
		out, "bounds", "read_over_compulsory",
		b.compulsory_read ? (double)rd / (double)b.compulsory_read : 0);
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
	if (!r.buf) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	r.m = mw_machine_create(hw, r.hdr.ntensors, d);
	if (!r.m) {
		rc = d && d->code ? d->code : MW_ECONFIG;
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
	if (o->warm) {
		rc = one_pass(&r, false, d);
		if (rc)
			goto out;
		r.before = mw_results_create();
		if (!r.before || mw_hier_results(mw_machine_hier_const(r.m),
						 &r.hdr, r.before)) {
			rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
			goto out;
		}
		/* drain the memory between the passes: mw_dram_finish serves
		   what is queued and leaves the model usable (the machine
		   hands out its model const only for results) */
		rc = mw_dram_finish(
			(struct mw_dram *)(uintptr_t)mw_machine_dram(r.m));
		if (rc) {
			rc = mw_diag_set(d, rc, "", 0, "memory model: %s",
					 mw_strerror(rc));
			goto out;
		}
		mw_machine_memory_stats(r.m, &r.first);
	}
	rc = one_pass(&r, true, d);
	if (rc)
		goto out;
	if (mw_machine_finish(r.m, true)) {
		*d = *mw_machine_diag(r.m);
		rc = d->code ? d->code : MW_EINVAL;
		goto out;
	}
	rc = kernel_results(&r, out);
	if (rc) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	rc = machine_results(&r, out, d);
	if (!rc)
		rc = finish_results(&r, out, now_s() - t0, d);
	if (!rc && r.reuse && add_reuse(&r, out))
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
out:
	mw_results_destroy(r.before);
	mw_reuse_destroy(r.reuse);
	mw_machine_destroy(r.m);
	mw_free(r.buf);
	mw_header_free(&r.hdr);
	return rc;
}
