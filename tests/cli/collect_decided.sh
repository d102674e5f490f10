# tests/cli/collect_decided.sh - collect --until-decided (collect/
# scheduler.c, analyze's verdict rule) on the native platform and a second
# native platform named native:b, compared with it: each pair stops at the
# first repetition at which its verdict (Bonferroni-simultaneous Fieller
# intervals, recomputed here with scipy) is decided, or at --max-reps; the
# baseline keeps pace; the run's analyze gives the same verdict; a second
# run's plan predicts repetitions from the first; option errors.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
for t in sysbench sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x $PY ] && $PY -c 'import scipy' 2>/dev/null || skip "python3-scipy is not installed"
q() { sqlite3 "$DB" "$1"; }
C="--state-dir $T --duration 1 --profile quick --platforms native,native:b"

check() { # MARGIN MIN MAX RUN: the stopping rule, replayed
	q "select p.name, b.name, s.repetition, s.value from sample s
	   join platform p on p.id = s.platform_id join benchmark b on
	   b.id = s.benchmark_id join run r on r.id = s.run_id
	   where r.uuid = '$4' and s.status = 'ok' order by s.repetition" >"$T/vals"
	vb analyze --run "$4" --margin "$(awk -v m="$1" 'BEGIN { print 100 * m }')" \
		--format json >"$T/a.json" || fail "analyze"
	$PY - "$T/vals" "$T/a.json" "$1" "$2" "$3" <<'PYEOF'
import json, math, sys
import numpy as np
from scipy import stats
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
doc = json.load(open(sys.argv[2]))
M, lo_reps, hi_reps = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
vals = {}
for p, b, rep, v in rows:
    vals.setdefault((p, b), []).append(float(v))
def fieller(x, y, level):
    x, y = np.array(x), np.array(y)
    mx, my, vx, vy = x.mean(), y.mean(), x.var(ddof=1), y.var(ddof=1)
    nx, ny, r = len(x), len(y), x.mean() / y.mean()
    df = max(1, (vx/nx + r*r*vy/ny)**2 /
             (vx**2/(nx*nx*(nx-1)) + r**4*vy**2/(ny*ny*(ny-1))))
    q = stats.t.ppf(1 - (1 - level) / 2, df)
    ax, ay = vx / nx, vy / ny
    A, B = q*q*ay - my*my, 2*mx*my
    if A >= 0:
        return None
    d = math.sqrt(q*q*(ay*mx*mx + ax*my*my - q*q*ax*ay))
    return sorted([B/(-2*A) - d/A, B/(-2*A) + d/A])
def verdict(x, y, m):
    f90, f95 = fieller(x, y, 1 - 0.10 / m), fieller(x, y, 1 - 0.05 / m)
    if f90 and 1 / (1 + M) <= f90[0] and f90[1] <= 1 + M:
        return "equivalent"
    if f95 and f95[0] > 1:
        return "faster"
    if f95 and f95[1] < 1:
        return "slower"
    return "inconclusive"
benches = sorted({b for _, b in vals})
m = len(benches)
assert doc["family_size"] == m, doc["family_size"]
res = {(r["platform"], r["benchmark"]): r for r in doc["results"]}
for b in benches:
    x, y = vals[("native:b", b)], vals[("native", b)]
    n = len(x)
    assert lo_reps <= n <= hi_reps, (b, n)
    # the baseline keeps pace: as many repetitions as the pair
    assert len(y) == n, (b, len(y), n)
    v = verdict(x, y, m)
    assert res[("native:b", b)]["vs_baseline"]["verdict"] == v, \
        (b, res[("native:b", b)]["vs_baseline"]["verdict"], v)
    if n < hi_reps:
        assert v != "inconclusive", (b, n, v)
    if n > lo_reps:
        # it did not stop later than it could have
        assert verdict(x[:n - 1], y[:n - 1], m) == "inconclusive", (b, n)
    print(b, n, v)
PYEOF
}

# a wide margin: decided within a few repetitions on any host
expect_exit 0 vb collect $C --benchmarks cpu,mem --until-decided --margin 40 \
	--min-reps 3 --max-reps 8 --seed 1
U=$(cat "$T/out")
grep -q 'until each verdict against native is decided at a 40% margin (3 to 8)' "$T/err" ||
	fail "plan: $(grep repetitions "$T/err")"
[ "$(q "select json_extract(params, '\$.stopping') || ' ' || json_extract(params, '\$.margin') from run")" = "until-decided 0.4" ] ||
	fail "stopping rule not recorded"
check 0.4 3 8 "$U" || fail "stopping rule (40 %)"
# a tight margin: most likely runs to --max-reps; the rule holds either way
expect_exit 0 vb collect $C --benchmarks cpu --until-decided --margin 0.1 \
	--min-reps 2 --max-reps 4 --seed 2
U2=$(cat "$T/out")
grep -q 'expected:    repetitions per side to a verdict, from earlier runs on' "$T/err" ||
	fail "plan does not use the earlier run"
check 0.001 2 4 "$U2" || fail "stopping rule (0.1 %)"

expect_exit 2 vb collect $C --until-decided --reps 3
expect_exit 2 vb collect $C --until-decided --target-ci 5
expect_exit 2 vb collect $C --margin 5
expect_exit 2 vb collect $C --until-decided --margin 0
echo ok
