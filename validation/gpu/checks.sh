#!/bin/sh
# checks.sh - mwbench --check on small shapes of every compiled
# configuration (each GEMM tile in row, column and grouped order, fp16 and
# bf16; each attention head-dim/Br/Bc, MHA and GQA, causal with NQ < NK;
# decode with 1, 3 and 8 splits; copy), against the host reference.
#
# Usage: validation/gpu/checks.sh MWBENCH
# Prints one line per check; exit status 1 when any fails.
set -u
bench=$1
fails=0
n=0
check() {
	n=$((n + 1))
	if out=$("$bench" "$@" --check 2>&1); then
		echo "$out" | grep '^check' | sed "s|^|  $* : |"
	else
		fails=$((fails + 1))
		echo "checks.sh: FAILED: mwbench $* --check" >&2
		echo "$out" | tail -3 >&2
	fi
}
list=$("$bench" --list) || { echo "checks.sh: $bench --list failed" >&2; exit 1; }
for t in $(echo "$list" | sed -n 's/^gemm --tile: //p'); do
	for o in row col grouped:3; do
		check gemm --m 300 --n 200 --k 136 --tile "$t" --order "$o"
	done
	check gemm --m 256 --n 256 --k 64 --tile "$t" --order grouped:2 --dtype bf16
done
for c in $(echo "$list" | sed -n 's,^attention --head-dim/--block-q/--block-kv: ,,p'); do
	d=${c%%/*} r=${c#*/}
	br=${r%/*} bc=${r#*/}
	check attention --batch 2 --heads 4 --kv-heads 2 --seq 200 --head-dim "$d" --block-q "$br" --block-kv "$bc"
	check attention --batch 1 --heads 2 --seq 200 --kv-seq 333 --head-dim "$d" --block-q "$br" --block-kv "$bc" --causal --dtype bf16
	check attention --batch 1 --heads 2 --seq 333 --kv-seq 200 --head-dim "$d" --block-q "$br" --block-kv "$bc" --causal
done
for s in 1 3 8; do
	check decode --batch 2 --heads 8 --kv-heads 2 --kv-len 1000 --head-dim 128 --splits "$s"
	check decode --batch 1 --heads 4 --kv-len 513 --head-dim 64 --splits "$s" --dtype bf16
done
check decode --batch 1 --heads 8 --kv-heads 1 --kv-len 9 --head-dim 64 --splits 4
check copy --bytes 1MiB
echo "checks.sh: $((n - fails)) of $n checks passed"
[ $fails -eq 0 ]
