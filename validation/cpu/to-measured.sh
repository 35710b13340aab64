#!/bin/sh
# to-measured.sh - the CPU microbenchmark CSVs (cpu-chase.csv,
# cpu-bandwidth.csv, cpu-matmul.csv) in memwall's measured-data layout
# (validation/README.md), written to cpu-measured.csv beside them.
#
# Usage: validation/cpu/to-measured.sh [DATA_DIR]   (default validation/data)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/../data}
for f in cpu-chase.csv cpu-bandwidth.csv cpu-matmul.csv cpu-machine.txt; do
	[ -r "$data/$f" ] || { echo "to-measured.sh: $data/$f: missing (run validation/cpu/run.sh)" >&2; exit 2; }
done
cpu=$(sed -n 's/^Model name: *//p' "$data/cpu-machine.txt" | head -1)
when=$(sed -n 's/^date: //p' "$data/cpu-machine.txt")
cmd=$(sed -n 's/^command: //p' "$data/cpu-machine.txt")
out=$data/cpu-measured.csv
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
{
	echo "# CPU microbenchmarks of $when ($cmd), converted by validation/cpu/to-measured.sh"
	echo "case,kernel,params,metric,measured,unit,cpu,command"
	awk -F, -v cpu="$cpu" -v cmd="$cmd" 'NR > 1 {
		printf "chase-%s,chase,--working-set %s,latency_per_load,%s,ns,\"%s\",\"%s\"\n", $1, $1, $2, cpu, cmd }' "$data/cpu-chase.csv"
	awk -F, -v cpu="$cpu" -v cmd="$cmd" 'NR > 1 {
		printf "read-%s,read,--working-set %s,read_bandwidth,%s,GB/s,\"%s\",\"%s\"\n", $1, $1, $2, cpu, cmd }' "$data/cpu-bandwidth.csv"
	awk -F, -v cpu="$cpu" -v cmd="$cmd" 'NR > 1 {
		printf "matmul-%s-t%s,matmul,--n %s --tile %s,time,%s,s,\"%s\",\"%s\"\n", $1, $2, $1, $2, $3, cpu, cmd }' "$data/cpu-matmul.csv"
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
