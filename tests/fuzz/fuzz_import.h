/*
 * tests/fuzz/fuzz_import.h - the harness the import fuzz targets share
 * (fuzz_import_json.c, fuzz_import_csv.c), included by each: a real SQLite
 * database in a private temporary directory, the input written to a file
 * there, and the importer's contract checked on every input - a refused
 * file changes nothing (all or nothing), an accepted one leaves a database
 * that "db check" finds healthy, after which the next input starts from
 * an empty store (a new file: the store caches ids per open database).
 */
#ifndef VB_FUZZ_IMPORT_H
#define VB_FUZZ_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/util.h"
#include "db/db_int.h" /* db_sqlite: the harness runs its own SQL */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Imports the file at path into db; 0 accepted, negative refused. */
typedef int (*fuzz_import_fn)(struct db *db, const char *path, void *arg);

static struct db *fz_db;
static char fz_dir[64];
static char *fz_path;
static int fz_quiet = -1;

static long long fz_rows(void)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db_sqlite(fz_db), "SELECT (SELECT count(*) FROM run)"
			       " * 1000003 + (SELECT count(*) FROM sample) +"
			       " (SELECT count(*) FROM run_platform) * 7919",
			       -1, &st, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void fz_cleanup(void)
{
	char *cmd;

	db_close(fz_db);
	cmd = xasprintf("rm -rf '%s'", fz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fz_dir);
	free(cmd);
}

/* A new empty store at fz_dir/fuzz.db (its WAL and SHM removed too). */
static void fz_open_empty(void)
{
	char *p = xasprintf("%s/fuzz.db", fz_dir), *w = xasprintf("%s-wal", p),
	     *m = xasprintf("%s-shm", p);

	unlink(p);
	unlink(w);
	unlink(m);
	if (db_open(p, DB_OPEN_CREATE, &fz_db) < 0)
		abort();
	free(p);
	free(w);
	free(m);
}

/* One input: name is the target's ("json", "csv"), which names its
 * directory and file. */
static int fuzz_import_one(const char *name, const uint8_t *data, size_t size,
			   fuzz_import_fn fn, void *arg)
{
	long long before;
	int ret, saved;

	if (!fz_db) {
		vb_verbosity = 0;
		snprintf(fz_dir, sizeof(fz_dir), "/tmp/vbfuzz-%s.XXXXXX", name);
		if (!mkdtemp(fz_dir))
			abort();
		fz_open_empty();
		fz_path = xasprintf("%s/in.%s", fz_dir, name);
		atexit(fz_cleanup);
		/* Refusals print one line each: not useful here
		 * (FUZZ_VERBOSE=1 shows them, e.g. when replaying a crash). */
		fz_quiet = getenv("FUZZ_VERBOSE") ? -1 : open("/dev/null", O_WRONLY);
	}
	if (vb_write_file_atomic(fz_path, data, size, 0600) < 0)
		abort();
	before = fz_rows();
	fflush(stderr);
	saved = fz_quiet >= 0 ? dup(2) : -1;
	if (saved >= 0)
		dup2(fz_quiet, 2);
	ret = fn(fz_db, fz_path, arg);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (ret < 0) {
		if (fz_rows() != before)
			abort(); /* a refused file changed the database */
		return 0;
	}
	if (db_check(fz_db) != 0)
		abort(); /* accepted what db check calls invalid */
	db_close(fz_db);
	fz_db = NULL;
	fz_open_empty();
	return 0;
}

#endif
