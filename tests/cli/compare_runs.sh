# tests/cli/compare_runs.sh - `virtbench compare` beyond two hosts
# (analyze/cmd_analyze.c, analyze_compare_runs()): one host before and
# after a change as two runs (--run A --run B), and several hosts each
# against the first (--host A --host B --host C): ratios equal B's mean
# over A's to 1e-9, pairs of one side listed; usage errors exit 2.
. "$(dirname "$0")/../lib.sh"
PY=$(command -v python3) || skip "python3 is not installed"

# The same host before and after a change: two imports, two runs.
printf 'platform,benchmark,unit,direction,value\n' >"$T/before.csv"
printf 'platform,benchmark,unit,direction,value\n' >"$T/after.csv"
for v in 100 102 98 101 99; do
	echo "native,rps,req/s,higher,$v" >>"$T/before.csv"
	echo "native,rps,req/s,higher,$((v + 20))" >>"$T/after.csv"
	echo "native,lat,ms,lower,$v" >>"$T/before.csv"
done
echo "native,new,s,lower,1" >>"$T/after.csv"
expect_exit 0 vb -q import csv "$T/before.csv" --host box
a=$(cat "$T/out")
expect_exit 0 vb -q import csv "$T/after.csv" --host box
b=$(cat "$T/out")
expect_exit 0 vb compare --run "$a" --run "$(echo "$b" | cut -c1-8)" --format json
"$PY" - "$T/out" "$a" <<'EOF' || fail "compare --run"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["a"] == sys.argv[2], d["a"]
r = {(x["platform"], x["benchmark"]): x for x in d["results"]}
x = r[("native", "rps")]
assert x["n_a"] == 5 and x["n_b"] == 5, x
ratio = (120 + 122 + 118 + 121 + 119) / (100 + 102 + 98 + 101 + 99)
assert abs(x["ratio"] - ratio) <= 1e-9 * ratio, (x["ratio"], ratio)
assert x["significant"] is True, x
assert [o["benchmark"] for o in d["only_a"]] == ["lat"], d["only_a"]
assert [o["benchmark"] for o in d["only_b"]] == ["new"], d["only_b"]
EOF
expect_exit 0 vb compare --run "$a" --run "$b"
grep -q "rps" "$T/out" || fail "text output of compare --run"

# Three hosts: B and C each against A.
{
	echo "host,platform,benchmark,unit,direction,value"
	for v in 10 11 9 10; do
		echo "hA,native,cpu,ev/s,higher,$v"
		echo "hB,native,cpu,ev/s,higher,$((v * 2))"
		echo "hC,native,cpu,ev/s,higher,$((v * 3))"
	done
} >"$T/hosts.csv"
expect_exit 0 vb -q import csv "$T/hosts.csv"
expect_exit 0 vb compare --host hA --host hB --host hC --format json
"$PY" - "$T/out" <<'EOF' || fail "compare with three hosts"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and [x["b"] for x in d] == ["hB", "hC"], d
assert all(x["a"] == "hA" for x in d), d
for x, k in zip(d, (2, 3)):
    assert abs(x["results"][0]["ratio"] - k) <= 1e-9 * k, x["results"][0]
EOF
expect_exit 0 vb compare --host hA --host hB --host hC --format csv
[ "$(grep -c '^a,b,platform' "$T/out")" -eq 1 ] || fail "CSV header repeated"
grep -q '^hA,hC,native,cpu,' "$T/out" || fail "CSV row of the third host"
expect_exit 0 vb compare --host hA --host hB
grep -q "hB" "$T/out" || fail "two hosts as before"

# Usage errors: exit 2, one line naming the problem.
expect_exit 2 vb compare --run "$a"
grep -q "give two hosts (--host A --host B) or two runs (--run A --run B)" "$T/err" ||
	fail "one run accepted"
expect_exit 2 vb compare --run "$a" --run "$a"
grep -q "are the same run" "$T/err" || fail "same run twice accepted"
expect_exit 2 vb compare --run "$a" --host hA
grep -q "exclude each other" "$T/err" || fail "--run with --host accepted"
expect_exit 2 vb compare --run "$a" --run "$b" --run "$a"
expect_exit 1 vb compare --run "$a" --run ffffffff
exit 0
