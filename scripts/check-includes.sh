#!/bin/sh
# check-includes.sh - layers include only downwards (DESIGN.md):
# common <- traces <- hierarchy <- model <- cli; tests and bench may use all.
set -eu
status=0
check() {
	dir=$1
	shift
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		grep -o '#include "[a-z_]*/' "$f" | sed 's/#include "//; s,/$,,' | sort -u |
		while read -r inc; do
			ok=0
			for a in "$dir" "$@"; do [ "$inc" = "$a" ] && ok=1; done
			if [ $ok -eq 0 ]; then
				echo "$f: includes $inc/, which $dir/ may not use" >&2
				echo bad
			fi
		done
	done
}
out=$( {
	check common
	check traces common
	check hierarchy traces common
	check model hierarchy traces common
	check cli model hierarchy traces common
} )
[ -z "$out" ] || status=1
[ $status -eq 0 ] && echo "check-includes: layers OK"
exit $status
