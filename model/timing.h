/*
 * timing.h - the time estimate of a kernel run: the larger of its
 * compute time, L2 time and memory time (a roofline with three roofs),
 * with the bound named, and its arithmetic intensity per level.
 *
 * The inputs are counts from a simulation (model/run.h fills them); the
 * rates come from the hardware config: machine.flops_fp32/bf16/fp8 for
 * compute, levels[1].bandwidth for the L2, and the memory's own time.
 */
#ifndef MW_TIMING_H
#define MW_TIMING_H

#include "common/results.h"
#include "hierarchy/config.h"
#include "model/kernel.h"

#include <stdbool.h>
#include <stdint.h>

enum mw_bound {
	MW_BOUND_UNKNOWN = 0, /* no component has a known rate */
	MW_BOUND_COMPUTE,
	MW_BOUND_L2,
	MW_BOUND_MEMORY
};

/* "unknown", "compute", "l2", "memory". */
const char *mw_bound_name(enum mw_bound b);

/* Peak FLOP/s of machine m for dtype t (fp16 uses flops_bf16); 0 = unknown. */
double mw_peak_flops(const struct mw_machine_cfg *m, enum mw_dtype t);

struct mw_timing_in {
	uint64_t flops;	       /* FLOPs of the kernel (multiply-add = 2) */
	enum mw_dtype dtype;   /* sets the compute peak */
	uint64_t l2_bytes;     /* bytes between the L1s and the L2, both ways */
	uint64_t memory_bytes; /* bytes read from + written to memory */
	double memory_time_ns; /* the memory model's time; < 0 = none
				   (counting mode): bytes over memory_peak */
	double memory_peak_Bps; /* bytes/s, 0 = unknown */
};

struct mw_timing {
	double compute_ns; /* flops / peak; 0 when the peak is unknown */
	double l2_ns;	   /* l2_bytes / levels[1].bandwidth; 0 when unknown */
	double memory_ns;  /* the memory time, or bytes / peak */
	double total_ns;   /* the largest of the three */
	enum mw_bound bound;
	bool compute_known, l2_known, memory_known;
	double l2_flops_per_byte;     /* flops / l2_bytes, 0 if no bytes */
	double memory_flops_per_byte; /* flops / memory_bytes, 0 if no bytes */
};

/*
 * Computes the estimate of in (borrowed) on hw (borrowed) into *out.
 * A component whose rate is unknown (0) counts 0 ns and is not a
 * candidate for the bound; ties go to memory, then l2, then compute.
 */
void mw_timing_estimate(const struct mw_hw_cfg *hw,
			const struct mw_timing_in *in, struct mw_timing *out);

/*
 * Appends scope "time" (compute_ns, l2_ns, memory_ns, total_ns, bound)
 * and scope "intensity" (l2_flops_per_byte, memory_flops_per_byte).
 * 0 or MW_ENOMEM.
 */
int mw_timing_results(const struct mw_timing *t, struct mw_results *r);

#endif
