# tests/cli/report.sh - `virtbench report` (report/) end to end on imported
# classic CSVs and a JSON export with recorded configurations: the report
# opens with "## Answers" (a short paragraph per benchmark whose verdicts
# and intervals equal analyze's and never contradict each other, then the
# summary table); every number in the tables equals `analyze --format
# json` at its printed precision; every linked figure exists; imported
# data (no configuration) is said once, never explained; problems are
# bullets, warnings one table with the worst warning per cell and its
# cause; the default output folder out/report; --no-render, gnuplot
# missing, --templates, a broken template.
. "$(dirname "$0")/../lib.sh"
PY=$(command -v python3) || skip "python3 is not installed"
command -v gnuplot >/dev/null || skip "gnuplot is not installed (apt-get install gnuplot-nox)"

# native, docker, kvm, qemu; qemu noisy (CoV > 5 %); kvm's disk reads
# faster than native (an imported guest beating O_DIRECT); 8 lines each.
for p in native:1:0.01:1 docker:0.99:0.01:0.98 kvm:0.97:0.01:1.6 qemu:0.13:0.12:0.3; do
	IFS=: read -r name f noise disk <<EOF
$p
EOF
	awk -v f="$f" -v n="$noise" -v d="$disk" -v s="${#name}" 'BEGIN { srand(s);
		for (i = 0; i < 8; i++) {
			r = 1 + n * (rand() - 0.5) * 2
			printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 600 * i,
			f * r * 4500, f * r * 16000, d * r * 240, d * r * 230,
			f * r * 9000, f * r * 23000 } }' >"$T/$name.csv"
	expect_exit 0 vb -q import classic "$T/$name.csv" --platform "$name"
done

expect_exit 0 vb report --out "$T/r"
expect_out_has "$T/r/report.md"
md=$T/r/report.md
[ -s "$md" ] || fail "report.md not written"
[ -s "$T/r/figures/overview.png" ] || fail "figures not rendered"
expect_exit 0 vb analyze --format json
cp "$T/out" "$T/a.json"

# Every number in the tables and in the answers' speedups equals analyze's
# at the precision printed; every figure link resolves.
"$PY" - "$md" "$T/a.json" <<'EOF' || fail "report numbers differ from analyze --format json"
import json, os, re, sys
md_path, js = sys.argv[1], json.load(open(sys.argv[2]))
md = open(md_path, encoding="utf-8").read()
res = {(r["platform"], r["benchmark"]): r for r in js["results"]}
NUM = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"

def same(printed, value, what):
    """printed text equals value rounded to the printed precision"""
    assert value is not None, what + ": analyze says null, report " + printed
    dec = len(printed.split("e")[0].split(".")[1]) if "." in printed else 0
    if "e" in printed:
        mant, exp = printed.split("e")
        tol = 0.5 * 10 ** (int(exp) - dec)
    else:
        tol = 0.5 * 10 ** -dec
    assert abs(float(printed) - value) <= tol * (1 + 1e-9), \
        "%s: report %s, analyze %r" % (what, printed, value)

def same_p(printed, value, what):
    printed = printed.strip("*")
    if printed == "p<0.001":
        assert value < 0.001, what
    else:
        assert printed.startswith("p="), what + ": " + printed
        same(printed[2:], value, what)

def expected_verdict(vs):
    """analyze's verdict; before verdicts existed, Holm significance"""
    if "verdict" in vs:
        return vs["verdict"]
    if not vs["significant"]:
        return "inconclusive"
    return "faster" if vs["speedup"] > 1 else "slower"

def interval_of(vs):
    """the interval the verdict rests on"""
    if "verdict" not in vs:
        return vs["ci95"]
    if vs["verdict"] == "equivalent":
        return vs["ci90_simultaneous"]
    return vs["ci95_simultaneous"]

def same_speedup(text, vs, what):
    m = re.fullmatch(r"(%s)× \[(%s), (%s)\]" % (NUM, NUM, NUM), text)
    assert m, what + ": cannot read speedup " + text
    same(m.group(1), vs["speedup"], what + " speedup")
    same(m.group(2), vs["ci95"][0], what + " CI low")
    same(m.group(3), vs["ci95"][1], what + " CI high")

bench, rows = None, 0
for line in md.splitlines():
    m = re.match(r"### (\S+) \(", line)
    if m:
        bench = m.group(1)
        continue
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if not bench or not line.startswith("| ") or (cells[0], bench) not in res:
        continue
    r = res[(cells[0], bench)]
    rows += 1
    plat, n, mean, ci, sd, cov, sp, p, verdict = cells
    what = "%s/%s" % (plat, bench)
    assert int(n.split()[0]) == r["n"], what + " n"
    same(mean, r["mean"], what + " mean")
    lo, hi = re.fullmatch(r"\[(%s), (%s)\]" % (NUM, NUM), ci).groups()
    same(lo, r["ci95"][0], what + " CI low")
    same(hi, r["ci95"][1], what + " CI high")
    same(sd, r["stddev"], what + " sd")
    same(cov.rstrip("%"), 100 * r["cov"], what + " CoV")
    if plat == js["baseline"]:
        assert sp == "baseline", what
    else:
        same_speedup(sp, r["vs_baseline"], what)
        same_p(p, r["vs_baseline"]["p_holm"], what + " Holm p")
        assert ("**" in p) == r["vs_baseline"]["significant"], what + " significance mark"
        assert verdict.split()[0] == expected_verdict(r["vs_baseline"]), what + " verdict"
assert rows == len(res) == 24, "table rows %d, results %d" % (rows, len(res))

# The report opens with the answers: one paragraph per benchmark of at
# most ~80 words, each platform's verdict with its speedup and the
# interval the verdict rests on - equal to analyze's, never contradicting
# the word - then the summary table with the same cells.
heads = re.findall(r"^## (.*)$", md, re.M)
assert heads[0] == "Answers", heads
answers = md.split("\n## Answers\n")[1].split("\n## ")[0]
paras = [p for p in answers.split("\n\n") if re.match(r"\*\*[A-Z]", p)]
assert len(paras) == 6, "answer paragraphs: %d" % len(paras)
found = 0
for para in paras:
    assert len(para.split()) <= 80, "answer of %d words: %s" % (len(para.split()), para)
    b = re.match(r"\*\*[^*]+\*\* \((\w+),", para).group(1)
    for plat, word, s_, l_, h_ in re.findall(
            r"\*\*(\S+)\*\* (faster|slower|equivalent|inconclusive), (%s)× \[(%s), (%s)\]"
            % (NUM, NUM, NUM), para):
        vs = res[(plat, b)]["vs_baseline"]
        assert word == expected_verdict(vs), "%s/%s: %s" % (plat, b, word)
        lo_, hi_ = interval_of(vs)
        same(s_, vs["speedup"], "answer %s/%s speedup" % (plat, b))
        same(l_, lo_, "answer %s/%s interval low" % (plat, b))
        same(h_, hi_, "answer %s/%s interval high" % (plat, b))
        lo_, hi_ = float(l_), float(h_)
        if word == "faster":
            assert lo_ > 1, para
        elif word == "slower":
            assert hi_ < 1, para
        elif word == "equivalent":
            M = vs["margin"]
            assert lo_ >= 1 / (1 + M) - 1e-3 and hi_ <= 1 + M + 1e-3, para
        found += 1
assert found == 18, "verdicts in the answers: %d" % found
table = [l for l in answers.splitlines() if l.startswith("| ")]
assert table[0].split("|")[1:-1] == [" benchmark ", " docker ", " kvm ", " qemu "], table[0]
assert len(table) == 1 + 6, table
for line in table[1:]:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    for plat, cell in zip(["docker", "kvm", "qemu"], cells[1:]):
        vs = res[(plat, cells[0])]["vs_baseline"]
        m = re.fullmatch(r"(%s)× \[(%s), (%s)\] (\w+)( ⚠️)?" % (NUM, NUM, NUM), cell)
        assert m, "summary cell " + cell
        assert m.group(4) == expected_verdict(vs), cell
        same(m.group(2), interval_of(vs)[0], "summary " + cell)

# Figure links resolve, and each benchmark shows four figures.
links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
assert len(links) == 6 * 4 + 1, "figure links: %d" % len(links)
for l in links:
    assert os.path.isfile(os.path.join(os.path.dirname(md_path), l)), "missing " + l
EOF

# Imported data: no configuration, so answers name the missing fact and
# never claim a mechanism; the validity checks are shown up front.
grep -q "^No configuration was recorded for \*\*docker\*\*, \*\*kvm\*\*, \*\*qemu\*\* (imported data, say), so no mechanism is named for them." "$md" ||
	fail "missing configuration not named once"
! grep -q "or none for a container) of" "$md" || fail "missing facts repeated per answer"
! grep -q "VT-x\|translates every guest instruction\|overlay layer\*\*" "$md" ||
	fail "a mechanism was claimed without recorded facts"
# Warnings: one table, the worst warning per benchmark and platform.
sed -n '/^## Warnings/,/^## Hosts/p' "$md" >"$T/warnings"
grep -q "^| benchmark | native | docker | kvm | qemu |" "$T/warnings" || fail "no warnings table"
grep -q "^| cpu | [^|]*| [^|]*| [^|]*| CoV [0-9.]*%[^|]* |" "$T/warnings" || fail "CoV warning missing"
[ "$(grep -c "CoV [0-9]" "$md")" -eq 6 ] || fail "CoV warnings not said once each"
grep -q "^- diskRand: \*\*kvm\*\* reads faster than native with O_DIRECT" "$T/warnings" ||
	fail "guest-faster-than-O_DIRECT not flagged"
grep -q "Imported from .*native.csv.*were not recorded" "$md" || fail "method does not say what was not recorded"
# docker and kvm are within a few percent of native: not implausible.
! grep -q "cannot get more" "$md" || fail "faster-than-host check on plausible data"
# every platform ran on this host: no remote-machine caveat
! grep -q "two machines\|The exception" "$md" || fail "remote-machine caveat on local data"

# A container faster than its own host: docker's mem at 3x native with low
# variance is flagged under Problems, with its likely causes.
awk -F, -v OFS=, '{ $3 = sprintf("%.2f", $3 * 3); print }' "$T/docker.csv" >"$T/docker3.csv"
main_db=$DB DB=$T/fast.db
expect_exit 0 vb -q import classic "$T/native.csv" --platform native
expect_exit 0 vb -q import classic "$T/docker3.csv" --platform docker
expect_exit 0 vb report --out "$T/f" --no-render
sed -n '/^## Problems/,/^## Warnings/p' "$T/f/report.md" >"$T/validity"
grep -q "^- ⚠️ \*\*mem\*\*: \*\*docker\*\* moves more memory per second than native ([0-9.]*× \[" "$T/validity" ||
	{ cat "$T/validity"; fail "container faster than its host not flagged"; }
grep -q "a container cannot get more memory bandwidth than the host that runs it" "$T/validity" || fail "no reason given"
grep -q "clock drift is ruled out" "$T/validity" || fail "container clock not ruled out"
grep -q "registered as" "$T/validity" || fail "kind from the name not said"
grep -q "\*\*cpu\*\*: \*\*docker\*\* .*cannot get more" "$T/validity" && fail "docker cpu (equal) flagged"
grep -q "^\*\*Memory\*\* (mem, MiB/s): \*\*docker\*\* faster, [0-9.]*× \[[0-9., ]*\] (⚠️ Problems)" "$T/f/report.md" ||
	fail "answer does not point at the problem"
DB=$main_db

# Without --out the report goes to out/report below the current directory,
# never into a source folder called report/.
mkdir "$T/cwd"
(cd "$T/cwd" && expect_exit 0 vb report --no-render)
[ -s "$T/cwd/out/report/report.md" ] || fail "default output is not out/report/report.md"
[ -f "$T/cwd/out/report/figures/cpu-means.gp" ] || fail "figures not beside the default report"
[ ! -e "$T/cwd/report" ] || fail "report/ created by the default output"
grep -qx "out/report/report.md" "$T/out" || fail "default report path not printed"

# A collected run with recorded configurations: mechanisms named and
# said to be inferred; the worst warning per cell with its cause; an
# unavailable platform named once up front and once as a problem.
"$PY" "$top/tests/fixtures/report/make_run.py" "$T/run.json"
DB=$T/run.db
expect_exit 0 vb -q import json "$T/run.json"
expect_exit 0 vb report --out "$T/j" --no-render
j=$T/j/report.md
grep -q "^\*\*Random disk reads\*\* (diskRand, MiB/s): .*\*\*kvm-wb\*\* faster, [0-9.]*× \[[0-9., ]*\] (⚠️ Problems).* Why, inferred from the recorded configuration: .*qemu — each read crosses QEMU's virtual disk (cache=none), under TCG; kvm-wb — cache=writeback serves reads from the host's page cache\.$" "$j" ||
	fail "disk answer without its mechanism"
grep -q "^\*\*kvm\*\* has no results: it was unavailable (see Problems)\.$" "$j" || fail "absent platform not said up front"
grep -q "^- ⚠️ \*\*all benchmarks\*\*: \*\*kvm\*\* is unavailable: guest failed to start: failed to set MSR 0x10a$" "$j" ||
	fail "absent platform not a problem"
[ "$(grep -c "MSR 0x10a" "$j")" -eq 1 ] || fail "the reason is repeated"
grep -q "^- ⚠️ \*\*diskRand\*\*: \*\*kvm-wb\*\* reads faster than native with O_DIRECT .* a caching artefact\.$" "$j" ||
	fail "cache artefact not a problem"
sed -n '/^## Warnings/,/^## Hosts/p' "$j" >"$T/warnings"
# docker's cpu: one failed sample (worse than its CoV of 10 %, not shown)
grep -q "^| cpu |  | 1 of 8 failed — timed out after 90 s |  |  | $" "$T/warnings" ||
	{ cat "$T/warnings"; fail "worst warning per cell with its cause"; }
grep -q "^| uplink |  |  | CoV [0-9.]*% — drift over the run (ρ=1.00) |  | $" "$T/warnings" ||
	{ cat "$T/warnings"; fail "noise not explained by drift"; }
[ "$(grep -c "2 vCPU, 2048 MiB" "$j")" -eq 2 ] || fail "sizes not said once, in the platform table"
[ "$(grep -c "Each figure's gnuplot script" "$j")" -eq 1 ] || fail "figure legend not said once"
DB=$main_db

# --no-render: the report says the figures need rendering; exit 0.
expect_exit 0 vb report --out "$T/n" --no-render
grep -q "Figures not rendered" "$T/n/report.md" || fail "--no-render not mentioned"
[ -f "$T/n/figures/cpu-means.gp" ] || fail "--no-render wrote no scripts"

# gnuplot missing: report and scripts still written, exit 1 with the hint.
set +e
PATH=/nonexistent "$VIRTBENCH" --db "$DB" report --out "$T/m" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "missing gnuplot: exit $rc, expected 1"
grep -q "render them with" "$T/err" || fail "no render hint"
[ -s "$T/m/report.md" ] || fail "report not written without gnuplot"

# Templates: an override directory is used; a broken one names file:line.
mkdir "$T/tpl"
printf 'custom {{ baseline }} {%% for h in hosts %%}{{ h.name }}{%% end %%}\n' >"$T/tpl/report.md.tmpl"
expect_exit 0 vb report --out "$T/c" --no-render --templates "$T/tpl"
grep -q "^custom native " "$T/c/report.md" || fail "--templates not used"
printf 'line one\n{{ no_such_field }}\n' >"$T/tpl/report.md.tmpl"
expect_exit 1 vb report --out "$T/c" --no-render --templates "$T/tpl"
expect_err_line "$T/tpl/report.md.tmpl:2:1: no value for 'no_such_field'"
printf '{%% if x %%}never closed\n' >"$T/tpl/report.md.tmpl"
expect_exit 1 vb report --out "$T/c" --no-render --templates "$T/tpl"
expect_err_line "$T/tpl/report.md.tmpl:1:1: '{% if %}' without '{% end %}'"
expect_exit 1 vb report --out "$T/c" --templates "$T/nowhere"
grep -q "report template not found" "$T/err" || fail "missing template dir not reported"

# A platform whose mean is not significantly above zero: Fieller's
# interval is finite but reaches below zero, and the report says why in
# one line (analyze/METHODS.md; issue #14).
DB=$T/zero.db
printf 'platform,benchmark,unit,direction,value\n' >"$T/zero.csv"
for v in 100 101 99 100 102; do echo "native,rps,req/s,higher,$v" >>"$T/zero.csv"; done
for v in -1 2 -0.5 1.5 0.2; do echo "slow,rps,req/s,higher,$v" >>"$T/zero.csv"; done
expect_exit 0 vb -q import csv "$T/zero.csv"
expect_exit 0 vb report --out "$T/z" --no-render
grep -q "^| rps |  | interval below zero — the slow mean is not significantly above zero | $" "$T/z/report.md" ||
	{ grep -n "slow" "$T/z/report.md"; fail "interval below zero not explained"; }

expect_exit 2 vb report --bogus
exit 0
