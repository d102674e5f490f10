# tests/cli/collect.sh - `virtbench collect` (collect/) on the native
# platform with the real tools, 1-second benchmarks: every classic
# benchmark yields a value, samples are stored with warm-up flagged, the
# plan and provenance are recorded, an unavailable platform does not stop
# the run, failed samples keep their raw output and reason, the seed fixes
# the order, adaptive stopping honours its bounds, reparse repairs values,
# and the option errors are usage errors.
. "$(dirname "$0")/../lib.sh"
for t in sysbench iperf3 fio sqlite3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
[ -x "${FORKBENCH:-$top/build/forkbench}" ] || skip "build/forkbench is not built"
q() { sqlite3 "$DB" "$1"; }
C="--state-dir $T --duration 1"

# 1. the whole quick suite, one repetition, plus a platform that cannot run
expect_exit 0 vb collect $C --profile quick --reps 1 --seed 5 \
	--platforms native,ssh:nobody@127.0.0.1:1
grep -Eqx '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' "$T/out" ||
	fail "stdout is not just the run UUID: $(cat "$T/out")"
U=$(cat "$T/out")
grep -q "^plan for run $U" "$T/err" || fail "no plan printed"
grep -q "estimated wall time" "$T/err" || fail "plan has no estimate"
grep -q "collector overhead:" "$T/err" || fail "no overhead line"
[ "$(q "select status || ' ' || seed from run where uuid='$U'")" = "complete 5" ] ||
	fail "run status/seed: $(q "select status, seed from run")"
[ "$(q "select count(*) from sample where status='ok' and repetition=1 and value > 0")" = 6 ] ||
	{ q "select * from sample where status='failed'" >&2; fail "not 6 ok samples"; }
[ "$(q "select count(*) from sample where status='warmup' and repetition=0")" = 6 ] ||
	fail "not 6 warm-up samples"
[ "$(q "select group_concat(name, ',') from (select name from benchmark order by name)")" = \
  "cpu,diskRand,diskSeq,fork,mem,uplink" ] || fail "benchmarks: $(q 'select name from benchmark')"
[ "$(q "select count(*) from sample where raw_output is null or parser is null or parser_version < 1 or started_at is null or duration < 0.5")" = 0 ] ||
	fail "samples lack raw output, parser, start or duration"
q "select state, reason from run_platform rp join platform p on p.id = rp.platform_id where p.name like 'ssh:%'" >"$T/ssh"
grep -q '^unavailable|.' "$T/ssh" || fail "ssh platform not recorded unavailable with a reason: $(cat "$T/ssh")"
cfg=$(q "select config from run_platform rp join platform p on p.id = rp.platform_id where p.name='native'")
for k in '"accelerator":"none"' '"kind":"native"' '"sysbench":"sysbench 1.0' '"iperf3":"iperf 3' \
	 '"fio":"fio-3' '"cpu_governor":' '"cpu_model":' '"kernel":'; do
	case "$cfg" in *"$k"*) ;; *) fail "native config lacks $k: $cfg" ;; esac
done
q "select command_line, params from run" | grep -q -- "--profile quick" || fail "command line not recorded"
q "select params from run" | grep -q '"suite_text":"# suites/quick.suite' || fail "suite text not recorded"
[ -z "$(ls "$T" | grep virtbench-)" ] || fail "run directory left behind: $(ls "$T")"

# 2. failing benchmarks: stored failed with raw output and reason, run goes on
cat >"$T/bad.suite" <<'EOS'
[suite]
name = badsuite
duration = 1
reps = 1
[benchmark noprep]
command = sysbench fileio --file-num=1 --file-total-size=8M --file-test-mode=rndrd --time={duration} run
parser = sysbench-fileio
[benchmark wrongtool]
command = sysbench --time={duration} cpu run
parser = sysbench-memory
[benchmark toolong]
command = sleep 30
parser = forkbench
timeout = 1
[benchmark good]
command = {forkbench} {duration}
parser = forkbench
EOS
expect_exit 0 vb collect $C --profile "$T/bad.suite" --seed 1
U2=$(cat "$T/out")
e() { q "select s.status || '|' || coalesce(s.error,'') from sample s join benchmark b on b.id=s.benchmark_id join run r on r.id=s.run_id where r.uuid='$U2' and b.name='$1' and repetition=1"; }
case "$(e noprep)" in "failed|exit status 1: tool reported FATAL: Cannot open file"*) ;; *) fail "noprep: $(e noprep)" ;; esac
case "$(e wrongtool)" in "failed|parse: this is sysbench-cpu output, not sysbench-memory") ;; *) fail "wrongtool: $(e wrongtool)" ;; esac
case "$(e toolong)" in "failed|timed out after 1 s") ;; *) fail "toolong: $(e toolong)" ;; esac
case "$(e good)" in "ok|") ;; *) fail "good: $(e good)" ;; esac
q "select raw_output from sample s join benchmark b on b.id=s.benchmark_id where b.name='noprep' and repetition=1" |
	grep -q "Did you forget to run the prepare step" || fail "raw output of the failed sample not kept"
grep -q "warning: native/noprep #1 failed: exit status 1" "$T/err" || fail "failure not reported"

# 3. reparse: a value damaged in the database and a parse failure are
# recomputed from the raw output; a failed command stays failed
q "update sample set value = 1 where id = (select min(id) from sample where status='ok')"
q "update sample set status='failed', value=NULL, error='parse: old bug' where id = (select max(id) from sample where status='ok')"
expect_exit 0 vb reparse
grep -Eq '^reparsed [0-9]+ samples: 2 changed \(1 now ok, 0 now failed\)$' "$T/out" || fail "reparse: $(cat "$T/out")"
[ "$(q "select count(*) from sample where status='ok' and value = 1")" = 0 ] || fail "reparse did not restore the value"
[ "$(q "select count(*) from sample where error like 'exit status%' and status='failed'")" -ge 1 ] || fail "reparse touched a failed command"
expect_exit 0 vb reparse --run "$U2"
grep -q "0 changed" "$T/out" || fail "second reparse changed something: $(cat "$T/out")"

# 4. the seed fixes the interleaved order; warm-up round first
for i in 1 2; do
	expect_exit 0 vb collect $C --profile quick --benchmarks cpu,fork,mem --reps 1 --seed 77
	q "select b.name || s.repetition from sample s join benchmark b on b.id=s.benchmark_id join run r on r.id=s.run_id where r.uuid='$(cat "$T/out")' order by s.output_id, s.id" | tr '\n' ' ' >"$T/order$i"
done
cmp -s "$T/order1" "$T/order2" || fail "same seed, different order: $(cat "$T/order1") / $(cat "$T/order2")"
case "$(cat "$T/order1")" in *0\ *0\ *0\ *1\ *1\ *1\ ) ;; *) fail "not interleaved by rounds: $(cat "$T/order1")" ;; esac

# 5. adaptive stopping within its bounds
expect_exit 0 vb collect $C --profile quick --benchmarks fork --target-ci 0.001 --min-reps 2 --max-reps 3 --seed 3
[ "$(q "select max(repetition) from sample s join run r on r.id=s.run_id where r.uuid='$(cat "$T/out")'")" = 3 ] ||
	fail "adaptive run did not stop at --max-reps"

# 6. errors
expect_exit 2 vb collect --reps 3 --target-ci 5
expect_exit 2 vb collect --min-reps 3
expect_exit 2 vb collect --resume abcd --reps 2
expect_exit 2 vb collect --duration 0
expect_exit 2 vb collect --bogus
runs=$(q "select count(*) from run")
expect_exit 2 vb collect --platforms qemu --connect 'qemu+ssh://h:99999/system'
expect_err_line "--connect 'qemu+ssh://h:99999/system': port is not a number in 1..65535"
[ "$(q "select count(*) from run")" = "$runs" ] || fail "a malformed --connect created a run"
expect_exit 1 vb collect $C --profile quick --benchmarks cpu,nosuch
expect_err_line "unknown benchmark 'nosuch' in suite quick (known: cpu, mem, diskRand, diskSeq, fork, uplink)"
expect_exit 1 vb collect $C --platforms nativ
grep -q "platform nativ: unknown platform kind" "$T/err" || fail "typo in platform not refused"
printf '[suite]\nname = x\n[benchmark a]\ncommand = echo {nope}\nparser = forkbench\n' >"$T/typo.suite"
expect_exit 1 vb collect $C --profile "$T/typo.suite"
grep -q "typo.suite:3: command: unknown placeholder {nope}" "$T/err" || fail "placeholder typo: $(cat "$T/err")"
printf '[suite]\n[benchmark a]\ncommand = true\nparser = sysbench-cpu\nunit = MiB/s\n' >"$T/unit.suite"
expect_exit 1 vb collect $C --profile "$T/unit.suite"
grep -q "unit 'MiB/s' differs from parser sysbench-cpu's unit 'events/s'" "$T/err" || fail "unit mismatch: $(cat "$T/err")"
FORKBENCH=/nonexistent expect_exit 1 vb collect $C --profile quick --benchmarks fork
grep -q "run 'make'" "$T/err" || fail "missing forkbench: $(cat "$T/err")"
exit 0
