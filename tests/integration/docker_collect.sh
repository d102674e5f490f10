# tests/integration/docker_collect.sh - the docker platform end to end
# through the CLI (platform/docker/platform_docker.c, platform/docker/docker_api.c) on the
# real dockerd: the whole quick suite in a container with host networking,
# every sample ok, the configuration recorded with the run (limits, network,
# storage, storage driver, cgroup version, runtime, daemon and tool
# versions), and nothing left behind; then the overlay-storage variant with
# other limits and no network, recorded as such.
#
# The benchmark image is built offline with `virtbench image docker` when
# the daemon does not have it (slow once); it is never pulled.
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
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"
api() { # PATH [curl args]: GET from the Engine API
	p=$1
	shift
	curl -sf --unix-socket "$sock" -G "http://localhost/v1.41$p" "$@"
}
api /_ping >/dev/null 2>&1 ||
	skip "no docker daemon answers at $sock (start it: scripts/start-daemons.sh docker)"
if ! api "/images/$image/json" >/dev/null 2>&1; then
	echo "building the benchmark image offline (once): virtbench image docker"
	"$VIRTBENCH" image docker >"$T/image.log" 2>&1 || {
		tail -n 20 "$T/image.log"
		skip "cannot build the docker benchmark image here (virtbench image docker failed)"
	}
fi
q() { sqlite3 "$DB" "$1"; }
cfg() { q "select json_extract(config, '\$.$1') from run_platform rp
	   join platform p on p.id = rp.platform_id where p.name = '$2'"; }
# Containers and volumes still labelled with the run.
leftovers() {
	f="{\"label\":[\"virtbench.run=$1\"]}"
	c=$(api /containers/json --data-urlencode all=1 --data-urlencode "filters=$f")
	v=$(api /volumes --data-urlencode "filters=$f")
	case "$c$v" in *'"Id"'*|*'"Name"'*) echo "containers: $c volumes: $v" ;; esac
}

# The quick suite: 6 benchmarks x (warm-up + 3).
expect_exit 0 vb collect --platforms docker --profile quick --network host --seed 6
U=$(cat "$T/out")
[ "$(q "select status from run")" = complete ] || fail "run not complete"
[ "$(q "select state from run_platform")" = ok ] ||
	fail "platform state: $(q "select state || ': ' || reason from run_platform")"
[ "$(q "select count(*) from sample")" = 24 ] || fail "$(q "select count(*) from sample") samples, want 24"
q "select b.name, s.status, s.error from sample s join benchmark b on b.id = s.benchmark_id
   where s.status = 'failed'" >"$T/failed"
[ ! -s "$T/failed" ] || { cat "$T/failed"; fail "failed samples (above)"; }
for b in cpu mem diskRand diskSeq fork uplink; do
	n=$(q "select count(*) from sample s join benchmark b on b.id = s.benchmark_id
	       where b.name = '$b' and s.status = 'ok' and s.value > 0")
	[ "$n" = 3 ] || fail "$b: $n ok samples with a value, want 3"
done

# The configuration the report explains results from.
[ "$(cfg kind docker)" = docker ] || fail "kind: $(cfg kind docker)"
[ "$(cfg accelerator docker)" = none ] || fail "accelerator"
[ "$(cfg network_mode docker)" = host ] || fail "network_mode: $(cfg network_mode docker)"
[ "$(cfg storage docker)" = volume ] || fail "storage: $(cfg storage docker)"
[ "$(cfg vcpus docker)" = 2 ] || fail "vcpus default: $(cfg vcpus docker)"
[ "$(cfg memory_mib docker)" = 2048 ] || fail "memory default: $(cfg memory_mib docker)"
[ "$(cfg image docker)" = "$image" ] || fail "image: $(cfg image docker)"
id=$(api "/images/$image/json" | sed 's/^{"Id":"\([^"]*\)".*/\1/')
[ "$(cfg image_id docker)" = "$id" ] || fail "image_id $(cfg image_id docker), daemon has $id"
info=$(api /info)
for k in storage_driver:Driver cgroup_version:CgroupVersion runtime:DefaultRuntime; do
	want=$(echo "$info" | sed 's/.*"'"${k#*:}"'":"\([^"]*\)".*/\1/')
	[ "$(cfg "${k%%:*}" docker)" = "$want" ] || fail "${k%%:*}: $(cfg "${k%%:*}" docker), daemon says $want"
done
case "$(cfg daemon_version docker)" in [0-9]*) ;; *) fail "daemon_version: $(cfg daemon_version docker)" ;; esac
case "$(cfg tools.sysbench docker)" in "sysbench "*) ;; *) fail "tools.sysbench: $(cfg tools.sysbench docker)" ;; esac
case "$(cfg tools.iperf3 docker)" in "iperf 3"*) ;; *) fail "tools.iperf3: $(cfg tools.iperf3 docker)" ;; esac
case "$(cfg tools.fio docker)" in fio-*) ;; *) fail "tools.fio: $(cfg tools.fio docker)" ;; esac
[ -z "$(leftovers "$U")" ] || fail "left behind: $(leftovers "$U")"

# The overlay-storage variant, named by its label, with other limits and
# no network at all (so no uplink: it has no way to the host).
rm -f "$DB"
expect_exit 0 vb collect --platforms docker:overlay --profile quick \
	--benchmarks diskSeq,fork --duration 1 --reps 1 --network none \
	--vcpus 1 --memory 512
U=$(cat "$T/out")
[ "$(q "select count(*) from sample where status = 'ok'")" = 2 ] ||
	fail "overlay run: $(q "select status || ' ' || coalesce(error, '') from sample")"
[ "$(cfg storage docker:overlay)" = overlay ] || fail "storage: $(cfg storage docker:overlay)"
[ "$(cfg network_mode docker:overlay)" = none ] || fail "network_mode: $(cfg network_mode docker:overlay)"
[ "$(cfg vcpus docker:overlay)" = 1 ] || fail "vcpus: $(cfg vcpus docker:overlay)"
[ "$(cfg memory_mib docker:overlay)" = 512 ] || fail "memory_mib: $(cfg memory_mib docker:overlay)"
[ "$(cfg container_name docker:overlay)" = "virtbench-$(echo "$U" | cut -c1-8)-docker-overlay" ] ||
	fail "container name: $(cfg container_name docker:overlay)"
[ -z "$(leftovers "$U")" ] || fail "left behind: $(leftovers "$U")"
exit 0
