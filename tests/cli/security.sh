# tests/cli/security.sh - hostile names, planted files and foreign data
# (issue 13), each attack tried for real against the binary: a label that
# climbs out of the run directory, a label and a state directory that try
# to run a command, links planted where outputs go or where the run
# directory will be, imported and foreign runs offered to --resume, a JSON
# file that plants samples into a run it does not define, two collectors
# on one run from different state directories, a foreign schema version,
# and another process holding the write lock during a collection.
. "$(dirname "$0")/../lib.sh"
for t in sqlite3 python3; do
	command -v $t >/dev/null || skip "$t is not installed"
done
q() { sqlite3 "$DB" "$1"; }
# A suite whose benchmark and cleanup need no tools: a forkbench-shaped
# line, and a cleanup that must run (with the work directory quoted).
cat >"$T/tiny.suite" <<'EOS'
[suite]
name = tiny
duration = 1
reps = 1
[benchmark fake]
command = printf 'forkbench 1 fork+exit+wait cycles\nforks 10\nseconds 1.0\nforks_per_second 10.0\n'; sleep {duration}
prepare = true
cleanup = touch ../../cleanup-ran
parser = forkbench
EOS

# ---- class 1: names are data ---------------------------------------------

# 1. a label that climbs out of the run directory: refused (exit 2, one
#    line naming the option and the value), the victim untouched, no run
mkdir -p "$T/a/b" "$T/a/victim"
echo precious >"$T/a/victim/keep"
expect_exit 2 vb collect --state-dir "$T/a/b" --profile "$T/tiny.suite" \
	--platforms 'native:../../../../victim'
expect_err_line "--platforms 'native:../../../../victim': each part after the kind must be 1 to 64 of A-Z a-z 0-9 . _ + @ -, starting with a letter, a digit or _"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than one line: $(cat "$T/err")"
[ "$(cat "$T/a/victim/keep" 2>/dev/null)" = precious ] || fail "victim directory damaged"
[ ! -e "$DB" ] || [ "$(q 'select count(*) from run')" = 0 ] || fail "a run was created"

# 2. a label that is a command substitution: refused, never executed
P=$T/pwned-label
expect_exit 2 vb collect --state-dir "$T/a/b" --profile "$T/tiny.suite" \
	--platforms "native:\$(touch $P)"
[ ! -e "$P" ] || fail "the label was executed"
expect_exit 2 vb collect --state-dir "$T/a/b" --platforms "docker:a;b"
expect_exit 2 vb collect --state-dir "$T/a/b" --platforms "ssh:x@\$(id):22"

# 3. a state directory (option and environment) with a space and a command
#    substitution: accepted as a path, used quoted everywhere, the cleanup
#    runs (in the quoted work directory) and nothing is executed
for how in option env; do
	P=$T/pwned-$how
	S="$T/st $how \$(touch $P)"
	mkdir -p "$S"
	rm -f "$S/cleanup-ran"
	if [ $how = option ]; then
		expect_exit 0 vb collect --state-dir "$S" --profile "$T/tiny.suite" --reps 1
	else
		expect_exit 0 env VIRTBENCH_STATE_DIR="$S" "$VIRTBENCH" --db "$DB" \
			collect --profile "$T/tiny.suite" --reps 1
	fi
	[ ! -e "$P" ] || fail "the state directory ($how) was executed"
	[ -e "$S/cleanup-ran" ] || fail "the cleanup ($how) did not run: $(cat "$T/err")"
	! ls -d "$S"/virtbench-* >/dev/null 2>&1 || fail "run directory ($how) left behind"
done
# a control character in a path is refused as a usage error
expect_exit 2 vb collect --state-dir "$(printf '%s/x\ny' "$T")" --profile "$T/tiny.suite"
expect_exit 2 vb cleanup --state-dir "$(printf '%s/x\ny' "$T")"

# 4. a link planted at the (predictable) run directory of a run to resume:
#    refused, nothing written or removed through it
expect_exit 0 vb collect --state-dir "$T/s4" --profile "$T/tiny.suite" --reps 2
U=$(cat "$T/out")
q "update run set status = 'interrupted' where uuid = '$U';
   delete from sample where repetition = 2"
mkdir -p "$T/victim4" && echo precious >"$T/victim4/keep"
ln -s "$T/victim4" "$T/s4/virtbench-$U"
expect_exit 1 vb collect --resume "$U" --state-dir "$T/s4"
grep -q "not a private directory" "$T/err" || fail "planted run directory not named: $(cat "$T/err")"
[ "$(ls "$T/victim4")" = keep ] || fail "files written through the planted link: $(ls "$T/victim4")"
rm "$T/s4/virtbench-$U"
# the cleanup command too leaves a planted link and its target alone
ln -s "$T/victim4" "$T/s4/virtbench-00000000-0000-4000-8000-000000000000"
expect_exit 0 vb cleanup --state-dir "$T/s4"
[ "$(cat "$T/victim4/keep")" = precious ] || fail "cleanup removed through a link"
rm "$T/s4/virtbench-00000000-0000-4000-8000-000000000000"
expect_exit 0 vb collect --resume "$U" --state-dir "$T/s4"
[ "$(q "select status from run where uuid = '$U'")" = complete ] || fail "resume after removing the link"

echo "security: ok"
