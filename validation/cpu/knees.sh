#!/bin/sh
# knees.sh - the cache model's predicted hit/miss transitions for the CPU
# microbenchmarks' access patterns, beside the measured knees
# (validation/README.md, "Predicted and measured knees").
#
# Usage: validation/cpu/knees.sh [MEMWALL [HW]]
#   MEMWALL  the memwall binary (default build/rel/memwall)
#   HW       the machine, a preset or INI file (default cpu-host)
# Environment: DATA (default validation/data: cpu-chase.csv and
# cpu-bandwidth.csv), CC (default cc), MAX_LINES (default 32768: the
# sampled lines per lap above which set sampling starts), PAGE_MAP (default
# 4096: `sim --page-map` page size, the benchmarks' 4 KiB virtual pages
# mapped to pseudo-random physical frames, as the OS backs them; 0 = none,
# simulate the virtual addresses).
#
# For every working-set size of data/cpu-chase.csv and data/cpu-bandwidth.csv
# it generates the benchmark's access pattern (predict.c: chase.c's random
# cycle, bandwidth.c's sequential sweep; one warm-up lap, two measured laps),
# runs `memwall sim --hw HW --csv`, and takes per level the share of the
# measured loads that missed it (LEVEL reads.misses / l1 reads.accesses).
# It prints the per-size table and then the knees: predicted = the first
# working set at which a level's share reaches 50%; measured = the first
# size of each run of consecutive jumps of the measured figure (latency up
# by 1.5x or more, bandwidth down by 1.25x or more from one size to the
# next), matched to the levels in order.
#
# A report, not a test: the exit status is non-zero only when something
# fails to run (a crash, a bad config, a missing file), never for how far
# apart the knees are.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
memwall=${1:-$root/build/rel/memwall}
hw=${2:-cpu-host}
data=${DATA:-$root/validation/data}
: "${CC:=cc}" "${MAX_LINES:=32768}" "${PAGE_MAP:=4096}"
[ -x "$memwall" ] || { echo "knees.sh: no memwall binary at $memwall (make memwall)" >&2; exit 2; }
for f in cpu-chase.csv cpu-bandwidth.csv; do
	[ -r "$data/$f" ] || { echo "knees.sh: $data/$f is missing (validation/cpu/run.sh)" >&2; exit 2; }
done

w=$(mktemp -d "${TMPDIR:-/tmp}/mw-knees.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM
"$CC" -O2 -std=c11 -Wall -Wextra -o "$w/predict" "$here/predict.c"

# The levels: name, size in bytes, sets; the largest power of two (at most
# 65536) dividing every level's set count is the largest exact sample.
"$memwall" hw show "$hw" --full >"$w/hw.ini"
awk '
function bytes(v,   n, u) {
	n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
	if (u == "KiB") n *= 1024; else if (u == "MiB") n *= 1048576
	else if (u == "GiB") n *= 1073741824; else if (u == "TiB") n *= 1099511627776
	else if (u != "" && u != "B") { print "knees.sh: size unit " u > "/dev/stderr"; exit 1 }
	return n
}
/^\[l[0-9]\]/ { lv = substr($0, 2, length($0) - 2); order[++nl] = lv }
lv != "" && $1 == "size" { sz[lv] = bytes($3) }
lv != "" && $1 == "ways" { wy[lv] = $3 }
lv != "" && $1 == "line" { ln[lv] = $3 }
lv != "" && $1 == "slices" { sl[lv] = $3 }
lv != "" && $1 == "index" { ix[lv] = $3 }
/^\[memory\]/ { lv = "" }
END {
	for (i = 1; i <= nl; i++) {
		l = order[i]
		sets = wy[l] == "full" ? 1 : sz[l] / (ln[l] * wy[l] * sl[l])
		if (ix[l] != "modulo" || sl[l] != 1 || ln[l] != 64) sets = 1
		print l, sz[l], sets
	}
}' "$w/hw.ini" >"$w/levels"
kmax=$(awk 'BEGIN { k = 65536 } { while (k > 1 && $3 % k) k /= 2 } END { print k }' "$w/levels")
# Page mapping keeps the offset within a page: set sampling stays exact
# while the kept line numbers' low bits lie within the page (SAMPLE <= page / 64).
pm=
if [ "$PAGE_MAP" -gt 0 ]; then
	pm="--page-map $PAGE_MAP"
	while [ "$kmax" -gt 1 ] && [ $((kmax * 64)) -gt "$PAGE_MAP" ]; do
		kmax=$((kmax / 2))
	done
fi
nlev=$(wc -l <"$w/levels")
[ "$nlev" -ge 1 ] || { echo "knees.sh: $hw has no cache level" >&2; exit 1; }

# predict PATTERN SIZES-CSV -> lines "ws measured sample ratio_l1 ratio_l2 ..."
predict() {
	tail -n +2 "$2" | while IFS=, read -r ws meas; do
		lines=$((ws / 64)) k=1
		while [ $((lines / k)) -gt "$MAX_LINES" ] && [ "$k" -lt "$kmax" ]; do
			k=$((k * 2))
		done
		"$w/predict" "$1" "$ws" "$k" >"$w/trace.csv"
		"$memwall" sim "$w/trace.csv" --format csv $pm --hw "$hw" --csv "$w/sim.csv" >/dev/null
		awk -F, -v ws="$ws" -v meas="$meas" -v k="$k" -v levels="$w/levels" '
			$2 == "reads.accesses" { acc[$1] = $3 }
			$2 == "reads.misses" { mis[$1] = $3 }
			END {
				line = ws " " meas " " k
				while ((getline l < levels) > 0) {
					split(l, f, " ")
					line = line " " (acc["l1"] ? mis[f[1]] / acc["l1"] : 0)
				}
				print line
			}' "$w/sim.csv"
	done
}
predict chase "$data/cpu-chase.csv" >"$w/chase"
predict read "$data/cpu-bandwidth.csv" >"$w/read"

awk -v hw="$hw" -v pm="$pm" -v kmax="$kmax" -v levels="$w/levels" -v chase="$w/chase" -v rd="$w/read" '
function human(b) {
	if (b >= 1073741824) return sprintf("%g GiB", b / 1073741824)
	if (b >= 1048576) return sprintf("%g MiB", b / 1048576)
	if (b >= 1024) return sprintf("%g KiB", b / 1024)
	return b " B"
}
function load(file, tag,   l, f, n, i) {
	n = 0
	while ((getline l < file) > 0) {
		split(l, f, " "); n++
		ws[tag, n] = f[1]; meas[tag, n] = f[2]; smp[tag, n] = f[3]
		for (i = 1; i <= nl; i++) r[tag, n, i] = f[3 + i]
	}
	cnt[tag] = n
}
# the first size where level i misses for half the loads
function pknee(tag, i,   n) {
	for (n = 1; n <= cnt[tag]; n++) if (r[tag, n, i] >= 0.5) return n
	return 0
}
# measured knees: first size of each run of jumps; up = 1 for latency
function mknees(tag, up, thr,   n, x, inrun, k) {
	k = 0; inrun = 0
	for (n = 2; n <= cnt[tag]; n++) {
		x = up ? meas[tag, n] / meas[tag, n - 1] : meas[tag, n - 1] / meas[tag, n]
		if (x >= thr) { if (!inrun) mk[tag, ++k] = n; inrun = 1 } else inrun = 0
	}
	mcnt[tag] = k
}
function fmtknee(tag, n, unit) {
	if (!n) return "-"
	return sprintf("%s (%s -> %s %s)", human(ws[tag, n]), meas[tag, n - 1], meas[tag, n], unit)
}
BEGIN {
	while ((getline l < levels) > 0) { split(l, f, " "); nl++; lname[nl] = f[1]; lsize[nl] = f[2] }
	load(chase, "c"); load(rd, "r")
	printf "predicted: memwall sim --hw %s %s on the access patterns of chase.c and bandwidth.c\n", hw, pm
	printf "(share of the measured loads that miss each level; sample = 1 in N lines kept, set sampling)\n\n"
	printf "%10s %10s", "working", "chase"
	for (i = 1; i <= nl; i++) printf " %7s", lname[i]
	printf " %6s %10s", "sample", "read"
	for (i = 1; i <= nl; i++) printf " %7s", lname[i]
	printf " %6s\n", "sample"
	printf "%10s %10s", "set", "ns/load"
	for (i = 1; i <= nl; i++) printf " %7s", "miss"
	printf " %6s %10s", "", "GB/s"
	for (i = 1; i <= nl; i++) printf " %7s", "miss"
	printf "\n"
	for (n = 1; n <= cnt["c"]; n++) {
		printf "%10s %10s", human(ws["c", n]), meas["c", n]
		for (i = 1; i <= nl; i++) printf " %6.1f%%", 100 * r["c", n, i]
		printf " %6s", smp["c", n]
		if (ws["r", n] == ws["c", n]) {
			printf " %10s", meas["r", n]
			for (i = 1; i <= nl; i++) printf " %6.1f%%", 100 * r["r", n, i]
			printf " %6s", smp["r", n]
		}
		printf "\n"
	}
	mknees("c", 1, 1.5); mknees("r", 0, 1.25)
	printf "\nknees: predicted = first working set where the level misses >= 50%% of the loads;\n"
	printf "measured = first size of the k-th run of latency jumps >= 1.5x (chase) or bandwidth drops >= 1.25x (read)\n\n"
	printf "%-6s %9s | %-10s %-28s | %-10s %-28s\n", "level", "capacity", "chase pred", "chase measured", "read pred", "read measured"
	printf "%s\n", "-------------------------------------------------------------------------------------------------------"
	m = nl; if (mcnt["c"] > m) m = mcnt["c"]; if (mcnt["r"] > m) m = mcnt["r"]
	for (i = 1; i <= m; i++) {
		pc = i <= nl ? pknee("c", i) : 0; pr = i <= nl ? pknee("r", i) : 0
		printf "%-6s %9s | %-10s %-28s | %-10s %-28s\n", i <= nl ? lname[i] : "(extra)",
			i <= nl ? human(lsize[i]) : "",
			pc ? human(ws["c", pc]) : (i <= nl ? "none" : ""),
			fmtknee("c", i <= mcnt["c"] ? mk["c", i] : 0, "ns"),
			pr ? human(ws["r", pr]) : (i <= nl ? "none" : ""),
			fmtknee("r", i <= mcnt["r"] ? mk["r", i] : 0, "GB/s")
	}
}'
