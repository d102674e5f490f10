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
expect_err_line "virtbench db: unknown sub-command 'frobnicate' (merge, check)"
[ ! -e "$T/new.db" ] || fail "a db usage error created the database"
expect_exit 0 "$VIRTBENCH" db merge --help
grep -q "^usage: virtbench db merge OTHER.db" "$T/out" || fail "db merge --help"

# db check finds a broken invariant.
sqlite3 "$T/c.db" "PRAGMA ignore_check_constraints=1; UPDATE sample SET status='failed', error=NULL WHERE id = (SELECT min(id) FROM sample)"
expect_exit 1 "$VIRTBENCH" --db "$T/c.db" db check
expect_out_has "failures: sample 4294967297 failed without a reason"

# A database made by the previous release (schema 1, fixtures/db/v1.db:
# classic imports with 6 and 4 columns, a quick collect with warm-ups and
# a failed sample, made with virtbench 28cfa85) is migrated in place on
# first open, and then reads back exactly as that release exported it.
F=$(dirname "$0")/../fixtures/db
cp "$F/v1.db" "$T/v1.db"
expect_exit 0 "$VIRTBENCH" --db "$T/v1.db" db check
grep -q "schema migrated from version 1 to 4" "$T/err" || fail "no migration message: $(cat "$T/err")"
[ "$(sqlite3 "$T/v1.db" 'PRAGMA user_version')" = 4 ] || fail "not migrated"
# The 18 samples of the 6-column file share 3 lines, the 8 of the 4-column
# file 2, each collected sample has its own output: 3 + 2 + 6 outputs.
[ "$(sqlite3 "$T/v1.db" 'SELECT count(*) FROM output')" = 11 ] || fail "outputs not shared"
# Since schema 3 the exports carry each sample's instance, host_other_cpu
# and disturbed (not recorded: null / empty for this data) and analyze has
# more fields (verdicts, instances): everything the old release wrote must
# be there unchanged. old_subset OLD NEW: OLD's content, with NEW's extra
# fields (empty) and keys removed, is NEW's.
old_subset() {
	/usr/bin/python3 - "$1" "$2" <<'PYEOF'
import csv, json, sys
old, new = sys.argv[1], sys.argv[2]
if old.endswith(".csv"):
    a = list(csv.reader(open(old)))
    b = list(csv.reader(open(new)))
    extra = ["instance", "host_other_cpu", "disturbed"]
    idx = [b[0].index(x) for x in extra]
    assert idx == [9, 10, 11], b[0]
    assert all(r[i] == "" for r in b[1:] for i in idx), "not empty"
    b = [[v for i, v in enumerate(r) if i not in idx] for r in b]
    sys.exit(0 if a == b else 1)
def strip(o, n):
    """n reduced to o's keys (o a subset of n, recursively)."""
    if isinstance(o, dict):
        assert isinstance(n, dict), n
        return {k: strip(o[k], n[k]) for k in o if k in n}
    if isinstance(o, list):
        return [strip(x, y) for x, y in zip(o, n)] + n[len(o):]
    return n
a, b = json.load(open(old)), json.load(open(new))
if old.endswith("v1.json"):
    for s in b["samples"]:
        assert s.pop("instance") is None and s.pop("host_other_cpu") is None \
            and s.pop("disturbed") is None, s
    sys.exit(0 if a == b else 1)
def same(x, y):
    """equal; numbers to 1e-12 relative: Fieller's discriminant is now
    computed without cancellation, which moves the last digits"""
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if isinstance(x, float) and isinstance(y, (int, float)):
        return abs(x - y) <= 1e-12 * abs(x)
    return x == y
sys.exit(0 if same(a, strip(a, b)) else 1)
PYEOF
}
"$VIRTBENCH" --db "$T/v1.db" export --format json >"$T/v1.json"
old_subset "$F/v1.json" "$T/v1.json" || fail "migrated JSON export differs from the old release's"
"$VIRTBENCH" --db "$T/v1.db" export --format csv >"$T/v1.csv"
old_subset "$F/v1.csv" "$T/v1.csv" || fail "migrated CSV export differs from the old release's"
"$VIRTBENCH" --db "$T/v1.db" analyze --format json >"$T/v1.analyze.json"
old_subset "$F/v1.analyze.json" "$T/v1.analyze.json" || fail "migrated analysis differs"
# The migrated file round-trips through JSON and merges into a new one.
expect_exit 0 "$VIRTBENCH" --db "$T/v1rt.db" import json "$T/v1.json"
[ "$(sqlite3 "$T/v1rt.db" 'SELECT count(*) FROM output')" = 11 ] || fail "JSON import did not share outputs"
"$VIRTBENCH" --db "$T/v1rt.db" export --format json >"$T/v1rt.json"
# Identical, except that a run without a source now names the file it
# was imported from (an imported run is never resumed: issue 13).
python3 - "$T/v1.json" "$T/v1rt.json" "$(realpath "$T/v1.json")" <<'PY' || fail "JSON round trip of the migrated data differs"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for ra, rb in zip(a["runs"], b["runs"]):
    if ra["source"] is None:
        assert rb["source"] == sys.argv[3], rb["source"]
        rb["source"] = None
assert a == b
PY
expect_exit 0 "$VIRTBENCH" --db "$T/v1m.db" db merge "$T/v1.db"
"$VIRTBENCH" --db "$T/v1m.db" export --format json >"$T/v1m.json"
cmp -s "$T/v1.json" "$T/v1m.json" || fail "merge of the migrated data differs"
# reparse reads the migrated raw outputs: the fork sample the fixture
# marks as a parse failure parses again.
[ "$(sqlite3 "$T/v1.db" "SELECT count(*) FROM sample WHERE status = 'failed'")" = 1 ] || fail "no failed sample"
expect_exit 0 "$VIRTBENCH" --db "$T/v1.db" reparse
[ "$(sqlite3 "$T/v1.db" "SELECT count(*) FROM sample WHERE status = 'failed'")" = 0 ] || fail "reparse left the failed sample"
expect_exit 0 "$VIRTBENCH" --db "$T/v1.db" db check
# import json reads a stream: a cut file is refused where it ends, and
# nothing is written.
head -c 5000 "$F/v1.json" >"$T/cut.json"
expect_exit 1 "$VIRTBENCH" --db "$T/cut.db" import json "$T/cut.json"
expect_err_line "$T/cut.json:11: not valid JSON (the file ends inside a value)"
[ ! -e "$T/cut.db" ] || fail "a rejected JSON import left a database"
# A second open does not migrate again.
expect_exit 0 "$VIRTBENCH" --db "$T/v1.db" db check
! grep -q "migrated" "$T/err" || fail "migrated twice"

# A database made by the release before schema 4 (fixtures/db/v3.db:
# v1.db migrated by virtbench e8508b8, schema 3; v3.analyze.json is that
# release's analysis of it) gains the index of the samples that are not
# ok, and analyzes exactly as that release did.
cp "$F/v3.db" "$T/v3.db"
expect_exit 0 "$VIRTBENCH" --db "$T/v3.db" db check
grep -q "schema migrated from version 3 to 4" "$T/err" || fail "no migration message: $(cat "$T/err")"
[ "$(sqlite3 "$T/v3.db" 'PRAGMA user_version')" = 4 ] || fail "v3 not migrated"
[ "$(sqlite3 "$T/v3.db" "SELECT count(*) FROM sample_value INDEXED BY sample_value_not_ok WHERE status <> 0")" = \
  "$(sqlite3 "$T/v3.db" "SELECT count(*) FROM sample_value WHERE status <> 0")" ] || fail "index misses samples"
[ "$(sqlite3 "$T/v3.db" "SELECT count(*) FROM sample_value WHERE status <> 0")" = 3 ] || fail "fixture changed"
"$VIRTBENCH" --db "$T/v3.db" analyze --format json >"$T/v3.analyze.json"
old_subset "$F/v3.analyze.json" "$T/v3.analyze.json" || fail "migrated v3 analysis differs"

# Not a virtbench database.
echo "hello" >"$T/text.db"
expect_exit 1 "$VIRTBENCH" --db "$T/text.db" export
expect_exit 1 "$VIRTBENCH" --db "$T/nope.db" export
[ ! -e "$T/nope.db" ] || fail "reading created a database"
echo ok
