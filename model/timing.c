/*
 * timing.c - the three-roof time estimate.
 *
 * Notes:
 *  - The kernel takes as long as its slowest resource, each assumed to
 *    run at its peak the whole time and to overlap perfectly with the
 *    others: total = max(compute, l2, memory).  No latency, launch
 *    overhead, tail effect or occupancy limit is added: the estimate is
 *    a lower bound on the time of the simulated traffic.
 *  - Compute: the kernel's FLOPs (bounds.h: 2 per multiply-add of the
 *    GEMMs as computed; softmax, activation and reductions count 0) over
 *    the machine's dense peak for the kernel's dtype (fp16 shares the
 *    bf16 tensor-core peak).
 *  - L2: every byte that crosses between the L1s and the L2 (fills of
 *    the L1s plus what they write through or back) over levels[1]'s
 *    bandwidth.  A machine without a second level, or with bandwidth 0,
 *    has no L2 roof.
 *  - Memory: the DRAM timing model's time for the miss stream, which
 *    already accounts for row conflicts, refresh and channel imbalance;
 *    in counting mode the bytes over the memory's peak bandwidth.
 *  - Arithmetic intensity per level: FLOPs per byte of that level's
 *    traffic, the x axis of a roofline plot.
 */
#include "model/timing.h"

const char *mw_bound_name(enum mw_bound b)
{
	switch (b) {
	case MW_BOUND_COMPUTE:
		return "compute";
	case MW_BOUND_L2:
		return "l2";
	case MW_BOUND_MEMORY:
		return "memory";
	case MW_BOUND_UNKNOWN:
		break;
	}
	return "unknown";
}

double mw_peak_flops(const struct mw_machine_cfg *m, enum mw_dtype t)
{
	switch (t) {
	case MW_DTYPE_FP32:
		return m->flops_fp32;
	case MW_DTYPE_BF16:
	case MW_DTYPE_FP16:
		return m->flops_bf16;
	case MW_DTYPE_FP8:
		return m->flops_fp8;
	}
	return 0;
}

void mw_timing_estimate(const struct mw_hw_cfg *hw,
			const struct mw_timing_in *in, struct mw_timing *out)
{
	double peak = mw_peak_flops(&hw->machine, in->dtype);
	double l2bw = hw->nlevels >= 2 ? hw->levels[1].bandwidth : 0;
	double best = -1;

	out->compute_known = peak > 0;
	out->compute_ns = peak > 0 ? (double)in->flops / peak * 1e9 : 0;
	out->l2_known = l2bw > 0;
	out->l2_ns = l2bw > 0 ? (double)in->l2_bytes / l2bw * 1e9 : 0;
	if (in->memory_time_ns >= 0) {
		out->memory_known = true;
		out->memory_ns = in->memory_time_ns;
	} else {
		out->memory_known = in->memory_peak_Bps > 0;
		out->memory_ns = out->memory_known
					 ? (double)in->memory_bytes /
						   in->memory_peak_Bps * 1e9
					 : 0;
	}
	out->bound = MW_BOUND_UNKNOWN;
	if (out->memory_known) {
		best = out->memory_ns;
		out->bound = MW_BOUND_MEMORY;
	}
	if (out->l2_known && out->l2_ns > best) {
		best = out->l2_ns;
		out->bound = MW_BOUND_L2;
	}
	if (out->compute_known && out->compute_ns > best) {
		best = out->compute_ns;
		out->bound = MW_BOUND_COMPUTE;
	}
	out->total_ns = best > 0 ? best : 0;
	out->l2_flops_per_byte =
		in->l2_bytes ? (double)in->flops / (double)in->l2_bytes : 0;
	out->memory_flops_per_byte =
		in->memory_bytes ? (double)in->flops / (double)in->memory_bytes
				 : 0;
}

int mw_timing_results(const struct mw_timing *t, struct mw_results *r)
{
	int err = 0;

	err |= mw_results_add_f64(r, "time", "compute_ns", t->compute_ns);
	err |= mw_results_add_f64(r, "time", "l2_ns", t->l2_ns);
	err |= mw_results_add_f64(r, "time", "memory_ns", t->memory_ns);
	err |= mw_results_add_f64(r, "time", "total_ns", t->total_ns);
	err |= mw_results_add_text(r, "time", "bound", mw_bound_name(t->bound));
	err |= mw_results_add_f64(r, "intensity", "l2_flops_per_byte",
				  t->l2_flops_per_byte);
	err |= mw_results_add_f64(r, "intensity", "memory_flops_per_byte",
				  t->memory_flops_per_byte);
	return err ? MW_ENOMEM : 0;
}
