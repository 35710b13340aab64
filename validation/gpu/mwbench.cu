/*
 * mwbench.cu - the GPU kernels memwall is validated against, one driver.
 *
 *   mwbench gemm --m M --n N --k K [--dtype fp16|bf16] [--tile BMxBNxBK]
 *                [--order row|col|grouped:G]
 *   mwbench attention --batch B --heads H [--kv-heads HKV] --seq NQ
 *                [--kv-seq NK] --head-dim D [--causal] [--block-q BR]
 *                [--block-kv BC] [--dtype fp16|bf16]
 *   mwbench decode --batch B --heads H [--kv-heads HKV] --kv-len L
 *                [--head-dim D] [--splits S] [--dtype fp16|bf16]
 *   mwbench copy --bytes N
 * and, for every kernel: --check (compare with a host reference; use small
 * shapes), --reps R (launch the kernel R times, default 1), --launches
 * (print the number of kernel launches per repetition and exit, no GPU
 * needed), --list (print the compiled tile sets and exit).
 *
 * The option names are those of `memwall run`, so a row of cases.txt is
 * both a measurement here and a prediction there.
 *
 * Notes (what the kernels do, so the model can do the same):
 *  - Kernels whose names start with mwk_ are the measured ones (ncu runs
 *    with -k regex:^mwk_).  Inputs are filled on the host and copied, so
 *    no other kernel runs.
 *  - GEMM: C[M,N] = A[M,K] B[K,N], all row-major, inputs and C in --dtype,
 *    fp32 accumulation.  A 1-D grid of cdiv(M,BM) x cdiv(N,BN) CTAs of 256
 *    threads; blockIdx.x = pid is mapped to the tile (pid_m, pid_n) by
 *    --order: row: pid_m = pid / grid_n, pid_n = pid % grid_n; col:
 *    pid_m = pid % grid_m, pid_n = pid / grid_m; grouped:G is Triton's
 *    GROUP_SIZE_M = G mapping (kernels.md section 2).  Each CTA walks K in
 *    steps of BK, loading the BM x BK tile of A and the BK x BN tile of B
 *    into shared memory (plain loads, no tensor cores, no TMA), and writes
 *    its BM x BN tile of C once.
 *  - Attention: Q, O [B, H, NQ, D]; K, V [B, HKV, NK, D] (head-major, rows
 *    of D contiguous), LSE fp32 [B, H, NQ].  FlashAttention-2 order: grid
 *    (cdiv(NQ,BR), B, H), blockIdx.x (the query block) fastest; a CTA of
 *    BR threads (one query row each) loads its Q block once, walks KV
 *    blocks of BC rows in reverse, n_block_max-1 down to 0, with
 *    n_block_max = min(cdiv(NK,BC), cdiv((m+1) BR + NK - NQ, BC)) when
 *    causal (key j visible to query i iff j <= i + NK - NQ), writes its O
 *    block and LSE once.  KV head = h / (H / HKV).
 *  - Decode (one query token): grid (S, HKV, B); the CTA of split s
 *    streams keys [s c, min((s+1) c, L)) with c = cdiv(L, S) of one KV
 *    head once for all H/HKV query heads of its group (FA2's
 *    seqlenq_ngroups_swapped).  S = 1 writes O [B, H, D] in --dtype
 *    directly; S > 1 writes fp32 partials O_accum [S, B, H, D] and
 *    LSE_accum [S, B, H], then mwk_decode_combine (one CTA per (b, h))
 *    reads them and writes O.  H / HKV <= 8.
 *  - Copy: dst = src over N bytes (a multiple of 16) with 16-byte loads
 *    and stores in a grid-stride loop: N read, N written.
 */
#ifdef MW_EMU /* the kernels on the CPU, for emu-check.sh */
#include "emu.h"
#else
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#define MW_DYNAMIC_SMEM(type, name) extern __shared__ type name[]
#define MW_LAUNCH(k, g, b, s, ...) k<<<g, b, s>>>(__VA_ARGS__)
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#define CK(x)                                                                 \
	do {                                                                  \
		cudaError_t e_ = (x);                                         \
		if (e_ != cudaSuccess) {                                      \
			fprintf(stderr, "mwbench: %s: %s\n", #x,              \
				cudaGetErrorString(e_));                      \
			exit(2);                                              \
		}                                                             \
	} while (0)

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mwbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(64);
}

/* ---- element types ------------------------------------------------------ */

__host__ __device__ static inline float to_f(__half x)
{
	return __half2float(x);
}
__host__ __device__ static inline float to_f(__nv_bfloat16 x)
{
	return __bfloat162float(x);
}
template <typename T> __host__ __device__ static inline T from_f(float x);
template <> __host__ __device__ inline __half from_f<__half>(float x)
{
	return __float2half(x);
}
template <>
__host__ __device__ inline __nv_bfloat16 from_f<__nv_bfloat16>(float x)
{
	return __float2bfloat16(x);
}

/* ---- GEMM ----------------------------------------------------------------- */

enum order { ORDER_ROW, ORDER_COL, ORDER_GROUPED };

__device__ static inline void tile_of(int pid, int grid_m, int grid_n,
				      int order, int group, int *pm, int *pn)
{
	if (order == ORDER_ROW) {
		*pm = pid / grid_n;
		*pn = pid % grid_n;
	} else if (order == ORDER_COL) {
		*pm = pid % grid_m;
		*pn = pid / grid_m;
	} else {
		int in_group = group * grid_n;
		int group_id = pid / in_group;
		int first_m = group_id * group;
		int size_m = min(grid_m - first_m, group);

		*pm = first_m + (pid % size_m);
		*pn = (pid % in_group) / size_m;
	}
}

#define GEMM_THREADS 256

template <typename T, int BM, int BN, int BK>
__global__ void __launch_bounds__(GEMM_THREADS)
	mwk_gemm(const T *__restrict__ A, const T *__restrict__ B,
		 T *__restrict__ C, int M, int N, int K, int order, int group)
{
	constexpr int TM = BM / 16, TN = BN / 16;
	__shared__ T As[BM][BK];
	__shared__ T Bs[BK][BN];
	int grid_m = (M + BM - 1) / BM, grid_n = (N + BN - 1) / BN;
	int pm, pn, tid = threadIdx.x, ty = tid / 16, tx = tid % 16;
	float acc[TM][TN];

	tile_of(blockIdx.x, grid_m, grid_n, order, group, &pm, &pn);
	int m0 = pm * BM, n0 = pn * BN;
#pragma unroll
	for (int i = 0; i < TM; i++)
#pragma unroll
		for (int j = 0; j < TN; j++)
			acc[i][j] = 0.f;
	for (int k0 = 0; k0 < K; k0 += BK) {
		for (int idx = tid; idx < BM * BK; idx += GEMM_THREADS) {
			int r = idx / BK, c = idx % BK;
			int gm = m0 + r, gk = k0 + c;

			As[r][c] = gm < M && gk < K ? A[(size_t)gm * K + gk]
						    : from_f<T>(0.f);
		}
		for (int idx = tid; idx < BK * BN; idx += GEMM_THREADS) {
			int r = idx / BN, c = idx % BN;
			int gk = k0 + r, gn = n0 + c;

			Bs[r][c] = gk < K && gn < N ? B[(size_t)gk * N + gn]
						    : from_f<T>(0.f);
		}
		__syncthreads();
#pragma unroll 4
		for (int kk = 0; kk < BK; kk++) {
			float a[TM], b[TN];
#pragma unroll
			for (int i = 0; i < TM; i++)
				a[i] = to_f(As[ty + 16 * i][kk]);
#pragma unroll
			for (int j = 0; j < TN; j++)
				b[j] = to_f(Bs[kk][tx + 16 * j]);
#pragma unroll
			for (int i = 0; i < TM; i++)
#pragma unroll
				for (int j = 0; j < TN; j++)
					acc[i][j] += a[i] * b[j];
		}
		__syncthreads();
	}
#pragma unroll
	for (int i = 0; i < TM; i++)
#pragma unroll
		for (int j = 0; j < TN; j++) {
			int gm = m0 + ty + 16 * i, gn = n0 + tx + 16 * j;

			if (gm < M && gn < N)
				C[(size_t)gm * N + gn] = from_f<T>(acc[i][j]);
		}
}

typedef void (*gemm_launch_fn)(const void *, const void *, void *, int, int,
			       int, int, int);

template <typename T, int BM, int BN, int BK>
static void gemm_launch(const void *A, const void *B, void *C, int M, int N,
			int K, int order, int group)
{
	unsigned grid = (unsigned)(((M + BM - 1) / BM) * ((N + BN - 1) / BN));

	auto k = mwk_gemm<T, BM, BN, BK>;

	MW_LAUNCH(k, dim3(grid), dim3(GEMM_THREADS), 0, (const T *)A,
		  (const T *)B, (T *)C, M, N, K, order, group);
}

struct gemm_tile {
	int bm, bn, bk;
	gemm_launch_fn fp16, bf16;
};

#define GEMM_TILE(BM, BN, BK)                                                 \
	{                                                                     \
		BM, BN, BK, gemm_launch<__half, BM, BN, BK>,                  \
			gemm_launch<__nv_bfloat16, BM, BN, BK>                \
	}

static const gemm_tile gemm_tiles[] = {
	GEMM_TILE(64, 64, 32),	 GEMM_TILE(64, 64, 64),
	GEMM_TILE(128, 64, 32),	 GEMM_TILE(64, 128, 32),
	GEMM_TILE(128, 128, 32), GEMM_TILE(128, 128, 64),
	GEMM_TILE(256, 128, 32), GEMM_TILE(128, 256, 32),
};

/* ---- attention forward ---------------------------------------------------- */

template <typename T, int D, int BR, int BC>
__global__ void __launch_bounds__(BR)
	mwk_attn_fwd(const T *__restrict__ Q, const T *__restrict__ Kc,
		     const T *__restrict__ Vc, T *__restrict__ O,
		     float *__restrict__ LSE, int H, int HKV, int NQ, int NK,
		     int causal, float scale)
{
	MW_DYNAMIC_SMEM(float4, smem_raw);
	float *Qs = (float *)smem_raw;	  /* [D][BR], transposed */
	T *Ks = (T *)(Qs + D * BR);	  /* [BC][D] */
	T *Vs = Ks + BC * D;		  /* [BC][D] */
	T *Os = (T *)Qs;		  /* [BR][D + 2] after the loop */
	int m = blockIdx.x, b = blockIdx.y, h = blockIdx.z, t = threadIdx.x;
	int hk = h / (H / HKV);
	const T *q = Q + (((size_t)b * H + h) * NQ + (size_t)m * BR) * D;
	const T *k = Kc + ((size_t)b * HKV + hk) * NK * D;
	const T *v = Vc + ((size_t)b * HKV + hk) * NK * D;
	int rows = min(BR, NQ - m * BR);
	int nblocks = (NK + BC - 1) / BC, nmax = nblocks;
	float o[D], mx = -INFINITY, l = 0.f;

	if (causal) {
		long lim = (long)(m + 1) * BR + NK - NQ;

		nmax = lim <= 0 ? 0 : (int)min((long)nblocks, (lim + BC - 1) / BC);
	}
	for (int idx = t; idx < BR * D; idx += BR) {
		int r = idx / D, c = idx % D;

		Qs[c * BR + r] = r < rows ? to_f(q[(size_t)r * D + c]) : 0.f;
	}
#pragma unroll
	for (int c = 0; c < D; c++)
		o[c] = 0.f;
	int qi = m * BR + t; /* this thread's query row */
	for (int nb = nmax - 1; nb >= 0; nb--) {
		int j0 = nb * BC, kr = min(BC, NK - j0);

		__syncthreads();
		for (int idx = t; idx < BC * D; idx += BR) {
			int r = idx / D;

			Ks[idx] = r < kr ? k[(size_t)j0 * D + idx] : from_f<T>(0.f);
			Vs[idx] = r < kr ? v[(size_t)j0 * D + idx] : from_f<T>(0.f);
		}
		__syncthreads();
		if (t >= rows)
			continue;
		for (int j = 0; j < kr; j++) {
			float s = 0.f, p;

			if (causal && j0 + j > qi + NK - NQ)
				break;
#pragma unroll
			for (int c = 0; c < D; c++)
				s += Qs[c * BR + t] * to_f(Ks[j * D + c]);
			s *= scale;
			if (s > mx) {
				float corr = __expf(mx - s);

				l *= corr;
#pragma unroll
				for (int c = 0; c < D; c++)
					o[c] *= corr;
				mx = s;
			}
			p = __expf(s - mx);
			l += p;
#pragma unroll
			for (int c = 0; c < D; c++)
				o[c] += p * to_f(Vs[j * D + c]);
		}
	}
	__syncthreads();
	if (t < rows) {
		float inv = l > 0.f ? 1.f / l : 0.f;

#pragma unroll
		for (int c = 0; c < D; c++)
			Os[t * (D + 2) + c] = from_f<T>(o[c] * inv);
		LSE[((size_t)b * H + h) * NQ + qi] =
			l > 0.f ? mx + logf(l) : -INFINITY;
	}
	__syncthreads();
	T *out = O + (((size_t)b * H + h) * NQ + (size_t)m * BR) * D;
	for (int idx = t; idx < rows * D; idx += BR)
		out[idx] = Os[(idx / D) * (D + 2) + idx % D];
}

struct attn_args {
	const void *q, *k, *v;
	void *o;
	float *lse;
	int b, h, hkv, nq, nk, causal;
	float scale;
};

typedef void (*attn_launch_fn)(const attn_args &);

template <typename T, int D, int BR, int BC>
static void attn_launch(const attn_args &a)
{
	size_t smem = (size_t)D * BR * sizeof(float) + 2 * (size_t)BC * D * sizeof(T);
	dim3 grid((unsigned)((a.nq + BR - 1) / BR), (unsigned)a.b, (unsigned)a.h);

	auto k = mwk_attn_fwd<T, D, BR, BC>;

	CK(cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize,
				(int)smem));
	MW_LAUNCH(k, grid, dim3(BR), smem, (const T *)a.q, (const T *)a.k,
		  (const T *)a.v, (T *)a.o, a.lse, a.h, a.hkv, a.nq, a.nk,
		  a.causal, a.scale);
}

struct attn_cfg {
	int d, br, bc;
	attn_launch_fn fp16, bf16;
};

#define ATTN_CFG(D, BR, BC)                                                   \
	{                                                                     \
		D, BR, BC, attn_launch<__half, D, BR, BC>,                    \
			attn_launch<__nv_bfloat16, D, BR, BC>                 \
	}

static const attn_cfg attn_cfgs[] = {
	ATTN_CFG(64, 64, 32),	ATTN_CFG(64, 64, 64),	ATTN_CFG(64, 64, 128),
	ATTN_CFG(64, 128, 32),	ATTN_CFG(64, 128, 64),	ATTN_CFG(64, 128, 128),
	ATTN_CFG(128, 64, 32),	ATTN_CFG(128, 64, 64),	ATTN_CFG(128, 64, 128),
	ATTN_CFG(128, 128, 32), ATTN_CFG(128, 128, 64), ATTN_CFG(128, 128, 128),
};

/* ---- decode with split-KV -------------------------------------------------- */

#define DEC_THREADS 128
#define DEC_WARPS (DEC_THREADS / 32)
#define DEC_GMAX 8

template <typename T, int D>
__global__ void __launch_bounds__(DEC_THREADS)
	mwk_decode_split(const T *__restrict__ Q, const T *__restrict__ Kc,
			 const T *__restrict__ Vc, T *__restrict__ O,
			 float *__restrict__ Oacc, float *__restrict__ Lacc,
			 int B, int H, int HKV, int L, int S, float scale)
{
	constexpr int E = D / 32; /* elements per lane */
	__shared__ float red_o[DEC_WARPS][DEC_GMAX][D];
	__shared__ float red_m[DEC_WARPS][DEC_GMAX], red_l[DEC_WARPS][DEC_GMAX];
	int s = blockIdx.x, hk = blockIdx.y, b = blockIdx.z;
	int G = H / HKV, lane = threadIdx.x % 32, w = threadIdx.x / 32;
	int chunk = (L + S - 1) / S, j0 = s * chunk, j1 = min(L, j0 + chunk);
	const T *k = Kc + ((size_t)b * HKV + hk) * L * D;
	const T *v = Vc + ((size_t)b * HKV + hk) * L * D;
	float q[DEC_GMAX][E], o[DEC_GMAX][E], mx[DEC_GMAX], l[DEC_GMAX];

#pragma unroll
	for (int g = 0; g < DEC_GMAX; g++) {
		mx[g] = -INFINITY;
		l[g] = 0.f;
#pragma unroll
		for (int e = 0; e < E; e++) {
			o[g][e] = 0.f;
			q[g][e] = g < G ? to_f(Q[((size_t)b * H + hk * G + g) * D +
						 lane + 32 * e])
					: 0.f;
		}
	}
	for (int j = j0 + w; j < j1; j += DEC_WARPS) {
		float kv[E], vv[E];

#pragma unroll
		for (int e = 0; e < E; e++) {
			kv[e] = to_f(k[(size_t)j * D + lane + 32 * e]);
			vv[e] = to_f(v[(size_t)j * D + lane + 32 * e]);
		}
#pragma unroll
		for (int g = 0; g < DEC_GMAX; g++) {
			float sc = 0.f, p;

			if (g >= G)
				break;
#pragma unroll
			for (int e = 0; e < E; e++)
				sc += q[g][e] * kv[e];
#pragma unroll
			for (int off = 16; off > 0; off /= 2)
				sc += __shfl_xor_sync(0xffffffffu, sc, off);
			sc *= scale;
			if (sc > mx[g]) {
				float corr = __expf(mx[g] - sc);

				l[g] *= corr;
#pragma unroll
				for (int e = 0; e < E; e++)
					o[g][e] *= corr;
				mx[g] = sc;
			}
			p = __expf(sc - mx[g]);
			l[g] += p;
#pragma unroll
			for (int e = 0; e < E; e++)
				o[g][e] += p * vv[e];
		}
	}
#pragma unroll
	for (int g = 0; g < DEC_GMAX; g++) {
		if (g >= G)
			break;
		if (lane == 0) {
			red_m[w][g] = mx[g];
			red_l[w][g] = l[g];
		}
#pragma unroll
		for (int e = 0; e < E; e++)
			red_o[w][g][lane + 32 * e] = o[g][e];
	}
	__syncthreads();
	/* combine the warps: thread t handles (g, c) pairs */
	for (int idx = threadIdx.x; idx < G * D; idx += DEC_THREADS) {
		int g = idx / D, c = idx % D, h = hk * G + g;
		float M = -INFINITY, Ls = 0.f, acc = 0.f;

		for (int ww = 0; ww < DEC_WARPS; ww++)
			M = fmaxf(M, red_m[ww][g]);
		for (int ww = 0; ww < DEC_WARPS; ww++) {
			float f = red_m[ww][g] == -INFINITY
					  ? 0.f
					  : __expf(red_m[ww][g] - M);

			Ls += red_l[ww][g] * f;
			acc += red_o[ww][g][c] * f;
		}
		if (S == 1) {
			O[((size_t)b * H + h) * D + c] =
				from_f<T>(Ls > 0.f ? acc / Ls : 0.f);
		} else {
			size_t row = ((size_t)s * B + b) * H + h;

			Oacc[row * D + c] = Ls > 0.f ? acc / Ls : 0.f;
			if (c == 0)
				Lacc[row] = Ls > 0.f ? M + logf(Ls) : -INFINITY;
		}
	}
}

template <typename T, int D>
__global__ void __launch_bounds__(D)
	mwk_decode_combine(const float *__restrict__ Oacc,
			   const float *__restrict__ Lacc, T *__restrict__ O,
			   int B, int H, int S)
{
	int bh = blockIdx.x, c = threadIdx.x;
	float M = -INFINITY, Ls = 0.f, acc = 0.f;

	for (int s = 0; s < S; s++)
		M = fmaxf(M, Lacc[(size_t)s * B * H + bh]);
	for (int s = 0; s < S; s++) {
		float lse = Lacc[(size_t)s * B * H + bh];
		float f = lse == -INFINITY ? 0.f : __expf(lse - M);

		Ls += f;
		acc += f * Oacc[((size_t)s * B * H + bh) * D + c];
	}
	O[(size_t)bh * D + c] = from_f<T>(Ls > 0.f ? acc / Ls : 0.f);
}

struct dec_args {
	const void *q, *k, *v;
	void *o;
	float *oacc, *lacc;
	int b, h, hkv, l, s;
	float scale;
};

typedef void (*dec_launch_fn)(const dec_args &);

template <typename T, int D> static void dec_launch(const dec_args &a)
{
	dim3 grid((unsigned)a.s, (unsigned)a.hkv, (unsigned)a.b);

	auto split = mwk_decode_split<T, D>;
	auto combine = mwk_decode_combine<T, D>;

	MW_LAUNCH(split, grid, dim3(DEC_THREADS), 0, (const T *)a.q,
		  (const T *)a.k, (const T *)a.v, (T *)a.o, a.oacc, a.lacc, a.b,
		  a.h, a.hkv, a.l, a.s, a.scale);
	if (a.s > 1)
		MW_LAUNCH(combine, dim3((unsigned)(a.b * a.h)), dim3(D), 0,
			  (const float *)a.oacc, (const float *)a.lacc, (T *)a.o,
			  a.b, a.h, a.s);
}

struct dec_cfg {
	int d;
	dec_launch_fn fp16, bf16;
};

static const dec_cfg dec_cfgs[] = {
	{64, dec_launch<__half, 64>, dec_launch<__nv_bfloat16, 64>},
	{128, dec_launch<__half, 128>, dec_launch<__nv_bfloat16, 128>},
};

/* ---- copy ------------------------------------------------------------------ */

__global__ void mwk_copy(const uint4 *__restrict__ src, uint4 *__restrict__ dst,
			 size_t n)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	size_t stride = (size_t)gridDim.x * blockDim.x;

	for (; i < n; i += stride)
		dst[i] = src[i];
}

/* ---- options ---------------------------------------------------------------- */

struct opts {
	std::string kernel;
	long m = 0, n = 0, k = 0;
	std::string dtype = "fp16";
	int bm = 128, bn = 128, bk = 32;
	int order = ORDER_ROW, group = 1;
	long batch = 1, heads = 0, kv_heads = 0, seq = 0, kv_seq = 0;
	long head_dim = 128, block_q = 128, block_kv = 64, kv_len = 0;
	long splits = 1;
	int causal = 0;
	unsigned long long bytes = 0;
	int check = 0, reps = 1, launches = 0;
};

static long parse_long(const char *opt, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v <= 0 || v > (1L << 31))
		die("%s: expected a positive integer", opt);
	return v;
}

static unsigned long long parse_bytes(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 1;

	if (end == s || v <= 0)
		die("--bytes: '%s' is not a size", s);
	if (!strcmp(end, "") || !strcmp(end, "B"))
		mult = 1;
	else if (!strcmp(end, "KiB"))
		mult = 1024.0;
	else if (!strcmp(end, "MiB"))
		mult = 1048576.0;
	else if (!strcmp(end, "GiB"))
		mult = 1073741824.0;
	else if (!strcmp(end, "KB") || !strcmp(end, "kB"))
		mult = 1e3;
	else if (!strcmp(end, "MB"))
		mult = 1e6;
	else if (!strcmp(end, "GB"))
		mult = 1e9;
	else
		die("--bytes: unknown unit in '%s'", s);
	return (unsigned long long)(v * mult);
}

static void parse_opts(int argc, char **argv, opts *o)
{
	if (argc < 2)
		die("%s",
		    "usage: mwbench gemm|attention|decode|copy [options]; "
		    "see the comment at the top of mwbench.cu");
	o->kernel = argv[1];
	if (o->kernel == "--list") {
		o->kernel = "list";
		return;
	}
	if (o->kernel != "gemm" && o->kernel != "attention" &&
	    o->kernel != "decode" && o->kernel != "copy")
		die("unknown kernel '%s' (gemm, attention, decode, copy)",
		    argv[1]);
	for (int i = 2; i < argc; i++) {
		std::string a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool flag = a == "--causal" || a == "--check" ||
			    a == "--launches";

		if (!flag && !v)
			die("%s needs a value", argv[i]);
		if (a == "--causal")
			o->causal = 1;
		else if (a == "--check")
			o->check = 1;
		else if (a == "--launches")
			o->launches = 1;
		else if (a == "--m")
			o->m = parse_long(argv[i], v);
		else if (a == "--n")
			o->n = parse_long(argv[i], v);
		else if (a == "--k")
			o->k = parse_long(argv[i], v);
		else if (a == "--dtype") {
			o->dtype = v;
			if (o->dtype != "fp16" && o->dtype != "bf16")
				die("--dtype: '%s' (fp16 or bf16)", v);
		} else if (a == "--tile") {
			if (sscanf(v, "%dx%dx%d", &o->bm, &o->bn, &o->bk) != 3)
				die("--tile: '%s' is not BMxBNxBK", v);
		} else if (a == "--order") {
			std::string s = v;
			if (s == "row")
				o->order = ORDER_ROW;
			else if (s == "col")
				o->order = ORDER_COL;
			else if (s.compare(0, 8, "grouped:") == 0) {
				o->order = ORDER_GROUPED;
				o->group = (int)parse_long("--order grouped:G",
							   v + 8);
			} else
				die("--order: '%s' (row, col or grouped:G)", v);
		} else if (a == "--batch")
			o->batch = parse_long(argv[i], v);
		else if (a == "--heads")
			o->heads = parse_long(argv[i], v);
		else if (a == "--kv-heads")
			o->kv_heads = parse_long(argv[i], v);
		else if (a == "--seq")
			o->seq = parse_long(argv[i], v);
		else if (a == "--kv-seq")
			o->kv_seq = parse_long(argv[i], v);
		else if (a == "--head-dim")
			o->head_dim = parse_long(argv[i], v);
		else if (a == "--block-q")
			o->block_q = parse_long(argv[i], v);
		else if (a == "--block-kv")
			o->block_kv = parse_long(argv[i], v);
		else if (a == "--kv-len")
			o->kv_len = parse_long(argv[i], v);
		else if (a == "--splits")
			o->splits = parse_long(argv[i], v);
		else if (a == "--bytes")
			o->bytes = parse_bytes(v);
		else if (a == "--reps")
			o->reps = (int)parse_long(argv[i], v);
		else
			die("unknown option '%s'", argv[i]);
		if (!flag)
			i++;
	}
	if (!o->kv_heads)
		o->kv_heads = o->heads;
	if (!o->kv_seq)
		o->kv_seq = o->seq;
}

/* ---- host data and references ------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static float frand(void) /* uniform in [-1, 1) */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (float)((rng_state >> 40) * (1.0 / 8388608.0)) - 1.f;
}

/* A device buffer of n elements of the dtype, filled with random values;
 * the host copy (as floats, rounded through the dtype) kept if keep. */
static void *device_random(size_t n, bool bf16, std::vector<float> *keep)
{
	std::vector<uint16_t> h(n);
	void *d;

	if (keep)
		keep->resize(n);
	for (size_t i = 0; i < n; i++) {
		float f = frand();
		if (bf16) {
			__nv_bfloat16 x = __float2bfloat16(f);
			h[i] = ((__nv_bfloat16_raw)x).x;
			if (keep)
				(*keep)[i] = __bfloat162float(x);
		} else {
			__half x = __float2half(f);
			h[i] = ((__half_raw)x).x;
			if (keep)
				(*keep)[i] = __half2float(x);
		}
	}
	CK(cudaMalloc(&d, n * 2));
	CK(cudaMemcpy(d, h.data(), n * 2, cudaMemcpyHostToDevice));
	return d;
}

static std::vector<float> device_read(const void *d, size_t n, bool bf16)
{
	std::vector<uint16_t> h(n);
	std::vector<float> f(n);

	CK(cudaMemcpy(h.data(), d, n * 2, cudaMemcpyDeviceToHost));
	for (size_t i = 0; i < n; i++) {
		if (bf16) {
			__nv_bfloat16_raw r;
			r.x = h[i];
			f[i] = __bfloat162float(__nv_bfloat16(r));
		} else {
			__half_raw r;
			r.x = h[i];
			f[i] = __half2float(__half(r));
		}
	}
	return f;
}

/* Compares got with want; returns 0 when every element is within tol. */
static int compare(const char *what, const std::vector<float> &got,
		   const std::vector<double> &want, double tol)
{
	double worst = 0;
	size_t wi = 0;

	for (size_t i = 0; i < want.size(); i++) {
		double e = fabs(got[i] - want[i]) / (1.0 + fabs(want[i]));
		if (!(e <= worst)) {
			worst = e;
			wi = i;
		}
	}
	printf("check %s: %zu elements, worst relative error %.3g at %zu "
	       "(got %g, want %g): %s\n",
	       what, want.size(), worst, wi, want.empty() ? 0.0 : got[wi],
	       want.empty() ? 0.0 : want[wi], worst <= tol ? "ok" : "FAILED");
	return worst <= tol ? 0 : 1;
}

/* ---- the kernels' drivers ------------------------------------------------------ */

static float time_reps(int reps, void (*fn)(void *), void *arg)
{
	cudaEvent_t a, b;
	float ms;

	CK(cudaEventCreate(&a));
	CK(cudaEventCreate(&b));
	CK(cudaEventRecord(a));
	for (int r = 0; r < reps; r++)
		fn(arg);
	CK(cudaEventRecord(b));
	CK(cudaEventSynchronize(b));
	CK(cudaGetLastError());
	CK(cudaEventElapsedTime(&ms, a, b));
	return ms / reps;
}

struct gemm_run {
	const gemm_tile *t;
	bool bf16;
	void *a, *b, *c;
	int m, n, k, order, group;
};

static void gemm_once(void *p)
{
	gemm_run *g = (gemm_run *)p;

	(g->bf16 ? g->t->bf16 : g->t->fp16)(g->a, g->b, g->c, g->m, g->n, g->k,
					     g->order, g->group);
}

static int run_gemm(const opts &o)
{
	const gemm_tile *t = NULL;
	bool bf16 = o.dtype == "bf16";
	std::vector<float> ha, hb;
	gemm_run g;

	for (const gemm_tile &x : gemm_tiles)
		if (x.bm == o.bm && x.bn == o.bn && x.bk == o.bk)
			t = &x;
	if (!o.m || !o.n || !o.k)
		die("%s", "gemm needs --m, --n and --k");
	if (!t) {
		char s[64];
		snprintf(s, sizeof(s), "%dx%dx%d", o.bm, o.bn, o.bk);
		die("--tile %s is not compiled in (mwbench --list)", s);
	}
	if (o.launches) {
		printf("%d\n", 1);
		return 0;
	}
	g.t = t;
	g.bf16 = bf16;
	g.m = (int)o.m;
	g.n = (int)o.n;
	g.k = (int)o.k;
	g.order = o.order;
	g.group = o.group;
	g.a = device_random((size_t)o.m * o.k, bf16, o.check ? &ha : NULL);
	g.b = device_random((size_t)o.k * o.n, bf16, o.check ? &hb : NULL);
	CK(cudaMalloc(&g.c, (size_t)o.m * o.n * 2));
	CK(cudaMemset(g.c, 0xff, (size_t)o.m * o.n * 2));
	float ms = time_reps(o.reps, gemm_once, &g);
	printf("gemm m=%ld n=%ld k=%ld tile=%dx%dx%d order=%d group=%d: "
	       "%.3f ms, %.1f GFLOP/s (event timing)\n",
	       o.m, o.n, o.k, o.bm, o.bn, o.bk, o.order, o.group, ms,
	       2.0 * o.m * o.n * o.k / (ms * 1e6));
	if (o.check) {
		std::vector<double> want((size_t)o.m * o.n);
		for (long i = 0; i < o.m; i++)
			for (long j = 0; j < o.n; j++) {
				double s = 0;
				for (long kk = 0; kk < o.k; kk++)
					s += (double)ha[i * o.k + kk] *
					     hb[kk * o.n + j];
				want[i * o.n + j] = s;
			}
		return compare("gemm", device_read(g.c, want.size(), bf16),
			       want, bf16 ? 2e-2 : 4e-3);
	}
	return 0;
}

struct attn_run {
	const attn_cfg *c;
	bool bf16;
	attn_args a;
};

static void attn_once(void *p)
{
	attn_run *r = (attn_run *)p;

	(r->bf16 ? r->c->bf16 : r->c->fp16)(r->a);
}

static int run_attention(const opts &o)
{
	const attn_cfg *c = NULL;
	bool bf16 = o.dtype == "bf16";
	std::vector<float> hq, hk, hv;
	attn_run r;

	if (!o.heads || !o.seq)
		die("%s", "attention needs --heads and --seq");
	if (o.heads % o.kv_heads)
		die("%s", "--heads must be a multiple of --kv-heads");
	for (const attn_cfg &x : attn_cfgs)
		if (x.d == o.head_dim && x.br == o.block_q &&
		    x.bc == o.block_kv)
			c = &x;
	if (!c) {
		char s[96];
		snprintf(s, sizeof(s), "head-dim %ld block-q %ld block-kv %ld",
			 o.head_dim, o.block_q, o.block_kv);
		die("%s is not compiled in (mwbench --list)", s);
	}
	if (o.launches) {
		printf("%d\n", 1);
		return 0;
	}
	size_t nq = (size_t)o.batch * o.heads * o.seq * o.head_dim;
	size_t nk = (size_t)o.batch * o.kv_heads * o.kv_seq * o.head_dim;
	r.c = c;
	r.bf16 = bf16;
	r.a.q = device_random(nq, bf16, o.check ? &hq : NULL);
	r.a.k = device_random(nk, bf16, o.check ? &hk : NULL);
	r.a.v = device_random(nk, bf16, o.check ? &hv : NULL);
	CK(cudaMalloc(&r.a.o, nq * 2));
	CK(cudaMalloc((void **)&r.a.lse,
		      (size_t)o.batch * o.heads * o.seq * sizeof(float)));
	r.a.b = (int)o.batch;
	r.a.h = (int)o.heads;
	r.a.hkv = (int)o.kv_heads;
	r.a.nq = (int)o.seq;
	r.a.nk = (int)o.kv_seq;
	r.a.causal = o.causal;
	r.a.scale = 1.f / sqrtf((float)o.head_dim);
	float ms = time_reps(o.reps, attn_once, &r);
	printf("attention b=%ld h=%ld hkv=%ld nq=%ld nk=%ld d=%ld br=%ld "
	       "bc=%ld causal=%d: %.3f ms (event timing)\n",
	       o.batch, o.heads, o.kv_heads, o.seq, o.kv_seq, o.head_dim,
	       o.block_q, o.block_kv, o.causal, ms);
	if (o.check) {
		long D = o.head_dim, G = o.heads / o.kv_heads;
		std::vector<double> want(nq), s(o.kv_seq);
		for (long b = 0; b < o.batch; b++)
			for (long h = 0; h < o.heads; h++)
				for (long i = 0; i < o.seq; i++) {
					const float *q =
						&hq[((b * o.heads + h) * o.seq + i) * D];
					long base = (b * o.kv_heads + h / G) * o.kv_seq;
					double mx = -INFINITY, l = 0;
					for (long j = 0; j < o.kv_seq; j++) {
						double d = 0;
						if (o.causal && j > i + o.kv_seq - o.seq) {
							s[j] = -INFINITY;
							continue;
						}
						for (long e = 0; e < D; e++)
							d += (double)q[e] * hk[(base + j) * D + e];
						s[j] = d * r.a.scale;
						mx = fmax(mx, s[j]);
					}
					for (long j = 0; j < o.kv_seq; j++)
						l += s[j] == -INFINITY ? 0 : exp(s[j] - mx);
					for (long e = 0; e < D; e++) {
						double acc = 0;
						for (long j = 0; j < o.kv_seq; j++)
							if (s[j] != -INFINITY)
								acc += exp(s[j] - mx) *
								       hv[(base + j) * D + e];
						want[((b * o.heads + h) * o.seq + i) * D + e] =
							l > 0 ? acc / l : 0;
					}
				}
		return compare("attention", device_read(r.a.o, nq, bf16), want,
			       bf16 ? 2e-2 : 4e-3);
	}
	return 0;
}

struct dec_run {
	const dec_cfg *c;
	bool bf16;
	dec_args a;
};

static void dec_once(void *p)
{
	dec_run *r = (dec_run *)p;

	(r->bf16 ? r->c->bf16 : r->c->fp16)(r->a);
}

static int run_decode(const opts &o)
{
	const dec_cfg *c = NULL;
	bool bf16 = o.dtype == "bf16";
	std::vector<float> hq, hk, hv;
	dec_run r;

	if (!o.heads || !o.kv_len)
		die("%s", "decode needs --heads and --kv-len");
	if (o.heads % o.kv_heads || o.heads / o.kv_heads > DEC_GMAX)
		die("%s", "--heads must be 1 to 8 times --kv-heads");
	if (o.splits > o.kv_len)
		die("%s", "--splits must not exceed --kv-len");
	for (const dec_cfg &x : dec_cfgs)
		if (x.d == o.head_dim)
			c = &x;
	if (!c)
		die("%s", "decode: --head-dim must be 64 or 128");
	if (o.launches) {
		printf("%d\n", o.splits > 1 ? 2 : 1);
		return 0;
	}
	size_t nq = (size_t)o.batch * o.heads * o.head_dim;
	size_t nk = (size_t)o.batch * o.kv_heads * o.kv_len * o.head_dim;
	r.c = c;
	r.bf16 = bf16;
	r.a.q = device_random(nq, bf16, o.check ? &hq : NULL);
	r.a.k = device_random(nk, bf16, o.check ? &hk : NULL);
	r.a.v = device_random(nk, bf16, o.check ? &hv : NULL);
	CK(cudaMalloc(&r.a.o, nq * 2));
	r.a.oacc = NULL;
	r.a.lacc = NULL;
	if (o.splits > 1) {
		CK(cudaMalloc((void **)&r.a.oacc, o.splits * nq * sizeof(float)));
		CK(cudaMalloc((void **)&r.a.lacc, (size_t)o.splits * o.batch *
							  o.heads * sizeof(float)));
	}
	r.a.b = (int)o.batch;
	r.a.h = (int)o.heads;
	r.a.hkv = (int)o.kv_heads;
	r.a.l = (int)o.kv_len;
	r.a.s = (int)o.splits;
	r.a.scale = 1.f / sqrtf((float)o.head_dim);
	float ms = time_reps(o.reps, dec_once, &r);
	printf("decode b=%ld h=%ld hkv=%ld l=%ld d=%ld splits=%ld: %.3f ms, "
	       "%.1f GB/s of KV (event timing)\n",
	       o.batch, o.heads, o.kv_heads, o.kv_len, o.head_dim, o.splits, ms,
	       2.0 * nk * 2 / (ms * 1e6));
	if (o.check) {
		long D = o.head_dim, G = o.heads / o.kv_heads, L = o.kv_len;
		std::vector<double> want(nq), s(L);
		for (long b = 0; b < o.batch; b++)
			for (long h = 0; h < o.heads; h++) {
				const float *q = &hq[(b * o.heads + h) * D];
				long base = (b * o.kv_heads + h / G) * L;
				double mx = -INFINITY, l = 0;
				for (long j = 0; j < L; j++) {
					double d = 0;
					for (long e = 0; e < D; e++)
						d += (double)q[e] * hk[(base + j) * D + e];
					s[j] = d * r.a.scale;
					mx = fmax(mx, s[j]);
				}
				for (long j = 0; j < L; j++)
					l += exp(s[j] - mx);
				for (long e = 0; e < D; e++) {
					double acc = 0;
					for (long j = 0; j < L; j++)
						acc += exp(s[j] - mx) * hv[(base + j) * D + e];
					want[(b * o.heads + h) * D + e] = acc / l;
				}
			}
		return compare("decode", device_read(r.a.o, nq, bf16), want,
			       bf16 ? 2e-2 : 4e-3);
	}
	return 0;
}

struct copy_run {
	uint4 *src, *dst;
	size_t n;
	int blocks;
};

static void copy_once(void *p)
{
	copy_run *c = (copy_run *)p;

	MW_LAUNCH(mwk_copy, dim3((unsigned)c->blocks), dim3(256), 0,
		  (const uint4 *)c->src, c->dst, c->n);
}

static int run_copy(const opts &o)
{
	copy_run c;
	int dev, sms;

	if (!o.bytes || o.bytes % 16)
		die("%s", "copy needs --bytes, a multiple of 16");
	if (o.launches) {
		printf("%d\n", 1);
		return 0;
	}
	CK(cudaGetDevice(&dev));
	CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
	c.n = o.bytes / 16;
	c.blocks = sms * 8;
	CK(cudaMalloc((void **)&c.src, o.bytes));
	CK(cudaMalloc((void **)&c.dst, o.bytes));
	{
		std::vector<uint32_t> h(o.bytes / 4);
		for (size_t i = 0; i < h.size(); i++)
			h[i] = (uint32_t)(i * 2654435761u);
		CK(cudaMemcpy(c.src, h.data(), o.bytes, cudaMemcpyHostToDevice));
		float ms = time_reps(o.reps, copy_once, &c);
		printf("copy bytes=%llu: %.3f ms, %.1f GB/s read+write (event "
		       "timing)\n",
		       o.bytes, ms, 2.0 * o.bytes / (ms * 1e6));
		if (o.check) {
			std::vector<uint32_t> g(h.size());
			CK(cudaMemcpy(g.data(), c.dst, o.bytes,
				      cudaMemcpyDeviceToHost));
			bool ok = g == h;
			printf("check copy: %s\n", ok ? "ok" : "FAILED");
			return ok ? 0 : 1;
		}
	}
	return 0;
}

static void list_configs(void)
{
	printf("gemm --tile:");
	for (const gemm_tile &t : gemm_tiles)
		printf(" %dx%dx%d", t.bm, t.bn, t.bk);
	printf("\nattention --head-dim/--block-q/--block-kv:");
	for (const attn_cfg &c : attn_cfgs)
		printf(" %d/%d/%d", c.d, c.br, c.bc);
	printf("\ndecode --head-dim:");
	for (const dec_cfg &c : dec_cfgs)
		printf(" %d", c.d);
	printf("\n");
}

int main(int argc, char **argv)
{
	opts o;

	parse_opts(argc, argv, &o);
	if (o.kernel == "list") {
		list_configs();
		return 0;
	}
	if (o.kernel == "gemm")
		return run_gemm(o);
	if (o.kernel == "attention")
		return run_attention(o);
	if (o.kernel == "decode")
		return run_decode(o);
	return run_copy(o);
}
