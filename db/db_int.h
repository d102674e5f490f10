/*
 * db/db_int.h - private to db/: the connection structure and the schema
 * migrations. Other modules use db/db.h only.
 */
#ifndef VB_DB_DB_INT_H
#define VB_DB_DB_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "db/db.h"

/* The message of the host fingerprint, HMAC-SHA256 keyed by machine-id. */
#define DB_FINGERPRINT_APP "virtbench host fingerprint v1"

/* The application_id virtbench stamps into its files ('VBEN'). */
#define DB_APPLICATION_ID 0x5642454e

/* A sample's row id is its series' id times this, plus its repetition
 * (see migration 2 in db/schema.c). */
#define DB_SERIES_SHIFT_N 4294967296LL
#define DB_REP_MAX 2147483647

struct db {
	sqlite3 *h;
	char *path;
	int in_tx;
	int readonly;  /* opened read-only: read-only media or not ours */
	/* Cached statements and ids of the sample writers (db/db.c); the ids
	 * are forgotten on rollback, since the rows may be gone. */
	sqlite3_stmt *ins_value, *ins_output, *get_series, *ins_series,
		*get_parser, *ins_parser;
	int64_t last_run, last_plat, last_bench, last_series;
	char *last_parser;
	int last_parser_version;
	int64_t last_parser_id;
	sqlite3_stmt *upd_parsed; /* cached by db_sample_set_parsed() */
};

/* The underlying handle (tests run their own SQL through it). */
sqlite3 *db_sqlite(struct db *db);
/* Prepares a statement, reporting errors with the SQL's context. */
int db_prepare(struct db *db, sqlite3_stmt **st, const char *sql);
/* Reports the current SQLite error as "DBPATH: what: message"; returns -1. */
int db_error(struct db *db, const char *what);

/* A C array of rows seen by SQL as db_rows(?) (db/rows.c): element k is at
 * base + k * stride; x, i, t_ptr/t_len are byte offsets in an element of a
 * double, an int64_t, a const char * and a size_t, or -1 for NULL. */
struct db_rows {
	size_t n, stride;
	const char *base;
	ptrdiff_t x, i, t_ptr, t_len;
};
int db_rows_register(sqlite3 *h);
/* Appends one output per row of dr (started_at from dr->i, text from
 * dr->t_ptr/t_len) to run_id with parser_id, ids consecutive after the
 * largest (the caller holds the write lock): only the first row gets its
 * id, the others SQLite's "largest + 1", the same number without a
 * search (checked after). *first gets the first id. 0 or negative. */
int db_rows_insert_outputs(struct db *db, const struct db_rows *dr,
			   int64_t run_id, int64_t parser_id, int64_t *first);

/* A bulk write's transaction (an import): like db_begin(), but without
 * foreign-key checks, which cost one B-tree descent per row; the writer
 * guarantees the references by construction (it wrote the parents in the
 * same transaction). db_bulk_end() commits (commit=1) or rolls back and
 * turns the checks on again. */
int db_bulk_begin(struct db *db);
int db_bulk_end(struct db *db, int commit);

/* Status codes stored in sample_value.status. */
enum db_status { DB_ST_OK = 0, DB_ST_FAILED = 1, DB_ST_WARMUP = 2 };
/* "ok" -> 0 etc.; -1 for anything else. */
int db_status_code(const char *status);
const char *db_status_name(int code);

/* The series (run, platform, benchmark), created when new. */
int db_series_get(struct db *db, int64_t run_id, int64_t platform_id,
		  int64_t benchmark_id, int64_t *id);
/* The parser (name, version), created when new; name NULL gives id 0. */
int db_parser_get(struct db *db, const char *name, int version, int64_t *id);
/* Stores one output; started_ms < 0 is unknown (NULL), duration < 0 too,
 * parser_id 0 none, text NULL none (len < 0: NUL-terminated). */
int db_output_add(struct db *db, int64_t run_id, int64_t started_ms,
		  double duration, int64_t parser_id, const char *text, int len,
		  int64_t *id);
/* Stores one sample of a series. */
int db_value_add(struct db *db, int64_t series_id, int repetition, int has_value,
		 double value, int status, int64_t output_id, const char *error);

/* "YYYY-MM-DDTHH:MM:SS[.fff...]Z" (T or space, Z optional) as milliseconds
 * since 1970 UTC; -1 if it is not such a time. */
int db_time_ms(const char *iso, int64_t *ms);
/* Milliseconds since 1970 as "YYYY-MM-DDTHH:MM:SS.mmmZ" in buf (>= 32). */
char *db_time_text(int64_t ms, char *buf, size_t size);
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

/* The same writer fed row by row without a string per row (db/tidy.c,
 * for import_csv.c): names are interned to ids, 0 meaning none. */
enum { DB_TIDY_HOST, DB_TIDY_PLATFORM, DB_TIDY_BENCH, DB_TIDY_UNIT,
       DB_TIDY_DIR, DB_TIDY_N };
struct db_tidy;
/* An empty set of rows from path (kept for messages, not copied). */
struct db_tidy *db_tidy_new(const char *path);
void db_tidy_free(struct db_tidy *t);
/* The id of name s[0..n) of a kind (DB_TIDY_*), added when new. */
uint32_t db_tidy_name(struct db_tidy *t, int kind, const char *s, size_t n);
/* Adds a row: line > 0 its file line (else hyperfine's results[-line]),
 * id[] its names (unit, direction 0: not given), rep 0: numbered after
 * the explicit ones, time NAN: unknown; raw points into the caller's
 * buffer, which must live until db_tidy_import() returns. */
void db_tidy_add(struct db_tidy *t, int32_t line, const uint32_t id[DB_TIDY_N],
		 double value, double time, int32_t rep, const char *raw,
		 size_t raw_len);
size_t db_tidy_count(const struct db_tidy *t);
/* As db_import_tidy() after the rows were added. */
int db_tidy_import(struct db *db, struct db_tidy *t, const char *format,
		   const char *sha, char ***uuids, long *nsamples);

/* A decimal number in s[0..n) (not NUL-terminated): an optional sign,
 * digits with an optional fraction, an optional exponent, nothing else
 * (no blanks, hex, inf or nan); the double strtod gives (db/number.c).
 * Returns 0, -1 if it is not such a number, -3 if out of range. */
int db_parse_decimal(const char *s, size_t n, double *out);

extern const char *const db_migrations[];
extern const int db_migration_count;

#endif
