#!/bin/sh
# run.sh - build and run the CPU microbenchmarks on this machine and store
# the measurements in validation/data/ (CSV) with a description of the
# machine and the exact commands.
#
# Usage: validation/cpu/run.sh [MAX_BYTES]   (default 1 GiB working sets)
# Takes about a minute.  Timings are measurements, not pass/fail checks.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
out=${TMPDIR:-/tmp}/memwall-cpu.$$
max=${1:-1073741824}
mkdir -p "$out" "$data"
trap 'rm -rf "$out"' EXIT
for p in chase bandwidth matmul; do
	gcc -O2 -march=native -std=c11 -Wall -o "$out/$p" "$here/$p.c"
done
"$out/chase" "$max" >"$data/cpu-chase.csv"
"$out/bandwidth" "$max" >"$data/cpu-bandwidth.csv"
"$out/matmul" >"$data/cpu-matmul.csv"
{
	echo "# CPU microbenchmark run"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "command: validation/cpu/run.sh $max"
	echo "compiler: $(gcc --version | head -1), flags -O2 -march=native"
	echo "kernel: $(uname -r)"
	echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
	echo
	lscpu
	echo
	lscpu -C
} >"$data/cpu-machine.txt"
"$here/to-measured.sh" "$data"
echo "wrote $data/cpu-chase.csv cpu-bandwidth.csv cpu-matmul.csv cpu-machine.txt cpu-measured.csv"
