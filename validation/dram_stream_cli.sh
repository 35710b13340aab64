#!/bin/sh
# dram_stream_cli.sh - a streaming copy through `memwall sim` on the
# h100-sxm and h200 presets, compared with the measured device-to-device
# copies of gpu-hardware.md section 2 (89.5 % and 89.6 % of peak).
#
# Usage: validation/dram_stream_cli.sh [MEMWALL] [RECORDS]
#   MEMWALL  the built binary (default ./memwall)
#   RECORDS  trace length, reads and writes alternating (default 1000000)
#
# The copy reads a[k] and writes b[k] (8 GiB apart), 128 B per record,
# records spread over 132 units round robin: the pattern of the DRAM
# bench (docs/dram.md).  Each preset runs twice: "memory" is its
# [memory] section alone (no cache levels: the stream straight on the
# HBM, as the bench), "full" the whole preset with --flush (the reads
# miss through L1 and L2, the writes reach the HBM as L2 write-backs).
set -eu
M=${1:-./memwall}
N=${2:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$N" 'BEGIN {
	print "addr,size,op,unit,tensor"
	for (k = 0; 2 * k < n; k++) {
		printf "0x%x,128,r,%d,a\n", k * 128, k % 132
		if (2 * k + 1 < n)
			printf "0x2%08x,128,w,%d,b\n", k * 128, k % 132
	}
}' >"$tmp/copy.csv"
"$M" convert "$tmp/copy.csv" "$tmp/copy.mwt" >/dev/null
printf '%-9s %-7s %10s %12s %12s %8s %9s\n' machine config records \
	"peak GB/s" "model GB/s" model measured
for hw in h100-sxm h200; do
	case $hw in
	h100-sxm) meas=89.5 ;;
	h200) meas=89.6 ;;
	esac
	{
		printf '[machine]\nname = %s-memory\nunits = 132\n\n' "$hw"
		"$M" hw show "$hw" | sed -n '/^\[memory\]/,$p' | grep -v '^;'
	} >"$tmp/$hw-memory.ini"
	for cfg in memory full; do
		if [ $cfg = memory ]; then
			"$M" sim "$tmp/copy.mwt" --hw "$tmp/$hw-memory.ini" \
				--csv - >"$tmp/out.csv"
		else
			"$M" sim "$tmp/copy.mwt" --hw "$hw" --flush \
				--csv - >"$tmp/out.csv"
		fi
		awk -F, -v hw="$hw" -v cfg="$cfg" -v n="$N" -v meas="$meas" '
			$1 == "memory" && $2 == "peak_bandwidth_GBps" { p = $3 }
			$1 == "memory" && $2 == "effective_bandwidth_GBps" { e = $3 }
			$1 == "memory" && $2 == "efficiency" { f = $3 }
			END { printf "%-9s %-7s %10d %12.1f %12.1f %7.1f%% %8.1f%%\n",
				hw, cfg, n, p, e, 100 * f, meas }' "$tmp/out.csv"
	done
done
