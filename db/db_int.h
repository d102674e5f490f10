/*
 * db/db_int.h - private to db/: the connection structure and the schema
 * migrations. Other modules use db/db.h only.
 */
#ifndef VB_DB_DB_INT_H
#define VB_DB_DB_INT_H

#include <sqlite3.h>

#include "db/db.h"

/* The application_id virtbench stamps into its files ('VBEN'). */
#define DB_APPLICATION_ID 0x5642454e

struct db {
	sqlite3 *h;
	char *path;
	int in_tx;
	sqlite3_stmt *ins_sample; /* cached by db_sample_insert() */
	sqlite3_stmt *upd_parsed; /* cached by db_sample_set_parsed() */
};

/* The underlying handle (tests run their own SQL through it). */
sqlite3 *db_sqlite(struct db *db);
/* Prepares a statement, reporting errors with the SQL's context. */
int db_prepare(struct db *db, sqlite3_stmt **st, const char *sql);
/* Reports the current SQLite error as "DBPATH: what: message"; returns -1. */
int db_error(struct db *db, const char *what);

/* A sample of a tidy import (import_csv.c, import_hyperfine.c): strings
 * point into the importer's buffers except raw (owned, the source line or
 * NULL) and error. unit/direction NULL: the benchmark's existing definition;
 * repetition 0: numbered after the explicit ones; time NAN: unknown. */
struct db_tidy_row {
	int line;               /* of the file, from 1; 0: see index */
	int index;              /* hyperfine: results[index] */
	const char *host, *platform, *benchmark, *unit, *direction;
	double value, time;
	int repetition;
	char *raw;
	char *error;            /* owned; non-NULL: a failed sample, why */
};
void db_tidy_rows_free(struct db_tidy_row *rows, size_t n);
/* Checks the rows (names, one unit and direction per benchmark, unique
 * repetitions; errors as "PATH:LINE: reason"), then writes them in one
 * transaction as one run per host (suite "import", parser format), the
 * first with source hash sha. A file already imported is refused. *uuids
 * (owned, NULL-terminated) names the runs. */
int db_import_tidy(struct db *db, const char *path, const char *format,
		   const char *sha, struct db_tidy_row *rows, size_t n,
		   char ***uuids, long *nsamples);
/* Letters, digits and ._:@-, at most 64: a host or platform name. */
int db_import_valid_name(const char *s);

extern const char *const db_migrations[];
extern const int db_migration_count;

#endif
