# tests/cli/parse.sh - `virtbench parse PARSER FILE` (collect/parsers.c,
# collect/cmd_collect.c) on the real outputs in tests/fixtures/parsers:
# "VALUE UNIT" on stdout for good output; for bad output a one-line reason
# on stderr and exit 1; usage errors exit 2.
. "$(dirname "$0")/../lib.sh"
F=$top/tests/fixtures/parsers

ok() { # PARSER FILE EXPECTED-STDOUT
	expect_exit 0 vb parse "$1" "$F/$2"
	[ "$(cat "$T/out")" = "$3" ] || fail "parse $1 $2: got '$(cat "$T/out")', want '$3'"
	[ ! -s "$T/err" ] || fail "parse $1 $2 wrote to stderr"
}
refused() { # PARSER FILE REASON-SUBSTRING
	expect_exit 1 vb parse "$1" "$F/$2"
	[ ! -s "$T/out" ] || fail "parse $1 $2 printed a value: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "parse $1 $2: reason is not one line: $(cat "$T/err")"
	grep -Fq -- "$3" "$T/err" || fail "parse $1 $2: reason lacks '$3': $(cat "$T/err")"
}

ok sysbench-cpu sysbench-cpu.txt "4490.53 events/s"
ok sysbench-memory sysbench-memory.txt "16787.28 MiB/s"
ok sysbench-fileio sysbench-fileio-rndrd.txt "300.23 MiB/s"
ok sysbench-fileio sysbench-fileio-seqrd.txt "257.54 MiB/s"
ok iperf3-json iperf3.json "22919.23565 Mbit/s"
ok fio-json fio.json "74.4393425 MiB/s"
ok fio-iops fio-randwrite-fsync.json "521.73913 IO/s"
ok fio-json fio-seqwrite-direct.json "377.6223774 MiB/s"
ok fio-iops fio-randrw.json "8523.738131 IO/s"
ok forkbench forkbench.txt "10036.43 forks/s"

refused sysbench-fileio sysbench-fileio-fatal.txt "FATAL: Cannot open file 'test_file.0'"
refused iperf3-json iperf3-error.json "iperf3 error: unable to connect to server: Connection refused"
refused fio-json fio-error.json "fio job bad failed with error 1"
refused fio-iops fio-error.json "fio job bad failed with error 1"
refused forkbench forkbench-fatal.txt "FATAL: fork"
refused sysbench-memory sysbench-cpu.txt "this is sysbench-cpu output, not sysbench-memory"
refused fio-json iperf3.json "this is iperf3-json output, not fio-json"

# truncated: the first half of real outputs
head -c 400 "$F/sysbench-cpu.txt" >"$T/cut.txt"
expect_exit 1 vb parse sysbench-cpu "$T/cut.txt"
grep -Fq "truncated sysbench output" "$T/err" || fail "cut sysbench: $(cat "$T/err")"
head -c 3000 "$F/iperf3.json" >"$T/cut.json"
expect_exit 1 vb parse iperf3-json "$T/cut.json"
grep -Fq "truncated JSON" "$T/err" || fail "cut iperf3: $(cat "$T/err")"

# standard input
vb parse forkbench - <"$F/forkbench.txt" >"$T/out" || fail "parse from stdin failed"
[ "$(cat "$T/out")" = "10036.43 forks/s" ] || fail "stdin: $(cat "$T/out")"

# the list names every parser with a version
expect_exit 0 vb parse --list
for p in sysbench-cpu sysbench-memory sysbench-fileio iperf3-json fio-json fio-iops forkbench; do
	grep -q "^$p  *v[0-9]" "$T/out" || fail "parse --list lacks $p"
done

# usage and file errors
expect_exit 2 vb parse no-such-parser "$F/fio.json"
grep -Fq "unknown parser 'no-such-parser'" "$T/err" || fail "unknown parser message"
expect_exit 2 vb parse sysbench-cpu
expect_exit 1 vb parse sysbench-cpu "$T/missing.txt"
grep -Fq "$T/missing.txt" "$T/err" || fail "missing file not named"
# the real forkbench binary's output parses
if [ -x "${FORKBENCH:-}" ]; then
	"$FORKBENCH" 0.2 >"$T/fb.txt"
	expect_exit 0 vb parse forkbench "$T/fb.txt"
	grep -Eq '^[0-9.]+ forks/s$' "$T/out" || fail "forkbench output: $(cat "$T/out")"
	expect_exit 2 "$FORKBENCH" 0
	grep -q "^FATAL:" "$T/out" || fail "forkbench bad duration: no FATAL line"
fi
exit 0
