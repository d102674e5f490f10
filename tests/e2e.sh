#!/bin/sh
# tests/e2e.sh - the demo pipeline end to end with a reduced profile, as CI
# runs it (.ci/run): `virtbench run` on every platform doctor says can run
# here (native, docker, qemu; kvm where it works), 2 s per benchmark, 2
# repetitions. Asserts: every available platform has an ok sample for every
# benchmark and no failed sample; the report has every section and every
# figure it links exists and is rendered; nothing the run started is left
# (no guest, container, volume or scratch directory).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
VIRTBENCH=${VIRTBENCH:-$top/virtbench}
T=$(mktemp -d /var/tmp/vbe2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
vb() { "$VIRTBENCH" --db "$T/e2e.db" "$@"; }

platforms=native
"$VIRTBENCH" doctor --docker-network host --network user >"$T/doctor" 2>&1 || true
cat "$T/doctor"
if grep -q '^docker  *ok' "$T/doctor"; then platforms="$platforms,docker"; fi
if grep -q '^qemu  *ok' "$T/doctor"; then platforms="$platforms,qemu"; fi
if grep -Eq '^kvm  *ok' "$T/doctor"; then platforms="$platforms,kvm"; fi
echo "e2e: platforms $platforms"

vb run --platforms "$platforms" --profile quick --duration 2 --reps 2 \
	--network user --docker-network host --state-dir "$T" --out "$T/report" >"$T/run.out"
cat "$T/run.out"
run=$(head -n 1 "$T/run.out")
q() { sqlite3 "$T/e2e.db" "$1"; }
[ "$(q "SELECT status FROM run WHERE uuid = '$run'")" = complete ] || fail "run not complete"

# Every available platform x every benchmark has ok samples; none failed.
nbench=$(q "SELECT count(DISTINCT benchmark_id) FROM sample")
[ "$nbench" -eq 6 ] || fail "expected 6 benchmarks, got $nbench"
for p in $(echo "$platforms" | tr , ' '); do
	got=$(q "SELECT count(DISTINCT s.benchmark_id) FROM sample s JOIN platform p
		ON p.id = s.platform_id WHERE p.name = '$p' AND s.status = 'ok'")
	[ "$got" -eq 6 ] || fail "platform $p has ok samples for $got of 6 benchmarks"
done
failed=$(q "SELECT count(*) FROM sample WHERE status = 'failed'")
[ "$failed" -eq 0 ] || { q "SELECT p.name, b.name, s.error FROM sample s JOIN platform p ON p.id=s.platform_id JOIN benchmark b ON b.id=s.benchmark_id WHERE s.status='failed'"; fail "$failed failed samples"; }

# The report: every section, every linked figure rendered.
r=$T/report/report.md
for h in "## Answers" "## Warnings" "## Hosts and platforms" "## Method" "## Results" \
	"### cpu" "### mem" "### diskRand" "### diskSeq" "### fork" "### uplink"; do
	grep -q "^$h" "$r" || fail "report has no '$h'"
done
[ "$(grep -m1 '^## ' "$r")" = "## Answers" ] || fail "the report does not open with its answers"
[ -s "$T/report/report.html" ] || fail "no report.html beside report.md"
n=0
for f in $(grep -o 'figures/[^)]*\.\(png\|svg\)' "$r" | sort -u); do
	[ -s "$T/report/$f" ] || fail "report links $f, which is missing"
	n=$((n + 1))
done
[ $n -ge 20 ] || fail "only $n figures linked"
python3 - "$T/report/figures" <<'PY' || fail "a figure does not decode"
import os, struct, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
for f in os.listdir(d):
    p = os.path.join(d, f)
    if f.endswith('.png'):
        b = open(p, 'rb').read()
        assert b[:8] == b'\x89PNG\r\n\x1a\n' and b[12:16] == b'IHDR', f
        w, h = struct.unpack('>II', b[16:24]); assert w > 100 and h > 100, f
    elif f.endswith('.svg'):
        ET.parse(p)
PY

# Nothing left behind.
if command -v virsh >/dev/null; then
	left=$(virsh -c qemu:///system list --all --name 2>/dev/null | grep "virtbench-$(echo "$run" | cut -c1-8)" || true)
	[ -z "$left" ] || fail "guests left: $left"
fi
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	[ -z "$(docker ps -aq --filter "label=virtbench.run=$run")" ] || fail "containers left"
	[ -z "$(docker volume ls -q --filter "label=virtbench.run=$run")" ] || fail "volumes left"
fi
[ -z "$(ls -d "$T"/virtbench-* 2>/dev/null)" ] || fail "scratch directories left: $(ls -d "$T"/virtbench-*)"
echo "e2e: ok ($platforms, $n figures)"
