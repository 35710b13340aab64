/*
 * kernel.h - kernel generators: GEMM, SwiGLU MLP, attention prefill
 * (naive and FlashAttention-2), attention decode (split-KV, paged KV) and
 * a whole transformer layer, each with its tiling as parameters.
 *
 * Parameters are key/value strings, one table per kernel (the CLI makes
 * each key an option --KEY, a sweep sets them by name).  Typical use:
 *
 *   struct mw_kernel *k = mw_kernel_create("gemm", &d);
 *   mw_kernel_set(k, "m", "4096", &d); ...
 *   if (mw_kernel_validate(k, &d) == MW_EINVAL) skip this point;
 *   struct mw_stream *s = mw_kernel_stream(k, &sched_cfg, &d);
 *   mw_kernel_bounds(k, &sched_cfg, &bounds, &d);
 *   ... mw_stream_destroy(s); mw_kernel_destroy(k);
 */
#ifndef MW_KERNEL_H
#define MW_KERNEL_H

#include "common/err.h"
#include "model/sched.h"
#include "traces/stream.h"

#include <stdint.h>

enum mw_dtype {
	MW_DTYPE_FP32 = 0,
	MW_DTYPE_BF16,
	MW_DTYPE_FP16,
	MW_DTYPE_FP8
};

/* "fp32", "bf16", "fp16", "fp8". */
const char *mw_dtype_name(enum mw_dtype t);
/* Bytes per element: 4, 2, 2, 1. */
unsigned mw_dtype_bytes(enum mw_dtype t);

struct mw_kernel_param {
	const char *key;  /* option name without dashes: "m", "tile" */
	const char *def;  /* default value as text */
	const char *help; /* one line */
};

struct mw_kparams; /* parsed parameters (model/kernel.c) */
struct mw_plan;	   /* tensors and launches (model/kernel_int.h) */

/* One kernel: its parameter table and its three functions.  Adding a
   kernel = its table, these functions, one line in mw_kernels. */
struct mw_kernel_ops {
	const char *name;
	const char *summary;
	const struct mw_kernel_param *params; /* NULL-key terminated */
	const char *example; /* example options for help texts */
	/* Cross-parameter checks: 0 or MW_EINVAL naming the parameter. */
	int (*validate)(const struct mw_kparams *p, struct mw_diag *d);
	/* Bytes of all tensors (double: checked before any u64 product). */
	double (*footprint)(const struct mw_kparams *p);
	/* Adds the tensors and launches to pl; 0 or an error. */
	int (*build)(const struct mw_kparams *p, struct mw_plan *pl);
};

/* gemm, mlp, attention, decode, layer; NULL-terminated. */
extern const struct mw_kernel_ops *const mw_kernels[];
/* The kernel named name, or NULL. */
const struct mw_kernel_ops *mw_kernel_find(const char *name);

struct mw_kernel;

/*
 * A kernel of the named kind with every parameter at its default.
 * Returns owned (free with mw_kernel_destroy) or NULL with d filled.
 */
struct mw_kernel *mw_kernel_create(const char *name, struct mw_diag *d);
void mw_kernel_destroy(struct mw_kernel *k);
const struct mw_kernel_ops *mw_kernel_ops(const struct mw_kernel *k);

/*
 * Sets one parameter from text.  Returns 0; MW_ECONFIG for an unknown key
 * (message lists the kernel's keys); MW_EPARSE for a malformed value.
 * Cross-parameter checks are in mw_kernel_validate.
 */
int mw_kernel_set(struct mw_kernel *k, const char *key, const char *value,
		  struct mw_diag *d);
/* The current value of key as text (borrowed), or NULL if no such key. */
const char *mw_kernel_get(const struct mw_kernel *k, const char *key);

/*
 * Checks the combination: zero sizes, a split larger than the K tiles
 * (or KV blocks), heads not divisible by kv-heads, footprint over 2^48
 * bytes, ...  Returns 0 or MW_EINVAL ("not a valid point": a sweep skips
 * it) with a message naming the parameter.
 */
int mw_kernel_validate(const struct mw_kernel *k, struct mw_diag *d);

/* The element type that sets the compute peak. */
enum mw_dtype mw_kernel_dtype(const struct mw_kernel *k);

/*
 * The kernel's accesses as a stream, scheduled on cfg->units units with
 * cfg->ctas_per_unit resident CTAs each (a kernel's own ctas-per-unit
 * parameter, when not 0, wins).  Validates first.  Returns an owned
 * stream (mw_stream_destroy) or NULL with d filled.  k is copied: it may
 * be destroyed before the stream.
 */
struct mw_stream *mw_kernel_stream(const struct mw_kernel *k,
				   const struct mw_sched_cfg *cfg,
				   struct mw_diag *d);

/* Resident CTAs per unit: the kernel's ctas-per-unit, else cfg's. */
uint32_t mw_kernel_ctas_per_unit(const struct mw_kernel *k,
				 const struct mw_sched_cfg *cfg);

/* "gemm m=4096 n=4096 ... units=132 ctas-per-unit=1" (owned, mw_free). */
char *mw_kernel_describe(const struct mw_kernel *k,
			 const struct mw_sched_cfg *cfg);

#endif
