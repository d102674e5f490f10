#!/bin/sh
# tests/kvm/inside.sh - the inner half of "make test-kvm", run inside the
# kvm-host test host (L1) by tests/kvm/kvm_host.c from /opt/virtbench:
# waits for libvirtd, asks doctor whether kvm works here, collects a
# reduced run on native, kvm and qemu (one short cpu benchmark; each
# nested guest is an L2), then checks that nothing is left running.
# Stdout is sections the outer half (tests/kvm/run.sh) reads:
#   === doctor      doctor's output
#   === collect     collect's exit status and stderr
#   === leftovers   libvirt domains and QEMU processes still there
#   === export      the run as virtbench's JSON export
# Exit status 75 when a nested guest never reached SSH (worth a retry).
# Environment from the caller: KVM_PLATFORMS (default native,kvm; add qemu for TCG inside the test host),
# KVM_DURATION (2), KVM_REPS (1), VIRTBENCH_BOOT_TIMEOUT (900: the L2 kvm
# guest reaches SSH in 110-440 s; a qemu guest, TCG inside TCG, needs more).
# KVM_VCPUS (1: with 2, an L2 guest can lose a vCPU for good: its kernel
# logs RCU stalls on CPU 0 from 44 s on and never reaches SSH).
# A line "inside: alive ..." goes to stderr every 30 s: the outer half
# takes 5 minutes of silence for a hung test host (KVM_HOST_IDLE).
set -u
export VIRTBENCH_CACHE=/var/cache/virtbench
export VIRTBENCH_BOOT_TIMEOUT="${VIRTBENCH_BOOT_TIMEOUT:-900}"
# (sleep without the channel's stderr: killed, the loop ends the output)
(while sleep 30 </dev/null >/dev/null 2>&1; do echo "inside: alive, up $(cut -d' ' -f1 /proc/uptime) s" >&2; done) &
alive=$!
trap 'kill $alive 2>/dev/null' EXIT
VB=/opt/virtbench/virtbench
DB=/var/tmp/kvm-test.db
S=/var/tmp/kvm-test-state
rm -rf "$DB" "$DB-wal" "$DB-shm" "$S"
mkdir -p "$S"

i=0
until virsh -c qemu:///system version >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 120 ]; then
		echo "libvirtd did not answer within 120 s" >&2
		systemctl status libvirtd virtlogd >&2 || true
		exit 1
	fi
	sleep 1
done
echo "test host: $(uname -r), $(grep -cw svm /proc/cpuinfo) CPUs with svm," \
	"$(ls -l /dev/kvm 2>&1)" >&2
lsmod | grep -E '^kvm' >&2 || true

echo "=== doctor"
"$VB" doctor --network user 2>&1

echo "=== collect"
t0=$(date +%s)
"$VB" --db "$DB" collect --platforms "${KVM_PLATFORMS:-native,kvm}" --network user \
	--benchmarks cpu --duration "${KVM_DURATION:-2}" --reps "${KVM_REPS:-1}" \
	--vcpus "${KVM_VCPUS:-1}" --memory 1024 --state-dir "$S" >"$S.out" 2>"$S.err"
rc=$?
echo "status $rc seconds $(( $(date +%s) - t0 ))"
cat "$S.err"

echo "=== leftovers"
echo "domains: $(virsh -c qemu:///system list --all --name | grep -c virtbench || true)"
echo "qemu: $(pgrep -c qemu-system || true)"
echo "files: $(find "$S" -name '*.qcow2' -o -name 'seed.iso' | wc -l)"

echo "=== export"
"$VB" --db "$DB" export --format json
# An L2 guest that never reached SSH: exit 75 (EX_TEMPFAIL), and the outer
# half tries once more on a fresh test host.
if grep -q "guest not reachable over SSH after" "$S.err"; then
	exit 75
fi
