# tests/cli/report_html.sh - the HTML report (report/html.c) in a real
# browser: `virtbench report` writes report.html beside report.md by
# default (--output chooses, without touching --format of the figures);
# the page is self-contained (inline CSS, no script, nothing from the
# network, figures beside it as SVG), has a table of contents whose links
# all land, shows database text as text; headless Chromium loads it from
# file:// with no console error and no failed request, every figure has a
# nonzero rendered size at desktop and phone width, and the page does not
# scroll sideways on a phone. Screenshots of the first screen are kept in
# $VB_ARTIFACTS (default $BUILD/test-logs) for the CI logs.
. "$(dirname "$0")/../lib.sh"
PY=$(command -v python3) || skip "python3 is not installed"
command -v gnuplot >/dev/null || skip "gnuplot is not installed (apt-get install gnuplot-nox)"
command -v chromium >/dev/null || skip "chromium is not installed (apt-get install chromium)"
art=${VB_ARTIFACTS:-${BUILD:-$top/build}/test-logs}
mkdir -p "$art"

# A collected-looking run; one platform's name is markup.
"$PY" "$top/tests/fixtures/report/make_run.py" "$T/run.json"
"$PY" - "$T/run.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
evil = "dock<b>er</b>&amp;"
for s in d["samples"]:
    if s["platform"] == "docker":
        s["platform"] = evil
for p in d["runs"][0]["platforms"]:
    if p["name"] == "docker":
        p["name"] = evil
json.dump(d, open(sys.argv[1], "w"))
EOF
expect_exit 0 vb -q import json "$T/run.json"

# Both documents by default, each path on stdout.
expect_exit 0 vb report --out "$T/r"
expect_out_has "$T/r/report.md"
expect_out_has "$T/r/report.html"
h=$T/r/report.html
[ -s "$h" ] && [ -s "$T/r/report.md" ] || fail "report.html or report.md missing"

# --output picks documents; --format still picks the figures' formats.
expect_exit 0 vb report --out "$T/md" --output md --format png --no-render
[ -s "$T/md/report.md" ] && [ ! -e "$T/md/report.html" ] || fail "--output md"
expect_exit 0 vb report --out "$T/html" --output html --no-render
[ -s "$T/html/report.html" ] && [ ! -e "$T/html/report.md" ] || fail "--output html"
! grep -q "report.md" "$T/out" || fail "--output html printed report.md"
expect_exit 2 vb report --out "$T/x" --output md,pdf
expect_err_line "unknown report output 'pdf' (md, html)"
[ ! -e "$T/x/report.md" ] || fail "a bad --output wrote something"

# Self-contained: inline CSS, no script, nothing fetched from elsewhere,
# figures as the SVGs beside the page; database text stays text.
grep -q "<style>" "$h" || fail "no inline CSS"
grep -q '<meta name="viewport"' "$h" || fail "no viewport for phones"
! grep -qi "<script" "$h" || fail "the page has a script"
! grep -Eq '(src|href)="(https?:)?//' "$h" || fail "the page refers to the network"
grep -q '<img src="figures/cpu-means.svg"' "$h" || fail "figures are not the SVGs"
! grep -q "<b>er" "$h" || fail "a platform name became markup"
grep -q "dock&lt;b&gt;er&lt;/b&gt;&amp;amp;" "$h" || fail "a platform name is not shown as text"
grep -q '<nav class="toc">' "$h" || fail "no table of contents"
grep -q '<h2 id="answers">Answers</h2>' "$h" || fail "no Answers heading with an id"

# A real browser, from disk.
"$PY" "$top/tests/cli/browser_check.py" "$h" "$art/report-html" >"$T/browser.json" ||
	fail "chromium did not run"
"$PY" - "$T/browser.json" "$h" <<'EOF' || fail "the page does not hold up in the browser"
import json, re, sys
b = json.load(open(sys.argv[1]))
html = open(sys.argv[2], encoding="utf-8").read()
assert b["console_errors"] == [], b["console_errors"]
assert b["failed_requests"] == [], b["failed_requests"]
reqs = b.get("requests", [])
assert reqs and all(u.startswith("file://") or u.startswith("data:") for u in reqs), reqs
n_img = len(re.findall(r"<img ", html))
n_head = len(re.findall(r"<h[23] id=", html))
for view, v in b["views"].items():
    imgs = v["images"]
    assert len(imgs) == n_img == 25, "%s: %d images of %d" % (view, len(imgs), n_img)
    for i in imgs:
        assert i["complete"] and i["natural"][0] > 0 and i["natural"][1] > 0, (view, i)
        assert i["width"] > 0 and i["height"] > 0, (view, i)
    assert v["broken_toc"] == [], (view, v["broken_toc"])
    assert v["toc_links"] == n_head, (view, v["toc_links"], n_head)
    assert v["first_text"].lstrip().startswith("virtbench report"), v["first_text"]
    assert "Answers" in v["first_text"], v["first_text"]
    # the answers start on the first screen
    top = v["first_answer_top"]
    assert top is not None and top < (800 if view == "desktop" else 844) * 0.6, (view, top)
phone = b["views"]["phone"]
assert phone["viewport_width"] == 390, phone["viewport_width"]
assert phone["scroll_width"] <= phone["viewport_width"], \
    "the page scrolls sideways on a phone: %d > %d" % (phone["scroll_width"], phone["viewport_width"])
# a figure fills the phone's width, two share the desktop's
assert max(i["width"] for i in phone["images"]) <= 390
big = [i["width"] for i in b["views"]["desktop"]["images"][1:]]
assert all(400 < w < 700 for w in big), big
EOF
for v in desktop phone; do
	[ -s "$art/report-html-$v.png" ] || fail "no $v screenshot"
done
echo "screenshots: $art/report-html-desktop.png $art/report-html-phone.png"
exit 0
