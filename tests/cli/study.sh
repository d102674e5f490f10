# tests/cli/study.sh - `virtbench collect|run --study FILE` and `--set`
# (collect/study.c, collect/cmd_collect.c, platform/settings.c,
# analyze/variants.c, report/mechanisms.c): bad studies and settings are
# refused with FILE:LINE or the option, exit 1/2, and nothing is stored;
# a native + docker study on the disk suite (1-second fio runs) stores the
# study text and every platform's settings with the run, applies and
# verifies the docker settings for real, lists the docker pair under
# analyze's variants with the settings that differ, writes a Mechanisms
# section whose numbers are analyze's, and a resumed run keeps them.
. "$(dirname "$0")/../lib.sh"
for t in fio sqlite3 python3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
q() { sqlite3 "$DB" "$1"; }

# 1. refused, with the place, before anything runs
cat >"$T/bad.study" <<'EOF'
[study]
suite = disk

[platform qemu-wb]
kind = qemu
disk_cahce = writeback
EOF
expect_exit 1 vb collect --study "$T/bad.study"
expect_err_line "$T/bad.study:6: setting 'disk_cahce' unknown (guests: disk_cache, disk_bus, disk_io, disk_format, vcpus, memory, cpu_mode, network; containers: storage, network, seccomp, cpus, memory)"
[ ! -s "$T/out" ] || fail "a refused study printed a run: $(cat "$T/out")"
[ ! -e "$DB" ] || [ "$(q 'select count(*) from run')" = 0 ] || fail "a refused study left a run"

printf '[platform d]\nkind = docker\n\nstorage = tmpfs\n' >"$T/bad2.study"
expect_exit 1 vb run --study "$T/bad2.study"
grep -Fq "$T/bad2.study:4: storage 'tmpfs' is not one of volume, overlay" "$T/err" ||
	fail "bad value: $(cat "$T/err")"
printf '[platform n]\nkind = native\nvcpus = 2\n' >"$T/bad3.study"
expect_exit 1 vb collect --study "$T/bad3.study"
grep -Fq "$T/bad3.study:3: setting 'vcpus' does not apply to kind native" "$T/err" ||
	fail "not applicable: $(cat "$T/err")"
expect_exit 1 vb collect --study "$T/missing.study"
grep -Fq "cannot read study $T/missing.study" "$T/err" || fail "missing study: $(cat "$T/err")"

expect_exit 2 vb collect --platforms qemu:a --set qemu:a.disk_cache=fast
grep -Fq -- "--set qemu:a.disk_cache: disk_cache 'fast' is not one of" "$T/err" ||
	fail "--set value: $(cat "$T/err")"
expect_exit 2 vb collect --platforms qemu:a --set qemu:b.disk_cache=none
grep -Fq -- "--set qemu:b.disk_cache: no platform qemu:b in this run" "$T/err" ||
	fail "--set platform: $(cat "$T/err")"
expect_exit 2 vb collect --platforms docker --set docker.disk_bus=scsi
grep -Fq -- "setting 'disk_bus' does not apply to kind docker" "$T/err" ||
	fail "--set kind: $(cat "$T/err")"
expect_exit 2 vb collect --set native.vcpus=2
expect_exit 2 vb collect --resume 0000 --study studies/docker-storage.study
[ ! -e "$DB" ] || [ "$(q 'select count(*) from run')" = 0 ] || fail "refusals left a run"

# an ssh platform named apart from its target: the target is used (and
# recorded unavailable with it: nothing listens on port 1); own database
printf '[study]\nsuite = disk\nbenchmarks = diskSeqWrite\nreps = 1\n[platform native]\nkind = native\n[platform far]\nkind = ssh:nobody@127.0.0.1:1\n' >"$T/ssh.study"
expect_exit 0 "$VIRTBENCH" --db "$T/ssh.db" collect --study "$T/ssh.study" --duration 1 --state-dir "$T"
qs() { sqlite3 "$T/ssh.db" "$1"; }
[ "$(qs "select p.kind || ' ' || rp.state from run_platform rp join platform p on p.id = rp.platform_id where p.name = 'far'")" = "ssh unavailable" ] ||
	fail "far: $(qs 'select * from run_platform')"
qs "select reason from run_platform rp join platform p on p.id = rp.platform_id where p.name = 'far'" | grep -q '127.0.0.1' ||
	fail "far's reason does not name its target: $(qs 'select reason from run_platform')"
[ "$(qs "select json_extract(params, '\$.platform_settings.far.address') from run")" = "ssh:nobody@127.0.0.1:1" ] ||
	fail "ssh address not stored"

# 2. a native + docker study on the disk suite, for real
docker_ok=1
"$VIRTBENCH" doctor --docker-network host 2>/dev/null | grep -q '^docker  *ok' || docker_ok=0
if [ $docker_ok = 0 ]; then
	skip "docker cannot run here (virtbench doctor); the refusals above passed"
fi
cat >"$T/s.study" <<'EOF'
# native, and docker on a volume and in its overlay layer
[study]
name = storage
suite = disk
benchmarks = diskRandWrite, diskSeqWrite
reps = 3

[platform native]
kind = native

[platform vol]
kind = docker
storage = volume

[platform ovl]
kind = docker
storage = overlay
seccomp = unconfined
cpus = 1.5
EOF
# --reps and --duration on top of the study's; --docker-network too.
expect_exit 0 vb collect --study "$T/s.study" --reps 2 --duration 1 \
	--docker-network host --state-dir "$T" --seed 3
U=$(cat "$T/out")
grep -q "platforms:   native, vol, ovl" "$T/err" || fail "plan: $(grep platforms: "$T/err")"
[ "$(q "select count(*) from sample where status = 'ok' and repetition > 0")" = 12 ] ||
	{ q "select * from sample where status <> 'ok' and repetition > 0" >&2; fail "not 12 ok samples"; }
[ "$(q "select group_concat(name || '=' || kind, ',') from platform")" = "native=native,vol=docker,ovl=docker" ] ||
	fail "platform kinds: $(q 'select name, kind from platform')"
# The study's text and each platform's settings are in the run's params.
[ "$(q "select json_extract(params, '\$.study_text') = cast(readfile('$T/s.study') as text) from run")" = 1 ] ||
	fail "study text not stored as given"
[ "$(q "select json_extract(params, '\$.study_origin') from run")" = "$T/s.study" ] || fail "origin"
[ "$(q "select json_extract(params, '\$.platform_settings.ovl.settings.cpus') from run")" = 1.5 ] ||
	fail "settings not in params: $(q 'select params from run')"
[ "$(q "select json_extract(params, '\$.platform_settings.ovl.settings.network') from run")" = host ] ||
	fail "--docker-network not applied on top of the study"
[ "$(q "select json_extract(params, '\$.reps') || ',' || json_extract(params, '\$.duration') from run")" = "2,1" ] ||
	fail "command line not on top: $(q 'select params from run')"
cfg() { q "select json_extract(config, '\$.$1') from run_platform rp join platform p on p.id = rp.platform_id where p.name = '$2'"; }
# Applied and verified inside the container.
[ "$(cfg storage ovl)" = overlay ] && [ "$(cfg storage vol)" = volume ] || fail "storage recorded"
for k in storage seccomp cpus memory network; do
	[ "$(cfg "verified.$k.ok" ovl)" = 1 ] || fail "ovl $k not verified: $(cfg verified ovl)"
done
[ "$(cfg verified.storage.observed ovl)" = overlay ] || fail "overlay not observed"
[ "$(cfg verified.storage.observed vol)" = volume ] || fail "volume not observed"
[ "$(cfg verified.seccomp.observed ovl)" = unconfined ] || fail "seccomp not observed"
[ "$(cfg verified.seccomp.observed vol)" = default ] || fail "default seccomp not observed"
[ "$(cfg verified.cpus.observed ovl)" = 1.5 ] || fail "cpu quota not observed: $(cfg verified.cpus ovl)"

# 3. variants: vol vs ovl per benchmark, the settings that differ named
vb analyze --format json >"$T/a.json"
python3 - "$T/a.json" <<'EOF' || fail "variants"
import json, sys
d = json.load(open(sys.argv[1]))
v = d["variants"]
assert [(x["platform_a"], x["platform_b"], x["benchmark"]) for x in v] == \
    [("vol", "ovl", "diskRandWrite"), ("vol", "ovl", "diskSeqWrite")], v
for x in v:
    assert x["kind"] == "docker" and x["n_a"] == 2 and x["n_b"] == 2, x
    assert x["differs"] == ["storage", "seccomp", "cpus"], x["differs"]
    assert x["settings"]["storage"] == {"a": "volume", "b": "overlay"}, x
    assert x["settings"]["cpus"] == {"a": "2", "b": "1.5"}, x
    r = x["mean_b"] / x["mean_a"]
    assert abs(x["speedup"] - r) <= 1e-12 * r, (x["speedup"], r)
    for k in ("ci95", "welch", "mann_whitney", "p_holm", "significant", "verdict",
              "margin", "ci95_simultaneous", "ci90_simultaneous", "reps_needed"):
        assert k in x, k
# the variants are in the same Holm family as the baseline comparisons:
# 2 platforms x 2 benchmarks against native, plus the 2 variant pairs
ps = [r["vs_baseline"]["welch"]["p"] for r in d["results"] if "vs_baseline" in r] + \
     [x["welch"]["p"] for x in v]
ps = [p for p in ps if p is not None]
m = len(ps)
order = sorted(range(m), key=lambda i: ps[i])
adj, run = [0.0] * m, 0.0
for k, i in enumerate(order):
    run = max(run, min(1.0, (m - k) * ps[i]))
    adj[i] = run
got = [r["vs_baseline"]["p_holm"] for r in d["results"] if "vs_baseline" in r] + \
      [x["p_holm"] for x in v]
got = [p for p in got if p is not None]
assert all(abs(a - b) <= 1e-9 * max(b, 1e-300) for a, b in zip(got, adj)), (got, adj)
# and the verdicts' family counts them too
assert d["family_size"] == 6, d["family_size"]
EOF

# 4. the report's Mechanisms section shows analyze's numbers
expect_exit 0 vb report --out "$T/rep"
grep -q '^## Mechanisms' "$T/rep/report.md" || fail "no Mechanisms section"
python3 - "$T/a.json" "$T/rep/report.md" <<'EOF' || fail "Mechanisms numbers"
import json, sys
d = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read().split("## Mechanisms", 1)[1].split("\n## ", 1)[0]
for x in d["variants"]:
    row = [l for l in md.splitlines() if "| vol → ovl | " + x["benchmark"] + " |" in l]
    assert len(row) == 1, (x["benchmark"], md)
    assert "`storage`=volume → overlay" in row[0], row[0]
    s = "%.4g" % x["speedup"]
    assert s in row[0] or ("%.3f" % x["speedup"]) in row[0], (s, row[0])
    assert row[0].rstrip().endswith("| " + x["verdict"] + " |"), (x["verdict"], row[0])
EOF

# 5. resume keeps each platform's kind and settings
q "update run set status = 'interrupted'"
q "delete from sample where platform_id = (select id from platform where name = 'ovl') and repetition = 2"
expect_exit 0 vb collect --resume "$U" --state-dir "$T"
[ "$(q "select count(*) from sample where status = 'ok' and repetition > 0")" = 12 ] ||
	fail "resume did not retake the missing samples"
[ "$(cfg storage ovl)" = overlay ] && [ "$(cfg verified.seccomp.observed ovl)" = unconfined ] ||
	fail "resumed ovl lost its settings: $(cfg settings ovl)"
[ "$(cfg previous_instances ovl)" != "" ] || fail "no previous instance recorded"
echo "ok: run $U"
