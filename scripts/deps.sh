#!/bin/sh
# deps.sh - make sure the Debian packages memwall needs are installed.
#
# Usage: scripts/deps.sh build|test|fuzz|bench|plot
# Installs what is missing when run as root (apt-get), otherwise stops
# with the exact command to run.  Prints nothing when all is present.
set -eu

case "${1:-build}" in
build) pkgs="gcc make pkg-config zlib1g-dev libdeflate-dev libcsv-dev libinih-dev" ;;
test) pkgs="gcc make pkg-config zlib1g-dev libdeflate-dev libcsv-dev libinih-dev libcriterion-dev clang-format gnuplot-nox valgrind" ;;
fuzz) pkgs="clang libclang-rt-14-dev zlib1g-dev libdeflate-dev libcsv-dev libinih-dev" ;;
bench) pkgs="xz-utils gzip" ;;
plot) pkgs="gnuplot-nox" ;;
*) echo "deps.sh: unknown set '$1' (build, test, fuzz, bench, plot)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; make sure these (or their equivalents) are installed: $pkgs" >&2
	exit 0
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "memwall needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Try without refreshing the package lists first (fast when they are
# current), then refresh and retry (a fresh machine has none).
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
