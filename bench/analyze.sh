#!/bin/sh
# bench/analyze.sh - `virtbench analyze` over 1,000,000 samples against two
# references, alternated in the same run:
#  - the sqlite3 shell's GROUP BY aggregate scan of the same rows in
#    virtbench's own database (count, sum and sum of squares of the ok
#    values per series: the cost of merely reading the data; goal <= 2);
#  - bench/analyze_pandas.py: the same statistics (moments, t intervals,
#    Fieller, Welch, Mann-Whitney, Holm) with pandas and scipy from the same
#    CSV files, as a user without virtbench would compute them (goal: pandas
#    at least 15x slower).
# Also virtbench's peak RSS (/usr/bin/time, goal < 200 MB).
# With ANALYZE_LINES=208334 (10M samples) it measures the peak memory
# against the 80 MB of values analyze must hold (goal <= 2x).
#
# Data: 2 hosts x 4 platforms x 6 benchmarks x 20,834 repetitions
# (1,000,032 samples, plus one warm-up per pair), imported with
# `virtbench import classic`, so the database is exactly what analyze
# reads in real use.
#
# usage: bench/analyze.sh [REPS]        (default 5)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# Debian's python3 (with python3-pandas etc.), not one first on PATH
PY=${PYTHON:-/usr/bin/python3}
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
reps=${1:-5}
T=$(mktemp -d /tmp/vbbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -x /usr/bin/time ] || { echo "bench/analyze.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
"$PY" -c 'import pandas, scipy' 2>/dev/null || { echo "bench/analyze.sh: needs python3-pandas and python3-scipy (scripts/install-deps.sh bench)" >&2; exit 1; }
specs=""

lines=${ANALYZE_LINES:-20834} # x 6 benchmarks x 8 (host, platform) = 1,000,032 samples
seed=1
for h in hostA hostB; do
	for p in native docker kvm qemu; do
		seed=$((seed + 1))
		# platform speed factors roughly as measured (NOTES.md)
		case $p in native) f=1 ;; docker) f=0.99 ;; kvm) f=0.97 ;; qemu) f=0.13 ;; esac
		awk -v n=$lines -v s=$seed -v f=$f 'BEGIN { srand(s); for (i = 0; i < n; i++)
			printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 60 * i,
			f * (4500 + rand() * 100), f * (16000 + rand() * 500),
			f * (240 + rand() * 5), f * (230 + rand() * 5),
			f * (9000 + rand() * 300), f * (23000 + rand() * 900) }' >"$T/$h-$p.csv"
		"$VIRTBENCH" -q --db "$T/vb.db" import classic "$T/$h-$p.csv" \
			--platform "$p" --host "$h" >/dev/null
		specs="$specs $h:$p:$T/$h-$p.csv"
	done
done
echo "samples: $(sqlite3 "$T/vb.db" "SELECT count(*) FROM sample_value WHERE status = 0")"

# The reference: one aggregate scan of the sample rows grouped by series
# (run, platform, benchmark; the platform determines the host; here one run
# per platform) - the cheapest form, so the ratio is the strict one. The
# same with the names joined in (as analyze prints them) is timed too, for
# information.
ref_sql="SELECT id / 4294967296, count(*), sum(value),
	sum(value * value) FROM sample_value WHERE status = 0 GROUP BY 1"
names_sql="SELECT h.name, p.name, b.name, count(*), sum(s.value),
	sum(s.value * s.value) FROM sample s
	JOIN platform p ON p.id = s.platform_id JOIN host h ON h.id = p.host_id
	JOIN benchmark b ON b.id = s.benchmark_id
	WHERE s.status = 'ok' GROUP BY h.name, p.name, b.name"

now() { date +%s.%N; }
vb_times="" ref_times="" names_times="" pd_times="" rss=0
vbcpu_times="" pdcpu_times=""
# one untimed pass of each warms the page cache for both
sqlite3 "$T/vb.db" "$ref_sql" >/dev/null
"$VIRTBENCH" -q --db "$T/vb.db" analyze --format json >/dev/null
for r in $(seq "$reps"); do
	t0=$(now)
	/usr/bin/time -f '%M %U %S' -o "$T/rss" "$VIRTBENCH" -q --db "$T/vb.db" analyze \
		--format json >"$T/out.json"
	t1=$(now)
	sqlite3 "$T/vb.db" "$ref_sql" >"$T/ref.txt"
	t2=$(now)
	sqlite3 "$T/vb.db" "$names_sql" >/dev/null
	t3=$(now)
	# shellcheck disable=SC2086
	/usr/bin/time -f '%U %S' -o "$T/pdcpu" "$PY" "$top/bench/analyze_pandas.py" $specs >"$T/pd.json"
	t4=$(now)
	vb=$(echo "$t1 - $t0" | bc -l); ref=$(echo "$t2 - $t1" | bc -l)
	names=$(echo "$t3 - $t2" | bc -l); pd=$(echo "$t4 - $t3" | bc -l)
	pd_times="$pd_times $pd"
	kb=$(tail -n 1 "$T/rss" | cut -d' ' -f1)
	vbcpu=$(tail -n 1 "$T/rss" | awk '{ print $2 + $3 }')
	pdcpu=$(tail -n 1 "$T/pdcpu" | awk '{ print $1 + $2 }')
	vbcpu_times="$vbcpu_times $vbcpu"; pdcpu_times="$pdcpu_times $pdcpu"
	[ "$kb" -gt "$rss" ] && rss=$kb
	printf 'rep %d: virtbench analyze %.3f s (peak RSS %d MB), sqlite3 GROUP BY %.3f s (by names %.3f s), ratio %.2f; pandas+scipy %.3f s (%.1fx)\n' \
		"$r" "$vb" $((kb / 1024)) "$ref" "$names" "$(echo "$vb / $ref" | bc -l)" \
		"$pd" "$(echo "$pd / $vb" | bc -l)"
	printf '       CPU (user + sys): virtbench analyze %.2f s, pandas+scipy %.2f s (%.1fx)\n' \
		"$vbcpu" "$pdcpu" "$(echo "$pdcpu / $vbcpu" | bc -l)"
	vb_times="$vb_times $vb"; ref_times="$ref_times $ref"
	names_times="$names_times $names"
done
[ "$(wc -l <"$T/ref.txt")" -eq 48 ] || { echo "reference found $(wc -l <"$T/ref.txt") groups, expected 48"; exit 1; }
[ "$(grep -c '"benchmark"' "$T/out.json")" -eq 48 ] || { echo "analyze printed the wrong number of groups"; exit 1; }
# The two computed the same statistics (to 1e-9 relative).
"$PY" - "$T/out.json" "$T/pd.json" <<'EOF'
import json, math, sys
a = json.load(open(sys.argv[1]))["results"]
b = {(r["host"], r["platform"], r["benchmark"]): r for r in json.load(open(sys.argv[2]))["results"]}
def close(x, y, what):
    if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-300):
        sys.exit("bench/analyze.sh: pandas and virtbench differ in %s: %r %r" % (what, x, y))
for r in a:
    p = b[(r["host"], r["platform"], r["benchmark"])]
    for k in ("n", "mean", "median", "variance", "stddev", "min", "max"):
        close(r[k], p[k], k)
    close(r["ci95"][0], p["ci95"][0], "ci95")
    if "vs_baseline" in r:
        v, w = r["vs_baseline"], p["vs_baseline"]
        close(v["speedup"], w["speedup"], "speedup")
        close(v["ci95"][0], w["ci95"][0], "fieller")
        close(v["welch"]["t"], w["welch"]["t"], "welch t")
        close(v["mann_whitney"]["u"], w["mann_whitney"]["u"], "mann-whitney u")
EOF
median() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mv=$(median $vb_times); mr=$(median $ref_times); mn=$(median $names_times)
mp=$(median $pd_times)
printf 'median: virtbench analyze %.3f s, sqlite3 GROUP BY %.3f s (by names %.3f s), ratio %.2f (goal <= 2); peak RSS %d MB (goal < 200)\n' \
	"$mv" "$mr" "$mn" "$(echo "$mv / $mr" | bc -l)" $((rss / 1024))
printf 'median: pandas+scipy %.3f s = %.1fx virtbench analyze (goal >= 15)\n' \
	"$mp" "$(echo "$mp / $mv" | bc -l)"
mvc=$(median $vbcpu_times); mpc=$(median $pdcpu_times)
printf 'median CPU: virtbench analyze %.2f s, pandas+scipy %.2f s = %.1fx\n' \
	"$mvc" "$mpc" "$(echo "$mpc / $mvc" | bc -l)"
