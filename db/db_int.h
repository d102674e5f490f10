/*
 * db/db_int.h - private to db/: the connection structure and the schema
 * migrations. Other modules use db/db.h only.
 */
#ifndef VB_DB_DB_INT_H
#define VB_DB_DB_INT_H

#include "db/db.h"

/* The application_id virtbench stamps into its files ('VBEN'). */
#define DB_APPLICATION_ID 0x5642454e

struct db {
	sqlite3 *h;
	char *path;
	int in_tx;
	sqlite3_stmt *ins_sample; /* cached by db_sample_insert() */
};

extern const char *const db_migrations[];
extern const int db_migration_count;

#endif
