#!/bin/sh
# bench/growth.sh - import classic, analyze and report at growing sizes
# (default 0.1M, 1M and 10M samples: 2 hosts x 4 platforms x 6 benchmarks
# x N repetitions), each step's wall and CPU time (user + sys, children
# included) and peak RSS, and the time per million samples, which is
# constant when a step grows linearly.
#
# usage: bench/growth.sh [LINES...]   (lines per file; default 2084 20834 208334)
#        GROWTH_STEPS="import analyze" bench/growth.sh   (skips report; the
#        import always runs: it builds the database)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
T=$(mktemp -d /tmp/vbbench.XXXXXX)
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
echo "| step | samples | wall | CPU | CPU per 1M samples | peak RSS |"
echo "|---|---|---|---|---|---|"
for lines in "$@"; do
	rm -rf "$T/vb.db"* "$T/out" "$T"/*.csv
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
	case " ${GROWTH_STEPS:-analyze report} " in *" analyze "*)
		step analyze $n "$VIRTBENCH" -q --db "$T/vb.db" analyze --format json ;;
	esac
	case " ${GROWTH_STEPS:-analyze report} " in *" report "*)
		step report $n "$VIRTBENCH" -q --db "$T/vb.db" report --out "$T/out" ;;
	esac
	echo "| (database) | $((n / 1000000)).$((n % 1000000 / 100000))M | $(( $(stat -c %s "$T/vb.db") / n )) bytes per sample | | | |"
done
