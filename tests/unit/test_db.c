/*
 * tests/unit/test_db.c - the store (db/): schema and migrations, identity
 * checks, the classic importer's acceptance and every rejection with its
 * exact message, JSON and merge round trips, and a second process holding
 * the write lock. Every test works on a real SQLite file in a fresh
 * temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "db/db_int.h" /* db_prepare, db_sqlite: the tests run their own SQL */

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vbtest-db.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static char *tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *write_tmp(const char *name, const void *data, size_t n)
{
	char *p = tpath(name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return p;
}

/* Runs fn with stderr captured; returns what it printed (owned). */
static char *capture_stderr(int (*fn)(void *), void *arg, int *ret)
{
	char *p = tpath("stderr.txt");
	int saved = dup(2), fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	struct sb sb = SB_INIT;

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	*ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(sb_read_file(&sb, p), 0);
	free(p);
	return sb_detach(&sb);
}

static int64_t count(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(db_prepare(db, &st, sql), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- schema ------------------------------------------------------------- */

static void test_create_schema(void **state)
{
	char *path = tpath("new.db");
	struct db *db;

	(void)state;
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(count(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	assert_int_equal(count(db, "PRAGMA application_id"), 0x5642454e);
	assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_schema WHERE"
				   " name IN ('host','platform','run','run_platform',"
				   "'benchmark','sample')"), 6);
	{
		sqlite3_stmt *st;

		assert_int_equal(db_prepare(db, &st, "PRAGMA journal_mode"), 0);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
	}
	assert_int_equal(db_close(db), 0);
	/* Reopening an up-to-date file changes nothing. */
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, &db), 0);
	assert_int_equal(count(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	db_close(db);
	free(path);
}

/* A version-1 file (as released) gains the instance and disturbance
 * columns on open, keeps its samples, and they read back as NULL. */
static void test_migrate_v1(void **state)
{
	char *path = tpath("v1.db");
	sqlite3 *h;
	struct db *db;

	(void)state;
	unlink(path);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, db_migrations[0], NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
		"INSERT INTO host (name) VALUES ('h');"
		"INSERT INTO platform (host_id, name, kind) VALUES (1, 'native', 'native');"
		"INSERT INTO benchmark (name, unit, direction) VALUES ('cpu', 'u', 'higher');"
		"INSERT INTO run (uuid, host_id, suite, tool_version, started_at, status)"
		" VALUES ('00000000-0000-4000-8000-000000000000', 1, 's', 'v',"
		" '2026-01-01T00:00:00Z', 'complete');"
		"INSERT INTO sample (run_id, platform_id, benchmark_id, repetition,"
		" value, status, started_at) VALUES (1, 1, 1, 1, 5.0, 'ok', 'x');"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open(path, DB_OPEN_EXISTING, &db), 0);
	assert_int_equal(count(db, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	assert_int_equal(count(db, "SELECT count(*) FROM sample WHERE value = 5"
			       " AND instance IS NULL AND host_other_cpu IS NULL"
			       " AND disturbed IS NULL"), 1);
	/* the new checks hold */
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "UPDATE sample SET"
					  " disturbed = 2", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "UPDATE sample SET"
					  " instance = 0", NULL, NULL, NULL),
			     SQLITE_OK);
	db_close(db);
	free(path);
}

struct open_args {
	const char *path;
	enum db_open_mode mode;
};

static int do_open(void *arg)
{
	struct open_args *a = arg;
	struct db *db = NULL;
	int ret = db_open(a->path, a->mode, &db);

	db_close(db);
	return ret;
}

static void expect_open_error(const char *path, enum db_open_mode mode,
			      const char *expected)
{
	struct open_args a = { path, mode };
	int ret;
	char *err = capture_stderr(do_open, &a, &ret);
	char *want = xasprintf("%s: %s\n", path, expected);

	assert_int_equal(ret, -1);
	assert_string_equal(err, want);
	free(err);
	free(want);
}

static void test_refuse_foreign_files(void **state)
{
	char *missing = tpath("missing.db");
	static const char junk[] = "hello, not sqlite at all, really not\n"
		"more text so that the file is longer than SQLite's 100-byte "
		"header........................................................\n";
	char *text = write_tmp("text.db", junk, sizeof(junk) - 1);
	char *other = tpath("other.db");
	char *newer = tpath("newer.db");
	char *cmd;
	struct db *db;

	(void)state;
	expect_open_error(missing, DB_OPEN_EXISTING,
			  "cannot open database: No such file or directory "
			  "(import or collect data first, or pass --db)");
	assert_int_not_equal(access(missing, F_OK), 0);
	expect_open_error(text, DB_OPEN_CREATE,
			  "not a virtbench database (not an SQLite file)");
	expect_open_error(tmpdir, DB_OPEN_CREATE,
			  "not a virtbench database (a directory)");

	cmd = xasprintf("sqlite3 '%s' 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'", other);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	expect_open_error(other, DB_OPEN_CREATE,
			  "not a virtbench database (an SQLite file made by "
			  "another program)");

	assert_int_equal(db_open(newer, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "PRAGMA user_version = 99",
				      NULL, NULL, NULL), SQLITE_OK);
	db_close(db);
	{
		char *msg = xasprintf("schema version 99 is newer than this "
				      "virtbench (%s) supports (%d); upgrade "
				      "virtbench", VB_VERSION, DB_SCHEMA_VERSION);

		expect_open_error(newer, DB_OPEN_EXISTING, msg);
		free(msg);
	}
	free(missing);
	free(text);
	free(other);
	free(newer);
}

/* ---- classic import ---------------------------------------------------- */

struct import_args {
	struct db *db;
	const char *path;
	const char *platform;
	const char *host;
	char uuid[37];
	long n;
};

static int do_import(void *arg)
{
	struct import_args *a = arg;

	return db_import_classic(a->db, a->path, a->platform, a->host, a->uuid, &a->n);
}

static void test_import_good(void **state)
{
	static const char csv[] =
		"time,cpu,mem,diskRand,diskSeq,fork,uplink\r\n"
		"# measured with benchmark.sh, 60 s\r\n"
		"\r\n"
		"1700000000,4500.5,16536.25,241,230,9174,23883\r\n"
		"  1700000100 , 4510 , 1.6e4 , 240.5 , 231 , 9000 , 24000  \n"
		"2023-11-14T22:20:00Z,4490,16500,239,229,9100,23900";
	char *dbp = tpath("good.db");
	struct import_args a = { 0 };
	struct db *db;
	int ret;
	char *err;

	(void)state;
	assert_int_equal(db_open(dbp, DB_OPEN_CREATE, &db), 0);
	a.db = db;
	a.path = write_tmp("good.csv", csv, strlen(csv));
	a.platform = "native";
	a.host = "hostA";
	err = capture_stderr(do_import, &a, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(a.n, 18);
	assert_int_equal(count(db, "SELECT count(*) FROM sample WHERE status = 'ok'"), 18);
	assert_int_equal(count(db, "SELECT count(*) FROM benchmark"), 6);
	assert_int_equal(count(db, "SELECT max(repetition) FROM sample"), 3);
	assert_int_equal(count(db, "SELECT count(*) FROM run WHERE status ="
				   " 'imported' AND length(source_sha256) = 64"), 1);
	assert_int_equal(count(db, "SELECT value * 100 FROM sample s JOIN benchmark"
				   " b ON b.id = s.benchmark_id WHERE b.name = 'mem'"
				   " AND repetition = 1"), 1653625);
	assert_int_equal(count(db, "SELECT count(*) FROM sample WHERE started_at ="
				   " '2023-11-14T22:20:00.000Z'"), 6);
	assert_int_equal(count(db, "SELECT count(*) FROM host WHERE name = 'hostA'"
				   " AND cpu_model IS NULL"), 1);
	/* The same file again is refused, and nothing changes. */
	err = capture_stderr(do_import, &a, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, ":0: already imported as run "));
	free(err);
	assert_int_equal(count(db, "SELECT count(*) FROM sample"), 18);
	db_close(db);
	free((char *)a.path);
	free(dbp);
}

/* Each bad input with the exact one-line error it must produce. */
static const struct {
	const char *name;
	const char *data;
	size_t len; /* 0 = strlen */
	const char *error; /* after "FILE:" */
} bad_inputs[] = {
	{ "nonnumeric", "1700000000,abc,1,2,3\n", 0,
	  "1: field 'cpu': not a number: 'abc'" },
	{ "partly", "1700000000,12abc,1,2,3\n", 0,
	  "1: field 'cpu': not a number: '12abc'" },
	{ "nan", "1700000000,1,nan,2,3\n", 0,
	  "1: field 'mem': not a number: 'nan'" },
	{ "inf", "1700000000,1,2,inf,3\n", 0,
	  "1: field 'diskRand': not a number: 'inf'" },
	{ "overflow", "1700000000,1,2,3,1e999\n", 0,
	  "1: field 'diskSeq': number out of range: '1e999'" },
	{ "negative", "1700000000,1,-2,3,4\n", 0,
	  "1: field 'mem': negative throughput -2" },
	{ "zero", "1700000000,0,2,3,4\n", 0,
	  "1: field 'cpu': zero throughput (the benchmark produced no result)" },
	{ "hex", "1700000000,0x10,2,3,4\n", 0,
	  "1: field 'cpu': not a number: '0x10'" },
	{ "empty_field", "1700000000,,2,3,4\n", 0,
	  "1: field 'cpu': not a number: ''" },
	{ "cols4", "1700000000,1,2,3\n", 0,
	  "1: 4 fields, expected 5 (time,cpu,mem,diskRand,diskSeq) or 7 "
	  "(...,fork,uplink)" },
	{ "cols6", "1700000000,1,2,3,4,5\n", 0,
	  "1: 6 fields, expected 5 (time,cpu,mem,diskRand,diskSeq) or 7 "
	  "(...,fork,uplink)" },
	{ "cols9", "1700000000,1,2,3,4,5,6,7,8\n", 0,
	  "1: more than 7 fields, expected 5 (time,cpu,mem,diskRand,diskSeq) or 7 "
	  "(...,fork,uplink)" },
	{ "mixed", "1700000000,1,2,3,4\n# x\n1700000001,1,2,3,4,5,6\n", 0,
	  "3: 7 fields, but the first data line has 5" },
	{ "header_mismatch", "time,cpu,mem,diskRand,diskSeq\n1700000000,1,2,3,4,5,6\n", 0,
	  "2: 7 fields, but the header has 5" },
	{ "bad_time", "yesterday,1,2,3,4\n", 0,
	  "1: field 'time': bad timestamp 'yesterday' (expected UNIX seconds as "
	  "from `date +%s`, or ISO 8601 UTC)" },
	{ "ms_time", "1700000000000,1,2,3,4\n", 0,
	  "1: field 'time': bad timestamp '1700000000000' (expected UNIX seconds "
	  "as from `date +%s`, or ISO 8601 UTC)" },
	{ "bad_date", "2023-02-31T10:00:00Z,1,2,3,4\n", 0,
	  "1: field 'time': bad timestamp '2023-02-31T10:00:00Z' (expected UNIX "
	  "seconds as from `date +%s`, or ISO 8601 UTC)" },
	{ "binary", "1700000000,1,2,3,4\n17\0000,1,2,3,4\n", 29,
	  "2: binary data (byte 0x00), not a CSV text file" },
	{ "control", "# ok\n\x01\x02\x03\n", 0,
	  "2: binary data (byte 0x01), not a CSV text file" },
	{ "stray_cr", "1700000000,1\r,2,3,4\n", 0,
	  "1: stray carriage return inside the line" },
	{ "empty", "", 0, "0: no data lines (empty file)" },
	{ "only_comments", "# nothing\n\ntime,cpu,mem,diskRand,diskSeq\n", 0,
	  "3: no data lines (only comments, blank lines or a header)" },
	{ "late_bad", "1700000000,1,2,3,4\n1700000001,1,2,3,4\n1700000002,1,2,3,x\n", 0,
	  "3: field 'diskSeq': not a number: 'x'" },
};

/* The classic importer's fast number parser gives exactly strtod's double
 * (one exact integer times one exact power of ten), and falls back to
 * strtod where that is not exact: 20 digits, a mantissa above 2^53, large
 * exponents; and each line's samples share one stored output. */
/* db_parse_decimal (db/number.c) gives strtod's double, bit for bit, on
 * random decimals of every shape (fast path and fallback), and refuses
 * what is not a plain decimal. */
static void test_parse_decimal(void **state)
{
	static const char *const bad[] = {
		"", "+", "-", ".", "e5", "1e", "1e+", "0x10", "inf", "nan", "1 ",
		" 1", "1,5", "--1", "1.2.3", "1e5.5",
	};
	uint64_t x = 88172645463325252ULL;
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (db_parse_decimal(bad[i], strlen(bad[i]), &v) != -1)
			fail_msg("'%s' read as a number", bad[i]);
	assert_int_equal(db_parse_decimal("1e400", 5, &v), -3);
	for (int k = 0; k < 200000; k++) {
		char buf[80], *end;
		int n = 0, digits, frac;
		double want;

		/* xorshift64: the same strings every run */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		digits = 1 + (int)(x % 25);
		frac = (int)(x >> 8) % (digits + 1);
		if ((x >> 16) & 1)
			buf[n++] = (x >> 17) & 1 ? '-' : '+';
		for (int d = 0; d < digits; d++) {
			if (d == digits - frac)
				buf[n++] = '.';
			buf[n++] = (char)('0' + (x >> (20 + d % 40)) % 10);
		}
		if ((x >> 60) & 1)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "e%d",
				      (int)((x >> 32) % 61) - 30);
		buf[n] = '\0';
		want = strtod(buf, &end);
		assert_int_equal(db_parse_decimal(buf, (size_t)n, &v), 0);
		if (memcmp(&v, &want, sizeof(v)))
			fail_msg("'%s': %.17g, strtod gives %.17g", buf, v, want);
	}
}

static void test_import_numbers(void **state)
{
	static const char *const nums[] = {
		"0.1", "4567.89", "1e3", "2.5E-3", ".5", "7.", "123.456e2",
		"12345678901234567890", "9007199254740993", "0.30000000000000004",
		"1.7976931348623157e308", "2.2250738585072014e-308", "000123.4500", "1e22",
		"1e23", "8.589973e9", "3.14159265358979323846",
	};
	enum { N = sizeof(nums) / sizeof(nums[0]) };
	struct sb csv = SB_INIT;
	char *dbp = tpath("nums.db");
	struct import_args a = { 0 };
	struct db *db;
	sqlite3_stmt *st;
	int i = 0;

	(void)state;
	for (int r = 0; r < N; r++)
		sb_addf(&csv, "%d,%s,%s,1,2\n", 1700000000 + r, nums[r],
			nums[(r + 1) % N]);
	assert_int_equal(db_open(dbp, DB_OPEN_CREATE, &db), 0);
	a.db = db;
	a.path = write_tmp("nums.csv", csv.buf, csv.len);
	a.platform = "native";
	a.host = "numhost";
	assert_int_equal(do_import(&a), 0);
	assert_int_equal(a.n, 4 * N);
	assert_int_equal(count(db, "SELECT count(*) FROM output"), N);
	assert_int_equal(count(db, "SELECT count(DISTINCT output_id) FROM sample"), N);
	assert_int_equal(db_prepare(db, &st, "SELECT s.value FROM sample s JOIN"
				    " benchmark b ON b.id = s.benchmark_id WHERE"
				    " b.name = 'cpu' ORDER BY s.repetition"), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		double want = strtod(nums[i], NULL);

		assert_true(i < N);
		if (sqlite3_column_double(st, 0) != want)
			fail_msg("'%s': stored %.17g, strtod gives %.17g", nums[i],
				 sqlite3_column_double(st, 0), want);
		i++;
	}
	sqlite3_finalize(st);
	assert_int_equal(i, N);
	db_close(db);
	free((char *)a.path);
	free(dbp);
	sb_release(&csv);
}

static void test_import_bad(void **state)
{
	char *dbp = tpath("bad.db");
	struct db *db;

	(void)state;
	assert_true(VB_ARRAY_SIZE(bad_inputs) >= 15);
	assert_int_equal(db_open(dbp, DB_OPEN_CREATE, &db), 0);
	for (size_t i = 0; i < VB_ARRAY_SIZE(bad_inputs); i++) {
		struct import_args a = { .db = db, .platform = "native" };
		size_t len = bad_inputs[i].len ? bad_inputs[i].len
					       : strlen(bad_inputs[i].data);
		char *name = xasprintf("%s.csv", bad_inputs[i].name);
		char *want, *err;
		int ret;

		a.path = write_tmp(name, bad_inputs[i].data, len);
		want = xasprintf("%s:%s\n", a.path, bad_inputs[i].error);
		err = capture_stderr(do_import, &a, &ret);
		if (ret != -1 || strcmp(err, want))
			fail_msg("input '%s': got %d '%s', want '%s'",
				 bad_inputs[i].name, ret, err, want);
		free(err);
		free(want);
		free(name);
		free((char *)a.path);
	}
	/* Nothing at all was written by any of them. */
	assert_int_equal(count(db, "SELECT (SELECT count(*) FROM sample) +"
				   " (SELECT count(*) FROM run) +"
				   " (SELECT count(*) FROM host)"), 0);
	{
		struct import_args a = { .db = db, .platform = "native" };
		char *want, *err;
		int ret;

		a.path = tpath("does-not-exist.csv");
		want = xasprintf("%s:0: cannot read: No such file or directory\n", a.path);
		err = capture_stderr(do_import, &a, &ret);
		assert_int_equal(ret, -1);
		assert_string_equal(err, want);
		free(err);
		free(want);
		free((char *)a.path);
	}
	db_close(db);
	free(dbp);
}

/* ---- round trips -------------------------------------------------------- */

static char *export_to_string(struct db *db, int json)
{
	char *p = tpath(json ? "export.json" : "export.csv");
	FILE *f = fopen(p, "w");
	struct sb sb = SB_INIT;

	assert_non_null(f);
	assert_int_equal(json ? db_export_json(db, NULL, f) : db_export_csv(db, NULL, f), 0);
	fclose(f);
	assert_int_equal(sb_read_file(&sb, p), 0);
	free(p);
	return sb_detach(&sb);
}

/* A run with every kind of sample the collector writes. */
static void fill_collected_run(struct db *db)
{
	struct db_run r = { .suite = "quick", .params = "{\"duration\":2}",
			    .seed = 42, .has_seed = 1, .command_line = "virtbench collect",
			    .started_at = "2026-11-25T10:00:00.000Z" };
	int64_t host, plat, bench, run;

	assert_int_equal(db_host_ensure_named(db, "hostB", 0, &host), 0);
	r.host_id = host;
	assert_int_equal(db_platform_ensure(db, host, "qemu", "qemu", &plat), 0);
	assert_int_equal(db_benchmark_ensure(db, "cpu", "events/s", "higher", &bench), 0);
	assert_int_equal(db_run_create(db, &r, &run), 0);
	assert_int_equal(db_run_platform_set(db, run, plat,
					     "{\"accelerator\":\"tcg\",\"disk_cache\":\"none\"}",
					     "dom-1", "ok", NULL), 0);
	struct db_sample s = { .run_id = run, .platform_id = plat, .benchmark_id = bench,
			       .repetition = 0, .has_value = 1, .value = 593.25,
			       .status = "warmup", .raw_output = "events per second:   593.25\n\"q\"",
			       .parser = "sysbench-cpu", .parser_version = 1,
			       .started_at = "2026-11-25T10:00:01.000Z", .duration = 2.0 };
	assert_int_equal(db_sample_insert(db, &s), 0);
	s.repetition = 1;
	s.status = "ok";
	s.value = 0.1 + 0.2; /* needs 17 digits to round-trip */
	s.instance = 2;
	s.has_disturbance = 1;
	s.host_other_cpu = 0.75;
	s.disturbed = 1;
	assert_int_equal(db_sample_insert(db, &s), 0);
	s.instance = 0;
	s.has_disturbance = 0;
	s.repetition = 2;
	s.status = "failed";
	s.has_value = 0;
	s.error = "sysbench: FATAL, line 3, \"x\"";
	assert_int_equal(db_sample_insert(db, &s), 0);
	/* The same repetition twice is refused by the schema. */
	assert_int_not_equal(db_sample_insert(db, &s), 0);
	assert_int_equal(db_run_finish(db, run, "complete"), 0);
}

struct json_args {
	struct db *db;
	const char *path;
	int added, skipped;
	long n;
};

static int do_import_json(void *arg)
{
	struct json_args *a = arg;

	return db_import_json(a->db, a->path, &a->added, &a->skipped, &a->n);
}

static void test_json_round_trip(void **state)
{
	static const char csv[] = "1700000000,4500,16000,240,230\n1700000060,4400,16100,241,231\n";
	char *p1 = tpath("rt1.db"), *p2 = tpath("rt2.db");
	struct db *a, *b;
	struct import_args ia = { 0 };
	struct json_args ja = { 0 };
	char *e1, *e2, *c1, *c2, *err;
	int ret;

	(void)state;
	assert_int_equal(db_open(p1, DB_OPEN_CREATE, &a), 0);
	ia.db = a;
	ia.path = write_tmp("rt.csv", csv, strlen(csv));
	ia.platform = "native";
	ia.host = "hostB";
	assert_int_equal(do_import(&ia), 0);
	fill_collected_run(a);
	e1 = export_to_string(a, 1);
	c1 = export_to_string(a, 0);
	assert_non_null(strstr(c1, ",qemu,cpu,1,0.30000000000000004,events/s,ok,"
			       "2026-11-25T10:00:01.000Z,2,0.75,1,2,"));
	/* not recorded: empty, never 0 */
	assert_non_null(strstr(c1, ",qemu,cpu,2,,events/s,failed,"
			       "2026-11-25T10:00:01.000Z,,,,2,"));
	assert_non_null(strstr(c1, "started_at,instance,host_other_cpu,disturbed,"));
	assert_non_null(strstr(e1, "\"instance\": 2, \"host_other_cpu\": 0.75, "
			       "\"disturbed\": 1"));
	assert_non_null(strstr(c1, "\"sysbench: FATAL, line 3, \"\"x\"\"\""));

	assert_int_equal(db_open(p2, DB_OPEN_CREATE, &b), 0);
	ja.db = b;
	{
		char *copy = write_tmp("copy.json", e1, strlen(e1));

		ja.path = copy;
		err = capture_stderr(do_import_json, &ja, &ret);
		assert_int_equal(ret, 0);
		assert_int_equal(ja.added, 2);
		assert_int_equal(ja.n, 11);
		free(err);
		e2 = export_to_string(b, 1);
		c2 = export_to_string(b, 0);
		{
			/* The one difference: the run that had no source now
			 * records the file it was imported from (issue 13:
			 * an imported run is never resumed). */
			char *src = xasprintf("\"source\": \"%s\"", copy);
			char *at = strstr(e2, src);
			struct sb fixed = SB_INIT;

			assert_non_null(at);
			sb_init(&fixed);
			sb_add(&fixed, e2, (size_t)(at - e2));
			sb_adds(&fixed, "\"source\": null");
			sb_adds(&fixed, at + strlen(src));
			free(e2);
			e2 = sb_detach(&fixed);
			free(src);
		}
		assert_string_equal(e1, e2);
		assert_string_equal(c1, c2);
		/* Importing it again adds nothing. */
		err = capture_stderr(do_import_json, &ja, &ret);
		assert_int_equal(ret, 0);
		assert_int_equal(ja.added, 0);
		assert_int_equal(ja.skipped, 2);
		free(err);
		/* A broken sample rejects the whole file. */
		char *broken = xstrdup(e1);
		char *at = strstr(broken, "\"status\": \"failed\"");

		assert_non_null(at);
		memcpy(at, "\"status\": \"faile!\"", 18);
		db_close(b);
		char *p3 = tpath("rt3.db");

		assert_int_equal(db_open(p3, DB_OPEN_CREATE, &b), 0);
		ja.db = b;
		free(copy);
		copy = write_tmp("broken.json", broken, strlen(broken));
		ja.path = copy;
		err = capture_stderr(do_import_json, &ja, &ret);
		assert_int_equal(ret, -1);
		assert_non_null(strstr(err, ".status: 'faile!' is not ok, failed or warmup\n"));
		assert_int_equal(count(b, "SELECT count(*) FROM run"), 0);
		free(err);
		free(broken);
		free(copy);
		free(p3);
	}
	free(e1);
	free(e2);
	free(c1);
	free(c2);
	db_close(a);
	db_close(b);
	free((char *)ia.path);
	free(p1);
	free(p2);
}

static void test_merge(void **state)
{
	static const char csv1[] = "1700000000,4500,16000,240,230\n";
	static const char csv2[] = "1700000000,600,900,45,43\n";
	char *pa = tpath("ma.db"), *pb = tpath("mb.db");
	struct db *a, *b;
	struct import_args ia = { 0 };
	int added, skipped;
	char *before, *after;

	(void)state;
	assert_int_equal(db_open(pa, DB_OPEN_CREATE, &a), 0);
	assert_int_equal(db_open(pb, DB_OPEN_CREATE, &b), 0);
	ia.db = a;
	ia.platform = "native";
	ia.host = "hostA";
	ia.path = write_tmp("m1.csv", csv1, strlen(csv1));
	assert_int_equal(do_import(&ia), 0);
	free((char *)ia.path);
	ia.db = b;
	ia.platform = "qemu";
	ia.host = "hostB";
	ia.path = write_tmp("m2.csv", csv2, strlen(csv2));
	assert_int_equal(do_import(&ia), 0);
	free((char *)ia.path);
	fill_collected_run(b);
	db_close(b);

	assert_int_equal(db_merge(a, pb, &added, &skipped), 0);
	assert_int_equal(added, 2);
	assert_int_equal(skipped, 0);
	assert_int_equal(count(a, "SELECT count(*) FROM sample"), 4 + 4 + 3);
	assert_int_equal(count(a, "SELECT count(*) FROM host"), 2);
	assert_int_equal(count(a, "SELECT count(*) FROM run_platform rp JOIN"
				   " platform p ON p.id = rp.platform_id WHERE"
				   " json_extract(rp.config, '$.accelerator') = 'tcg'"), 1);
	before = export_to_string(a, 1);
	/* Merging the same database twice adds nothing. */
	assert_int_equal(db_merge(a, pb, &added, &skipped), 0);
	assert_int_equal(added, 0);
	assert_int_equal(skipped, 2);
	after = export_to_string(a, 1);
	assert_string_equal(before, after);
	assert_int_equal(db_check(a), 0);
	free(before);
	free(after);
	db_close(a);
	free(pa);
	free(pb);
}

/* A second process holds the write lock: a writer waits (busy timeout),
 * succeeds when the lock is released in time, and otherwise reports the
 * lock and leaves the database as it was. */
static void test_write_lock(void **state)
{
	static const char csv[] = "1700000000,4500,16000,240,230\n";
	char *p = tpath("lock.db");
	struct db *db;
	struct import_args ia = { 0 };
	int fds[2], ret;
	pid_t pid;
	char c, *err;

	(void)state;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, &db), 0);
	db_close(db);
	for (int round = 0; round < 2; round++) {
		int hold_ms = round == 0 ? 300 : 3000;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct db *h;

			close(fds[0]);
			if (db_open(p, DB_OPEN_EXISTING, &h) < 0 || db_begin(h) < 0)
				_exit(1);
			assert_int_equal(write(fds[1], "x", 1), 1);
			usleep((useconds_t)hold_ms * 1000);
			db_commit(h);
			db_close(h);
			_exit(0);
		}
		close(fds[1]);
		assert_int_equal(read(fds[0], &c, 1), 1); /* lock is held now */
		close(fds[0]);
		db_busy_ms = 1000;
		assert_int_equal(db_open(p, DB_OPEN_EXISTING, &db), 0);
		ia.db = db;
		ia.platform = "native";
		ia.path = write_tmp(round ? "lock2.csv" : "lock1.csv", csv, strlen(csv));
		err = capture_stderr(do_import, &ia, &ret);
		if (round == 0) {
			assert_int_equal(ret, 0);
			assert_string_equal(err, "");
		} else {
			char *want = xasprintf("%s: begin transaction: database is "
					       "locked by another writer (waited "
					       "1.0 s)\n", p);

			assert_int_equal(ret, -1);
			assert_string_equal(err, want);
			free(want);
		}
		free(err);
		free((char *)ia.path);
		waitpid(pid, &ret, 0);
		assert_true(WIFEXITED(ret) && WEXITSTATUS(ret) == 0);
		assert_int_equal(count(db, "SELECT count(*) FROM sample"), 4);
		assert_int_equal(db_check(db), 0);
		db_close(db);
		db_busy_ms = 5000;
	}
	free(p);
}

/* Issue 13: negative and foreign schema versions are refused in one line,
 * never used to index the migrations. */
static void test_schema_version_refused(void **state)
{
	char *p = tpath("neg.db");
	struct db *db;

	(void)state;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "PRAGMA user_version = -1",
				      NULL, NULL, NULL), SQLITE_OK);
	db_close(db);
	expect_open_error(p, DB_OPEN_EXISTING, "schema version -1 is not one "
			  "virtbench ever wrote (a damaged or foreign file)");
	free(p);
}

/* Issue 13, class 2: a JSON file adds samples only to runs it defines and
 * this import adds, each on its run's host; imported runs and runs of
 * another host are never resumable, a run collected here is. */
static void test_foreign_data(void **state)
{
	char *p = tpath("foreign.db"), *j;
	struct db *db;
	struct json_args ja = { 0 };
	int64_t here, other, plat, bench, mine, theirs;
	int ret;
	char *err;
	static const char head[] =
		"{\"format\": \"virtbench-export\", \"version\": 1, \"hosts\": [],"
		" \"runs\": [{\"uuid\": \"11111111-1111-4111-8111-111111111111\","
		" \"host\": \"%s\", \"suite\": \"x\", \"tool_version\": \"t\","
		" \"started_at\": \"2026-01-01T00:00:00Z\", \"status\": \"interrupted\"}],"
		" \"samples\": [{\"run\": \"%s\", \"host\": \"%s\","
		" \"platform\": \"native\", \"benchmark\": \"cpu\", \"unit\": \"events/s\","
		" \"status\": \"ok\", \"started_at\": \"2026-01-01T00:00:00Z\","
		" \"repetition\": 9, \"value\": 1e9}]}";
	struct db_run r = { .suite = "quick", .params = "{}", .status = "interrupted" };

	(void)state;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(db_host_ensure_named(db, NULL, 1, &here), 0);
	assert_int_equal(db_host_ensure_named(db, "elsewhere", 0, &other), 0);
	assert_int_equal(db_platform_ensure(db, here, "native", "native", &plat), 0);
	assert_int_equal(db_benchmark_ensure(db, "cpu", "events/s", "higher", &bench), 0);
	r.host_id = here;
	assert_int_equal(db_run_create(db, &r, &mine), 0);
	r.uuid[0] = '\0';
	r.host_id = other;
	assert_int_equal(db_run_create(db, &r, &theirs), 0);
	{
		char *uuid = NULL;
		sqlite3_stmt *st;

		assert_int_equal(db_prepare(db, &st, "SELECT uuid FROM run WHERE id = ?1"), 0);
		sqlite3_bind_int64(st, 1, mine);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		uuid = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);

		/* A sample planted into a run the file does not define. */
		j = xasprintf(head, vb_hostname(), uuid, vb_hostname());
		ja.db = db;
		ja.path = write_tmp("plant.json", j, strlen(j));
		err = capture_stderr(do_import_json, &ja, &ret);
		assert_int_equal(ret, -1);
		assert_non_null(strstr(err, "plant.json: samples[0].run: run "));
		assert_non_null(strstr(err, " is not in \"runs\" of this file\n"));
		assert_int_equal(count(db, "SELECT count(*) FROM sample"), 0);
		assert_int_equal(count(db, "SELECT count(*) FROM run"), 2);
		free(err);
		free(j);
		free((char *)ja.path);
		free(uuid);
	}
	/* A sample filed under another host than its run's. */
	j = xasprintf(head, vb_hostname(), "11111111-1111-4111-8111-111111111111",
		      "elsewhere");
	ja.path = write_tmp("host.json", j, strlen(j));
	err = capture_stderr(do_import_json, &ja, &ret);
	assert_int_equal(ret, -1);
	assert_non_null(strstr(err, "host.json: samples[0].host: 'elsewhere' is "
			       "not the host of run 11111111-1111-4111-8111-111111111111"));
	assert_int_equal(count(db, "SELECT count(*) FROM run"), 2);
	free(err);
	free(j);
	free((char *)ja.path);
	/* The same file made consistent imports, claiming this host and an
	 * interrupted status: still not resumable. */
	j = xasprintf(head, vb_hostname(), "11111111-1111-4111-8111-111111111111",
		      vb_hostname());
	ja.path = write_tmp("ok.json", j, strlen(j));
	err = capture_stderr(do_import_json, &ja, &ret);
	assert_int_equal(ret, 0);
	free(err);
	{
		int64_t imp;

		assert_int_equal(db_run_find(db, "11111111", &imp), 0);
		assert_int_equal(db_run_check_resumable(db, mine), 0);
		assert_int_equal(db_run_check_resumable(db, imp), -1);
		assert_int_equal(db_run_check_resumable(db, theirs), -1);
	}
	free(j);
	free((char *)ja.path);
	db_close(db);
	free(p);
}

/* Issue 13, class 4: JSON import checks integer ranges before casting,
 * and accepts exactly what db check accepts. */
static void test_import_ranges(void **state)
{
	static const char tmpl[] =
		"{\"format\": \"virtbench-export\", \"version\": 1, \"hosts\": [],"
		" \"runs\": [{\"uuid\": \"44444444-4444-4444-8444-444444444444\","
		" \"host\": \"h\", \"suite\": \"x\", \"tool_version\": \"t\","
		" \"started_at\": \"2026-01-01T00:00:00Z\", %s \"status\": \"complete\"}],"
		" \"samples\": [{\"run\": \"44444444-4444-4444-8444-444444444444\","
		" \"host\": \"h\", \"platform\": \"native\", \"benchmark\": \"cpu\","
		" \"unit\": \"events/s\", \"started_at\": \"2026-01-01T00:00:00Z\", %s}]}";
	static const struct {
		const char *run, *sample, *err;
	} bad[] = {
		{ "\"seed\": 1e300,", "\"status\": \"ok\", \"repetition\": 1, \"value\": 1",
		  "runs[0].seed: 1e+300 is not a whole number from" },
		{ "\"seed\": 1.5,", "\"status\": \"ok\", \"repetition\": 1, \"value\": 1",
		  "runs[0].seed: 1.5 is not a whole number from" },
		{ "", "\"status\": \"ok\", \"repetition\": 1e10, \"value\": 1",
		  "samples[0].repetition: 1e+10 is not a whole number from 0 to" },
		{ "", "\"status\": \"ok\", \"repetition\": 1, \"value\": 1, \"parser_version\": -1e20",
		  "samples[0].parser_version: -1e+20 is not a whole number from" },
		{ "", "\"status\": \"ok\", \"repetition\": 1, \"value\": 1, \"duration\": -3",
		  "samples[0].duration: -3 is not a number of seconds from 0" },
		{ "", "\"status\": \"failed\", \"repetition\": 1",
		  "samples[0].error: a failed sample needs its reason" },
		{ "\"ended_at\": \"2025-01-01T00:00:00Z\",",
		  "\"status\": \"ok\", \"repetition\": 1, \"value\": 1",
		  "runs[0].ended_at: before started_at" },
	};
	char *p = tpath("ranges.db"), *j, *err;
	struct db *db;
	struct json_args ja = { 0 };
	int ret;

	(void)state;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, &db), 0);
	ja.db = db;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = xasprintf(tmpl, bad[i].run, bad[i].sample);
		ja.path = write_tmp("r.json", j, strlen(j));
		err = capture_stderr(do_import_json, &ja, &ret);
		if (ret != -1 || !strstr(err, bad[i].err))
			fail_msg("case %zu: ret %d, stderr: %s", i, ret, err);
		assert_int_equal(count(db, "SELECT count(*) FROM run"), 0);
		free(err);
		free(j);
		free((char *)ja.path);
	}
	/* The largest finite value imports, and db check agrees it is valid. */
	j = xasprintf(tmpl, "\"seed\": 9007199254740992,",
		      "\"status\": \"ok\", \"repetition\": 1, \"value\": 1.7976931348623157e308");
	ja.path = write_tmp("r.json", j, strlen(j));
	err = capture_stderr(do_import_json, &ja, &ret);
	assert_int_equal(ret, 0);
	free(err);
	assert_int_equal(db_check(db), 0);
	free(j);
	free((char *)ja.path);
	db_close(db);
	free(p);
}

static int lock_run2(void *db)
{
	return db_run_lock(db, "22222222-2222-4222-8222-222222222222");
}

struct ins_args {
	struct db *db;
	struct db_sample s;
};

static int insert_one(void *arg)
{
	struct ins_args *a = arg;

	return db_sample_insert(a->db, &a->s);
}

/* One collector per run: the lock belongs to the database file, names its
 * holder, and dies with it (SIGKILL). */
static void test_run_lock(void **state)
{
	char *p = tpath("runlock.db"), *err, *want;
	struct db *db;
	int fds[2], ret;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db *h;

		close(fds[0]);
		if (db_open(p, DB_OPEN_EXISTING, &h) < 0 ||
		    db_run_lock(h, "22222222-2222-4222-8222-222222222222") < 0)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	{
		err = capture_stderr(lock_run2, db, &ret);
		want = xasprintf("run 22222222-2222-4222-8222-222222222222 is being "
				 "collected by process %ld (it holds the run's lock "
				 "on %s)\n", (long)pid, p);
		assert_int_equal(ret, -1);
		assert_string_equal(err, want);
		free(err);
		free(want);
		/* Another run is not blocked. */
		assert_int_equal(db_run_lock(db, "33333333-3333-4333-8333-333333333333"), 0);
		kill(pid, SIGKILL);
		waitpid(pid, &ret, 0);
		assert_int_equal(lock_run2(db), 0);
	}
	db_close(db);
	free(p);
}

/* The collector's writes wait out another process's lock, however long,
 * and say so once; nothing is lost. */
static void test_wait_for_locks(void **state)
{
	char *p = tpath("wait.db"), *err;
	struct db *db;
	int fds[2], ret;
	pid_t pid;
	char c;
	int64_t host, plat, bench, run;
	struct db_run r = { .suite = "quick", .params = "{}", .status = "running" };
	static volatile sig_atomic_t never;

	(void)state;
	assert_int_equal(db_open(p, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(db_host_ensure_named(db, "h", 0, &host), 0);
	assert_int_equal(db_platform_ensure(db, host, "native", "native", &plat), 0);
	assert_int_equal(db_benchmark_ensure(db, "cpu", "events/s", "higher", &bench), 0);
	r.host_id = host;
	assert_int_equal(db_run_create(db, &r, &run), 0);
	db_close(db);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db *h;

		close(fds[0]);
		if (db_open(p, DB_OPEN_EXISTING, &h) < 0 || db_begin(h) < 0)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		usleep(2500 * 1000); /* 2.5 x the busy timeout below */
		db_commit(h);
		db_close(h);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	db_busy_ms = 1000;
	assert_int_equal(db_open(p, DB_OPEN_EXISTING, &db), 0);
	db_wait_for_locks(db, &never);
	{
		struct ins_args a = { db, {
			.run_id = run, .platform_id = plat, .benchmark_id = bench,
			.repetition = 1, .has_value = 1, .value = 42, .status = "ok",
			.started_at = "2026-01-01T00:00:00Z", .duration = 1 } };

		err = capture_stderr(insert_one, &a, &ret);
	}
	assert_int_equal(ret, 0);
	assert_non_null(strstr(err, "wait.db: locked by another process for 1 s; "
			       "waiting for it (the measured sample is kept in "
			       "memory meanwhile)\n"));
	assert_int_equal(count(db, "SELECT count(*) FROM sample WHERE value = 42"), 1);
	free(err);
	waitpid(pid, &ret, 0);
	db_close(db);
	db_busy_ms = 5000;
	free(p);
}

/* ---- the named reads and writes of db/query.c ---------------------------- */

static int do_run_get_missing(void *arg)
{
	struct db_run_info ri;

	return db_run_get(arg, 999, &ri);
}

/* The analyzer's scan of a series with a sparse repetition (an imported
 * number in the millions): room for its samples, not for its highest
 * repetition; the values in repetition order. */
static void test_scan_sparse(void **state)
{
	char *path = tpath("sparse.db");
	struct db_run r = { .suite = "import", .started_at = "2026-11-25T10:00:00.000Z" };
	struct db *db;
	struct db_cursor *c;
	struct db_series se;
	struct db_series_samples ss = { 0 };
	int64_t host, plat, bench, run;
	double v[3];
	int reps[] = { 7, 100000000, 1 };

	(void)state;
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &db), 0);
	assert_int_equal(db_host_ensure_named(db, "h", 0, &host), 0);
	r.host_id = host;
	assert_int_equal(db_platform_ensure(db, host, "native", "native", &plat), 0);
	assert_int_equal(db_benchmark_ensure(db, "cpu", "u", "higher", &bench), 0);
	assert_int_equal(db_run_create(db, &r, &run), 0);
	for (int i = 0; i < 3; i++) {
		struct db_sample s = { .run_id = run, .platform_id = plat,
				       .benchmark_id = bench, .repetition = reps[i],
				       .has_value = 1, .value = reps[i], .status = "ok",
				       .started_at = "2026-11-25T10:00:01.000Z",
				       .duration = -1 };

		assert_int_equal(db_sample_insert(db, &s), 0);
	}
	assert_int_equal(db_samples_open(db, 0, &c), 0);
	assert_false(db_samples_load(c));
	assert_int_equal(db_samples_next_series(c, &se), 1);
	assert_int_equal(se.max_samples, 3);
	ss.values = v;
	assert_int_equal(db_samples_read(c, &ss), 0);
	assert_int_equal(ss.n, 3);
	assert_int_equal(ss.warmup, 0);
	assert_true(v[0] == 1 && v[1] == 7 && v[2] == 100000000);
	assert_int_equal(db_samples_next_series(c, &se), 0);
	db_cursor_close(c);
	db_close(db);
	free(path);
}

static void test_named_queries(void **state)
{
	char *path = tpath("q.db"), *json, *err;
	struct db *db;
	struct db_cursor *c;
	struct db_run_info ri;
	struct db_named_sample ns;
	struct db_raw_sample rs;
	struct db_host_facts hf;
	struct db_run_facts rf;
	struct db_platform_facts pf;
	struct db_filter nosuch = { .host = "nosuch" }, byhost = { .host = "hostB" };
	int64_t run, plat, other, ok_id = 0;
	int n, r;

	(void)state;
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &db), 0);
	fill_collected_run(db);
	run = count(db, "SELECT id FROM run");
	plat = count(db, "SELECT id FROM platform");

	assert_int_equal(db_run_get(db, run, &ri), 0);
	assert_int_equal(strlen(ri.uuid), 36);
	assert_string_equal(ri.params, "{\"duration\":2}");
	assert_int_equal(ri.seed, 42);
	assert_string_equal(ri.status, "complete");
	assert_int_equal(ri.host_id, count(db, "SELECT id FROM host WHERE name = 'hostB'"));
	db_run_info_clear(&ri);
	err = capture_stderr(do_run_get_missing, db, &r);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err, "read run"));
	free(err);

	/* stored samples by repetition, named */
	assert_int_equal(db_run_samples_open(db, run, &c), 0);
	for (n = 0; (r = db_run_samples_next(c, &ns)) == 1; n++) {
		assert_string_equal(ns.platform, "qemu");
		assert_string_equal(ns.benchmark, "cpu");
		assert_int_equal(ns.repetition, n);
		assert_string_equal(ns.status, n == 0 ? "warmup" : n == 1 ? "ok" : "failed");
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 3);
	db_cursor_close(c);

	assert_int_equal(db_run_platform_config(db, run, plat, &json), 0);
	assert_string_equal(json, "{\"accelerator\":\"tcg\",\"disk_cache\":\"none\"}");
	free(json);
	assert_int_equal(db_platform_ensure(db, count(db, "SELECT id FROM host"), "kvm", "kvm", &other), 0);
	assert_int_equal(db_run_platform_config(db, run, other, &json), 0);
	assert_null(json);

	/* the analyzer's scan: the series, then its samples in one read -
	 * the warm-up flagged, the ok value with its instance and load, the
	 * failed one and an infinite one counted */
	{
		struct db_sample inf = { .run_id = run, .platform_id = plat,
					 .benchmark_id = count(db, "SELECT id FROM benchmark"),
					 .repetition = 4, .has_value = 1, .value = INFINITY,
					 .status = "ok", .started_at = "2026-11-25T10:00:09.000Z",
					 .duration = 1 };
		struct db_series se;
		struct db_series_samples ss = { 0 };
		double v[4], cpu[4];
		int inst[4];
		signed char dist[4];

		assert_int_equal(db_sample_insert(db, &inf), 0);
		assert_int_equal(db_samples_open(db, run, &c), 0);
		assert_true(db_samples_load(c));
		assert_int_equal(db_samples_next_series(c, &se), 1);
		assert_int_equal(se.run_id, run);
		assert_int_equal(se.platform_id, plat);
		assert_int_equal(se.max_samples, 4); /* repetitions 1, 2, 4 */
		ss.values = v;
		ss.instances = inst;
		ss.other_cpu = cpu;
		ss.disturbed = dist;
		assert_int_equal(db_samples_read(c, &ss), 0);
		assert_int_equal(ss.warmup, 1);
		assert_int_equal(ss.n, 1);
		assert_true(v[0] == 0.1 + 0.2);
		assert_int_equal(inst[0], 2);
		assert_true(cpu[0] == 0.75);
		assert_int_equal(dist[0], 1);
		assert_int_equal(ss.n_failed, 1);
		assert_int_equal(ss.n_nonfinite, 1);
		assert_int_equal(db_samples_next_series(c, &se), 0);
		db_cursor_close(c);
		/* the same series once its only sample beyond the warm-up
		 * is the ok one: read without looking at statuses (the index
		 * lists no other), and the same again without the index */
		assert_int_equal(count(db, "SELECT count(*) FROM sample_value"
				       " INDEXED BY sample_value_not_ok WHERE status <> 0"), 2);
		assert_int_equal(sqlite3_exec(db_sqlite(db), "SAVEPOINT s;"
					      " DELETE FROM sample WHERE repetition IN (2, 4)",
					      NULL, NULL, NULL), SQLITE_OK);
		for (int pass = 0; pass < 2; pass++) {
			if (pass)
				assert_int_equal(sqlite3_exec(db_sqlite(db), "DROP INDEX"
							      " sample_value_not_ok", NULL,
							      NULL, NULL), SQLITE_OK);
			assert_int_equal(db_samples_open(db, run, &c), 0);
			assert_int_equal(db_samples_next_series(c, &se), 1);
			assert_int_equal(se.max_samples, 1);
			memset(inst, 0, sizeof(inst));
			assert_int_equal(db_samples_read(c, &ss), 0);
			assert_int_equal(ss.warmup, 1);
			assert_int_equal(ss.n, 1);
			assert_int_equal(ss.n_failed, 0);
			assert_int_equal(ss.n_nonfinite, 0);
			assert_true(v[0] == 0.1 + 0.2);
			assert_int_equal(inst[0], 2);
			assert_int_equal(dist[0], 1);
			db_cursor_close(c);
		}
		assert_int_equal(sqlite3_exec(db_sqlite(db), "ROLLBACK TO s; RELEASE s",
					      NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(count(db, "SELECT count(*) FROM sqlite_schema WHERE"
				       " name = 'sample_value_not_ok'"), 1);
		assert_int_equal(db_samples_open(db, run + 1, &c), 0);
		assert_int_equal(db_samples_next_series(c, &se), 0);
		db_cursor_close(c);
		/* the functions the scan uses cannot be called from the
		 * file's own SQL (a view or trigger) */
		assert_int_equal(sqlite3_exec(db_sqlite(db), "CREATE VIEW x AS"
					      " SELECT scan_failed(1)", NULL,
					      NULL, NULL), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db_sqlite(db), "SELECT * FROM x",
						  NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db_sqlite(db), "DROP VIEW x;"
					      " DELETE FROM sample WHERE repetition = 4",
					      NULL, NULL, NULL), SQLITE_OK);
	}

	/* reparse sees the warm-up and the ok sample, not the one that failed
	 * for another reason than its parser */
	assert_int_equal(db_reparse_open(db, 0, &c), 0);
	for (n = 0; (r = db_reparse_next(c, &rs)) == 1; n++) {
		assert_string_equal(rs.parser, "sysbench-cpu");
		assert_int_equal(rs.raw_len, strlen("events per second:   593.25\n\"q\""));
		assert_memory_equal(rs.raw, "events per second:   593.25\n\"q\"", rs.raw_len);
		assert_true(rs.has_value);
		if (!strcmp(rs.status, "ok"))
			ok_id = rs.id;
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, 2);
	db_cursor_close(c);
	assert_true(ok_id > 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_sample_set_parsed(db, ok_id, 0, 0, "failed", "parse: x", 2), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM sample WHERE status = 'failed'"
			       " AND value IS NULL AND error = 'parse: x' AND parser_version = 2"), 1);

	assert_int_equal(db_run_mark_resumed(db, run, "{\"resumes\":[]}"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM run WHERE status = 'running'"
			       " AND ended_at IS NULL AND params = '{\"resumes\":[]}'"), 1);

	/* the report's facts, narrowed by host */
	assert_int_equal(db_report_hosts_open(db, &byhost, &c), 0);
	assert_int_equal(db_report_hosts_next(c, &hf), 1);
	assert_string_equal(hf.name, "hostB");
	assert_int_equal(hf.has_kvm, -1);
	assert_int_equal(db_report_hosts_next(c, &hf), 0);
	db_cursor_close(c);
	assert_int_equal(db_report_hosts_open(db, &nosuch, &c), 0);
	assert_int_equal(db_report_hosts_next(c, &hf), 0);
	db_cursor_close(c);
	assert_int_equal(db_report_runs_open(db, NULL, &c), 0);
	assert_int_equal(db_report_runs_next(c, &rf), 1);
	assert_string_equal(rf.host, "hostB");
	assert_string_equal(rf.suite, "quick");
	assert_true(rf.has_seed);
	assert_int_equal(rf.seed, 42);
	assert_int_equal(db_report_runs_next(c, &rf), 0);
	db_cursor_close(c);
	assert_int_equal(db_report_platforms_open(db, &byhost, &c), 0);
	assert_int_equal(db_report_platforms_next(c, &pf), 1);
	assert_string_equal(pf.name, "qemu");
	assert_string_equal(pf.state, "ok");
	assert_non_null(strstr(pf.config, "tcg"));
	assert_int_equal(pf.has_samples, 1);
	assert_int_equal(db_report_platforms_next(c, &pf), 0);
	db_cursor_close(c);

	assert_int_equal(db_close(db), 0);
	free(path);
}

static void test_sha256(void **state)
{
	char hex[65];

	(void)state;
	vb_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	vb_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* Two blocks: the padding crosses a block boundary. */
	vb_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_foreign_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_good, setup, teardown),
		cmocka_unit_test(test_parse_decimal),
		cmocka_unit_test_setup_teardown(test_import_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_for_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_sparse, setup, teardown),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
