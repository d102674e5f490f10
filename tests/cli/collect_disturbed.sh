# tests/cli/collect_disturbed.sh - disturbed samples for real
# (collect/hostload.c, the scheduler's retakes, analyze's counts): a busy
# loop started here competes with native 1-second benchmarks; every sample
# records the CPU other processes used, at least the loop's own rate (read
# from its /proc/PID/stat), and is flagged disturbed at the default 0.25
# cores; the thresholds are options recorded with the run; analyze counts
# and warns, and --exclude-disturbed leaves them out; --retake-disturbed
# adds repetitions to replace them.
. "$(dirname "$0")/../lib.sh"
for t in sysbench sqlite3 awk; do
	command -v $t >/dev/null || skip "$t is not installed"
done
q() { sqlite3 "$DB" "$1"; }
C="--state-dir $T --duration 1 --profile quick --benchmarks cpu"
ticks() { # utime + stime of a process, in clock ticks
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
sh -c 'while :; do :; done' &
loop=$!
trap 'kill $loop 2>/dev/null || :; rm -rf "$T"' EXIT INT TERM
t0=$(date +%s.%N)
c0=$(ticks $loop)
expect_exit 0 vb collect $C --reps 3 --seed 1
c1=$(ticks $loop)
t1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
rate=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$hz" \
	'BEGIN { printf "%.3f", (b - a) / hz / (e - s) }')
echo "busy loop used $rate cores"
[ "$(q "select count(*) from sample")" = 4 ] || fail "samples: $(q "select count(*) from sample")"
[ "$(q "select count(*) from sample where host_other_cpu is null or disturbed is null")" = 0 ] ||
	fail "samples without a load measurement"
[ "$(q "select count(*) from sample where disturbed = 1")" = 4 ] ||
	fail "not every sample flagged: $(q "select repetition, host_other_cpu, disturbed from sample")"
# attribution: others' CPU includes at least (most of) the loop's, and
# never more than the machine has
cores=$(nproc)
q "select host_other_cpu from sample" | awk -v r="$rate" -v n="$cores" '
	{ s += $1; if ($1 > n + 0.05) bad = 1 }
	END { m = s / NR; print "mean host_other_cpu " m;
	      exit !(m >= 0.7 * r && !bad) }' || fail "host_other_cpu below the loop's $rate cores or above $cores"
[ "$(q "select json_extract(params, '\$.disturbed_cpu') || ' ' ||
	json_extract(params, '\$.disturbed_steal') from run")" = "0.25 0.05" ] ||
	fail "thresholds not recorded"
grep -q 'native/cpu #1: .*disturbed: other processes used' "$T/err" ||
	fail "collect did not say the sample was disturbed"

# analyze: counted and said; left out on request
expect_exit 0 vb analyze --format json
grep -q '"n_disturbed":	3' "$T/out" || fail "n_disturbed: $(grep n_disturbed "$T/out")"
grep -q 'host busy during 3 of 3 samples (other processes used' "$T/out" || fail "no busy warning"
grep -q '"n":	3,' "$T/out" || fail "disturbed samples left out by default"
expect_exit 0 vb analyze --format json --exclude-disturbed
grep -q '"n":	0,' "$T/out" || fail "--exclude-disturbed kept them"
grep -q '"n_disturbed_excluded":	3' "$T/out" || fail "n_disturbed_excluded"
grep -q 'every ok sample was disturbed' "$T/out" || fail "no warning for an emptied group"

# thresholds: nothing disturbs at 1000 cores and 100 % steal, but the
# load is still recorded
rm -f "$DB"
expect_exit 0 vb collect $C --reps 2 --seed 2 --disturbed-cpu 1000 --disturbed-steal 100
[ "$(q "select count(*) from sample where disturbed = 0 and host_other_cpu > 0")" = 3 ] ||
	fail "with high thresholds: $(q "select repetition, host_other_cpu, disturbed from sample")"

# retakes: every sample is disturbed, so 2 + 1 extra repetitions
rm -f "$DB"
expect_exit 0 vb collect $C --reps 2 --seed 3 --retake-disturbed 1
[ "$(q "select group_concat(repetition) from (select repetition from sample order by repetition)")" = "0,1,2,3" ] ||
	fail "retake: $(q "select repetition, disturbed from sample")"
kill $loop
expect_exit 2 vb collect $C --disturbed-cpu 0
expect_exit 2 vb collect $C --disturbed-steal x
expect_exit 2 vb collect $C --retake-disturbed -1
echo ok
