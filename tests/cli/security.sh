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
expect_err_line "--platforms 'native:../../../../victim': each ':'-separated part of a platform name must be 1 to 64 of A-Z a-z 0-9 . _ + @ -, starting with a letter, a digit or _"
[ "$(head -n 1 "$T/err")" = "--platforms 'native:../../../../victim': each ':'-separated part of a platform name must be 1 to 64 of A-Z a-z 0-9 . _ + @ -, starting with a letter, a digit or _" ] ||
	fail "the error is not the first line (the usage follows it): $(cat "$T/err")"
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

# 5. links planted at the outputs of report and plot (a shared output
#    folder): replaced by the new files, their targets untouched
if command -v gnuplot >/dev/null; then
	DB5=$T/plot.db
	for i in 1 2 3; do echo "170000000$i,4${i}00,1600$i,24$i,23$i"; done >"$T/c.csv"
	expect_exit 0 "$VIRTBENCH" --db "$DB5" -q import classic "$T/c.csv" --platform native
	echo precious >"$T/victim5"
	mkdir -p "$T/rep/figures"
	ln -s "$T/victim5" "$T/rep/report.md"
	ln -s "$T/victim5" "$T/rep/figures/cpu-means.png"
	ln -s "$T/victim5" "$T/rep/figures/cpu-means.gp"
	ln -s "$T/victim5" "$T/rep/figures/cpu-means.log"
	expect_exit 0 "$VIRTBENCH" --db "$DB5" report --out "$T/rep"
	[ "$(cat "$T/victim5")" = precious ] || fail "an output was written through a planted link"
	for f in report.md figures/cpu-means.png figures/cpu-means.gp; do
		[ -f "$T/rep/$f" ] && [ ! -L "$T/rep/$f" ] || fail "$f is not a new file"
	done
	! ls -a "$T/rep/figures" | grep -q '^\.plot-' || fail "private render directory left behind"

	# 6. two hosts whose names sanitise alike get figures of their own
	for h in 'x@y' 'x_y'; do
		{ echo "# host $h"; cat "$T/c.csv"; } >"$T/c-$h.csv"
		expect_exit 0 "$VIRTBENCH" --db "$T/two.db" -q import classic "$T/c-$h.csv" \
			--platform native --host "$h"
	done
	expect_exit 0 "$VIRTBENCH" --db "$T/two.db" plot --out "$T/two" --no-render
	n1=$(ls "$T/rep/figures"/*.gp | wc -l)
	n2=$(ls "$T/two/figures"/*.gp | wc -l)
	[ "$n2" -eq $((2 * n1)) ] || fail "two hosts share figure files: $n2 scripts, expected $((2 * n1))"
fi

# ---- class 2: foreign data is never executed ------------------------------

# 7. a run that came from a JSON file (even one claiming this very host and
#    an interrupted status) and a run of another host (merged in) are never
#    resumed: a clear error, and their suites do not run
DB7=$T/seven.db
expect_exit 0 "$VIRTBENCH" --db "$DB7" -q collect --state-dir "$T" --profile "$T/tiny.suite"
# (class 6: the host fingerprint is keyed by machine-id, never its plain
#  hash, and a new database and its WAL are private from the first moment)
if [ -s /etc/machine-id ]; then
	want=$(python3 -c 'import hmac, hashlib; k = open("/etc/machine-id").read().strip().encode(); print(hmac.new(k, b"virtbench host fingerprint v1", hashlib.sha256).hexdigest())')
	plain=$(tr -d '\n' </etc/machine-id | sha256sum | cut -d' ' -f1)
	[ "$(sqlite3 "$DB7" "select fingerprint from host")" = "$want" ] ||
		fail "fingerprint is not HMAC-SHA256(machine-id, app): $(sqlite3 "$DB7" "select fingerprint from host")"
	! "$VIRTBENCH" --db "$DB7" export --format json | grep -q "$plain" || fail "plain hash of machine-id exported"
fi
for f in "$DB7" "$DB7-wal"; do
	[ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ] || fail "$f is mode $(stat -c %a "$f"), not 600"
done
expect_exit 0 "$VIRTBENCH" --db "$DB7" export --format json
cp "$T/out" "$T/mine.json"
PW=$T/pwned-import
python3 - "$T/mine.json" "$T/evil.json" "$PW" <<'PY'
import json, sys, uuid
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
r["uuid"] = str(uuid.uuid4())
r["status"] = "interrupted"
r["params"]["suite_text"] = r["params"]["suite_text"].replace(
    "command = printf", "command = touch %s; printf" % sys.argv[3])
d["samples"] = [s for s in d["samples"] if s["repetition"] == 0]
for s in d["samples"]:
    s["run"] = r["uuid"]
json.dump(d, open(sys.argv[2], "w"))
PY
U7=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["uuid"])' "$T/evil.json")
expect_exit 0 vb import json "$T/evil.json"
expect_exit 1 vb collect --resume "$U7" --state-dir "$T"
grep -q "^run $U7 was imported from .*evil.json, not collected here; it cannot be resumed" "$T/err" ||
	fail "imported run not refused clearly: $(cat "$T/err")"
[ ! -e "$PW" ] || fail "the imported run's suite was executed"
# another host's run, arriving through db merge
cp "$DB7" "$T/other.db"
U7b=$(python3 -c 'import uuid; print(uuid.uuid4())')
sqlite3 "$T/other.db" "update host set name = 'elsewhere';
	update run set uuid = '$U7b', status = 'interrupted';
	delete from sample where repetition = 1"
expect_exit 0 vb db merge "$T/other.db"
expect_exit 1 vb collect --resume "$U7b" --state-dir "$T"
grep -q "^run $U7b was collected on host elsewhere, not on this one" "$T/err" ||
	fail "another host's run not refused clearly: $(cat "$T/err")"

# 8. a JSON file that plants a sample into a run it does not define (a
#    complete run already here), or files a sample under another host:
#    refused whole, nothing written
expect_exit 0 vb -q collect --state-dir "$T" --profile "$T/tiny.suite"
U8=$(cat "$T/out")
before=$(q "select count(*) || ':' || total(value) from sample")
runs_before=$(q "select count(*) from run")
for attack in plant host; do
	python3 - "$T/mine.json" "$T/plant.json" "$U8" "$attack" <<'PY'
import json, sys, uuid
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
r["uuid"] = str(uuid.uuid4())
for s in d["samples"]:
    s["run"] = r["uuid"]
bad = dict(d["samples"][-1])
if sys.argv[4] == "plant":
    bad.update(run=sys.argv[3], repetition=7, value=1e9)
else:
    bad.update(host="elsewhere", repetition=8)
d["samples"].append(bad)
json.dump(d, open(sys.argv[2], "w"))
PY
	expect_exit 1 vb import json "$T/plant.json"
	if [ $attack = plant ]; then
		grep -q "plant.json: samples\[2\].run: run $U8 is not in \"runs\" of this file" "$T/err" ||
			fail "planted sample not named: $(cat "$T/err")"
	else
		grep -q "plant.json: samples\[2\].host: 'elsewhere' is not the host of run" "$T/err" ||
			fail "foreign-host sample not named: $(cat "$T/err")"
	fi
	[ "$(q "select count(*) || ':' || total(value) from sample")" = "$before" ] ||
		fail "samples changed by a refused import ($attack)"
	[ "$(q "select count(*) from run")" = "$runs_before" ] || fail "a run was added ($attack)"
done

# 9. one live collector per run whatever the state directory or the path
#    to the database: a second collector on a live run is refused naming
#    the first; the lock dies with the first (SIGKILL) and the run then
#    resumes to exactly its plan
sed 's/^reps = 1/reps = 3/; s/^duration = 1/duration = 2/' "$T/tiny.suite" >"$T/slow.suite"
"$VIRTBENCH" --db "$DB" collect --state-dir "$T/s9a" --profile "$T/slow.suite" \
	>"$T/u9" 2>"$T/e9" &
c9=$!
i=0
until [ -s "$T/u9" ] && grep -q "fake #0" "$T/e9"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { kill $c9; fail "first collector did not start: $(cat "$T/e9")"; }
	sleep 0.1
done
U9=$(cat "$T/u9")
expect_exit 1 env VIRTBENCH_STATE_DIR="$T/s9b" "$VIRTBENCH" --db "$DB" collect --resume "$U9"
grep -q "^run $U9 is being collected by process $c9 " "$T/err" ||
	{ kill $c9; fail "second collector not refused: $(cat "$T/err")"; }
ln -s "$DB" "$T/link.db"
expect_exit 1 "$VIRTBENCH" --db "$T/link.db" collect --resume "$U9" --state-dir "$T/s9c"
grep -q "is being collected by process $c9 " "$T/err" ||
	{ kill $c9; fail "the lock depends on the path: $(cat "$T/err")"; }
kill -KILL $c9
wait $c9 || true
rm -rf "$T/s9a"
expect_exit 0 vb collect --resume "$U9" --state-dir "$T/s9b"
[ "$(q "select count(*) from sample s join run r on r.id = s.run_id where r.uuid = '$U9' and s.status in ('ok', 'warmup')")" = 4 ] ||
	fail "resumed run does not have exactly its 4 planned samples"

# ---- class 3: the store never loses a measured sample ----------------------

# 10. a negative or a future schema version is refused in one line
cp "$DB7" "$T/neg.db"
sqlite3 "$T/neg.db" "PRAGMA user_version = -1"
expect_exit 1 "$VIRTBENCH" --db "$T/neg.db" analyze
expect_err_line "$T/neg.db: schema version -1 is not one virtbench ever wrote (a damaged or foreign file)"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than one line: $(cat "$T/err")"
sqlite3 "$T/neg.db" "PRAGMA user_version = 2147483647"
expect_exit 1 "$VIRTBENCH" --db "$T/neg.db" analyze
grep -q "schema version 2147483647 is newer" "$T/err" || fail "future schema: $(cat "$T/err")"

# 11. another process holds the write lock for longer than the busy
#    timeout while samples are measured: the collector waits, says so,
#    and loses nothing
DB11=$T/lock.db
"$VIRTBENCH" --db "$DB11" collect --state-dir "$T" --profile "$T/slow.suite" --duration 1 \
	>"$T/u11" 2>"$T/e11" &
c11=$!
i=0
until grep -q "fake #0" "$T/e11" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { kill $c11; fail "collector did not start: $(cat "$T/e11")"; }
	sleep 0.1
done
{ echo ".timeout 20000"; echo "BEGIN IMMEDIATE;"; echo "UPDATE host SET cores = cores;"
  sleep 9; echo "COMMIT;"; } | sqlite3 "$DB11"
wait $c11 || { cat "$T/e11" >&2; fail "the collection failed while the lock was held"; }
grep -q "locked by another process for 5 s; waiting for it (the measured sample is kept in memory meanwhile)" "$T/e11" ||
	fail "no waiting message: $(cat "$T/e11")"
U11=$(cat "$T/u11")
[ "$(sqlite3 "$DB11" "select status || ':' || (select count(*) from sample s where s.run_id = r.id and s.status in ('ok', 'warmup')) from run r where uuid = '$U11'")" = complete:4 ] ||
	fail "samples lost to the lock: $(cat "$T/e11")"

# 12. a database on read-only media, or one this user may not write, can
#     still be read: analyze, export and report work; a write says why
ro_checks() { # DBFILE OUTDIR RUNNER...
	f=$1 o=$2
	shift 2
	expect_exit 0 "$@" "$VIRTBENCH" --db "$f" analyze
	expect_exit 0 "$@" "$VIRTBENCH" --db "$f" export --format csv
	[ "$(wc -l <"$T/out")" -ge 3 ] || fail "export from a read-only database is empty"
	expect_exit 0 "$@" "$VIRTBENCH" --db "$f" report --out "$o" --no-render
	expect_exit 1 "$@" "$VIRTBENCH" --db "$f" import classic "$T/c.csv" --platform native
	grep -q "read-only" "$T/err" || fail "a write to a read-only database does not say so: $(cat "$T/err")"
}
sqlite3 "$DB7" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
for i in 1 2 3; do echo "170000000$i,4${i}00,1600$i,24$i,23$i"; done >"$T/c.csv"
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/ro" && mount -t tmpfs -o size=16m vbtest "$T/ro" 2>/dev/null; then
	trap 'rc=$?; umount "$T/ro" 2>/dev/null || true; rm -rf "$T"; exit $rc' EXIT INT TERM
	cp "$DB7" "$T/ro/r.db"
	mount -o remount,ro "$T/ro"
	ro_checks "$T/ro/r.db" "$T/rorep"
	umount "$T/ro"
fi
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$T/nw"
	cp "$DB7" "$T/nw/r.db"
	chmod 755 "$T" "$T/nw"
	chmod 644 "$T/nw/r.db"
	mkdir -p "$T/nwrep" && chown 65534:65534 "$T/nwrep"
	ro_checks "$T/nw/r.db" "$T/nwrep" setpriv --reuid=65534 --regid=65534 --clear-groups
fi

# ---- class 5: every output format escapes what it embeds -------------------

# 13. names with Markdown, HTML, newlines, a leading quote and a CSV
#     formula, arriving in a JSON file: tables keep their shape, nothing is
#     rendered as HTML or run as a formula, gnuplot still plots
python3 - "$T/mine.json" "$T/names.json" <<'PY'
import json, sys, uuid
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
r["uuid"] = str(uuid.uuid4())
evil = ["'ev|il\n<b>x</b>", "=HYPERLINK(\"http://x\")"]
base = [s for s in d["samples"] if s["repetition"] == 1][0]
samples = []
for name in ["native"] + evil:
    r.setdefault("platforms", [])
    for rep in (1, 2, 3):
        s = dict(base, run=r["uuid"], platform=name, repetition=rep,
                 value=10.0 + rep + len(name), status="ok")
        samples.append(s)
d["samples"] = samples
r["platforms"] = [dict(r["platforms"][0], name=n, kind="native") for n in ["native"] + evil]
json.dump(d, open(sys.argv[2], "w"))
PY
DB13=$T/names.db
expect_exit 0 "$VIRTBENCH" --db "$DB13" import json "$T/names.json"
expect_exit 0 "$VIRTBENCH" --db "$DB13" analyze --format markdown
python3 - "$T/out" <<'PY' || fail "markdown from analyze is broken: $(cat "$T/out")"
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("|")]
cells = lambda l: len(re.split(r"(?<!\\)\|", l.rstrip("\n"))) - 2
assert rows and all(cells(l) == cells(rows[0]) for l in rows), "rows differ in cells"
text = open(sys.argv[1]).read()
assert "<b>" not in text, "raw HTML"
PY
expect_exit 0 "$VIRTBENCH" --db "$DB13" export --format csv
python3 - "$T/out" <<'PY' || fail "CSV export lets a formula through: $(cat "$T/out")"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
for row in rows[1:]:
    for cell in row:
        if cell and cell[0] in "=+-@\t\r" and not cell.lstrip("-").replace(".", "", 1).replace("e", "", 1).isdigit():
            raise SystemExit("formula cell %r" % cell)
assert any(r[2] == "'=HYPERLINK(\"http://x\")" for r in rows[1:]), "name not kept (neutralised)"
PY
expect_exit 0 "$VIRTBENCH" --db "$DB13" analyze --format csv
grep -q "^[^,]*,\"'=HYPERLINK" "$T/out" || fail "analyze CSV lets a formula through: $(cat "$T/out")"
if command -v gnuplot >/dev/null; then
	expect_exit 0 "$VIRTBENCH" --db "$DB13" plot --out "$T/p13"
fi
expect_exit 0 "$VIRTBENCH" --db "$DB13" report --out "$T/r13" --no-render
python3 - "$T/r13/report.md" <<'PY' || fail "report.md is broken"
import re, sys
text = open(sys.argv[1]).read()
assert "<b>" not in text, "raw HTML in report.md"
for block in re.split(r"\n(?!\|)", text):
    rows = [l for l in block.split("\n") if l.startswith("|")]
    assert len({len(re.split(r"(?<!\\)\|", l)) for l in rows}) <= 1, \
        "a table's rows differ in cells: %s" % rows
PY

# ---- class 7: processes --------------------------------------------------

# 14. a benchmark that left its process group (setsid) outlives a SIGKILLed
#     collector; the resume does not measure beside it: it waits for it,
#     then ends it, and says so
cat >"$T/escape.suite" <<EOS
[suite]
name = escape
duration = 1
reps = 2
[benchmark fake]
command = setsid sh -c 'echo \$\$ >>$T/escaped.all; echo \$\$ >$T/escaped.pid; exec sleep 300' </dev/null >/dev/null 2>&1 & sleep 3; printf 'forkbench 1 fork+exit+wait cycles\nforks 10\nseconds 1.0\nforks_per_second 10.0\n'
parser = forkbench
timeout = 60
EOS
DB14=$T/escape.db
trap 'rc=$?
      for p in ${r14:-}; do ! grep -qa virtbench /proc/$p/cmdline 2>/dev/null || kill -KILL $p || true; done
      for p in $(cat "$T/escaped.all" 2>/dev/null || true); do kill -KILL $p 2>/dev/null || true; done
      umount "$T/ro" 2>/dev/null || true; rm -rf "$T"; exit $rc' EXIT INT TERM
"$VIRTBENCH" --db "$DB14" collect --state-dir "$T" --profile "$T/escape.suite" >"$T/u14" 2>"$T/e14" &
c14=$!
i=0
until [ -s "$T/escaped.pid" ] && [ -s "$T/u14" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { kill $c14; fail "collector did not start: $(cat "$T/e14")"; }
	sleep 0.1
done
kill -KILL $c14
wait $c14 || true
esc=$(cat "$T/escaped.pid")
kill -0 "$esc" 2>/dev/null || fail "the escaped process did not outlive the collector (test premise)"
rm -f "$T/escaped.pid"
U14=$(cat "$T/u14")
"$VIRTBENCH" --db "$DB14" collect --resume "$U14" --state-dir "$T" >"$T/out" 2>"$T/err" &
r14=$!
# the first thing the resumed run starts is the next sample's command,
# which writes a new pid file: the old process must be gone by then
i=0
until [ -s "$T/escaped.pid" ] || ! kill -0 $r14 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 400 ] || { kill $r14; fail "resume did not start a sample: $(cat "$T/err")"; }
	sleep 0.1
done
# (alive = exists and is not a zombie: in a container nothing may reap it)
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }
alive "$esc" && { kill -KILL "$esc"; kill $r14; fail "the resume measured beside the dead collector's process $esc"; }
wait $r14 || fail "resume failed: $(cat "$T/err")"
grep -q "still running from the interrupted collection of run $U14" "$T/err" ||
	fail "the wait was not said: $(cat "$T/err")"
for p in $(cat "$T/escaped.all"); do kill -KILL "$p" 2>/dev/null || true; done

echo "security: ok"
