/*
 * db/tidy.c - the tidy-rows checker and writer behind `import csv`
 * (db/import_csv.c) and `import hyperfine` (db/import_hyperfine.c): one
 * sample per row, named by host, platform and benchmark, with a unit, a
 * direction, a repetition and a time where the file gives them.
 *
 * The rows are checked as a whole - names, one unit and direction per
 * benchmark, one row per repetition, then against benchmarks already
 * defined - and written in one transaction, one run per host, status
 * "imported"; a file already imported (same SHA-256) is refused. The
 * first problem is reported as FILE:LINE: reason (FILE: results[i] for
 * hyperfine).
 *
 * Workload: a million rows and more, a handful of distinct names. Every
 * host, platform, benchmark, unit and direction is interned once into a
 * small integer id and checked once, and the checks that need an order
 * work on those ids: a row belongs to a group (host, platform,
 * benchmark), found by a hash of three integers, and only a group whose
 * repetitions are not already in file order is sorted, so the checks are
 * O(n) for files as they are usually written. The rows are then written
 * as db/import_classic.c writes: one INSERT ... SELECT over the rows in
 * memory (db/rows.c) for the outputs and one for the samples, a series at
 * a time, in sample-id order.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/safe.h"
#include "common/util.h"
#include "db/db_int.h"

/* The version recorded with the parser name (the import's format). */
#define TIDY_PARSER_VERSION 1

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

/* The rule each kind of name obeys. */
static int name_ok(int kind, const char *s)
{
	switch (kind) {
	case DB_TIDY_HOST:
	case DB_TIDY_PLATFORM:
		return db_import_valid_name(s);
	case DB_TIDY_BENCH:
		return valid_text(s, 128);
	case DB_TIDY_UNIT:
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

struct db_tidy {
	const char *path;
	struct names names[DB_TIDY_N];
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

void db_tidy_free(struct db_tidy *t)
{
	if (!t)
		return;
	for (int k = 0; k < DB_TIDY_N; k++)
		names_free(&t->names[k]);
	free(t->rows);
	free(t->error);
	free(t->groups);
	free(t->gslot);
	free(t->bench);
	free(t->host);
	free(t->order);	free(t);
}

static const char *name_of(const struct db_tidy *t, int kind, uint32_t id)
{
	return id ? t->names[kind].s[id] : NULL;
}

/* Where a row came from: "FILE:LINE" or, for hyperfine, "FILE: results[i]". */
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

static void groups_grow(struct db_tidy *t)
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
static uint32_t group_of(struct db_tidy *t, uint32_t host, uint32_t plat, uint32_t bench)
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
void db_tidy_add(struct db_tidy *t, int32_t line, const uint32_t id[DB_TIDY_N],
		     double value, double time, int32_t rep, const char *raw,
		     size_t raw_len)
{
	struct trow *r;
	struct group *gr;
	struct bench_info *b;
	struct host_info *h;

	if (!t->has_bad)
		for (int k = 0; k < DB_TIDY_N; k++)
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
	r->group = group_of(t, id[DB_TIDY_HOST], id[DB_TIDY_PLATFORM], id[DB_TIDY_BENCH]);
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
	t->bench = per_id(t->bench, &t->capbench, id[DB_TIDY_BENCH], sizeof(*t->bench));
	b = &t->bench[id[DB_TIDY_BENCH]];
	if (!b->seen) {
		b->seen = 1;
		b->first_line = line;
	}
	if (id[DB_TIDY_UNIT]) {
		if (!b->unit) {
			b->unit = id[DB_TIDY_UNIT];
			b->unit_line = line;
		} else if (b->unit != id[DB_TIDY_UNIT] && !b->bad_line) {
			b->bad_line = line;
			b->bad_id = id[DB_TIDY_UNIT];
			b->bad_is_unit = 1;
		}
	}
	if (id[DB_TIDY_DIR]) {
		if (!b->dir) {
			b->dir = id[DB_TIDY_DIR];
			b->dir_line = line;
		} else if (b->dir != id[DB_TIDY_DIR] && !b->bad_line) {
			b->bad_line = line;
			b->bad_id = id[DB_TIDY_DIR];
			b->bad_is_unit = 0;
		}
	}
	t->host = per_id(t->host, &t->caphost, id[DB_TIDY_HOST], sizeof(*t->host));
	h = &t->host[id[DB_TIDY_HOST]];
	if (!isnan(time)) {
		if (!h->has_time || time < h->tmin)
			h->tmin = time;
		if (!h->has_time || time > h->tmax)
			h->tmax = time;
		h->has_time = 1;
	}
}

/* The first row (in order) with a name that breaks its rule. */
static int check_names(const struct db_tidy *t)
{
	static const char *const label[DB_TIDY_N] = {
		"host", "platform", "benchmark", "unit", "direction"
	};
	static const char *const rule[DB_TIDY_N] = {
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
static int check_units(const struct db_tidy *t)
{
	const struct bench_info *worst = NULL;
	uint32_t wid = 0;
	char w[512];

	for (uint32_t id = 1; id < t->names[DB_TIDY_BENCH].n; id++) {
		const struct bench_info *b = &t->bench[id];

		if (b->bad_line && (!worst || strcmp(name_of(t, DB_TIDY_BENCH, id),
						     name_of(t, DB_TIDY_BENCH, wid)) < 0)) {
			worst = b;
			wid = id;
		}
	}
	if (!worst)
		return 0;
	where(t->path, worst->bad_line, w, sizeof(w));
	if (worst->bad_is_unit)
		return vb_error("%s: benchmark '%s' in %s here, in %s on line %d", w,
				name_of(t, DB_TIDY_BENCH, wid), name_of(t, DB_TIDY_UNIT, worst->bad_id),
				name_of(t, DB_TIDY_UNIT, worst->unit),
				worst->unit_line > 0 ? worst->unit_line : 0);
	return vb_error("%s: benchmark '%s': %s is better here, %s on line %d", w,
			name_of(t, DB_TIDY_BENCH, wid), name_of(t, DB_TIDY_DIR, worst->bad_id),
			name_of(t, DB_TIDY_DIR, worst->dir),
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
static int group_before(const struct db_tidy *t, const struct group *a,
			const struct group *b)
{
	int c = strcmp(name_of(t, DB_TIDY_HOST, a->host), name_of(t, DB_TIDY_HOST, b->host));

	if (!c)
		c = strcmp(name_of(t, DB_TIDY_PLATFORM, a->plat), name_of(t, DB_TIDY_PLATFORM, b->plat));
	if (!c)
		c = strcmp(name_of(t, DB_TIDY_BENCH, a->bench), name_of(t, DB_TIDY_BENCH, b->bench));
	return c < 0;
}

/* One row per repetition; numbers the rows without one after the largest
 * given, in file order, and orders t->order by group, then repetition.
 * O(n) when each group's repetitions come in order, as files list them. */
static int check_repetitions(struct db_tidy *t)
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
			name_of(t, DB_TIDY_HOST, dup->host), name_of(t, DB_TIDY_PLATFORM, dup->plat),
			name_of(t, DB_TIDY_BENCH, dup->bench), dup_a->line);
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
static int ensure_benchmark(struct db *db, struct db_tidy *t, uint32_t id)
{
	struct bench_info *b = &t->bench[id];
	const char *name = name_of(t, DB_TIDY_BENCH, id), *runit = name_of(t, DB_TIDY_UNIT, b->unit),
		*rdir = name_of(t, DB_TIDY_DIR, b->dir);
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
	if (db_parser_get(db, format, TIDY_PARSER_VERSION, &parser_id) < 0 ||
	    db_rows_insert_outputs(db, &dr, run_id, parser_id, &first) < 0)
		return -1;
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
static int define_series(struct db *db, struct db_tidy *t, uint32_t h,
			 int64_t host_id, int64_t run_id)
{
	uint32_t nplat = t->names[DB_TIDY_PLATFORM].n;
	int64_t *plat = xcalloc(nplat ? nplat : 1, sizeof(*plat));
	int ret = -1;

	for (uint32_t g = 0; g < t->ngroups; g++) {
		struct group *gr = &t->groups[g];
		const char *pname = name_of(t, DB_TIDY_PLATFORM, gr->plat);

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
static int write_failed(struct db *db, const struct db_tidy *t, uint32_t h,
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
			.parser = format, .parser_version = TIDY_PARSER_VERSION,
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
static int write_host_run(struct db *db, struct db_tidy *t, uint32_t h,
			  const char *format, const char *sha, char uuid[37],
			  long *nsamples)
{
	const char *host = name_of(t, DB_TIDY_HOST, h);
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
int db_tidy_import(struct db *db, struct db_tidy *t, const char *format,
		       const char *sha, char ***uuids, long *nsamples)
{
	uint32_t nh = t->names[DB_TIDY_HOST].n;
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
			char *k = xasprintf("%s\n%s", sha, name_of(t, DB_TIDY_HOST, h));

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

struct db_tidy *db_tidy_new(const char *path)
{
	struct db_tidy *t = xcalloc(1, sizeof(*t));

	t->path = path;
	return t;
}

uint32_t db_tidy_name(struct db_tidy *t, int kind, const char *s, size_t n)
{
	return names_id(&t->names[kind], kind, s, n);
}

size_t db_tidy_count(const struct db_tidy *t)
{
	return t->n;
}

int db_import_tidy(struct db *db, const char *path, const char *format,
		   const char *sha, struct db_tidy_row *rows, size_t n,
		   char ***uuids, long *nsamples)
{
	struct db_tidy *t;
	int ret;

	*uuids = NULL;
	*nsamples = 0;
	if (!n)
		return vb_error("%s:0: no samples in the file", path);
	t = db_tidy_new(path);
	t->error = xcalloc(n, sizeof(*t->error));
	for (size_t i = 0; i < n; i++) {
		const struct db_tidy_row *r = &rows[i];
		const char *s[DB_TIDY_N] = { r->host, r->platform, r->benchmark, r->unit,
				       r->direction };
		uint32_t id[DB_TIDY_N];

		for (int k = 0; k < DB_TIDY_N; k++)
			id[k] = s[k] ? names_id(&t->names[k], k, s[k], strlen(s[k])) : 0;
		t->error[i] = r->error;
		db_tidy_add(t, r->line > 0 ? r->line : -r->index, id, r->value, r->time,
			 r->repetition, r->raw, r->raw ? strlen(r->raw) : 0);
	}
	ret = db_tidy_import(db, t, format, sha, uuids, nsamples);
	db_tidy_free(t);
	return ret;
}

void db_tidy_rows_free(struct db_tidy_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].raw);
		free(rows[i].error);
	}
	free(rows);
}
