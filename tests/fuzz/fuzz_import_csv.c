/*
 * tests/fuzz/fuzz_import_csv.c - libFuzzer target for "virtbench import
 * csv" (db/import_csv.c: fields as pointer and length into the file,
 * quoting, interned names, repetition checks) against a real SQLite
 * database.
 *
 * Beyond memory safety (ASan/UBSan) it checks the importer's contract on
 * every input: a refused file changes nothing (all or nothing), and an
 * accepted one leaves a database that "db check" finds healthy - import
 * and check agree on what is valid. The first byte, when it is a digit,
 * picks options (bits: --platform, --benchmark, --unit with --direction,
 * --host) and is not part of the file, so absent columns are exercised.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/util.h"
#include "db/db_int.h" /* db_sqlite: the target runs its own SQL */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct db *db;
static char dir[] = "/tmp/vbfuzz-csv.XXXXXX";
static char *csv_path;

static long long rows(void)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT (SELECT count(*) FROM run)"
			       " * 1000003 + (SELECT count(*) FROM sample) +"
			       " (SELECT count(*) FROM run_platform) * 7919",
			       -1, &st, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void cleanup(void)
{
	char *cmd;

	db_close(db);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct db_csv_defaults d = { 0 };
	char **uuids = NULL;
	int ret, saved;
	long nsamples;
	static int quiet = -1;
	long long before;

	if (!db) {
		char *p;

		vb_verbosity = 0;
		if (!mkdtemp(dir))
			abort();
		p = xasprintf("%s/fuzz.db", dir);
		if (db_open(p, DB_OPEN_CREATE, &db) < 0)
			abort();
		free(p);
		csv_path = xasprintf("%s/in.csv", dir);
		atexit(cleanup);
		/* Refusals print one line each: not useful here
		 * (FUZZ_VERBOSE=1 shows them, e.g. when replaying a crash). */
		quiet = getenv("FUZZ_VERBOSE") ? -1 : open("/dev/null", O_WRONLY);
	}
	if (size && data[0] >= '0' && data[0] <= '9') {
		int bits = data[0] - '0';

		d.platform = bits & 1 ? "kvm" : NULL;
		d.benchmark = bits & 2 ? "b" : NULL;
		d.unit = bits & 4 ? "s" : NULL;
		d.direction = bits & 4 ? "lower" : NULL;
		d.host = bits & 8 ? "h" : NULL;
		data++;
		size--;
	}
	if (vb_write_file_atomic(csv_path, data, size, 0600) < 0)
		abort();
	before = rows();
	fflush(stderr);
	saved = quiet >= 0 ? dup(2) : -1;
	if (saved >= 0)
		dup2(quiet, 2);
	ret = db_import_csv(db, csv_path, &d, &uuids, &nsamples);
	vb_strv_free(uuids);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (ret < 0) {
		if (rows() != before)
			abort(); /* a refused file changed the database */
		return 0;
	}
	if (db_check(db) != 0)
		abort(); /* accepted what db check calls invalid */
	/* Start the next input from an empty store: a new file, because
	 * the store caches ids (parsers, series) per open database. */
	db_close(db);
	db = NULL;
	{
		char *p = xasprintf("%s/fuzz.db", dir), *w = xasprintf("%s-wal", p),
		     *m = xasprintf("%s-shm", p);

		unlink(p);
		unlink(w);
		unlink(m);
		if (db_open(p, DB_OPEN_CREATE, &db) < 0)
			abort();
		free(p);
		free(w);
		free(m);
	}
	return 0;
}
