# tests/cli/analyze.sh - `virtbench analyze` and `virtbench compare`
# (analyze/) end to end on imported classic CSVs: the DESIGN.md JSON fields
# and values (cross-checked with scipy), the text/CSV/Markdown formats,
# filters, "not enough data" without NaN, compare with pairs that only one
# host has, and usage errors.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import scipy' 2>/dev/null || skip "python3-scipy is not installed"

# hostA: native (5 columns: no fork/uplink), kvm (7 columns), one (1 line)
cat >"$T/native.csv" <<'EOF'
# the classic benchmark.sh output
1700000000,4500,16536,241,230
1700000100,4490,16500,240,231
1700000200,4520,16600,243,229
1700000300,4505,16520,239,232
1700000400,4498,16540,242,230
1700000500,4510,16530,241,228
EOF
cat >"$T/kvm.csv" <<'EOF'
1700000000,4420,16300,236,226,9100,23000
1700000100,4431,16310,235,227,9110,23100
1700000200,4415,16290,237,225,9090,23050
1700000300,4440,16350,236,226,9105,23080
1700000400,4428,16320,238,224,9120,23020
1700000500,4419,16330,234,227,9095,23060
1700000600,4433,16305,236,226,9101,23040
EOF
printf '1700000000,600,900,45,43\n' >"$T/one.csv"
# hostB: native again, a little faster
sed 's/^\(1700000[0-9]*\),45/\1,46/' "$T/native.csv" >"$T/nativeB.csv"

expect_exit 0 vb import classic "$T/native.csv" --platform native --host hostA
run_native=$(cat "$T/out")
expect_exit 0 vb import classic "$T/kvm.csv" --platform kvm --host hostA
expect_exit 0 vb import classic "$T/one.csv" --platform one --host hostA
expect_exit 0 vb import classic "$T/nativeB.csv" --platform native --host hostB

# JSON: DESIGN.md fields, values agree with scipy, nulls instead of NaN.
expect_exit 0 vb analyze --format json
cp "$T/out" "$T/a.json"
$PY - "$T/a.json" "$T/native.csv" "$T/kvm.csv" <<'EOF' || fail "analyze json check"
import json, math, sys
import numpy as np
from scipy import stats
doc = json.load(open(sys.argv[1]))
assert doc["baseline"] == "native", doc["baseline"]
def col(path, i):
    return np.array([float(l.split(",")[i]) for l in open(path)
                     if l.strip() and not l.startswith("#")])
res = {(r["host"], r["platform"], r["benchmark"]): r for r in doc["results"]}
nat, kvm = col(sys.argv[2], 1), col(sys.argv[3], 1)
r = res[("hostA", "kvm", "cpu")]
for k in ("host", "platform", "benchmark", "unit", "n", "mean", "median",
          "variance", "stddev", "cov", "min", "max", "ci95", "vs_baseline"):
    assert k in r, k
assert r["unit"] == "events/s" and r["n"] == 7
assert abs(r["mean"] - kvm.mean()) < 1e-9 * kvm.mean()
assert abs(r["variance"] - kvm.var(ddof=1)) < 1e-9 * kvm.var(ddof=1)
lo, hi = stats.t.interval(0.95, 6, loc=kvm.mean(), scale=stats.sem(kvm))
assert abs(r["ci95"][0] - lo) < 1e-6 and abs(r["ci95"][1] - hi) < 1e-6
vs = r["vs_baseline"]
assert abs(vs["speedup"] - kvm.mean() / nat.mean()) < 1e-12
w = stats.ttest_ind(kvm, nat, equal_var=False)
assert abs(vs["welch"]["t"] - w.statistic) < 1e-9, (vs["welch"], w)
assert abs(vs["welch"]["p"] - w.pvalue) < 1e-6
mw = stats.mannwhitneyu(kvm, nat, alternative="two-sided", method="exact")
assert vs["mann_whitney"]["u"] == mw.statistic
assert abs(vs["mann_whitney"]["p"] - mw.pvalue) < 1e-6
assert vs["ci95"][0] < vs["speedup"] < vs["ci95"][1]
assert isinstance(vs["significant"], bool)
assert 0 <= vs["p_holm"] <= 1 and vs["p_holm"] >= vs["welch"]["p"]
# the baseline has no vs_baseline; a one-sample platform has nulls, no NaN
assert "vs_baseline" not in res[("hostA", "native", "cpu")]
one = res[("hostA", "one", "cpu")]
assert one["n"] == 1 and one["variance"] is None and one["ci95"] is None
assert one["vs_baseline"]["ci95"] is None
assert one["vs_baseline"]["welch"]["p"] is None
assert one["vs_baseline"]["p_holm"] is None
assert one["vs_baseline"]["significant"] is False
# fork exists on kvm only: missing on the baseline, said so
fk = res[("hostA", "kvm", "fork")]
assert fk["vs_baseline"]["speedup"] is None
assert any("baseline" in w for w in fk["warnings"]), fk["warnings"]
# Holm over every comparison with a Welch p in this output
ps = [(k, r["vs_baseline"]) for k, r in res.items() if "vs_baseline" in r
      and r["vs_baseline"]["welch"]["p"] is not None]
m = len(ps)
order = sorted(ps, key=lambda kv: kv[1]["welch"]["p"])
run = 0
for i, (k, v) in enumerate(order):
    run = max(run, (m - i) * v["welch"]["p"])
    assert abs(v["p_holm"] - min(1, run)) < 1e-12, (k, v)
    assert v["significant"] == (v["p_holm"] < 0.05)
EOF
grep -qi 'nan' "$T/a.json" && fail "json contains nan"

# Verdicts: family_size, simultaneous Fieller intervals recomputed with
# scipy at 1 - 0.05/m and 1 - 0.10/m, the rule, reps_needed, --margin.
cat >"$T/verdict.py" <<'EOF'
import json, math, sys
import numpy as np
from scipy import stats
doc = json.load(open(sys.argv[1]))
margin = float(sys.argv[2])
def col(path, i):
    return np.array([float(l.split(",")[i]) for l in open(path)
                     if l.strip() and not l.startswith("#")])
def fieller(x, y, level):
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
assert doc["margin"] == margin
vs = {(r["host"], r["platform"], r["benchmark"]): r["vs_baseline"]
      for r in doc["results"] if "vs_baseline" in r}
# the family: comparisons with >= 2 samples on each side (kvm x 4 on
# hostA, not the one-sample platform, not fork/uplink without baseline)
m = doc["family_size"]
assert m == 4, m
for k, v in vs.items():
    for f in ("verdict", "margin", "ci95_simultaneous", "ci90_simultaneous",
              "reps_needed"):
        assert f in v, (k, f)
    assert v["verdict"] in ("faster", "slower", "equivalent", "inconclusive")
    assert v["margin"] == margin
    s95, s90 = v["ci95_simultaneous"], v["ci90_simultaneous"]
    if v["verdict"] == "equivalent":
        assert 1 / (1 + margin) <= s90[0] and s90[1] <= 1 + margin, (k, v)
    elif v["verdict"] == "faster":
        assert s95[0] > 1, (k, v)
    elif v["verdict"] == "slower":
        assert s95[1] < 1, (k, v)
    if v["verdict"] == "inconclusive":
        assert v["reps_needed"] is None or v["reps_needed"] > 0, (k, v)
    else:
        assert v["reps_needed"] is None, (k, v)
nat, kvm = col(sys.argv[3], 1), col(sys.argv[4], 1)
v = vs[("hostA", "kvm", "cpu")]
for key, level in (("ci95_simultaneous", 1 - 0.05 / m),
                   ("ci90_simultaneous", 1 - 0.10 / m)):
    want = fieller(kvm, nat, level)
    for g, w in zip(v[key], want):
        assert abs(g - w) < 1e-8 * abs(w), (key, v[key], want)
# simultaneous intervals are wider than the unadjusted one
assert v["ci95_simultaneous"][0] < v["ci95"][0] < v["ci95"][1] < \
    v["ci95_simultaneous"][1]
one = vs[("hostA", "one", "cpu")]
assert one["verdict"] == "inconclusive" and one["reps_needed"] is None
assert one["ci95_simultaneous"] is None and one["ci90_simultaneous"] is None
print(v["verdict"])
EOF
$PY "$T/verdict.py" "$T/a.json" 0.02 "$T/native.csv" "$T/kvm.csv" >"$T/v" ||
	fail "analyze verdict check"
# kvm's cpu is 1.7 % below native (0.2 % CoV): its simultaneous 90 %
# interval reaches below 1/1.02, so at 2 % it is slower, at 3 % equivalent
[ "$(cat "$T/v")" = slower ] || fail "kvm cpu at 2 %: $(cat "$T/v")"
expect_exit 0 vb analyze --format json --margin 3
$PY "$T/verdict.py" "$T/out" 0.03 "$T/native.csv" "$T/kvm.csv" >"$T/v" ||
	fail "analyze verdict check at 3 %"
[ "$(cat "$T/v")" = equivalent ] || fail "kvm cpu at 3 %: $(cat "$T/v")"
expect_exit 2 vb analyze --margin 0
expect_exit 2 vb analyze --margin 2x
expect_exit 2 vb compare --host a --host b --margin -1

# Text: an aligned table with the speedup and its interval.
expect_exit 0 vb analyze --host hostA
expect_out_has "×"
expect_out_has "baseline"
expect_out_has "n/a"
grep -q 'p<0.001\|p=0\.' "$T/out" || fail "no p-value in text output"
grep -qi 'nan' "$T/out" && fail "text contains nan"
grep -q hostB "$T/out" && fail "--host hostA printed hostB"
[ -s "$T/err" ] && fail "analyze wrote to stderr: $(cat "$T/err")"

# CSV: header plus one row per group; Markdown: a table.
expect_exit 0 vb analyze --format csv --host hostA
head -1 "$T/out" | grep -q '^host,platform,benchmark,unit,' || fail "csv header"
[ "$(wc -l <"$T/out")" -eq $((1 + 4 + 6 + 4)) ] || { cat "$T/out"; fail "csv rows"; }
grep -qi 'nan' "$T/out" && fail "csv contains nan"
expect_exit 0 vb analyze --format markdown
grep -q '^| host' "$T/out" || fail "markdown header"
grep -q '^| ---' "$T/out" || fail "markdown delimiter row"

# Filters: a run (by UUID prefix), a platform, another baseline.
expect_exit 0 vb analyze --run "$(echo "$run_native" | cut -c1-8)" --format csv
[ "$(wc -l <"$T/out")" -eq 5 ] || { cat "$T/out"; fail "--run rows"; }
expect_exit 0 vb analyze --baseline kvm --host hostA --format json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["baseline"]=="kvm"; assert any("vs_baseline" in r and r["platform"]=="native" for r in d["results"])' "$T/out" || fail "--baseline kvm"

# Errors: usage (2) and failures (1), one clear line.
expect_exit 2 vb analyze --format yaml
expect_exit 2 vb analyze stray
expect_exit 1 vb analyze --host nosuch
grep -q "no host named 'nosuch'" "$T/err" || fail "unknown host message"
expect_exit 1 vb analyze --run 00000000
expect_exit 2 vb compare --host hostA
expect_exit 2 vb compare --host hostA --host hostA

# compare: B relative to A. hostB lacks kvm and one, and has a docker
# that hostA lacks: those pairs cannot be compared, and are listed.
sed 's/^\(1700000[0-9]*\),45/\1,44/' "$T/native.csv" >"$T/dockerB.csv"
expect_exit 0 vb import classic "$T/dockerB.csv" --platform docker --host hostB
expect_exit 0 vb compare --host hostA --host hostB --format json
$PY - "$T/out" "$T/native.csv" "$T/nativeB.csv" "$T/kvm.csv" <<'EOF' || fail "compare json check"
import json, sys
import numpy as np
from scipy import stats
d = json.load(open(sys.argv[1]))
assert d["a"] == "hostA" and d["b"] == "hostB"
def col(path, i):
    return np.array([float(l.split(",")[i]) for l in open(path)
                     if l.strip() and not l.startswith("#")])
r = {(x["platform"], x["benchmark"]): x for x in d["results"]}
assert len(r) == 4, r.keys()  # native x 4 benchmarks on both hosts
x = r[("native", "cpu")]
a, b = col(sys.argv[2], 1), col(sys.argv[3], 1)
for k in ("n_a", "n_b", "mean_a", "mean_b", "ratio", "ratio_ci95", "welch",
          "mann_whitney", "significant"):
    assert k in x, k
assert x["n_a"] == 6 and x["n_b"] == 6
assert abs(x["ratio"] - b.mean() / a.mean()) < 1e-12
w = stats.ttest_ind(b, a, equal_var=False)
assert abs(x["welch"]["t"] - w.statistic) < 1e-9
assert x["ratio_ci95"][0] < x["ratio"] < x["ratio_ci95"][1]
# mem is identical on both hosts: ratio 1, nothing significant
m = r[("native", "mem")]
assert m["ratio"] == 1 and m["significant"] is False
# one-sided pairs: beside results, never in it
assert set(k[0] for k in r) == {"native"}, r.keys()
oa = [(x["platform"], x["benchmark"]) for x in d["only_a"]]
assert oa == [("kvm", b) for b in ("cpu", "mem", "diskRand", "diskSeq",
                                   "fork", "uplink")] + \
    [("one", b) for b in ("cpu", "mem", "diskRand", "diskSeq")], oa
k = d["only_a"][0]
assert set(k) == {"platform", "benchmark", "unit", "n", "mean"}, k
kvm = col(sys.argv[4], 1)
assert k["unit"] == "events/s" and k["n"] == 7
assert abs(k["mean"] - kvm.mean()) < 1e-9 * kvm.mean()
assert d["only_a"][-1]["n"] == 1
ob = [(x["platform"], x["benchmark"]) for x in d["only_b"]]
assert ob == [("docker", b) for b in ("cpu", "mem", "diskRand", "diskSeq")], ob
# verdicts: the family is the 4 compared pairs
assert d["family_size"] == 4 and d["margin"] == 0.02
for x in d["results"]:
    assert x["verdict"] in ("faster", "slower", "equivalent", "inconclusive")
    assert "ci95_simultaneous" in x and "reps_needed" in x
# cpu: B 1.5 % faster, its unadjusted interval excludes 1 but Holm's p
# does not: the verdict says neither, and how many repetitions would tell
c = r[("native", "cpu")]
assert c["ratio_ci95"][0] > 1, c
assert c["verdict"] == "inconclusive" and c["reps_needed"] > 0, c
assert c["ci95_simultaneous"][0] < 1 < c["ci95_simultaneous"][1], c
# mem: identical on both hosts, equivalent by the 90 % interval
assert r[("native", "mem")]["verdict"] == "equivalent", r[("native", "mem")]
assert r[("native", "mem")]["reps_needed"] is None
EOF
expect_exit 0 vb compare --host hostA --host hostB
expect_out_has "only on A (hostA): kvm/cpu (n=7), kvm/mem (n=7), kvm/diskRand (n=7), kvm/diskSeq (n=7), kvm/fork (n=7), kvm/uplink (n=7), one/cpu (n=1), one/mem (n=1), one/diskRand (n=1), one/diskSeq (n=1)"
expect_out_has "only on B (hostB): docker/cpu (n=6), docker/mem (n=6), docker/diskRand (n=6), docker/diskSeq (n=6)"
# the section comes after the table
[ "$(grep -n 'only on A' "$T/out" | cut -d: -f1)" -gt "$(grep -n '^native  *diskSeq' "$T/out" | cut -d: -f1)" ] ||
	fail "one-sided pairs not after the table"
expect_exit 0 vb compare --host hostA --host hostB --format markdown
expect_out_has "- only on B (hostB): docker/cpu (n=6),"
# CSV rows are compared pairs only; stderr says what it left out
expect_exit 0 vb compare --host hostA --host hostB --format csv
[ "$(wc -l <"$T/out")" -eq 5 ] || { cat "$T/out"; fail "compare csv rows"; }
grep -q 'kvm\|docker' "$T/out" && fail "one-sided pair in compare csv"
grep -q 'not in the CSV' "$T/err" || fail "compare csv: no note on stderr"
# --platform: only that platform's one-sided pairs
expect_exit 0 vb compare --host hostA --host hostB --platform kvm --format json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["results"] == [] and d["only_b"] == [] and {x["platform"] for x in d["only_a"]} == {"kvm"} and len(d["only_a"]) == 6, d' "$T/out" || fail "compare --platform kvm"
expect_exit 0 vb compare --host hostA --host hostB --platform native
expect_out_has "hostB relative to A = hostA"
expect_out_has "×"
grep -q 'only on' "$T/out" && fail "--platform native listed one-sided pairs"
expect_exit 1 vb compare --host hostA --host nosuch
echo ok
