#!/bin/sh
# validate-dram.sh - the published stream figures against memwall with the
# DRAM timing model (docs/dram.md's calibrated lines), one GPU at a time:
# `memwall validate --set` applies to every row, so each GPU's rows are
# selected from data/published.csv and given their machine's memory lines.
#
# Usage: validation/validate-dram.sh [MEMWALL]   (default ./memwall)
# The presets' memory is in counting mode until they carry these lines;
# then `memwall validate validation/data/published.csv` alone gives this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mw=${1:-./memwall}
data="$here/data/published.csv"
ctl="--set memory.mapping=RoBaBgCoRaChCo2+xor --set memory.write_queue=128
 --set memory.write_high=120 --set memory.write_low=8 --set memory.refresh=perbank"

run() { # PRESET CASE-REGEX MEMORY-SETS...
	hw=$1 re=$2
	shift 2
	echo "== $hw: $*"
	grep -E "^(#|case,|$re)" "$data" | "$mw" validate - --hw "$hw" "$@" $ctl
	echo
}

run h100-sxm 'h100-sxm-' --set memory.standard=hbm3-6400 --set memory.stacks=5 \
	--set memory.data_rate=5.2375Gbps --set memory.outstanding=8192
run h200 'h200-' --set memory.standard=hbm3e-9600 --set memory.stacks=6 \
	--set memory.data_rate=6.25Gbps --set memory.outstanding=8192
run a100-80g 'a100-sxm4-80gb-|a100-80gb-|a100-llmcompass-gemm-64x' \
	--set memory.standard=hbm2e-3200 --set memory.stacks=5 \
	--set memory.data_rate=3.186Gbps --set memory.outstanding=4096
run mi300x 'mi300x-' --set memory.standard=hbm3-6400 --set memory.stacks=8 \
	--set memory.data_rate=5.176Gbps --set memory.outstanding=8192
