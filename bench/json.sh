#!/bin/sh
# bench/json.sh - peak memory of `virtbench export --format json` and
# `virtbench import json` at two file sizes, 15 MB and 150 MB, in the same
# run: the ratio of the peaks (large / small) is the measure - 1.0 means
# memory does not grow with the file. Also the wall times, and sqlite3's
# own peak while reading the same database, for scale.
#
# Data: classic lines imported with `virtbench import classic` (6 samples
# a line, all sharing the line's raw output), exported as JSON; the large
# file has 10x the lines of the small one.
#
# usage: bench/json.sh [LINES_SMALL]     (default 6000 = ~15 MB of JSON)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
small=${1:-6000}
T=$(mktemp -d /tmp/vbbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -x /usr/bin/time ] || { echo "bench/json.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

gen() { # LINES SEED FILE
	awk -v n="$1" -v s="$2" 'BEGIN { srand(s); for (i = 0; i < n; i++)
		printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 60 * i,
		4500 + rand() * 100, 16000 + rand() * 500, 240 + rand() * 5,
		230 + rand() * 5, 9000 + rand() * 300, 23000 + rand() * 900 }' >"$3"
}
for size in small large; do
	n=$small
	[ $size = large ] && n=$((small * 10))
	gen "$n" 1 "$T/$size-a.csv"
	gen "$n" 2 "$T/$size-b.csv"
	"$VIRTBENCH" -q --db "$T/$size.db" import classic "$T/$size-a.csv" --platform native >/dev/null
	"$VIRTBENCH" -q --db "$T/$size.db" import classic "$T/$size-b.csv" --platform kvm >/dev/null
done

peak() { # OUTFILE COMMAND... -> prints "SECONDS KB"
	o=$1
	shift
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$T/rss" "$@" >"$o"
	t1=$(date +%s.%N)
	echo "$(echo "$t1 - $t0" | bc -l) $(tail -n 1 "$T/rss")"
}
for size in small large; do
	set -- $(peak "$T/$size.json" "$VIRTBENCH" -q --db "$T/$size.db" export --format json)
	eval "exp_t_$size=$1 exp_kb_$size=$2"
	rm -f "$T/$size-in.db"*
	set -- $(peak /dev/null "$VIRTBENCH" -q --db "$T/$size-in.db" import json "$T/$size.json")
	eval "imp_t_$size=$1 imp_kb_$size=$2"
	set -- $(peak /dev/null sqlite3 "$T/$size.db" "SELECT count(*), sum(length(text)) FROM output")
	eval "ref_kb_$size=$2"
	eval "mb_$size=\$(( \$(stat -c %s \"\$T/$size.json\") / 1000000 ))"
	cmp -s "$T/$size.json" /dev/null && { echo "empty export"; exit 1; }
	"$VIRTBENCH" -q --db "$T/$size-in.db" export --format json | cmp -s - "$T/$size.json" ||
		{ echo "bench/json.sh: the $size round trip differs" >&2; exit 1; }
done
printf 'JSON file: %d MB and %d MB (%s and %s samples)\n' "$mb_small" "$mb_large" \
	$((small * 12)) $((small * 120))
printf 'export json: peak %d MB and %d MB, ratio %.2f (%.1f s and %.1f s)\n' \
	$((exp_kb_small / 1024)) $((exp_kb_large / 1024)) \
	"$(echo "$exp_kb_large / $exp_kb_small" | bc -l)" "$exp_t_small" "$exp_t_large"
printf 'import json: peak %d MB and %d MB, ratio %.2f (%.1f s and %.1f s)\n' \
	$((imp_kb_small / 1024)) $((imp_kb_large / 1024)) \
	"$(echo "$imp_kb_large / $imp_kb_small" | bc -l)" "$imp_t_small" "$imp_t_large"
printf 'sqlite3 reading every output, for scale: peak %d MB and %d MB\n' \
	$((ref_kb_small / 1024)) $((ref_kb_large / 1024))
