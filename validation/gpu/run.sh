#!/bin/sh
# run.sh - measure the kernels of cases.txt on this machine's NVIDIA GPU
# with Nsight Compute and store the results under validation/data/.
#
# Usage: validation/gpu/run.sh [-c CASES] [-f REGEX] [-o DATA_DIR] [-n]
#   -c CASES   case list (default validation/gpu/cases.txt)
#   -f REGEX   only the cases whose name matches REGEX (grep -E)
#   -o DIR     where the results go (default validation/data)
#   -n         dry run: check the tools, build, print the ncu commands
#
# Steps: (1) check that nvidia-smi sees a GPU and that nvcc and ncu exist;
# (2) build mwbench for this GPU's compute capability; (3) run mwbench
# --check on small shapes of every compiled configuration (stops on a
# wrong result); (4) profile every case twice, with ncu's default
# --cache-control all (L1 and L2 flushed before the kernel: cold-cache
# numbers) and with --cache-control none after one unprofiled warm-up
# repetition; clocks locked at base (ncu's default --clock-control base).
# Output: DIR/gpu-<gpu>-<date>.csv (the measured-data layout of
# validation/README.md, one row per case x launch x metric x cache
# control), DIR/gpu-<gpu>-<date>.txt (machine, versions, commands) and the
# raw ncu exports in DIR/gpu-<gpu>-<date>-raw/, and the correctness
# checks' output in DIR/gpu-<gpu>-<date>-checks.txt.
# Environment: NVCC, NCU (tool paths); MWBENCH (a prebuilt mwbench, skips
# the build).  Exit status 2 with a one-line reason when no GPU, driver,
# nvcc or ncu is present.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/cases.txt
filter=.
data=$here/../data
dry=0
while getopts c:f:o:n opt; do
	case $opt in
	c) cases=$OPTARG ;;
	f) filter=$OPTARG ;;
	o) data=$OPTARG ;;
	n) dry=1 ;;
	*) echo "usage: $0 [-c CASES] [-f REGEX] [-o DATA_DIR] [-n]" >&2; exit 64 ;;
	esac
done
die() {
	echo "run.sh: $*" >&2
	exit 2
}

# ---- (1) tools and GPU ------------------------------------------------------
command -v nvidia-smi >/dev/null 2>&1 ||
	die "nvidia-smi not found: no NVIDIA driver on this machine (run this on a GPU machine)"
gpus=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null) ||
	die "nvidia-smi finds no usable GPU: $(nvidia-smi 2>&1 | head -1)"
[ -n "$gpus" ] || die "nvidia-smi lists no GPU"
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null 2>&1 || NVCC=/usr/local/cuda/bin/nvcc
[ -n "${MWBENCH:-}" ] || [ -x "$(command -v "$NVCC" 2>/dev/null)" ] ||
	die "nvcc not found (install the CUDA toolkit or set NVCC=/path/to/nvcc)"
NCU=${NCU:-ncu}
command -v "$NCU" >/dev/null 2>&1 || NCU=/usr/local/cuda/bin/ncu
[ -x "$(command -v "$NCU" 2>/dev/null)" ] ||
	die "ncu (Nsight Compute) not found (install it or set NCU=/path/to/ncu)"
[ -r "$cases" ] || die "$cases: cannot read the case list"

gpu=$(echo "$gpus" | head -1)
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')
driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)
if [ -n "${MWBENCH:-}" ]; then
	cuda=$(nvidia-smi | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
else
	cuda=$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
fi
ncuver=$("$NCU" --version | sed -n 's/.*Version \([^ ]*\).*/\1/p' | head -1)
[ -n "$cc" ] || die "cannot read the compute capability from nvidia-smi"
slug=$(echo "$gpu" | tr '[:upper:]' '[:lower:]' | sed 's/^nvidia //; s/[^a-z0-9]\{1,\}/-/g; s/-$//')
stamp=$(date -u +%Y%m%d)
base=$data/gpu-$slug-$stamp
raw=$base-raw
csv=$base.csv
tmpcsv=$csv.tmp.$$
work=$(mktemp -d)
trap 'rm -rf "$work" "$tmpcsv"' EXIT
if [ $dry -eq 1 ]; then # a dry run writes nothing under DIR
	base=$work/dry
	raw=$base-raw
	csv=$base.csv
	tmpcsv=$csv.tmp
fi

# ---- (2) build ----------------------------------------------------------------
echo "run.sh: $gpu (sm_$cc), driver $driver, CUDA $cuda, ncu $ncuver"
if [ -n "${MWBENCH:-}" ]; then
	bench=$MWBENCH # a prebuilt mwbench (the harness test uses a stand-in)
	[ -x "$bench" ] || die "MWBENCH=$bench is not an executable"
else
	"$NVCC" -O3 -std=c++17 -arch=sm_"$cc" -lineinfo -o "$work/mwbench" "$here/mwbench.cu" ||
		die "nvcc failed to build mwbench.cu"
	bench=$work/mwbench
fi

# ---- metrics this GPU and ncu know ------------------------------------------------
wanted="dram__bytes_read.sum dram__bytes_write.sum
lts__t_sectors_srcunit_tex_op_read.sum lts__t_sectors_srcunit_tex_op_write.sum
lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum
lts__t_sectors_srcunit_tex_op_write_lookup_hit.sum lts__t_sectors_srcunit_tex_op_write_lookup_miss.sum
lts__t_sectors_srcunit_tex_lookup_hit.sum lts__t_sectors_srcunit_tex_lookup_miss.sum
lts__t_sectors_srcunit_ltcfabric.sum
l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum
l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum l1tex__t_sector_hit_rate.pct
lts__t_sector_op_read_hit_rate.pct gpu__time_duration.sum
dram__bytes_op_read.sum dram__bytes_op_write.sum"
"$NCU" --query-metrics >"$work/known.txt" 2>&1 || die "ncu --query-metrics failed: $(head -3 "$work/known.txt")"
metrics=
for m in $wanted; do
	if awk -v b="${m%.*}" '$1 == b { f = 1 } END { exit !f }' "$work/known.txt"; then
		metrics=${metrics:+$metrics,}$m
	else
		echo "run.sh: ncu does not know ${m%.*} on this GPU; not collected" >&2
	fi
done
if [ -z "$metrics" ]; then
	# an unexpected --query-metrics layout: ask for the GH100/GA100 names
	echo "run.sh: cannot read ncu --query-metrics; collecting the metrics of ncu-metrics.md's suggested invocation" >&2
	metrics=dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_srcunit_tex_op_read.sum
	metrics=$metrics,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum
	metrics=$metrics,lts__t_sectors_srcunit_tex_op_write.sum,lts__t_sectors_srcunit_ltcfabric.sum
	metrics=$metrics,l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum
	metrics=$metrics,gpu__time_duration.sum
fi

# ---- (3) correctness on small shapes ----------------------------------------------
if [ $dry -eq 0 ]; then
	echo "run.sh: checking every compiled configuration against the host reference"
	sh "$here/checks.sh" "$bench" >"$work/checks.log" 2>&1 || {
		grep -A3 FAILED "$work/checks.log" >&2
		die "$(tail -1 "$work/checks.log"): nothing measured"
	}
	tail -1 "$work/checks.log"
fi

# ---- (4) profile ----------------------------------------------------------------------
mkdir -p "$raw" || die "cannot create $raw"
[ $dry -eq 1 ] || cp "$work/checks.log" "$base-checks.txt"
echo "case,kernel,params,launch,metric,measured,unit,cache_control,gpu,driver,cuda,ncu,command" >"$tmpcsv"
{
	echo "# GPU measurement run"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "command: validation/gpu/run.sh $*"
	echo "gpu: $gpu (sm_$cc)"
	echo "driver: $driver"
	echo "cuda: $cuda"
	echo "ncu: $("$NCU" --version | tail -1)"
	echo "metrics: $metrics"
	echo
	nvidia-smi
	nvidia-smi -q -d CLOCK 2>/dev/null || true
	echo
	echo "# commands"
} >"$base.txt"

# Appends the rows of one raw export (--page raw --print-units base).
convert() { # case kernel params cache_control command rawcsv
	awk -v case_="$1" -v kern="$2" -v params="$3" -v cc="$4" -v cmd="$5" \
		-v gpu="$gpu" -v drv="$driver" -v cuda="$cuda" -v ncu="$ncuver" '
	function q(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
	function out(launch, m, v, u) {
		printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", q(case_), q(kern),
			q(params), q(launch), q(m), v, q(u), q(cc), q(gpu), q(drv),
			q(cuda), q(ncu), q(cmd)
	}
	/^==/ { next }
	{
		line = $0; sub(/\r$/, "", line)
		if (line !~ /^"/) next
		line = substr(line, 2, length(line) - 2)
		n = split(line, f, /","/)
	}
	!hdr { if (f[1] != "ID") next; hdr = 1; nf = n
	       for (i = 1; i <= n; i++) { name[i] = f[i]; if (f[i] == "Kernel Name") kc = i }
	       next }
	n != nf { printf "run.sh: %s: %d fields, header has %d\n", FILENAME, n, nf > "/dev/stderr"; bad = 1; exit 1 }
	f[1] == "" { for (i = 1; i <= n; i++) unit[i] = f[i]; next }
	{
		nl++
		for (i = 1; i <= n; i++) {
			if (name[i] !~ /__/ || f[i] == "n/a" || f[i] == "") continue
			v = f[i]; gsub(/,/, "", v)
			if (v !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) continue
			out(f[1] ":" f[kc], name[i], v, unit[i])
			if (!(name[i] in seen)) { seen[name[i]] = 1; order[++nm] = name[i] }
			sum[name[i]] += v; cnt[name[i]]++; u[name[i]] = unit[i]
		}
	}
	END {
		if (bad) exit 1
		if (!nl) { printf "run.sh: %s: no profiled launch\n", FILENAME > "/dev/stderr"; exit 1 }
		for (j = 1; j <= nm; j++) {
			m = order[j]
			if (nl == 1 || m ~ /\.sum$/) out("*", m, sprintf("%.17g", sum[m]), u[m])
		}
	}' "$6" >>"$tmpcsv"
}

grep -v '^[[:space:]]*\(#\|$\)' "$cases" >"$work/cases" || die "$cases: no cases"
while read -r name kernel args; do
	echo "$name" | grep -Eq -- "$filter" || continue
	# shellcheck disable=SC2086
	nl=$("$bench" "$kernel" $args --launches) || die "$name: mwbench rejects: $kernel $args"
	for ctl in all none; do
		rep=$work/$name-$ctl
		if [ $ctl = all ]; then
			extra="--launch-skip 0"
			reps=1
		else
			extra="--launch-skip $nl"
			reps=2
		fi
		cmd="$NCU --cache-control $ctl --clock-control base -k regex:^mwk_ $extra --metrics $metrics -f -o $name-$ctl mwbench $kernel $args --reps $reps"
		echo "$cmd" >>"$base.txt"
		if [ $dry -eq 1 ]; then
			echo "$cmd"
			continue
		fi
		echo "run.sh: $name ($ctl)"
		# shellcheck disable=SC2086
		"$NCU" --cache-control $ctl --clock-control base -k regex:^mwk_ $extra \
			--metrics "$metrics" -f -o "$rep" "$bench" "$kernel" $args --reps $reps \
			>"$work/ncu.log" 2>&1 || {
			tail -20 "$work/ncu.log" >&2
			! grep -q ERR_NVGPUCTRPERM "$work/ncu.log" ||
				die "$name: ncu may not read the performance counters (ERR_NVGPUCTRPERM): run as root or set NVreg_RestrictProfilingToAdminUsers=0"
			die "$name: ncu failed"
		}
		LC_ALL=C "$NCU" --import "$rep.ncu-rep" --csv --page raw --print-units base \
			>"$raw/$name.$ctl.csv" 2>"$work/import.log" ||
			{ cat "$work/import.log" >&2; die "$name: ncu --import failed"; }
		convert "$name" "$kernel" "$args" "$ctl" "$cmd" "$raw/$name.$ctl.csv" ||
			die "$name: cannot convert $raw/$name.$ctl.csv"
	done
done <"$work/cases"
if [ $dry -eq 1 ]; then
	rm -f "$tmpcsv"
	echo "run.sh: dry run, nothing measured"
	exit 0
fi
mv "$tmpcsv" "$csv"
echo "run.sh: wrote $csv, $base.txt and $raw/"
