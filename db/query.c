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
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db_int.h"

struct db_cursor {
	struct db *db;
	sqlite3_stmt *st;
	const char *what; /* for the error message: "read hosts" */
	/* the sample scan: st walks the series, inner reads one series'
	 * samples, first and last find its ends */
	sqlite3_stmt *inner, *first, *last;
	sqlite3_stmt *clean, *any_bad; /* see scan_prepare_clean() */
	int load;        /* inner also reads the output's instance and load */
	int64_t series;  /* the current series */
	size_t room;     /* its max_samples: the room the caller gives */
	int warmup;      /* it has repetition 0 */
	int bad;         /* it may have samples that are not ok */
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
	sqlite3_finalize(c->first);
	sqlite3_finalize(c->last);
	sqlite3_finalize(c->clean);
	sqlite3_finalize(c->any_bad);
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

/*
 * The analyzer's scan. Series by series (run, platform, benchmark), runs in
 * start-time order: a series' samples are one row-id range of
 * sample_value, in repetition order. Its values are not returned row by
 * row: one statement per series hands every ok value to an aggregate
 * function (scan_value) that appends it to the caller's array, so the
 * per-row work is SQLite's own loop (read the status, compare, read the
 * value, one C call) without a sqlite3_step() and column accessors per
 * row - less than half the CPU of the row-at-a-time scan. Failed samples
 * are counted by a second function (scan_failed) that the WHERE clause
 * calls only for rows whose status is not ok; a series with none is read
 * without the status (scan_prepare_clean()).
 */
struct scan_sink {
	struct db_series_samples *out;
	size_t room;
	int load;
};

/* The sink of the db_samples_read() running on this thread: the functions
 * below are called only from inside it, so they need no argument for it
 * (a bound pointer would be one more value copied per row). */
static _Thread_local struct scan_sink *scan_current;

/* scan_value(value[, instance, host_other_cpu, disturbed]): appends an ok
 * sample to the current sink. */
static void scan_value_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct scan_sink *k = scan_current;
	struct db_series_samples *o;
	double v;

	if (!k) {
		sqlite3_result_error(ctx, "scan_value: not in a scan", -1);
		return;
	}
	o = k->out;
	v = sqlite3_value_double(argv[0]);
	if (!isfinite(v)) {
		/* SQLite keeps infinities (a NaN is stored as NULL) */
		o->n_nonfinite++;
		return;
	}
	if (o->n == k->room) {
		/* more rows than the highest repetition: cannot happen with
		 * unique row ids, but never write past the caller's room */
		sqlite3_result_error(ctx, "scan: more samples than repetitions", -1);
		return;
	}
	o->values[o->n] = v;
	if (k->load && argc == 4) {
		o->instances[o->n] = sqlite3_value_int(argv[1]);
		o->other_cpu[o->n] = sqlite3_value_double(argv[2]);
		o->disturbed[o->n] = sqlite3_value_type(argv[3]) == SQLITE_NULL ?
			-1 : (signed char)(sqlite3_value_int(argv[3]) != 0);
	}
	o->n++;
}

static void scan_value_final(sqlite3_context *ctx)
{
	sqlite3_result_null(ctx);
}

/* scan_failed(status): counts a sample whose status is not ok; false, so
 * the row goes no further. */
static void scan_failed_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct scan_sink *k = scan_current;

	(void)argc;
	if (!k) {
		sqlite3_result_error(ctx, "scan_failed: not in a scan", -1);
		return;
	}
	if (sqlite3_value_int(argv[0]) != DB_ST_OK)
		k->out->n_failed++;
	sqlite3_result_int(ctx, 0);
}

static int scan_register(struct db *db)
{
	/* DIRECTONLY: not callable from triggers or views of the file */
	int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;

	if (sqlite3_create_function(db->h, "scan_value", 1, flags, NULL, NULL,
				    scan_value_step, scan_value_final) != SQLITE_OK ||
	    sqlite3_create_function(db->h, "scan_value", 4, flags, NULL, NULL,
				    scan_value_step, scan_value_final) != SQLITE_OK ||
	    sqlite3_create_function(db->h, "scan_failed", 1, flags, NULL,
				    scan_failed_fn, NULL, NULL) != SQLITE_OK)
		return db_error(db, "read samples");
	return 0;
}

/*
 * Most series have no sample that is not ok (beyond the warm-up). The
 * partial index sample_value_not_ok (schema 4) lists the others, so such
 * a series is found with one index lookup and read without looking at
 * any status: a fifth less work per row. Without the index (dropped by
 * hand: db_open() migrates every file it opens) every series is read
 * with the status check. Prepares c->clean and c->any_bad, or leaves
 * them NULL.
 */
static int scan_prepare_clean(struct db_cursor *c)
{
	sqlite3_stmt *st;
	int r, have;

	if (db_prepare(c->db, &st, "SELECT count(*) FROM sqlite_schema WHERE"
		       " type = 'index' AND name = 'sample_value_not_ok'") < 0)
		return -1;
	r = sqlite3_step(st);
	have = r == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return db_error(c->db, c->what);
	if (!have)
		return 0;
	if (db_prepare(c->db, &c->any_bad, "SELECT EXISTS (SELECT 1 FROM"
		       " sample_value INDEXED BY sample_value_not_ok"
		       " WHERE status <> 0 AND id > ?1 AND id < ?2)") < 0 ||
	    db_prepare(c->db, &c->clean, c->load ?
		       "SELECT scan_value(v.value, o.instance,"
		       " o.host_other_cpu, o.disturbed) FROM sample_value v"
		       " JOIN output o ON o.id = v.output_id"
		       " WHERE v.id > ?1 AND v.id < ?2" :
		       "SELECT scan_value(value) FROM sample_value"
		       " WHERE id > ?1 AND id < ?2") < 0)
		return -1;
	return 0;
}

/* 1 if series sid has a sample beyond the warm-up that is not ok (or
 * no index tells), 0 if not, -1 on error (reported). */
static int series_any_bad(struct db_cursor *c, int64_t sid)
{
	int r, bad;

	if (!c->any_bad)
		return 1;
	sqlite3_bind_int64(c->any_bad, 1, sid * DB_SERIES_SHIFT_N);
	sqlite3_bind_int64(c->any_bad, 2, (sid + 1) * DB_SERIES_SHIFT_N);
	r = sqlite3_step(c->any_bad);
	bad = r == SQLITE_ROW ? sqlite3_column_int(c->any_bad, 0) : 1;
	sqlite3_reset(c->any_bad);
	if (r != SQLITE_ROW)
		return db_error(c->db, c->what);
	return bad;
}

int db_samples_open(struct db *db, int64_t run_id, struct db_cursor **out)
{
	struct db_cursor *c;
	int r, load = 0;

	*out = NULL;
	if (scan_register(db) < 0)
		return -1;
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
	r = cursor_open(db, "SELECT se.id, se.run_id, se.platform_id,"
			" se.benchmark_id FROM series se JOIN run r ON r.id ="
			" se.run_id WHERE ?1 = 0 OR se.run_id = ?1"
			" ORDER BY r.started_at, r.id, se.id", "read samples", &c);
	if (r < 0)
		return -1;
	sqlite3_bind_int64(c->st, 1, run_id > 0 ? run_id : 0);
	c->load = load;
	/* The warm-up is repetition 0 (the schema allows status warmup
	 * there only); the values are the rows after it. */
	if (db_prepare(db, &c->inner, load ?
		       "SELECT scan_value(v.value, o.instance,"
		       " o.host_other_cpu, o.disturbed) FROM sample_value v"
		       " JOIN output o ON o.id = v.output_id"
		       " WHERE v.id > ?1 AND v.id < ?2"
		       " AND (v.status = 0 OR scan_failed(v.status))" :
		       "SELECT scan_value(value) FROM sample_value"
		       " WHERE id > ?1 AND id < ?2"
		       " AND (status = 0 OR scan_failed(status))") < 0 ||
	    scan_prepare_clean(c) < 0 ||
	    db_prepare(db, &c->last, "SELECT id FROM sample_value WHERE id >= ?1"
		       " AND id < ?2 ORDER BY id DESC LIMIT 1") < 0 ||
	    db_prepare(db, &c->first, "SELECT id FROM sample_value WHERE id >= ?1"
		       " AND id < ?2 ORDER BY id LIMIT 1") < 0) {
		db_cursor_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int db_samples_load(const struct db_cursor *c)
{
	return c->load;
}

/* The row id of the first (last = 0) or last (1) sample of series sid, or
 * -1 when it has none; -2 on error (reported). */
static int64_t series_end(struct db_cursor *c, int64_t sid, int last)
{
	sqlite3_stmt *st = last ? c->last : c->first;
	int64_t id = -1;
	int r;

	sqlite3_bind_int64(st, 1, sid * DB_SERIES_SHIFT_N);
	sqlite3_bind_int64(st, 2, (sid + 1) * DB_SERIES_SHIFT_N);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_error(c->db, c->what) - 1;
	return id;
}

/* Above this highest repetition, a series' rows are counted. */
#define SCAN_COUNT_ABOVE (1u << 24)

/* *n = the number of samples of series sid after its warm-up. */
static int series_count(struct db_cursor *c, int64_t sid, size_t *n)
{
	sqlite3_stmt *st;
	int r;

	if (db_prepare(c->db, &st, "SELECT count(*) FROM sample_value"
		       " WHERE id > ?1 AND id < ?2") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, sid * DB_SERIES_SHIFT_N);
	sqlite3_bind_int64(st, 2, (sid + 1) * DB_SERIES_SHIFT_N);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		db_error(c->db, c->what);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : -1;
}

int db_samples_next_series(struct db_cursor *c, struct db_series *s)
{
	int64_t first, last;
	int r = cursor_step(c);

	if (r <= 0)
		return r;
	s->id = sqlite3_column_int64(c->st, 0);
	s->run_id = sqlite3_column_int64(c->st, 1);
	s->platform_id = sqlite3_column_int64(c->st, 2);
	s->benchmark_id = sqlite3_column_int64(c->st, 3);
	if ((first = series_end(c, s->id, 0)) < -1 ||
	    (last = series_end(c, s->id, 1)) < -1)
		return -1;
	c->series = s->id;
	c->warmup = first == s->id * DB_SERIES_SHIFT_N;
	if ((c->bad = series_any_bad(c, s->id)) < 0)
		return -1;
	s->max_samples = last < 0 ? 0 :
		(size_t)(last - s->id * DB_SERIES_SHIFT_N);
	/* Repetitions are dense in practice; a sparse one (an imported
	 * repetition number in the billions) must not make the caller
	 * reserve gigabytes: then the rows are counted. */
	if (s->max_samples > SCAN_COUNT_ABOVE &&
	    series_count(c, s->id, &s->max_samples) < 0)
		return -1;
	c->room = s->max_samples;
	return 1;
}

int db_samples_read(struct db_cursor *c, struct db_series_samples *out)
{
	struct scan_sink k = { out, c->room, c->load };
	sqlite3_stmt *st = c->bad ? c->inner : c->clean;
	int r;

	out->n = out->n_failed = out->n_nonfinite = 0;
	out->warmup = c->warmup;
	if (!c->room)
		return 0;
	sqlite3_bind_int64(st, 1, c->series * DB_SERIES_SHIFT_N);
	sqlite3_bind_int64(st, 2, (c->series + 1) * DB_SERIES_SHIFT_N);
	scan_current = &k;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		;
	scan_current = NULL;
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_error(c->db, c->what);
	return 0;
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
