# tests/cli/collect_sigkill.sh - crash safety of `virtbench collect`
# (collect/collect.c, db_sample_insert): the collector is killed with
# SIGKILL at random moments, again and again, each time resumed with
# `collect --resume`. After every kill, every sample committed before it is
# still in the database, unchanged, exactly once; the final resume
# completes the run with every (platform, benchmark, repetition) present
# once and nothing failed. No benchmark process outlives a killed
# collector (common/run.c's guard): none is left working in the run
# directory a moment after the kill.
. "$(dirname "$0")/../lib.sh"
for t in sysbench iperf3 sqlite3 awk; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"
q() { sqlite3 "$DB" "$1"; }
snapshot() { q "select platform_id, benchmark_id, repetition, status, started_at, value from sample order by 1,2,3" >"$1"; }

WANT=12     # 3 benchmarks x (warm-up + 3 repetitions)
kills=0
: >"$T/prev"
for round in 1 2 3 4 5 6; do
	U=$(q "select uuid from run" 2>/dev/null || true)
	if [ -z "$U" ]; then
		set -- collect --state-dir "$T" --profile quick --benchmarks cpu,fork,uplink \
			--duration 1 --reps 3 --seed 4
	else
		set -- collect --resume "$U" --state-dir "$T"
	fi
	"$VIRTBENCH" --db "$DB" "$@" >"$T/out" 2>"$T/err.$round" &
	pid=$!
	delay=$(awk -v s="$round$$" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 3.5 }')
	sleep "$delay"
	if kill -KILL $pid 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait $pid || true
	sleep 0.2
	for d in /proc/[0-9]*; do
		case "$(readlink "$d/cwd" 2>/dev/null)" in "$T"/virtbench-*)
			fail "kill $round: process ${d#/proc/} ($(tr '\0' ' ' <"$d/cmdline")) outlived its collector" ;;
		esac
	done
	snapshot "$T/now"
	# nothing committed before is lost or altered
	missing=$(comm -23 "$T/prev" "$T/now" | wc -l)
	[ "$missing" -eq 0 ] || fail "kill $round (after ${delay}s): $missing stored samples lost or changed"
	# no sample twice (the UNIQUE constraint, checked from the outside)
	[ "$(q "select count(*) from (select 1 from sample group by run_id, platform_id, benchmark_id, repetition having count(*) > 1)")" = 0 ] ||
		fail "duplicate samples after kill $round"
	cp "$T/now" "$T/prev"
	[ "$(wc -l <"$T/now")" -ge $WANT ] && break
done
[ $kills -ge 2 ] || skip "the collector finished before it could be killed twice"
U=$(q "select uuid from run")
[ -n "$U" ] || fail "no run was created"
expect_exit 0 vb collect --resume "$U" --state-dir "$T"
[ "$(q "select status from run")" = complete ] || fail "run not complete after resume"
[ "$(q "select count(*) from sample")" = $WANT ] || fail "$(q 'select count(*) from sample') samples, want $WANT"
[ "$(q "select count(*) from sample where status = 'failed'")" = 0 ] ||
	fail "failed samples: $(q "select error from sample where status='failed'")"
[ "$(q "select count(*) from sample where repetition = 0 and status = 'warmup'")" = 3 ] || fail "warm-ups"
snapshot "$T/final"
[ "$(comm -23 "$T/prev" "$T/final" | wc -l)" -eq 0 ] || fail "final resume altered stored samples"
# the killed collectors' iperf3 servers died with them (common/run.c's guard)
for f in "$T"/err.*; do
	p=$(sed -n 's/^iperf3 server on .* (pid \([0-9]*\))$/\1/p' "$f")
	[ -z "$p" ] || ! kill -0 "$p" 2>/dev/null ||
		{ sleep 1; ! kill -0 "$p" 2>/dev/null; } || fail "iperf3 server $p outlived its collector"
done
echo "killed $kills times"
exit 0
