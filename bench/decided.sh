#!/bin/sh
# bench/decided.sh - benchmark-seconds to decided verdicts (DESIGN.md
# "adaptive stopping", issue 14): the same platforms and benchmarks
# collected three ways on this host, one run after the other -
#   fixed         --reps R (the classic protocol is 60 s x 5)
#   target-ci     --target-ci P, bounded by --min-reps/--max-reps
#   until-decided --until-decided, same bounds
# For each run: the benchmark-seconds spent (sum of every sample's
# duration, warm-ups included: what the host was busy with) and each pair's
# verdict from `analyze --run` (same margin), so the verdicts and the cost
# can be compared. The reference is the fixed protocol of the same run set.
#
# usage: bench/decided.sh            (environment below; defaults in [])
#   PLATFORMS [native,docker]  BENCHMARKS [cpu,mem]  DURATION [2] s
#   REPS [5]  TARGET_CI [2] %  MIN_REPS [3]  MAX_REPS [10]  MARGIN [2] %
#   VIRTBENCH, FORKBENCH; extra collect options in COLLECT_OPTS
#   (e.g. "--network host" for docker).
# Prints a Markdown table for BENCHMARKS.md on stdout.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${VIRTBENCH:=$top/virtbench}" "${FORKBENCH:=$top/build/forkbench}"
: "${PLATFORMS:=native,docker}" "${BENCHMARKS:=cpu,mem}" "${DURATION:=2}"
: "${REPS:=5}" "${TARGET_CI:=2}" "${MIN_REPS:=3}" "${MAX_REPS:=10}"
: "${MARGIN:=2}" "${COLLECT_OPTS:=--network host}"
export FORKBENCH
T=$(mktemp -d "${TMPDIR:-/tmp}/vbdecided.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/bench.db

one() { # LABEL OPTIONS...: one collect, then its cost and verdicts
	label=$1
	shift
	# shellcheck disable=SC2086
	"$VIRTBENCH" -q --db "$DB" collect --platforms "$PLATFORMS" \
		--benchmarks "$BENCHMARKS" --profile quick --duration "$DURATION" \
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
one fixed --reps "$REPS"
one target-ci --target-ci "$TARGET_CI" --min-reps "$MIN_REPS" --max-reps "$MAX_REPS"
one until-decided --until-decided --margin "$MARGIN" --min-reps "$MIN_REPS" \
	--max-reps "$MAX_REPS"

/usr/bin/python3 - "$T" "$REPS" "$TARGET_CI" "$MIN_REPS" "$MAX_REPS" <<'PYEOF'
import json, sys
d, reps, ci, lo, hi = sys.argv[1:]
cost = {}
for line in open(d + "/cost"):
    label, secs, n = line.split()
    cost[label] = (float(secs), int(n))
labels = ["fixed", "target-ci", "until-decided"]
verd = {}
for l in labels:
    doc = json.load(open("%s/%s.json" % (d, l)))
    for r in doc["results"]:
        v = r.get("vs_baseline")
        if v:
            verd.setdefault((r["platform"], r["benchmark"]), {})[l] = \
                (v["verdict"], r["n"])
ref = cost["fixed"][0]
print("| protocol | samples | benchmark-seconds | ratio to fixed | "
      "decided pairs | same verdict as fixed |")
print("|---|---|---|---|---|---|")
desc = {"fixed": "fixed, --reps %s" % reps,
        "target-ci": "--target-ci %s (%s..%s)" % (ci, lo, hi),
        "until-decided": "--until-decided (%s..%s)" % (lo, hi)}
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
        "%s (n=%d)" % verd[p][l] for l in labels) + " |")
PYEOF
