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
 *
 * Workload: a million rows and more, a handful of distinct names. So the
 * file is read once and never copied line by line: a field is a pointer
 * and a length into it (only a quoted field with "" is unescaped into a
 * side buffer), numbers are read in place (db/number.c), every host,
 * platform, benchmark, unit and direction is interned once into a small
 * integer id and checked once, and the checks that need an order (one
 * unit per benchmark, one row per repetition) work on those ids: a row
 * belongs to a group (host, platform, benchmark), found by a hash of three
 * integers, and only a group whose repetitions are not already in file
 * order is sorted. The rows are then written as db/import_classic.c
 * writes: one INSERT ... SELECT over the rows in memory (db/rows.c) for
 * the outputs and one for the samples, in sample-id order.
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
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

/* The kinds of names a row has, and the rule each obeys. */
enum { K_HOST, K_PLATFORM, K_BENCH, K_UNIT, K_DIR, K_N };

static int name_ok(int kind, const char *s)
{
	switch (kind) {
	case K_HOST:
	case K_PLATFORM:
		return db_import_valid_name(s);
	case K_BENCH:
		return valid_text(s, 128);
	case K_UNIT:
		return valid_text(s, 32);
	default:
		return !strcmp(s, "higher") || !strcmp(s, "lower");
	}
}

/* ---- interned names ----------------------------------------------------- */

/* The distinct names of one kind, each with a small id from 1 (0: none),
 * in order of first appearance. */
struct names {
	char **s;             /* s[id], NUL-terminated, owned */
	uint32_t *len;
	unsigned char *ok;    /* ok[id]: obeys its kind's rule */
	uint32_t n, cap;      /* ids in use: 1 .. n - 1 */
	uint32_t *slot;       /* open addressing: an id or 0 */
	size_t nslot;
	uint32_t last;        /* the id found last (rows repeat names) */
};

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void names_free(struct names *t)
{
	for (uint32_t i = 1; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->len);
	free(t->ok);
	free(t->slot);
}

static void names_grow(struct names *t)
{
	size_t nslot = t->nslot ? 2 * t->nslot : 64;
	uint32_t *slot = xcalloc(nslot, sizeof(*slot));

	for (uint32_t id = 1; id < t->n; id++) {
		size_t i = hash_bytes(t->s[id], t->len[id]) & (nslot - 1);

		while (slot[i])
			i = (i + 1) & (nslot - 1);
		slot[i] = id;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
}

/* The id of s[0..n), added (and checked by the rule of kind) when new. */
static uint32_t names_id(struct names *t, int kind, const char *s, size_t n)
{
	size_t i;
	uint32_t id = t->last;

	if (id && t->len[id] == n && !memcmp(t->s[id], s, n))
		return id;
	if (2 * (size_t)t->n >= t->nslot)
		names_grow(t);
	for (i = hash_bytes(s, n) & (t->nslot - 1); (id = t->slot[i]);
	     i = (i + 1) & (t->nslot - 1))
		if (t->len[id] == n && !memcmp(t->s[id], s, n))
			return t->last = id;
	if (!t->n)
		t->n = 1;
	if (t->n >= t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->s = xrealloc(t->s, t->cap * sizeof(*t->s));
		t->len = xrealloc(t->len, t->cap * sizeof(*t->len));
		t->ok = xrealloc(t->ok, t->cap);
	}
	id = t->n++;
	t->s[id] = xmalloc(n + 1);
	memcpy(t->s[id], s, n);
	t->s[id][n] = '\0';
	t->len[id] = (uint32_t)n;
	t->ok[id] = (unsigned char)name_ok(kind, t->s[id]);
	t->slot[i] = id;
	return t->last = id;
}

/* ---- the rows, by id ---------------------------------------------------- */

/* A row: strings are interned ids; raw points into the importer's buffer.
 * line > 0 is the file's line, else the row is hyperfine's results[-line]. */
struct trow {
	double value, time;     /* time NAN: unknown */
	const char *raw;        /* NULL: none */
	uint32_t raw_len;
	uint32_t group;
	int32_t line;
	int32_t rep;            /* 0: numbered after the explicit ones */
};

/* The rows of one (host, platform, benchmark): a series of a run. */
struct group {
	uint32_t host, plat, bench;
	uint32_t n, explicit;   /* rows, rows with a repetition */
	uint32_t start;         /* its rows in tidy.order[start ..] */
	int32_t max_rep, last_rep;
	int unordered;          /* explicit repetitions not rising in file order */
	int64_t plat_id, bench_id, series;  /* in the database, once written */
};

/* What the rows say about one benchmark: the first unit and direction
 * given and where, and the first row contradicting them. */
struct bench_info {
	int seen;
	int32_t first_line;
	uint32_t unit, dir;
	int32_t unit_line, dir_line;
	int32_t bad_line;       /* 0: none; else the contradiction's row */
	uint32_t bad_id;
	int bad_is_unit;
	int64_t db_id;          /* once defined in the database */
};

struct host_info {
	int has_time;
	double tmin, tmax;
};

struct tidy {
	const char *path;
	struct names names[K_N];
	struct trow *rows;
	size_t n, cap;
	char **error;           /* error[i]: row i failed, why (borrowed); or NULL */
	struct group *groups;
	uint32_t ngroups, capgroups;
	uint32_t *gslot;        /* hash of (host, plat, bench): group + 1, or 0 */
	size_t ngslot;
	uint32_t last_group;
	struct bench_info *bench;  /* by benchmark id */
	struct host_info *host;    /* by host id */
	uint32_t capbench, caphost;
	uint32_t *order;        /* rows by group, then repetition */
	/* the first row (in order) with a name that breaks its rule */
	int32_t bad_line;
	int bad_kind;
	uint32_t bad_id;
	int has_bad;
};

static void tidy_free(struct tidy *t)
{
	for (int k = 0; k < K_N; k++)
		names_free(&t->names[k]);
	free(t->rows);
	free(t->error);
	free(t->groups);
	free(t->gslot);
	free(t->bench);
	free(t->host);
	free(t->order);
}

static const char *name_of(const struct tidy *t, int kind, uint32_t id)
{
	return id ? t->names[kind].s[id] : NULL;
}

/* Where a row came from: "FILE:LINE" or, for JSON, "FILE: results[i]". */
static const char *where(const char *path, int32_t line, char *buf, size_t size)
{
	if (line > 0)
		snprintf(buf, size, "%s:%d", path, line);
	else
		snprintf(buf, size, "%s: results[%d]", path, -line);
	return buf;
}

static uint64_t hash_key(uint32_t a, uint32_t b, uint32_t c)
{
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)c * 0xc2b2ae3d27d4eb4fULL;
	return h ^ (h >> 31);
}

static void groups_grow(struct tidy *t)
{
	size_t nslot = t->ngslot ? 2 * t->ngslot : 64;
	uint32_t *slot = xcalloc(nslot, sizeof(*slot));

	for (uint32_t g = 0; g < t->ngroups; g++) {
		const struct group *gr = &t->groups[g];
		size_t i = hash_key(gr->host, gr->plat, gr->bench) & (nslot - 1);

		while (slot[i])
			i = (i + 1) & (nslot - 1);
		slot[i] = g + 1;
	}
	free(t->gslot);
	t->gslot = slot;
	t->ngslot = nslot;
}

/* The group of (host, plat, bench), added when new. */
static uint32_t group_of(struct tidy *t, uint32_t host, uint32_t plat, uint32_t bench)
{
	struct group *gr = t->ngroups ? &t->groups[t->last_group] : NULL;
	size_t i;
	uint32_t g;

	if (gr && gr->host == host && gr->plat == plat && gr->bench == bench)
		return t->last_group;
	if (2 * ((size_t)t->ngroups + 1) > t->ngslot)
		groups_grow(t);
	for (i = hash_key(host, plat, bench) & (t->ngslot - 1); (g = t->gslot[i]);
	     i = (i + 1) & (t->ngslot - 1)) {
		gr = &t->groups[g - 1];
		if (gr->host == host && gr->plat == plat && gr->bench == bench)
			return t->last_group = g - 1;
	}
	if (t->ngroups == t->capgroups) {
		t->capgroups = t->capgroups ? 2 * t->capgroups : 64;
		t->groups = xrealloc(t->groups, t->capgroups * sizeof(*t->groups));
	}
	g = t->ngroups++;
	memset(&t->groups[g], 0, sizeof(t->groups[g]));
	t->groups[g].host = host;
	t->groups[g].plat = plat;
	t->groups[g].bench = bench;
	t->gslot[i] = g + 1;
	return t->last_group = g;
}

/* Grows a per-id array to hold id. */
static void *per_id(void *a, uint32_t *cap, uint32_t id, size_t size)
{
	if (id < *cap)
		return a;
	uint32_t old = *cap, c = old ? old : 16;

	while (c <= id)
		c *= 2;
	a = xrealloc(a, c * size);
	memset((char *)a + old * size, 0, (c - old) * size);
	*cap = c;
	return a;
}

/* Adds a row of interned names (unit, dir 0: not given; rep 0: none) and
 * notes what the checks after the last row need: its group, the first
 * bad name, the benchmark's first unit and direction and the first row
 * contradicting them, the repetitions' order, the host's time span. */
static void tidy_add(struct tidy *t, int32_t line, const uint32_t id[K_N],
		     double value, double time, int32_t rep, const char *raw,
		     size_t raw_len)
{
	struct trow *r;
	struct group *gr;
	struct bench_info *b;
	struct host_info *h;

	if (!t->has_bad)
		for (int k = 0; k < K_N; k++)
			if (id[k] && !t->names[k].ok[id[k]]) {
				t->has_bad = 1;
				t->bad_line = line;
				t->bad_kind = k;
				t->bad_id = id[k];
				break;
			}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	r = &t->rows[t->n++];
	r->value = value;
	r->time = time;
	r->raw = raw;
	r->raw_len = (uint32_t)raw_len;
	r->line = line;
	r->rep = rep;
	r->group = group_of(t, id[K_HOST], id[K_PLATFORM], id[K_BENCH]);
	gr = &t->groups[r->group];
	gr->n++;
	if (rep) {
		if (gr->explicit && rep <= gr->last_rep)
			gr->unordered = 1;
		gr->explicit++;
		gr->last_rep = rep;
		if (rep > gr->max_rep)
			gr->max_rep = rep;
	}
	t->bench = per_id(t->bench, &t->capbench, id[K_BENCH], sizeof(*t->bench));
	b = &t->bench[id[K_BENCH]];
	if (!b->seen) {
		b->seen = 1;
		b->first_line = line;
	}
	if (id[K_UNIT]) {
		if (!b->unit) {
			b->unit = id[K_UNIT];
			b->unit_line = line;
		} else if (b->unit != id[K_UNIT] && !b->bad_line) {
			b->bad_line = line;
			b->bad_id = id[K_UNIT];
			b->bad_is_unit = 1;
		}
	}
	if (id[K_DIR]) {
		if (!b->dir) {
			b->dir = id[K_DIR];
			b->dir_line = line;
		} else if (b->dir != id[K_DIR] && !b->bad_line) {
			b->bad_line = line;
			b->bad_id = id[K_DIR];
			b->bad_is_unit = 0;
		}
	}
	t->host = per_id(t->host, &t->caphost, id[K_HOST], sizeof(*t->host));
	h = &t->host[id[K_HOST]];
	if (!isnan(time)) {
		if (!h->has_time || time < h->tmin)
			h->tmin = time;
		if (!h->has_time || time > h->tmax)
			h->tmax = time;
		h->has_time = 1;
	}
}

/* The first row (in order) with a name that breaks its rule. */
static int check_names(const struct tidy *t)
{
	static const char *const label[K_N] = {
		"host", "platform", "benchmark", "unit", "direction"
	};
	static const char *const rule[K_N] = {
		"use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)",
		"use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)",
		"printable text without blanks at either end, at most 128 bytes",
		"printable text, at most 32 bytes",
		"higher or lower (which is better)",
	};
	char w[512];

	if (!t->has_bad)
		return 0;
	return vb_error("%s: %s '%s': %s", where(t->path, t->bad_line, w, sizeof(w)),
			label[t->bad_kind], name_of(t, t->bad_kind, t->bad_id),
			rule[t->bad_kind]);
}

/* One unit and one direction per benchmark: the first contradiction of
 * the benchmark first by name. */
static int check_units(const struct tidy *t)
{
	const struct bench_info *worst = NULL;
	uint32_t wid = 0;
	char w[512];

	for (uint32_t id = 1; id < t->names[K_BENCH].n; id++) {
		const struct bench_info *b = &t->bench[id];

		if (b->bad_line && (!worst || strcmp(name_of(t, K_BENCH, id),
						     name_of(t, K_BENCH, wid)) < 0)) {
			worst = b;
			wid = id;
		}
	}
	if (!worst)
		return 0;
	where(t->path, worst->bad_line, w, sizeof(w));
	if (worst->bad_is_unit)
		return vb_error("%s: benchmark '%s' in %s here, in %s on line %d", w,
				name_of(t, K_BENCH, wid), name_of(t, K_UNIT, worst->bad_id),
				name_of(t, K_UNIT, worst->unit),
				worst->unit_line > 0 ? worst->unit_line : 0);
	return vb_error("%s: benchmark '%s': %s is better here, %s on line %d", w,
			name_of(t, K_BENCH, wid), name_of(t, K_DIR, worst->bad_id),
			name_of(t, K_DIR, worst->dir),
			worst->dir_line > 0 ? worst->dir_line : 0);
}

/* The rows of a group: explicit repetitions in order, then the rows
 * without one in file order (rows are in file order in the array). */
static const struct trow *sort_rows;

static int cmp_in_group(const void *a, const void *b)
{
	const struct trow *x = &sort_rows[*(const uint32_t *)a];
	const struct trow *y = &sort_rows[*(const uint32_t *)b];

	if (!x->rep != !y->rep)
		return x->rep ? -1 : 1;
	if (x->rep != y->rep)
		return x->rep < y->rep ? -1 : 1;
	return (x > y) - (x < y);
}

/* The group first by (host, platform, benchmark) names. */
static int group_before(const struct tidy *t, const struct group *a,
			const struct group *b)
{
	int c = strcmp(name_of(t, K_HOST, a->host), name_of(t, K_HOST, b->host));

	if (!c)
		c = strcmp(name_of(t, K_PLATFORM, a->plat), name_of(t, K_PLATFORM, b->plat));
	if (!c)
		c = strcmp(name_of(t, K_BENCH, a->bench), name_of(t, K_BENCH, b->bench));
	return c < 0;
}

/* One row per repetition; numbers the rows without one after the largest
 * given, in file order, and orders t->order by group, then repetition.
 * O(n) when each group's repetitions come in order, as files list them. */
static int check_repetitions(struct tidy *t)
{
	const struct group *dup = NULL;
	const struct trow *dup_a = NULL, *dup_b = NULL;
	uint32_t *next = xcalloc(t->ngroups ? t->ngroups : 1, sizeof(*next));
	char w[512];

	t->order = xmalloc((t->n ? t->n : 1) * sizeof(*t->order));
	for (uint32_t g = 0, at = 0; g < t->ngroups; g++) {
		t->groups[g].start = at;
		next[g] = at;
		at += t->groups[g].n;
	}
	for (size_t i = 0; i < t->n; i++)
		t->order[next[t->rows[i].group]++] = (uint32_t)i;
	free(next);
	sort_rows = t->rows;
	for (uint32_t g = 0; g < t->ngroups; g++) {
		struct group *gr = &t->groups[g];
		uint32_t *o = t->order + gr->start;
		int32_t rep = gr->max_rep;

		if (gr->unordered || (gr->explicit && gr->explicit < gr->n))
			qsort(o, gr->n, sizeof(*o), cmp_in_group);
		for (uint32_t k = 1; gr->unordered && k < gr->explicit; k++) {
			const struct trow *a = &t->rows[o[k - 1]], *b = &t->rows[o[k]];

			if (a->rep == b->rep) {
				if (!dup || group_before(t, gr, dup)) {
					dup = gr;
					dup_a = a;
					dup_b = b;
				}
				break;
			}
		}
		for (uint32_t k = gr->explicit; k < gr->n; k++)
			t->rows[o[k]].rep = ++rep;
	}
	if (!dup)
		return 0;
	return vb_error("%s: repetition %d of %s/%s/%s again (first on line %d)",
			where(t->path, dup_b->line, w, sizeof(w)), dup_b->rep,
			name_of(t, K_HOST, dup->host), name_of(t, K_PLATFORM, dup->plat),
			name_of(t, K_BENCH, dup->bench), dup_a->line);
}

/* ---- the write ---------------------------------------------------------- */

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

/* Benchmark id of the file in the database: fills a missing unit and
 * direction from its definition, refuses ones that contradict it (at the
 * row that gave them), or defines it. */
static int ensure_benchmark(struct db *db, struct tidy *t, uint32_t id)
{
	struct bench_info *b = &t->bench[id];
	const char *name = name_of(t, K_BENCH, id), *runit = name_of(t, K_UNIT, b->unit),
		*rdir = name_of(t, K_DIR, b->dir);
	sqlite3_stmt *st;
	char *unit = NULL, *dir = NULL, w[512];
	int found, ret;

	if (db_prepare(db, &st, "SELECT unit, direction FROM benchmark WHERE name = ?1") < 0)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		unit = xstrdup((const char *)sqlite3_column_text(st, 0));
		dir = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (found && ((runit && strcmp(runit, unit)) || (rdir && strcmp(rdir, dir)))) {
		int32_t line = runit && strcmp(runit, unit) ? b->unit_line : b->dir_line;

		ret = vb_error("%s: benchmark '%s' is already defined as %s (%s is better), not %s (%s is better)",
			       where(t->path, line, w, sizeof(w)), name, unit, dir,
			       runit ? runit : unit, rdir ? rdir : dir);
		goto out;
	}
	if (!found && (!runit || !rdir)) {
		ret = vb_error("%s: benchmark '%s' has no %s: give a '%s' column or --%s",
			       where(t->path, b->first_line, w, sizeof(w)), name,
			       runit ? "direction" : "unit", runit ? "direction" : "unit",
			       runit ? "direction" : "unit");
		goto out;
	}
	ret = db_benchmark_ensure(db, name, found ? unit : runit, found ? dir : rdir,
				  &b->db_id);
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
 * Writes ok samples of a run as db/import_classic.c does, in sample-id
 * order, so every insert is an append: one INSERT ... SELECT over the rows
 * in memory (db/rows.c) for their outputs (one per line) and one for the
 * samples. Output ids are assigned here after the largest (the write lock
 * is held); only the first gets an explicit id, the next ones SQLite's
 * "largest + 1", which is the same number without a search.
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

	for (size_t i = 1; i < n; i++)
		if (rows[i - 1].id >= rows[i].id) {
			qsort(rows, n, sizeof(*rows), bulk_cmp);
			break;
		}
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
	/* A sample whose id follows the one before (repetitions 1, 2, ...)
	 * gets NULL, so SQLite appends it without looking the id up; the
	 * others (a new series, a gap) keep theirs. ms is free now: it holds
	 * the id or 0. */
	for (size_t i = 0; i < n; i++)
		rows[i].ms = i && rows[i].id == rows[i - 1].id + 1 ? 0 : rows[i].id;
	dr.i = offsetof(struct bulk_row, ms);
	dr.x = offsetof(struct bulk_row, value);
	dr.t_ptr = dr.t_len = -1;
	if (db_prepare(db, &st, "INSERT INTO sample_value (id, value, status,"
		       " output_id) SELECT CASE i WHEN 0 THEN NULL ELSE i END, x,"
		       " 0, ?2 + k FROM db_rows(?1) ORDER BY k") < 0)
		return -1;
	sqlite3_bind_pointer(st, 1, &dr, "db_rows", NULL);
	sqlite3_bind_int64(st, 2, first);
	if (bulk_step(db, st, "insert samples") < 0)
		return -1;
	if (sqlite3_last_insert_rowid(db_sqlite(db)) != rows[n - 1].id)
		return vb_error("%s: bulk insert: sample ids are not the ones expected",
				db_path(db));
	return 0;
}

/* The platforms, benchmarks and series of host h's groups, in order of
 * first appearance (so ids come out as they always did). */
static int define_series(struct db *db, struct tidy *t, uint32_t h,
			 int64_t host_id, int64_t run_id)
{
	uint32_t nplat = t->names[K_PLATFORM].n;
	int64_t *plat = xcalloc(nplat ? nplat : 1, sizeof(*plat));
	int ret = -1;

	for (uint32_t g = 0; g < t->ngroups; g++) {
		struct group *gr = &t->groups[g];
		const char *pname = name_of(t, K_PLATFORM, gr->plat);

		if (gr->host != h)
			continue;
		if (!plat[gr->plat] &&
		    (db_platform_ensure(db, host_id, pname, kind_of(pname), &plat[gr->plat]) < 0 ||
		     db_run_platform_set(db, run_id, plat[gr->plat], NULL, NULL, "ok", NULL) < 0))
			goto out;
		if (!t->bench[gr->bench].db_id && ensure_benchmark(db, t, gr->bench) < 0)
			goto out;
		gr->plat_id = plat[gr->plat];
		gr->bench_id = t->bench[gr->bench].db_id;
		if (db_series_get(db, run_id, gr->plat_id, gr->bench_id, &gr->series) < 0)
			goto out;
	}
	ret = 0;
out:
	free(plat);
	return ret;
}

/* The failed rows of host h (hyperfine's non-zero exits), each written on
 * its own with its reason, in file order. */
static int write_failed(struct db *db, const struct tidy *t, uint32_t h,
			int64_t run_id, const char *format, const char *now)
{
	for (size_t i = 0; t->error && i < t->n; i++) {
		const struct trow *r = &t->rows[i];
		const struct group *gr = &t->groups[r->group];
		char when[40], *raw;
		int rc;

		if (!t->error[i] || gr->host != h)
			continue;
		raw = r->raw ? xstrndup(r->raw, r->raw_len) : NULL;
		struct db_sample s = {
			.run_id = run_id, .platform_id = gr->plat_id,
			.benchmark_id = gr->bench_id,
			.repetition = r->rep, .has_value = 1, .value = r->value,
			.status = "failed", .error = t->error[i], .raw_output = raw,
			.parser = format, .parser_version = CSV_PARSER_VERSION,
			.started_at = isnan(r->time) ? now :
				vb_time_iso(r->time, when, sizeof(when)),
			.duration = -1,
		};
		rc = db_sample_insert(db, &s);
		free(raw);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Writes the rows of host h as one run. sha is that run's source hash. */
static int write_host_run(struct db *db, struct tidy *t, uint32_t h,
			  const char *format, const char *sha, char uuid[37],
			  long *nsamples)
{
	const char *host = name_of(t, K_HOST, h);
	const struct host_info *hi = &t->host[h];
	struct db_run run = { 0 };
	struct bulk_row *bulk = NULL;
	size_t count = 0, most = 0;
	int64_t now_ms, host_id, run_id;
	char *abspath = realpath(t->path, NULL), *params, t0[40], t1[40], now[40];
	int ret = -1;

	vb_now_iso(now, sizeof(now));
	if (db_time_ms(now, &now_ms) < 0)
		now_ms = -1;
	params = xasprintf("{\"format\":\"%s\"}", format);
	run.suite = "import";
	run.params = params;
	run.status = "imported";
	run.source = abspath ? abspath : t->path;
	run.source_sha256 = sha;
	run.started_at = hi->has_time ? vb_time_iso(hi->tmin, t0, sizeof(t0)) : now;
	if (db_host_ensure_named(db, host, !strcmp(host, vb_hostname()), &host_id) < 0)
		goto out;
	run.host_id = host_id;
	if (db_run_create(db, &run, &run_id) < 0 ||
	    define_series(db, t, h, host_id, run_id) < 0 ||
	    write_failed(db, t, h, run_id, format, now) < 0)
		goto out;
	/* A series at a time: memory for the largest, not for the host. */
	for (uint32_t g = 0; g < t->ngroups; g++)
		if (t->groups[g].host == h) {
			count += t->groups[g].n;
			if (t->groups[g].n > most)
				most = t->groups[g].n;
		}
	bulk = xmalloc((most ? most : 1) * sizeof(*bulk));
	for (uint32_t g = 0; g < t->ngroups; g++) {
		const struct group *gr = &t->groups[g];
		size_t nbulk = 0;

		for (uint32_t k = 0; gr->host == h && k < gr->n; k++) {
			size_t i = t->order[gr->start + k];
			const struct trow *r = &t->rows[i];
			struct bulk_row *b;

			if (t->error && t->error[i])
				continue;
			b = &bulk[nbulk++];
			b->id = gr->series * DB_SERIES_SHIFT_N + r->rep;
			b->ms = isnan(r->time) ? now_ms : time_ms(r->time);
			b->value = r->value;
			b->raw = r->raw;
			b->len = r->raw_len;
		}
		if (nbulk && write_bulk(db, run_id, format, bulk, nbulk) < 0)
			goto out;
	}
	if (run_set_ended(db, run_id, hi->has_time ? vb_time_iso(hi->tmax, t1, sizeof(t1)) : now) < 0)
		goto out;
	memcpy(uuid, run.uuid, 37);
	*nsamples += (long)count;
	ret = 0;
out:
	free(bulk);
	free(params);
	free(abspath);
	return ret;
}

/* Checks the rows among themselves, then writes them in one transaction,
 * a run per host. */
static int tidy_import(struct db *db, struct tidy *t, const char *format,
		       const char *sha, char ***uuids, long *nsamples)
{
	uint32_t nh = t->names[K_HOST].n;
	char **out;
	int dup;

	*uuids = NULL;
	*nsamples = 0;
	if (check_names(t) < 0 || check_units(t) < 0 || check_repetitions(t) < 0)
		return -1;
	out = xcalloc(nh + 1, sizeof(*out));
	if (db_bulk_begin(db) < 0)
		goto fail;
	dup = already_imported(db, t->path, sha);
	if (dup)
		goto rollback;
	for (uint32_t h = 1; h < nh; h++) {
		char uuid[37], hsha[65];

		/* One hash per run (the column is unique): the file's for the
		 * first host, the file's hashed with the host's name after. */
		if (h > 1) {
			char *k = xasprintf("%s\n%s", sha, name_of(t, K_HOST, h));

			vb_sha256_hex(k, strlen(k), hsha);
			free(k);
		}
		if (write_host_run(db, t, h, format, h > 1 ? hsha : sha, uuid, nsamples) < 0)
			goto rollback;
		out[h - 1] = xstrdup(uuid);
	}
	if (db_bulk_end(db, 1) < 0)
		goto fail;
	*uuids = out;
	return 0;
rollback:
	db_bulk_end(db, 0);
fail:
	*nsamples = 0;
	vb_strv_free(out);
	return -1;
}

int db_import_tidy(struct db *db, const char *path, const char *format,
		   const char *sha, struct db_tidy_row *rows, size_t n,
		   char ***uuids, long *nsamples)
{
	struct tidy t = { .path = path };
	int ret;

	*uuids = NULL;
	*nsamples = 0;
	if (!n)
		return vb_error("%s:0: no samples in the file", path);
	t.error = xcalloc(n, sizeof(*t.error));
	for (size_t i = 0; i < n; i++) {
		const struct db_tidy_row *r = &rows[i];
		const char *s[K_N] = { r->host, r->platform, r->benchmark, r->unit,
				       r->direction };
		uint32_t id[K_N];

		for (int k = 0; k < K_N; k++)
			id[k] = s[k] ? names_id(&t.names[k], k, s[k], strlen(s[k])) : 0;
		t.error[i] = r->error;
		tidy_add(&t, r->line > 0 ? r->line : -r->index, id, r->value, r->time,
			 r->repetition, r->raw, r->raw ? strlen(r->raw) : 0);
	}
	ret = tidy_import(db, &t, format, sha, uuids, nsamples);
	tidy_free(&t);
	return ret;
}

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
	int field[K_N];
	uint32_t fixed[K_N];
	int value, rep, time, nfields;
};

static void layout_make(struct tidy *t, const int col[C_N],
			const struct db_csv_defaults *d, struct csv_layout *l)
{
	static const int kind_col[K_N] = { C_HOST, C_PLATFORM, C_BENCHMARK, C_UNIT,
					   C_DIRECTION };
	const char *given[K_N] = { d->host ? d->host : vb_hostname(), d->platform,
				   d->benchmark, d->unit, d->direction };

	l->nfields = 0;
	for (int c = 0; c < C_N; c++)
		if (col[c] >= l->nfields)
			l->nfields = col[c] + 1;
	for (int k = 0; k < K_N; k++) {
		l->field[k] = col[kind_col[k]];
		l->fixed[k] = l->field[k] < 0 && given[k] ?
			names_id(&t->names[k], k, given[k], strlen(given[k])) : 0;
	}
	l->value = col[C_VALUE];
	l->rep = col[C_REPETITION];
	l->time = col[C_TIME];
}

/* One data line, split into f, added to t. */
static int parse_row(struct tidy *t, int line, const struct field *f, int n,
		     const struct csv_layout *l, const char *raw, size_t raw_len)
{
	const char *path = t->path;
	uint32_t id[K_N];
	int32_t rep = 0;
	double value, time = NAN;

	if (n != l->nfields)
		return vb_error("%s:%d: %d fields, the header has %d", path, line, n,
				l->nfields);
	for (int k = 0; k < K_N; k++)
		id[k] = l->field[k] < 0 ? l->fixed[k] :
			names_id(&t->names[k], k, f[l->field[k]].s, f[l->field[k]].n);
	if (csv_number(&f[l->value], &value) < 0)
		return vb_error("%s:%d: value '%.*s' is not a number", path, line,
				(int)f[l->value].n, f[l->value].s);
	if (l->rep >= 0 && csv_repetition(&f[l->rep], &rep) < 0)
		return vb_error("%s:%d: repetition '%.*s' is not a whole number from 1",
				path, line, (int)f[l->rep].n, f[l->rep].s);
	if (l->time >= 0 && csv_time(&f[l->time], &time) < 0)
		return vb_error("%s:%d: time '%.*s': UNIX seconds or ISO 8601 UTC (2024-05-01T12:00:00Z)",
				path, line, (int)f[l->time].n, f[l->time].s);
	tidy_add(t, line, id, value, time, rep, raw, raw_len);
	return 0;
}

/* Reads the whole file into t; rows point into buf, which is not changed. */
static int parse_csv(struct tidy *t, const char *buf, size_t len,
		     const struct db_csv_defaults *d, struct arena *a)
{
	const char *path = t->path, *p = buf, *end = buf + len;
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
		if (parse_row(t, line, f, nf, &l, s, (size_t)(e - s)) < 0)
			return -1;
	}
	if (!header)
		return vb_error("%s:%d: no header row (%s)", path, line ? line : 1,
				"host, platform, benchmark, value, unit, direction, repetition, time");
	if (!t->n)
		return vb_error("%s:%d: no data rows after the header", path, line);
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
	struct tidy t = { .path = path };
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
	if (parse_csv(&t, sb.buf ? sb.buf : "", sb.len, d, &a) == 0)
		ret = tidy_import(db, &t, CSV_PARSER, sha, uuids, nsamples);
	tidy_free(&t);
	arena_free(&a);
	sb_release(&sb);
	return ret;
}
