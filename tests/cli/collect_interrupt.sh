# tests/cli/collect_interrupt.sh - SIGINT and SIGTERM during `virtbench
# collect` (collect/collect.c): the sample in progress is abandoned, the
# platform torn down (run directory removed, benchmark process gone), the
# private iperf3 server stopped, the run marked interrupted and the resume
# hint printed; `collect --resume` then completes the run, keeping every
# stored sample and repeating none.
. "$(dirname "$0")/../lib.sh"
for t in sysbench iperf3 sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"
q() { sqlite3 "$DB" "$1"; }

for sig in INT TERM; do
	rm -f "$DB"
	# the binary itself, not the vb function: $! must be its pid
	"$VIRTBENCH" --db "$DB" collect --state-dir "$T" --profile quick --benchmarks cpu,uplink,fork \
		--duration 1 --reps 3 --seed 9 >"$T/uuid" 2>"$T/err" &
	pid=$!
	# wait for the first two samples, then interrupt during a later one
	for i in $(seq 100); do
		[ "$(q "select count(*) from sample" 2>/dev/null || echo 0)" -ge 2 ] && break
		sleep 0.1
	done
	sleep 0.5
	iperf_pid=$(sed -n 's/^iperf3 server on .* (pid \([0-9]*\))$/\1/p' "$T/err")
	kill -$sig $pid
	set +e
	wait $pid
	rc=$?
	set -e
	[ $rc -eq 1 ] || { cat "$T/err" >&2; fail "SIG$sig: collect exited $rc, expected 1"; }
	U=$(cat "$T/uuid")
	[ "$(q "select status from run")" = interrupted ] || fail "SIG$sig: run not marked interrupted"
	grep -q "finish it with 'virtbench collect --resume $U'" "$T/err" || fail "SIG$sig: no resume hint"
	[ -z "$(ls "$T" | grep virtbench-)" ] || fail "SIG$sig: run directory left: $(ls "$T")"
	[ -n "$iperf_pid" ] || fail "SIG$sig: iperf3 pid not logged"
	! kill -0 "$iperf_pid" 2>/dev/null || fail "SIG$sig: iperf3 server $iperf_pid still running"
	n=$(q "select count(*) from sample")
	[ "$n" -ge 2 ] && [ "$n" -lt 12 ] || fail "SIG$sig: $n samples stored"
	q "select platform_id, benchmark_id, repetition, started_at, value from sample order by 1,2,3" >"$T/before"

	expect_exit 0 vb collect --resume "$U" --state-dir "$T"
	[ "$(cat "$T/out")" = "$U" ] || fail "resume printed $(cat "$T/out")"
	grep -q "resuming:    $n samples already stored are kept" "$T/err" || fail "resume plan: $(cat "$T/err")"
	[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
	[ "$(q "select count(*) from sample")" = 12 ] || fail "resumed run has $(q 'select count(*) from sample') samples, want 12"
	[ "$(q "select count(*) from sample where status = 'failed'")" = 0 ] || fail "failed samples after resume"
	q "select platform_id, benchmark_id, repetition, started_at, value from sample order by 1,2,3" >"$T/after"
	# every sample stored before the interrupt is still there, unchanged
	[ "$(comm -23 "$T/before" "$T/after" | wc -l)" -eq 0 ] || fail "SIG$sig: samples changed by resume"
	q "select params from run" | grep -q '"resumes":\[{"at":' || fail "resume not recorded in params"
	q "select config from run_platform" | grep -q '"previous_instances":\[{"instance_id":' ||
		fail "the interrupted run's instance is not kept in the configuration"
	# resuming a complete run is a no-op
	expect_exit 0 vb collect --resume "$U"
	[ "$(q "select count(*) from sample")" = 12 ] || fail "second resume added samples"
done
exit 0
