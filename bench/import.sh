#!/bin/sh
# bench/import.sh - virtbench's classic import of 1,000,000 samples against
# the sqlite3 shell's .import of the same rows (one row per sample, same
# columns and raw text) into a plain table, alternated in the same run.
# Prints each timing (wall and CPU: user + sys), the ratios of medians
# (absolute goal: 1M samples in <= 1.0 s, for import classic and import
# csv of the same samples as a tidy file) and the database's bytes per
# sample (goal <= 40), beside the reference table's. With
# OLD_VIRTBENCH=PATH (e.g. a build of the previous release) that binary is
# timed in the same rounds too; IMPORT_LINES=N classic lines (x 6 samples).
#
# usage: [OLD_VIRTBENCH=PATH] bench/import.sh [REPS]        (default 5)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
reps=${1:-5}
lines=${IMPORT_LINES:-166667} # x 6 benchmarks = 1,000,002 samples
T=$(mktemp -d /tmp/vbbench.XXXXXX)
trap 'rm -rf "$T"' EXIT

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

# timed NAME COMMAND...: runs it, appends its wall and CPU (user + sys)
# seconds to the files NAME.w and NAME.c, and prints both
timed() {
	name=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$T/t" "$@" >/dev/null
	read -r w u s <"$T/t"
	c=$(echo "$u + $s" | bc -l)
	echo "$w" >>"$T/$name.w"
	echo "$c" >>"$T/$name.c"
	echo "$w $c"
}
[ -x /usr/bin/time ] || { echo "bench/import.sh: needs /usr/bin/time" >&2; exit 1; }
OLD_VIRTBENCH=${OLD_VIRTBENCH:-}
for r in $(seq "$reps"); do
	rm -f "$T"/vb.db* "$T"/ref.db* "$T"/old.db* "$T"/csv.db* "$T"/oldcsv.db*
	if [ -n "$OLD_VIRTBENCH" ]; then
		timed old "$OLD_VIRTBENCH" -q --db "$T/old.db" import classic \
			"$T/classic.csv" --platform native >/dev/null
		timed oldcsv "$OLD_VIRTBENCH" -q --db "$T/oldcsv.db" import csv \
			"$T/tidy.csv" >/dev/null
	fi
	set -- $(timed vb "$VIRTBENCH" -q --db "$T/vb.db" import classic "$T/classic.csv" --platform native)
	vw=$1 vc=$2
	set -- $(timed ref sqlite3 "$T/ref.db" "CREATE TABLE sample (run TEXT, host TEXT, platform TEXT,
		benchmark TEXT, repetition INTEGER, value REAL, unit TEXT, status TEXT,
		started_at TEXT, raw_output TEXT)" ".mode csv" ".import $T/rows.csv sample")
	rw=$1 rc=$2
	set -- $(timed csv "$VIRTBENCH" -q --db "$T/csv.db" import csv "$T/tidy.csv")
	printf 'rep %d: import classic %.3f s (CPU %.2f s), sqlite3 .import %.3f s (CPU %.2f s), import csv %.3f s (CPU %.2f s); ratios %.2f, %.2f (CPU %.2f, %.2f)\n' \
		"$r" "$vw" "$vc" "$rw" "$rc" "$1" "$2" "$(echo "$vw / $rw" | bc -l)" \
		"$(echo "$1 / $rw" | bc -l)" "$(echo "$vc / $rc" | bc -l)" "$(echo "$2 / $rc" | bc -l)"
done
[ "$(sqlite3 "$T/vb.db" 'SELECT count(*) FROM sample_value')" = \
  "$(sqlite3 "$T/ref.db" 'SELECT count(*) FROM sample')" ] || { echo "row counts differ"; exit 1; }
[ "$(sqlite3 "$T/csv.db" 'SELECT count(*) FROM sample_value')" = \
  "$(sqlite3 "$T/ref.db" 'SELECT count(*) FROM sample')" ] || { echo "row counts differ (csv)"; exit 1; }
median() { sort -g "$T/$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mr=$(median ref.w) mrc=$(median ref.c)
for k in vb csv; do
	mw=$(median $k.w) mc=$(median $k.c)
	[ $k = vb ] && what="import classic" || what="import csv (the same samples, tidy)"
	printf 'median: %s %.3f s (CPU %.2f s), sqlite3 .import %.3f s (CPU %.2f s): ratio %.2f (CPU %.2f)\n' \
		"$what" "$mw" "$mc" "$mr" "$mrc" "$(echo "$mw / $mr" | bc -l)" "$(echo "$mc / $mrc" | bc -l)"
done
if [ -n "$OLD_VIRTBENCH" ]; then
	mo=$(median old.w) mv=$(median vb.w)
	printf 'median: previous release, import classic %.3f s (CPU %.2f s), %.2fx this one\n' "$mo" \
		"$(median old.c)" "$(echo "$mo / $mv" | bc -l)"
	mo=$(median oldcsv.w) mv=$(median csv.w)
	printf 'median: previous release, import csv %.3f s (CPU %.2f s), %.2fx this one\n' "$mo" \
		"$(median oldcsv.c)" "$(echo "$mo / $mv" | bc -l)"
fi
n=$(wc -l <"$T/rows.csv")
printf 'bytes per sample: virtbench %.1f (goal <= 40), the plain reference table %.1f\n' \
	"$(echo "$(stat -c %s "$T/vb.db") / $n" | bc -l)" "$(echo "$(stat -c %s "$T/ref.db") / $n" | bc -l)"
[ -n "$OLD_VIRTBENCH" ] && printf 'bytes per sample: previous release %.1f\n' \
	"$(echo "$(stat -c %s "$T/old.db") / $n" | bc -l)"
exit 0
