# tests/cli/stats_ref.sh - the statistics references are reproducible
# (tests/ref/, used by tests/unit/test_stats.c): gen_stats.py, which checks
# R's Spearman p-values against scipy before using them, regenerates
# stats_ref.h byte for byte from its seeded fixtures; where R is installed
# (r-base-core, verification only), gen_spearman.R regenerates R's own
# values (spearman_r.csv) byte for byte too. A reference edited by hand,
# or one that R or scipy no longer agrees with, fails here.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import scipy' 2>/dev/null || skip "python3-scipy is not installed"
ref=$(cd "$(dirname "$0")/../ref" && pwd)

$PY "$ref/gen_stats.py" >"$T/stats_ref.h" 2>"$T/err" ||
	{ cat "$T/err"; fail "gen_stats.py failed (a reference disagrees with scipy?)"; }
cmp -s "$T/stats_ref.h" "$ref/stats_ref.h" ||
	{ diff "$ref/stats_ref.h" "$T/stats_ref.h" | head -20; fail "stats_ref.h is not what gen_stats.py writes"; }

if command -v Rscript >/dev/null; then
	Rscript "$ref/gen_spearman.R" >"$T/spearman_r.csv" 2>"$T/err" ||
		{ cat "$T/err"; fail "gen_spearman.R failed"; }
	cmp -s "$T/spearman_r.csv" "$ref/spearman_r.csv" ||
		{ diff "$ref/spearman_r.csv" "$T/spearman_r.csv" | cut -c1-200 | head; fail "spearman_r.csv is not what R says"; }
else
	echo "Rscript not installed: R's Spearman values taken from the committed spearman_r.csv"
fi

exit 0
