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

extern const char *const db_migrations[];
extern const int db_migration_count;

#endif
