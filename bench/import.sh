#!/bin/sh
# bench/import.sh - virtbench's classic import of 1,000,000 samples against
# the sqlite3 shell's .import of the same rows (one row per sample, same
# columns and raw text) into a plain table, alternated in the same run.
# Prints each timing, the ratio of medians (goal: <= 1.5; absolute goal
# <= 1.0 s) and the database's bytes per sample (goal <= 40), beside the
# reference table's. With OLD_VIRTBENCH=PATH (e.g. a build of the previous
# release) that binary is timed in the same rounds too.
#
# usage: [OLD_VIRTBENCH=PATH] bench/import.sh [REPS]        (default 5)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
reps=${1:-5}
T=$(mktemp -d /tmp/vbbench.XXXXXX)
trap 'rm -rf "$T"' EXIT

lines=166667 # x 6 benchmarks = 1,000,002 samples
awk -v n=$lines 'BEGIN { srand(1); for (i = 0; i < n; i++)
	printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 60 * i,
	4500 + rand() * 100, 16000 + rand() * 500, 240 + rand() * 5,
	230 + rand() * 5, 9000 + rand() * 300, 23000 + rand() * 900 }' >"$T/classic.csv"
# The same samples, one row per sample, as the reference imports them.
awk -F, 'BEGIN { split("cpu mem diskRand diskSeq fork uplink", b, " ");
	split("events/s MiB/s MiB/s MiB/s forks/s Mbit/s", u, " ") }
	{ for (i = 2; i <= 7; i++)
	printf "bench-run,%s,native,%s,%d,%s,%s,ok,%s,\"%s\"\n", "host", b[i-1],
		NR, $i, u[i-1], strftime("%Y-%m-%dT%H:%M:%S.000Z", $1, 1), $0 }' \
	"$T/classic.csv" >"$T/rows.csv"
# The same samples as a tidy CSV for `import csv` (one row per sample).
awk -F, 'BEGIN { print "host,platform,benchmark,value,unit,direction,repetition,time";
	split("cpu mem diskRand diskSeq fork uplink", b, " ");
	split("events/s MiB/s MiB/s MiB/s forks/s Mbit/s", u, " ") }
	{ for (i = 2; i <= 7; i++)
	printf "host,native,%s,%s,%s,higher,%d,%d\n", b[i-1], $i, u[i-1], NR, $1 }' \
	"$T/classic.csv" >"$T/tidy.csv"
echo "samples: $(wc -l <"$T/rows.csv")"

now() { date +%s.%N; }
vb_times="" ref_times="" old_times="" csv_times=""
OLD_VIRTBENCH=${OLD_VIRTBENCH:-}
for r in $(seq "$reps"); do
	rm -f "$T"/vb.db* "$T"/ref.db* "$T"/old.db*
	if [ -n "$OLD_VIRTBENCH" ]; then
		o0=$(now)
		"$OLD_VIRTBENCH" -q --db "$T/old.db" import classic "$T/classic.csv" --platform native >/dev/null
		o1=$(now)
		old_times="$old_times $(echo "$o1 - $o0" | bc -l)"
	fi
	t0=$(now)
	"$VIRTBENCH" -q --db "$T/vb.db" import classic "$T/classic.csv" --platform native >/dev/null
	t1=$(now)
	sqlite3 "$T/ref.db" "CREATE TABLE sample (run TEXT, host TEXT, platform TEXT,
		benchmark TEXT, repetition INTEGER, value REAL, unit TEXT, status TEXT,
		started_at TEXT, raw_output TEXT)" ".mode csv" ".import $T/rows.csv sample"
	t2=$(now)
	rm -f "$T"/csv.db*
	"$VIRTBENCH" -q --db "$T/csv.db" import csv "$T/tidy.csv" >/dev/null
	t3=$(now)
	csv_times="$csv_times $(echo "$t3 - $t2" | bc -l)"
	vb=$(echo "$t1 - $t0" | bc -l); ref=$(echo "$t2 - $t1" | bc -l)
	printf 'rep %d: virtbench %.3f s, sqlite3 .import %.3f s, ratio %.2f\n' \
		"$r" "$vb" "$ref" "$(echo "$vb / $ref" | bc -l)"
	vb_times="$vb_times $vb"; ref_times="$ref_times $ref"
done
[ "$(sqlite3 "$T/vb.db" 'SELECT count(*) FROM sample_value')" = \
  "$(sqlite3 "$T/ref.db" 'SELECT count(*) FROM sample')" ] || { echo "row counts differ"; exit 1; }
median() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mv=$(median $vb_times); mr=$(median $ref_times)
printf 'median: virtbench %.3f s, sqlite3 .import %.3f s, ratio %.2f (goal <= 1.5; <= 1.0 s)\n' \
	"$mv" "$mr" "$(echo "$mv / $mr" | bc -l)"
mc=$(median $csv_times)
printf 'median: virtbench import csv (the same samples, tidy) %.3f s, ratio %.2f to sqlite3 .import\n' \
	"$mc" "$(echo "$mc / $mr" | bc -l)"
if [ -n "$OLD_VIRTBENCH" ]; then
	mo=$(median $old_times)
	printf 'median: previous release %.3f s, %.2fx this one\n' "$mo" "$(echo "$mo / $mv" | bc -l)"
fi
n=$(wc -l <"$T/rows.csv")
printf 'bytes per sample: virtbench %.1f (goal <= 40), the plain reference table %.1f\n' \
	"$(echo "$(stat -c %s "$T/vb.db") / $n" | bc -l)" "$(echo "$(stat -c %s "$T/ref.db") / $n" | bc -l)"
[ -n "$OLD_VIRTBENCH" ] && printf 'bytes per sample: previous release %.1f\n' \
	"$(echo "$(stat -c %s "$T/old.db") / $n" | bc -l)"
exit 0
