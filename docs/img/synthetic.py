#!/usr/bin/env python3
"""synthetic.py - the synthetic CSVs behind the example plots of docs/plot.md.

sweep_synthetic.csv: a made-up GEMM tiling sweep in the layout `memwall
sweep` writes (point, parameters, scope.metric results).  The numbers come
from a textbook traffic formula, not from memwall's models: for an MxNxK
fp16 GEMM with CTA tile BMxBN, A is read N/BN times and B M/BM times, and
a grouped rasterization (grouped:G) divides the re-reads that miss L2 by
G.  Time = bytes / 3.35 TB/s.  Regenerate the plots from a real sweep once
the kernel models exist.

mrc_synthetic.csv: exact LRU miss-ratio curves (stack distances over 128 B
lines) of a synthetic trace, a tiled GEMM's loads of A and B, in the layout
of `memwall reuse` (scope, capacity_bytes, misses, miss_ratio).
"""
import csv
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "."

tiles = ["64x64x32", "128x64x32", "128x128x32", "128x128x64", "256x128x64"]
orders = ["row", "grouped:4", "grouped:8"]
m = n = k = 8192
with open(f"{out}/sweep_synthetic.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["point", "dtype", "m", "tile", "order", "memory.bytes_read",
                "time.total_ns"])
    p = 0
    for t in tiles:
        bm, bn, bk = (int(x) for x in t.split("x"))
        for o in orders:
            g = 1 if o == "row" else int(o.split(":")[1])
            a = m * k * 2 * (n // bn)
            b = k * n * 2 * (m // bm)
            compulsory = (m * k + k * n) * 2
            rd = compulsory + (a + b - compulsory) / (4 * g) + m * n * 2
            rd = int(rd * (1 + 16 / bk) / 1.5)
            w.writerow([p, "fp16", m, t, o, rd, f"{rd / 3.35e3:.6g}"])
            p += 1

# LRU stack distances of a tiled-GEMM load stream (A, B tiles).
LINE = 128
M = N = K = 256
BM = BN = 64
BK = 32
trace = []
for i0 in range(0, M, BM):
    for j0 in range(0, N, BN):
        for k0 in range(0, K, BK):
            for i in range(i0, i0 + BM):
                for kk in range(k0, k0 + BK, LINE // 2):
                    trace.append(("A", (i * K + kk) * 2 // LINE))
            for kk in range(k0, k0 + BK):
                for j in range(j0, j0 + BN, LINE // 2):
                    trace.append(("B", (1 << 30) + (kk * N + j) * 2 // LINE))
stack = []
dists = {"all": [], "A": [], "B": []}
for tensor, line in trace:
    try:
        d = stack.index(line)
        stack.pop(d)
    except ValueError:
        d = None
    stack.insert(0, line)
    dists["all"].append(d)
    dists[tensor].append(d)
with open(f"{out}/mrc_synthetic.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["scope", "capacity_bytes", "misses", "miss_ratio"])
    for scope in ("all", "A", "B"):
        ds = dists[scope]
        for e in range(10, 21):
            lines = (1 << e) // LINE
            miss = sum(1 for d in ds if d is None or d >= lines)
            w.writerow([scope, 1 << e, miss, f"{miss / len(ds):.6g}"])
