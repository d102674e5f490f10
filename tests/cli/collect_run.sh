# tests/cli/collect_run.sh - the collector's other commands
# (collect/cmd_collect.c): `virtbench run` (collect + analyze + plot +
# report for the new run), `doctor` (per platform kind, with native
# working here), `cleanup` (removes run directories of dead collectors,
# keeps live ones), and `collect --iperf-server` against an external server.
. "$(dirname "$0")/../lib.sh"
for t in sysbench iperf3 sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"
q() { sqlite3 "$DB" "$1"; }

# run: the UUID first, then the analysis; report and figures written
expect_exit 0 vb run --profile quick --benchmarks cpu,fork --reps 2 --duration 1 \
	--state-dir "$T" --out "$T/rep" --seed 2
U=$(head -n 1 "$T/out")
[ "$(q "select uuid || ' ' || status from run")" = "$U complete" ] || fail "run: $(cat "$T/out")"
grep -q "native.*cpu.*events/s" "$T/out" || fail "run printed no analysis: $(cat "$T/out")"
[ -s "$T/rep/report.md" ] || fail "run wrote no report"
[ -s "$T/rep/report.html" ] || fail "run wrote no report.html"
ls "$T/rep/figures" | grep -q '\.gp$' || fail "run wrote no figures"
expect_exit 2 vb collect --out "$T/x"

# doctor
expect_exit 0 vb doctor
grep -q '^native  *ok$' "$T/out" || fail "doctor: native not ok: $(cat "$T/out")"
for k in docker kvm ssh forkbench suites; do
	grep -q "^$k" "$T/out" || grep -q "^kvm, qemu" "$T/out" || fail "doctor does not mention $k"
done

# cleanup (common/owner.c): a dead collector's run directory goes, a live
# one stays; owner records are HOST:PID:START, so a live pid with another
# start time (a reused pid) is dead, and another host's run is not judged
# here; older versions' bare pids are still read
mkdir -p "$T/st/virtbench-dead/native" "$T/st/virtbench-live" "$T/st/other" \
	"$T/st/virtbench-reused" "$T/st/virtbench-elsewhere" "$T/st/virtbench-oldlive"
start=$(cut -d' ' -f22 /proc/$$/stat)
h=$(hostname)
echo 2147483646 >"$T/st/virtbench-dead/collector.pid"
echo "$h:$$:$start" >"$T/st/virtbench-live/collector.pid"
echo "$h:$$:$((start + 1))" >"$T/st/virtbench-reused/collector.pid"
echo "elsewhere-$h:$$:$start" >"$T/st/virtbench-elsewhere/collector.pid"
echo $$ >"$T/st/virtbench-oldlive/collector.pid"
expect_exit 0 vb cleanup --state-dir "$T/st"
grep -q '^native  *removed 2$' "$T/out" || fail "cleanup: $(cat "$T/out")"
[ ! -e "$T/st/virtbench-dead" ] || fail "dead run directory kept"
[ ! -e "$T/st/virtbench-reused" ] || fail "run directory of a reused pid kept"
for d in live elsewhere oldlive; do
	[ -d "$T/st/virtbench-$d" ] || fail "cleanup removed the $d run directory"
done
[ -d "$T/st/other" ] || fail "cleanup removed too much"
grep -q "keeping $T/st/virtbench-elsewhere: its collector runs on another host" "$T/err" ||
	fail "another host's run not named: $(cat "$T/err")"

# --iperf-server: our own server is not started, the given one is used
port=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
iperf3 -s -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
ipid=$!
trap 'kill $ipid 2>/dev/null; rm -rf "$T"' EXIT INT TERM
sleep 0.5
expect_exit 0 vb collect --profile quick --benchmarks uplink --reps 1 --duration 1 \
	--state-dir "$T" --iperf-server "127.0.0.1:$port"
! grep -q "^iperf3 server on" "$T/err" || fail "own iperf3 server started despite --iperf-server"
[ "$(q "select count(*) from sample s join benchmark b on b.id = s.benchmark_id where b.name='uplink' and s.status in ('ok','warmup')")" = 2 ] ||
	fail "uplink via --iperf-server: $(q "select error from sample where status='failed'")"
q "select params from run where uuid='$(cat "$T/out")'" | grep -q "\"iperf_server\":\"127.0.0.1:$port\"" ||
	fail "--iperf-server not recorded"
expect_exit 2 vb collect --profile quick --benchmarks uplink --reps 1 --duration 1 \
	--state-dir "$T" --iperf-server nonsense
expect_err_line "--iperf-server 'nonsense': expected HOST:PORT"
exit 0
