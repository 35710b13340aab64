/*
 * kernel_int.h - inside the kernel generators: phases (one kernel launch
 * each), the matrix views they read and write, and the record emitter.
 * Used by kernel.c, gen_*.c and bounds.c; callers use kernel.h.
 */
#ifndef MW_KERNEL_INT_H
#define MW_KERNEL_INT_H

#include "model/kernel.h"
#include "model/sched.h"

#include <stdbool.h>
#include <stdint.h>

#define MW_SEG_BYTES  128 /* records never cross a 128-byte boundary */
#define MW_PHASES_MAX 16

/* A 2-D view of a tensor: element (r, c) at base + (r*ld + c)*e, or
   base + (c*ld + r)*e when colmajor. */
struct mw_mat {
	uint8_t tensor;
	bool colmajor;
	uint32_t e;	  /* bytes per element */
	uint64_t base;	  /* bytes */
	uint64_t ld;	  /* elements between rows (cols when colmajor) */
	uint64_t rows;	  /* logical extent, for clipping */
	uint64_t cols;	  /* logical extent, for clipping */
	uint64_t bstride; /* bytes between batches (batched phases) */
	uint64_t hstride; /* bytes between heads */
	uint32_t hdiv;	  /* head index used = head / hdiv (GQA), >= 1 */
};

/* Rasterization of a 2-D tile grid. */
enum mw_order_kind {
	MW_ORDER_ROW = 0,
	MW_ORDER_COL,
	MW_ORDER_GROUPED, /* Triton GROUP_SIZE_M */
	MW_ORDER_SWIZZLE  /* CUTLASS GemmIdentityThreadblockSwizzle<N> */
};

struct mw_order {
	enum mw_order_kind kind;
	uint32_t param; /* G or N */
};

/* GEMM C[z] = A[z] x (B0[z] | B1[z]) with batches z = b*heads + h. */
struct mw_gemm_phase {
	uint64_t m, n, k;
	uint32_t bm, bn, bk;
	struct mw_order order;
	uint32_t split;	      /* S >= 1; S > 1: c is the fp32 workspace */
	uint64_t batch;	      /* outer batches (b) */
	uint64_t heads;	      /* inner batches (h) */
	struct mw_mat a;      /* m x k */
	uint32_t nb;	      /* 1 or 2 B operands (fused gate and up) */
	struct mw_mat b[2];   /* k x n each */
	struct mw_mat c;      /* m x n; split slices at c.bstride... see gemm */
	uint64_t slice_bytes; /* workspace bytes between split slices */
	/* derived */
	uint64_t tm, tn, kt; /* tiles along m, n, k */
	uint64_t gx, gy;     /* swizzle grid */
	uint32_t log_tile;
};

/* Row-block pass: each item reads tiles of its inputs (each input count
   times, slices slice_bytes apart) then writes the tile of each output. */
#define MW_ROWS_IO 3
struct mw_rows_phase {
	uint64_t rows, cols; /* the grid the tiles cover */
	uint32_t br, bc;     /* tile */
	uint32_t nin, nout;
	struct mw_mat in[MW_ROWS_IO];
	uint32_t count[MW_ROWS_IO];
	uint64_t slice_bytes[MW_ROWS_IO];
	struct mw_mat out[MW_ROWS_IO];
	uint64_t tr, tc; /* derived tiles */
};

/* FlashAttention-2 forward. q, k, v, o views: rows = tokens, cols = d,
   with bstride/hstride; lse fp32 [b, h, nq]. */
struct mw_flash_phase {
	uint64_t batch, heads, kv_heads, nq, nk, d;
	uint32_t br, bc;
	bool causal;
	uint8_t perm[3]; /* fastest first: 0 = qblock, 1 = batch, 2 = head */
	struct mw_mat q, k, v, o, lse;
	uint64_t tr, tcn; /* q blocks, kv blocks */
};

/* Decode (flash-decoding split-KV) over a possibly paged KV cache. */
struct mw_decode_phase {
	uint64_t batch, heads, kv_heads, kv_len, q_len, d;
	uint32_t splits, page, hpc, bc; /* page 0 = contiguous */
	uint64_t pages_per_seq;
	uint32_t e;
	struct mw_mat q, o, oacc, lacc; /* q, o: rows (b, h, t), cols d */
	uint8_t k_t, v_t, bt_t;		/* tensors */
	uint64_t k_base, v_base, bt_base;
	const uint32_t *table; /* [batch * pages_per_seq] physical pages */
	uint64_t groups;       /* hpc-groups per kv head */
};

enum mw_phase_kind {
	MW_PHASE_GEMM,
	MW_PHASE_ROWS,
	MW_PHASE_FLASH,
	MW_PHASE_DECODE
};

struct mw_phase {
	enum mw_phase_kind kind;
	const char *name;
	bool persistent;
	union {
		struct mw_gemm_phase g;
		struct mw_rows_phase r;
		struct mw_flash_phase f;
		struct mw_decode_phase dc;
	} u;
};

/* Tensor roles for the compulsory bound. */
enum mw_role {
	MW_ROLE_INPUT = 0,	 /* read, never written */
	MW_ROLE_OUTPUT = 1,	 /* written, never read */
	MW_ROLE_INTERMEDIATE = 2 /* written then read back */
};

/* A kernel expanded into tensors and phases (owned by struct mw_kernel). */
struct mw_plan {
	struct mw_trace_header hdr;
	enum mw_role role[MW_TENSOR_MAX + 1];
	uint64_t need[MW_TENSOR_MAX + 1]; /* bytes that hold data (compulsory) */
	uint32_t nphases;
	struct mw_phase ph[MW_PHASES_MAX];
	uint32_t *table; /* decode block table, owned (mw_free) */
	uint64_t next;	 /* next free address */
	bool no_table;	 /* validation only: no block table */
};

/* Emits the records of one tile of m: rows r0..r0+nr, cols c0..c0+nc,
   clipped to the view, at extra byte offset off.  Returns the count. */
size_t mw_emit_tile(const struct mw_mat *m, uint64_t off, uint64_t r0,
		    uint64_t nr, uint64_t c0, uint64_t nc, uint8_t op,
		    struct mw_access *out);
/* Records mw_emit_tile would emit. */
uint64_t mw_tile_records(const struct mw_mat *m, uint64_t off, uint64_t r0,
			 uint64_t nr, uint64_t c0, uint64_t nc);

/* Fills p's derived fields; 0 or MW_EINVAL. */
int mw_phase_prepare(struct mw_phase *p);
/* The phase as scheduler work (borrows p). */
void mw_phase_work(const struct mw_phase *p, struct mw_sched_work *w);

/* Tile (pid_m, pid_n) of CTA index t under the GEMM's rasterization;
   false when that CTA has no tile (swizzle grid padding). */
bool mw_gemm_tile(const struct mw_gemm_phase *g, uint64_t t, uint64_t *pm,
		  uint64_t *pn);
/* CTAs per (batch, slice) of the GEMM's grid (tm*tn, or the swizzle grid). */
uint64_t mw_gemm_grid(const struct mw_gemm_phase *g);
/* K tiles of slice s: [*k0, *k1). */
void mw_gemm_slice(const struct mw_gemm_phase *g, uint32_t s, uint64_t *k0,
		   uint64_t *k1);
/* KV blocks the flash CTA for q block m visits. */
uint64_t mw_flash_kv_blocks(const struct mw_flash_phase *f, uint64_t m);
/* Flash item -> (m, b, h). */
void mw_flash_item(const struct mw_flash_phase *f, uint64_t item, uint64_t *m,
		   uint64_t *b, uint64_t *h);
/* Decode split s: tokens [*t0, *t1). */
void mw_decode_split(const struct mw_decode_phase *dc, uint32_t s, uint64_t *t0,
		     uint64_t *t1);

/* ---- for kernels in their own files ---------------------------------- */

/* A new tensor of bytes after the plan's others (2 MiB aligned); 0 or an
   error. */
int mw_plan_tensor(struct mw_plan *pl, const char *name, uint64_t bytes,
		   enum mw_role role, uint8_t *idx, uint64_t *base);
/* A row-major view rows x cols (ld elements between rows) of tensor t. */
struct mw_mat mw_plan_mat(uint8_t t, uint64_t base, uint64_t rows,
			  uint64_t cols, uint64_t ld, uint32_t e);
/* A new zeroed phase, or NULL when the plan is full. */
struct mw_phase *mw_plan_phase(struct mw_plan *pl, enum mw_phase_kind kind,
			       const char *name);

/* The stream kernel (kernel_stream.c): its parsed parameters. */
enum mw_stream_op {
	MW_STREAM_COPY = 0, /* c = a */
	MW_STREAM_SCALE,    /* b = s c (BabelStream mul) */
	MW_STREAM_ADD,	    /* c = a + b */
	MW_STREAM_TRIAD,    /* a = b + s c */
	MW_STREAM_DOT,	    /* sum a b (partial sums not counted) */
	MW_STREAM_READ,	    /* sum a */
	MW_STREAM_WRITE	    /* a = s (gpu-stream init) */
};
struct mw_stream_kp {
	enum mw_stream_op op;
	uint64_t bytes; /* per array */
	uint32_t block; /* elements per CTA */
};
extern const struct mw_kernel_ops mw_stream_ops;
/* Parses key op, bytes or block into kp; 0 or MW_EPARSE. */
int mw_stream_kp_parse(struct mw_stream_kp *kp, const char *key, const char *v,
		       struct mw_diag *d);
/* The stream parameters of p, with its dtype and ctas-per-unit. */
const struct mw_stream_kp *mw_kparams_stream(const struct mw_kparams *p,
					     enum mw_dtype *dtype,
					     uint32_t *ctas_per_unit);

/* Builds the plan of k (validated); 0 or an error. */
int mw_plan_build(const struct mw_kernel *k, struct mw_plan *pl,
		  struct mw_diag *d);
void mw_plan_free(struct mw_plan *pl);

#endif
