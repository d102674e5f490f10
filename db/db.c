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
#include <math.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

int db_busy_ms = 5000;

int db_error(struct db *db, const char *what)
{
	int code = sqlite3_extended_errcode(db->h);

	if ((code & 0xff) == SQLITE_READONLY)
		return vb_error("%s: %s: the database is read-only here (read-only "
				"media, or not writable by this user)", db->path, what);
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

int db_bulk_begin(struct db *db)
{
	/* Only outside a transaction does this pragma take effect. */
	if (exec_sql(db, "PRAGMA foreign_keys = OFF", "bulk write") < 0)
		return -1;
	if (db_begin(db) < 0) {
		exec_sql(db, "PRAGMA foreign_keys = ON", "bulk write");
		return -1;
	}
	return 0;
}

int db_bulk_end(struct db *db, int commit)
{
	int ret = 0;

	if (commit)
		ret = db_commit(db);
	else
		db_rollback(db);
	if (exec_sql(db, "PRAGMA foreign_keys = ON", "bulk write") < 0)
		ret = -1;
	return ret;
}

void db_rollback(struct db *db)
{
	if (db->in_tx)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
	/* Rows created in the transaction are gone: forget their ids. */
	db->last_series = 0;
	free(db->last_parser);
	db->last_parser = NULL;
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
	/* Changed under us to something no migration starts from. */
	if (version < 0) {
		vb_error("%s: schema version %d is not one virtbench ever wrote "
			 "(a damaged or foreign file)", db->path, version);
		db_rollback(db);
		return -1;
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
	if (version < 0)
		return vb_error("%s: schema version %d is not one virtbench ever "
				"wrote (a damaged or foreign file)", db->path, version);
	if (version > DB_SCHEMA_VERSION)
		return vb_error("%s: schema version %d is newer than this "
				"virtbench (%s) supports (%d); upgrade virtbench",
				db->path, version, VB_VERSION, DB_SCHEMA_VERSION);
	return 0;
}

/* 1 if this process cannot write the database (read-only media, or no
 * write permission on the file, or on its directory where SQLite must
 * create the -wal and -shm files next to it). */
static int cannot_write(const char *path)
{
	char *copy, *dir, *shm;
	int no;

	if (access(path, W_OK) < 0)
		return errno == EROFS || errno == EACCES || errno == EPERM;
	copy = xstrdup(path);
	dir = dirname(copy);
	shm = xasprintf("%s-shm", path);
	no = access(shm, F_OK) < 0 && access(dir, W_OK | X_OK) < 0;
	free(shm);
	free(copy);
	return no;
}

/* "file:" URI for path with immutable=1: everything but unreserved
 * characters and '/' percent-encoded. Owned. */
static char *immutable_uri(const char *path)
{
	struct sb sb = SB_INIT;

	sb_init(&sb);
	sb_adds(&sb, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
			sb_addc(&sb, (char)*p);
		else
			sb_addf(&sb, "%%%02X", *p);
	}
	sb_adds(&sb, "?immutable=1");
	return sb_detach(&sb);
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
		/* Created here, 0600 from the first moment (SQLite would
		 * make it 0644, and gives -wal and -shm the file's mode):
		 * samples, hosts and command lines are not others' to read. */
		{
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				      O_CLOEXEC, 0600);

			if (fd < 0) {
				vb_error("%s: cannot create database: %s", path,
					 strerror(errno));
				goto fail;
			}
			close(fd);
		}
	} else if (S_ISDIR(stbuf.st_mode)) {
		vb_error("%s: not a virtbench database (a directory)", path);
		goto fail;
	} else if (cannot_write(path)) {
		/* Read-only media or someone else's file: still readable. */
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
		db->readonly = 1;
	}
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		vb_error("%s: cannot open database: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	if (db->readonly) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db->h, "SELECT count(*) FROM sqlite_schema",
					    -1, &st, NULL);

		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		sqlite3_finalize(st);
		/* A WAL database whose -shm cannot be created: read the main
		 * file as it is (a cleanly closed database has no WAL left). */
		if (rc != SQLITE_ROW) {
			char *uri = immutable_uri(path);

			sqlite3_close(db->h);
			db->h = NULL;
			rc = sqlite3_open_v2(uri, &db->h, flags, NULL);
			free(uri);
			if (rc != SQLITE_OK) {
				vb_error("%s: cannot open database read-only: %s", path,
					 db->h ? sqlite3_errmsg(db->h) : "out of memory");
				goto fail;
			}
		}
	}
	sqlite3_extended_result_codes(db->h, 1);
	if (db_rows_register(db->h) != SQLITE_OK) {
		db_error(db, "register db_rows");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, db_busy_ms);
	if (check_identity(db, &is_new) < 0)
		goto fail;
	if (is_new && mode != DB_OPEN_CREATE) {
		vb_error("%s: empty file, not a virtbench database", path);
		goto fail;
	}
	if (db->readonly) {
		int version;

		if (pragma_int(db, "PRAGMA user_version", &version) < 0) {
			db_error(db, "read schema version");
			goto fail;
		}
		if (version < DB_SCHEMA_VERSION) {
			vb_error("%s: schema version %d must be migrated to %d, but "
				 "the database is read-only here", path, version,
				 DB_SCHEMA_VERSION);
			goto fail;
		}
		*out = db;
		return 0;
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
	sqlite3_finalize(db->ins_value);
	sqlite3_finalize(db->ins_output);
	sqlite3_finalize(db->get_series);
	sqlite3_finalize(db->ins_series);
	sqlite3_finalize(db->get_parser);
	sqlite3_finalize(db->ins_parser);
	free(db->last_parser);
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

int db_platform_last_config(struct db *db, int64_t platform_id, int64_t run_id,
			    char **config)
{
	sqlite3_stmt *st;
	int rc;

	*config = NULL;
	if (db_prepare(db, &st,
		       "SELECT rp.config FROM run_platform rp JOIN run r ON"
		       " r.id = rp.run_id WHERE rp.platform_id = ?1 AND"
		       " (?2 <= 0 OR rp.run_id = ?2) AND rp.config <> '{}'"
		       " ORDER BY r.started_at DESC, r.id DESC LIMIT 1") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, platform_id);
	sqlite3_bind_int64(st, 2, run_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		*config = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, "read platform configuration");
	return 0;
}

/* ---- sample ------------------------------------------------------------ */

int db_status_code(const char *status)
{
	if (!status)
		return -1;
	if (!strcmp(status, "ok"))
		return DB_ST_OK;
	if (!strcmp(status, "failed"))
		return DB_ST_FAILED;
	if (!strcmp(status, "warmup"))
		return DB_ST_WARMUP;
	return -1;
}

const char *db_status_name(int code)
{
	return code == DB_ST_OK ? "ok" : code == DB_ST_FAILED ? "failed" : "warmup";
}

/* Prepares a statement once per connection (finalized by db_close). */
static int cached(struct db *db, sqlite3_stmt **st, const char *sql)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK) {
		*st = NULL;
		return db_error(db, "prepare");
	}
	return 0;
}

/* Steps a cached statement expected to finish; resets it. */
static int step_reset(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, what);
	return 0;
}

int db_series_get(struct db *db, int64_t run_id, int64_t platform_id,
		  int64_t benchmark_id, int64_t *id)
{
	int rc;

	if (db->last_series && db->last_run == run_id &&
	    db->last_plat == platform_id && db->last_bench == benchmark_id) {
		*id = db->last_series;
		return 0;
	}
	if (cached(db, &db->get_series, "SELECT id FROM series WHERE run_id = ?1"
		   " AND platform_id = ?2 AND benchmark_id = ?3") < 0)
		return -1;
	sqlite3_bind_int64(db->get_series, 1, run_id);
	sqlite3_bind_int64(db->get_series, 2, platform_id);
	sqlite3_bind_int64(db->get_series, 3, benchmark_id);
	rc = sqlite3_step(db->get_series);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(db->get_series, 0);
		sqlite3_reset(db->get_series);
	} else {
		sqlite3_reset(db->get_series);
		if (rc != SQLITE_DONE)
			return db_error(db, "look up series");
		if (cached(db, &db->ins_series, "INSERT INTO series (run_id,"
			   " platform_id, benchmark_id) VALUES (?1, ?2, ?3)") < 0)
			return -1;
		sqlite3_bind_int64(db->ins_series, 1, run_id);
		sqlite3_bind_int64(db->ins_series, 2, platform_id);
		sqlite3_bind_int64(db->ins_series, 3, benchmark_id);
		if (step_reset(db, db->ins_series, "insert series") < 0)
			return -1;
		*id = sqlite3_last_insert_rowid(db->h);
	}
	db->last_run = run_id;
	db->last_plat = platform_id;
	db->last_bench = benchmark_id;
	db->last_series = *id;
	return 0;
}

int db_parser_get(struct db *db, const char *name, int version, int64_t *id)
{
	int rc;

	*id = 0;
	if (!name)
		return 0;
	if (db->last_parser && db->last_parser_version == version &&
	    !strcmp(db->last_parser, name)) {
		*id = db->last_parser_id;
		return 0;
	}
	if (cached(db, &db->get_parser, "SELECT id FROM parser WHERE name = ?1"
		   " AND version = ?2") < 0)
		return -1;
	sqlite3_bind_text(db->get_parser, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(db->get_parser, 2, version);
	rc = sqlite3_step(db->get_parser);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(db->get_parser, 0);
		sqlite3_reset(db->get_parser);
	} else {
		sqlite3_reset(db->get_parser);
		if (rc != SQLITE_DONE)
			return db_error(db, "look up parser");
		if (cached(db, &db->ins_parser, "INSERT INTO parser (name, version)"
			   " VALUES (?1, ?2)") < 0)
			return -1;
		sqlite3_bind_text(db->ins_parser, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int(db->ins_parser, 2, version);
		if (step_reset(db, db->ins_parser, "insert parser") < 0)
			return -1;
		*id = sqlite3_last_insert_rowid(db->h);
	}
	free(db->last_parser);
	db->last_parser = xstrdup(name);
	db->last_parser_version = version;
	db->last_parser_id = *id;
	return 0;
}

int db_output_add(struct db *db, int64_t run_id, int64_t started_ms,
		  double duration, int64_t parser_id, const char *text, int len,
		  int64_t *id)
{
	sqlite3_stmt *st;

	if (cached(db, &db->ins_output, "INSERT INTO output (run_id, started_at,"
		   " duration, parser_id, text) VALUES (?1, ?2, ?3, ?4, ?5)") < 0)
		return -1;
	st = db->ins_output;
	sqlite3_bind_int64(st, 1, run_id);
	if (started_ms >= 0)
		sqlite3_bind_int64(st, 2, started_ms);
	if (duration >= 0)
		sqlite3_bind_double(st, 3, duration);
	if (parser_id > 0)
		sqlite3_bind_int64(st, 4, parser_id);
	/* SQLITE_STATIC: the text outlives the step; copying would cost a
	 * malloc per row. */
	if (text)
		sqlite3_bind_text(st, 5, text, len, SQLITE_STATIC);
	if (step_reset(db, st, "insert output") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_value_add(struct db *db, int64_t series_id, int repetition, int has_value,
		 double value, int status, int64_t output_id, const char *error)
{
	sqlite3_stmt *st;

	if (repetition < 0 || repetition > DB_REP_MAX)
		return vb_error("%s: repetition %d out of range", db->path, repetition);
	if (cached(db, &db->ins_value, "INSERT INTO sample_value (id, value,"
		   " status, output_id, error) VALUES (?1, ?2, ?3, ?4, ?5)") < 0)
		return -1;
	st = db->ins_value;
	sqlite3_bind_int64(st, 1, series_id * DB_SERIES_SHIFT_N + repetition);
	if (has_value)
		sqlite3_bind_double(st, 2, value);
	sqlite3_bind_int(st, 3, status);
	sqlite3_bind_int64(st, 4, output_id);
	if (error)
		sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
	return step_reset(db, st, "insert sample");
}

/* The instance and host load of a new output (collected samples only, so
 * the bulk importers do not pay for it). */
static int output_set_load(struct db *db, int64_t id, const struct db_sample *s)
{
	sqlite3_stmt *st;

	if (s->instance <= 0 && !s->has_disturbance)
		return 0;
	if (db_prepare(db, &st, "UPDATE output SET instance = ?2,"
		       " host_other_cpu = ?3, disturbed = ?4 WHERE id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (s->instance > 0)
		sqlite3_bind_int(st, 2, s->instance);
	if (s->has_disturbance && isfinite(s->host_other_cpu))
		sqlite3_bind_double(st, 3, s->host_other_cpu);
	if (s->has_disturbance)
		sqlite3_bind_int(st, 4, s->disturbed ? 1 : 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_error(db, "record the sample's instance and host load");
	}
	sqlite3_finalize(st);
	return 0;
}

int db_sample_insert_shared(struct db *db, const struct db_sample *s,
			    int64_t *output_id)
{
	int64_t series, parser, out, ms = -1;
	int status = db_status_code(s->status), own_tx = !db->in_tx;

	if (status < 0)
		return vb_error("%s: sample status '%s' is not ok, failed or warmup",
				db->path, s->status ? s->status : "");
	if (s->started_at && db_time_ms(s->started_at, &ms) < 0)
		return vb_error("%s: sample start time '%s' is not an ISO 8601 "
				"UTC time", db->path, s->started_at);
	/* Outside a transaction the rows of one sample commit together: the
	 * sample is durable, and whole, when this returns 0. */
	if (own_tx && db_begin(db) < 0)
		return -1;
	if (db_series_get(db, s->run_id, s->platform_id, s->benchmark_id,
			  &series) < 0)
		goto fail;
	if (!output_id || *output_id <= 0) {
		if (db_parser_get(db, s->parser, s->parser_version, &parser) < 0 ||
		    db_output_add(db, s->run_id, ms, s->duration, parser,
				  s->raw_output, -1, &out) < 0 ||
		    output_set_load(db, out, s) < 0)
			goto fail;
		if (output_id)
			*output_id = out;
	} else {
		out = *output_id;
	}
	if (db_value_add(db, series, s->repetition, s->has_value, s->value,
			 status, out, s->error) < 0)
		goto fail;
	if (own_tx && db_commit(db) < 0)
		return -1;
	return 0;
fail:
	if (own_tx)
		db_rollback(db);
	return -1;
}

int db_sample_insert(struct db *db, const struct db_sample *s)
{
	return db_sample_insert_shared(db, s, NULL);
}

/* ---- time ---------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int db_time_ms(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, frac = 0;
	const char *p;

	if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		int n = 0, scale = 100;

		for (p++; *p >= '0' && *p <= '9'; p++, n++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
		if (!n)
			return -1;
	}
	if (*p == 'Z')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60 ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 || y % 400 == 0))))
		return -1;
	*ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL +
	      sec * 1000LL + frac;
	return *ms >= 0 ? 0 : -1;
}

char *db_time_text(int64_t ms, char *buf, size_t size)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return buf;
}
