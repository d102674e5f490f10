# tests/integration/libvirt_study.sh - a study of two qemu (TCG) variants
# end to end (collect/study.c, platform/settings.c, platform_libvirt.c,
# libvirt_xml.c, analyze/variants.c) on the real libvirtd: the guests
# differ in disk_cache (writeback vs none) and disk_io (threads vs
# native); each setting is in the stored domain XML, QEMU's own command
# line shows it (verified), and analyze lists the pair as a variant
# naming exactly those settings. Short: one benchmark, 2-second runs.
. "$(dirname "$0")/libvirt.inc"
S=$T/state
cat >"$T/cache.study" <<'S'
[study]
suite = disk
benchmarks = diskRandWrite
reps = 1
duration = 2

[platform qemu-wb]
kind = qemu
disk_cache = writeback

[platform qemu-none]
kind = qemu
disk_cache = none
disk_io = native
S
: "${VIRTBENCH_BOOT_TIMEOUT:=900}" # two TCG guests on a shared host
export VIRTBENCH_BOOT_TIMEOUT
expect_exit 0 vb collect --study "$T/cache.study" --network user --seed 11 --state-dir "$S"
U=$(cat "$T/out")
[ "$(q "select group_concat(state, ',') from run_platform")" = ok,ok ] ||
	fail "platform states: $(q "select state || ': ' || reason from run_platform")"
[ "$(q "select count(*) from sample where status = 'ok' and value > 0")" = 2 ] ||
	{ q "select status, error from sample" >&2; fail "not 2 measured samples"; }

# Recorded as asked ...
[ "$(cfg disk_cache qemu-wb)" = writeback ] || fail "wb disk_cache $(cfg disk_cache qemu-wb)"
[ "$(cfg disk_cache qemu-none)" = none ] || fail "none disk_cache $(cfg disk_cache qemu-none)"
[ "$(cfg disk_io qemu-none)" = native ] && [ "$(cfg disk_io qemu-wb)" = threads ] || fail "disk_io"
[ "$(cfg settings.disk_cache qemu-wb)" = writeback ] || fail "settings not recorded"
cfg domain_xml qemu-wb | grep -q "<driver name='qemu' type='qcow2' cache='writeback'/>" ||
	fail "wb domain XML: $(cfg domain_xml qemu-wb | grep driver)"
cfg domain_xml qemu-none | grep -q "<driver name='qemu' type='qcow2' cache='none' io='native'/>" ||
	fail "none domain XML: $(cfg domain_xml qemu-none | grep driver)"
# ... and what QEMU and the guest show.
for p in qemu-wb qemu-none; do
	for k in disk_cache disk_io disk_format disk_bus vcpus memory guest_write_cache \
		 cpu_mode network; do
		[ "$(cfg "verified.$k.ok" $p)" = 1 ] || fail "$p: $k not verified: $(cfg "verified.$k" $p)"
	done
done
[ "$(cfg verified.disk_cache.observed qemu-wb)" = writeback ] || fail "QEMU's cache for wb"
[ "$(cfg verified.disk_cache.observed qemu-none)" = none ] || fail "QEMU's cache for none"
[ "$(cfg verified.disk_io.observed qemu-none)" = native ] || fail "QEMU's aio for none"
[ "$(cfg verified.disk_bus.observed qemu-wb)" = virtio ] || fail "guest's bus"
[ "$(cfg verified.guest_write_cache.observed qemu-wb)" = "write back" ] || fail "guest's write cache"
[ "$(cfg verified.cpu_mode.observed qemu-wb)" = qemu64 ] || fail "QEMU's -cpu: $(cfg verified.cpu_mode qemu-wb)"

vb analyze --format json >"$T/a.json"
python3 - "$T/a.json" <<'P' || fail "variants"
import json, sys
v = json.load(open(sys.argv[1]))["variants"]
assert len(v) == 1, v
x = v[0]
assert (x["platform_a"], x["platform_b"], x["benchmark"]) == ("qemu-wb", "qemu-none", "diskRandWrite"), x
assert x["differs"] == ["disk_cache", "disk_io"], x["differs"]
assert x["settings"]["disk_cache"] == {"a": "writeback", "b": "none"}, x
P
[ -z "$(domains "$(echo "$U" | cut -c1-8)")" ] || fail "domain left"
echo "ok: run $U; diskRandWrite wb $(q "select round(value) from sample s join platform p on p.id = s.platform_id where p.name = 'qemu-wb' and repetition = 1") IO/s, none $(q "select round(value) from sample s join platform p on p.id = s.platform_id where p.name = 'qemu-none' and repetition = 1") IO/s"
