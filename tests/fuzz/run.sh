#!/bin/sh
# tests/fuzz/run.sh - builds every libFuzzer target (clang
# -fsanitize=fuzzer,address,undefined) and runs each for a while on a copy
# of its committed corpus (tests/fuzz/corpus/NAME/), so the committed
# corpus never changes by itself:
#   - one per parser, from tests/fuzz/fuzz_parser.c (corpus seeded from
#     tests/fixtures/parsers/);
#   - suite: the suite parser (tests/fuzz/fuzz_suite.c);
#   - import-json: JSON import into a real SQLite file
#     (tests/fuzz/fuzz_import_json.c; all or nothing, and db check agrees);
#   - import-csv: the same for the tidy CSV import
#     (tests/fuzz/fuzz_import_csv.c).
# Exit 1 on any crash, leak or contract violation (the crashing input is
# kept in $OUT); 77 when clang or libFuzzer is missing. `make fuzz
# FUZZ_S=60` runs it for 60 s per target.
#
# Environment: FUZZ_SECONDS (per target, default 10), OUT (build
# directory, default build/fuzz), TARGETS (space-separated subset of the
# parser names, suite, import-json and import-csv; PARSERS is still
# accepted).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
: "${FUZZ_SECONDS:=10}" "${OUT:=$top/build/fuzz}"
: "${PARSERS:=sysbench-cpu sysbench-memory sysbench-fileio iperf3-json fio-json fio-iops forkbench}"
: "${TARGETS:=$PARSERS suite import-json import-csv}"
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "clang is not installed"; exit 77; }
mkdir -p "$OUT"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$OUT/probe.c"
"$CC" -fsanitize=fuzzer -o "$OUT/probe" "$OUT/probe.c" 2>/dev/null ||
	{ echo "clang cannot link libFuzzer (-fsanitize=fuzzer)"; exit 77; }

flags="-g -O1 -std=gnu11 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
cjson=$(pkg-config --cflags --libs libcjson 2>/dev/null || echo -lcjson)
sqlite=$(pkg-config --cflags --libs sqlite3 2>/dev/null || echo -lsqlite3)
status=0
for p in $TARGETS; do
	bin=$OUT/fuzz_$p
	case $p in
	suite)
		"$CC" $flags -o "$bin" tests/fuzz/fuzz_suite.c collect/suite.c collect/ini.c \
			collect/parsers.c common/util.c common/safe.c $cjson -lm ;;
	import-json|import-csv)
		"$CC" $flags -o "$bin" tests/fuzz/fuzz_$(echo "$p" | tr - _).c db/*.c \
			common/util.c common/safe.c $sqlite $cjson -lm ;;
	*)
		"$CC" $flags -DPARSER="\"$p\"" -o "$bin" tests/fuzz/fuzz_parser.c \
			collect/parsers.c common/util.c common/safe.c $cjson -lm ;;
	esac
	work=$OUT/corpus-$p
	rm -rf "$work"
	mkdir -p "$work"
	cp tests/fuzz/corpus/"$p"/* "$work"/
	printf '%-16s ' "$p"
	if (cd "$OUT" && "$bin" -max_total_time="$FUZZ_SECONDS" -max_len=16384 \
		-timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$OUT/crash-$p-" "$work") >"$OUT/fuzz-$p.log" 2>&1; then
		echo "ok ($(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/fuzz-$p.log") runs)"
	else
		echo "FAILED (log: $OUT/fuzz-$p.log)"
		tail -n 20 "$OUT/fuzz-$p.log" | sed 's/^/    /'
		status=1
	fi
done
exit $status
