# tests/cli/engine.sh - the collector's engine (collect/collect.c,
# collect/scheduler.c, common/run.c, common/owner.c) on stub suites whose
# benchmarks are tiny shell commands, on the native platform and a labelled
# second native platform, in seconds and without sysbench:
#  1. scheduling: every (platform, benchmark) pair visited once per round,
#     warm-up round first, rounds interleaved, each sample stored as it is
#     parsed, the order fixed by the seed;
#  2. failure paths: a non-zero exit, output the parser refuses, a command
#     killed by its timeout (promptly, leaving no process behind) - each
#     stored failed with its raw output and reason, the run goes on;
#  3. a collector killed with SIGKILL mid-sample: its benchmark dies with
#     it, a second collector is refused while the first runs, a stale owner
#     record (a reused pid) does not block the resume, and the resume takes
#     exactly the missing samples.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
q() { sqlite3 "$DB" "$1"; }
FIX=$top/tests/fixtures/parsers
C="--state-dir $T"
# processes (other than us) working in one of this test's run directories
leftovers() {
	find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$T/virtbench-*" 2>/dev/null |
	while read -r l; do
		d=${l%/cwd}
		echo "${d#/proc/} $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
	done
}
# the (platform, benchmark, repetition) sequence of a run, in storage order
# (each collected sample has its own output row, numbered as stored)
order() {
	q "select p.name || '/' || b.name || s.repetition from sample s join platform p on p.id = s.platform_id join benchmark b on b.id = s.benchmark_id join run r on r.id = s.run_id where r.uuid = '$1' order by s.output_id, s.id" | tr '\n' ' '
}
want_cpu=$("$VIRTBENCH" parse sysbench-cpu "$FIX/sysbench-cpu.txt" | cut -d' ' -f1)
want_fork=$("$VIRTBENCH" parse forkbench "$FIX/forkbench.txt" | cut -d' ' -f1)

# 1. scheduling. "count" reports how many commands have run so far, so its
# values give the execution order.
cat >"$T/sched.suite" <<EOF
[suite]
name = sched
duration = 1
reps = 3
[vars]
ctr = $T/counter
fix = $FIX
[benchmark count]
command = n=\$(( \$(cat {ctr} 2>/dev/null || echo 0) + 1 )); echo \$n >{ctr}; printf 'forkbench 1 fork+exit+wait cycles\nforks %s\nseconds 1\nforks_per_second %s\n' \$n \$n
parser = forkbench
estimate = 0.1
[benchmark cpu]
command = cat {fix}/sysbench-cpu.txt
parser = sysbench-cpu
estimate = 0.1
EOF
expect_exit 0 vb collect $C --profile "$T/sched.suite" --platforms native,native:b --seed 11
U1=$(cat "$T/out")
grep -q "samples:     16 to take" "$T/err" || fail "plan: $(cat "$T/err")"
[ "$(q "select count(*) from sample where status = 'warmup' and repetition = 0")" = 4 ] || fail "not 4 warm-ups"
[ "$(q "select count(*) from sample where status = 'ok' and repetition > 0")" = 12 ] ||
	fail "not 12 ok samples: $(q "select status, error from sample")"
[ "$(q "select count(*) from (select 1 from sample group by platform_id, benchmark_id having count(distinct repetition) = 4 and min(repetition) = 0 and max(repetition) = 3)")" = 4 ] ||
	fail "not every pair has repetitions 0..3 once"
for r in 0 1 2; do
	[ "$(q "select (select max(output_id) from sample where repetition = $r) < (select min(output_id) from sample where repetition = $r + 1)")" = 1 ] ||
		fail "round $r not finished before round $((r + 1)) began: $(order "$U1")"
done
# stored the moment it was parsed: storage order is execution order
[ "$(q "select group_concat(cast(value as int), ' ') from (select value from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'count' order by s.output_id, s.id)")" = \
  "$(q "select group_concat(cast(value as int), ' ') from (select value from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'count' order by value)")" ] ||
	fail "samples not stored in execution order"
[ "$(q "select count(distinct value) || ' ' || min(value) from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'cpu'")" = "1 $want_cpu" ] ||
	fail "cpu values are not the fixture's $want_cpu"
# the order within a round changes from round to round, and is the seed's
rounds=$(q "select group_concat(o, ' | ') from (select s.repetition, group_concat(p.name || '/' || b.name, ' ') as o from (select * from sample order by output_id, id) s join platform p on p.id = s.platform_id join benchmark b on b.id = s.benchmark_id group by s.repetition)")
[ "$(echo "$rounds" | tr '|' '\n' | sed 's/^ *//; s/ *$//' | sort -u | wc -l)" -gt 1 ] ||
	fail "every round in the same order: $rounds"
expect_exit 0 vb collect $C --profile "$T/sched.suite" --platforms native,native:b --seed 11
[ "$(order "$(cat "$T/out")")" = "$(order "$U1")" ] || fail "same seed, another order"
expect_exit 0 vb collect $C --profile "$T/sched.suite" --platforms native,native:b --seed 12
[ "$(order "$(cat "$T/out")")" != "$(order "$U1")" ] || fail "another seed, the same order"

# 2. failures and the timeout
cat >"$T/fail.suite" <<EOF
[suite]
name = failing
duration = 1
reps = 1
[vars]
fix = $FIX
[benchmark exit3]
command = echo partial output; exit 3
parser = forkbench
[benchmark garbage]
command = echo this is not forkbench output
parser = forkbench
[benchmark slow]
command = sleep 30 & sleep 30; wait
parser = forkbench
timeout = 1
[benchmark good]
command = cat {fix}/forkbench.txt
parser = forkbench
EOF
rm -f "$DB"
t0=$(date +%s)
expect_exit 0 vb collect $C --profile "$T/fail.suite" --seed 3
secs=$(( $(date +%s) - t0 ))
U2=$(cat "$T/out")
[ "$(q "select status from run")" = complete ] || fail "a failing benchmark stopped the run"
e() { q "select s.status || '|' || coalesce(s.error, '') from sample s join benchmark b on b.id = s.benchmark_id where b.name = '$1' and s.repetition = $2"; }
for r in 0 1; do
	case "$(e exit3 $r)" in "failed|exit status 3: "*) ;; *) fail "exit3 #$r: $(e exit3 $r)" ;; esac
	case "$(e garbage $r)" in "failed|parse: "*) ;; *) fail "garbage #$r: $(e garbage $r)" ;; esac
	case "$(e slow $r)" in "failed|timed out after 1 s") ;; *) fail "slow #$r: $(e slow $r)" ;; esac
done
[ "$(e good 0)" = "warmup|" ] && [ "$(e good 1)" = "ok|" ] || fail "good: $(e good 0) / $(e good 1)"
[ "$(q "select value from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'good' and repetition = 1")" = "$want_fork" ] ||
	fail "good's value is not the fixture's"
q "select raw_output from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'exit3' and repetition = 1" |
	grep -qx "partial output" || fail "raw output of the failed command not kept"
# the timeout's SIGTERM reached both sleeps (the whole group) at once
[ "$(q "select count(*) from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'slow' and s.duration < 2.5")" = 2 ] ||
	fail "timed-out samples took $(q "select group_concat(duration) from sample s join benchmark b on b.id = s.benchmark_id where b.name = 'slow'") s"
[ "$secs" -lt 10 ] || fail "the failing suite took $secs s"
grep -q "warning: native/exit3 #1 failed: exit status 3" "$T/err" || fail "failure not reported: $(cat "$T/err")"
[ -z "$(leftovers)" ] || fail "processes left behind: $(leftovers)"
[ -z "$(ls "$T" | grep virtbench-)" ] || fail "run directory left: $(ls "$T")"

# 3. SIGKILL mid-sample, the resume guard, resume
cat >"$T/long.suite" <<EOF
[suite]
name = long
duration = 1
reps = 2
[vars]
fix = $FIX
[benchmark quick]
command = cat {fix}/forkbench.txt
parser = forkbench
[benchmark long]
command = sleep 3; cat {fix}/forkbench.txt
parser = forkbench
EOF
rm -f "$DB"
"$VIRTBENCH" --db "$DB" collect $C --profile "$T/long.suite" --seed 5 >"$T/uuid" 2>"$T/err.k" &
pid=$!
i=0
# kill it during a later "long" sample, with samples already stored
until [ "$(q "select count(*) from sample" 2>/dev/null || echo 0)" -ge 2 ] &&
      leftovers | grep -q ' sleep 3 $'; do
	i=$((i + 1))
	[ $i -lt 300 ] || { kill -KILL $pid; cat "$T/err.k"; fail "the long benchmark never started"; }
	sleep 0.05
done
U3=$(cat "$T/uuid")
# a second collector on the same run is refused while the first runs
expect_exit 1 vb collect --resume "$U3" $C
grep -q "^run $U3 is being collected by process $pid (" "$T/err" || fail "resume guard: $(cat "$T/err")"
kill -KILL $pid
wait $pid 2>/dev/null || true
# the guard kills the group within milliseconds; the sleep had seconds left
sleep 0.3
[ -z "$(leftovers)" ] || fail "the benchmark outlived its SIGKILLed collector: $(leftovers)"
q "select platform_id, benchmark_id, repetition, started_at, value from sample order by 1, 2, 3" >"$T/before"
n=$(wc -l <"$T/before")
[ "$n" -ge 2 ] && [ "$n" -lt 6 ] || fail "the killed run has $n samples"
# a stale owner record naming a live pid that started at another time
# (what a reused pid looks like) does not block the resume
start=$(cut -d' ' -f22 /proc/$$/stat)
echo "$(hostname):$$:$((start + 1))" >"$T/virtbench-$U3/collector.pid"
expect_exit 0 vb collect --resume "$U3" $C
grep -q "resuming:    $n samples already stored are kept" "$T/err" || fail "resume plan: $(cat "$T/err")"
[ "$(q "select status from run")" = complete ] || fail "resumed run not complete"
[ "$(q "select count(*) from sample")" = 6 ] || fail "$(q "select count(*) from sample") samples after resume, want 6"
[ "$(q "select count(*) from sample where status = 'failed'")" = 0 ] ||
	fail "failed after resume: $(q "select error from sample where status = 'failed'")"
q "select platform_id, benchmark_id, repetition, started_at, value from sample order by 1, 2, 3" >"$T/after"
[ "$(comm -23 "$T/before" "$T/after" | wc -l)" -eq 0 ] || fail "resume changed stored samples"
[ -z "$(ls "$T" | grep virtbench-)" ] || fail "run directory left after resume: $(ls "$T")"
exit 0
