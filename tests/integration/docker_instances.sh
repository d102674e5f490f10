# tests/integration/docker_instances.sh - collect --instances on the real
# dockerd (collect/collect.c instance slots, platform/docker container
# names, analyze/ instance units): two fresh containers of one platform,
# interleaved with native in the randomised rounds; every sample records
# its instance; one warm-up stored; the configuration lists both
# containers; analyze's docker group has two instances whose means and
# interval (Student t on 1 df over the instance means) agree with scipy;
# the CSV export carries the instance column; nothing is left behind; and
# a resumed run numbers its fresh containers after the first ones.
. "$(dirname "$0")/../lib.sh"
unset VIRTBENCH_DOCKER_IMAGE
image=virtbench-bench:bookworm
sock=/var/run/docker.sock
case "${DOCKER_HOST:-}" in
"") ;;
unix://*) sock=${DOCKER_HOST#unix://} ;;
*) skip "DOCKER_HOST=$DOCKER_HOST: only unix:// sockets are supported" ;;
esac
for t in curl sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import scipy' 2>/dev/null || skip "python3-scipy is not installed"
api() {
	p=$1
	shift
	curl -sf --unix-socket "$sock" -G "http://localhost/v1.41$p" "$@"
}
api /_ping >/dev/null 2>&1 ||
	skip "no docker daemon answers at $sock (start it: scripts/start-daemons.sh docker)"
api "/images/$image/json" >/dev/null 2>&1 ||
	skip "the benchmark image $image is not built (virtbench image docker)"
q() { sqlite3 "$DB" "$1"; }
leftovers() {
	f="{\"label\":[\"virtbench.run=$1\"]}"
	c=$(api /containers/json --data-urlencode all=1 --data-urlencode "filters=$f")
	case "$c" in *'"Id"'*) echo "containers: $c" ;; esac
}

expect_exit 0 vb collect --platforms native,docker --profile quick \
	--benchmarks cpu --reps 3 --duration 1 --instances 2 --network host --seed 11
U=$(cat "$T/out")
grep -q 'instances:   2 per docker' "$T/err" || fail "plan does not say instances"
[ "$(q "select status from run")" = complete ] || fail "run not complete"
[ "$(q "select json_extract(params, '\$.instances') from run")" = 2 ] ||
	fail "instances not in the run's parameters"
# docker: one warm-up (instance 1) + 3 per instance, repetitions 1..6
# alternating between the instances; native: one instance, 1 + 3
[ "$(q "select group_concat(repetition || ':' || instance || ':' || status, ' ')
	from (select * from sample s join platform p on p.id = s.platform_id
	where p.name = 'docker' order by repetition)")" = \
	"0:1:warmup 1:1:ok 2:2:ok 3:1:ok 4:2:ok 5:1:ok 6:2:ok" ] ||
	fail "docker samples: $(q "select repetition, instance, status from sample")"
[ "$(q "select count(*) from sample s join platform p on p.id = s.platform_id
	where p.name = 'native' and instance = 1")" = 4 ] || fail "native samples"
# interleaved: the two instances alternate in time, not one after the other
[ "$(q "select count(distinct instance) from (select instance from sample s
	join platform p on p.id = s.platform_id where p.name = 'docker' and
	s.repetition between 1 and 2)")" = 2 ] || fail "instances not interleaved"
ids=$(q "select json_extract(config, '\$.instances[0].instance_id') || ' ' ||
	json_extract(config, '\$.instances[1].instance_id') from run_platform rp
	join platform p on p.id = rp.platform_id where p.name = 'docker'")
case "$ids" in
"$(echo "$ids" | cut -d' ' -f1) $(echo "$ids" | cut -d' ' -f1)") fail "one container twice: $ids" ;;
?*' '?*) ;;
*) fail "configuration does not list two containers: $ids" ;;
esac
[ -z "$(leftovers "$U")" ] || fail "left behind: $(leftovers "$U")"

expect_exit 0 vb export --format csv
head -1 "$T/out" | grep -q '^run,host,platform,benchmark,repetition,value,unit,status,started_at,instance,host_other_cpu,disturbed' ||
	fail "export header: $(head -1 "$T/out")"
grep -q ',docker,cpu,2,[0-9.]*,events/s,ok,[^,]*,2,' "$T/out" || fail "export: no instance 2 row"

expect_exit 0 vb analyze --format json
q "select s.instance, s.value from sample s join platform p on p.id = s.platform_id
   where p.name = 'docker' and s.status = 'ok'" >"$T/vals"
$PY - "$T/out" "$T/vals" <<'PYEOF' || fail "analyze instances check"
import json, sys
import numpy as np
from scipy import stats
d = json.load(open(sys.argv[1]))
r = [x for x in d["results"] if x["platform"] == "docker"][0]
rows = [l.strip().split("|") for l in open(sys.argv[2]) if l.strip()]
by = {}
for i, v in rows:
    by.setdefault(int(i), []).append(float(v))
means = [np.mean(by[k]) for k in sorted(by)]
assert r["n_instances"] == 2 and r["instances_known"] is True, r
for g, w in zip(r["instance_means"], means):
    assert abs(g - w) <= 1e-12 * abs(w), (r["instance_means"], means)
# Student t on K - 1 = 1 df: its quantile in closed form, tan(pi (p - 1/2))
# (R's qt does the same); scipy 1.10's t.ppf(0.975, 1) is 2e-11 off, which
# the cancellation in mean - t * sem can make a 1e-9 relative error of lo.
import math
h = math.tan(math.pi * (0.975 - 0.5)) * stats.sem(means)
lo, hi = np.mean(means) - h, np.mean(means) + h
assert abs(r["ci95"][0] - lo) <= 1e-9 * abs(lo), (r["ci95"], lo, hi)
assert abs(r["ci95"][1] - hi) <= 1e-9 * abs(hi), (r["ci95"], lo, hi)
assert r["between_sd"] is not None and r["within_sd"] is not None
# its units are instances: what would decide it is more instances
assert r["vs_baseline"]["reps_needed_unit"] == "instances", r["vs_baseline"]
n = [x for x in d["results"] if x["platform"] == "native"][0]
assert n["n_instances"] == 1
PYEOF

# An interrupted run resumed: its fresh containers are instances 3 and 4.
rm -f "$DB"
# the binary itself, not the vb function: $! must be its pid
"$VIRTBENCH" --db "$DB" collect --platforms docker --profile quick \
	--benchmarks cpu --reps 4 --duration 1 --instances 2 --network host \
	--seed 5 >"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ "$(q "select count(*) from sample where status = 'ok'" 2>/dev/null || echo 0)" -lt 2 ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill $pid; fail "no samples after 60 s"; }
	sleep 0.1
done
kill -INT $pid
wait $pid || true
U=$(head -1 "$T/out")
[ "$(q "select status from run")" = interrupted ] || fail "not interrupted: $(q "select status from run")"
before=$(q "select count(*) from sample")
expect_exit 0 vb collect --resume "$U"
[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
[ "$(q "select count(*) from sample where status = 'ok'")" = 8 ] ||
	fail "resumed run: $(q "select repetition, instance, status from sample")"
[ "$(q "select count(*) from sample where repetition > 0 and instance > 2")" -ge 1 ] ||
	fail "resumed samples not on new instances: $(q "select repetition, instance from sample")"
[ "$(q "select max(instance) from sample")" -le 4 ] || fail "instance numbers: $(q "select distinct instance from sample")"
[ "$before" -ge 2 ] || fail "nothing stored before the interrupt"
[ -z "$(leftovers "$U")" ] || fail "left behind: $(leftovers "$U")"
exit 0
