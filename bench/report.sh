#!/bin/sh
# bench/report.sh - `virtbench report` (analyze + figure scripts + gnuplot
# rendering + Markdown) over 1,000,000 samples, split into virtbench's own
# share and gnuplot's. Each repetition renders every figure in PNG and SVG
# from scratch; the split comes from virtbench's own timers (-v), which
# time gnuplot as the wall time spent waiting for its processes (and their
# CPU time from wait4) separately from everything virtbench does itself.
# Prints each repetition and the medians, and the CPU time of each share
# (user + sys; gnuplot's from wait4), with what the CPU times allow on
# idle cores: virtbench's share plus gnuplot's spread over every core.
#
# Data: 2 hosts x 4 platforms x 6 benchmarks x 20,834 repetitions
# (1,000,032 samples), imported with `virtbench import classic` - what a
# real report reads.
#
# usage: bench/report.sh [REPS]        (default 3)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
reps=${1:-3}
T=$(mktemp -d /tmp/vbbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
command -v gnuplot >/dev/null || { echo "bench/report.sh: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }

lines=20834 # x 6 benchmarks x 8 (host, platform) = 1,000,032 samples
seed=1
for h in hostA hostB; do
	for p in native docker kvm qemu; do
		seed=$((seed + 1))
		case $p in native) f=1 ;; docker) f=0.99 ;; kvm) f=0.97 ;; qemu) f=0.13 ;; esac
		awk -v n=$lines -v s=$seed -v f=$f 'BEGIN { srand(s); for (i = 0; i < n; i++)
			printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 60 * i,
			f * (4500 + rand() * 100), f * (16000 + rand() * 500),
			f * (240 + rand() * 5), f * (230 + rand() * 5),
			f * (9000 + rand() * 300), f * (23000 + rand() * 900) }' >"$T/$h-$p.csv"
		"$VIRTBENCH" -q --db "$T/vb.db" import classic "$T/$h-$p.csv" \
			--platform "$p" --host "$h" >/dev/null
	done
done
echo "samples: $(sqlite3 "$T/vb.db" "SELECT count(*) FROM sample WHERE status = 'ok'")"
echo "cores: $(nproc) (gnuplot: up to one process per core, each rendering a batch of figures)"

# One line per repetition: total wall, then virtbench's timers.
: >"$T/times"
i=0
while [ $i -lt "$reps" ]; do
	i=$((i + 1))
	rm -rf "$T/out"
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$T/cpu" \
		"$VIRTBENCH" -v --db "$T/vb.db" report --out "$T/out" >/dev/null 2>"$T/err" ||
		{ cat "$T/err" >&2; echo "bench/report.sh: report failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	line=$(grep '^debug: report: analyze' "$T/err") ||
		{ cat "$T/err" >&2; echo "bench/report.sh: no timing line" >&2; exit 1; }
	# "debug: report: analyze A s, figure scripts W s, gnuplot G s wall
	#  (C s CPU), report R s"; then user and sys seconds, children included
	{ echo "$line"; cat "$T/cpu"; } | awk -v t0="$t0" -v t1="$t1" 'NR == 1 {
		gsub(/[(),]/, "");
		a = $4; w = $8; g = $11; c = $14; r = $18;
		total = t1 - t0 } NR == 2 {
		printf "%.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", total, a, w, g, c, r,
			total - g, $1 + $2 - c }' >>"$T/times"
	tail -n 1 "$T/times" | awk -v i=$i '{ printf "rep %d: total %.2f s = virtbench %.2f s (analyze %.2f, figure scripts %.2f, report %.2f, rest %.2f) + gnuplot %.2f s wall; CPU: virtbench %.2f s, gnuplot %.2f s\n",
		i, $1, $7, $2, $3, $6, $7 - $2 - $3 - $6, $4, $8, $5 }'
done
figs=$(ls "$T/out/figures/"*.gp | wc -l)
size=$(du -sh "$T/out/figures" | cut -f1)
echo "figures: $figs scripts rendered to PNG + SVG ($size in figures/)"
sort -n -k1 "$T/times" | awk -v n="$reps" -v cores="$(nproc)" -v figs="$figs" '{ a[NR] = $0 } END {
	split(a[int((n + 1) / 2)], m, " ");
	printf "median: total %.2f s; virtbench %.2f s (%.0f%%), gnuplot %.2f s wall (%.0f%%)\n",
		m[1], m[7], 100 * m[7] / m[1], m[4], 100 * m[4] / m[1];
	printf "same run, CPU: virtbench %.2f s, gnuplot %.2f s (%.2f s per figure); on %d idle cores at best %.2f s\n",
		m[8], m[5], m[5] / figs, cores, m[8] + m[5] / cores }'
