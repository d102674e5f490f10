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
 * run; the line itself is kept as each sample's raw output.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	int lineno;
	int ncols;          /* benchmark columns: 4 or 6 */
	double time;
	double v[6];
	char *line;         /* the line as read (owned), kept as raw output */
	char when[32];      /* time as ISO 8601, the samples' started_at */
};

static const char *const column_names[7] = {
	"time", "cpu", "mem", "diskRand", "diskSeq", "fork", "uplink"
};

/* A decimal number as the classic script prints it: digits with an
 * optional fraction and exponent. No hex, no "inf"/"nan", no spaces inside.
 * Returns 0 and the value, or a negative code: -1 not a number, -2 negative,
 * -3 out of range. */
static int parse_number(const char *s, size_t n, double *out)
{
	char buf[64];
	size_t i = 0;
	int digits = 0, neg = 0;
	char *end;

	if (n == 0 || n >= sizeof(buf))
		return n == 0 ? -1 : -3;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[i] == '+' || buf[i] == '-')
		neg = buf[i++] == '-';
	while (isdigit((unsigned char)buf[i]))
		i++, digits++;
	if (buf[i] == '.') {
		i++;
		while (isdigit((unsigned char)buf[i]))
			i++, digits++;
	}
	if (!digits)
		return -1;
	if (buf[i] == 'e' || buf[i] == 'E') {
		i++;
		if (buf[i] == '+' || buf[i] == '-')
			i++;
		if (!isdigit((unsigned char)buf[i]))
			return -1;
		while (isdigit((unsigned char)buf[i]))
			i++;
	}
	if (buf[i])
		return -1;
	errno = 0;
	*out = strtod(buf, &end);
	if (errno == ERANGE || !isfinite(*out))
		return -3;
	if (neg && *out != 0)
		return -2;
	return 0;
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
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strchr(buf, '-') && buf[0] != '-')
		return parse_iso(buf, out);
	if (parse_number(buf, n, out) < 0)
		return -1;
	return *out >= TIME_MIN && *out <= TIME_MAX ? 0 : -1;
}

/* Is this line the optional header? (Names compared case-insensitively.) */
static int is_header(char **fields, int n)
{
	if (n != 5 && n != 7)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcasecmp(fields[i], column_names[i]))
			return 0;
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static void free_rows(struct classic_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].line);
	free(rows);
}

#define REJECT(...) do { vb_error(__VA_ARGS__); goto out; } while (0)

/* Validates the whole buffer into rows. Lines are NUL-terminated in place. */
static int parse_file(const char *path, char *buf, size_t len,
		      struct classic_row **rows_out, size_t *nrows_out)
{
	struct classic_row *rows = NULL;
	size_t nrows = 0, cap = 0;
	int lineno = 0, expect_cols = 0, header_seen = 0, ret = -1;
	char *p = buf, *end = buf + len;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
		    c == 0x7f) {
			int ln = 1;

			for (size_t j = 0; j < i; j++)
				ln += buf[j] == '\n';
			REJECT("%s:%d: binary data (byte 0x%02x), not a CSV text "
			       "file", path, ln, c);
		}
	}
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p, *fields[8], *s, *t;
		size_t ll;
		int n = 0;

		lineno++;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : end;
		ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (memchr(line, '\r', ll))
			REJECT("%s:%d: stray carriage return inside the line", path,
			       lineno);
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *copy = xstrdup(s);
		for (t = s; t; n++) {
			char *comma = strchr(t, ',');

			if (n == 8)
				break;
			if (comma)
				*comma = '\0';
			fields[n] = trim(t);
			t = comma ? comma + 1 : NULL;
		}
		if (n == 8 || (n != 5 && n != 7)) {
			free(copy);
			REJECT("%s:%d: %s%d fields, expected 5 (time,cpu,mem,diskRand,"
			       "diskSeq) or 7 (...,fork,uplink)", path, lineno,
			       n == 8 ? "more than " : "", n == 8 ? 7 : n);
		}
		if (!header_seen && !nrows && is_header(fields, n)) {
			header_seen = 1;
			expect_cols = n;
			free(copy);
			continue;
		}
		if (expect_cols && n != expect_cols) {
			free(copy);
			REJECT("%s:%d: %d fields, but the %s has %d", path, lineno, n,
			       header_seen ? "header" : "first data line", expect_cols);
		}
		expect_cols = n;
		if (nrows == cap) {
			cap = cap ? cap * 2 : 256;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		struct classic_row *r = &rows[nrows];

		r->lineno = lineno;
		r->ncols = n - 1;
		r->line = copy;
		nrows++; /* counted now so that a rejection below frees it */
		if (parse_time(fields[0], strlen(fields[0]), &r->time) < 0)
			REJECT("%s:%d: field 'time': bad timestamp '%s' (expected "
			       "UNIX seconds as from `date +%%s`, or ISO 8601 UTC)",
			       path, lineno, fields[0]);
		vb_time_iso(r->time, r->when, sizeof(r->when));
		for (int i = 1; i < n; i++) {
			int rc = parse_number(fields[i], strlen(fields[i]), &r->v[i - 1]);

			if (rc == -1)
				REJECT("%s:%d: field '%s': not a number: '%s'", path,
				       lineno, column_names[i], fields[i]);
			if (rc == -2)
				REJECT("%s:%d: field '%s': negative throughput %s",
				       path, lineno, column_names[i], fields[i]);
			if (rc == -3)
				REJECT("%s:%d: field '%s': number out of range: '%s'",
				       path, lineno, column_names[i], fields[i]);
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
	rows = NULL;
	nrows = 0;
	ret = 0;
out:
	free_rows(rows, nrows);
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

static int valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._:@-", *s))
			return 0;
	return 1;
}

int db_import_classic(struct db *db, const char *path, const char *platform_name,
		      const char *host_name, char uuid[37], long *nsamples)
{
	struct sb sb = SB_INIT;
	struct classic_row *rows = NULL;
	size_t nrows = 0;
	char sha[65], *abspath = NULL, *params = NULL;
	int64_t host_id, platform_id, run_id, bench_id[6];
	int local, ret = -1, dup;
	struct db_run run = { 0 };

	if (!valid_name(platform_name))
		return vb_error("--platform '%s': use letters, digits and ._:@- "
				"(at most 64)", platform_name ? platform_name : "");
	if (host_name && !valid_name(host_name))
		return vb_error("--host '%s': use letters, digits and ._:@- "
				"(at most 64)", host_name);
	if (sb_read_file(&sb, path) < 0)
		return vb_error("%s:0: cannot read: %s", path, strerror(errno));
	vb_sha256_hex(sb.buf, sb.len, sha);
	if (parse_file(path, sb.buf, sb.len, &rows, &nrows) < 0)
		goto out;

	local = !host_name || !strcmp(host_name, vb_hostname());
	abspath = realpath(path, NULL);
	params = xasprintf("{\"format\":\"classic-csv\",\"columns\":%d,"
			   "\"lines\":%zu}", rows[0].ncols + 1, nrows);
	if (db_begin(db) < 0)
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
	for (int i = 0; i < rows[0].ncols; i++)
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
	/* Benchmark-major order: the rows then arrive in the order of the
	 * sample table's unique index (run, platform, benchmark, repetition),
	 * so every index insert is an append. */
	for (int i = 0; i < rows[0].ncols; i++) {
		for (size_t r = 0; r < nrows; r++) {
			struct db_sample s = {
				.run_id = run_id,
				.platform_id = platform_id,
				.benchmark_id = bench_id[i],
				.repetition = (int)r + 1,
				.has_value = 1,
				.value = rows[r].v[i],
				.status = "ok",
				.raw_output = rows[r].line,
				.parser = CLASSIC_PARSER,
				.parser_version = CLASSIC_PARSER_VERSION,
				.started_at = rows[r].when,
				.duration = -1,
			};

			if (db_sample_insert(db, &s) < 0)
				goto rollback;
		}
	}
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
	if (db_commit(db) < 0)
		goto out;
	memcpy(uuid, run.uuid, 37);
	*nsamples = (long)nrows * rows[0].ncols;
	ret = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	free(params);
	free(abspath);
	free_rows(rows, nrows);
	sb_release(&sb);
	return ret;
}
