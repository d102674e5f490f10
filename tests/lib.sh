# tests/lib.sh - helpers sourced by the shell tests (not a test itself).
# Each test gets a fresh temporary directory $T, removed on exit, and
# $VB = the binary under test with --db $T/vb.db.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)  # tests/<kind>/x.sh
: "${VIRTBENCH:=$top/virtbench}"
T=$(mktemp -d "${TMPDIR:-/tmp}/vbtest.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=$T/vb.db
vb() { "$VIRTBENCH" --db "$DB" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
# expect_exit CODE CMD...: runs CMD, stores stdout/stderr in $T/out $T/err
expect_exit() {
	want=$1; shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $got, expected $want"; }
}
# expect_err TEXT: the last command's stderr contains exactly TEXT on a line
expect_err_line() {
	grep -Fxq -- "$1" "$T/err" || { echo "stderr was:" >&2; cat "$T/err" >&2; fail "expected stderr line: $1"; }
}
expect_out_has() {
	grep -Fq -- "$1" "$T/out" || { echo "stdout was:" >&2; cat "$T/out" >&2; fail "expected in stdout: $1"; }
}
