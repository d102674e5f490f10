/*
 * db/query.c - the named reads and writes other modules need: the
 * analyzer's catalog and sample scan, the collector's resume and reparse,
 * the report's facts. Every statement is prepared here, so a schema change
 * touches db/ only.
 *
 * Multi-row reads are cursors (struct db_cursor): open, then next until it
 * returns 0; strings in a row are borrowed from SQLite and valid until the
 * next call on the cursor. Workload: the sample scan reads every sample
 * (millions) once per analyze; everything else reads small tables.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db_int.h"

struct db_cursor {
	struct db *db;
	sqlite3_stmt *st;
	const char *what; /* for the error message: "read hosts" */
	/* two-level scans (the samples): st walks the series, inner the
	 * current series' rows */
	sqlite3_stmt *inner;
	int inner_active;
	int load; /* inner also reads the output's instance and host load */
	int64_t run_id, platform_id, benchmark_id;
};

static int cursor_open(struct db *db, const char *sql, const char *what,
		       struct db_cursor **out)
{
	sqlite3_stmt *st;

	*out = NULL;
	if (db_prepare(db, &st, sql) < 0)
		return -1;
	*out = xcalloc(1, sizeof(**out));
	(*out)->db = db;
	(*out)->st = st;
	(*out)->what = what;
	return 0;
}

/* 1: a row, 0: done, -1: error (reported). */
static int cursor_step(struct db_cursor *c)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(c->db, c->what);
}

void db_cursor_close(struct db_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	sqlite3_finalize(c->inner);
	free(c);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* ---- the analyzer's catalog and samples --------------------------------- */

int db_hosts_open(struct db *db, struct db_cursor **out)
{
	return cursor_open(db, "SELECT id, name FROM host ORDER BY id",
			   "read hosts", out);
}

int db_hosts_next(struct db_cursor *c, int64_t *id, const char **name)
{
	int r = cursor_step(c);

	if (r == 1) {
		*id = sqlite3_column_int64(c->st, 0);
		*name = col_text(c->st, 1);
	}
	return r;
}

int db_platforms_open(struct db *db, struct db_cursor **out)
{
	return cursor_open(db, "SELECT id, host_id, name, kind FROM platform "
			   "ORDER BY id", "read platforms", out);
}

int db_platforms_next(struct db_cursor *c, struct db_platform_row *p)
{
	int r = cursor_step(c);

	if (r == 1) {
		p->id = sqlite3_column_int64(c->st, 0);
		p->host_id = sqlite3_column_int64(c->st, 1);
		p->name = col_text(c->st, 2);
		p->kind = col_text(c->st, 3);
	}
	return r;
}

int db_benchmarks_open(struct db *db, struct db_cursor **out)
{
	return cursor_open(db, "SELECT id, name, unit, direction FROM benchmark "
			   "ORDER BY id", "read benchmarks", out);
}

int db_benchmarks_next(struct db_cursor *c, struct db_benchmark_row *b)
{
	int r = cursor_step(c);

	if (r == 1) {
		b->id = sqlite3_column_int64(c->st, 0);
		b->name = col_text(c->st, 1);
		b->unit = col_text(c->st, 2);
		b->direction = col_text(c->st, 3);
	}
	return r;
}

int db_run_order(struct db *db, uint32_t **ord, int64_t *max_id)
{
	struct db_cursor *c = NULL;
	uint32_t n = 0;
	int r;

	*ord = NULL;
	*max_id = 0;
	if (cursor_open(db, "SELECT max(id) FROM run", "read runs", &c) < 0)
		return -1;
	if ((r = cursor_step(c)) == 1)
		*max_id = sqlite3_column_int64(c->st, 0);
	db_cursor_close(c);
	if (r < 0)
		return -1;
	*ord = xcalloc((size_t)*max_id + 1, sizeof(uint32_t));
	if (cursor_open(db, "SELECT id FROM run ORDER BY started_at, id",
			"read runs", &c) < 0)
		goto fail;
	while ((r = cursor_step(c)) == 1) {
		int64_t id = sqlite3_column_int64(c->st, 0);

		if (id >= 0 && id <= *max_id)
			(*ord)[id] = n++;
	}
	db_cursor_close(c);
	if (r == 0)
		return 0;
fail:
	free(*ord);
	*ord = NULL;
	return -1;
}

/* Series by series (run, platform, benchmark), each one row-id range of
 * sample_value in repetition order: per sample only the id, the value and
 * the status code are read (three columns, no join, no arithmetic in SQL;
 * the rest is the series'), which halves the scan's cost. */
int db_samples_open(struct db *db, int64_t run_id, struct db_cursor **out)
{
	struct db_cursor *c;
	int r, load = 0;

	/* Instance and host load live in output: join it only when some
	 * sample in scope has them (collected runs); imports alone keep the
	 * scan on sample_value (the partial index output_load answers). */
	if (cursor_open(db, "SELECT EXISTS (SELECT 1 FROM output INDEXED BY"
			" output_load WHERE (instance IS NOT NULL OR disturbed IS"
			" NOT NULL) AND (?1 = 0 OR run_id = ?1))", "read samples",
			&c) < 0)
		return -1;
	sqlite3_bind_int64(c->st, 1, run_id > 0 ? run_id : 0);
	r = cursor_step(c);
	if (r == 1)
		load = sqlite3_column_int(c->st, 0);
	db_cursor_close(c);
	if (r < 0)
		return -1;
	r = cursor_open(db, "SELECT id, run_id, platform_id, benchmark_id"
			" FROM series WHERE ?1 = 0 OR run_id = ?1 ORDER BY id",
			"read samples", out);
	if (r < 0)
		return -1;
	sqlite3_bind_int64((*out)->st, 1, run_id > 0 ? run_id : 0);
	(*out)->load = load;
	if (db_prepare(db, &(*out)->inner, load ?
		       "SELECT v.id, v.value, v.status, o.instance,"
		       " o.host_other_cpu, o.disturbed FROM sample_value v"
		       " JOIN output o ON o.id = v.output_id"
		       " WHERE v.id >= ?1 AND v.id < ?2" :
		       "SELECT id, value, status FROM"
		       " sample_value WHERE id >= ?1 AND id < ?2") < 0) {
		db_cursor_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int db_samples_next(struct db_cursor *c, struct db_sample_row *s)
{
	for (;;) {
		int r;

		if (c->inner_active) {
			r = sqlite3_step(c->inner);
			if (r == SQLITE_ROW) {
				int64_t id = sqlite3_column_int64(c->inner, 0);

				s->platform_id = c->platform_id;
				s->benchmark_id = c->benchmark_id;
				s->run_id = c->run_id;
				s->repetition = (int)(id & 0xffffffff);
				s->has_value = sqlite3_column_type(c->inner, 1) != SQLITE_NULL;
				s->value = sqlite3_column_double(c->inner, 1);
				s->status = db_status_name(sqlite3_column_int(c->inner, 2));
				if (c->load) {
					s->instance = sqlite3_column_int(c->inner, 3);
					s->has_disturbance = sqlite3_column_type(c->inner, 5) !=
						SQLITE_NULL;
					s->host_other_cpu = sqlite3_column_double(c->inner, 4);
					s->disturbed = sqlite3_column_int(c->inner, 5);
				} else {
					s->instance = 0;
					s->has_disturbance = 0;
					s->host_other_cpu = 0;
					s->disturbed = 0;
				}
				return 1;
			}
			sqlite3_reset(c->inner);
			c->inner_active = 0;
			if (r != SQLITE_DONE)
				return db_error(c->db, c->what);
		}
		r = cursor_step(c);
		if (r <= 0)
			return r;
		{
			int64_t sid = sqlite3_column_int64(c->st, 0);

			c->run_id = sqlite3_column_int64(c->st, 1);
			c->platform_id = sqlite3_column_int64(c->st, 2);
			c->benchmark_id = sqlite3_column_int64(c->st, 3);
			sqlite3_bind_int64(c->inner, 1, sid * DB_SERIES_SHIFT_N);
			sqlite3_bind_int64(c->inner, 2, (sid + 1) * DB_SERIES_SHIFT_N);
			c->inner_active = 1;
		}
	}
}

/* ---- the collector: resume and reparse ------------------------------------ */

int db_run_get(struct db *db, int64_t run_id, struct db_run_info *ri)
{
	struct db_cursor *c;
	int r;

	memset(ri, 0, sizeof(*ri));
	if (cursor_open(db, "SELECT uuid, params, seed, status, host_id"
			" FROM run WHERE id = ?1", "read run", &c) < 0)
		return -1;
	sqlite3_bind_int64(c->st, 1, run_id);
	r = cursor_step(c);
	if (r == 1) {
		snprintf(ri->uuid, sizeof(ri->uuid), "%s", col_text(c->st, 0));
		ri->params = xstrdup(col_text(c->st, 1));
		ri->seed = sqlite3_column_int64(c->st, 2);
		ri->status = xstrdup(col_text(c->st, 3));
		ri->host_id = sqlite3_column_int64(c->st, 4);
	} else if (r == 0) {
		r = db_error(db, "read run");
	}
	db_cursor_close(c);
	return r == 1 ? 0 : -1;
}

void db_run_info_clear(struct db_run_info *ri)
{
	if (!ri)
		return;
	free(ri->params);
	free(ri->status);
	memset(ri, 0, sizeof(*ri));
}

int db_run_mark_resumed(struct db *db, int64_t run_id, const char *params)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "UPDATE run SET params = ?2, status = 'running',"
			       " ended_at = NULL WHERE id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, params, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "mark run resumed");
	return 0;
}

int db_run_samples_open(struct db *db, int64_t run_id, struct db_cursor **out)
{
	int r = cursor_open(db,
			    "SELECT p.name, b.name, s.repetition, s.status, s.value,"
			    " s.instance, coalesce(s.disturbed, 0)"
			    " FROM sample s JOIN platform p ON p.id = s.platform_id"
			    " JOIN benchmark b ON b.id = s.benchmark_id"
			    " WHERE s.run_id = ?1 ORDER BY s.repetition",
			    "read stored samples", out);

	if (r == 0)
		sqlite3_bind_int64((*out)->st, 1, run_id);
	return r;
}

int db_run_samples_next(struct db_cursor *c, struct db_named_sample *s)
{
	int r = cursor_step(c);

	if (r == 1) {
		s->platform = col_text(c->st, 0);
		s->benchmark = col_text(c->st, 1);
		s->repetition = sqlite3_column_int(c->st, 2);
		s->status = col_text(c->st, 3);
		s->value = sqlite3_column_double(c->st, 4);
		s->instance = sqlite3_column_int(c->st, 5);
		s->disturbed = sqlite3_column_int(c->st, 6);
	}
	return r;
}

int db_run_platform_config(struct db *db, int64_t run_id, int64_t platform_id,
			   char **json)
{
	struct db_cursor *c;
	int r;

	*json = NULL;
	if (cursor_open(db, "SELECT config FROM run_platform WHERE"
			" run_id = ?1 AND platform_id = ?2",
			"read platform configuration", &c) < 0)
		return -1;
	sqlite3_bind_int64(c->st, 1, run_id);
	sqlite3_bind_int64(c->st, 2, platform_id);
	r = cursor_step(c);
	if (r == 1)
		*json = xstrdup(col_text(c->st, 0));
	db_cursor_close(c);
	return r < 0 ? -1 : 0;
}

int db_reparse_open(struct db *db, int64_t run_id, struct db_cursor **out)
{
	int r = cursor_open(db,
			    "SELECT id, repetition, status, value, raw_output, parser,"
			    " parser_version, error FROM sample WHERE raw_output IS NOT"
			    " NULL AND parser IS NOT NULL AND (?1 = 0 OR run_id = ?1)"
			    " AND (status <> 'failed' OR error LIKE 'parse: %')",
			    "read samples", out);

	if (r == 0)
		sqlite3_bind_int64((*out)->st, 1, run_id);
	return r;
}

int db_reparse_next(struct db_cursor *c, struct db_raw_sample *s)
{
	int r = cursor_step(c);

	if (r == 1) {
		s->id = sqlite3_column_int64(c->st, 0);
		s->repetition = sqlite3_column_int(c->st, 1);
		s->status = col_text(c->st, 2);
		s->has_value = sqlite3_column_type(c->st, 3) != SQLITE_NULL;
		s->value = sqlite3_column_double(c->st, 3);
		s->raw = col_text(c->st, 4);
		s->raw_len = (size_t)sqlite3_column_bytes(c->st, 4);
		s->parser = col_text(c->st, 5);
		s->parser_version = sqlite3_column_int(c->st, 6);
	}
	return r;
}

int db_sample_set_parsed(struct db *db, int64_t id, int has_value,
			 double value, const char *status, const char *error,
			 int parser_version)
{
	sqlite3_stmt *st = db->upd_parsed;
	int rc;

	if (!st) {
		if (db_prepare(db, &st, "UPDATE sample SET value = ?2, status = ?3,"
				       " error = ?4, parser_version = ?5 WHERE id = ?1") < 0)
			return -1;
		db->upd_parsed = st;
	}
	sqlite3_bind_int64(st, 1, id);
	if (has_value)
		sqlite3_bind_double(st, 2, value);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_TRANSIENT);
	bind_opt_text(st, 4, error);
	sqlite3_bind_int(st, 5, parser_version);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "update sample");
	return 0;
}

/* ---- the report's facts ------------------------------------------------- */

/* The filter the report's reads share: ?1 host name, ?2 run UUID prefix. */
#define FILTER " (?1 IS NULL OR h.name = ?1)" \
	       " AND (?2 IS NULL OR substr(r.uuid, 1, length(?2)) = ?2) "

static int open_filtered(struct db *db, const char *sql, const char *what,
			 const struct db_filter *f, struct db_cursor **out)
{
	if (cursor_open(db, sql, what, out) < 0)
		return -1;
	bind_opt_text((*out)->st, 1, f ? f->host : NULL);
	bind_opt_text((*out)->st, 2, f ? f->run : NULL);
	return 0;
}

int db_report_hosts_open(struct db *db, const struct db_filter *f,
			 struct db_cursor **out)
{
	return open_filtered(db,
		"SELECT h.name, h.cpu_model, h.cores, h.memory_bytes, h.kernel,"
		" h.os, h.virt_flags, h.has_kvm FROM host h"
		" WHERE EXISTS (SELECT 1 FROM run r WHERE r.host_id = h.id AND"
		FILTER ") ORDER BY h.name", "read hosts", f, out);
}

int db_report_hosts_next(struct db_cursor *c, struct db_host_facts *h)
{
	int r = cursor_step(c);

	if (r == 1) {
		h->name = col_text(c->st, 0);
		h->cpu_model = col_text(c->st, 1);
		h->cores = sqlite3_column_int(c->st, 2);
		h->memory_bytes = sqlite3_column_int64(c->st, 3);
		h->kernel = col_text(c->st, 4);
		h->os = col_text(c->st, 5);
		h->virt_flags = col_text(c->st, 6);
		h->has_kvm = sqlite3_column_type(c->st, 7) == SQLITE_NULL ? -1 :
			     sqlite3_column_int(c->st, 7);
	}
	return r;
}

int db_report_runs_open(struct db *db, const struct db_filter *f,
			struct db_cursor **out)
{
	return open_filtered(db,
		"SELECT r.uuid, h.name, r.suite, r.params, r.seed, r.tool_version,"
		" r.command_line, r.started_at, r.ended_at, r.status, r.source"
		" FROM run r JOIN host h ON h.id = r.host_id WHERE" FILTER
		" ORDER BY r.started_at, r.uuid", "read runs", f, out);
}

int db_report_runs_next(struct db_cursor *c, struct db_run_facts *r)
{
	int rc = cursor_step(c);

	if (rc == 1) {
		r->uuid = col_text(c->st, 0);
		r->host = col_text(c->st, 1);
		r->suite = col_text(c->st, 2);
		r->params = col_text(c->st, 3);
		r->has_seed = sqlite3_column_type(c->st, 4) != SQLITE_NULL;
		r->seed = sqlite3_column_int64(c->st, 4);
		r->tool_version = col_text(c->st, 5);
		r->command_line = col_text(c->st, 6);
		r->started_at = col_text(c->st, 7);
		r->ended_at = col_text(c->st, 8);
		r->status = col_text(c->st, 9);
		r->source = col_text(c->st, 10);
	}
	return rc;
}

int db_report_platforms_open(struct db *db, const struct db_filter *f,
			     struct db_cursor **out)
{
	/* Recorded states and configurations, then the platforms of runs that
	 * recorded none (imports) but have samples. The EXISTS probe uses the
	 * sample table's (run, platform, ...) index. */
	return open_filtered(db,
		"SELECT h.name, p.name, p.kind, rp.config, rp.state, rp.reason,"
		" EXISTS (SELECT 1 FROM sample s WHERE s.run_id = rp.run_id"
		"         AND s.platform_id = rp.platform_id)"
		" FROM run_platform rp JOIN run r ON r.id = rp.run_id"
		" JOIN platform p ON p.id = rp.platform_id"
		" JOIN host h ON h.id = p.host_id WHERE" FILTER
		" UNION ALL "
		"SELECT h.name, p.name, p.kind, NULL, 'ok', NULL, 1"
		" FROM run r JOIN host h ON h.id = r.host_id"
		" JOIN platform p ON p.host_id = h.id WHERE" FILTER
		" AND NOT EXISTS (SELECT 1 FROM run_platform rp WHERE rp.run_id = r.id"
		"                 AND rp.platform_id = p.id)"
		" AND EXISTS (SELECT 1 FROM sample s WHERE s.run_id = r.id"
		"             AND s.platform_id = p.id)",
		"read platform configurations", f, out);
}

int db_report_platforms_next(struct db_cursor *c, struct db_platform_facts *p)
{
	int r = cursor_step(c);

	if (r == 1) {
		p->host = col_text(c->st, 0);
		p->name = col_text(c->st, 1);
		p->kind = col_text(c->st, 2);
		p->config = col_text(c->st, 3);
		p->state = col_text(c->st, 4);
		p->reason = col_text(c->st, 5);
		p->has_samples = sqlite3_column_int(c->st, 6);
	}
	return r;
}

int db_report_failures_open(struct db *db, const struct db_filter *f,
			    struct db_cursor **out)
{
	return open_filtered(db,
		"SELECT h.name, p.name, b.name, coalesce(s.error, 'no reason recorded'),"
		" count(*) AS c FROM sample s JOIN run r ON r.id = s.run_id"
		" JOIN platform p ON p.id = s.platform_id"
		" JOIN host h ON h.id = p.host_id"
		" JOIN benchmark b ON b.id = s.benchmark_id"
		" WHERE s.status = 'failed' AND" FILTER
		" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, c DESC, 4",
		"read failed samples", f, out);
}

int db_report_failures_next(struct db_cursor *c, struct db_failure_facts *x)
{
	int r = cursor_step(c);

	if (r == 1) {
		x->host = col_text(c->st, 0);
		x->platform = col_text(c->st, 1);
		x->benchmark = col_text(c->st, 2);
		x->error = col_text(c->st, 3);
		x->count = sqlite3_column_int(c->st, 4);
	}
	return r;
}
