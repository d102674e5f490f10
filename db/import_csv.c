/*
 * db/import_csv.c - imports results measured with anything: a tidy CSV,
 * one sample per row (from a spreadsheet, pandas, R).
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
 * written in one transaction by the tidy-rows writer (db/tidy.c), which
 * also checks the rows among themselves and against the database.
 *
 * Workload: a million rows and more. So the file is read once and never
 * copied line by line: a field is a pointer and a length into it (only a
 * quoted field with "" is unescaped into a side buffer), numbers are read
 * in place (db/number.c), and names go to db/tidy.c as they are, to be
 * interned there.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/util.h"
#include "db/db_int.h"

#define CSV_PARSER "csv"

enum { C_HOST, C_PLATFORM, C_BENCHMARK, C_VALUE, C_UNIT, C_DIRECTION,
       C_REPETITION, C_TIME, C_N };
static const char *const csv_columns[C_N] = {
	"host", "platform", "benchmark", "value", "unit", "direction",
	"repetition", "time",
};

/* ---- the CSV ------------------------------------------------------------ */

/* A field: a pointer and a length into the file, or into the unescape
 * buffer for a quoted field with "" in it. */
struct field {
	const char *s;
	size_t n;
};

/* Memory for unescaped fields, kept until the import ends. */
struct arena {
	char **blocks;
	size_t n;
};

static char *arena_alloc(struct arena *a, size_t n)
{
	a->blocks = xrealloc(a->blocks, (a->n + 1) * sizeof(*a->blocks));
	return a->blocks[a->n++] = xmalloc(n ? n : 1);
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits the line [p, e) into at most max fields with RFC 4180 quoting,
 * blanks around fields trimmed. Returns the number of fields, or -1 with
 * *why. */
static int split_fields(const char *p, const char *e, struct field *f, int max,
			struct arena *a, const char **why)
{
	int n = 0;

	for (;;) {
		const char *start;

		while (p < e && blank(*p))
			p++;
		if (n == max) {
			*why = "too many fields";
			return -1;
		}
		if (p < e && *p == '"') {
			int quotes = 0;

			start = ++p;
			for (;; p++) {
				if (p == e) {
					*why = "a quoted field is not closed on its line";
					return -1;
				}
				if (*p != '"')
					continue;
				if (p + 1 < e && p[1] == '"') {
					quotes++;
					p++;
					continue;
				}
				break;
			}
			f[n].s = start;
			f[n].n = (size_t)(p - start);
			if (quotes) {
				char *w = arena_alloc(a, f[n].n - (size_t)quotes);

				f[n].s = w;
				for (const char *q = start; q < p; q++) {
					*w++ = *q;
					if (*q == '"')
						q++; /* "" is one quote */
				}
				f[n].n -= (size_t)quotes;
			}
			p++;
			while (p < e && blank(*p))
				p++;
			if (p < e && *p != ',') {
				*why = "text after a quoted field";
				return -1;
			}
		} else {
			const char *w;

			/* fields are short: a loop beats a call to memchr */
			for (start = p; p < e && *p != ','; p++)
				;
			for (w = p; w > start && blank(w[-1]); w--)
				;
			f[n].s = start;
			f[n].n = (size_t)(w - start);
		}
		n++;
		if (p == e)
			return n;
		p++; /* the comma */
	}
}

/* A number as strtod reads it (leading white space allowed), minus hex,
 * inf and nan. */
static int csv_number(const struct field *f, double *v)
{
	const char *s = f->s;
	size_t n = f->n;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	return db_parse_decimal(s, n, v) < 0 || !isfinite(*v) ? -1 : 0;
}

/* A repetition as strtol reads it, from 1 to 10^9. */
static int csv_repetition(const struct field *f, int32_t *rep)
{
	const char *s = f->s, *e = f->s + f->n;
	int neg = 0;
	int64_t k = 0;

	while (s < e && isspace((unsigned char)*s))
		s++;
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == e)
		return -1;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (k <= 1000000000)
			k = k * 10 + (*s - '0');
	}
	if (neg || k < 1 || k > 1000000000)
		return -1;
	*rep = (int32_t)k;
	return 0;
}

/* UNIX seconds, or ISO 8601 UTC "YYYY-MM-DD[T ]HH:MM:SS[.fff][Z]"; s is
 * NUL-terminated. The general reading: sscanf and timegm. */
static int parse_when_slow(const char *s, double *t)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, used = 0;
	double frac = 0;
	const char *p;

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

/* Digits s[0..n) as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The common ISO form read directly: four-digit year, two-digit fields,
 * seconds below 60, an optional fraction of digits and Z. 1: not that
 * form (the slow reading decides). */
static int parse_iso_fast(const char *s, size_t n, double *t)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec;
	size_t i = 19;
	double frac = 0;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return 1;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
		return 1;
	if (i < n && s[i] == '.') {
		size_t j = i + 1;

		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == i + 1 || db_parse_decimal(s + i, j - i, &frac) < 0)
			return 1;
		i = j;
	}
	if (i < n && s[i] == 'Z')
		i++;
	if (i != n)
		return 1;
	*t = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) + frac;
	return 0;
}

/* A time: UNIX seconds (from 0), or ISO 8601 UTC. */
static int csv_time(const struct field *f, double *t)
{
	char buf[128], *z;
	int rc;

	if (!memchr(f->s, '-', f->n))
		return csv_number(f, t) < 0 || *t < 0 ? -1 : 0;
	rc = parse_iso_fast(f->s, f->n, t);
	if (rc <= 0)
		return rc;
	z = f->n < sizeof(buf) ? buf : xmalloc(f->n + 1);
	memcpy(z, f->s, f->n);
	z[f->n] = '\0';
	rc = parse_when_slow(z, t);
	if (z != buf)
		free(z);
	return rc;
}

/* The header: which field holds which column (-1: not in the file). */
static int parse_header(const char *path, int line, const struct field *f, int n,
			const struct db_csv_defaults *d, int col[C_N])
{
	const char *given[C_N] = { d->host, d->platform, d->benchmark, NULL,
				   d->unit, d->direction, NULL, NULL };

	for (int c = 0; c < C_N; c++)
		col[c] = -1;
	for (int i = 0; i < n; i++) {
		int c;

		for (c = 0; c < C_N && (strlen(csv_columns[c]) != f[i].n ||
					strncasecmp(f[i].s, csv_columns[c], f[i].n)); c++)
			;
		if (c == C_N)
			return vb_error("%s:%d: unknown column '%.*s' (host, platform, benchmark, value, unit, direction, repetition, time)",
					path, line, (int)f[i].n, f[i].s);
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

/* How the columns of the file map to a row: the field of each name kind
 * (or -1 and the id of the option's value, 0 if none), of value,
 * repetition and time, and the number of fields a row has. */
struct csv_layout {
	int field[DB_TIDY_N];
	uint32_t fixed[DB_TIDY_N];
	int value, rep, time, nfields;
};

static void layout_make(struct db_tidy *t, const int col[C_N],
			const struct db_csv_defaults *d, struct csv_layout *l)
{
	static const int kind_col[DB_TIDY_N] = { C_HOST, C_PLATFORM, C_BENCHMARK, C_UNIT,
					   C_DIRECTION };
	const char *given[DB_TIDY_N] = { d->host ? d->host : vb_hostname(), d->platform,
				   d->benchmark, d->unit, d->direction };

	l->nfields = 0;
	for (int c = 0; c < C_N; c++)
		if (col[c] >= l->nfields)
			l->nfields = col[c] + 1;
	for (int k = 0; k < DB_TIDY_N; k++) {
		l->field[k] = col[kind_col[k]];
		l->fixed[k] = l->field[k] < 0 && given[k] ?
			db_tidy_name(t, k, given[k], strlen(given[k])) : 0;
	}
	l->value = col[C_VALUE];
	l->rep = col[C_REPETITION];
	l->time = col[C_TIME];
}

/* One data line, split into f, added to t. */
static int parse_row(struct db_tidy *t, const char *path, int line,
		     const struct field *f, int n, const struct csv_layout *l,
		     const char *raw, size_t raw_len)
{
	uint32_t id[DB_TIDY_N];
	int32_t rep = 0;
	double value, time = NAN;

	if (n != l->nfields)
		return vb_error("%s:%d: %d fields, the header has %d", path, line, n,
				l->nfields);
	for (int k = 0; k < DB_TIDY_N; k++)
		id[k] = l->field[k] < 0 ? l->fixed[k] :
			db_tidy_name(t, k, f[l->field[k]].s, f[l->field[k]].n);
	if (csv_number(&f[l->value], &value) < 0)
		return vb_error("%s:%d: value '%.*s' is not a number", path, line,
				(int)f[l->value].n, f[l->value].s);
	if (l->rep >= 0 && csv_repetition(&f[l->rep], &rep) < 0)
		return vb_error("%s:%d: repetition '%.*s' is not a whole number from 1",
				path, line, (int)f[l->rep].n, f[l->rep].s);
	if (l->time >= 0 && csv_time(&f[l->time], &time) < 0)
		return vb_error("%s:%d: time '%.*s': UNIX seconds or ISO 8601 UTC (2024-05-01T12:00:00Z)",
				path, line, (int)f[l->time].n, f[l->time].s);
	db_tidy_add(t, line, id, value, time, rep, raw, raw_len);
	return 0;
}

/* Reads the whole file into t; rows point into buf, which is not changed. */
static int parse_csv(struct db_tidy *t, const char *path, const char *buf,
		     size_t len, const struct db_csv_defaults *d, struct arena *a)
{
	const char *p = buf, *end = buf + len;
	struct csv_layout l = { 0 };
	int line = 0, header = 0;

	if (memchr(buf, '\0', len))
		return vb_error("%s:1: binary data, not a CSV text file", path);
	/* spreadsheets write UTF-8 with a byte-order mark */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *s = p, *e, *q;
		struct field f[C_N + 1];
		const char *why = NULL;
		int nf;

		line++;
		e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		if (e > s && e[-1] == '\r')
			e--;
		for (q = s; q < e && blank(*q); q++)
			;
		if (q == e || *s == '#')
			continue;
		nf = split_fields(s, e, f, C_N + 1, a, &why);
		if (nf < 0)
			return vb_error("%s:%d: %s", path, line, why);
		if (!header) {
			int col[C_N];

			if (parse_header(path, line, f, nf, d, col) < 0)
				return -1;
			layout_make(t, col, d, &l);
			header = 1;
			continue;
		}
		if (parse_row(t, path, line, f, nf, &l, s, (size_t)(e - s)) < 0)
			return -1;
	}
	if (!header)
		return vb_error("%s:%d: no header row (%s)", path, line ? line : 1,
				"host, platform, benchmark, value, unit, direction, repetition, time");
	if (!db_tidy_count(t))
		return vb_error("%s:%d: no data rows after the header", path, line);
	return 0;
}

int db_import_csv(struct db *db, const char *path,
		  const struct db_csv_defaults *d, char ***uuids, long *nsamples)
{
	static const struct db_csv_defaults none = { 0 };
	struct sb sb = SB_INIT;
	struct db_tidy *t;
	struct arena a = { 0 };
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
	t = db_tidy_new(path);
	if (parse_csv(t, path, sb.buf ? sb.buf : "", sb.len, d, &a) == 0)
		ret = db_tidy_import(db, t, CSV_PARSER, sha, uuids, nsamples);
	db_tidy_free(t);
	arena_free(&a);
	sb_release(&sb);
	return ret;
}
