#!/usr/bin/env python3
"""Writes sample.nvbit.gz: NVBit mem_trace output of a tiny tiled SGEMM.

Constructed from mem_trace's documented line syntax (no GPU was run): what
NVBit 1.5+ mem_trace prints for C[64x64] = A[64x32] x B[32x64], fp32,
row-major, 32x32 tiles of C per CTA (grid 2,2,1), 128 threads (4 warps)
per CTA, K steps of 16:

  per K step, each thread:  LDG.E.128 one float4 of the A tile (32x16)
                            LDG.E.128 one float4 of the B tile (16x32)
                            STS.128 x 2 into shared memory
                            LDS.128 x 4 (a shortened inner loop)
  epilogue, each thread:    STG.E.128 x 2 (8 floats of its C row)

CTAs run on four SMs at once, so their lines interleave; "warp" is the
hardware warp slot.  The NVBit banner and the program's own output are
interleaved as in a real log.

Usage: python3 gen_sample_nvbit.py [OUT]   (default sample.nvbit.gz)
The output is byte-for-byte reproducible (gzip header without a time).
"""
import gzip
import sys

M, N, K = 64, 64, 32
BM, BN, BK = 32, 32, 16
THREADS = 128
CTX = 0x00005581C7D3A9E0
A = 0x00007F8A01800000
B = 0x00007F8A01A00000
C = 0x00007F8A01C00000
KERNEL = ("void sgemm_tiled<32, 32, 16>(float const*, float const*, "
          "float*, int, int, int)")

BANNER = """\
------------- NVBit (NVidia Binary Instrumentation Tool v1.7.1) Loaded --------------
NVBit core environment variables (mostly for nvbit-devs):
            NVDISASM = nvdisasm - override default nvdisasm found in PATH
            NOBANNER = 0 - if set, does not print this banner
---------------------------------------------------------------------------------
         INSTR_BEGIN = 0 - Beginning of the instruction interval where to apply instrumentation
           INSTR_END = 4294967295 - End of the instruction interval where to apply instrumentation
        TOOL_VERBOSE = 0 - Enable verbosity inside the tool
----------------------------------------------------------------------------------------------------
"""


def access(cta, warp, op, addrs):
    x, y = cta
    lanes = "".join("0x%016x " % a for a in addrs)
    return ("MEMTRACE: CTX 0x%016x - grid_launch_id 0 - CTA %d,%d,0 - "
            "warp %d - %s - %s\n" % (CTX, x, y, warp, op, lanes))


def warp_threads(w):
    return range(32 * w, 32 * w + 32)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "sample.nvbit.gz"
    ctas = [(x, y) for y in range(M // BM) for x in range(N // BN)]
    text = [BANNER, "sgemm: M=64 N=64 K=32, tiles 32x32x16\n"]
    text.append(
        "MEMTRACE: CTX 0x%016x - LAUNCH - Kernel pc 0x00007f8a2e0c1600 - "
        "Kernel name %s - grid launch id 0 - grid size 2,2,1 - block size "
        "128,1,1 - nregs 40 - shmem 4096 - cuda stream id 0\n" %
        (CTX, KERNEL))

    def step(fn):
        # one instruction: every warp of every CTA, CTAs interleaved
        for w in range(THREADS // 32):
            for cta in ctas:
                op, addrs = fn(cta, w)
                text.append(access(cta, w, op, addrs))

    for kt in range(K // BK):
        def lda(cta, w, kt=kt):
            bx, by = cta
            return "LDG.E.128.CONSTANT", [
                A + ((by * BM + t // 4) * K + kt * BK + (t % 4) * 4) * 4
                for t in warp_threads(w)]

        def ldb(cta, w, kt=kt):
            bx, by = cta
            return "LDG.E.128.CONSTANT", [
                B + ((kt * BK + t // 8) * N + bx * BN + (t % 8) * 4) * 4
                for t in warp_threads(w)]

        step(lda)
        step(ldb)
        step(lambda cta, w: ("STS.128", [t * 16 for t in warp_threads(w)]))
        step(lambda cta, w: ("STS.128",
                             [0x800 + t * 16 for t in warp_threads(w)]))
        for i in range(4):
            step(lambda cta, w, i=i: (
                "LDS.U.128",
                [(t // 4) * 64 + i * 16 for t in warp_threads(w)]))
    for half in range(2):
        def stc(cta, w, half=half):
            bx, by = cta
            return "STG.E.128", [
                C + ((by * BM + t // 4) * N + bx * BN + (t % 4) * 8 +
                     half * 4) * 4
                for t in warp_threads(w)]
        step(stc)
    text.append("max abs error 0.000000e+00: PASS\n")
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0,
                           compresslevel=9) as gz:
            gz.write("".join(text).encode())


if __name__ == "__main__":
    main()
