#!/bin/sh
# test-harness.sh - tests run.sh without a GPU: with no nvidia-smi it must
# fail with one clear line; with stand-ins for nvidia-smi, ncu and mwbench
# (which print what the real tools print, ncu's raw export with its units
# row and thousands separators) it must write the measured-data CSV.
#
# Usage: validation/gpu/test-harness.sh [KEEP_DIR]
#   KEEP_DIR: also copy the CSV it produced there (tests/data/measured/
#   holds one, read by tests/test_measured.c).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap '[ -n "${KEEPTMP:-}" ] || rm -rf "$tmp"' EXIT
fail() {
	echo "test-harness: FAIL: $*" >&2
	exit 1
}

# 1. no GPU: nvidia-smi absent.
mkdir -p "$tmp/empty"
st=0
PATH="$tmp/empty:/usr/bin:/bin" "$here/run.sh" -o "$tmp/out0" >"$tmp/log0" 2>&1 || st=$?
[ $st -eq 2 ] || fail "no nvidia-smi: exit $st, want 2"
grep -q '^run.sh: nvidia-smi not found' "$tmp/log0" || fail "no nvidia-smi: $(cat "$tmp/log0")"
[ "$(wc -l <"$tmp/log0")" -eq 1 ] || fail "no nvidia-smi: more than one line"
[ ! -e "$tmp/out0" ] || fail "no nvidia-smi: output directory created"

# 2. a driver without a usable GPU.
mkdir -p "$tmp/bad"
cat >"$tmp/bad/nvidia-smi" <<'EOF'
#!/bin/sh
echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2
exit 9
EOF
chmod +x "$tmp/bad/nvidia-smi"
st=0
PATH="$tmp/bad:/usr/bin:/bin" "$here/run.sh" -o "$tmp/out1" >"$tmp/log1" 2>&1 || st=$?
[ $st -eq 2 ] || fail "broken driver: exit $st, want 2"
grep -q 'finds no usable GPU' "$tmp/log1" || fail "broken driver: $(cat "$tmp/log1")"

# 3. GPU but no ncu.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/nvidia-smi" <<'EOF'
#!/bin/sh
case "$*" in
*--query-gpu=name*) echo "NVIDIA H200" ;;
*--query-gpu=compute_cap*) echo "9.0" ;;
*--query-gpu=driver_version*) echo "570.86.15" ;;
*) echo "| NVIDIA-SMI 570.86.15   Driver Version: 570.86.15   CUDA Version: 12.8 |" ;;
esac
EOF
cat >"$tmp/bin/mwbench" <<'EOF'
#!/bin/sh
case "$*" in
--list) printf 'gemm --tile: 128x128x32\nattention --head-dim/--block-q/--block-kv: 128/128/64\ndecode --head-dim: 128\n'; exit 0 ;;
*--launches*) case "$1" in decode) echo 2 ;; *) echo 1 ;; esac; exit 0 ;;
*--check*) echo "check $1: ok"; exit 0 ;;
esac
echo "$1: 1.000 ms (event timing)"
EOF
chmod +x "$tmp/bin/nvidia-smi" "$tmp/bin/mwbench"
st=0
PATH="$tmp/bin:/usr/bin:/bin" MWBENCH=$tmp/bin/mwbench NCU=$tmp/none "$here/run.sh" -o "$tmp/out2" >"$tmp/log2" 2>&1 || st=$?
[ $st -eq 2 ] || fail "no ncu: exit $st, want 2"
grep -q 'ncu (Nsight Compute) not found' "$tmp/log2" || fail "no ncu: $(cat "$tmp/log2")"

# 4. everything present (stand-ins): the CSV.
cat >"$tmp/bin/ncu" <<'EOF'
#!/bin/sh
# stand-in for Nsight Compute: --version, --query-metrics, profiling
# (-o REP: records the command in REP.ncu-rep) and --import REP --csv.
case "$1" in
--version) printf 'NVIDIA (R) Nsight Compute Command Line Profiler\nVersion 2025.1.0.0 (build 35237052) (public-release)\n'; exit 0 ;;
--query-metrics)
	echo "Device GH100"
	echo "Metric Name                                Metric Description"
	for m in dram__bytes_read dram__bytes_write lts__t_sectors_srcunit_tex_op_read \
		lts__t_sectors_srcunit_tex_op_read_lookup_hit lts__t_sectors_srcunit_tex_op_read_lookup_miss \
		lts__t_sectors_srcunit_tex_op_write l1tex__t_sector_hit_rate gpu__time_duration; do
		echo "$m                 some description"
	done
	exit 0 ;;
--import)
	rep=$2
	if grep -q ' decode ' "$rep"; then
		n=2
	else
		n=1
	fi
	echo '==PROF== Disconnected'
	echo '"ID","API Stream","Block Size","Context","Device","Device Name","Grid Size","Kernel Name","dram__bytes_read.sum","dram__bytes_write.sum","gpu__time_duration.sum","l1tex__t_sector_hit_rate.pct","lts__t_sectors_srcunit_tex_op_read.sum","lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum","lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum","lts__t_sectors_srcunit_tex_op_write.sum"'
	echo '"","","","","","","","","byte","byte","nsecond","%","sector","sector","sector","sector"'
	echo '"3","7","(256, 1, 1)","1","0","NVIDIA H200","(4096, 1, 1)","mwk_first(const __half *, int)","1,610,612,736","134,217,728","2,480,512","45.5","50,331,648","45,000,000","5,331,648","4,194,304"'
	[ $n -eq 1 ] || echo '"4","7","(128, 1, 1)","1","0","NVIDIA H200","(256, 1, 1)","mwk_second","8,192","4,096","3,200","n/a","512","500","12","128"'
	exit 0 ;;
esac
all="$*"
out=
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift ;;
	esac
	shift
done
[ -n "$out" ] || { echo "ncu stand-in: no -o" >&2; exit 1; }
echo "==PROF== Connected to process"
echo "profiled: $all" >"$out.ncu-rep"
EOF
chmod +x "$tmp/bin/ncu"
cat >"$tmp/cases.txt" <<'EOF'
# two cases
gemm-a  gemm --m 8192 --n 8192 --k 8192 --tile 128x128x32 --order grouped:8
decode-b  decode --batch 8 --heads 32 --kv-heads 8 --kv-len 8192 --splits 4
attn-skipped  attention --heads 2 --seq 256 --head-dim 128 --block-q 128 --block-kv 64
EOF
PATH="$tmp/bin:/usr/bin:/bin" MWBENCH=$tmp/bin/mwbench "$here/run.sh" -c "$tmp/cases.txt" -f '^(gemm|decode)' \
	-o "$tmp/out3" >"$tmp/log3" 2>&1 || fail "stand-ins: run.sh failed: $(cat "$tmp/log3")"
csv=$(ls "$tmp"/out3/gpu-h200-*.csv) || fail "no gpu-h200-DATE.csv"
ls "$tmp"/out3/gpu-h200-*-raw/gemm-a.all.csv "$tmp"/out3/gpu-h200-*-raw/decode-b.none.csv >/dev/null ||
	fail "raw exports missing"
grep -q 'lts__t_sectors_srcunit_tex_op_write_lookup_hit.* not collected' "$tmp/log3" ||
	fail "a metric ncu lacks was not reported"
head -1 "$csv" | grep -qx 'case,kernel,params,launch,metric,measured,unit,cache_control,gpu,driver,cuda,ncu,command' ||
	fail "header: $(head -1 "$csv")"
# gemm: 1 launch x 8 metrics, a "*" row per metric, both cache controls
n=$(grep -c '^"gemm-a"' "$csv")
[ "$n" -eq 32 ] || fail "gemm-a: $n rows, want 32"
grep -q '^"gemm-a","gemm","--m 8192 --n 8192 --k 8192 --tile 128x128x32 --order grouped:8","\*","dram__bytes_read.sum",1610612736,"byte","all","NVIDIA H200","570.86.15","12.8","2025.1.0.0",' "$csv" ||
	fail "gemm-a dram row: $(grep '^"gemm-a".*dram__bytes_read' "$csv" | head -1)"
# decode: 2 launches: per-launch rows (8 + 7, n/a left out) and sums of the .sum metrics (7)
n=$(grep -c '^"decode-b".*"none"' "$csv")
[ "$n" -eq 22 ] || fail "decode-b none: $n rows, want 22"
grep -q '^"decode-b","decode",[^,]*,"\*","gpu__time_duration.sum",2483712,"nsecond","none"' "$csv" ||
	fail "decode-b time sum: $(grep '^"decode-b".*"\*","gpu__time' "$csv")"
! grep -q '"decode-b".*"\*","l1tex__t_sector_hit_rate.pct"' "$csv" || fail "a .pct metric was summed"
grep -q -- '--cache-control none --clock-control base -k regex:^mwk_ --launch-skip 2 .* decode .* --reps 2' "$csv" ||
	fail "decode warm run does not skip its 2 warm-up launches"
! grep -q attn-skipped "$csv" || fail "-f did not filter"
grep -q 'checks.sh: .* checks passed' "$tmp"/out3/gpu-h200-*-checks.txt || fail "checks output not kept"

# 5. a wrong kernel result: nothing is measured.
# shellcheck disable=SC2016
sed 's/^\*--check\*) echo "check $1: ok"; exit 0 ;;/*--check*) case "$1" in decode) echo "check decode: FAILED"; exit 1 ;; esac; echo "check $1: ok"; exit 0 ;;/' \
	"$tmp/bin/mwbench" >"$tmp/bin/mwbench-bad"
chmod +x "$tmp/bin/mwbench-bad"
grep -q 'check decode: FAILED' "$tmp/bin/mwbench-bad" || fail "could not make the failing stand-in"
st=0
PATH="$tmp/bin:/usr/bin:/bin" MWBENCH=$tmp/bin/mwbench-bad "$here/run.sh" -c "$tmp/cases.txt" \
	-o "$tmp/out4" >"$tmp/log4" 2>&1 || st=$?
[ $st -eq 2 ] || fail "failing check: exit $st, want 2"
grep -q 'nothing measured' "$tmp/log4" || fail "failing check: $(cat "$tmp/log4")"
! ls "$tmp"/out4/gpu-*.csv >/dev/null 2>&1 || fail "failing check: a CSV was written"

# 6. a dry run prints the ncu commands and writes nothing.
PATH="$tmp/bin:/usr/bin:/bin" MWBENCH=$tmp/bin/mwbench "$here/run.sh" -n -c "$tmp/cases.txt" \
	-o "$tmp/out5" >"$tmp/log5" 2>&1 || fail "dry run: $(cat "$tmp/log5")"
[ "$(grep -c -- '--cache-control' "$tmp/log5")" -eq 6 ] || fail "dry run: $(cat "$tmp/log5")"
[ ! -e "$tmp/out5" ] || fail "dry run wrote $(ls "$tmp/out5")"

if [ $# -ge 1 ]; then
	cp "$csv" "$1/gpu-standin.csv"
fi
echo "test-harness: run.sh OK (no GPU: clean error; stand-ins: $(($(wc -l <"$csv") - 1)) rows)"
