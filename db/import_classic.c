/*
 * db/import_classic.c - the classic benchmark.sh CSV importer.
 *
 * Input: one line per run of the classic script, "time,cpu,mem,diskRand,
 * diskSeq" or the same plus ",fork,uplink"; time is the UNIX timestamp the
 * script took with `date +%s` (ISO 8601 UTC is accepted too). An optional
 * header line naming those columns, '#' comments, blank lines and CRLF line
 * ends are accepted. Anything else rejects the whole file: the file is
 * validated completely in memory before the first row is written, and then
 * written in one transaction, so a rejected file leaves no trace.
 *
 * Each line becomes one repetition (1, 2, ...) of every benchmark in one
 * run; the line itself is stored once, as the raw output its samples share.
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/safe.h"
#include "common/util.h"
#include "db/db_int.h"

#define CLASSIC_PARSER "classic-csv"
#define CLASSIC_PARSER_VERSION 1
/* Timestamps must fall between 1990 and 2100: a 2-digit or a millisecond
 * timestamp is a mistake worth reporting, not data. */
#define TIME_MIN 631152000.0
#define TIME_MAX 4102444800.0

const struct db_classic_bench db_classic_benches[6] = {
	{ "cpu", "events/s", "higher" },
	{ "mem", "MiB/s", "higher" },
	{ "diskRand", "MiB/s", "higher" },
	{ "diskSeq", "MiB/s", "higher" },
	{ "fork", "forks/s", "higher" },
	{ "uplink", "Mbit/s", "higher" },
};

struct classic_row {
	const char *line;   /* the line in the file (trimmed): its raw output */
	size_t len;
	int64_t ms;         /* time in milliseconds */
	double time;
	double v[6];
};

static const char *const column_names[7] = {
	"time", "cpu", "mem", "diskRand", "diskSeq", "fork", "uplink"
};

/* A decimal number as the classic script prints it: digits with an
 * optional fraction and exponent (db_parse_decimal, db/number.c). No hex,
 * no "inf"/"nan", no spaces inside, at most 63 characters. Returns 0 and
 * the value, or a negative code: -1 not a number, -2 negative, -3 out of
 * range. */
static int parse_number(const char *s, size_t n, double *out)
{
	int rc;

	if (n >= 64)
		return -3;
	rc = db_parse_decimal(s, n, out);
	return rc == 0 && *out < 0 ? -2 : rc;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff][Z]" (or a space for the T), as UTC. */
static int parse_iso(const char *s, double *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, consumed = 0;
	double frac = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
		   &sec, &consumed) != 6 || consumed != 19)
		return -1;
	p = s + consumed;
	if (*p == '.') {
		char *end;

		frac = strtod(p, &end);
		if (end == p + 1)
			return -1;
		p = end;
	}
	if (*p == 'Z')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (double)timegm(&tm) + frac;
	/* timegm normalises 31 February into March: refuse instead. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	return 0;
}

static int parse_time(const char *s, size_t n, double *out)
{
	char buf[64];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	if (memchr(s, '-', n) && s[0] != '-') {
		memcpy(buf, s, n);
		buf[n] = '\0';
		return parse_iso(buf, out);
	}
	if (parse_number(s, n, out) < 0)
		return -1;
	return *out >= TIME_MIN && *out <= TIME_MAX ? 0 : -1;
}

/* A field of a line: not NUL-terminated, the file's buffer is not changed
 * (the line itself is stored as raw output). */
struct field {
	const char *s;
	size_t n;
};

/* Is this line the optional header? (Names compared case-insensitively.) */
static int is_header(const struct field *f, int n)
{
	if (n != 5 && n != 7)
		return 0;
	for (int i = 0; i < n; i++)
		if (f[i].n != strlen(column_names[i]) ||
		    strncasecmp(f[i].s, column_names[i], f[i].n))
			return 0;
	return 1;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* A row's time in milliseconds, rounded as vb_time_iso() rounds it. */
static int64_t row_ms(double t)
{
	double secs = floor(t);
	int ms = (int)((t - secs) * 1000.0 + 0.5);

	return (int64_t)secs * 1000 + ms;
}

#define REJECT(...) do { vb_error(__VA_ARGS__); goto out; } while (0)

/* Validates the whole buffer into rows, which point into it. */
static int parse_file(const char *path, const char *buf, size_t len,
		      struct classic_row **rows_out, size_t *nrows_out, int *ncols_out)
{
	struct classic_row *rows = NULL;
	size_t nrows = 0, cap = 0;
	int lineno = 0, expect_cols = 0, header_seen = 0, ret = -1;
	const char *p = buf, *end = buf + len;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		if (c == 0 || (c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
			int ln = 1;

			for (size_t j = 0; j < i; j++)
				ln += buf[j] == '\n';
			REJECT("%s:%d: binary data (byte 0x%02x), not a CSV text "
			       "file", path, ln, c);
		}
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end, *t;
		struct field fields[8];
		int n = 0;

		lineno++;
		p = nl ? nl + 1 : end;
		if (e > s && e[-1] == '\r')
			e--;
		if (memchr(s, '\r', (size_t)(e - s)))
			REJECT("%s:%d: stray carriage return inside the line", path,
			       lineno);
		trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		for (t = s; t; n++) {
			const char *comma = memchr(t, ',', (size_t)(e - t));
			const char *fs = t, *fe = comma ? comma : e;

			if (n == 8)
				break;
			trim(&fs, &fe);
			fields[n].s = fs;
			fields[n].n = (size_t)(fe - fs);
			t = comma ? comma + 1 : NULL;
		}
		if (n == 8 || (n != 5 && n != 7))
			REJECT("%s:%d: %s%d fields, expected 5 (time,cpu,mem,diskRand,"
			       "diskSeq) or 7 (...,fork,uplink)", path, lineno,
			       n == 8 ? "more than " : "", n == 8 ? 7 : n);
		if (!header_seen && !nrows && is_header(fields, n)) {
			header_seen = 1;
			expect_cols = n;
			continue;
		}
		if (expect_cols && n != expect_cols)
			REJECT("%s:%d: %d fields, but the %s has %d", path, lineno, n,
			       header_seen ? "header" : "first data line", expect_cols);
		expect_cols = n;
		if (nrows == cap) {
			cap = cap ? cap * 2 : 256;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		struct classic_row *r = &rows[nrows++];

		r->line = s;
		r->len = (size_t)(e - s);
		if (parse_time(fields[0].s, fields[0].n, &r->time) < 0)
			REJECT("%s:%d: field 'time': bad timestamp '%.*s' (expected "
			       "UNIX seconds as from `date +%%s`, or ISO 8601 UTC)",
			       path, lineno, (int)fields[0].n, fields[0].s);
		r->ms = row_ms(r->time);
		for (int i = 1; i < n; i++) {
			int rc = parse_number(fields[i].s, fields[i].n, &r->v[i - 1]);
			int fl = (int)fields[i].n;

			if (rc == -1)
				REJECT("%s:%d: field '%s': not a number: '%.*s'", path,
				       lineno, column_names[i], fl, fields[i].s);
			if (rc == -2)
				REJECT("%s:%d: field '%s': negative throughput %.*s",
				       path, lineno, column_names[i], fl, fields[i].s);
			if (rc == -3)
				REJECT("%s:%d: field '%s': number out of range: '%.*s'",
				       path, lineno, column_names[i], fl, fields[i].s);
			if (r->v[i - 1] == 0)
				REJECT("%s:%d: field '%s': zero throughput (the "
				       "benchmark produced no result)", path, lineno,
				       column_names[i]);
		}
	}
	if (!nrows)
		REJECT("%s:%d: no data lines (%s)", path, lineno ? lineno : 0,
		       lineno ? "only comments, blank lines or a header" : "empty file");
	*rows_out = rows;
	*nrows_out = nrows;
	*ncols_out = expect_cols - 1;
	rows = NULL;
	ret = 0;
out:
	free(rows);
	return ret;
}


/* If a run with this file's hash exists, reports it and returns 1. */
static int already_imported(struct db *db, const char *path, const char *sha)
{
	sqlite3_stmt *st;
	int found = 0;

	if (db_prepare(db, &st, "SELECT uuid, started_at, source FROM run WHERE"
				" source_sha256 = ?1") < 0)
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		vb_error("%s:0: already imported as run %s (same SHA-256 %.12s..., "
			 "from %s)", path, sqlite3_column_text(st, 0), sha,
			 sqlite3_column_text(st, 2));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}


/* One step of a bulk write; finalizes the statement. */
static int bulk_step(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, what);
}

/*
 * Writes the rows: one output per line, shared by the line's samples, then
 * each benchmark's samples in row-id order (series, repetition), so every
 * insert is an append. Each is one INSERT ... SELECT over the rows in
 * memory (db/rows.c). Output ids are assigned here, after the largest one
 * (the write lock is held), so sample k refers to output first + k.
 *
 * Only the first row of each INSERT gets its id; the others get NULL, which
 * SQLite turns into the largest id + 1 - the same number, since the table's
 * last row is the previous one (the outputs and the new run's series come
 * after every existing row) - without the B-tree search an explicit id
 * costs. check_last() confirms the last id is the one expected.
 */
#define FIRST_THEN_NEXT "CASE k WHEN 0 THEN ?2 ELSE NULL END"

static int check_last(struct db *db, int64_t want)
{
	if (sqlite3_last_insert_rowid(db_sqlite(db)) != want)
		return vb_error("%s: bulk insert: row ids are not consecutive "
				"(last %lld, expected %lld)", db_path(db),
				(long long)sqlite3_last_insert_rowid(db_sqlite(db)),
				(long long)want);
	return 0;
}

static int write_samples(struct db *db, int64_t run_id, int64_t platform_id,
			 const int64_t *bench_id, int ncols,
			 const struct classic_row *rows, size_t nrows)
{
	struct db_rows dr = {
		.n = nrows, .stride = sizeof(*rows), .base = (const char *)rows,
		.x = -1, .i = offsetof(struct classic_row, ms),
		.t_ptr = offsetof(struct classic_row, line),
		.t_len = offsetof(struct classic_row, len),
	};
	int64_t parser_id, first = 1, series;
	sqlite3_stmt *st;

	if (db_parser_get(db, CLASSIC_PARSER, CLASSIC_PARSER_VERSION, &parser_id) < 0 ||
	    db_rows_insert_outputs(db, &dr, run_id, parser_id, &first) < 0)
		return -1;
	dr.i = dr.t_ptr = dr.t_len = -1;
	for (int b = 0; b < ncols; b++) {
		if (db_series_get(db, run_id, platform_id, bench_id[b], &series) < 0 ||
		    db_prepare(db, &st, "INSERT INTO sample_value (id, value, status,"
			       " output_id) SELECT " FIRST_THEN_NEXT ", x, 0, ?3 + k"
			       " FROM db_rows(?1) ORDER BY k") < 0)
			return -1;
		dr.x = (ptrdiff_t)(offsetof(struct classic_row, v) + (size_t)b * sizeof(double));
		sqlite3_bind_pointer(st, 1, &dr, "db_rows", NULL);
		sqlite3_bind_int64(st, 2, series * DB_SERIES_SHIFT_N + 1);
		sqlite3_bind_int64(st, 3, first);
		if (bulk_step(db, st, "insert samples") < 0 ||
		    check_last(db, series * DB_SERIES_SHIFT_N + (int64_t)nrows) < 0)
			return -1;
	}
	return 0;
}

int db_import_classic(struct db *db, const char *path, const char *platform_name,
		      const char *host_name, char uuid[37], long *nsamples)
{
	struct sb sb = SB_INIT;
	struct classic_row *rows = NULL;
	size_t nrows = 0;
	char sha[65], *abspath = NULL, *params = NULL;
	int64_t host_id, platform_id, run_id, bench_id[6];
	int local, ret = -1, dup, ncols = 0;
	struct db_run run = { 0 };

	/* The one name rule (common/safe.h); a platform name may have
	 * ':'-separated parts (KIND:LABEL). */
	if (!vb_compound_name_valid(platform_name))
		return vb_error("--platform '%s': not a valid name (%s, parts "
				"joined by ':')", platform_name ? platform_name : "",
				vb_name_rule());
	if (host_name && !vb_compound_name_valid(host_name))
		return vb_error("--host '%s': not a valid name (%s, parts joined "
				"by ':')", host_name, vb_name_rule());
	if (sb_read_file(&sb, path) < 0)
		return vb_error("%s:0: cannot read: %s", path, strerror(errno));
	vb_sha256_hex(sb.buf, sb.len, sha);
	if (parse_file(path, sb.buf, sb.len, &rows, &nrows, &ncols) < 0)
		goto out;

	local = !host_name || !strcmp(host_name, vb_hostname());
	abspath = realpath(path, NULL);
	params = xasprintf("{\"format\":\"classic-csv\",\"columns\":%d,"
			   "\"lines\":%zu}", ncols + 1, nrows);
	if (db_bulk_begin(db) < 0)
		goto out;
	dup = already_imported(db, path, sha);
	if (dup)
		goto rollback;
	if (db_host_ensure_named(db, host_name ? host_name : vb_hostname(), local,
				 &host_id) < 0 ||
	    db_platform_ensure(db, host_id, platform_name,
			       (!strcmp(platform_name, "native") ||
				!strcmp(platform_name, "docker") ||
				!strcmp(platform_name, "kvm") ||
				!strcmp(platform_name, "qemu")) ? platform_name
							       : "unknown",
			       &platform_id) < 0)
		goto rollback;
	for (int i = 0; i < ncols; i++)
		if (db_benchmark_ensure(db, db_classic_benches[i].name,
					db_classic_benches[i].unit,
					db_classic_benches[i].direction,
					&bench_id[i]) < 0)
			goto rollback;
	{
		char t0[40];

		run.host_id = host_id;
		run.suite = "classic";
		run.params = params;
		run.status = "imported";
		run.source = abspath ? abspath : path;
		run.source_sha256 = sha;
		run.started_at = vb_time_iso(rows[0].time, t0, sizeof(t0));
		if (db_run_create(db, &run, &run_id) < 0)
			goto rollback;
	}
	if (write_samples(db, run_id, platform_id, bench_id, ncols, rows, nrows) < 0)
		goto rollback;
	if (db_run_platform_set(db, run_id, platform_id, NULL, NULL, "ok", NULL) < 0)
		goto rollback;
	{
		sqlite3_stmt *st;

		/* The run ended with its last line. */
		if (db_prepare(db, &st, "UPDATE run SET ended_at = ?2 WHERE id = ?1") < 0)
			goto rollback;
		char tl[40];

		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, vb_time_iso(rows[nrows - 1].time, tl, sizeof(tl)),
				  -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(st);

		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_error(db, "finish imported run");
			goto rollback;
		}
	}
	if (db_bulk_end(db, 1) < 0)
		goto out;
	memcpy(uuid, run.uuid, 37);
	*nsamples = (long)nrows * ncols;
	ret = 0;
	goto out;
rollback:
	db_bulk_end(db, 0);
out:
	free(params);
	free(abspath);
	free(rows);
	sb_release(&sb);
	return ret;
}
