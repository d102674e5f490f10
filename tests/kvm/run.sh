#!/bin/sh
# tests/kvm/run.sh - "make test-kvm": the kvm platform run for real, inside
# a nested KVM host under TCG (image/kvm_host.c, tests/kvm/kvm_host.c,
# tests/kvm/inside.sh; why in docs/ARCHITECTURE.md, "KVM test host").
#
#   1. builds the kvm-host image when it is not cached (and the guest
#      image it contains);
#   2. asks doctor here: on a host whose KVM cannot run Linux guests it
#      must say kvm does not work;
#   3. boots the test host (L1, TCG, CPU "maximum", 2 vCPUs), copies this
#      virtbench in and runs collect --platforms native,kvm there (qemu too with KVM_PLATFORMS=native,kvm,qemu)
#      (one short cpu benchmark; each guest an L2);
#   4. asserts: doctor inside said kvm works; the run completed; kvm has
#      ok samples whose recorded accelerator is kvm as measured inside the
#      guest (qemu's tcg); nothing left running inside (domains, QEMU) or
#      here (the test host's domain, its QEMU, its files);
#   5. prints the kvm platform's ok sample count (last line).
#
# Not part of "make test": minutes of TCG (see README, "Testing KVM").
# Environment: VIRTBENCH, FORKBENCH, KVM_HOST (the driver binary),
# KVM_PLATFORMS, KVM_DURATION, KVM_REPS (passed into the test host).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${VIRTBENCH:=$top/virtbench}" "${FORKBENCH:=$top/build/forkbench}"
: "${KVM_HOST:=$top/build/tests/virtbench-kvm-host}"
export VIRTBENCH FORKBENCH
URI=qemu:///system
fail() { echo "test-kvm: FAIL: $*" >&2; exit 1; }
say() { echo "test-kvm: $*" >&2; }
[ "$(id -u)" -eq 0 ] || fail "needs root (libvirt at $URI, debootstrap for the image)"
for t in virsh qemu-system-x86_64 qemu-img genisoimage sqlite3 debootstrap; do
	command -v $t >/dev/null || fail "$t is not installed (scripts/install-deps.sh all)"
done
virsh -c $URI version >/dev/null 2>&1 ||
	fail "libvirtd not reachable at $URI (scripts/start-daemons.sh libvirt)"
[ -x "$KVM_HOST" ] || fail "$KVM_HOST is not built (make test-kvm builds it)"

T=$(mktemp -d /var/tmp/vbkvm.XXXXXX)
trap 'rm -rf "$T"' EXIT
t0=$(date +%s)
since() { echo $(( $(date +%s) - $1 )); }

# 1. The image (cached by recipe hash; a fresh machine builds both).
t=$(date +%s)
"$VIRTBENCH" image kvm-host >"$T/image.out" 2>"$T/image.err" || {
	tail -n 30 "$T/image.err" >&2
	fail "virtbench image kvm-host failed"
}
t_image=$(since $t)
say "image ready in ${t_image}s: $(cat "$T/image.out")"

# 2. Doctor on this host.
"$VIRTBENCH" doctor --network user >"$T/doctor.out" 2>&1 || true
outer=$(grep '^kvm ' "$T/doctor.out" || true)
say "doctor here: $outer"
case "$outer" in
"kvm"*" no: "*) ;;
"kvm"*" ok"*) say "KVM works on this host itself; the nested run tests the same code" ;;
*) fail "doctor printed no kvm verdict: $(cat "$T/doctor.out")" ;;
esac

# 3. The nested run.
t=$(date +%s)
set +e
"$KVM_HOST" "$T/state" "$top/tests/kvm/inside.sh" "$T/inside" 2>"$T/host.err"
rc=$?
set -e
t_nested=$(since $t)
cat "$T/host.err" >&2
[ -f "$T/inside.err" ] && sed '/^inside: alive/d; s/^/  L1: /' "$T/inside.err" >&2
[ $rc -eq 0 ] || fail "the script inside the test host failed (exit $rc)"
section() { awk -v s="=== $1" '$0 == s { on = 1; next } /^=== / { on = 0 } on' "$T/inside"; }
section doctor >"$T/doctor-l1.out"
section collect >"$T/collect.out"
section leftovers >"$T/left.out"
section export >"$T/export.json"
sed 's/^/  L1 doctor: /' "$T/doctor-l1.out" >&2
sed 's/^/  L1 collect: /' "$T/collect.out" >&2

# 4. The assertions.
inner=$(grep '^kvm ' "$T/doctor-l1.out" || true)
case "$inner" in
"kvm"*" ok"*) ;;
*) fail "doctor inside the test host did not say kvm works: $inner" ;;
esac
grep -q '^status 0 ' "$T/collect.out" || fail "collect inside the test host failed"
for k in domains qemu files; do
	n=$(sed -n "s/^$k: //p" "$T/left.out")
	[ "$n" = 0 ] || fail "left inside the test host: $k $n"
done
# Kept for people and for the fixture of tests/cli/kvm_nested.sh.
mkdir -p "$top/build/test-logs"
cp "$T/export.json" "$top/build/test-logs/kvm-nested.json"
cp "$T/doctor-l1.out" "$top/build/test-logs/kvm-nested-doctor.out"
DB=$T/kvm.db
"$VIRTBENCH" --db "$DB" import json "$T/export.json" >/dev/null ||
	fail "the inner run's export does not import"
q() { sqlite3 "$DB" "$1"; }
cfg() { # KEY PLATFORM
	q "SELECT json_extract(rp.config, '\$.$1') FROM run_platform rp
	   JOIN platform p ON p.id = rp.platform_id WHERE p.name = '$2'"
}
oks() {
	q "SELECT count(*) FROM sample s JOIN platform p ON p.id = s.platform_id
	   WHERE p.name = '$1' AND s.status = 'ok'"
}
[ "$(q "SELECT status FROM run")" = complete ] || fail "the inner run is not complete"
for p in $(echo "${KVM_PLATFORMS:-native,kvm}" | tr , ' '); do
	[ "$(oks "$p")" -ge 1 ] || fail "platform $p has no ok sample"
done
[ "$(cfg accelerator kvm)" = kvm ] || fail "kvm's recorded accelerator: $(cfg accelerator kvm)"
[ "$(cfg accelerator_source kvm)" = "measured in the guest" ] ||
	fail "kvm's accelerator was not measured in the guest: $(cfg accelerator_source kvm)"
case "$(cfg domain_xml kvm)" in "<domain type='kvm'"*) ;; *) fail "kvm's domain is not type='kvm'" ;; esac
say "kvm accelerator: $(cfg accelerator_evidence kvm)"
# The collector's host was itself a guest (the test host): recorded, so
# that nested numbers are never taken for KVM's speed.
[ "$(cfg libvirt_host_is_guest kvm)" = 1 ] || fail "kvm's libvirt host not recorded as a guest"
say "kvm's libvirt host: a guest, DMI vendor $(cfg libvirt_host_dmi_vendor kvm)"
# The report's answers on real kvm data.
"$VIRTBENCH" --db "$DB" report --out "$T/report" >/dev/null 2>"$T/report.err" ||
	{ cat "$T/report.err" >&2; fail "report on the nested run failed"; }
grep -q 'accelerator is `kvm`' "$T/report/report.md" ||
	fail "the report does not explain kvm's result by its accelerator"
case ",${KVM_PLATFORMS:-native,kvm}," in
*,qemu,*)
	[ "$(cfg accelerator qemu)" = tcg ] || fail "qemu's recorded accelerator: $(cfg accelerator qemu)"
	say "qemu accelerator: $(cfg accelerator_evidence qemu)" ;;
esac
# Here: the test host's domain, its QEMU and its files are gone.
left=$(virsh -c $URI list --all --name | grep -- '-qemu-kvm-host$' || true)
[ -z "$left" ] || fail "test host domain left: $left"
pgrep -f "qemu-system.*$T/state" >/dev/null && fail "the test host's QEMU is still running"
files=$(find "$T/state" -name '*.qcow2' -o -name 'seed.iso' -o -name 'id_ed25519' 2>/dev/null)
[ -z "$files" ] || fail "files left: $files"

# 5. The result.
say "image ${t_image}s, nested run ${t_nested}s, total $(since $t0)s"
echo "kvm ok samples: $(oks kvm)"
