/*
 * emu.h - just enough of CUDA to run mwbench.cu's kernels on the CPU, so
 * their indexing and results can be checked on a machine without a GPU
 * (validation/gpu/emu-check.sh).  Not a performance tool.
 *
 * Blocks run one after another; the threads of a block are std::threads,
 * __syncthreads is a barrier over the block and __shfl_xor_sync an
 * exchange through a per-warp buffer between two barriers over the warp.
 * __shared__ arrays become function-static (one block runs at a time), the
 * dynamic shared memory one buffer.  Device memory is host memory.
 */
#ifndef MW_EMU_H
#define MW_EMU_H

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#undef __global__
#undef __shared__
#undef __launch_bounds__
#define __global__
#define __shared__ static
#define __launch_bounds__(x)

struct uint3_ {
	unsigned x, y, z;
};

inline thread_local uint3_ emu_thread, emu_block;
#define threadIdx emu_thread
#define blockIdx emu_block
inline dim3 emu_blockdim, emu_griddim;
#define blockDim emu_blockdim
#define gridDim emu_griddim
inline std::vector<unsigned char> emu_dyn_smem;
inline std::barrier<> *emu_block_barrier;
inline std::vector<std::unique_ptr<std::barrier<>>> emu_warp_barriers;
inline float emu_xchg[32][32];

using std::max;
using std::min;

inline void __syncthreads()
{
	emu_block_barrier->arrive_and_wait();
}

inline float __shfl_xor_sync(unsigned, float v, int off)
{
	unsigned w = threadIdx.x / 32, l = threadIdx.x % 32;
	float r;

	emu_xchg[w][l] = v;
	emu_warp_barriers[w]->arrive_and_wait();
	r = emu_xchg[w][l ^ (unsigned)off];
	emu_warp_barriers[w]->arrive_and_wait();
	return r;
}

inline float __expf(float x)
{
	return expf(x);
}

#define MW_DYNAMIC_SMEM(type, name) type *name = (type *)emu_dyn_smem.data()

template <typename... P, typename... A>
void emu_launch(void (*k)(P...), dim3 g, dim3 b, size_t smem, A... args)
{
	unsigned nt = b.x * b.y * b.z;

	if (b.y != 1 || b.z != 1 || nt % 32 || nt > 1024)
		abort(); /* mwbench's blocks are 1-D, whole warps */
	emu_griddim = g;
	emu_blockdim = b;
	emu_dyn_smem.assign(smem + 16, 0);
	for (unsigned z = 0; z < g.z; z++)
		for (unsigned y = 0; y < g.y; y++)
			for (unsigned x = 0; x < g.x; x++) {
				std::barrier<> bar((std::ptrdiff_t)nt);
				std::vector<std::thread> ts;

				emu_block_barrier = &bar;
				emu_warp_barriers.clear();
				for (unsigned w = 0; w < nt / 32; w++)
					emu_warp_barriers.emplace_back(
						new std::barrier<>(32));
				for (unsigned t = 0; t < nt; t++)
					ts.emplace_back([=] {
						emu_thread = {t, 0, 0};
						emu_block = {x, y, z};
						k(args...);
					});
				for (auto &th : ts)
					th.join();
			}
}

#define MW_LAUNCH(k, g, b, s, ...) emu_launch(k, g, b, s, __VA_ARGS__)

inline const char *emu_cudaGetErrorString(cudaError_t)
{
	return "emulation error";
}
inline cudaError_t emu_cudaMalloc(void **p, size_t n)
{
	*p = calloc(1, n ? n : 1);
	return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
inline cudaError_t emu_cudaMemcpy(void *d, const void *s, size_t n, int)
{
	memcpy(d, s, n);
	return cudaSuccess;
}
inline cudaError_t emu_cudaMemset(void *d, int v, size_t n)
{
	memset(d, v, n);
	return cudaSuccess;
}
template <typename F>
inline cudaError_t emu_cudaFuncSetAttribute(F, int, int)
{
	return cudaSuccess;
}
inline cudaError_t emu_cudaGetDevice(int *d)
{
	*d = 0;
	return cudaSuccess;
}
inline cudaError_t emu_cudaDeviceGetAttribute(int *v, int, int)
{
	*v = 2;
	return cudaSuccess;
}
inline cudaError_t emu_cudaEventCreate(cudaEvent_t *e)
{
	*e = nullptr;
	return cudaSuccess;
}
inline cudaError_t emu_cudaEventRecord(cudaEvent_t)
{
	return cudaSuccess;
}
inline cudaError_t emu_cudaEventSynchronize(cudaEvent_t)
{
	return cudaSuccess;
}
inline cudaError_t emu_cudaEventElapsedTime(float *ms, cudaEvent_t,
					    cudaEvent_t)
{
	*ms = 1;
	return cudaSuccess;
}
inline cudaError_t emu_cudaGetLastError()
{
	return cudaSuccess;
}
#define cudaGetErrorString emu_cudaGetErrorString
#define cudaMalloc emu_cudaMalloc
#define cudaMemcpy emu_cudaMemcpy
#define cudaMemset emu_cudaMemset
#define cudaFuncSetAttribute emu_cudaFuncSetAttribute
#define cudaGetDevice emu_cudaGetDevice
#define cudaDeviceGetAttribute emu_cudaDeviceGetAttribute
#define cudaEventCreate emu_cudaEventCreate
#define cudaEventRecord emu_cudaEventRecord
#define cudaEventSynchronize emu_cudaEventSynchronize
#define cudaEventElapsedTime emu_cudaEventElapsedTime
#define cudaGetLastError emu_cudaGetLastError

#endif
