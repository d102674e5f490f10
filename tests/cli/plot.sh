# tests/cli/plot.sh - `virtbench plot` (plot/) end to end on imported
# classic CSVs: every figure has its script, data, a PNG that decodes with
# the expected size (IHDR) and an SVG that parses; --format and --no-render;
# gnuplot missing (scripts written, how to render said, exit 1); database
# text that tries to escape a gnuplot string; usage errors.
. "$(dirname "$0")/../lib.sh"
PY=$(command -v python3) || skip "python3 is not installed"
command -v gnuplot >/dev/null || skip "gnuplot is not installed (apt-get install gnuplot-nox)"

# 4 platforms x 8 lines of the 7-column classic CSV, deterministic noise.
for p in native:1 docker:0.99 kvm:0.97 qemu:0.13; do
	name=${p%%:*} f=${p#*:}
	awk -v f="$f" -v s="${#name}" 'BEGIN { srand(s); for (i = 0; i < 8; i++)
		printf "%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f\n", 1700000000 + 600 * i,
		f * (4500 + rand() * 100), f * (16000 + rand() * 500),
		f * (240 + rand() * 5), f * (230 + rand() * 5),
		f * (9000 + rand() * 300), f * (23000 + rand() * 900) }' >"$T/$name.csv"
	expect_exit 0 vb -q import classic "$T/$name.csv" --platform "$name"
done

# check_figures DIR FORMATS: every .gp has its .dat and each format, PNGs
# are 960x540 and decode far enough to have their IHDR, SVGs parse.
check_figures() {
	"$PY" - "$1" "$2" <<'EOF' || fail "figure check in $1"
import glob, os, struct, sys, xml.etree.ElementTree as ET
d, fmts = sys.argv[1], sys.argv[2].split(",")
gps = sorted(glob.glob(os.path.join(d, "*.gp")))
assert len(gps) == 6 * 4 + 1, "expected 25 scripts, got %d" % len(gps)
for gp in gps:
    stem = gp[:-3]
    assert os.path.getsize(stem + ".dat") > 0, stem + ".dat"
    if "png" in fmts:
        b = open(stem + ".png", "rb").read()
        assert b[:8] == b"\x89PNG\r\n\x1a\n", stem + ".png: not a PNG"
        ln, tag = struct.unpack(">I4s", b[8:16])
        assert tag == b"IHDR" and ln == 13, stem + ".png: no IHDR"
        w, h = struct.unpack(">II", b[16:24])
        assert (w, h) == (960, 540), "%s.png is %dx%d" % (stem, w, h)
        assert b[-8:-4] == b"IEND", stem + ".png: truncated"
    else:
        assert not os.path.exists(stem + ".png"), stem + ".png should not exist"
    if "svg" in fmts:
        root = ET.parse(stem + ".svg").getroot()
        assert root.tag.endswith("svg"), stem + ".svg root is " + root.tag
        assert root.get("width", "").startswith("960"), root.get("width")
    else:
        assert not os.path.exists(stem + ".svg"), stem + ".svg should not exist"
    assert not os.path.exists(stem + ".log"), stem + ".log left behind"
EOF
}

# Default: both formats, rendered; stdout lists the scripts.
expect_exit 0 vb plot --out "$T/o"
[ "$(wc -l <"$T/out")" -eq 25 ] || fail "expected 25 scripts listed"
expect_out_has "$T/o/figures/cpu-means.gp"
expect_out_has "$T/o/figures/overview.gp"
for k in means speedup samples drift; do
	[ -f "$T/o/figures/uplink-$k.png" ] || fail "uplink-$k.png missing"
done
check_figures "$T/o/figures" png,svg
# The speedup figure is on a log axis and names the baseline.
grep -q '^set logscale y' "$T/o/figures/cpu-speedup.gp" || fail "speedup not on a log axis"
grep -q '"native"' "$T/o/figures/cpu-speedup.gp" || fail "speedup figure does not name native"
# One colour per platform in every figure: qemu's is the same everywhere.
grep -q "D55E00" "$T/o/figures/cpu-samples.gp" || fail "qemu colour missing"
grep -q "D55E00" "$T/o/figures/overview.gp" || fail "qemu colour missing in overview"
! grep -q "D55E00" "$T/o/figures/cpu-means.gp" || fail "means use lc rgb variable, colours live in the data"
awk '$2 == 3 && $6 != 13983232 { exit 1 }' "$T/o/figures/cpu-means.dat" ||
	fail "qemu's bar is not #D55E00 (13983232)"
# A script re-renders by hand from its directory.
rm "$T/o/figures/mem-drift.png"
(cd "$T/o/figures" && gnuplot mem-drift.gp) || fail "script does not re-render"
[ -s "$T/o/figures/mem-drift.png" ] || fail "re-render produced nothing"

# SVG only.
expect_exit 0 vb plot --out "$T/s" --format svg
check_figures "$T/s/figures" svg

# --no-render: scripts and data only, exit 0.
expect_exit 0 vb plot --out "$T/n" --no-render
[ -f "$T/n/figures/cpu-means.gp" ] && [ -f "$T/n/figures/cpu-means.dat" ] || fail "no scripts"
! ls "$T/n/figures/"*.png >/dev/null 2>&1 || fail "--no-render rendered"

# gnuplot missing: scripts written, message says how to render, exit 1.
set +e
PATH=/nonexistent "$VIRTBENCH" --db "$DB" plot --out "$T/m" >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "missing gnuplot: exit $rc, expected 1"
grep -q "gnuplot not found" "$T/err" || fail "no 'gnuplot not found' message"
grep -q "render them with: cd $T/m/figures && for f in \*.gp; do gnuplot" "$T/err" ||
	{ cat "$T/err" >&2; fail "message does not say how to render"; }
[ -f "$T/m/figures/overview.gp" ] || fail "scripts not written without gnuplot"
! ls "$T/m/figures/"*.png >/dev/null 2>&1 || fail "PNG without gnuplot?"
[ "$(wc -l <"$T/out")" -eq 25 ] || fail "scripts not listed without gnuplot"

# Text from the database cannot leave its gnuplot string: a platform
# renamed (behind virtbench's back) to a quote-and-system() payload.
sqlite3 "$DB" "UPDATE platform SET name = 'ev''il\"<&; system(\"touch $T/pwned\") #' WHERE name = 'docker'"
expect_exit 0 vb plot --out "$T/q"
[ ! -e "$T/pwned" ] || fail "a platform name executed a command through gnuplot"
grep -Fq "\"ev'il\\\"<&; system(\\\"touch $T/pwned\\\") #\"" "$T/q/figures/cpu-means.gp" ||
	fail "platform name not quoted as a gnuplot string"
ls "$T/q/figures/" | grep -v -q '^[A-Za-z0-9._-]*$' && fail "unsafe file name written"
[ -s "$T/q/figures/cpu-means.png" ] || fail "figure with a quoted name did not render"
"$PY" -c 'import sys, xml.etree.ElementTree as E; [E.parse(f) for f in sys.argv[1:]]' \
	"$T/q/figures/"*.svg || fail "an SVG with markup characters in a name does not parse"

# Usage errors and an empty database.
expect_exit 2 vb plot --format gif
expect_err_line "--format: unknown figure format 'gif' (png, svg)"
expect_exit 2 vb plot extra
expect_exit 1 vb plot --host nosuchhost --out "$T/e"
cp "$DB" "$T/empty.db"
sqlite3 "$T/empty.db" "DELETE FROM sample"
expect_exit 1 "$VIRTBENCH" --db "$T/empty.db" plot --out "$T/e"
grep -q "no samples to plot" "$T/err" || fail "empty database not reported"
exit 0
