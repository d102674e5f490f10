#!/bin/sh
# bench/decided.sh - benchmark-seconds to decided verdicts (DESIGN.md
# "adaptive stopping", issue 14): the same platforms and benchmarks
# collected three ways on this host, one run after the other -
#   fixed         --reps R (the classic protocol is 60 s x 5)
#   target-ci     --target-ci P, bounded by --min-reps/--max-reps
#   until-decided --until-decided, same bounds
# The fixed protocol may use longer samples than the adaptive ones
# (FIXED_DURATION, e.g. the classic 60 s, against DURATION 5 s): a rule
# that stops per pair gains most from many short samples, and what is
# compared is the cost of reaching the same verdicts.
# For each run: the benchmark-seconds spent (sum of every sample's
# duration, warm-ups included: what the host was busy with) and each pair's
# verdict from `analyze --run` (same margin), so the verdicts and the cost
# can be compared. The reference is the fixed protocol of the same run set.
#
# usage: bench/decided.sh            (environment below; defaults in [])
#   PLATFORMS [native,docker]  BENCHMARKS [cpu,mem]  DURATION [2] s
#   FIXED_DURATION [DURATION] s  REPS [5]  TARGET_CI [2] %  MIN_REPS [3]
#   MAX_REPS [10]  MARGIN [2] %
#   VIRTBENCH, FORKBENCH; extra collect options in COLLECT_OPTS
#   (e.g. "--network host" for docker).
# Prints a Markdown table for BENCHMARKS.md on stdout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${VIRTBENCH:=$top/virtbench}" "${FORKBENCH:=$top/build/forkbench}"
: "${PLATFORMS:=native,docker}" "${BENCHMARKS:=cpu,mem}" "${DURATION:=2}"
: "${REPS:=5}" "${TARGET_CI:=2}" "${MIN_REPS:=3}" "${MAX_REPS:=10}"
: "${MARGIN:=2}" "${COLLECT_OPTS:=--network host}"
: "${FIXED_DURATION:=$DURATION}"
export FORKBENCH
T=$(mktemp -d "${TMPDIR:-/tmp}/vbdecided.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/bench.db

one() { # LABEL DURATION OPTIONS...: one collect, its cost and verdicts
	label=$1 dur=$2
	shift 2
	# shellcheck disable=SC2086
	"$VIRTBENCH" -q --db "$DB" collect --platforms "$PLATFORMS" \
		--benchmarks "$BENCHMARKS" --profile quick --duration "$dur" \
		--state-dir "$T" $COLLECT_OPTS "$@" >"$T/uuid" 2>"$T/err" || {
		cat "$T/err" >&2
		exit 1
	}
	u=$(cat "$T/uuid")
	"$VIRTBENCH" --db "$DB" analyze --run "$u" --margin "$MARGIN" \
		--format json >"$T/$label.json"
	secs=$(sqlite3 "$DB" "select round(sum(duration), 1) from sample s
		join run r on r.id = s.run_id where r.uuid = '$u'")
	n=$(sqlite3 "$DB" "select count(*) from sample s join run r on
		r.id = s.run_id where r.uuid = '$u'")
	echo "$label $secs $n" >>"$T/cost"
}

: >"$T/cost"
one fixed "$FIXED_DURATION" --reps "$REPS"
one target-ci "$DURATION" --target-ci "$TARGET_CI" --min-reps "$MIN_REPS" --max-reps "$MAX_REPS"
one until-decided "$DURATION" --until-decided --margin "$MARGIN" --min-reps "$MIN_REPS" \
	--max-reps "$MAX_REPS"

/usr/bin/python3 - "$T" "$REPS" "$TARGET_CI" "$MIN_REPS" "$MAX_REPS" \
	"$FIXED_DURATION" "$DURATION" <<'PYEOF'
import json, sys
d, reps, ci, lo, hi, fdur, dur = sys.argv[1:]
cost = {}
for line in open(d + "/cost"):
    label, secs, n = line.split()
    cost[label] = (float(secs), int(n))
labels = ["fixed", "target-ci", "until-decided"]
verd = {}
cov = {}
for l in labels:
    doc = json.load(open("%s/%s.json" % (d, l)))
    for r in doc["results"]:
        cov.setdefault(l, []).append("%s/%s %.1f%%%s" % (
            r["platform"], r["benchmark"], 100 * (r.get("cov") or 0),
            ", %d disturbed" % r["n_disturbed"] if r.get("n_disturbed")
            else ""))
        v = r.get("vs_baseline")
        if v:
            iv = v.get("ci90_simultaneous") if v["verdict"] == "equivalent" \
                else v.get("ci95_simultaneous")
            verd.setdefault((r["platform"], r["benchmark"]), {})[l] = \
                (v["verdict"], r["n"],
                 "[%.3f, %.3f]" % tuple(iv) if iv else "unbounded")
ref = cost["fixed"][0]
print("| protocol | samples | benchmark-seconds | ratio to fixed | "
      "decided pairs | same verdict as fixed |")
print("|---|---|---|---|---|---|")
desc = {"fixed": "fixed, %s s x %s" % (fdur, reps),
        "target-ci": "--target-ci %s, %s s x %s..%s" % (ci, dur, lo, hi),
        "until-decided": "--until-decided, %s s x %s..%s" % (dur, lo, hi)}
for l in labels:
    secs, n = cost[l]
    dec = sum(1 for p in verd if verd[p][l][0] != "inconclusive")
    same = sum(1 for p in verd if verd[p][l][0] == verd[p]["fixed"][0])
    print("| %s | %d | %.1f | %.2f | %d of %d | %d of %d |" %
          (desc[l], n, secs, secs / ref, dec, len(verd), same, len(verd)))
print()
print("| pair | " + " | ".join(labels) + " |")
print("|---|" + "---|" * len(labels))
for p in sorted(verd):
    print("| %s/%s | " % p + " | ".join(
        "%s (n=%d) %s" % verd[p][l] for l in labels) + " |")
print()
for l in labels:
    print("CoV, %s: %s  " % (l, "; ".join(cov[l])))
PYEOF
