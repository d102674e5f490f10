# tests/cli/long_functions.sh - no C function of the product is over 120
# lines (issue #12; scripts/long-functions.sh lists them), and the check
# itself finds a long function when there is one.
. "$(dirname "$0")/../lib.sh"
cd "$top"
command -v git >/dev/null && [ -d .git ] || skip "not a git checkout"
set +e
scripts/long-functions.sh >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -eq 0 ] || { cat "$T/out" "$T/err" >&2; fail "functions over 120 lines (exit $rc)"; }
# A function of 130 lines is found, with its name and length.
{
	printf 'static int too_long(void)\n{\n'
	i=0
	while [ $i -lt 127 ]; do echo "	x();"; i=$((i + 1)); done
	printf '}\n'
} >"$T/long.c"
set +e
scripts/long-functions.sh "$T/long.c" >"$T/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "a 130-line function not reported (exit $rc)"
grep -q '^ *130  .*long.c:1  too_long$' "$T/out" || { cat "$T/out"; fail "report line"; }
exit 0
