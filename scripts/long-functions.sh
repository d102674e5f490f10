#!/bin/sh
# scripts/long-functions.sh - lists C functions longer than a limit (issue
# #12: "no function over ~120 lines"), longest first, as
#     LINES  FILE:LINE  FUNCTION
# where LINES counts from the line naming the function to its closing
# brace. Exit 0 when there is none, 1 when it lists any (so it can gate a
# build), 2 on a usage error or a FILE|DIR that does not exist.
#
# Usage: scripts/long-functions.sh [-n LIMIT] [FILE|DIR...]
#   -n LIMIT   report functions longer than LIMIT lines (default 120)
#   FILE|DIR   what to scan; default: every tracked *.c outside tests/
#              (git ls-files in the current directory)
#
# It relies on the house layout (a function's name at column 0, its body
# opened by "{" alone at column 0 and closed by "}" at column 0), which
# every function in the tree follows; it is a brace counter, not a parser.
set -eu
limit=120
if [ "${1:-}" = "-n" ]; then
	limit=${2:?"-n needs a number"}
	shift 2
fi
case "$limit" in *[!0-9]*|'') echo "long-functions.sh: -n: not a number: $limit" >&2; exit 2 ;; esac
for a in "$@"; do
	[ -e "$a" ] || { echo "long-functions.sh: no such file: $a" >&2; exit 2; }
done

list() {
	if [ $# -eq 0 ]; then
		git ls-files -- '*.c' ':!tests/'
		return
	fi
	for a in "$@"; do
		if [ -d "$a" ]; then
			find "$a" -name '*.c' -type f | sort
		else
			printf '%s\n' "$a"
		fi
	done
}

found=$(list "$@" | while IFS= read -r f; do
	[ -f "$f" ] || { echo "long-functions.sh: no such file: $f" >&2; continue; }
	awk -v limit="$limit" -v file="$f" '
	# A candidate function head: starts at column 0 with an identifier,
	# is not a preprocessor line or a statement, and has "(".
	/^[A-Za-z_]/ && /\(/ && !/^(typedef|(struct|enum|union) [A-Za-z_]+ *\{)/ && !/;[ \t]*$/ {
		head = FNR
		line = $0
		sub(/\(.*/, "", line)             # up to the first "("
		n = split(line, w, /[^A-Za-z0-9_]+/)
		name = w[n] != "" ? w[n] : w[n - 1]
		next
	}
	/^\{[ \t]*$/ && head {
		start = head
		inside = 1
		next
	}
	/^\}/ && inside {
		len = FNR - start + 1
		if (len > limit)
			printf "%5d  %s:%d  %s\n", len, file, start, name
		inside = 0
		head = 0
		next
	}
	' "$f"
done | sort -rn)
[ -z "$found" ] && exit 0
printf '%s\n' "$found"
exit 1
