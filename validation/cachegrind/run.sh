#!/bin/sh
# run.sh - memwall's cache hierarchy against valgrind cachegrind on a tiled
# matrix multiply (validation/cachegrind/README.md).
#
# Usage: validation/cachegrind/run.sh [--small] [--check] [--cgsim] [MEMWALL]
#
# For each tile size it runs mm.c under valgrind --tool=lackey
# --trace-mem=yes (the trace, converted by lk2csv.c and simulated by
# `memwall sim --hw cachegrind.ini`) and under valgrind --tool=cachegrind
# --cache-sim=yes with the same geometry, and prints one table row:
# cachegrind's D1 misses, memwall's l1 data misses (the converted trace, and
# memwall's own lackey reader on the data lines only), their difference,
# the LL misses of data and instruction fetches both ways and their
# difference in percent.
#
#   --small   the test instance: N=48, tiles 8 and 48, D1 4 KiB 4-way,
#             LL 32 KiB 8-way (a few seconds)
#   --check   exit 1 unless the D1 misses are equal and the LL misses
#             within 1% (and the access counts of both tools equal)
#   --cgsim   also run cgsim.py (a Python replica of cg_sim.c) on each
#             lackey log, once with cachegrind's rule (a straddling access
#             that misses sends both its lines to LL) and once with
#             memwall's (only the missing lines): explains the LL residual.
#             Slow (about 10 s per million trace lines) and keeps the log.
#   MEMWALL   the memwall binary (default build/rel/memwall)
#
# Environment (defaults in brackets): N [128], TILES ["4 8 16 32 64 128"],
# D1 [32768,8,64] (also used for I1), LL [262144,8,64] as cachegrind's
# size,assoc,line; CC [cc].  Without valgrind it says so and exits 0 (77
# with --check is not used: the test target treats a missing valgrind as
# a skip).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
small=0 check=0 cgsim=0 memwall="$root/build/rel/memwall"
for a in "$@"; do
	case "$a" in
	--small) small=1 ;;
	--check) check=1 ;;
	--cgsim) cgsim=1 ;;
	-*) echo "run.sh: unknown option '$a'" >&2; exit 2 ;;
	*) memwall=$a ;;
	esac
done
if [ "$small" = 1 ]; then
	: "${N:=48}" "${TILES:=8 48}" "${D1:=4096,4,64}" "${LL:=32768,8,64}"
else
	: "${N:=128}" "${TILES:=4 8 16 32 64 128}" "${D1:=32768,8,64}" "${LL:=262144,8,64}"
fi
: "${CC:=cc}"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "run.sh: valgrind is not installed; skipping the cachegrind comparison"
	exit 0
fi
case "$memwall" in
/*) ;;
*) memwall="$(pwd)/$memwall" ;;
esac
[ -x "$memwall" ] || { echo "run.sh: no memwall binary at $memwall (make memwall)" >&2; exit 2; }

w=$(mktemp -d "${TMPDIR:-/tmp}/mw-cachegrind.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM

"$CC" -O2 -std=c11 -Wall -Wextra -static -nostdlib -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-tree-loop-distribute-patterns -no-pie \
	-o "$w/mm" "$here/mm.c"
"$CC" -O2 -std=c11 -Wall -Wextra -o "$w/lk2csv" "$here/lk2csv.c"

# The memwall geometry, from the same variables as cachegrind's options.
geom() { # LEVEL size,assoc,line
	IFS=, read -r sz as ln <<-E
	$2
	E
	printf -- '--set %s.size=%s --set %s.ways=%s --set %s.line=%s ' "$1" "$sz" "$1" "$as" "$1" "$ln"
}
sets="$(geom l1 "$D1")$(geom l2 "$LL")"
# shellcheck disable=SC2086  # $sets is a list of words
"$memwall" hw show "$here/cachegrind.ini" $sets >/dev/null

get() { # FILE SCOPE,METRIC -> value (0 when absent)
	awk -F, -v k="$2" '$1 "," $2 == k { v = $3 } END { print v + 0 }' "$1"
}

echo "cachegrind vs memwall: mm N=$N, D1 = I1 = $D1, LL = $LL (size,assoc,line)"
echo
printf '%5s %12s %12s %12s %6s %10s %10s %7s %8s %8s %7s\n' \
	tile "cg D1 miss" "mw l1 miss" "mw lackey" diff \
	"cg LLd" "mw l2 d" "diff %" "cg LLi" "mw l2 i" "diff %"
printf '%s\n' "----------------------------------------------------------------------------------------------------------"
fail=0
for t in $TILES; do
	rm -f "$w/all" "$w/data"
	mkfifo "$w/all" "$w/data"
	# shellcheck disable=SC2086
	"$memwall" sim - --format csv --units 2 --hw "$here/cachegrind.ini" $sets \
		--csv "$w/sim.csv" <"$w/all" >/dev/null &
	p1=$!
	# shellcheck disable=SC2086
	"$memwall" sim - --format lackey --hw "$here/cachegrind.ini" $sets \
		--set machine.units=1 --csv "$w/simd.csv" <"$w/data" >/dev/null &
	p2=$!
	st=0
	{ valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$w/mm" "$N" "$t" 3>&1 >/dev/null 2>"$w/lk.err" ||
		echo "lackey failed: $?" >"$w/lk.fail"; } |
		if [ "$cgsim" = 1 ]; then tee "$w/lk.log"; else cat; fi |
		"$w/lk2csv" -s "$w/stats" -d "$w/data" >"$w/all" || st=$?
	wait "$p1" || st=$?
	wait "$p2" || st=$?
	if [ "$st" -ne 0 ] || [ -e "$w/lk.fail" ]; then
		echo "run.sh: tile $t: the lackey/memwall pipeline failed" >&2
		cat "$w/lk.err" "$w/lk.fail" 2>/dev/null >&2 || true
		exit 1
	fi
	valgrind --tool=cachegrind --cache-sim=yes --D1="$D1" --I1="$D1" --LL="$LL" \
		--cachegrind-out-file="$w/cg.out" "$w/mm" "$N" "$t" >/dev/null 2>"$w/cg.err" ||
		{ echo "run.sh: tile $t: cachegrind failed" >&2; cat "$w/cg.err" >&2; exit 1; }
	# summary: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw
	set -- $(sed -n 's/^summary: //p' "$w/cg.out")
	[ $# -eq 9 ] || { echo "run.sh: tile $t: no summary line in cachegrind's output" >&2; exit 1; }
	cg_ir=$1 cg_ilm=$3 cg_d=$(($4 + $7)) cg_d1=$(($5 + $8)) cg_lld=$(($6 + $9))
	lk_i=$(awk '$1 == "ifetch" { print $2 }' "$w/stats")
	lk_d=$(awk '$1 ~ /^(load|store|modify)$/ { s += $2 } END { print s + 0 }' "$w/stats")
	strad=$(awk '$1 == "straddle_data" { print $2 }' "$w/stats")
	mw_d1=$(get "$w/sim.csv" l1,reads.misses)
	mw_dl=$(get "$w/simd.csv" l1,misses)
	mw_lld=$(get "$w/sim.csv" l2,reads.misses)
	mw_lli=$(get "$w/sim.csv" l2,ifetches.misses)
	awk -v t="$t" -v a="$cg_d1" -v b="$mw_d1" -v c="$mw_dl" -v d="$cg_lld" \
		-v e="$mw_lld" -v f="$cg_ilm" -v g="$mw_lli" 'function pct(x, y) {
			return x == 0 ? (y == 0 ? 0 : 100) : 100 * (y - x) / x }
		BEGIN { printf "%5s %12d %12d %12d %+6d %10d %10d %+7.3f %8d %8d %+7.3f\n",
			t, a, b, c, b - a, d, e, pct(d, e), f, g, pct(f, g) }'
	if [ "$cg_ir" != "$lk_i" ] || [ "$cg_d" != "$lk_d" ]; then
		echo "run.sh: tile $t: the tools saw different programs: cachegrind $cg_ir" \
			"instructions, $cg_d data accesses; lackey $lk_i, $lk_d" >&2
		fail=1
	fi
	[ "$strad" = 0 ] || echo "run.sh: tile $t: $strad data accesses straddle a line" \
		"(cachegrind counts one miss for each, memwall one per line)" >&2
	if [ "$cgsim" = 1 ]; then
		python3 "$here/cgsim.py" "$w/lk.log" "$D1" "$LL" >"$w/cgsim.txt"
		python3 "$here/cgsim.py" "$w/lk.log" "$D1" "$LL" --per-line >>"$w/cgsim.txt"
		sed "s/^/      cgsim.py: /" "$w/cgsim.txt"
		rm -f "$w/lk.log"
	fi
	if [ "$mw_d1" != "$cg_d1" ] || [ "$mw_dl" != "$cg_d1" ]; then
		fail=1
	fi
	if ! awk -v x="$cg_lld" -v y="$mw_lld" 'BEGIN { d = y - x; if (d < 0) d = -d; exit !(d <= 0.01 * x) }'; then
		fail=1
	fi
done
echo
echo "cg = cachegrind (D1mr+D1mw, DLmr+DLmw, ILmr); mw = memwall sim --hw cachegrind.ini:"
echo "l1 miss = l1 reads.misses of the converted trace (unit 0 = D1), mw lackey = l1 misses"
echo "of memwall's lackey reader on the data lines alone; l2 d / l2 i = l2 reads.misses /"
echo "ifetches.misses (LL misses of data / of instruction fetches)."
if [ "$fail" = 1 ]; then
	echo "MISMATCH: D1 misses must be equal and LL misses within 1%"
	[ "$check" = 1 ] && exit 1
fi
exit 0
