/*
 * db/export.c - writes the stored samples as CSV or JSON.
 *
 * Both formats stream row by row from one query, so exporting a million
 * samples needs no more memory than one row. The order is fixed (run start,
 * run UUID, platform, benchmark, repetition) so that two exports of the same
 * data are byte-identical, which is what the import/export round trip test
 * relies on.
 *
 * CSV: the first nine columns are the contract of DESIGN.md
 * (run,host,platform,benchmark,repetition,value,unit,status,started_at);
 * duration, parser, parser_version and error follow. Raw output is JSON only.
 *
 * JSON: {"format": "virtbench-export", "version": 1, "hosts": [...],
 * "runs": [... with "platforms": [{name, kind, config, ...}]],
 * "samples": [{run, host, platform, benchmark, repetition, value, unit,
 * direction, status, started_at, duration, parser, parser_version, error,
 * raw_output}]} - re-importable with "virtbench import json".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db_int.h"

#define SAMPLE_SELECT \
	"SELECT r.uuid, h.name, p.name, b.name, s.repetition, s.value, b.unit," \
	" s.status, s.started_at, s.duration, s.parser, s.parser_version," \
	" s.error, s.raw_output, b.direction" \
	" FROM sample s JOIN run r ON r.id = s.run_id" \
	" JOIN host h ON h.id = r.host_id" \
	" JOIN platform p ON p.id = s.platform_id" \
	" JOIN benchmark b ON b.id = s.benchmark_id" \
	" WHERE (?1 IS NULL OR h.name = ?1) AND (?2 IS NULL OR p.name = ?2)" \
	" AND (?3 IS NULL OR substr(r.uuid, 1, length(?3)) = ?3)" \
	" ORDER BY r.started_at, r.uuid, p.name, b.name, s.repetition"

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

/* A CSV field, quoted only when it must be (RFC 4180). */
static void csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
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

int db_export_csv(struct db *db, const struct db_filter *f, FILE *out)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare_filtered(db, &st, SAMPLE_SELECT, f) < 0)
		return -1;
	fputs("run,host,platform,benchmark,repetition,value,unit,status,"
	      "started_at,duration,parser,parser_version,error\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char num[40];

		for (int i = 0; i <= 12; i++) {
			if (i)
				fputc(',', out);
			if (sqlite3_column_type(st, i) == SQLITE_NULL)
				continue;
			if (i == 5 || i == 9) {
				fmt_double(num, sizeof(num), sqlite3_column_double(st, i));
				fputs(num, out);
			} else {
				csv_field(out, (const char *)sqlite3_column_text(st, i));
			}
		}
		fputc('\n', out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "export");
	return 0;
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
	static const char *const sample_names[] = {
		"run", "host", "platform", "benchmark", "repetition", "value",
		"unit", "status", "started_at", "duration", "parser",
		"parser_version", "error", "raw_output", "direction", NULL
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
	int ret = -1;

	fputs("{\n  \"format\": \"virtbench-export\",\n  \"version\": 1,\n", out);
	if (json_table(db, out, "hosts", host_sql, host_names, f, NULL) < 0)
		goto out;
	fputs(",\n", out);
	if (json_table(db, out, "runs", run_sql, run_names, f, run_platforms) < 0)
		goto out;
	fputs(",\n", out);
	if (json_table(db, out, "samples", SAMPLE_SELECT, sample_names, f, NULL) < 0)
		goto out;
	fputs("\n}\n", out);
	ret = 0;
out:
	free(host_sql);
	free(run_sql);
	return ret;
}
