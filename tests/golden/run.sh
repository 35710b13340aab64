#!/bin/sh
# run.sh - golden tests of the memwall command line.
#
# Usage: tests/golden/run.sh MEMWALL [--update]
# Each tests/golden/NAME.cmd holds one shell command using $MEMWALL, run
# in tests/data/; its standard output and error, then "exit N", must equal
# tests/golden/NAME.out byte for byte.  --update rewrites the .out files
# (review the diff before committing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
MEMWALL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export MEMWALL
update=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPOUT="$tmp"
pass=0 fail=0
for cmd in "$here"/*.cmd; do
	[ -e "$cmd" ] || continue
	name=$(basename "$cmd" .cmd)
	actual="$tmp/$name.out"
	(cd "$here/../data" && sh -c "$(cat "$cmd")" >"$actual" 2>&1; echo "exit $?" >>"$actual")
	if [ "$update" = "--update" ]; then
		cp "$actual" "$here/$name.out"
		pass=$((pass + 1))
	elif cmp -s "$actual" "$here/$name.out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "golden: $name differs:"
		diff -u "$here/$name.out" "$actual" | head -40
	fi
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
