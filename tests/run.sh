#!/bin/sh
# tests/run.sh - runs every test: the cmocka unit binaries in $BUILD/tests,
# then the shell tests in tests/cli (the CLI against a temporary database)
# and tests/integration (real daemons; exit 77 = skipped, with the reason on
# the last line of its output). Prints PASS/FAIL/SKIP per test and keeps the
# log of failures only, in $BUILD/test-logs.
#
# Environment: VIRTBENCH (binary under test), BUILD (build directory),
# FORKBENCH; TESTS=pattern runs only matching tests; SKIP="pat1 pat2"
# leaves out tests whose names contain one of the patterns (reported).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}" "${VIRTBENCH:=$top/virtbench}"
: "${FORKBENCH:=$top/build/forkbench}"
export VIRTBENCH BUILD FORKBENCH
logs=$BUILD/test-logs
rm -rf "$logs"
mkdir -p "$logs"
pass=0 fail=0 skip=0 failed=""

run_one() {
	name=$1
	shift
	case "$name" in *${TESTS:-}*) ;; *) return ;; esac
	for s in ${SKIP:-}; do
		case "$name" in *"$s"*)
			skip=$((skip + 1))
			printf 'SKIP  %-40s %s\n' "$name" "left out by SKIP=$SKIP"
			return ;;
		esac
	done
	log=$logs/$(echo "$name" | tr / _).log
	start=$(date +%s)
	(cd "$top" && "$@") >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		printf 'PASS  %-40s %3ss\n' "$name" "$secs"
		rm -f "$log"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		printf 'SKIP  %-40s %s\n' "$name" "$(tail -n 1 "$log")"
		rm -f "$log"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		printf 'FAIL  %-40s (exit %d, log: %s)\n' "$name" "$rc" "$log"
		tail -n 30 "$log" | sed 's/^/      /'
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in "$top"/tests/cli/*.sh "$top"/tests/integration/*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$(dirname "$t")")/$(basename "$t" .sh)" sh "$t"
done

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed:$failed"; exit 1; }
