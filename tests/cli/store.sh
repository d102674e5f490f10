# tests/cli/store.sh - the CLI around the store (db/): import classic/json,
# export, db merge/check, exit codes, --help everywhere, and that a failed
# command leaves no database behind.
. "$(dirname "$0")/../lib.sh"

# --help on every command, from the command table.
for c in $("$VIRTBENCH" help | awk '/^commands:/{on=1;next} on && /^  [a-z]/{print $1}'); do
	expect_exit 0 "$VIRTBENCH" "$c" --help
	grep -q "^usage: virtbench" "$T/out" || fail "$c --help printed no usage"
done
[ "$("$VIRTBENCH" help | grep -c '^  [a-z]')" -ge 14 ] || fail "help lists too few commands"
expect_exit 2 "$VIRTBENCH" no-such-command
expect_err_line "unknown command 'no-such-command' (see 'virtbench help')"
expect_exit 2 vb import classic
expect_exit 2 vb import classic x.csv
[ ! -e "$DB" ] || fail "a usage error created the database"

# A bad file: one line FILE:LINE: reason, exit 1, nothing written.
printf '1700000000,4500,16000,240,230\n1700000060,4500,16000,abc,230\n' >"$T/bad.csv"
expect_exit 1 vb import classic "$T/bad.csv" --platform native
expect_err_line "$T/bad.csv:2: field 'diskRand': not a number: 'abc'"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than one line on stderr"
[ ! -e "$DB" ] || fail "a rejected import left a database file"
expect_exit 1 vb import classic "$T/missing.csv" --platform native
expect_err_line "$T/missing.csv:0: cannot read: No such file or directory"

# Good files, on two hosts; the UUID is printed on stdout.
printf 'time,cpu,mem,diskRand,diskSeq\n1700000000,4500,16000,240,230\n1700000060,4400,16100,241,231\n' >"$T/native.csv"
printf '1700000000,600,900,45,43\n1700000060,610,905,44,42\n' >"$T/qemu.csv"
expect_exit 0 vb import classic "$T/native.csv" --platform native --host hostA
grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "$T/out" || fail "no run UUID printed"
run=$(cat "$T/out")
expect_exit 0 vb import classic "$T/qemu.csv" --platform qemu --host hostA
expect_exit 1 vb import classic "$T/native.csv" --platform native --host hostA
grep -q "already imported as run $run" "$T/err" || fail "duplicate import not named"

expect_exit 2 vb export --format xml
expect_err_line "--format 'xml': use csv or json"

# CSV export: the contract's nine columns first.
expect_exit 0 vb export --format csv
head -n 1 "$T/out" | grep -q '^run,host,platform,benchmark,repetition,value,unit,status,started_at' || fail "csv header"
[ "$(wc -l <"$T/out")" -eq 17 ] || fail "expected 16 samples, got $(($(wc -l <"$T/out") - 1))"
grep -q "^$run,hostA,native,cpu,1,4500,events/s,ok,2023-11-14T22:13:20.000Z," "$T/out" || fail "csv row"
expect_exit 0 vb export --format csv --platform qemu
[ "$(wc -l <"$T/out")" -eq 9 ] || fail "platform filter"

# JSON round trip through a new database.
vb export --format json >"$T/a.json"
"$VIRTBENCH" --db "$T/b.db" import json "$T/a.json" 2>/dev/null
"$VIRTBENCH" --db "$T/b.db" export --format json >"$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || fail "json round trip differs"
python3 -c "import json,sys; d=json.load(open('$T/a.json')); assert len(d['samples'])==16" || fail "json not parseable"

# Merge: twice is the same as once; check passes.
expect_exit 0 "$VIRTBENCH" --db "$T/c.db" db merge "$DB"
expect_out_has "merged 2 runs"
expect_exit 0 "$VIRTBENCH" --db "$T/c.db" db merge "$DB"
expect_out_has "merged 0 runs"
"$VIRTBENCH" --db "$T/c.db" export --format json >"$T/c.json"
cmp -s "$T/a.json" "$T/c.json" || fail "merged export differs"
expect_exit 0 "$VIRTBENCH" --db "$T/c.db" db check
expect_exit 1 "$VIRTBENCH" --db "$T/c.db" db merge "$T/bad.csv"
expect_err_line "$T/bad.csv: cannot open: file is not a database"
# A failed merge into a new database leaves no file (db gets its database
# from the command table's flags, like every command).
expect_exit 1 "$VIRTBENCH" --db "$T/new.db" db merge "$T/bad.csv"
[ -z "$(ls "$T" | grep '^new\.db')" ] || fail "failed db merge left $(ls "$T" | grep '^new\.db')"
expect_exit 2 "$VIRTBENCH" --db "$T/new.db" db merge
expect_exit 2 "$VIRTBENCH" --db "$T/new.db" db frobnicate
expect_err_line "db: unknown sub-command 'frobnicate' (merge, check)"
[ ! -e "$T/new.db" ] || fail "a db usage error created the database"
expect_exit 0 "$VIRTBENCH" db merge --help
grep -q "^usage: virtbench db merge OTHER.db" "$T/out" || fail "db merge --help"

# db check finds a broken invariant.
sqlite3 "$T/c.db" "PRAGMA ignore_check_constraints=1; UPDATE sample SET status='failed', error=NULL WHERE id=1"
expect_exit 1 "$VIRTBENCH" --db "$T/c.db" db check
expect_out_has "failures: sample 1 failed without a reason"

# Not a virtbench database.
echo "hello" >"$T/text.db"
expect_exit 1 "$VIRTBENCH" --db "$T/text.db" export
expect_exit 1 "$VIRTBENCH" --db "$T/nope.db" export
[ ! -e "$T/nope.db" ] || fail "reading created a database"
echo ok
