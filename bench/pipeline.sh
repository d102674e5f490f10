#!/bin/sh
# bench/pipeline.sh - the whole re-analysis from CSV files: virtbench
# (`import classic` of every file into a fresh database, then `report`:
# analyze, 50 figures in PNG and SVG, report.md) against
# bench/pipeline_pandas.py doing the same work with pandas, scipy and
# matplotlib (the same statistics, the same number of figures in both
# formats, a Markdown report), alternated in the same run. Prints each
# timing and the ratio of medians (goal: the pandas pipeline >= 3x slower).
#
# Data: 2 hosts x 4 platforms x 6 benchmarks x 20,834 repetitions
# (1,000,032 samples) as 8 classic CSV files.
#
# usage: bench/pipeline.sh [REPS]        (default 3)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# Debian's python3 (with python3-pandas etc.), not one first on PATH
PY=${PYTHON:-/usr/bin/python3}
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
reps=${1:-3}
T=$(mktemp -d /tmp/vbbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
command -v gnuplot >/dev/null || { echo "bench/pipeline.sh: needs gnuplot" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/pipeline.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
"$PY" -c 'import pandas, scipy, matplotlib' 2>/dev/null ||
	{ echo "bench/pipeline.sh: needs python3-pandas, -scipy, -matplotlib (scripts/install-deps.sh bench)" >&2; exit 1; }

lines=${PIPELINE_LINES:-20834}
seed=1 specs=""
for h in hostA hostB; do
	for p in native docker kvm qemu; do
		seed=$((seed + 1))
		case $p in native) f=1 ;; docker) f=0.99 ;; kvm) f=0.97 ;; qemu) f=0.13 ;; esac
		awk -v n=$lines -v s=$seed -v f=$f 'BEGIN { srand(s); for (i = 0; i < n; i++)
			printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 60 * i,
			f * (4500 + rand() * 100), f * (16000 + rand() * 500),
			f * (240 + rand() * 5), f * (230 + rand() * 5),
			f * (9000 + rand() * 300), f * (23000 + rand() * 900) }' >"$T/$h-$p.csv"
		specs="$specs $h:$p:$T/$h-$p.csv"
	done
done

now() { date +%s.%N; }
vb_times="" pd_times="" vbc_times="" pdc_times=""
for r in $(seq "$reps"); do
	rm -rf "$T/vb.db"* "$T/vb" "$T/pd"
	t0=$(now)
	# CPU time (user + sys) of each side, children (gnuplot) included
	/usr/bin/time -f '%U %S' -o "$T/vbcpu" sh -c '
		db=$1 out=$2 vb=$3
		shift 3
		for s in "$@"; do
			h=${s%%:*} rest=${s#*:}
			p=${rest%%:*} f=${rest#*:}
			"$vb" -q --db "$db" import classic "$f" --platform "$p" --host "$h" >/dev/null || exit 1
		done
		"$vb" -q --db "$db" report --out "$out" >/dev/null' sh "$T/vb.db" "$T/vb" "$VIRTBENCH" $specs
	t1=$(now)
	# shellcheck disable=SC2086
	nfig=$(/usr/bin/time -f '%U %S' -o "$T/pdcpu" "$PY" "$top/bench/pipeline_pandas.py" "$T/pd" $specs)
	t2=$(now)
	vbc=$(awk '{ print $1 + $2 }' "$T/vbcpu"); pdc=$(awk '{ print $1 + $2 }' "$T/pdcpu")
	vbc_times="$vbc_times $vbc"; pdc_times="$pdc_times $pdc"
	vb=$(echo "$t1 - $t0" | bc -l); pd=$(echo "$t2 - $t1" | bc -l)
	printf 'rep %d: virtbench %.2f s, pandas+matplotlib %.2f s, ratio %.2f; CPU %.2f s and %.2f s, ratio %.2f\n' \
		"$r" "$vb" "$pd" "$(echo "$pd / $vb" | bc -l)" "$vbc" "$pdc" "$(echo "$pdc / $vbc" | bc -l)"
	vb_times="$vb_times $vb"; pd_times="$pd_times $pd"
done
nvb=$(ls "$T/vb/figures/"*.png | wc -l)
npd=$(ls "$T/pd/figures/"*.png | wc -l)
[ "$nvb" -eq "$npd" ] && [ "$npd" -eq "$nfig" ] ||
	{ echo "bench/pipeline.sh: figure counts differ: virtbench $nvb, pandas $npd" >&2; exit 1; }
median() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mv=$(median $vb_times); mp=$(median $pd_times)
printf 'figures: %d each (PNG + SVG)\n' "$nvb"
printf 'median: virtbench import + report %.2f s, pandas+matplotlib %.2f s, ratio %.2f (goal >= 3)\n' \
	"$mv" "$mp" "$(echo "$mp / $mv" | bc -l)"
mvc=$(median $vbc_times); mpc=$(median $pdc_times)
printf 'median CPU (user + sys, children included): virtbench %.2f s, pandas+matplotlib %.2f s, ratio %.2f\n' \
	"$mvc" "$mpc" "$(echo "$mpc / $mvc" | bc -l)"
