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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	assert_int_equal(db_sample_insert(db, &s), 0);
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
	assert_non_null(strstr(c1, ",qemu,cpu,1,0.30000000000000004,events/s,ok,"));
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

/* ---- the named reads and writes of db/query.c ---------------------------- */

static int do_run_get_missing(void *arg)
{
	struct db_run_info ri;

	return db_run_get(arg, 999, &ri);
}

static void test_named_queries(void **state)
{
	char *path = tpath("q.db"), *json, *err;
	struct db *db;
	struct db_cursor *c;
	struct db_run_info ri;
	struct db_named_sample ns;
	struct db_sample_row sr;
	struct db_raw_sample rs;
	struct db_host_facts hf;
	struct db_run_facts rf;
	struct db_platform_facts pf;
	struct db_filter nosuch = { .host = "nosuch" }, byhost = { .host = "hostB" };
	uint32_t *ord;
	int64_t run, plat, other, max_id, ok_id = 0;
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

	/* the analyzer's scan: every sample of the run, NULL values flagged */
	assert_int_equal(db_samples_open(db, run, &c), 0);
	for (n = 0; (r = db_samples_next(c, &sr)) == 1; n++) {
		assert_int_equal(sr.run_id, run);
		assert_int_equal(sr.platform_id, plat);
		assert_int_equal(sr.has_value, sr.repetition == 0);
	}
	assert_int_equal(n, 3);
	db_cursor_close(c);
	assert_int_equal(db_samples_open(db, run + 1, &c), 0);
	assert_int_equal(db_samples_next(c, &sr), 0);
	db_cursor_close(c);

	assert_int_equal(db_run_order(db, &ord, &max_id), 0);
	assert_int_equal(max_id, run);
	assert_int_equal(ord[run], 0);
	free(ord);

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
		cmocka_unit_test_setup_teardown(test_refuse_foreign_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_queries, setup, teardown),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
