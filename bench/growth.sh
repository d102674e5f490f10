#!/bin/sh
# bench/growth.sh - import classic, import csv, analyze and report at
# growing sizes (default 0.1M, 1M and 10M samples: 2 hosts x 4 platforms x
# 6 benchmarks x N repetitions), each step's wall and CPU time (user +
# sys, children included) and peak RSS, and the time per million samples,
# which is constant when a step grows linearly. import csv reads the same
# samples as one tidy file (a row per sample) into a database of its own.
# The files live in $TMPDIR (default /var/tmp: 10M samples are about 2 GB
# of CSV and databases), removed at the end.
#
# usage: bench/growth.sh [LINES...]   (lines per file; default 2084 20834 208334)
#        GROWTH_STEPS="csv analyze report" bench/growth.sh   (the default;
#        leave steps out to skip them; import classic always runs: it builds
#        the database)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
T=$(mktemp -d "${TMPDIR:-/var/tmp}/vbgrowth.XXXXXX")
trap 'rm -rf "$T"' EXIT
[ -x /usr/bin/time ] || { echo "bench/growth.sh: needs /usr/bin/time" >&2; exit 1; }
[ $# -gt 0 ] || set -- 2084 20834 208334

# step NAME SAMPLES COMMAND... : one timed line
step() {
	name=$1 n=$2
	shift 2
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S %M' -o "$T/t" "$@" >/dev/null
	t1=$(date +%s.%N)
	set -- $(cat "$T/t")
	awk -v name="$name" -v n="$n" -v w="$(echo "$t1 - $t0" | bc -l)" -v u="$1" -v s="$2" -v m="$3" 'BEGIN {
		printf "| %s | %.1fM | %.2f s | %.2f s | %.2f s | %d MB |\n", name, n / 1e6, w, u + s,
			(u + s) / (n / 1e6), m / 1024 }'
}
# tidy_csv: the samples of the classic files as one tidy CSV, $T/tidy
# (outside the classic files' glob), for import csv
tidy_csv() {
	for f in "$T"/*.csv; do
		b=$(basename "$f" .csv)
		awk -F, -v h="${b%%-*}" -v p="${b#*-}" 'BEGIN {
			split("cpu mem diskRand diskSeq fork uplink", bn, " ");
			split("events/s MiB/s MiB/s MiB/s forks/s Mbit/s", u, " ") }
			{ for (i = 2; i <= 7; i++) printf "%s,%s,%s,%s,%s,%d,%d\n", h, p,
				bn[i-1], $i, u[i-1], NR, $1 }' "$f"
	done | { echo "host,platform,benchmark,value,unit,repetition,time"; cat; } >"$T/tidy"
}
echo "| step | samples | wall | CPU | CPU per 1M samples | peak RSS |"
echo "|---|---|---|---|---|---|"
for lines in "$@"; do
	rm -rf "$T/vb.db"* "$T/csv.db"* "$T/out" "$T"/*.csv "$T/tidy"
	seed=1
	for h in hostA hostB; do
		for p in native docker kvm qemu; do
			seed=$((seed + 1))
			case $p in native) f=1 ;; docker) f=0.99 ;; kvm) f=0.97 ;; qemu) f=0.13 ;; esac
			awk -v n="$lines" -v s=$seed -v f=$f 'BEGIN { srand(s); for (i = 0; i < n; i++)
				printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 60 * i,
				f * (4500 + rand() * 100), f * (16000 + rand() * 500),
				f * (240 + rand() * 5), f * (230 + rand() * 5),
				f * (9000 + rand() * 300), f * (23000 + rand() * 900) }' >"$T/$h-$p.csv"
		done
	done
	n=$((lines * 48))
	# all eight imports as one step (children included)
	step "import classic" $n sh -c 'db=$1; shift; for f in "$@"; do
		b=$(basename "$f" .csv); "'"$VIRTBENCH"'" -q --db "$db" import classic "$f" \
			--host "${b%%-*}" --platform "${b#*-}" || exit 1; done' sh "$T/vb.db" "$T"/*.csv
	steps=" ${GROWTH_STEPS:-csv analyze report} "
	case $steps in *" csv "*)
		tidy_csv
		step "import csv (1 tidy file)" $n "$VIRTBENCH" -q --db "$T/csv.db" import csv \
			"$T/tidy" --direction higher
		rm -f "$T/tidy" "$T/csv.db"* ;;
	esac
	case $steps in *" analyze "*)
		step analyze $n "$VIRTBENCH" -q --db "$T/vb.db" analyze --format json ;;
	esac
	case $steps in *" report "*)
		step report $n "$VIRTBENCH" -q --db "$T/vb.db" report --out "$T/out" ;;
	esac
	echo "| (database) | $((n / 1000000)).$((n % 1000000 / 100000))M | $(( $(stat -c %s "$T/vb.db") / n )) bytes per sample | | | |"
done
