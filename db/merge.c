/*
 * db/merge.c - "db merge" (bring runs from another host's database in) and
 * "db check" (integrity and invariants).
 *
 * Merge attaches the other file read-only and copies, in one transaction,
 * every run whose UUID (or imported source file) is not already here, with
 * the hosts, platforms, benchmarks, platform configurations and samples it
 * references. Everything is matched by natural key (host name, platform
 * name within its host, benchmark name, run UUID), never by row id, since
 * ids differ between files. Merging the same file twice adds nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db_int.h"

static int exec_step(struct db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, what);
	return 0;
}

/* Checks that the attached file is a virtbench database of our version. */
static int check_other(struct db *db, const char *other)
{
	sqlite3_stmt *st;
	int appid = -1, version = -1;

	if (db_prepare(db, &st, "PRAGMA o.application_id") < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		appid = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (db_prepare(db, &st, "PRAGMA o.user_version") < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (appid != DB_APPLICATION_ID)
		return vb_error("%s: not a virtbench database", other);
	if (version != DB_SCHEMA_VERSION)
		return vb_error("%s: schema version %d, this virtbench writes %d; "
				"open it once with this virtbench (e.g. 'virtbench "
				"--db %s db check') to migrate it, then merge",
				other, version, DB_SCHEMA_VERSION, other);
	return 0;
}

/*
 * The copy, step by step, inside one transaction; each row is
 * { SQL, what failed }. merge_runs names the other file's runs to copy;
 * merge_series and merge_map translate its series and output ids to ours.
 */
static const char *const merge_steps[][2] = {
	{ "CREATE TEMP TABLE merge_runs AS SELECT r.id AS oid, r.uuid"
	  " FROM o.run r WHERE NOT EXISTS (SELECT 1 FROM main.run m WHERE"
	  " m.uuid = r.uuid OR m.source_sha256 = r.source_sha256)",
	  "select new runs" },
	{ "INSERT INTO main.host (name, fingerprint, cpu_model, cores,"
	  " memory_bytes, kernel, os, virt_flags, has_kvm, meta, captured_at)"
	  " SELECT h.name, h.fingerprint, h.cpu_model, h.cores, h.memory_bytes,"
	  " h.kernel, h.os, h.virt_flags, h.has_kvm, h.meta, h.captured_at"
	  " FROM o.host h WHERE h.name NOT IN (SELECT name FROM main.host)",
	  "copy hosts" },
	/* A host known here by name only gets its facts from the other. */
	{ "UPDATE main.host AS m SET fingerprint = h.fingerprint,"
	  " cpu_model = h.cpu_model, cores = h.cores,"
	  " memory_bytes = h.memory_bytes, kernel = h.kernel, os = h.os,"
	  " virt_flags = h.virt_flags, has_kvm = h.has_kvm, meta = h.meta,"
	  " captured_at = h.captured_at FROM o.host h"
	  " WHERE m.name = h.name AND m.cpu_model IS NULL"
	  " AND h.cpu_model IS NOT NULL", "copy host facts" },
	{ "INSERT INTO main.platform (host_id, name, kind)"
	  " SELECT mh.id, p.name, p.kind FROM o.platform p"
	  " JOIN o.host h ON h.id = p.host_id"
	  " JOIN main.host mh ON mh.name = h.name"
	  " WHERE NOT EXISTS (SELECT 1 FROM main.platform mp"
	  " WHERE mp.host_id = mh.id AND mp.name = p.name)",
	  "copy platforms" },
	{ "INSERT INTO main.benchmark (name, unit, direction)"
	  " SELECT b.name, b.unit, b.direction FROM o.benchmark b"
	  " WHERE b.name NOT IN (SELECT name FROM main.benchmark)",
	  "copy benchmarks" },
	{ "INSERT INTO main.run (uuid, host_id, suite, params, seed,"
	  " tool_version, command_line, started_at, ended_at, status, source,"
	  " source_sha256)"
	  " SELECT r.uuid, mh.id, r.suite, r.params, r.seed, r.tool_version,"
	  " r.command_line, r.started_at, r.ended_at, r.status, r.source,"
	  " r.source_sha256 FROM o.run r JOIN merge_runs n ON n.oid = r.id"
	  " JOIN o.host h ON h.id = r.host_id"
	  " JOIN main.host mh ON mh.name = h.name", "copy runs" },
	{ "INSERT INTO main.run_platform (run_id, platform_id, config,"
	  " instance_id, state, reason)"
	  " SELECT mr.id, mp.id, rp.config, rp.instance_id, rp.state, rp.reason"
	  " FROM o.run_platform rp JOIN merge_runs n ON n.oid = rp.run_id"
	  " JOIN main.run mr ON mr.uuid = n.uuid"
	  " JOIN o.platform p ON p.id = rp.platform_id"
	  " JOIN o.host h ON h.id = p.host_id"
	  " JOIN main.host mh ON mh.name = h.name"
	  " JOIN main.platform mp ON mp.host_id = mh.id AND mp.name = p.name",
	  "copy platform configurations" },
	/* Parsers by (name, version); series, outputs and samples of
	 * the new runs with fresh ids: outputs keep their order shifted
	 * past ours, a sample's id follows its series' new id. */
	{ "INSERT OR IGNORE INTO main.parser (name, version)"
	  " SELECT name, version FROM o.parser", "copy parsers" },
	{ "CREATE TEMP TABLE merge_series (oid INTEGER PRIMARY KEY,"
	  " run_id, platform_id, benchmark_id)", "map series" },
	{ "INSERT INTO merge_series SELECT s.id, mr.id, mp.id, mb.id"
	  " FROM o.series s JOIN merge_runs n ON n.oid = s.run_id"
	  " JOIN main.run mr ON mr.uuid = n.uuid"
	  " JOIN o.platform p ON p.id = s.platform_id"
	  " JOIN o.host h ON h.id = p.host_id"
	  " JOIN main.host mh ON mh.name = h.name"
	  " JOIN main.platform mp ON mp.host_id = mh.id AND mp.name = p.name"
	  " JOIN o.benchmark b ON b.id = s.benchmark_id"
	  " JOIN main.benchmark mb ON mb.name = b.name ORDER BY s.id",
	  "map series" },
	{ "INSERT INTO main.series (run_id, platform_id, benchmark_id)"
	  " SELECT run_id, platform_id, benchmark_id FROM merge_series"
	  " ORDER BY oid", "copy series" },
	{ "CREATE TEMP TABLE merge_map (series_oid INTEGER PRIMARY KEY,"
	  " series_nid, output_shift)", "map series" },
	{ "INSERT INTO merge_map SELECT m.oid, s.id, (SELECT coalesce(max(id),"
	  " 0) FROM main.output) FROM merge_series m JOIN main.series s"
	  " ON s.run_id = m.run_id AND s.platform_id = m.platform_id"
	  " AND s.benchmark_id = m.benchmark_id", "map series" },
	{ "INSERT INTO main.output (id, run_id, started_at, duration,"
	  " parser_id, text, instance, host_other_cpu, disturbed)"
	  " SELECT x.id + (SELECT output_shift FROM merge_map LIMIT 1),"
	  " mr.id, x.started_at, x.duration, mp.id, x.text, x.instance,"
	  " x.host_other_cpu, x.disturbed"
	  " FROM o.output x JOIN merge_runs n ON n.oid = x.run_id"
	  " JOIN main.run mr ON mr.uuid = n.uuid"
	  " LEFT JOIN o.parser p ON p.id = x.parser_id"
	  " LEFT JOIN main.parser mp ON mp.name = p.name"
	  " AND mp.version = p.version ORDER BY x.id", "copy outputs" },
	{ "INSERT INTO main.sample_value (id, value, status, output_id, error)"
	  " SELECT m.series_nid * 4294967296 + v.id % 4294967296, v.value,"
	  " v.status, v.output_id + m.output_shift, v.error"
	  " FROM merge_map m JOIN o.sample_value v"
	  " ON v.id >= m.series_oid * 4294967296"
	  " AND v.id < (m.series_oid + 1) * 4294967296 ORDER BY 1",
	  "copy samples" },
};

/*
 * The URI that opens OTHER read-only, so the merge never modifies or
 * creates it ('%', '?' and '#' are escaped). The caller frees it.
 */
static char *merge_uri(const char *other)
{
	struct sb sb = SB_INIT;

	sb_adds(&sb, "file:");
	for (const char *p = other; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sb_addf(&sb, "%%%02X", (unsigned char)*p);
		else
			sb_addc(&sb, *p);
	}
	sb_adds(&sb, "?mode=ro");
	return sb_detach(&sb);
}

/* Attaches OTHER read-only as schema "o". 0, or -1 with the error said. */
static int merge_attach(struct db *db, const char *other)
{
	sqlite3_stmt *st;
	char *uri = merge_uri(other);
	int rc;

	if (db_prepare(db, &st, "ATTACH DATABASE ?1 AS o") < 0) {
		free(uri);
		return -1;
	}
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		vb_error("%s: cannot open: %s", other, sqlite3_errmsg(db->h));
		free(uri);
		return -1;
	}
	free(uri);
	return 0;
}

/* Benchmarks with the same name must mean the same thing: -1 (said) when
 * one differs in unit or direction between the two files. */
static int merge_check_benchmarks(struct db *db, const char *other)
{
	sqlite3_stmt *st;

	if (db_prepare(db, &st, "SELECT b.name, b.unit, m.unit FROM o.benchmark b"
				" JOIN main.benchmark m ON m.name = b.name WHERE"
				" b.unit <> m.unit OR b.direction <> m.direction") < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		vb_error("%s: benchmark '%s' is in %s there but %s here; not merged",
			 other, sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Counts the runs copied (*added) and those the other file has that were
 * here already (*skipped). */
static int merge_count(struct db *db, int *added, int *skipped)
{
	sqlite3_stmt *st;
	int total = 0;

	if (db_prepare(db, &st, "SELECT (SELECT count(*) FROM merge_runs),"
				" (SELECT count(*) FROM o.run)") < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*added = sqlite3_column_int(st, 0);
		total = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	*skipped = total - *added;
	return 0;
}

/*
 * Copies the attached file's new runs in one transaction and counts them.
 * On failure the transaction is rolled back and the counts are zero.
 */
static int merge_copy(struct db *db, const char *other, int *added,
		      int *skipped)
{
	if (db_begin(db) < 0)
		return -1;
	for (size_t i = 0; i < VB_ARRAY_SIZE(merge_steps); i++)
		if (exec_step(db, merge_steps[i][0], merge_steps[i][1]) < 0)
			goto rollback;
	if (merge_check_benchmarks(db, other) < 0)
		goto rollback;
	if (merge_count(db, added, skipped) < 0)
		goto rollback;
	if (exec_step(db, "DROP TABLE temp.merge_runs; DROP TABLE temp.merge_series;"
		      " DROP TABLE temp.merge_map", "merge") < 0)
		goto rollback;
	return db_commit(db) < 0 ? -1 : 0;
rollback:
	db_rollback(db);
	*added = *skipped = 0;
	return -1;
}

/* Drops what a merge may have left (its temporary tables) and detaches. */
static void merge_detach(struct db *db)
{
	sqlite3_exec(db->h, "DROP TABLE IF EXISTS temp.merge_runs;"
		     " DROP TABLE IF EXISTS temp.merge_series;"
		     " DROP TABLE IF EXISTS temp.merge_map", NULL, NULL, NULL);
	sqlite3_exec(db->h, "DETACH DATABASE o", NULL, NULL, NULL);
}

int db_merge(struct db *db, const char *other_path, int *added, int *skipped)
{
	int ret = -1;

	*added = *skipped = 0;
	if (!strcmp(other_path, db->path))
		return vb_error("%s: cannot merge a database into itself", other_path);
	if (merge_attach(db, other_path) < 0)
		return -1;
	if (check_other(db, other_path) < 0)
		goto detach;
	ret = merge_copy(db, other_path, added, skipped);
detach:
	merge_detach(db);
	return ret;
}

/* ---- check -------------------------------------------------------------- */

int db_check(struct db *db)
{
	/* Each query returns one text row per violation. */
	static const char *const checks[][2] = {
		{ "PRAGMA integrity_check", "integrity" },
		{ "SELECT 'table ' || \"table\" || ' row ' || rowid || ' references"
		  " a missing ' || parent FROM pragma_foreign_key_check",
		  "foreign keys" },
		{ "SELECT 'sample ' || id || ' is ok but has no value' FROM sample"
		  " WHERE status = 'ok' AND value IS NULL", "values" },
		{ "SELECT 'sample ' || id || ' has a non-finite value' FROM sample"
		  " WHERE value IS NOT NULL AND (value <> value OR"
		  " abs(value) > 1.7976931348623157e308)",
		  "values" },
		{ "SELECT 'sample ' || s.id || ' is on platform ' || p.name ||"
		  " ' of another host than its run' FROM sample s"
		  " JOIN run r ON r.id = s.run_id JOIN platform p ON p.id = s.platform_id"
		  " WHERE p.host_id <> r.host_id", "hosts" },
		{ "SELECT 'sample ' || id || ' failed without a reason' FROM sample"
		  " WHERE status = 'failed' AND (error IS NULL OR error = '')",
		  "failures" },
		{ "SELECT 'sample ' || v.id || ' belongs to no series' FROM"
		  " sample_value v WHERE NOT EXISTS (SELECT 1 FROM series s"
		  " WHERE s.id = v.id / 4294967296)", "series" },
		{ "SELECT 'output ' || o.id || ' of run ' || o.run_id || ' has no"
		  " start time' FROM output o WHERE o.started_at IS NULL", "times" },
		{ "SELECT 'run ' || uuid || ' ended before it started' FROM run"
		  " WHERE ended_at IS NOT NULL AND ended_at < started_at", "runs" },
		{ "SELECT 'run ' || uuid || ' is imported but has no source hash'"
		  " FROM run WHERE status = 'imported' AND source_sha256 IS NULL"
		  " AND source IS NOT NULL", "runs" },
		{ "SELECT 'run ' || uuid || ' has invalid params JSON' FROM run"
		  " WHERE json_valid(params) = 0", "runs" },
		{ "SELECT 'platform configuration of run ' || r.uuid || ' is not"
		  " valid JSON' FROM run_platform rp JOIN run r ON r.id = rp.run_id"
		  " WHERE json_valid(rp.config) = 0", "platforms" },
	};
	int problems = 0;

	for (size_t i = 0; i < VB_ARRAY_SIZE(checks); i++) {
		sqlite3_stmt *st;
		int rc;

		if (db_prepare(db, &st, checks[i][0]) < 0)
			return -1;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *msg = (const char *)sqlite3_column_text(st, 0);

			if (i == 0 && msg && !strcmp(msg, "ok"))
				continue;
			printf("%s: %s: %s\n", db->path, checks[i][1], msg ? msg : "?");
			problems++;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(db, checks[i][1]);
	}
	return problems;
}
