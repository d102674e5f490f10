/*
 * db/import_csv.c - imports results measured with anything: a tidy CSV,
 * one sample per row (from a spreadsheet, pandas, R), and the tidy-rows
 * writer that the hyperfine importer (import_hyperfine.c) shares.
 *
 * The CSV has a header row naming its columns, in any order, from host,
 * platform, benchmark, value, unit, direction, repetition, time; value is
 * required, a column the file lacks may be given once for every row by
 * the option of the same name (--platform kvm), host defaults to this
 * machine, repetition to the row's position among its (host, platform,
 * benchmark), time to the moment of the import, and a unit or direction
 * neither given nor in the file to the benchmark's definition already in
 * the database. Fields may be double-quoted ("a, b", "say ""x"""); a
 * quoted field cannot span lines.
 *
 * All or nothing, as every importer: the whole file is read and checked
 * first - the first problem is reported as FILE:LINE: reason - and then
 * written in one transaction. A file already imported (same SHA-256) is
 * refused, and so is a unit or direction that contradicts the benchmark's
 * existing definition. One run per host in the file, status "imported".
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/safe.h"
#include "common/util.h"
#include "db/db_int.h"

#define CSV_PARSER "csv"
#define CSV_PARSER_VERSION 1

enum { C_HOST, C_PLATFORM, C_BENCHMARK, C_VALUE, C_UNIT, C_DIRECTION,
       C_REPETITION, C_TIME, C_N };
static const char *const csv_columns[C_N] = {
	"host", "platform", "benchmark", "value", "unit", "direction",
	"repetition", "time",
};

/* ---- names -------------------------------------------------------------- */

/* The one name rule (common/safe.h), in its ':'-joined form: host and
 * platform names become file names and, for platforms, directory and
 * container names. */
int db_import_valid_name(const char *s)
{
	return vb_compound_name_valid(s);
}

/* A benchmark name or unit: printable text (UTF-8 allowed), no control
 * characters, no blanks at either end, at most max bytes. */
static int valid_text(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > max || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The kind of a platform from its name: a known kind, or one before ':'
 * ("docker:overlay"), else unknown. */
static const char *kind_of(const char *name)
{
	static const char *const kinds[] = { "native", "docker", "kvm", "qemu" };
	size_t n = strcspn(name, ":");

	for (size_t i = 0; i < VB_ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i]) == n && !strncmp(name, kinds[i], n))
			return kinds[i];
	return "unknown";
}

/* ---- the tidy-rows writer ----------------------------------------------- */

/* Where a row came from: "FILE:LINE" or, for JSON, "FILE: results[i]". */
static const char *where(const char *path, const struct db_tidy_row *r,
			 char *buf, size_t size)
{
	if (r->line > 0)
		snprintf(buf, size, "%s:%d", path, r->line);
	else
		snprintf(buf, size, "%s: results[%d]", path, r->index);
	return buf;
}

/* A row by its (host, platform, benchmark) and repetition. */
static int row_key_cmp(const struct db_tidy_row *a, const struct db_tidy_row *b)
{
	int c = strcmp(a->host, b->host);

	if (!c)
		c = strcmp(a->platform, b->platform);
	if (!c)
		c = strcmp(a->benchmark, b->benchmark);
	return c;
}

static int cmp_by_bench(const void *a, const void *b)
{
	const struct db_tidy_row *x = *(struct db_tidy_row *const *)a;
	const struct db_tidy_row *y = *(struct db_tidy_row *const *)b;
	int c = strcmp(x->benchmark, y->benchmark);

	return c ? c : x->line - y->line;
}

/* by (host, platform, benchmark), then explicit repetitions in order,
 * then the rows without one in file order */
static int cmp_by_key(const void *a, const void *b)
{
	const struct db_tidy_row *x = *(struct db_tidy_row *const *)a;
	const struct db_tidy_row *y = *(struct db_tidy_row *const *)b;
	int c = row_key_cmp(x, y);

	if (c)
		return c;
	if (!x->repetition != !y->repetition)
		return x->repetition ? -1 : 1;
	if (x->repetition != y->repetition)
		return x->repetition < y->repetition ? -1 : 1;
	return x->line - y->line;
}

static int check_names(const char *path, const struct db_tidy_row *r)
{
	char w[512];

	where(path, r, w, sizeof(w));
	if (!db_import_valid_name(r->host))
		return vb_error("%s: host '%s': use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)",
				w, r->host);
	if (!db_import_valid_name(r->platform))
		return vb_error("%s: platform '%s': use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)",
				w, r->platform);
	if (!valid_text(r->benchmark, 128))
		return vb_error("%s: benchmark '%s': printable text without blanks at either end, at most 128 bytes",
				w, r->benchmark);
	if (r->unit && !valid_text(r->unit, 32))
		return vb_error("%s: unit '%s': printable text, at most 32 bytes", w, r->unit);
	if (r->direction && strcmp(r->direction, "higher") && strcmp(r->direction, "lower"))
		return vb_error("%s: direction '%s': higher or lower (which is better)",
				w, r->direction);
	return 0;
}

/* Checks names and that rows agree among themselves - one unit and
 * direction per benchmark, one row per repetition - and numbers the rows
 * without a repetition after those with one, in file order. O(n log n). */
static int check_rows(const char *path, struct db_tidy_row *rows, size_t n)
{
	struct db_tidy_row **p = xcalloc(n, sizeof(*p));
	/* the first row of the current benchmark that gave a unit, a direction */
	const struct db_tidy_row *u = NULL, *d = NULL;
	char w[512];
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		if (check_names(path, &rows[i]) < 0)
			goto out;
		p[i] = &rows[i];
	}
	qsort(p, n, sizeof(*p), cmp_by_bench);
	for (size_t i = 0, g = 0; i < n; i++) {

		if (!i || strcmp(p[i]->benchmark, p[g]->benchmark)) {
			g = i;
			u = d = NULL;
		}
		if (u && p[i]->unit && strcmp(u->unit, p[i]->unit)) {
			vb_error("%s: benchmark '%s' in %s here, in %s on line %d",
				 where(path, p[i], w, sizeof(w)), p[i]->benchmark,
				 p[i]->unit, u->unit, u->line);
			goto out;
		}
		if (d && p[i]->direction && strcmp(d->direction, p[i]->direction)) {
			vb_error("%s: benchmark '%s': %s is better here, %s on line %d",
				 where(path, p[i], w, sizeof(w)), p[i]->benchmark,
				 p[i]->direction, d->direction, d->line);
			goto out;
		}
		if (!u && p[i]->unit)
			u = p[i];
		if (!d && p[i]->direction)
			d = p[i];
	}
	qsort(p, n, sizeof(*p), cmp_by_key);
	for (size_t i = 0, next = 1; i < n; i++) {
		if (i && row_key_cmp(p[i - 1], p[i]))
			next = 1;
		if (!p[i]->repetition) {
			p[i]->repetition = (int)next++;
			continue;
		}
		if (i && !row_key_cmp(p[i - 1], p[i]) && p[i - 1]->repetition == p[i]->repetition) {
			const struct db_tidy_row *a = p[i - 1]->line < p[i]->line ? p[i - 1] : p[i];
			const struct db_tidy_row *b = a == p[i] ? p[i - 1] : p[i];

			vb_error("%s: repetition %d of %s/%s/%s again (first on line %d)",
				 where(path, b, w, sizeof(w)), b->repetition, b->host,
				 b->platform, b->benchmark, a->line);
			goto out;
		}
		next = (size_t)p[i]->repetition + 1;
	}
	ret = 0;
out:
	free(p);
	return ret;
}

/* If a run with this hash exists, reports it (as FILE:0) and returns 1. */
static int already_imported(struct db *db, const char *path, const char *sha)
{
	sqlite3_stmt *st;
	int found = 0;

	if (db_prepare(db, &st, "SELECT uuid, source FROM run WHERE source_sha256 = ?1") < 0)
		return -1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		vb_error("%s:0: already imported as run %s (same SHA-256 %.12s..., from %s)",
			 path, sqlite3_column_text(st, 0), sha, sqlite3_column_text(st, 1));
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

/* The benchmark of row r in the database: fills a missing unit and
 * direction from its definition, refuses ones that contradict it, or
 * defines it. */
static int ensure_benchmark(struct db *db, const char *path,
			    struct db_tidy_row *r, int64_t *id)
{
	sqlite3_stmt *st;
	char *unit = NULL, *dir = NULL, w[512];
	int found, ret;

	if (db_prepare(db, &st, "SELECT unit, direction FROM benchmark WHERE name = ?1") < 0)
		return -1;
	sqlite3_bind_text(st, 1, r->benchmark, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		unit = xstrdup((const char *)sqlite3_column_text(st, 0));
		dir = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (found && ((r->unit && strcmp(r->unit, unit)) ||
		      (r->direction && strcmp(r->direction, dir)))) {
		ret = vb_error("%s: benchmark '%s' is already defined as %s (%s is better), not %s (%s is better)",
			       where(path, r, w, sizeof(w)), r->benchmark, unit, dir,
			       r->unit ? r->unit : unit, r->direction ? r->direction : dir);
		goto out;
	}
	if (!found && (!r->unit || !r->direction)) {
		ret = vb_error("%s: benchmark '%s' has no %s: give a '%s' column or --%s",
			       where(path, r, w, sizeof(w)), r->benchmark, r->unit ? "direction" : "unit",
			       r->unit ? "direction" : "unit", r->unit ? "direction" : "unit");
		goto out;
	}
	ret = db_benchmark_ensure(db, r->benchmark, found ? unit : r->unit,
				  found ? dir : r->direction, id);
out:
	free(unit);
	free(dir);
	return ret;
}

static int run_set_ended(struct db *db, int64_t run_id, const char *when)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, &st, "UPDATE run SET ended_at = ?2 WHERE id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, when, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, "finish imported run");
}

/* Names already looked up in the database, with their row ids. */
struct id_cache {
	size_t n;
	const char **names;
	int64_t *ids;
};

static int cache_find(const struct id_cache *c, const char *name, int64_t *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name)) {
			*id = c->ids[i];
			return 1;
		}
	return 0;
}

static void cache_add(struct id_cache *c, const char *name, int64_t id)
{
	c->names = xrealloc(c->names, (c->n + 1) * sizeof(*c->names));
	c->ids = xrealloc(c->ids, (c->n + 1) * sizeof(*c->ids));
	c->names[c->n] = name;
	c->ids[c->n++] = id;
}

/* An ok sample of the bulk write: its sample id (series * 2^32 +
 * repetition), start, value and raw line. */
struct bulk_row {
	int64_t id, ms;
	double value;
	const char *raw;
	size_t len;
};

static int bulk_cmp(const void *a, const void *b)
{
	const struct bulk_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Seconds since 1970 as milliseconds, rounded as vb_time_iso() rounds. */
static int64_t time_ms(double t)
{
	double secs = floor(t);

	return (int64_t)secs * 1000 + (int)((t - secs) * 1000.0 + 0.5);
}

/* One step of a bulk statement; finalizes it. */
static int bulk_step(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, what);
}

/*
 * Writes the ok samples of a run as db/import_classic.c does: sorted by
 * sample id, so every insert is an append, then one INSERT ... SELECT over
 * the rows in memory (db/rows.c) for their outputs (one per line) and one
 * for the samples. Output ids are assigned here after the largest (the
 * write lock is held); only the first gets an explicit id, the next ones
 * SQLite's "largest + 1", which is the same number without a search.
 */
static int write_bulk(struct db *db, int64_t run_id, const char *format,
		      struct bulk_row *rows, size_t n)
{
	struct db_rows dr = {
		.n = n, .stride = sizeof(*rows), .base = (const char *)rows,
		.x = -1, .i = offsetof(struct bulk_row, ms),
		.t_ptr = offsetof(struct bulk_row, raw),
		.t_len = offsetof(struct bulk_row, len),
	};
	int64_t parser_id, first = 1;
	sqlite3_stmt *st;

	qsort(rows, n, sizeof(*rows), bulk_cmp);
	if (db_parser_get(db, format, CSV_PARSER_VERSION, &parser_id) < 0 ||
	    db_prepare(db, &st, "SELECT coalesce(max(id), 0) + 1 FROM output") < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		first = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (db_prepare(db, &st, "INSERT INTO output (id, run_id, started_at,"
		       " duration, parser_id, text) SELECT CASE k WHEN 0 THEN ?2"
		       " ELSE NULL END, ?3, i, NULL, ?4, t FROM db_rows(?1)"
		       " ORDER BY k") < 0)
		return -1;
	sqlite3_bind_pointer(st, 1, &dr, "db_rows", NULL);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, run_id);
	sqlite3_bind_int64(st, 4, parser_id);
	if (bulk_step(db, st, "insert outputs") < 0)
		return -1;
	if (sqlite3_last_insert_rowid(db_sqlite(db)) != first + (int64_t)n - 1)
		return vb_error("%s: bulk insert: output ids are not consecutive",
				db_path(db));
	dr.i = offsetof(struct bulk_row, id);
	dr.x = offsetof(struct bulk_row, value);
	dr.t_ptr = dr.t_len = -1;
	if (db_prepare(db, &st, "INSERT INTO sample_value (id, value, status,"
		       " output_id) SELECT i, x, 0, ?2 + k FROM db_rows(?1)"
		       " ORDER BY k") < 0)
		return -1;
	sqlite3_bind_pointer(st, 1, &dr, "db_rows", NULL);
	sqlite3_bind_int64(st, 2, first);
	return bulk_step(db, st, "insert samples");
}

/* Writes the rows of one host as one run. sha is that run's source hash. */
static int write_host_run(struct db *db, const char *path, const char *format,
			  const char *sha, struct db_tidy_row *rows, size_t n,
			  const char *host, char uuid[37], long *nsamples)
{
	struct db_run run = { 0 };
	struct id_cache plats = { 0 }, benches = { 0 };
	struct bulk_row *bulk = NULL;
	size_t nbulk = 0, capbulk = 0;
	int64_t now_ms;
	char *abspath = realpath(path, NULL), *params, t0[40], t1[40], now[40];
	double tmin = INFINITY, tmax = -INFINITY;
	int64_t host_id, run_id;
	long count = 0;
	int ret = -1;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].host, host) && !isnan(rows[i].time)) {
			tmin = fmin(tmin, rows[i].time);
			tmax = fmax(tmax, rows[i].time);
		}
	vb_now_iso(now, sizeof(now));
	if (db_time_ms(now, &now_ms) < 0)
		now_ms = -1;
	params = xasprintf("{\"format\":\"%s\"}", format);
	run.suite = "import";
	run.params = params;
	run.status = "imported";
	run.source = abspath ? abspath : path;
	run.source_sha256 = sha;
	run.started_at = isfinite(tmin) ? vb_time_iso(tmin, t0, sizeof(t0)) : now;
	if (db_host_ensure_named(db, host, !strcmp(host, vb_hostname()), &host_id) < 0)
		goto out;
	run.host_id = host_id;
	if (db_run_create(db, &run, &run_id) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct db_tidy_row *r = &rows[i];
		int64_t platform_id, bench_id;

		if (strcmp(r->host, host))
			continue;
		if (!cache_find(&plats, r->platform, &platform_id)) {
			if (db_platform_ensure(db, host_id, r->platform, kind_of(r->platform),
					       &platform_id) < 0 ||
			    db_run_platform_set(db, run_id, platform_id, NULL, NULL, "ok",
						NULL) < 0)
				goto out;
			cache_add(&plats, r->platform, platform_id);
		}
		if (!cache_find(&benches, r->benchmark, &bench_id)) {
			if (ensure_benchmark(db, path, r, &bench_id) < 0)
				goto out;
			cache_add(&benches, r->benchmark, bench_id);
		}
		if (r->error) {
			/* rare: written on its own, with its reason */
			char when[40];
			struct db_sample s = {
				.run_id = run_id, .platform_id = platform_id,
				.benchmark_id = bench_id, .repetition = r->repetition,
				.has_value = 1, .value = r->value,
				.status = "failed", .error = r->error,
				.raw_output = r->raw, .parser = format,
				.parser_version = CSV_PARSER_VERSION,
				.started_at = isnan(r->time) ? now :
					vb_time_iso(r->time, when, sizeof(when)),
				.duration = -1,
			};

			if (db_sample_insert(db, &s) < 0)
				goto out;
		} else {
			struct bulk_row *b;
			int64_t series;

			if (db_series_get(db, run_id, platform_id, bench_id, &series) < 0)
				goto out;
			if (nbulk == capbulk) {
				capbulk = capbulk ? 2 * capbulk : 1024;
				bulk = xrealloc(bulk, capbulk * sizeof(*bulk));
			}
			b = &bulk[nbulk++];
			b->id = series * DB_SERIES_SHIFT_N + r->repetition;
			b->ms = isnan(r->time) ? now_ms : time_ms(r->time);
			b->value = r->value;
			b->raw = r->raw;
			b->len = r->raw ? strlen(r->raw) : 0;
		}
		count++;
	}
	if (nbulk && write_bulk(db, run_id, format, bulk, nbulk) < 0)
		goto out;
	if (run_set_ended(db, run_id, isfinite(tmax) ? vb_time_iso(tmax, t1, sizeof(t1)) : now) < 0)
		goto out;
	memcpy(uuid, run.uuid, 37);
	*nsamples += count;
	ret = 0;
out:
	free(bulk);
	free(plats.names);
	free(plats.ids);
	free(benches.names);
	free(benches.ids);
	free(params);
	free(abspath);
	return ret;
}

int db_import_tidy(struct db *db, const char *path, const char *format,
		   const char *sha, struct db_tidy_row *rows, size_t n,
		   char ***uuids, long *nsamples)
{
	char **hosts = NULL, **out = NULL;
	size_t nh = 0;
	int dup, ret = -1;

	*uuids = NULL;
	*nsamples = 0;
	if (!n)
		return vb_error("%s:0: no samples in the file", path);
	if (check_rows(path, rows, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!hosts || !vb_strv_contains(hosts, rows[i].host)) {
			hosts = xrealloc(hosts, (nh + 2) * sizeof(*hosts));
			hosts[nh++] = xstrdup(rows[i].host);
			hosts[nh] = NULL;
		}
	out = xcalloc(nh + 1, sizeof(*out));
	if (db_bulk_begin(db) < 0)
		goto out;
	dup = already_imported(db, path, sha);
	if (dup)
		goto rollback;
	for (size_t h = 0; h < nh; h++) {
		char uuid[37], hsha[65];

		/* One hash per run (the column is unique): the file's for the
		 * first host, the file's hashed with the host's name after. */
		if (h) {
			char *k = xasprintf("%s\n%s", sha, hosts[h]);

			vb_sha256_hex(k, strlen(k), hsha);
			free(k);
		}
		if (write_host_run(db, path, format, h ? hsha : sha, rows, n,
				   hosts[h], uuid, nsamples) < 0)
			goto rollback;
		out[h] = xstrdup(uuid);
	}
	if (db_bulk_end(db, 1) < 0)
		goto out;
	*uuids = out;
	out = NULL;
	ret = 0;
	goto out;
rollback:
	db_bulk_end(db, 0);
out:
	vb_strv_free(out);
	vb_strv_free(hosts);
	return ret;
}

/* ---- the CSV ------------------------------------------------------------ */

/* Splits line (NUL-terminated, modified in place) into at most max fields
 * with RFC 4180 quoting, blanks around fields trimmed. Returns the number
 * of fields, or -1 with *why. */
static int split_fields(char *line, char **f, int max, const char **why)
{
	char *p = line;
	int n = 0;

	for (;;) {
		char *start, *w, sep;

		while (*p == ' ' || *p == '\t')
			p++;
		if (n == max) {
			*why = "too many fields";
			return -1;
		}
		if (*p == '"') {
			start = w = ++p;
			while (*p != '"' || p[1] == '"') {
				if (!*p) {
					*why = "a quoted field is not closed on its line";
					return -1;
				}
				if (*p == '"')
					p++; /* "" is one quote */
				*w++ = *p++;
			}
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != ',') {
				*why = "text after a quoted field";
				return -1;
			}
		} else {
			start = p;
			p += strcspn(p, ",");
			w = p;
			while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
		}
		sep = *p;
		*w = '\0';
		f[n++] = start;
		if (sep != ',')
			return n;
		p++;
	}
}

/* A number without surprises: strtod's syntax minus hex, inf and nan. */
static int parse_value(const char *s, double *v)
{
	char *end;

	if (!*s || strpbrk(s, "xXnN"))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return *end || errno == ERANGE || !isfinite(*v) ? -1 : 0;
}

/* UNIX seconds, or ISO 8601 UTC "YYYY-MM-DD[T ]HH:MM:SS[.fff][Z]". */
static int parse_when(const char *s, double *t)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, used = 0;
	double frac = 0;
	const char *p;

	if (!strchr(s, '-'))
		return parse_value(s, t) < 0 || *t < 0 ? -1 : 0;
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		   &used) != 6 || used != 19)
		return -1;
	p = s + used;
	if (*p == '.') {
		char *end;

		frac = strtod(p, &end);
		p = end;
	}
	if (*p == 'Z')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = (double)timegm(&tm) + frac;
	return tm.tm_mday == d && tm.tm_mon == mo - 1 ? 0 : -1;
}

/* The header: which field holds which column (-1: not in the file). */
static int parse_header(const char *path, int line, char **f, int n,
			const struct db_csv_defaults *d, int col[C_N])
{
	const char *given[C_N] = { d->host, d->platform, d->benchmark, NULL,
				   d->unit, d->direction, NULL, NULL };

	for (int c = 0; c < C_N; c++)
		col[c] = -1;
	for (int i = 0; i < n; i++) {
		int c;

		for (c = 0; c < C_N && strcasecmp(f[i], csv_columns[c]); c++)
			;
		if (c == C_N)
			return vb_error("%s:%d: unknown column '%s' (host, platform, benchmark, value, unit, direction, repetition, time)",
					path, line, f[i]);
		if (col[c] >= 0)
			return vb_error("%s:%d: column '%s' twice", path, line, csv_columns[c]);
		if (given[c])
			return vb_error("%s:%d: the file has a '%s' column and --%s was given: use one",
					path, line, csv_columns[c], csv_columns[c]);
		col[c] = i;
	}
	if (col[C_VALUE] < 0)
		return vb_error("%s:%d: no 'value' column", path, line);
	if (col[C_PLATFORM] < 0 && !d->platform)
		return vb_error("%s:%d: no 'platform' column: give one, or --platform", path, line);
	if (col[C_BENCHMARK] < 0 && !d->benchmark)
		return vb_error("%s:%d: no 'benchmark' column: give one, or --benchmark", path, line);
	return 0;
}

/* One data line into r (fields point into the line). */
static int parse_row(const char *path, int line, char **f, int n,
		     const int col[C_N], const struct db_csv_defaults *d,
		     struct db_tidy_row *r)
{
	int want = 0;

	for (int c = 0; c < C_N; c++)
		if (col[c] >= want)
			want = col[c] + 1;
	if (n != want)
		return vb_error("%s:%d: %d fields, the header has %d", path, line, n, want);
	r->line = line;
	r->host = col[C_HOST] >= 0 ? f[col[C_HOST]] : d->host ? d->host : vb_hostname();
	r->platform = col[C_PLATFORM] >= 0 ? f[col[C_PLATFORM]] : d->platform;
	r->benchmark = col[C_BENCHMARK] >= 0 ? f[col[C_BENCHMARK]] : d->benchmark;
	r->unit = col[C_UNIT] >= 0 ? f[col[C_UNIT]] : d->unit;
	r->direction = col[C_DIRECTION] >= 0 ? f[col[C_DIRECTION]] : d->direction;
	r->time = NAN;
	r->repetition = 0;
	if (parse_value(f[col[C_VALUE]], &r->value) < 0)
		return vb_error("%s:%d: value '%s' is not a number", path, line, f[col[C_VALUE]]);
	if (col[C_REPETITION] >= 0) {
		char *end;
		long k;

		errno = 0;
		k = strtol(f[col[C_REPETITION]], &end, 10);
		if (!*f[col[C_REPETITION]] || *end || errno || k < 1 || k > 1000000000)
			return vb_error("%s:%d: repetition '%s' is not a whole number from 1",
					path, line, f[col[C_REPETITION]]);
		r->repetition = (int)k;
	}
	if (col[C_TIME] >= 0 && parse_when(f[col[C_TIME]], &r->time) < 0)
		return vb_error("%s:%d: time '%s': UNIX seconds or ISO 8601 UTC (2024-05-01T12:00:00Z)",
				path, line, f[col[C_TIME]]);
	return 0;
}

/* Reads the whole file into rows; they point into buf. */
static int parse_csv(const char *path, char *buf, size_t len,
		     const struct db_csv_defaults *d, struct db_tidy_row **out,
		     size_t *nout)
{
	struct db_tidy_row *rows = NULL;
	size_t n = 0, cap = 0;
	int line = 0, col[C_N], header = 0;
	char *p = buf, *end = buf + len;

	if (memchr(buf, '\0', len))
		return vb_error("%s:1: binary data, not a CSV text file", path);
	/* spreadsheets write UTF-8 with a byte-order mark */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *s = p, *f[C_N + 1], *raw;
		const char *why = NULL;
		int nf;

		line++;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : end;
		if (*s && s[strlen(s) - 1] == '\r')
			s[strlen(s) - 1] = '\0';
		if (!s[strspn(s, " \t")] || *s == '#')
			continue;
		raw = xstrdup(s);
		nf = split_fields(s, f, C_N + 1, &why);
		if (nf < 0) {
			free(raw);
			db_tidy_rows_free(rows, n);
			return vb_error("%s:%d: %s", path, line, why);
		}
		if (!header) {
			free(raw);
			if (parse_header(path, line, f, nf, d, col) < 0)
				return -1;
			header = 1;
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].raw = raw;
		if (parse_row(path, line, f, nf, col, d, &rows[n++]) < 0) {
			db_tidy_rows_free(rows, n);
			return -1;
		}
	}
	if (!header)
		return vb_error("%s:%d: no header row (%s)", path, line ? line : 1,
				"host, platform, benchmark, value, unit, direction, repetition, time");
	if (!n) {
		free(rows);
		return vb_error("%s:%d: no data rows after the header", path, line);
	}
	*out = rows;
	*nout = n;
	return 0;
}

void db_tidy_rows_free(struct db_tidy_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].raw);
		free(rows[i].error);
	}
	free(rows);
}

int db_import_csv(struct db *db, const char *path,
		  const struct db_csv_defaults *d, char ***uuids, long *nsamples)
{
	static const struct db_csv_defaults none = { 0 };
	struct sb sb = SB_INIT;
	struct db_tidy_row *rows = NULL;
	size_t n = 0;
	char sha[65];
	int ret = -1;

	*uuids = NULL;
	d = d ? d : &none;
	if (d->host && !db_import_valid_name(d->host))
		return vb_error("--host '%s': use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)", d->host);
	if (d->platform && !db_import_valid_name(d->platform))
		return vb_error("--platform '%s': use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)",
				d->platform);
	if (d->direction && strcmp(d->direction, "higher") && strcmp(d->direction, "lower"))
		return vb_error("--direction '%s': higher or lower", d->direction);
	if (sb_read_file(&sb, path) < 0)
		return vb_error("%s:0: cannot read: %s", path, strerror(errno));
	vb_sha256_hex(sb.buf ? sb.buf : "", sb.len, sha);
	if (parse_csv(path, sb.buf ? sb.buf : "", sb.len, d, &rows, &n) == 0)
		ret = db_import_tidy(db, path, CSV_PARSER, sha, rows, n, uuids, nsamples);
	db_tidy_rows_free(rows, n);
	sb_release(&sb);
	return ret;
}
