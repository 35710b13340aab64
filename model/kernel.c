/*
 * kernel.c - kernel parameters (one table per kernel) and their
 * expansion into tensors and launches (a plan the scheduler runs).
 *
 * Notes:
 *  - Tensors are laid out one after another from 1 GiB, each base
 *    aligned to 2 MiB, with at least 2 MiB between tensors, so no two
 *    share a line, a page or a DRAM row.
 *  - GEMM: A is M x K, B is K x N (row: element (r, c) at r*cols + c;
 *    col: at c*rows + r); C is M x N row-major in the input dtype, except
 *    fp8 inputs give a bf16 C (as CUTLASS/cuBLAS fp8 GEMMs usually do).
 *    Split-K writes S fp32 slices to C_partial [S, M, N], then a
 *    reduction pass (tiles BM x BN) reads the S slices and writes C.
 *  - MLP (SwiGLU, vLLM): x [T, H]; gate-up one = W_gate_up [H, 2I] (gate
 *    columns 0..I-1, up I..2I-1), two = W_gate and W_up [H, I]; W_down
 *    [I, H]; y [T, H].  Fused: the gate/up GEMM loads both weight tiles
 *    and its epilogue writes act = silu(gate) * up [T, I] (gate and up
 *    outputs stay on chip).  Unfused: the GEMM(s) write gate_up [T, 2I]
 *    (or gate, up [T, I]), an activation pass (one row per CTA) reads them
 *    and writes act.  The down projection reads act.
 *  - Attention: Q, O [B, Nq, H, d], K, V [B, Nk, Hkv, d] (the PyTorch /
 *    FlashAttention layout), LSE fp32 [B, H, Nq].  Query head h uses KV
 *    head h / (H / Hkv).  Naive: S = Q K^T fp32 [B, H, Nq, Nk] by a
 *    batched GEMM (tile), a softmax pass (one row per CTA) reading S and
 *    writing P [B, H, Nq, Nk] in the dtype, O = P V by a batched GEMM;
 *    causal naive computes all of S (the mask is applied in the softmax).
 *  - Decode: q [B, q, H, d]; KV cache pages [pages, page, Hkv, d] for K
 *    and V (vLLM V1 FlashAttention layout), block_table int32 [B,
 *    ceil(L / page)] holding a seeded random permutation of the pool's
 *    B * ceil(L / page) pages; page-size 0 = contiguous [B, L, Hkv, d].
 *    Splits > 1: O_accum fp32 [S, B, q, H, d], LSE_accum fp32 [S, B, q,
 *    H], then a combine pass (one (b, t) row of all heads per CTA).
 *  - Layer: x [T, H] -> QKV projection (qkv [T, (H + 2 Hkv) d]) -> flash
 *    attention (causal, reading Q, K, V as views of qkv) -> attn [T, H d]
 *    -> output projection (W_o) -> h [T, H] -> the MLP -> y.  Norms,
 *    rotary embedding and residual adds are not modelled (elementwise,
 *    a few percent of the traffic).
 */
#include "model/kernel_int.h"

#include "common/alloc.h"
#include "common/hash.h"
#include "common/units.h"
#include "traces/stream_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE_MAX_PARAM	 ((uint64_t)1 << 40)
#define VAL_MAX		 64
#define KP_MAX		 24
#define ALIGN		 ((uint64_t)2 << 20)
#define FIRST_BASE	 ((uint64_t)1 << 30)
#define FOOTPRINT_MAX	 ((uint64_t)1 << 48)
#define MAX_STEP_RECORDS (1u << 22)
#define PAGES_MAX	 ((uint64_t)1 << 26)

/* ---- parameter tables ------------------------------------------------------ */

#define P_CPU                                                                  \
	{                                                                      \
		"ctas-per-unit", "0",                                          \
			"resident CTAs per unit (0 = the machine's default)"   \
	}
#define P_DTYPE                                                                \
	{                                                                      \
		"dtype", "bf16", "element type: fp32, bf16, fp16, fp8"         \
	}
#define P_TILE                                                                 \
	{                                                                      \
		"tile", "128x128x64", "GEMM CTA tile BMxBNxBK (elements)"      \
	}
#define P_ORDER                                                                \
	{                                                                      \
		"order", "grouped:8",                                          \
			"CTA rasterization: row, col, grouped:G (Triton "      \
			"GROUP_SIZE_M), "                                      \
			"swizzle:N (CUTLASS)"                                  \
	}
#define P_PERSIST                                                              \
	{                                                                      \
		"persistent", "no",                                            \
			"persistent GEMM: grid = slots, CTAs loop over "       \
			"tiles (yes/no)"                                       \
	}

static const struct mw_kernel_param gemm_params[] = {
	{"m", "4096", "rows of A and C"},
	{"n", "4096", "columns of B and C"},
	{"k", "4096", "columns of A, rows of B"},
	P_DTYPE,
	{"layout-a", "row", "A layout: row (M x K row-major) or col"},
	{"layout-b", "row", "B layout: row (K x N row-major) or col"},
	P_TILE,
	P_ORDER,
	{"split-k", "1", "K slices S (fp32 partials + a reduction pass)"},
	P_PERSIST,
	P_CPU,
	{NULL, NULL, NULL}};

static const struct mw_kernel_param mlp_params[] = {
	{"tokens", "4096", "tokens T (rows of x)"},
	{"hidden", "4096", "hidden size H"},
	{"intermediate", "14336", "intermediate size I"},
	P_DTYPE,
	{"fused", "yes",
	 "activation in the gate/up epilogue (yes) or a separate pass (no)"},
	{"gate-up", "one",
	 "gate and up weights as one [H, 2I] GEMM (one) "
	 "or two"},
	P_TILE,
	P_ORDER,
	P_PERSIST,
	P_CPU,
	{NULL, NULL, NULL}};

static const struct mw_kernel_param attn_params[] = {
	{"batch", "1", "batch B"},
	{"heads", "32", "query heads H"},
	{"kv-heads", "8", "key/value heads (H = MHA, 1 = MQA, else GQA)"},
	{"seq", "4096", "query length Nq"},
	{"kv-seq", "0", "key/value length Nk (0 = seq)"},
	{"head-dim", "128", "head dimension d"},
	P_DTYPE,
	{"causal", "yes", "causal mask (yes/no)"},
	{"variant", "flash", "flash (FlashAttention-2) or naive (S in memory)"},
	{"block-q", "128", "flash: query rows per CTA (Br)"},
	{"block-kv", "64", "flash: key/value rows per step (Bc)"},
	{"grid-order", "qblock,batch,head",
	 "flash: grid dimensions, fastest first"},
	P_TILE,
	P_CPU,
	{NULL, NULL, NULL}};

static const struct mw_kernel_param decode_params[] = {
	{"batch", "8", "sequences B"},
	{"heads", "32", "query heads H"},
	{"kv-heads", "8", "key/value heads"},
	{"kv-len", "8192", "cached tokens per sequence L"},
	{"q-len", "1", "query tokens per sequence (1; more: speculative)"},
	{"head-dim", "128", "head dimension d"},
	P_DTYPE,
	{"splits", "1", "split-KV S (fp32 partials + a combine pass)"},
	{"page-size", "16", "KV page in tokens (0 = contiguous cache)"},
	{"heads-per-cta", "0", "query heads packed per CTA (0 = H / kv-heads)"},
	{"block-kv", "128", "tokens per step"},
	{"seed", "1", "seed of the random block table"},
	P_CPU,
	{NULL, NULL, NULL}};

static const struct mw_kernel_param layer_params[] = {
	{"model", "llama-3-8b", "shapes: llama-3-8b, llama-3-70b"},
	{"tokens", "4096", "tokens (one sequence, causal)"},
	P_DTYPE,
	P_TILE,
	P_ORDER,
	{"block-q", "128", "attention query rows per CTA (Br)"},
	{"block-kv", "64", "attention key/value rows per step (Bc)"},
	{"fused", "yes", "MLP activation fused into the gate/up GEMM"},
	{"gate-up", "one", "MLP gate and up as one GEMM or two"},
	P_CPU,
	{NULL, NULL, NULL}};

struct model_preset {
	const char *name;
	uint64_t hidden, heads, kv_heads, head_dim, intermediate;
};

/* Public shapes (Hugging Face config.json of Meta-Llama-3-8B / -70B). */
static const struct model_preset models[] = {
	{"llama-3-8b", 4096, 32, 8, 128, 14336},
	{"llama-3-70b", 8192, 64, 8, 128, 28672},
	{NULL, 0, 0, 0, 0, 0}};

struct mw_kernel {
	const struct mw_kernel_ops *ops;
	unsigned nparams;
	char val[KP_MAX][VAL_MAX];
};

/* Parsed parameters (the union of all kernels' keys). */
struct mw_kparams {
	uint64_t m, n, k, tokens, hidden, inter, batch, heads, kv_heads, seq;
	uint64_t kv_seq, head_dim, kv_len, q_len, seed;
	uint32_t bm, bn, bk, split, cpu, block_q, block_kv, splits, page, hpc;
	enum mw_dtype dtype;
	bool la_col, lb_col, persistent, fused, two, causal, naive;
	struct mw_order order;
	uint8_t perm[3];
	const struct model_preset *model;
	struct mw_stream_kp stream; /* stream: op, bytes, block */
};

static const char *const dtype_names[] = {"fp32", "bf16", "fp16", "fp8"};

const char *mw_dtype_name(enum mw_dtype t)
{
	return (unsigned)t < 4 ? dtype_names[t] : "?";
}

unsigned mw_dtype_bytes(enum mw_dtype t)
{
	static const unsigned bytes[] = {4, 2, 2, 1};

	return (unsigned)t < 4 ? bytes[t] : 0;
}

const struct mw_kernel_ops *mw_kernel_find(const char *name)
{
	unsigned i;

	for (i = 0; mw_kernels[i]; i++)
		if (!strcmp(mw_kernels[i]->name, name))
			return mw_kernels[i];
	return NULL;
}

static int bad(struct mw_diag *d, const char *key, const char *value,
	       const char *want)
{
	return mw_diag_set(d, MW_EPARSE, "", 0, "%s: '%s' is not %s", key,
			   value, want);
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (mw_parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) {
		*out = false;
		return 0;
	}
	return -1;
}

static int parse_tile(const char *s, uint32_t *a, uint32_t *b, uint32_t *c)
{
	char buf[VAL_MAX], *x, *y;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	x = strchr(buf, 'x');
	if (!x)
		return -1;
	*x++ = 0;
	y = strchr(x, 'x');
	if (!y)
		return -1;
	*y++ = 0;
	if (parse_u32(buf, a) || parse_u32(x, b) || parse_u32(y, c))
		return -1;
	return *a && *b && *c && *a <= 65536 && *b <= 65536 && *c <= 65536 ? 0
									   : -1;
}

static int parse_order(const char *s, struct mw_order *o)
{
	const char *colon = strchr(s, ':');

	o->param = 0;
	if (!strcmp(s, "row")) {
		o->kind = MW_ORDER_ROW;
		return 0;
	}
	if (!strcmp(s, "col")) {
		o->kind = MW_ORDER_COL;
		return 0;
	}
	if (!colon)
		return -1;
	if (!strncmp(s, "grouped:", 8))
		o->kind = MW_ORDER_GROUPED;
	else if (!strncmp(s, "swizzle:", 8))
		o->kind = MW_ORDER_SWIZZLE;
	else
		return -1;
	return parse_u32(colon + 1, &o->param) || !o->param ? -1 : 0;
}

static int parse_perm(const char *s, uint8_t perm[3])
{
	static const char *const names[] = {"qblock", "batch", "head"};
	char buf[VAL_MAX], *tok, *save = NULL;
	unsigned n = 0, seen = 0, i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < 3 && strcmp(tok, names[i]); i++)
			;
		if (i == 3 || n == 3 || (seen & (1u << i)))
			return -1;
		seen |= 1u << i;
		perm[n++] = (uint8_t)i;
	}
	return n == 3 ? 0 : -1;
}

/* Parses one key into p; 0, MW_EPARSE or MW_ECONFIG (unknown key). */
static int parse_one(struct mw_kparams *p, const char *key, const char *v,
		     struct mw_diag *d)
{
	struct {
		const char *key;
		uint64_t *dst;
	} sizes[] = {{"m", &p->m},
		     {"n", &p->n},
		     {"k", &p->k},
		     {"tokens", &p->tokens},
		     {"hidden", &p->hidden},
		     {"intermediate", &p->inter},
		     {"batch", &p->batch},
		     {"heads", &p->heads},
		     {"kv-heads", &p->kv_heads},
		     {"seq", &p->seq},
		     {"kv-seq", &p->kv_seq},
		     {"head-dim", &p->head_dim},
		     {"kv-len", &p->kv_len},
		     {"q-len", &p->q_len}};
	struct {
		const char *key;
		uint32_t *dst;
	} smalls[] = {{"split-k", &p->split},	 {"ctas-per-unit", &p->cpu},
		      {"block-q", &p->block_q},	 {"block-kv", &p->block_kv},
		      {"splits", &p->splits},	 {"page-size", &p->page},
		      {"heads-per-cta", &p->hpc}};
	unsigned i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!strcmp(key, sizes[i].key)) {
			if (mw_parse_u64(v, sizes[i].dst) ||
			    *sizes[i].dst > SIZE_MAX_PARAM)
				return bad(d, key, v,
					   "a whole number up to 2^40");
			return 0;
		}
	for (i = 0; i < sizeof(smalls) / sizeof(smalls[0]); i++)
		if (!strcmp(key, smalls[i].key)) {
			if (parse_u32(v, smalls[i].dst) ||
			    *smalls[i].dst > (1u << 24))
				return bad(d, key, v,
					   "a whole number up to 16777216");
			return 0;
		}
	if (!strcmp(key, "seed"))
		return mw_parse_u64(v, &p->seed) ? bad(d, key, v, "a number")
						 : 0;
	if (!strcmp(key, "dtype")) {
		for (i = 0; i < 4; i++)
			if (!strcmp(v, dtype_names[i])) {
				p->dtype = (enum mw_dtype)i;
				return 0;
			}
		return bad(d, key, v, "fp32, bf16, fp16 or fp8");
	}
	if (!strcmp(key, "layout-a") || !strcmp(key, "layout-b")) {
		bool *dst = key[7] == 'a' ? &p->la_col : &p->lb_col;

		if (strcmp(v, "row") && strcmp(v, "col"))
			return bad(d, key, v, "row or col");
		*dst = !strcmp(v, "col");
		return 0;
	}
	if (!strcmp(key, "tile"))
		return parse_tile(v, &p->bm, &p->bn, &p->bk)
			       ? bad(d, key, v,
				     "BMxBNxBK with each 1..65536 (e.g. "
				     "128x128x64)")
			       : 0;
	if (!strcmp(key, "order"))
		return parse_order(v, &p->order) ? bad(d, key, v,
						       "row, col, grouped:G or "
						       "swizzle:N")
						 : 0;
	if (!strcmp(key, "persistent") || !strcmp(key, "fused") ||
	    !strcmp(key, "causal")) {
		bool *dst = key[0] == 'p'   ? &p->persistent
			    : key[0] == 'f' ? &p->fused
					    : &p->causal;

		return parse_bool(v, dst) ? bad(d, key, v, "yes or no") : 0;
	}
	if (!strcmp(key, "gate-up")) {
		if (strcmp(v, "one") && strcmp(v, "two"))
			return bad(d, key, v, "one or two");
		p->two = !strcmp(v, "two");
		return 0;
	}
	if (!strcmp(key, "variant")) {
		if (strcmp(v, "flash") && strcmp(v, "naive"))
			return bad(d, key, v, "flash or naive");
		p->naive = !strcmp(v, "naive");
		return 0;
	}
	if (!strcmp(key, "grid-order"))
		return parse_perm(v, p->perm) ? bad(d, key, v,
						    "a permutation of "
						    "qblock,batch,head")
					      : 0;
	if (!strcmp(key, "op") || !strcmp(key, "bytes") ||
	    !strcmp(key, "block"))
		return mw_stream_kp_parse(&p->stream, key, v, d);
	if (!strcmp(key, "model")) {
		for (i = 0; models[i].name; i++)
			if (!strcmp(v, models[i].name)) {
				p->model = &models[i];
				return 0;
			}
		return bad(d, key, v, "llama-3-8b or llama-3-70b");
	}
	return MW_ECONFIG;
}

static int find_param(const struct mw_kernel *k, const char *key)
{
	unsigned i;

	for (i = 0; i < k->nparams; i++)
		if (!strcmp(k->ops->params[i].key, key))
			return (int)i;
	return -1;
}

struct mw_kernel *mw_kernel_create(const char *name, struct mw_diag *d)
{
	const struct mw_kernel_ops *ops = mw_kernel_find(name);
	struct mw_kernel *k;
	unsigned i;

	if (!ops) {
		mw_diag_set(d, MW_ECONFIG, "", 0,
			    "no kernel '%s' (gemm, mlp, attention, decode, "
			    "layer)",
			    name);
		return NULL;
	}
	k = mw_calloc(1, sizeof(*k));
	if (!k) {
		mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		return NULL;
	}
	k->ops = ops;
	for (i = 0; ops->params[i].key; i++)
		snprintf(k->val[i], VAL_MAX, "%s", ops->params[i].def);
	k->nparams = i;
	return k;
}

void mw_kernel_destroy(struct mw_kernel *k)
{
	mw_free(k);
}

const struct mw_kernel_ops *mw_kernel_ops(const struct mw_kernel *k)
{
	return k->ops;
}

int mw_kernel_set(struct mw_kernel *k, const char *key, const char *value,
		  struct mw_diag *d)
{
	struct mw_kparams scratch;
	int i = find_param(k, key), err;

	if (i < 0) {
		char keys[512] = "";
		unsigned j;

		for (j = 0; j < k->nparams; j++) {
			if (j)
				strncat(keys, " ",
					sizeof(keys) - 1 - strlen(keys));
			strncat(keys, k->ops->params[j].key,
				sizeof(keys) - 1 - strlen(keys));
		}
		return mw_diag_set(d, MW_ECONFIG, "", 0,
				   "%s has no parameter '%s' (it has: %s)",
				   k->ops->name, key, keys);
	}
	if (strlen(value) >= VAL_MAX)
		return mw_diag_set(d, MW_EPARSE, "", 0, "%s: value too long",
				   key);
	memset(&scratch, 0, sizeof(scratch));
	err = parse_one(&scratch, key, value, d);
	if (err)
		return err;
	snprintf(k->val[i], VAL_MAX, "%s", value);
	return 0;
}

const char *mw_kernel_get(const struct mw_kernel *k, const char *key)
{
	int i = find_param(k, key);

	return i < 0 ? NULL : k->val[i];
}

static void parse_all(const struct mw_kernel *k, struct mw_kparams *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->perm[0] = 0;
	p->perm[1] = 1;
	p->perm[2] = 2;
	for (i = 0; i < k->nparams; i++) {
		int err = parse_one(p, k->ops->params[i].key, k->val[i], NULL);

		(void)err; /* every stored value parsed when it was set */
	}
}

enum mw_dtype mw_kernel_dtype(const struct mw_kernel *k)
{
	struct mw_kparams p;

	parse_all(k, &p);
	return p.dtype;
}

char *mw_kernel_describe(const struct mw_kernel *k,
			 const struct mw_sched_cfg *cfg)
{
	size_t cap = 64 + (size_t)k->nparams * (VAL_MAX + 32), len;
	char *s = mw_malloc(cap);
	unsigned i;

	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "memwall gen %s", k->ops->name);
	for (i = 0; i < k->nparams; i++)
		len += (size_t)snprintf(s + len, cap - len, " %s=%s",
					k->ops->params[i].key, k->val[i]);
	if (cfg)
		snprintf(s + len, cap - len, " units=%u", cfg->units);
	return s;
}

/* ---- validation ------------------------------------------------------------ */

static int invalid(struct mw_diag *d, const char *fmt, const char *a,
		   unsigned long long x)
{
	return mw_diag_set(d, MW_EINVAL, "", 0, fmt, a, x);
}

static int check_nonzero(struct mw_diag *d, const char *key, uint64_t v)
{
	return v ? 0 : invalid(d, "%s must be at least 1 (is %llu)", key, v);
}

static int check_heads(struct mw_diag *d, uint64_t heads, uint64_t kv)
{
	if (check_nonzero(d, "heads", heads) ||
	    check_nonzero(d, "kv-heads", kv))
		return MW_EINVAL;
	if (heads % kv)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "kv-heads (%llu) must divide heads (%llu)",
				   (unsigned long long)kv,
				   (unsigned long long)heads);
	return 0;
}

static int check_split(struct mw_diag *d, uint32_t split, uint64_t k,
		       uint32_t bk)
{
	uint64_t kt = (k + bk - 1) / bk;

	if (!split)
		return invalid(d, "%s must be at least 1 (is %llu)", "split-k",
			       0);
	if (split > kt)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "split-k %u exceeds the %llu K tiles "
				   "(K / BK)",
				   split, (unsigned long long)kt);
	return 0;
}

static int validate_gemm(const struct mw_kparams *p, struct mw_diag *d)
{
	if (check_nonzero(d, "m", p->m) || check_nonzero(d, "n", p->n) ||
	    check_nonzero(d, "k", p->k))
		return MW_EINVAL;
	return check_split(d, p->split, p->k, p->bk);
}

static int validate_mlp(const struct mw_kparams *p, struct mw_diag *d)
{
	if (check_nonzero(d, "tokens", p->tokens) ||
	    check_nonzero(d, "hidden", p->hidden) ||
	    check_nonzero(d, "intermediate", p->inter))
		return MW_EINVAL;
	return 0;
}

static int validate_attn(const struct mw_kparams *p, struct mw_diag *d)
{
	if (check_nonzero(d, "batch", p->batch) ||
	    check_nonzero(d, "seq", p->seq) ||
	    check_nonzero(d, "head-dim", p->head_dim) ||
	    check_nonzero(d, "block-q", p->block_q) ||
	    check_nonzero(d, "block-kv", p->block_kv))
		return MW_EINVAL;
	return check_heads(d, p->heads, p->kv_heads);
}

static int validate_decode(const struct mw_kparams *p, struct mw_diag *d)
{
	uint64_t g;

	if (check_nonzero(d, "batch", p->batch) ||
	    check_nonzero(d, "kv-len", p->kv_len) ||
	    check_nonzero(d, "q-len", p->q_len) ||
	    check_nonzero(d, "head-dim", p->head_dim) ||
	    check_nonzero(d, "block-kv", p->block_kv) ||
	    check_nonzero(d, "splits", p->splits) ||
	    check_heads(d, p->heads, p->kv_heads))
		return MW_EINVAL;
	g = p->heads / p->kv_heads;
	if (p->hpc && g % p->hpc)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "heads-per-cta %u must divide "
				   "heads / kv-heads = %llu",
				   p->hpc, (unsigned long long)g);
	if (p->splits > (p->kv_len + p->block_kv - 1) / p->block_kv)
		return mw_diag_set(
			d, MW_EINVAL, "", 0,
			"splits %u exceeds the %llu KV "
			"blocks (kv-len / block-kv)",
			p->splits,
			(unsigned long long)((p->kv_len + p->block_kv - 1) /
					     p->block_kv));
	if (p->page &&
	    (p->batch * ((p->kv_len + p->page - 1) / p->page)) > PAGES_MAX)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "page-size: more than 2^26 pages "
				   "in the block table");
	return 0;
}

static int validate_layer(const struct mw_kparams *p, struct mw_diag *d)
{
	if (check_nonzero(d, "tokens", p->tokens) ||
	    check_nonzero(d, "block-q", p->block_q) ||
	    check_nonzero(d, "block-kv", p->block_kv))
		return MW_EINVAL;
	return 0;
}

/* ---- plan building --------------------------------------------------------- */

static int add_tensor(struct mw_plan *pl, const char *name, uint64_t bytes,
		      enum mw_role role, uint8_t *idx, uint64_t *base)
{
	uint64_t b = (pl->next + ALIGN - 1) / ALIGN * ALIGN;
	int t;

	if (!bytes)
		bytes = 1;
	t = mw_header_add_tensor(&pl->hdr, name, b, bytes);
	if (t < 0)
		return t;
	pl->role[t] = role;
	pl->need[t] = bytes;
	pl->next = b + bytes + ALIGN;
	*idx = (uint8_t)t;
	*base = b;
	return 0;
}

static struct mw_mat mat(uint8_t t, uint64_t base, uint64_t rows, uint64_t cols,
			 uint64_t ld, uint32_t e, bool colmajor)
{
	struct mw_mat m;

	memset(&m, 0, sizeof(m));
	m.tensor = t;
	m.base = base;
	m.rows = rows;
	m.cols = cols;
	m.ld = ld;
	m.e = e;
	m.colmajor = colmajor;
	m.hdiv = 1;
	return m;
}

static struct mw_phase *new_phase(struct mw_plan *pl, enum mw_phase_kind kind,
				  const char *name)
{
	struct mw_phase *p;

	if (pl->nphases >= MW_PHASES_MAX)
		return NULL;
	p = &pl->ph[pl->nphases++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->name = name;
	return p;
}

/* A GEMM phase with the kernel's tiling; b[0..nb-1] given. */
static struct mw_gemm_phase *gemm_phase(struct mw_plan *pl, const char *name,
					const struct mw_kparams *p, uint64_t m,
					uint64_t n, uint64_t k)
{
	struct mw_phase *ph = new_phase(pl, MW_PHASE_GEMM, name);
	struct mw_gemm_phase *g;

	if (!ph)
		return NULL;
	ph->persistent = p->persistent;
	g = &ph->u.g;
	g->m = m;
	g->n = n;
	g->k = k;
	g->bm = p->bm;
	g->bn = p->bn;
	g->bk = p->bk;
	g->order = p->order;
	g->split = 1;
	g->batch = 1;
	g->heads = 1;
	g->nb = 1;
	return g;
}

static uint32_t out_bytes(enum mw_dtype t)
{
	return t == MW_DTYPE_FP8 ? 2 : mw_dtype_bytes(t);
}

#define TRY(x)                                                                 \
	do {                                                                   \
		int err_ = (x);                                                \
		if (err_)                                                      \
			return err_;                                           \
	} while (0)
#define NEED(ptr)                                                              \
	do {                                                                   \
		if (!(ptr))                                                    \
			return MW_ERANGE;                                      \
	} while (0)

static int build_gemm(const struct mw_kparams *p, struct mw_plan *pl)
{
	uint32_t e = mw_dtype_bytes(p->dtype), ec = out_bytes(p->dtype);
	uint8_t ta, tb, tc, tw = 0;
	uint64_t ba, bb, bc, bw = 0;
	struct mw_gemm_phase *g;

	TRY(add_tensor(pl, "A", p->m * p->k * e, MW_ROLE_INPUT, &ta, &ba));
	TRY(add_tensor(pl, "B", p->k * p->n * e, MW_ROLE_INPUT, &tb, &bb));
	TRY(add_tensor(pl, "C", p->m * p->n * ec, MW_ROLE_OUTPUT, &tc, &bc));
	if (p->split > 1)
		TRY(add_tensor(pl, "C_partial", p->split * p->m * p->n * 4,
			       MW_ROLE_INTERMEDIATE, &tw, &bw));
	g = gemm_phase(pl, "gemm", p, p->m, p->n, p->k);
	NEED(g);
	g->a = mat(ta, ba, p->m, p->k, p->la_col ? p->m : p->k, e, p->la_col);
	g->b[0] =
		mat(tb, bb, p->k, p->n, p->lb_col ? p->k : p->n, e, p->lb_col);
	g->split = p->split;
	if (p->split == 1) {
		g->c = mat(tc, bc, p->m, p->n, p->n, ec, false);
	} else {
		struct mw_phase *r;

		g->c = mat(tw, bw, p->m, p->n, p->n, 4, false);
		g->slice_bytes = p->m * p->n * 4;
		r = new_phase(pl, MW_PHASE_ROWS, "split-k reduction");
		NEED(r);
		r->u.r.rows = p->m;
		r->u.r.cols = p->n;
		r->u.r.br = p->bm;
		r->u.r.bc = p->bn;
		r->u.r.nin = 1;
		r->u.r.in[0] = g->c;
		r->u.r.count[0] = p->split;
		r->u.r.slice_bytes[0] = g->slice_bytes;
		r->u.r.nout = 1;
		r->u.r.out[0] = mat(tc, bc, p->m, p->n, p->n, ec, false);
	}
	return 0;
}

/* SwiGLU MLP on x (given); writes y (created here). */
static int build_mlp_on(const struct mw_kparams *p, struct mw_plan *pl,
			struct mw_mat x, uint64_t t, uint64_t h, uint64_t in)
{
	uint32_t e = mw_dtype_bytes(p->dtype);
	uint8_t tw[2], tact, tdown, ty;
	uint64_t bw[2], bact, bdown, by;
	struct mw_gemm_phase *g;
	struct mw_mat wg, wu, act;

	if (!p->two) {
		TRY(add_tensor(pl, "W_gate_up", h * 2 * in * e, MW_ROLE_INPUT,
			       &tw[0], &bw[0]));
		wg = mat(tw[0], bw[0], h, in, 2 * in, e, false);
		wu = mat(tw[0], bw[0] + in * e, h, in, 2 * in, e, false);
	} else {
		TRY(add_tensor(pl, "W_gate", h * in * e, MW_ROLE_INPUT, &tw[0],
			       &bw[0]));
		TRY(add_tensor(pl, "W_up", h * in * e, MW_ROLE_INPUT, &tw[1],
			       &bw[1]));
		wg = mat(tw[0], bw[0], h, in, in, e, false);
		wu = mat(tw[1], bw[1], h, in, in, e, false);
	}
	if (p->fused) {
		TRY(add_tensor(pl, "act", t * in * e, MW_ROLE_INTERMEDIATE,
			       &tact, &bact));
		act = mat(tact, bact, t, in, in, e, false);
		g = gemm_phase(pl, "gate_up+silu", p, t, in, h);
		NEED(g);
		g->a = x;
		g->nb = 2;
		g->b[0] = wg;
		g->b[1] = wu;
		g->c = act;
	} else {
		struct mw_phase *r;
		struct mw_mat go, uo;

		if (!p->two) {
			uint8_t tgu;
			uint64_t bgu;

			TRY(add_tensor(pl, "gate_up", t * 2 * in * e,
				       MW_ROLE_INTERMEDIATE, &tgu, &bgu));
			g = gemm_phase(pl, "gate_up", p, t, 2 * in, h);
			NEED(g);
			g->a = x;
			g->b[0] =
				mat(tw[0], bw[0], h, 2 * in, 2 * in, e, false);
			g->c = mat(tgu, bgu, t, 2 * in, 2 * in, e, false);
			go = mat(tgu, bgu, t, in, 2 * in, e, false);
			uo = mat(tgu, bgu + in * e, t, in, 2 * in, e, false);
		} else {
			uint8_t tg, tu;
			uint64_t bg, bu;

			TRY(add_tensor(pl, "gate", t * in * e,
				       MW_ROLE_INTERMEDIATE, &tg, &bg));
			TRY(add_tensor(pl, "up", t * in * e,
				       MW_ROLE_INTERMEDIATE, &tu, &bu));
			go = mat(tg, bg, t, in, in, e, false);
			uo = mat(tu, bu, t, in, in, e, false);
			g = gemm_phase(pl, "gate", p, t, in, h);
			NEED(g);
			g->a = x;
			g->b[0] = wg;
			g->c = go;
			g = gemm_phase(pl, "up", p, t, in, h);
			NEED(g);
			g->a = x;
			g->b[0] = wu;
			g->c = uo;
		}
		TRY(add_tensor(pl, "act", t * in * e, MW_ROLE_INTERMEDIATE,
			       &tact, &bact));
		act = mat(tact, bact, t, in, in, e, false);
		r = new_phase(pl, MW_PHASE_ROWS, "silu*mul");
		NEED(r);
		r->u.r.rows = t;
		r->u.r.cols = in;
		r->u.r.br = 1;
		r->u.r.bc = (uint32_t)(in < (1u << 24) ? in : (1u << 24));
		r->u.r.nin = 2;
		r->u.r.in[0] = go;
		r->u.r.in[1] = uo;
		r->u.r.count[0] = r->u.r.count[1] = 1;
		r->u.r.nout = 1;
		r->u.r.out[0] = act;
	}
	TRY(add_tensor(pl, "W_down", in * h * e, MW_ROLE_INPUT, &tdown,
		       &bdown));
	TRY(add_tensor(pl, "y", t * h * e, MW_ROLE_OUTPUT, &ty, &by));
	g = gemm_phase(pl, "down", p, t, h, in);
	NEED(g);
	g->a = act;
	g->b[0] = mat(tdown, bdown, in, h, h, e, false);
	g->c = mat(ty, by, t, h, h, e, false);
	return 0;
}

static int build_mlp(const struct mw_kparams *p, struct mw_plan *pl)
{
	uint32_t e = mw_dtype_bytes(p->dtype);
	uint8_t tx;
	uint64_t bx;

	TRY(add_tensor(pl, "x", p->tokens * p->hidden * e, MW_ROLE_INPUT, &tx,
		       &bx));
	return build_mlp_on(
		p, pl, mat(tx, bx, p->tokens, p->hidden, p->hidden, e, false),
		p->tokens, p->hidden, p->inter);
}

/* A [*, tokens, heads, d] view: rows tokens, cols d. */
static struct mw_mat head_view(uint8_t t, uint64_t base, uint64_t tokens,
			       uint64_t ld, uint64_t d, uint32_t e,
			       uint64_t bstride, uint32_t hdiv)
{
	struct mw_mat m = mat(t, base, tokens, d, ld, e, false);

	m.bstride = bstride;
	m.hstride = d * e;
	m.hdiv = hdiv;
	return m;
}

static int flash_phase(struct mw_plan *pl, const struct mw_kparams *p,
		       uint64_t batch, uint64_t heads, uint64_t kvh,
		       uint64_t nq, uint64_t nk, uint64_t d, struct mw_mat q,
		       struct mw_mat k, struct mw_mat v, struct mw_mat o)
{
	struct mw_phase *ph = new_phase(pl, MW_PHASE_FLASH, "flash");
	struct mw_flash_phase *f;
	uint8_t tl;
	uint64_t bl;

	NEED(ph);
	f = &ph->u.f;
	TRY(add_tensor(pl, "LSE", batch * heads * nq * 4, MW_ROLE_OUTPUT, &tl,
		       &bl));
	f->batch = batch;
	f->heads = heads;
	f->kv_heads = kvh;
	f->nq = nq;
	f->nk = nk;
	f->d = d;
	f->br = p->block_q;
	f->bc = p->block_kv;
	f->causal = p->causal;
	memcpy(f->perm, p->perm, 3);
	f->q = q;
	f->k = k;
	f->v = v;
	f->o = o;
	f->lse = mat(tl, bl, nq, 1, nq, 4, true); /* contiguous rows */
	f->lse.bstride = heads * nq * 4;
	f->lse.hstride = nq * 4;
	return 0;
}

static int build_attn(const struct mw_kparams *p, struct mw_plan *pl)
{
	uint32_t e = mw_dtype_bytes(p->dtype);
	uint64_t b = p->batch, h = p->heads, hk = p->kv_heads, d = p->head_dim;
	uint64_t nq = p->seq, nk = p->kv_seq ? p->kv_seq : p->seq;
	uint32_t g = (uint32_t)(h / hk);
	uint8_t tq, tk, tv, to;
	uint64_t bq, bk, bv, bo;
	struct mw_mat q, k, v, o;

	TRY(add_tensor(pl, "Q", b * nq * h * d * e, MW_ROLE_INPUT, &tq, &bq));
	TRY(add_tensor(pl, "K", b * nk * hk * d * e, MW_ROLE_INPUT, &tk, &bk));
	TRY(add_tensor(pl, "V", b * nk * hk * d * e, MW_ROLE_INPUT, &tv, &bv));
	TRY(add_tensor(pl, "O", b * nq * h * d * e, MW_ROLE_OUTPUT, &to, &bo));
	q = head_view(tq, bq, nq, h * d, d, e, nq * h * d * e, 1);
	k = head_view(tk, bk, nk, hk * d, d, e, nk * hk * d * e, g);
	v = head_view(tv, bv, nk, hk * d, d, e, nk * hk * d * e, g);
	o = head_view(to, bo, nq, h * d, d, e, nq * h * d * e, 1);
	if (!p->naive)
		return flash_phase(pl, p, b, h, hk, nq, nk, d, q, k, v, o);
	{
		uint8_t ts, tp;
		uint64_t bs, bp;
		struct mw_gemm_phase *gp;
		struct mw_phase *r;
		struct mw_mat s, pm, kt;

		TRY(add_tensor(pl, "S", b * h * nq * nk * 4,
			       MW_ROLE_INTERMEDIATE, &ts, &bs));
		TRY(add_tensor(pl, "P", b * h * nq * nk * e,
			       MW_ROLE_INTERMEDIATE, &tp, &bp));
		s = mat(ts, bs, nq, nk, nk, 4, false);
		s.bstride = h * nq * nk * 4;
		s.hstride = nq * nk * 4;
		pm = mat(tp, bp, nq, nk, nk, e, false);
		pm.bstride = h * nq * nk * e;
		pm.hstride = nq * nk * e;
		/* K^T as a d x Nk column-major operand */
		kt = mat(tk, bk, d, nk, hk * d, e, true);
		kt.bstride = k.bstride;
		kt.hstride = k.hstride;
		kt.hdiv = g;
		gp = gemm_phase(pl, "S=QK^T", p, nq, nk, d);
		NEED(gp);
		gp->batch = b;
		gp->heads = h;
		gp->a = q;
		gp->b[0] = kt;
		gp->c = s;
		r = new_phase(pl, MW_PHASE_ROWS, "softmax");
		NEED(r);
		r->u.r.rows = b * h * nq;
		r->u.r.cols = nk;
		r->u.r.br = 1;
		r->u.r.bc = (uint32_t)(nk < (1u << 24) ? nk : (1u << 24));
		r->u.r.nin = 1;
		r->u.r.in[0] = mat(ts, bs, b * h * nq, nk, nk, 4, false);
		r->u.r.count[0] = 1;
		r->u.r.nout = 1;
		r->u.r.out[0] = mat(tp, bp, b * h * nq, nk, nk, e, false);
		gp = gemm_phase(pl, "O=PV", p, nq, d, nk);
		NEED(gp);
		gp->batch = b;
		gp->heads = h;
		gp->a = pm;
		gp->b[0] = v;
		gp->c = o;
	}
	return 0;
}

static int build_decode(const struct mw_kparams *p, struct mw_plan *pl)
{
	uint32_t e = mw_dtype_bytes(p->dtype);
	uint64_t b = p->batch, h = p->heads, hk = p->kv_heads, d = p->head_dim;
	uint64_t L = p->kv_len, ql = p->q_len;
	struct mw_phase *ph = new_phase(pl, MW_PHASE_DECODE, "decode");
	struct mw_decode_phase *dc;
	uint8_t tq, to;
	uint64_t bq, bo, pool, kvbytes;

	NEED(ph);
	dc = &ph->u.dc;
	dc->batch = b;
	dc->heads = h;
	dc->kv_heads = hk;
	dc->kv_len = L;
	dc->q_len = ql;
	dc->d = d;
	dc->e = e;
	dc->splits = p->splits;
	dc->page = p->page;
	dc->hpc = p->hpc ? p->hpc : (uint32_t)(h / hk);
	dc->bc = p->block_kv;
	dc->pages_per_seq = p->page ? (L + p->page - 1) / p->page : 0;
	pool = p->page ? b * dc->pages_per_seq * p->page : b * L;
	kvbytes = pool * hk * d * e;
	TRY(add_tensor(pl, "Q", b * ql * h * d * e, MW_ROLE_INPUT, &tq, &bq));
	TRY(add_tensor(pl, "K_cache", kvbytes, MW_ROLE_INPUT, &dc->k_t,
		       &dc->k_base));
	pl->need[dc->k_t] = b * L * hk * d * e;
	TRY(add_tensor(pl, "V_cache", kvbytes, MW_ROLE_INPUT, &dc->v_t,
		       &dc->v_base));
	pl->need[dc->v_t] = b * L * hk * d * e;
	if (p->page && !pl->no_table) {
		struct mw_rng rng;
		uint64_t i, n = b * dc->pages_per_seq;

		TRY(add_tensor(pl, "block_table", n * 4, MW_ROLE_INPUT,
			       &dc->bt_t, &dc->bt_base));
		pl->table = mw_calloc(n, sizeof(*pl->table));
		if (!pl->table)
			return MW_ENOMEM;
		for (i = 0; i < n; i++)
			pl->table[i] = (uint32_t)i;
		mw_rng_seed(&rng, p->seed);
		for (i = n; i > 1; i--) {
			uint64_t j = mw_rng_below(&rng, i);
			uint32_t t = pl->table[i - 1];

			pl->table[i - 1] = pl->table[j];
			pl->table[j] = t;
		}
		dc->table = pl->table;
	}
	TRY(add_tensor(pl, "O", b * ql * h * d * e, MW_ROLE_OUTPUT, &to, &bo));
	dc->q = mat(tq, bq, b * ql, h * d, h * d, e, false);
	dc->o = mat(to, bo, b * ql, h * d, h * d, e, false);
	if (p->splits > 1) {
		uint8_t toa, tla;
		uint64_t boa, bla, rows = p->splits * b * ql;
		struct mw_phase *r;

		TRY(add_tensor(pl, "O_accum", rows * h * d * 4,
			       MW_ROLE_INTERMEDIATE, &toa, &boa));
		TRY(add_tensor(pl, "LSE_accum", rows * h * 4,
			       MW_ROLE_INTERMEDIATE, &tla, &bla));
		dc->oacc = mat(toa, boa, rows, h * d, h * d, 4, false);
		dc->lacc = mat(tla, bla, rows, h, h, 4, false);
		/* dc may move? no: phases are in a fixed array */
		r = new_phase(pl, MW_PHASE_ROWS, "combine");
		NEED(r);
		r->u.r.rows = b * ql;
		r->u.r.cols = h * d;
		r->u.r.br = 1;
		r->u.r.bc = (uint32_t)(h * d);
		r->u.r.nin = 2;
		r->u.r.in[0] = mat(toa, boa, b * ql, h * d, h * d, 4, false);
		r->u.r.count[0] = p->splits;
		r->u.r.slice_bytes[0] = b * ql * h * d * 4;
		r->u.r.in[1] = mat(tla, bla, b * ql, h, h, 4, false);
		r->u.r.count[1] = p->splits;
		r->u.r.slice_bytes[1] = b * ql * h * 4;
		r->u.r.nout = 1;
		r->u.r.out[0] = dc->o;
	}
	return 0;
}

static int build_layer(const struct mw_kparams *p, struct mw_plan *pl)
{
	const struct model_preset *mp = p->model;
	uint32_t e = mw_dtype_bytes(p->dtype);
	uint64_t t = p->tokens, hid = mp->hidden, h = mp->heads;
	uint64_t hk = mp->kv_heads, d = mp->head_dim, w = (h + 2 * hk) * d;
	uint32_t g = (uint32_t)(h / hk);
	uint8_t tx, twq, tqkv, tat, two, th;
	uint64_t bx, bwq, bqkv, bat, bwo, bh;
	struct mw_gemm_phase *gp;
	struct mw_mat qkv, hm;
	struct mw_kparams lp = *p;

	lp.causal = true;
	lp.perm[0] = 0;
	lp.perm[1] = 1;
	lp.perm[2] = 2;
	TRY(add_tensor(pl, "x", t * hid * e, MW_ROLE_INPUT, &tx, &bx));
	TRY(add_tensor(pl, "W_qkv", hid * w * e, MW_ROLE_INPUT, &twq, &bwq));
	TRY(add_tensor(pl, "qkv", t * w * e, MW_ROLE_INTERMEDIATE, &tqkv,
		       &bqkv));
	TRY(add_tensor(pl, "attn", t * h * d * e, MW_ROLE_INTERMEDIATE, &tat,
		       &bat));
	gp = gemm_phase(pl, "qkv", &lp, t, w, hid);
	NEED(gp);
	gp->a = mat(tx, bx, t, hid, hid, e, false);
	gp->b[0] = mat(twq, bwq, hid, w, w, e, false);
	gp->c = qkv = mat(tqkv, bqkv, t, w, w, e, false);
	TRY(flash_phase(pl, &lp, 1, h, hk, t, t, d,
			head_view(tqkv, bqkv, t, w, d, e, 0, 1),
			head_view(tqkv, bqkv + h * d * e, t, w, d, e, 0, g),
			head_view(tqkv, bqkv + (h + hk) * d * e, t, w, d, e, 0,
				  g),
			head_view(tat, bat, t, h * d, d, e, 0, 1)));
	TRY(add_tensor(pl, "W_o", h * d * hid * e, MW_ROLE_INPUT, &two, &bwo));
	TRY(add_tensor(pl, "h", t * hid * e, MW_ROLE_INTERMEDIATE, &th, &bh));
	gp = gemm_phase(pl, "o_proj", &lp, t, hid, h * d);
	NEED(gp);
	gp->a = mat(tat, bat, t, h * d, h * d, e, false);
	gp->b[0] = mat(two, bwo, h * d, hid, hid, e, false);
	gp->c = hm = mat(th, bh, t, hid, hid, e, false);
	(void)qkv;
	return build_mlp_on(&lp, pl, hm, t, hid, mp->intermediate);
}

void mw_plan_free(struct mw_plan *pl)
{
	mw_header_free(&pl->hdr);
	mw_free(pl->table);
	pl->table = NULL;
}

static int validate_basic(const struct mw_kernel *k, struct mw_diag *d);

/* Per-launch limits: one step's records fit a 64 MiB buffer, steps per
   CTA fit 31 bits, the grid 2^48 CTAs. */
static int check_limits(const struct mw_plan *pl, struct mw_diag *d)
{
	uint32_t i;

	for (i = 0; i < pl->nphases; i++) {
		const struct mw_phase *ph = &pl->ph[i];
		struct mw_sched_work w;
		uint64_t steps = 0;

		mw_phase_work(ph, &w);
		if (ph->kind == MW_PHASE_GEMM)
			steps = ph->u.g.kt;
		else if (ph->kind == MW_PHASE_FLASH)
			steps = ph->u.f.tcn;
		else if (ph->kind == MW_PHASE_DECODE)
			steps = ph->u.dc.kv_len / ph->u.dc.bc;
		if (w.max_step_records > MAX_STEP_RECORDS)
			return mw_diag_set(d, MW_EINVAL, "", 0,
					   "tile too large: one step of "
					   "'%s' holds %zu records (at most "
					   "%u)",
					   ph->name, w.max_step_records,
					   MAX_STEP_RECORDS);
		if (steps > ((uint64_t)1 << 31) || w.items > FOOTPRINT_MAX)
			return mw_diag_set(d, MW_EINVAL, "", 0,
					   "tile too small: '%s' has too many "
					   "steps per CTA or CTAs",
					   ph->name);
	}
	return 0;
}

static int build_plan(const struct mw_kernel *k, struct mw_plan *pl,
		      bool with_table, struct mw_diag *d)
{
	struct mw_kparams p;
	uint32_t i;
	int err;

	memset(pl, 0, sizeof(*pl));
	mw_header_init(&pl->hdr);
	pl->next = FIRST_BASE;
	pl->no_table = !with_table;
	parse_all(k, &p);
	err = validate_basic(k, d);
	if (err)
		return err;
	err = k->ops->build(&p, pl);
	if (err == MW_ERANGE)
		err = mw_diag_set(d, MW_EINVAL, "", 0,
				  "too many tensors or launches");
	else if (err)
		err = mw_diag_set(d, err, "", 0, "cannot build %s: %s",
				  k->ops->name, mw_strerror(err));
	for (i = 0; !err && i < pl->nphases; i++)
		if (mw_phase_prepare(&pl->ph[i]))
			err = mw_diag_set(d, MW_EINVAL, "", 0,
					  "invalid launch '%s'",
					  pl->ph[i].name);
	if (!err)
		err = check_limits(pl, d);
	if (err)
		mw_plan_free(pl);
	return err;
}

int mw_plan_build(const struct mw_kernel *k, struct mw_plan *pl,
		  struct mw_diag *d)
{
	return build_plan(k, pl, true, d);
}

/* Footprints (all tensors) in bytes, as doubles to survive overflow. */
static double footprint_gemm(const struct mw_kparams *p)
{
	double e = mw_dtype_bytes(p->dtype);

	return e * ((double)p->m * (double)p->k + (double)p->k * (double)p->n) +
	       (double)p->m * (double)p->n * (4.0 * p->split + e);
}

static double footprint_mlp(const struct mw_kparams *p)
{
	double e = mw_dtype_bytes(p->dtype);

	return e * ((double)p->tokens * (double)p->hidden * 2 +
		    (double)p->hidden * (double)p->inter * 3 +
		    (double)p->tokens * (double)p->inter * 3);
}

static double footprint_attn(const struct mw_kparams *p)
{
	double e = mw_dtype_bytes(p->dtype);
	double nk = (double)(p->kv_seq ? p->kv_seq : p->seq);
	double tok = (double)p->batch * (double)p->head_dim;
	double f = tok * e *
		   ((double)p->seq * (double)p->heads * 2 +
		    nk * (double)p->kv_heads * 2);

	if (p->naive)
		f += (double)p->batch * (double)p->heads * (double)p->seq * nk *
		     (4 + e);
	return f;
}

static double footprint_decode(const struct mw_kparams *p)
{
	double e = mw_dtype_bytes(p->dtype);
	double tok = (double)p->batch * (double)(p->kv_len + p->page);

	return tok * (double)p->kv_heads * (double)p->head_dim * e * 2 +
	       (double)p->splits * (double)p->batch * (double)p->q_len *
		       (double)p->heads * ((double)p->head_dim + 1) * 4;
}

static double footprint_layer(const struct mw_kparams *p)
{
	double e = mw_dtype_bytes(p->dtype);
	const struct model_preset *mp = p->model;

	return e * (double)p->tokens *
		       (double)(mp->hidden * 4 + mp->intermediate * 3 +
				mp->heads * mp->head_dim * 3) +
	       e * (double)mp->hidden *
		       (double)(mp->intermediate * 3 +
				mp->heads * mp->head_dim * 4);
}

static int validate_basic(const struct mw_kernel *k, struct mw_diag *d)
{
	struct mw_kparams p;
	double f;
	int err;

	parse_all(k, &p);
	err = k->ops->validate(&p, d);
	if (err)
		return err;
	f = k->ops->footprint(&p);
	if (f > (double)FOOTPRINT_MAX)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "footprint %.3g bytes exceeds 2^48 "
				   "(sizes too large)",
				   f);
	return 0;
}

int mw_kernel_validate(const struct mw_kernel *k, struct mw_diag *d)
{
	struct mw_plan pl;
	int err = build_plan(k, &pl, false, d);

	if (!err)
		mw_plan_free(&pl);
	return err;
}

/* ---- the stream ------------------------------------------------------------ */

struct kstream {
	struct mw_stream base;
	struct mw_plan plan;
	struct mw_sched *sched;
	const struct mw_access *pend;
	size_t npend;
};

static long kstream_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	struct kstream *ks = (struct kstream *)s;
	size_t n = 0;

	while (n < cap) {
		size_t take;

		if (!ks->npend) {
			ks->npend = mw_sched_next(ks->sched, &ks->pend);
			if (!ks->npend)
				break;
		}
		take = ks->npend < cap - n ? ks->npend : cap - n;
		memcpy(buf + n, ks->pend, take * sizeof(*buf));
		ks->pend += take;
		ks->npend -= take;
		n += take;
	}
	return (long)n;
}

static void kstream_destroy(struct mw_stream *s)
{
	struct kstream *ks = (struct kstream *)s;

	mw_sched_destroy(ks->sched);
	mw_plan_free(&ks->plan);
	mw_free(ks);
}

static const struct mw_stream_ops kstream_ops = {"kernel", kstream_read,
						 kstream_destroy};

uint32_t mw_kernel_ctas_per_unit(const struct mw_kernel *k,
				 const struct mw_sched_cfg *cfg)
{
	struct mw_kparams p;

	parse_all(k, &p);
	return p.cpu ? p.cpu : cfg->ctas_per_unit;
}

struct mw_stream *mw_kernel_stream(const struct mw_kernel *k,
				   const struct mw_sched_cfg *cfg,
				   struct mw_diag *d)
{
	struct kstream *ks = mw_calloc(1, sizeof(*ks));
	struct mw_sched_work works[MW_PHASES_MAX];
	struct mw_sched_cfg c = *cfg;
	char *prov;
	uint32_t i;

	if (!ks) {
		mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		return NULL;
	}
	mw_stream_init(&ks->base, &kstream_ops);
	if (mw_plan_build(k, &ks->plan, d)) {
		mw_header_free(&ks->base.hdr);
		mw_free(ks);
		return NULL;
	}
	c.ctas_per_unit = mw_kernel_ctas_per_unit(k, cfg);
	for (i = 0; i < ks->plan.nphases; i++)
		mw_phase_work(&ks->plan.ph[i], &works[i]);
	ks->sched = mw_sched_create(&c, works, ks->plan.nphases, d);
	prov = mw_kernel_describe(k, &c);
	if (!ks->sched || !prov ||
	    mw_header_copy(&ks->base.hdr, &ks->plan.hdr) ||
	    mw_header_set_provenance(&ks->base.hdr, prov)) {
		if (ks->sched)
			mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		mw_free(prov);
		mw_stream_destroy(&ks->base);
		return NULL;
	}
	mw_free(prov);
	ks->base.hdr.units = c.units;
	return &ks->base;
}

/* ---- the kernel table ------------------------------------------------------ */

static const struct mw_kernel_ops gemm_ops = {
	"gemm",	       "C = A x B with tiling, rasterization and split-K",
	gemm_params,   "--m 8192 --n 8192 --k 8192 --order grouped:8",
	validate_gemm, footprint_gemm,
	build_gemm};
static const struct mw_kernel_ops mlp_ops = {
	"mlp",	      "SwiGLU MLP: gate/up, activation, down projection",
	mlp_params,   "--tokens 8192 --fused no --gate-up two",
	validate_mlp, footprint_mlp,
	build_mlp};
static const struct mw_kernel_ops attn_ops = {
	"attention",   "attention prefill: FlashAttention-2 or naive",
	attn_params,   "--seq 8192 --heads 32 --kv-heads 8 --causal yes",
	validate_attn, footprint_attn,
	build_attn};
static const struct mw_kernel_ops decode_ops = {"decode",
						"attention decode: GQA "
						"packing, split-KV, paged KV "
						"cache",
						decode_params,
						"--batch 16 --kv-len 32768 "
						"--splits 4 --page-size 16",
						validate_decode,
						footprint_decode,
						build_decode};
static const struct mw_kernel_ops layer_ops = {
	"layer",	"transformer layer: QKV, attention, O projection, MLP",
	layer_params,	"--model llama-3-70b --tokens 8192",
	validate_layer, footprint_layer,
	build_layer};

const struct mw_kernel_ops *const mw_kernels[] = {&gemm_ops,  &mlp_ops,
						  &attn_ops,  &decode_ops,
						  &layer_ops, &mw_stream_ops,
						  NULL};

/* For kernels in their own files (kernel_int.h). */
int mw_plan_tensor(struct mw_plan *pl, const char *name, uint64_t bytes,
		   enum mw_role role, uint8_t *idx, uint64_t *base)
{
	return add_tensor(pl, name, bytes, role, idx, base);
}

struct mw_mat mw_plan_mat(uint8_t t, uint64_t base, uint64_t rows,
			  uint64_t cols, uint64_t ld, uint32_t e)
{
	return mat(t, base, rows, cols, ld, e, false);
}

struct mw_phase *mw_plan_phase(struct mw_plan *pl, enum mw_phase_kind kind,
			       const char *name)
{
	return new_phase(pl, kind, name);
}

const struct mw_stream_kp *mw_kparams_stream(const struct mw_kparams *p,
					     enum mw_dtype *dtype,
					     uint32_t *ctas_per_unit)
{
	*dtype = p->dtype;
	*ctas_per_unit = p->cpu;
	return &p->stream;
}
