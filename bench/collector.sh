#!/bin/sh
# bench/collector.sh - the collector's own cost (DESIGN.md, "collector
# overhead"): (1) its CPU time while samples run, from getrusage(RUSAGE_SELF)
# as the collector reports it ("collector overhead: ..."), against the
# wall time of sampling; (2) the same benchmark run by hand vs driven by
# `virtbench collect`, interleaved run by run (hand, virtbench, virtbench,
# hand, ...) so that drift of this noisy host does not favour either side.
# Each virtbench run is a fresh `collect --reps 1` (its measured repetition
# is compared; the warm-up is excluded, as analyze does).
#
# usage: bench/collector.sh [REPS] [SECONDS]     (default 6 runs of 5 s)
# Environment: VIRTBENCH (binary), FORKBENCH, BENCHMARKS (default "cpu fork").
# Prints a Markdown table for BENCHMARKS.md on stdout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${VIRTBENCH:=$top/virtbench}" "${FORKBENCH:=$top/build/forkbench}"
: "${BENCHMARKS:=cpu fork}"
export FORKBENCH
reps=${1:-6}
dur=${2:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/vbbench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

by_hand() { # BENCH -> one value
	case "$1" in
	cpu) sysbench --time="$dur" cpu run >"$T/o" 2>&1; p=sysbench-cpu ;;
	fork) "$FORKBENCH" "$dur" >"$T/o" 2>&1; p=forkbench ;;
	mem) sysbench --time="$dur" --memory-block-size=4K --memory-total-size=100T memory run >"$T/o" 2>&1; p=sysbench-memory ;;
	*) echo "collector.sh: no by-hand command for $1" >&2; exit 2 ;;
	esac
	"$VIRTBENCH" parse "$p" "$T/o" | cut -d' ' -f1
}

# mean sd n of the numbers on stdin
stats() { awk '{ s += $1; ss += $1 * $1; n++ } END { m = s / n; v = n > 1 ? (ss - n * m * m) / (n - 1) : 0; if (v < 0) v = 0; printf "%.2f %.2f %d\n", m, sqrt(v), n }'; }

echo "| benchmark | by hand: mean ± sd (n) | via virtbench: mean ± sd (n) | ratio | Welch t | collector CPU while sampling | share of one core |"
echo "|---|---|---|---|---|---|---|"
for b in $BENCHMARKS; do
	: >"$T/hand"
	: >"$T/vb"
	: >"$T/over"
	i=0
	while [ $i -lt $reps ]; do
		# alternate who goes first, so neither side always follows the other
		[ $((i % 2)) -eq 0 ] && by_hand "$b" >>"$T/hand"
		rm -f "$T/vb.db"*
		"$VIRTBENCH" --db "$T/vb.db" collect --platforms native --profile quick \
			--benchmarks "$b" --reps 1 --duration "$dur" --state-dir "$T" \
			>/dev/null 2>"$T/err"
		# repetition 1 only: the warm-up (repetition 0) is excluded as in analyze
		sqlite3 "$T/vb.db" "select value from sample where status = 'ok'" >>"$T/vb"
		sed -n 's/^collector overhead: \([0-9.]*\) s CPU over \([0-9.]*\) s of sampling.*/\1 \2/p' "$T/err" >>"$T/over"
		[ $((i % 2)) -eq 1 ] && by_hand "$b" >>"$T/hand"
		i=$((i + 1))
	done
	set -- $(stats <"$T/hand")
	hm=$1 hs=$2 hn=$3
	set -- $(stats <"$T/vb")
	vm=$1 vs=$2 vn=$3
	set -- $(awk '{ c += $1; w += $2 } END { printf "%.3f %.1f %.3f", c, w, (w > 0 ? 100 * c / w : 0) }' "$T/over")
	awk -v b="$b" -v hm="$hm" -v hs="$hs" -v hn="$hn" -v vm="$vm" -v vs="$vs" -v vn="$vn" \
	    -v cpu="$1" -v wall="$2" -v pct="$3" 'BEGIN {
		se = sqrt(hs * hs / hn + vs * vs / vn); t = se > 0 ? (vm - hm) / se : 0
		printf "| %s | %.2f ± %.2f (%d) | %.2f ± %.2f (%d) | %.3f | %.2f | %s s over %s s | %s %% |\n", b, hm, hs, hn, vm, vs, vn, vm / hm, t, cpu, wall, pct
	}'
done
