# tests/integration/libvirt_remote.sh - a guest on "another host" through
# --connect qemu+ssh://root@127.0.0.1:PORT/system: libvirtd reached over a
# private sshd (strict host key, key login), so nothing may rely on
# local paths (platform/libvirt/libvirt_remote.c, platform_libvirt.c): the image,
# kernel, initrd and seed travel as storage volumes through the libvirt
# API, the overlay is a volume backed by the uploaded base, the guest is
# reached through the libvirt host (ssh -W), the console is read there and
# the uplink server runs there. Then: an upload that never finished is not
# reused; Ctrl-C during an upload leaves no volume and the run resumes; a
# SIGKILLed run's guest and volumes are removed by "virtbench cleanup
# --connect"; a libvirt host with the wrong host key is refused.
. "$(dirname "$0")/libvirt.inc"
for t in ssh python3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
start_sshd "LogLevel DEBUG1"
# libvirt runs the OpenSSH client named by ?command=; this one checks the
# host key against the test's own known_hosts file (never ~/.ssh's).
sshw() { # KNOWN_HOSTS: a wrapper script of ssh that trusts only that file
	printf '#!/bin/sh\nexec ssh -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes "$@"\n' \
		"$1" >"$1.ssh"
	chmod 0755 "$1.ssh"
	echo "$1.ssh"
}
R="qemu+ssh://root@127.0.0.1:$sshd_port/system?keyfile=$T/id&known_hosts=$T/known_hosts&command=$(sshw "$T/known_hosts")"
virsh -c "$R" uri >/dev/null 2>"$T/virsh.err" ||
	{ cat "$T/virsh.err"; fail "libvirt over SSH does not work: $R"; }
pool_dir=/var/lib/libvirt/images/virtbench
vols() { # the pool's volumes, after a refresh (virtlogd makes the console log)
	virsh -c "$R" pool-refresh virtbench >/dev/null 2>&1 || true
	virsh -c "$R" vol-list virtbench 2>/dev/null | awk 'NR > 2 && $1 { print $1 }'
}
# wait_line PATTERN FILE PID WHAT: waits (up to 5 min) until FILE, the
# stderr of background run PID, has a line matching PATTERN
wait_line() {
	i=0
	until grep -q "$1" "$2"; do
		kill -0 "$3" 2>/dev/null || { cat "$2"; fail "run ended before $4"; }
		i=$((i + 1))
		[ $i -lt 3000 ] || { kill -9 "$3"; fail "no $4 in 300 s"; }
		sleep 0.1
	done
}
# remote_iperf FILE: the port of the iperf3 server on the libvirt host
remote_iperf() {
	sed -n 's/.*iperf3 server on 127.0.0.1.s loopback, port \([0-9]*\)$/\1/p' "$1"
}

echo "$(date +%T) run 1"
# 1. A quick suite on qemu; kvm fails fast here and is reported clearly
# (or runs, on a host where KVM works).
expect_exit 0 vb doctor --connect "$R"
grep -Eq '^qemu +ok: on ' "$T/out" || { cat "$T/out"; fail "doctor on the remote host"; }
expect_exit 0 vb collect --platforms qemu,kvm --connect "$R" --network user \
	--profile quick --benchmarks cpu,uplink --reps 1 --duration 1 --seed 5
U=$(cat "$T/out")
u8=$(echo "$U" | cut -c1-8)
state() { q "select rp.state || ': ' || coalesce(rp.reason, '') from run_platform rp
	join platform p on p.id = rp.platform_id where p.name = '$1'"; }
[ "$(state qemu)" = "ok: " ] || fail "qemu: $(state qemu)"
# kvm: runs where KVM works; here its start fails at once, or it makes no
# progress, and it is reported so while qemu carries on.
case "$(state kvm)" in
"ok: "|"unavailable: guest failed to start"*|"unavailable: domain is running but"*) ;;
*) fail "kvm: $(state kvm)" ;;
esac
n=$(q "select count(*) from sample s join platform p on p.id = s.platform_id
	where p.name = 'qemu' and value > 0")
[ "$n" = 4 ] || { q "select status, error from sample"; fail "$n samples with a value, want 4"; }
[ "$(cfg libvirt_host qemu)" = 127.0.0.1 ] || fail "libvirt_host $(cfg libvirt_host qemu)"
[ "$(cfg storage_pool qemu)" = "$pool_dir" ] || fail "storage_pool $(cfg storage_pool qemu)"
cfg domain_xml qemu >"$T/domain.xml"
for f in overlay.qcow2 seed.iso console.log; do
	grep -q "$pool_dir/virtbench-$u8-qemu.$f" "$T/domain.xml" ||
		fail "domain does not use the $f volume: $(cat "$T/domain.xml")"
done
grep -q "<kernel>$pool_dir/virtbench-kernel-" "$T/domain.xml" || fail "kernel not a volume"
grep -q " client='$(hostname)'" "$T/domain.xml" || fail "owner's host not recorded"
# The guest was reached through the libvirt host: sshd forwarded to the
# guest's port there.
fwd=$(sed -n "s/.*hostfwd=tcp:127.0.0.1:\([0-9]*\)-:22.*/\1/p" "$T/domain.xml")
[ -n "$fwd" ] || fail "no port forward in the domain XML"
grep -Eq "server_request_direct_tcpip: .*target 127.0.0.1 port $fwd\b" "$T/sshd.log" ||
	fail "the guest was not reached through the libvirt host's sshd"
# The uplink test reached an iperf3 server on the libvirt host, not ours.
ours=$(sed -n 's/^iperf3 server on 127.0.0.1:\([0-9]*\) .*/\1/p' "$T/err")
theirs=$(remote_iperf "$T/err")
[ -n "$theirs" ] || { cat "$T/err"; fail "no iperf3 server on the libvirt host"; }
used=$(q "select distinct json_extract(raw_output, '\$.start.connecting_to.port') from sample s
	join benchmark b on b.id = s.benchmark_id where b.name = 'uplink'")
[ "$used" = "$theirs" ] && [ "$used" != "$ours" ] ||
	fail "uplink used port $used (libvirt host's $theirs, collector's $ours)"
[ "$(cfg uplink_server qemu)" = "iperf3 on the libvirt host" ] ||
	fail "uplink_server $(cfg uplink_server qemu)"
# Nothing of the guest is left; the cached uploads stay.
[ -z "$(domains "$u8")" ] || fail "domain left: $(domains "$u8")"
vols >"$T/vols"
! grep -q "^virtbench-$u8-" "$T/vols" || fail "guest volumes left: $(cat "$T/vols")"
base=$(grep '^virtbench-base-.*\.qcow2$' "$T/vols" | head -n 1)
[ -n "$base" ] && grep -qx "$base.ok" "$T/vols" || fail "no cached base volume: $(cat "$T/vols")"
pgrep -f "iperf3 -s -B 127.0.0.1 -p $theirs\$" >/dev/null && fail "remote iperf3 server left running"

# 2. An upload that never finished (no .ok marker) is not reused, and an
# upload interrupted by Ctrl-C leaves no volume behind; the resumed run
# uploads the base again and boots from it. That run is then SIGKILLed
# once its guest is up; cleanup removes guest and volumes.
echo "$(date +%T) run 2"
virsh -c "$R" vol-delete --pool virtbench "$base.ok" >/dev/null
virsh -c "$R" vol-delete --pool virtbench "$base" >/dev/null
virsh -c "$R" vol-create-as virtbench "$base" 1M --format raw >/dev/null
DB=$T/kill.db
"$VIRTBENCH" --db "$DB" collect --platforms qemu --connect "$R" --network user \
	--profile quick --benchmarks cpu --reps 5 --duration 30 >"$T/kill.out" 2>"$T/int.err" &
pid=$!
wait_line "uploading .* as volume $base\$" "$T/int.err" $pid "the base upload"
kill -INT $pid
rc=0
wait $pid || rc=$?
[ $rc -ne 0 ] || fail "an interrupted run exited 0"
grep -q "upload of .* to volume $base failed: interrupted" "$T/int.err" ||
	{ cat "$T/int.err"; fail "the upload was not interrupted"; }
! vols | grep -q "^$base" || fail "interrupted upload left: $(vols | grep "^$base")"
[ "$(q "select status from run")" = interrupted ] || fail "run $(q "select status from run")"
K=$(head -n 1 "$T/kill.out")
k8=$(echo "$K" | cut -c1-8)
"$VIRTBENCH" --db "$DB" collect --resume "$K" \
	>"$T/resume.out" 2>"$T/kill.err" &
pid=$!
wait_line "qemu: guest virtbench-.* up, SSH after" "$T/kill.err" $pid "the guest was up"
grep -q "uploading .* as volume $base\$" "$T/kill.err" ||
	{ cat "$T/kill.err"; fail "the resumed run did not upload the base"; }
sleep 2
kill -9 $pid
wait $pid 2>/dev/null || true
[ -n "$(domains "$k8")" ] || fail "no guest to clean up after SIGKILL"
[ "$(vols | grep -c "^virtbench-$k8-")" = 3 ] || fail "volumes: $(vols)"
echo "$(date +%T) cleanup"
expect_exit 0 vb cleanup --connect "$R"
[ -z "$(domains "$k8")" ] || fail "cleanup left the domain"
! vols | grep -q "^virtbench-$k8-" || fail "cleanup left volumes: $(vols)"
vols | grep -qx "$base.ok" || fail "cleanup removed the cached base"
# The uplink server died with its SSH channel, even after SIGKILL.
kport=$(remote_iperf "$T/kill.err")
[ -n "$kport" ] || fail "no iperf3 server on the libvirt host in the killed run"
i=0
while pgrep -f "iperf3 -s -B 127.0.0.1 -p $kport\$" >/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the killed run's iperf3 server outlived it"
	sleep 0.1
done

echo "$(date +%T) wrong key"
# 3. A libvirt host whose key is not the known one: refused.
ssh-keygen -q -t ed25519 -N '' -C vbtest-other -f "$T/otherkey"
echo "[127.0.0.1]:$sshd_port $(cut -d' ' -f1,2 "$T/otherkey.pub")" >"$T/wrong_hosts"
W=$(echo "$R" | sed "s|$T/known_hosts|$T/wrong_hosts|g")
sshw "$T/wrong_hosts" >/dev/null
DB=$T/wrong.db
before=$(grep -c "Accepted publickey" "$T/sshd.log")
expect_exit 1 vb collect --platforms qemu --connect "$W" --network user \
	--benchmarks cpu --reps 1 --duration 1
grep -q "qemu: unavailable: libvirtd not reachable at $W" "$T/err" ||
	{ cat "$T/err"; fail "wrong host key not reported"; }
[ "$(grep -c "Accepted publickey" "$T/sshd.log")" = "$before" ] ||
	fail "logged in although the host key was wrong"
echo "ok: run $U"
