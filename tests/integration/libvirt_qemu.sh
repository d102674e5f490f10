# tests/integration/libvirt_qemu.sh - a TCG guest end to end through the
# CLI (platform/libvirt/platform_libvirt.c, libvirt_xml.c, cidata.c, ssh.c) on the
# real libvirtd: overlay + seed + domain + SSH with a host key known before
# boot, a quick suite over libssh (the fork benchmark copied with SFTP, the
# uplink test reaching the host's iperf3 at 10.0.2.2), the configuration
# and the full domain XML recorded, and nothing left behind: no domain, no
# overlay, seed or key files.
. "$(dirname "$0")/libvirt.inc"
S=$T/state
expect_exit 0 vb collect --platforms qemu --network user --profile quick \
	--benchmarks cpu,fork,uplink,diskSeq --reps 1 --duration 2 --seed 7 \
	--state-dir "$S"
U=$(cat "$T/out")
u8=$(echo "$U" | cut -c1-8)
[ "$(q "select state from run_platform")" = ok ] ||
	fail "platform state: $(q "select state || ': ' || reason from run_platform")"
q "select b.name, s.status, s.error from sample s join benchmark b on b.id = s.benchmark_id
   where s.status = 'failed'" >"$T/failed"
[ ! -s "$T/failed" ] || { cat "$T/failed"; fail "failed samples (above)"; }
n=$(q "select count(*) from sample where value > 0")
[ "$n" = 8 ] || fail "$n samples with a value, want 8 (4 benchmarks x warm-up + 1)"
grep -q "qemu: guest virtbench-$u8-qemu up, SSH after" "$T/err" || fail "no boot line"

# What ran is recorded, down to the domain XML.
[ "$(cfg kind qemu)" = qemu ] || fail "kind $(cfg kind qemu)"
[ "$(cfg accelerator qemu)" = tcg ] || fail "accelerator $(cfg accelerator qemu)"
[ "$(cfg cpu_model qemu)" = qemu64 ] || fail "cpu_model $(cfg cpu_model qemu)"
[ "$(cfg disk_cache qemu)" = none ] || fail "disk_cache $(cfg disk_cache qemu)"
[ "$(cfg network_mode qemu)" = user ] || fail "network_mode $(cfg network_mode qemu)"
[ "$(cfg vcpus qemu)" = 2 ] && [ "$(cfg memory_mib qemu)" = 2048 ] || fail "size"
cfg image_sha256 qemu | grep -Eq '^[0-9a-f]{64}$' || fail "image_sha256 $(cfg image_sha256 qemu)"
cfg tools.sysbench qemu | grep -q '^sysbench 1' || fail "tools.sysbench $(cfg tools.sysbench qemu)"
cfg tools.iperf3 qemu | grep -q '^iperf 3' || fail "tools.iperf3 $(cfg tools.iperf3 qemu)"
cfg domain_xml qemu >"$T/domain.xml"
grep -q "<domain type='qemu'" "$T/domain.xml" || fail "domain_xml not stored"
grep -q "hostfwd=tcp:127.0.0.1:[0-9]*-:22" "$T/domain.xml" || fail "port forward not on loopback"
if command -v virt-xml-validate >/dev/null; then
	virt-xml-validate "$T/domain.xml" domain >/dev/null || fail "stored domain XML does not validate"
fi

# Nothing left behind.
[ -z "$(domains "$u8")" ] || fail "domain left: $(domains "$u8")"
left=$(find "$S" \( -name 'overlay.qcow2' -o -name 'seed.iso' -o -name 'id_ed25519' \
	-o -name "virtbench-$u8-*" \) 2>/dev/null)
[ -z "$left" ] || fail "files left: $left"
echo "ok: run $U"
