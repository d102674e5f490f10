/*
 * db/export.c - writes the stored samples as CSV or JSON.
 *
 * Both formats stream: the series (run, platform, benchmark) are listed in
 * export order, and each series' samples are read as one row-id range, in
 * repetition order, so exporting a million samples needs no sort and no
 * more memory than one row. The order is fixed (run start,
 * run UUID, platform, benchmark, repetition) so that two exports of the same
 * data are byte-identical, which is what the import/export round trip test
 * relies on.
 *
 * CSV: the first nine columns are the contract of DESIGN.md
 * (run,host,platform,benchmark,repetition,value,unit,status,started_at);
 * instance, host_other_cpu, disturbed (empty when not recorded), duration,
 * parser, parser_version and error follow. Raw output is JSON only.
 *
 * JSON: {"format": "virtbench-export", "version": 1, "hosts": [...],
 * "runs": [... with "platforms": [{name, kind, config, ...}]],
 * "samples": [{run, host, platform, benchmark, repetition, value, unit,
 * direction, status, started_at, duration, parser, parser_version, error,
 * raw_output, instance, host_other_cpu, disturbed}]} - re-importable with
 * "virtbench import json".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/safe.h"
#include "common/util.h"
#include "db/db_int.h"

/* The series (run, platform, benchmark) in export order; each series'
 * samples are then one row-id range, read in repetition order, so the
 * export needs no sort of the samples. */
#define SERIES_SELECT \
	"SELECT se.id, r.uuid, h.name, p.name, b.name, b.unit, b.direction" \
	" FROM series se JOIN run r ON r.id = se.run_id" \
	" JOIN host h ON h.id = r.host_id" \
	" JOIN platform p ON p.id = se.platform_id" \
	" JOIN benchmark b ON b.id = se.benchmark_id" \
	" WHERE (?1 IS NULL OR h.name = ?1) AND (?2 IS NULL OR p.name = ?2)" \
	" AND (?3 IS NULL OR substr(r.uuid, 1, length(?3)) = ?3)" \
	" ORDER BY r.started_at, r.uuid, p.name, b.name"
#define VALUE_SELECT \
	"SELECT v.id % 4294967296, v.value, v.status, o.started_at, o.duration," \
	" pa.name, pa.version, v.error, o.text, o.instance, o.host_other_cpu," \
	" o.disturbed FROM sample_value v" \
	" JOIN output o ON o.id = v.output_id" \
	" LEFT JOIN parser pa ON pa.id = o.parser_id" \
	" WHERE v.id >= ?1 * 4294967296 AND v.id < (?1 + 1) * 4294967296" \
	" ORDER BY v.id"

/* One exported sample: columns 0-6 of the series row, 0-11 of the value
 * row. */
typedef void (*row_fn)(FILE *out, sqlite3_stmt *series, sqlite3_stmt *val,
		       int first);

static int prepare_filtered(struct db *db, sqlite3_stmt **st, const char *sql,
			    const struct db_filter *f)
{
	if (db_prepare(db, st, sql) < 0)
		return -1;
	if (f) {
		if (f->host)
			sqlite3_bind_text(*st, 1, f->host, -1, SQLITE_STATIC);
		if (f->platform)
			sqlite3_bind_text(*st, 2, f->platform, -1, SQLITE_STATIC);
		if (f->run)
			sqlite3_bind_text(*st, 3, f->run, -1, SQLITE_STATIC);
	}
	return 0;
}

/* Shortest text that reads back as the same double. */
static void fmt_double(char *buf, size_t size, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void write_time(FILE *out, sqlite3_stmt *st, int i, int quoted)
{
	char t[40];

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		if (quoted)
			fputs("null", out);
		return;
	}
	db_time_text(sqlite3_column_int64(st, i), t, sizeof(t));
	fprintf(out, quoted ? "\"%s\"" : "%s", t);
}

static void csv_num(FILE *out, sqlite3_stmt *st, int i)
{
	char num[40];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return;
	fmt_double(num, sizeof(num), sqlite3_column_double(st, i));
	fputs(num, out);
}

/* Text fields go through the one CSV text rule (common/safe.h): RFC 4180
 * quoting, and formula-looking text neutralised. */
static void csv_text(FILE *out, sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (s)
		vb_csv_text(out, s);
}

static void csv_row(FILE *out, sqlite3_stmt *se, sqlite3_stmt *v, int first)
{
	(void)first;
	/* run,host,platform,benchmark,repetition,value,unit,status,
	 * started_at,instance,host_other_cpu,disturbed,duration,parser,
	 * parser_version,error */
	for (int i = 1; i <= 4; i++) {
		csv_text(out, se, i);
		fputc(',', out);
	}
	fprintf(out, "%lld,", (long long)sqlite3_column_int64(v, 0));
	csv_num(out, v, 1);
	fputc(',', out);
	csv_text(out, se, 5);
	fprintf(out, ",%s,", db_status_name(sqlite3_column_int(v, 2)));
	write_time(out, v, 3, 0);
	fputc(',', out);
	if (sqlite3_column_type(v, 9) != SQLITE_NULL)
		fprintf(out, "%lld", (long long)sqlite3_column_int64(v, 9));
	fputc(',', out);
	csv_num(out, v, 10);
	fputc(',', out);
	if (sqlite3_column_type(v, 11) != SQLITE_NULL)
		fprintf(out, "%lld", (long long)sqlite3_column_int64(v, 11));
	fputc(',', out);
	csv_num(out, v, 4);
	fputc(',', out);
	csv_text(out, v, 5);
	fputc(',', out);
	if (sqlite3_column_type(v, 6) != SQLITE_NULL)
		fprintf(out, "%lld", (long long)sqlite3_column_int64(v, 6));
	fputc(',', out);
	csv_text(out, v, 7);
	fputc('\n', out);
}

/* Calls fn for every sample the filter keeps, in export order. */
static int each_sample(struct db *db, const struct db_filter *f, FILE *out,
		       row_fn fn)
{
	sqlite3_stmt *se, *v;
	int rc, vrc = SQLITE_DONE, first = 1;

	if (prepare_filtered(db, &se, SERIES_SELECT, f) < 0)
		return -1;
	if (db_prepare(db, &v, VALUE_SELECT) < 0) {
		sqlite3_finalize(se);
		return -1;
	}
	while ((rc = sqlite3_step(se)) == SQLITE_ROW) {
		sqlite3_bind_int64(v, 1, sqlite3_column_int64(se, 0));
		while ((vrc = sqlite3_step(v)) == SQLITE_ROW) {
			fn(out, se, v, first);
			first = 0;
		}
		sqlite3_reset(v);
		if (vrc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(se);
	sqlite3_finalize(v);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(db, "export");
	if (vrc != SQLITE_DONE)
		return vb_error("%s: export: %s", db_path(db), sqlite3_errstr(vrc));
	return first ? 1 : 0;
}

int db_export_csv(struct db *db, const struct db_filter *f, FILE *out)
{
	/* After the nine contract columns: instance, host_other_cpu and
	 * disturbed (DESIGN.md "Instances"), then the older extras. */
	fputs("run,host,platform,benchmark,repetition,value,unit,status,"
	      "started_at,instance,host_other_cpu,disturbed,duration,parser,"
	      "parser_version,error\n", out);
	return each_sample(db, f, out, csv_row) < 0 ? -1 : 0;
}

/* ---- JSON --------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void json_col(FILE *out, sqlite3_stmt *st, int i)
{
	char num[40];

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		fputs("null", out);
		break;
	case SQLITE_INTEGER:
		fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		fmt_double(num, sizeof(num), sqlite3_column_double(st, i));
		/* JSON has no NaN; SQLite never stores one (it becomes NULL). */
		fputs(num, out);
		break;
	default:
		json_str(out, (const char *)sqlite3_column_text(st, i));
	}
}

/* A stored JSON text column, embedded as JSON (it was validated on write;
 * if it is somehow not JSON, it is embedded as a string). */
static void json_raw(FILE *out, const char *text)
{
	cJSON *j = text ? cJSON_Parse(text) : NULL;

	if (j) {
		char *s = cJSON_PrintUnformatted(j);

		fputs(s, out);
		cJSON_free(s);
		cJSON_Delete(j);
	} else {
		json_str(out, text);
	}
}

/* Writes the current row's columns as "name": value pairs; a name with a
 * leading '@' marks a column holding JSON text, embedded as JSON. */
static void json_fields(FILE *out, sqlite3_stmt *st, const char *const *names)
{
	for (int i = 0; names[i]; i++) {
		const char *n = names[i];

		if (i)
			fputs(", ", out);
		fprintf(out, "\"%s\": ", *n == '@' ? n + 1 : n);
		if (*n == '@')
			json_raw(out, (const char *)sqlite3_column_text(st, i));
		else
			json_col(out, st, i);
	}
}

/* Writes "key": [ {col: val, ...}, ... ] from a query (see json_fields). */
static int json_table(struct db *db, FILE *out, const char *key, const char *sql,
		      const char *const *names, const struct db_filter *f,
		      int (*nested)(struct db *, FILE *, sqlite3_stmt *))
{
	sqlite3_stmt *st;
	int rc, first = 1;

	if (prepare_filtered(db, &st, sql, f) < 0)
		return -1;
	fprintf(out, "  \"%s\": [", key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(first ? "\n    {" : ",\n    {", out);
		first = 0;
		json_fields(out, st, names);
		if (nested && nested(db, out, st) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		fputc('}', out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "export");
	fputs(first ? "]" : "\n  ]", out);
	return 0;
}

/* The platforms of one run (column 0 of the outer row is its UUID). */
static int run_platforms(struct db *db, FILE *out, sqlite3_stmt *outer)
{
	static const char *const names[] = { "name", "kind", "@config",
					     "instance_id", "state", "reason", NULL };
	sqlite3_stmt *st;
	int rc, first = 1;

	if (db_prepare(db, &st, "SELECT p.name, p.kind, rp.config, rp.instance_id,"
				" rp.state, rp.reason FROM run_platform rp"
				" JOIN run r ON r.id = rp.run_id"
				" JOIN platform p ON p.id = rp.platform_id"
				" WHERE r.uuid = ?1 ORDER BY p.name") < 0)
		return -1;
	sqlite3_bind_value(st, 1, sqlite3_column_value(outer, 0));
	fputs(", \"platforms\": [", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(first ? "{" : ", {", out);
		first = 0;
		json_fields(out, st, names);
		fputc('}', out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "export platforms");
	fputc(']', out);
	return 0;
}

/* The columns of "samples" entries, in this order: run, host, platform,
 * benchmark, repetition, value, unit, status, started_at, duration,
 * parser, parser_version, error, raw_output, direction, instance,
 * host_other_cpu, disturbed. Written field by field rather than from a
 * table: status and started_at are converted, and the fields come from
 * two statements (se: the series, v: its samples). */
static void json_sample(FILE *out, sqlite3_stmt *se, sqlite3_stmt *v, int first)
{
	static const char *const sn[] = { NULL, "run", "host", "platform", "benchmark" };

	fputs(first ? "\n    {" : ",\n    {", out);
	for (int i = 1; i <= 4; i++) {
		fprintf(out, "%s\"%s\": ", i > 1 ? ", " : "", sn[i]);
		json_col(out, se, i);
	}
	fputs(", \"repetition\": ", out);
	json_col(out, v, 0);
	fputs(", \"value\": ", out);
	json_col(out, v, 1);
	fputs(", \"unit\": ", out);
	json_col(out, se, 5);
	fprintf(out, ", \"status\": \"%s\", \"started_at\": ",
		db_status_name(sqlite3_column_int(v, 2)));
	write_time(out, v, 3, 1);
	fputs(", \"duration\": ", out);
	json_col(out, v, 4);
	fputs(", \"parser\": ", out);
	json_col(out, v, 5);
	fputs(", \"parser_version\": ", out);
	json_col(out, v, 6);
	fputs(", \"error\": ", out);
	json_col(out, v, 7);
	fputs(", \"raw_output\": ", out);
	json_col(out, v, 8);
	fputs(", \"direction\": ", out);
	json_col(out, se, 6);
	fputs(", \"instance\": ", out);
	json_col(out, v, 9);
	fputs(", \"host_other_cpu\": ", out);
	json_col(out, v, 10);
	fputs(", \"disturbed\": ", out);
	json_col(out, v, 11);
	fputc('}', out);
}

int db_export_json(struct db *db, const struct db_filter *f, FILE *out)
{
	static const char *const host_names[] = {
		"name", "fingerprint", "cpu_model", "cores", "memory_bytes",
		"kernel", "os", "virt_flags", "has_kvm", "@meta", "captured_at", NULL
	};
	static const char *const run_names[] = {
		"uuid", "host", "suite", "@params", "seed", "tool_version",
		"command_line", "started_at", "ended_at", "status", "source",
		"source_sha256", NULL
	};
	/* Filters apply to samples; hosts and runs follow the samples kept. */
	static const char run_where[] =
		" WHERE (?1 IS NULL OR h.name = ?1)"
		" AND (?3 IS NULL OR substr(r.uuid, 1, length(?3)) = ?3)"
		" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM run_platform rp JOIN"
		" platform p ON p.id = rp.platform_id WHERE rp.run_id = r.id AND"
		" p.name = ?2))";
	char *host_sql = xasprintf(
		"SELECT h.name, h.fingerprint, h.cpu_model, h.cores, h.memory_bytes,"
		" h.kernel, h.os, h.virt_flags, h.has_kvm, h.meta, h.captured_at"
		" FROM host h WHERE EXISTS (SELECT 1 FROM run r%s AND r.host_id = h.id)"
		" ORDER BY h.name", run_where);
	char *run_sql = xasprintf(
		"SELECT r.uuid, h.name, r.suite, r.params, r.seed, r.tool_version,"
		" r.command_line, r.started_at, r.ended_at, r.status, r.source,"
		" r.source_sha256 FROM run r JOIN host h ON h.id = r.host_id%s"
		" ORDER BY r.started_at, r.uuid", run_where);
	int ret = -1, rc;

	fputs("{\n  \"format\": \"virtbench-export\",\n  \"version\": 1,\n", out);
	if (json_table(db, out, "hosts", host_sql, host_names, f, NULL) < 0)
		goto out;
	fputs(",\n", out);
	if (json_table(db, out, "runs", run_sql, run_names, f, run_platforms) < 0)
		goto out;
	fputs(",\n", out);
	fputs("  \"samples\": [", out);
	rc = each_sample(db, f, out, json_sample);
	if (rc < 0)
		goto out;
	fputs(rc ? "]" : "\n  ]", out);
	fputs("\n}\n", out);
	ret = 0;
out:
	free(host_sql);
	free(run_sql);
	return ret;
}
