/*
 * db/db.c - opening, migrating and writing the virtbench store.
 *
 * Durability: WAL with synchronous=FULL, so a committed sample survives a
 * crash of the process or the machine. Concurrency: SQLite's busy timeout
 * retries a locked database for db_busy_ms, then the error is reported with
 * the file's name; writers take the lock at BEGIN (IMMEDIATE) so a
 * transaction never fails half-way because another process started writing.
 */
#include "db/db_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

int db_busy_ms = 5000;

int db_error(struct db *db, const char *what)
{
	int code = sqlite3_extended_errcode(db->h);

	if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
		return vb_error("%s: %s: database is locked by another writer "
				"(waited %.1f s)", db->path, what, db_busy_ms / 1000.0);
	return vb_error("%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

sqlite3 *db_sqlite(struct db *db)
{
	return db->h;
}

const char *db_path(const struct db *db)
{
	return db->path;
}

int db_has_runs(struct db *db)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(db->h, "SELECT EXISTS (SELECT 1 FROM run)", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int db_prepare(struct db *db, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(db->h, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return db_error(db, "prepare");
	}
	return 0;
}

static int exec_sql(struct db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, what);
	return 0;
}

/* Reads a PRAGMA returning one integer. */
static int pragma_int(struct db *db, const char *pragma, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, pragma, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int db_begin(struct db *db)
{
	if (exec_sql(db, "BEGIN IMMEDIATE", "begin transaction") < 0)
		return -1;
	db->in_tx = 1;
	return 0;
}

int db_commit(struct db *db)
{
	if (exec_sql(db, "COMMIT", "commit") < 0) {
		db_rollback(db);
		return -1;
	}
	db->in_tx = 0;
	return 0;
}

void db_rollback(struct db *db)
{
	if (db->in_tx)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

/* Brings the schema to DB_SCHEMA_VERSION inside one write transaction.
 * The version is re-read under the lock: another process may have migrated
 * the file between our first look and the lock. */
static int migrate(struct db *db)
{
	int version, appid;

	/* Usually there is nothing to do: find out without taking the write
	 * lock, which another process may hold for a long time. */
	if (pragma_int(db, "PRAGMA user_version", &version) < 0)
		return db_error(db, "read schema version");
	if (version >= DB_SCHEMA_VERSION)
		return 0;
	if (db_begin(db) < 0)
		return -1;
	if (pragma_int(db, "PRAGMA user_version", &version) < 0 ||
	    pragma_int(db, "PRAGMA application_id", &appid) < 0)
		goto fail_sql;
	if (version >= DB_SCHEMA_VERSION) {
		db_rollback(db);
		return 0;
	}
	for (int v = version; v < db_migration_count; v++) {
		char pragma[64];

		if (sqlite3_exec(db->h, db_migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			goto fail_sql;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db->h, pragma, NULL, NULL, NULL) != SQLITE_OK)
			goto fail_sql;
	}
	if (version > 0)
		vb_info("%s: schema migrated from version %d to %d", db->path,
			version, DB_SCHEMA_VERSION);
	return db_commit(db);
fail_sql:
	db_error(db, "schema migration");
	db_rollback(db);
	return -1;
}

/* Decides whether the open file is a virtbench database we can use. */
static int check_identity(struct db *db, int *is_new)
{
	int version, appid, tables;
	sqlite3_stmt *st;

	if (pragma_int(db, "PRAGMA application_id", &appid) < 0) {
		int code = sqlite3_errcode(db->h);

		if (code == SQLITE_NOTADB)
			return vb_error("%s: not a virtbench database (not an "
					"SQLite file)", db->path);
		return db_error(db, "open");
	}
	if (pragma_int(db, "PRAGMA user_version", &version) < 0)
		return db_error(db, "read schema version");
	if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM sqlite_schema", -1,
			       &st, NULL) != SQLITE_OK)
		return db_error(db, "read schema");
	tables = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);

	*is_new = appid == 0 && version == 0 && tables == 0;
	if (*is_new)
		return 0;
	if (appid != DB_APPLICATION_ID)
		return vb_error("%s: not a virtbench database (an SQLite file "
				"made by another program)", db->path);
	if (version > DB_SCHEMA_VERSION)
		return vb_error("%s: schema version %d is newer than this "
				"virtbench (%s) supports (%d); upgrade virtbench",
				db->path, version, VB_VERSION, DB_SCHEMA_VERSION);
	return 0;
}

int db_open(const char *path, enum db_open_mode mode, struct db **out)
{
	struct db *db = xcalloc(1, sizeof(*db));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
	int is_new = 0;
	struct stat stbuf;

	*out = NULL;
	/* Memory statistics cost a global mutex per allocation; virtbench
	 * never reads them. Must precede the library's initialisation, and is
	 * harmless (SQLITE_MISUSE) afterwards. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	db->path = xstrdup(path);
	if (stat(path, &stbuf) < 0) {
		if (errno != ENOENT || mode != DB_OPEN_CREATE) {
			vb_error("%s: cannot open database: %s%s", path,
				 strerror(errno),
				 errno == ENOENT ? " (import or collect data "
						   "first, or pass --db)" : "");
			goto fail;
		}
		flags |= SQLITE_OPEN_CREATE;
	} else if (S_ISDIR(stbuf.st_mode)) {
		vb_error("%s: not a virtbench database (a directory)", path);
		goto fail;
	}
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		vb_error("%s: cannot open database: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, db_busy_ms);
	if (check_identity(db, &is_new) < 0)
		goto fail;
	if (is_new && mode != DB_OPEN_CREATE) {
		vb_error("%s: empty file, not a virtbench database", path);
		goto fail;
	}
	/* WAL lets readers (analyze, report) run while a collector writes. */
	if (exec_sql(db, "PRAGMA journal_mode = WAL", "enable WAL") < 0 ||
	    exec_sql(db, "PRAGMA synchronous = FULL", "set synchronous") < 0 ||
	    exec_sql(db, "PRAGMA foreign_keys = ON", "enable foreign keys") < 0)
		goto fail;
	if (migrate(db) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	db_close(db);
	return -1;
}

int db_close(struct db *db)
{
	int ret = 0;

	if (!db)
		return 0;
	db_rollback(db);
	sqlite3_finalize(db->ins_sample);
	sqlite3_finalize(db->upd_parsed);
	if (db->h && sqlite3_close(db->h) != SQLITE_OK)
		ret = vb_error("%s: close: %s", db->path, sqlite3_errmsg(db->h));
	free(db->path);
	free(db);
	return ret;
}

/* ---- small write helpers ----------------------------------------------- */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no rows, then finalizes it. */
static int step_done(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		db_error(db, what);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Runs a one-row, one-integer-column query; 1 found, 0 none, -1 error. */
static int query_id(struct db *db, sqlite3_stmt *st, int64_t *id, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 1;
	}
	if (rc != SQLITE_DONE)
		db_error(db, what);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- host -------------------------------------------------------------- */

int db_host_ensure(struct db *db, const struct db_host *h, int64_t *id)
{
	sqlite3_stmt *st;
	char now[40];
	int found;

	if (db_prepare(db, &st, "SELECT id FROM host WHERE name = ?1") < 0)
		return -1;
	bind_text(st, 1, h->name);
	found = query_id(db, st, id, "look up host");
	if (found < 0)
		return -1;
	if (h->captured_at)
		snprintf(now, sizeof(now), "%s", h->captured_at);
	else
		vb_now_iso(now, sizeof(now));
	if (!found) {
		if (db_prepare(db, &st,
			       "INSERT INTO host (name, fingerprint, cpu_model, cores,"
			       " memory_bytes, kernel, os, virt_flags, has_kvm, meta,"
			       " captured_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
			       " ?9, coalesce(?10, '{}'), ?11)") < 0)
			return -1;
		bind_text(st, 1, h->name);
		bind_text(st, 2, h->fingerprint);
		bind_text(st, 3, h->cpu_model);
		if (h->cpu_model) {
			sqlite3_bind_int(st, 4, h->cores);
			sqlite3_bind_int64(st, 5, h->memory_bytes);
			sqlite3_bind_int(st, 9, h->has_kvm);
		}
		bind_text(st, 6, h->kernel);
		bind_text(st, 7, h->os);
		bind_text(st, 8, h->virt_flags);
		bind_text(st, 10, h->meta);
		bind_text(st, 11, h->cpu_model ? now : NULL);
		if (step_done(db, st, "insert host") < 0)
			return -1;
		*id = sqlite3_last_insert_rowid(db->h);
		return 0;
	}
	/* Facts are captured once: a host first known by name only (an import)
	 * gets them the first time virtbench runs on it. */
	if (!h->cpu_model)
		return 0;
	if (db_prepare(db, &st,
		       "UPDATE host SET fingerprint = ?2, cpu_model = ?3, cores = ?4,"
		       " memory_bytes = ?5, kernel = ?6, os = ?7, virt_flags = ?8,"
		       " has_kvm = ?9, meta = coalesce(?10, '{}'), captured_at = ?11"
		       " WHERE id = ?1 AND cpu_model IS NULL") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, *id);
	bind_text(st, 2, h->fingerprint);
	bind_text(st, 3, h->cpu_model);
	sqlite3_bind_int(st, 4, h->cores);
	sqlite3_bind_int64(st, 5, h->memory_bytes);
	bind_text(st, 6, h->kernel);
	bind_text(st, 7, h->os);
	bind_text(st, 8, h->virt_flags);
	sqlite3_bind_int(st, 9, h->has_kvm);
	bind_text(st, 10, h->meta);
	bind_text(st, 11, now);
	return step_done(db, st, "update host");
}

int db_host_ensure_named(struct db *db, const char *name, int local, int64_t *id)
{
	struct db_host h = { 0 };
	int ret;

	if (local) {
		db_host_probe(&h, name);
	} else {
		h.name = xstrdup(name);
	}
	ret = db_host_ensure(db, &h, id);
	db_host_clear(&h);
	return ret;
}

/* ---- platform, benchmark ---------------------------------------------- */

int db_platform_ensure(struct db *db, int64_t host_id, const char *name,
		       const char *kind, int64_t *id)
{
	sqlite3_stmt *st;
	int found;

	if (db_prepare(db, &st, "SELECT id FROM platform WHERE host_id = ?1 AND"
				" name = ?2") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, host_id);
	bind_text(st, 2, name);
	found = query_id(db, st, id, "look up platform");
	if (found)
		return found < 0 ? -1 : 0;
	if (db_prepare(db, &st, "INSERT INTO platform (host_id, name, kind)"
				" VALUES (?1, ?2, ?3)") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, host_id);
	bind_text(st, 2, name);
	bind_text(st, 3, kind ? kind : name);
	if (step_done(db, st, "insert platform") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_benchmark_ensure(struct db *db, const char *name, const char *unit,
			const char *direction, int64_t *id)
{
	sqlite3_stmt *st;
	int found;

	if (db_prepare(db, &st, "SELECT id, unit, direction FROM benchmark"
				" WHERE name = ?1") < 0)
		return -1;
	bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *u = (const char *)sqlite3_column_text(st, 1);
		const char *d = (const char *)sqlite3_column_text(st, 2);
		int same = u && d && !strcmp(u, unit) && !strcmp(d, direction);

		*id = sqlite3_column_int64(st, 0);
		if (!same)
			vb_error("%s: benchmark '%s' is stored as %s (%s is better), "
				 "not %s (%s is better)", db->path, name,
				 u ? u : "?", d ? d : "?", unit, direction);
		sqlite3_finalize(st);
		return same ? 0 : -1;
	}
	sqlite3_finalize(st);
	if (db_prepare(db, &st, "INSERT INTO benchmark (name, unit, direction)"
				" VALUES (?1, ?2, ?3)") < 0)
		return -1;
	bind_text(st, 1, name);
	bind_text(st, 2, unit);
	bind_text(st, 3, direction);
	if (step_done(db, st, "insert benchmark") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db->h);
	found = 0;
	return found;
}

/* ---- run --------------------------------------------------------------- */

int db_run_create(struct db *db, struct db_run *r, int64_t *id)
{
	sqlite3_stmt *st;
	char now[40];

	if (!r->uuid[0] && vb_uuid(r->uuid) < 0)
		return -1;
	if (db_prepare(db, &st,
		       "INSERT INTO run (uuid, host_id, suite, params, seed,"
		       " tool_version, command_line, started_at, status, source,"
		       " source_sha256) VALUES (?1, ?2, ?3, coalesce(?4, '{}'), ?5,"
		       " ?6, ?7, ?8, ?9, ?10, ?11)") < 0)
		return -1;
	bind_text(st, 1, r->uuid);
	sqlite3_bind_int64(st, 2, r->host_id);
	bind_text(st, 3, r->suite);
	bind_text(st, 4, r->params);
	if (r->has_seed)
		sqlite3_bind_int64(st, 5, r->seed);
	bind_text(st, 6, "virtbench " VB_VERSION);
	bind_text(st, 7, r->command_line);
	bind_text(st, 8, r->started_at ? r->started_at : vb_now_iso(now, sizeof(now)));
	bind_text(st, 9, r->status ? r->status : "running");
	bind_text(st, 10, r->source);
	bind_text(st, 11, r->source_sha256);
	if (step_done(db, st, "create run") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_run_find(struct db *db, const char *uuid, int64_t *id)
{
	sqlite3_stmt *st;
	int n = 0, rc;
	size_t len = strlen(uuid);

	if (len < 4 || len > 36)
		return vb_error("%s: run id '%s': give the run's UUID (at least "
				"4 characters)", db->path, uuid);
	if (db_prepare(db, &st, "SELECT id FROM run WHERE substr(uuid, 1, ?2) = ?1"
				" LIMIT 2") < 0)
		return -1;
	bind_text(st, 1, uuid);
	sqlite3_bind_int(st, 2, (int)len);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "look up run");
	if (n == 0)
		return vb_error("%s: no run with id '%s'", db->path, uuid);
	if (n > 1)
		return vb_error("%s: run id '%s' is ambiguous; give more of the "
				"UUID", db->path, uuid);
	return 0;
}

int db_run_finish(struct db *db, int64_t run_id, const char *status)
{
	sqlite3_stmt *st;
	char now[40];

	if (db_prepare(db, &st, "UPDATE run SET status = ?2, ended_at = ?3"
				" WHERE id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	bind_text(st, 2, status);
	bind_text(st, 3, vb_now_iso(now, sizeof(now)));
	return step_done(db, st, "finish run");
}

int db_run_platform_set(struct db *db, int64_t run_id, int64_t platform_id,
			const char *config_json, const char *instance_id,
			const char *state, const char *reason)
{
	sqlite3_stmt *st;

	if (db_prepare(db, &st,
		       "INSERT INTO run_platform (run_id, platform_id, config,"
		       " instance_id, state, reason) VALUES (?1, ?2,"
		       " coalesce(?3, '{}'), ?4, coalesce(?5, 'ok'), ?6)"
		       " ON CONFLICT (run_id, platform_id) DO UPDATE SET"
		       " config = excluded.config, instance_id = excluded.instance_id,"
		       " state = excluded.state, reason = excluded.reason") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, platform_id);
	bind_text(st, 3, config_json);
	bind_text(st, 4, instance_id);
	bind_text(st, 5, state);
	bind_text(st, 6, reason);
	return step_done(db, st, "record platform configuration");
}

/* ---- sample ------------------------------------------------------------ */

int db_sample_insert(struct db *db, const struct db_sample *s)
{
	/* Cached: the collector and importers insert many samples through the
	 * same connection, and preparing dominates a single-row insert. */
	static const char sql[] =
		"INSERT INTO sample (run_id, platform_id, benchmark_id, repetition,"
		" value, status, raw_output, error, parser, parser_version,"
		" started_at, duration) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11, ?12)";
	sqlite3_stmt *st = db->ins_sample;
	int rc;

	if (!st) {
		if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &st, NULL) != SQLITE_OK)
			return db_error(db, "prepare sample insert");
		db->ins_sample = st;
	}
	sqlite3_bind_int64(st, 1, s->run_id);
	sqlite3_bind_int64(st, 2, s->platform_id);
	sqlite3_bind_int64(st, 3, s->benchmark_id);
	sqlite3_bind_int(st, 4, s->repetition);
	if (s->has_value)
		sqlite3_bind_double(st, 5, s->value);
	/* SQLITE_STATIC: the strings outlive the statement's use, which ends
	 * with the reset below; copying them would cost four mallocs a row. */
	sqlite3_bind_text(st, 6, s->status, -1, SQLITE_STATIC);
	if (s->raw_output)
		sqlite3_bind_text(st, 7, s->raw_output, -1, SQLITE_STATIC);
	if (s->error)
		sqlite3_bind_text(st, 8, s->error, -1, SQLITE_STATIC);
	if (s->parser)
		sqlite3_bind_text(st, 9, s->parser, -1, SQLITE_STATIC);
	if (s->parser)
		sqlite3_bind_int(st, 10, s->parser_version);
	sqlite3_bind_text(st, 11, s->started_at, -1, SQLITE_STATIC);
	if (s->duration >= 0)
		sqlite3_bind_double(st, 12, s->duration);
	/* Outside a transaction this statement is its own transaction: the
	 * sample is durable when sqlite3_step() returns SQLITE_DONE. */
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		db_error(db, "insert sample");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
