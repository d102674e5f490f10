# tests/integration/docker_interrupt.sh - the docker platform when the
# collector is stopped (platform/docker/platform_docker.c): SIGINT mid-sample tears
# the container and its volume down and the run resumes in a fresh
# container; after a SIGKILL the labelled container and volume stay, and
# `virtbench cleanup` removes them (and only them: a live run's container
# is kept), after which the run still resumes.
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
# Counts containers (c) or volumes (v) labelled with run $2.
count() {
	f="{\"label\":[\"virtbench.run=$2\"]}"
	if [ "$1" = c ]; then
		api /containers/json --data-urlencode all=1 --data-urlencode "filters=$f"
	else
		api /volumes --data-urlencode "filters=$f"
	fi | grep -o '"Labels"' | wc -l
}
# Starts a run in the background; sets pid and U once the container runs
# and a sample is under way.
start_run() {
	: >"$T/uuid"
	"$VIRTBENCH" --db "$DB" collect --platforms docker --profile quick --benchmarks cpu,fork \
		--duration 3 --reps 2 --network none --seed 4 >"$T/uuid" 2>"$T/err" &
	pid=$!
	U=
	for i in $(seq 300); do
		[ -n "$U" ] || U=$(cat "$T/uuid")
		[ -n "$U" ] && [ "$(count c "$U")" = 1 ] &&
			[ "$(q "select count(*) from sample" 2>/dev/null || echo 0)" -ge 1 ] && break
		kill -0 $pid 2>/dev/null || { cat "$T/err"; fail "collect ended early"; }
		sleep 0.1
	done
	[ "$(count c "$U")" = 1 ] || { cat "$T/err"; fail "no container for run $U"; }
	sleep 1 # into the next sample
}

# SIGINT: the platform is torn down at once, the run can be resumed.
start_run
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ $rc -eq 1 ] || { cat "$T/err"; fail "collect exited $rc after SIGINT, expected 1"; }
[ "$(q "select status from run")" = interrupted ] || fail "run not interrupted"
[ "$(count c "$U")" = 0 ] || fail "SIGINT left a container"
[ "$(count v "$U")" = 0 ] || fail "SIGINT left a volume"
expect_exit 0 vb collect --resume "$U"
[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
[ "$(q "select count(*) from sample where status <> 'failed'")" = 6 ] ||
	fail "after resume: $(q "select group_concat(error || ': ' || raw_output) from sample where status = 'failed'")"
[ "$(count c "$U")" = 0 ] || fail "resume left a container"

# SIGKILL: nothing is torn down; cleanup removes it, except a live run's.
rm -f "$DB"
start_run
kill -KILL $pid
wait $pid 2>/dev/null || true
[ "$(count c "$U")" = 1 ] || fail "no container left by SIGKILL?"
[ "$(count v "$U")" = 1 ] || fail "no volume left by SIGKILL?"
dead=$U
# A live run's resources must survive cleanup.
DB2=$DB
DB=$T/live.db
start_run
live=$U live_pid=$pid
DB=$DB2
expect_exit 0 vb cleanup
grep -Eq '^docker +removed ([2-9]|[1-9][0-9])$' "$T/out" || { cat "$T/out" "$T/err"; fail "cleanup did not report 2 docker removals"; }
[ "$(count c "$dead")" = 0 ] || fail "cleanup left the container"
[ "$(count v "$dead")" = 0 ] || fail "cleanup left the volume"
[ "$(count c "$live")" = 1 ] || fail "cleanup removed a live run's container"
wait $live_pid || fail "the live run failed: $(cat "$T/err")"
[ "$(count c "$live")" = 0 ] || fail "the live run left its container"
# The killed run resumes.
U=$dead
expect_exit 0 vb collect --resume "$U"
[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
[ "$(q "select count(*) from sample where status <> 'failed'")" = 6 ] ||
	fail "resumed run incomplete: $(q "select group_concat(error || ': ' || raw_output) from sample where status = 'failed'")"
[ "$(count c "$U")" = 0 ] || fail "resume left a container"
exit 0
