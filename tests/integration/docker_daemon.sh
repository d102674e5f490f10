# tests/integration/docker_daemon.sh - the docker platform when the daemon
# is missing, lacks the image, or goes away mid-run (platform/docker/docker_api.c,
# platform/docker/platform_docker.c), against a private dockerd this test starts on
# its own socket, data root and exec root (never the shared daemon, which
# other tests and users rely on):
#  - no daemon at DOCKER_HOST: one clear line naming the socket;
#  - daemon without the image: an error naming `virtbench image docker`,
#    which then builds it into that daemon (DOCKER_HOST honoured);
#  - daemon stopped during a run: failed samples whose error names the
#    socket, and the run finishes (or resumes) once the daemon is back;
#  - run interrupted while the daemon is down: resumed after the daemon
#    restarts, in a fresh container that replaces the stale one.
. "$(dirname "$0")/../lib.sh"
unset VIRTBENCH_DOCKER_IMAGE
image=virtbench-bench:bookworm
command -v dockerd >/dev/null || skip "dockerd is not installed (scripts/install-deps.sh demo)"
[ "$(id -u)" = 0 ] || skip "a private dockerd needs root"
for t in curl sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"

D=$T/d
mkdir -p "$D"
sock=$D/docker.sock
export DOCKER_HOST=unix://$sock
q() { sqlite3 "$DB" "$1"; }
api() { # PATH [curl args]: GET from the private daemon
	p=$1
	shift
	curl -sf --unix-socket "$sock" -G "http://localhost/v1.41$p" "$@"
}
dpid=
start_dockerd() {
	dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/pid" \
		-H "unix://$sock" --iptables=false --bridge=none --ip-masq=false \
		>>"$D/log" 2>&1 &
	dpid=$!
	for i in $(seq 150); do
		api /_ping >/dev/null 2>&1 && return 0
		kill -0 $dpid 2>/dev/null || break
		sleep 0.2
	done
	tail -n 20 "$D/log"
	return 1
}
stop_dockerd() {
	[ -n "$dpid" ] || return 0
	kill -TERM $dpid 2>/dev/null || true
	wait $dpid 2>/dev/null || true
	dpid=
}
finish() {
	stop_dockerd
	# dockerd leaves its data root mounted on itself
	grep -o " $T/[^ ]*" /proc/mounts | sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	rm -rf "$T"
}
trap finish EXIT
trap 'exit 1' INT TERM
run_quick() { # background collect of cpu only; sets pid
	: >"$T/uuid"
	"$VIRTBENCH" --db "$DB" collect --platforms docker --profile quick \
		--benchmarks cpu --duration "$1" --reps "$2" --network none \
		>"$T/uuid" 2>"$T/err" &
	pid=$!
}
wait_samples() { # N: until N samples are stored (the run is under way)
	for i in $(seq 600); do
		[ "$(q "select count(*) from sample" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
		kill -0 $pid 2>/dev/null || { cat "$T/err"; fail "collect ended early"; }
		sleep 0.1
	done
	cat "$T/err"
	fail "no sample stored within a minute"
}

# 1. No daemon at the socket.
expect_exit 1 vb collect --platforms docker --profile quick --benchmarks cpu \
	--duration 1 --reps 1 --network none
grep -Fq "platform docker is unavailable: cannot reach daemon at $sock: No such file or directory (is dockerd running?); start dockerd" "$T/err" ||
	{ cat "$T/err"; fail "no clear line naming the socket"; }
expect_exit 0 vb doctor
grep -Eq "^docker +no: cannot reach daemon at $sock: " "$T/out" || { cat "$T/out"; fail "doctor: $(grep docker "$T/out")"; }

start_dockerd || skip "cannot start a private dockerd here (log above)"

# 2. The daemon lacks the image: the error names the command that builds it.
rm -f "$DB"
expect_exit 1 vb collect --platforms docker --profile quick --benchmarks cpu \
	--duration 1 --reps 1 --network none
grep -Fq "platform docker is unavailable: docker image $image not found in the daemon at $sock; build it with: virtbench image docker" "$T/err" ||
	{ cat "$T/err"; fail "no clear missing-image error"; }
echo "building the benchmark image into the private daemon: virtbench image docker"
"$VIRTBENCH" image docker >"$T/image.log" 2>&1 || {
	tail -n 20 "$T/image.log"
	skip "cannot build the docker benchmark image here (virtbench image docker failed)"
}
api "/images/$image/json" >/dev/null || fail "virtbench image docker did not import into $sock"

# 3. The daemon stops in the middle of a run.
rm -f "$DB"
run_quick 3 3
wait_samples 1
sleep 1 # into the next sample
stop_dockerd
set +e
wait $pid
rc=$?
set -e
U=$(cat "$T/uuid")
nfail=$(q "select count(*) from sample where status = 'failed' and
	   (error || raw_output) like '%cannot reach daemon at $sock%'")
[ "$nfail" -ge 1 ] || { cat "$T/err"; q "select status, error, raw_output from sample"; fail "no failed sample naming the socket"; }
grep -Fq "docker: cannot reach daemon at $sock: " "$T/err" || { cat "$T/err"; fail "no clear error line"; }
start_dockerd || fail "the private dockerd did not come back"
# The lost platform stops the run short of complete, with a hint to
# resume; once the daemon is back, --resume takes the remaining samples.
[ "$rc" -eq 1 ] || fail "collect exited $rc after losing the daemon, expected 1"
[ "$(q "select status from run")" = failed ] || fail "run not marked failed after losing the daemon"
[ "$(q "select state from run_platform")" = failed ] || fail "platform not marked failed"
grep -Fq "finish the run with 'virtbench collect --resume $U'" "$T/err" || { cat "$T/err"; fail "no resume hint"; }
[ "$nfail" -eq 1 ] || fail "$nfail samples failed; the lost platform should fail once, then stop"
# The daemon stopped the container but nothing could remove it then:
# cleanup does, with its volume.
expect_exit 0 vb cleanup
grep -Eq '^docker +removed 2$' "$T/out" || { cat "$T/out" "$T/err"; fail "cleanup after the lost daemon"; }
[ "$(api /containers/json --data-urlencode all=1)" = "[]" ] || fail "containers left after cleanup"
expect_exit 0 vb collect --resume "$U"
[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
[ "$(q "select count(*) from sample where status <> 'failed'")" -ge 1 ] ||
	fail "resume took no sample"

# 4. Interrupted while the daemon is down, resumed once it is back. The
# collector is held (SIGSTOP) while the daemon goes, so that SIGINT is
# what it sees first, not a failed sample.
rm -f "$DB"
run_quick 4 2
wait_samples 1
sleep 1
kill -STOP $pid
stop_dockerd
kill -INT $pid
kill -CONT $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 1 ] || { cat "$T/err"; fail "collect exited $rc, expected 1 (interrupted)"; }
U=$(cat "$T/uuid")
[ "$(q "select status from run")" = interrupted ] || fail "run not interrupted"
n=$(q "select count(*) from sample")
start_dockerd || fail "the private dockerd did not come back"
# The daemon stopped the container but could not remove it: a stale one.
[ "$(api /containers/json --data-urlencode all=1 | grep -o '"Labels"' | wc -l)" = 1 ] ||
	fail "expected the stale container in the daemon"
expect_exit 0 vb collect --resume "$U"
grep -Fq "docker: removing container virtbench-$(echo "$U" | cut -c1-8)-docker left by an earlier attempt" "$T/err" ||
	{ cat "$T/err"; fail "the stale container was not replaced"; }
[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
[ "$(q "select count(*) from sample where status <> 'failed'")" = 3 ] ||
	fail "after resume: $(q "select group_concat(status || ' ' || coalesce(error, '')) from sample")"
[ "$(q "select count(*) from sample")" -gt "$n" ] || fail "resume took no sample"
[ "$(api /containers/json --data-urlencode all=1)" = "[]" ] || fail "containers left in the daemon"
api /volumes | grep -q '"Name"' && fail "volumes left in the daemon: $(api /volumes)"
exit 0
