/*
 * db/import_json.c - imports a "virtbench export --format json" file.
 *
 * The file is read as a stream, one record at a time: the top-level
 * object is scanned here, and each element of "hosts", "runs" and
 * "samples" is cut out of the stream and parsed on its own with cJSON, so
 * memory is bounded by the largest record, not by the file (a 150 MB
 * export parsed whole took 757 MB). The keys must come in the order the
 * exporter writes them: "format" first, "runs" before "samples". Everything
 * is written in one transaction: a bad field anywhere ("FILE:LINE:
 * samples[12].value: ...") rolls it back and leaves the database untouched.
 * Runs already present (same UUID) are skipped with their samples, so
 * importing the same export twice adds nothing.
 *
 * Samples read from one output (an export lists the six samples of a
 * classic line with six copies of the line) share one stored output again:
 * a table per run maps a 128-bit hash of (platform, repetition, raw output,
 * start, duration, parser, version) to the output's id - 24 bytes per
 * distinct output of the current run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db_int.h"

struct ctx {
	struct db *db;
	const char *path;
	int db_begun; /* the transaction was started */
	/* Runs this file defines and this import adds, with their hosts:
	 * the only runs its samples may go to (issue 13). */
	char **added, **added_host;
	size_t n_added;
	char *abspath; /* recorded as the source of runs that have none */
};

/* Optional string member: NULL if absent or null; error if another type. */
static int get_str(const struct ctx *c, const cJSON *obj, const char *where,
		   int idx, const char *key, int required, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return vb_error("%s: %s[%d].%s: missing", c->path, where, idx, key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return vb_error("%s: %s[%d].%s: not a string", c->path, where, idx, key);
	*out = v->valuestring;
	return 0;
}

static int get_num(const struct ctx *c, const cJSON *obj, const char *where,
		   int idx, const char *key, int *present, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*present = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return vb_error("%s: %s[%d].%s: not a number", c->path, where, idx, key);
	*present = 1;
	*out = v->valuedouble;
	return 0;
}

/* An optional whole number in [lo, hi], checked before any cast (a seed
 * of 1e300 must not become INT64_MIN). The bounds are doubles that are
 * exactly representable. */
static int get_int(const struct ctx *c, const cJSON *obj, const char *where,
		   int idx, const char *key, double lo, double hi, int *present,
		   int64_t *out)
{
	double v;

	if (get_num(c, obj, where, idx, key, present, &v) < 0)
		return -1;
	if (!*present)
		return 0;
	if (!(v >= lo && v <= hi) || v != floor(v))
		return vb_error("%s: %s[%d].%s: %g is not a whole number from %.0f "
				"to %.0f", c->path, where, idx, key, v, lo, hi);
	*out = (int64_t)v;
	return 0;
}

/* 2^63 is a double; the largest double below it is 2^63 - 1024. */
#define I64_LO (-9223372036854775808.0)
#define I64_HI (9223372036854774784.0)

/* A JSON member stored as JSON text (config, params, meta). */
static char *get_json_text(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || cJSON_IsNull(v))
		return NULL;
	return cJSON_PrintUnformatted(v);
}

/* A run is already present if its UUID is, or if it was imported from the
 * same source file (same SHA-256) under another UUID. */
static int run_exists(struct db *db, const char *uuid, const char *sha)
{
	sqlite3_stmt *st;
	int found;

	if (db_prepare(db, &st, "SELECT 1 FROM run WHERE uuid = ?1 OR"
				" source_sha256 = ?2") < 0)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int import_host(const struct ctx *c, const cJSON *h, int i)
{
	struct db_host host = { 0 };
	const char *name, *cpu, *s;
	int64_t num;
	int has, ret;
	int64_t id;

	if (!cJSON_IsObject(h))
		return vb_error("%s: hosts[%d]: not an object", c->path, i);
	if (get_str(c, h, "hosts", i, "name", 1, &name) < 0 ||
	    get_str(c, h, "hosts", i, "cpu_model", 0, &cpu) < 0)
		return -1;
	host.name = (char *)name;
	host.cpu_model = (char *)cpu;
	if (get_str(c, h, "hosts", i, "fingerprint", 0, &s) < 0)
		return -1;
	host.fingerprint = (char *)s;
	if (get_str(c, h, "hosts", i, "kernel", 0, &s) < 0)
		return -1;
	host.kernel = (char *)s;
	if (get_str(c, h, "hosts", i, "os", 0, &s) < 0)
		return -1;
	host.os = (char *)s;
	if (get_str(c, h, "hosts", i, "virt_flags", 0, &s) < 0)
		return -1;
	host.virt_flags = (char *)s;
	if (get_int(c, h, "hosts", i, "cores", 0, INT_MAX, &has, &num) < 0)
		return -1;
	host.cores = has ? (int)num : 0;
	if (get_int(c, h, "hosts", i, "memory_bytes", 0, I64_HI, &has, &num) < 0)
		return -1;
	host.memory_bytes = has ? num : 0;
	if (get_int(c, h, "hosts", i, "has_kvm", 0, 1, &has, &num) < 0)
		return -1;
	host.has_kvm = has ? (int)num : 0;
	if (get_str(c, h, "hosts", i, "captured_at", 0, &s) < 0)
		return -1;
	host.captured_at = (char *)s;
	host.meta = get_json_text(h, "meta");
	ret = db_host_ensure(c->db, &host, &id);
	free(host.meta);
	return ret;
}

static int host_id_of(struct db *db, const char *name, int64_t *id)
{
	return db_host_ensure_named(db, name, 0, id);
}

static int import_run(struct ctx *c, const cJSON *run, int i, int64_t *run_id)
{
	static const char sql[] =
		"INSERT INTO run (uuid, host_id, suite, params, seed, tool_version,"
		" command_line, started_at, ended_at, status, source, source_sha256)"
		" VALUES (?1, ?2, ?3, coalesce(?4, '{}'), ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12)";
	const char *uuid, *host, *suite, *tool, *cmdline, *start, *end, *status,
		*source, *sha;
	const cJSON *plats, *p;
	char *params;
	int64_t seed;
	int has_seed, rc, j = 0;
	int64_t host_id;
	sqlite3_stmt *st;

	if (get_str(c, run, "runs", i, "uuid", 1, &uuid) < 0 ||
	    get_str(c, run, "runs", i, "host", 1, &host) < 0 ||
	    get_str(c, run, "runs", i, "suite", 1, &suite) < 0 ||
	    get_str(c, run, "runs", i, "tool_version", 1, &tool) < 0 ||
	    get_str(c, run, "runs", i, "command_line", 0, &cmdline) < 0 ||
	    get_str(c, run, "runs", i, "started_at", 1, &start) < 0 ||
	    get_str(c, run, "runs", i, "ended_at", 0, &end) < 0 ||
	    get_str(c, run, "runs", i, "status", 1, &status) < 0 ||
	    get_str(c, run, "runs", i, "source", 0, &source) < 0 ||
	    get_str(c, run, "runs", i, "source_sha256", 0, &sha) < 0 ||
	    get_int(c, run, "runs", i, "seed", I64_LO, I64_HI, &has_seed, &seed) < 0)
		return -1;
	/* What db check calls a run that ended before it started. */
	if (end && strcmp(end, start) < 0)
		return vb_error("%s: runs[%d].ended_at: before started_at", c->path, i);
	if (host_id_of(c->db, host, &host_id) < 0 ||
	    db_prepare(c->db, &st, sql) < 0)
		return -1;
	params = get_json_text(run, "params");
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, host_id);
	sqlite3_bind_text(st, 3, suite, -1, SQLITE_STATIC);
	if (params)
		sqlite3_bind_text(st, 4, params, -1, SQLITE_TRANSIENT);
	if (has_seed)
		sqlite3_bind_int64(st, 5, seed);
	sqlite3_bind_text(st, 6, tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cmdline, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, end, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, status, -1, SQLITE_STATIC);
	/* An imported run always says so, whatever status it claims: that
	 * is what keeps 'collect --resume' from running its suite. */
	sqlite3_bind_text(st, 11, source ? source : c->abspath, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	free(params);
	if (rc != SQLITE_DONE) {
		vb_error("%s: runs[%d] (%s): %s", c->path, i, uuid,
			 sqlite3_errmsg(db_sqlite(c->db)));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	*run_id = sqlite3_last_insert_rowid(db_sqlite(c->db));
	c->added = xrealloc(c->added, (c->n_added + 1) * sizeof(char *));
	c->added_host = xrealloc(c->added_host, (c->n_added + 1) * sizeof(char *));
	c->added[c->n_added] = xstrdup(uuid);
	c->added_host[c->n_added++] = xstrdup(host);

	plats = cJSON_GetObjectItemCaseSensitive(run, "platforms");
	cJSON_ArrayForEach(p, plats) {
		const char *name, *kind, *inst, *state, *reason;
		int64_t pid;
		char *config;
		int r;

		if (get_str(c, p, "runs[].platforms", j, "name", 1, &name) < 0 ||
		    get_str(c, p, "runs[].platforms", j, "kind", 0, &kind) < 0 ||
		    get_str(c, p, "runs[].platforms", j, "instance_id", 0, &inst) < 0 ||
		    get_str(c, p, "runs[].platforms", j, "state", 0, &state) < 0 ||
		    get_str(c, p, "runs[].platforms", j, "reason", 0, &reason) < 0)
			return -1;
		if (db_platform_ensure(c->db, host_id, name, kind, &pid) < 0)
			return -1;
		config = get_json_text(p, "config");
		r = db_run_platform_set(c->db, *run_id, pid, config, inst, state, reason);
		free(config);
		if (r < 0)
			return -1;
		j++;
	}
	return 0;
}

/* Finds the id of a run imported in this transaction (NULL uuid = none). */
static int lookup_run(struct db *db, const char *uuid, int64_t *id)
{
	sqlite3_stmt *st;
	int found;

	if (db_prepare(db, &st, "SELECT id FROM run WHERE uuid = ?1") < 0)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return found;
}

/* ---- outputs shared by samples ------------------------------------------ */

struct out_entry {
	uint64_t h1, h2;
	int64_t id; /* 0 = empty slot */
};

struct out_map {
	struct out_entry *e;
	size_t n, cap; /* cap is a power of two */
};

static void out_map_clear(struct out_map *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* FNV-1a, 64 bits, over a field and a separator (so "a","bc" differs from
 * "ab","c"); two different offsets give two independent hashes. */
static void hash_add(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= s[i];
		*h *= 1099511628211ULL;
	}
	*h ^= 0xff;
	*h *= 1099511628211ULL;
}

static void hash_str(uint64_t h[2], const char *s)
{
	for (int k = 0; k < 2; k++) {
		if (s)
			hash_add(&h[k], s, strlen(s));
		else
			hash_add(&h[k], "\xff\xfe", 2);
	}
}

static void hash_num(uint64_t h[2], int has, double v)
{
	for (int k = 0; k < 2; k++) {
		hash_add(&h[k], &has, sizeof(has));
		if (has)
			hash_add(&h[k], &v, sizeof(v));
	}
}

/* The slot of (h1, h2): its entry, or the empty slot where it goes. */
static struct out_entry *out_map_slot(struct out_map *m, uint64_t h1, uint64_t h2)
{
	size_t i = (size_t)h1 & (m->cap - 1);

	while (m->e[i].id && (m->e[i].h1 != h1 || m->e[i].h2 != h2))
		i = (i + 1) & (m->cap - 1);
	return &m->e[i];
}

static void out_map_put(struct out_map *m, uint64_t h1, uint64_t h2, int64_t id)
{
	if (2 * (m->n + 1) > m->cap) {
		struct out_map big = { xcalloc(m->cap ? 2 * m->cap : 1024,
					       sizeof(*big.e)), 0,
				       m->cap ? 2 * m->cap : 1024 };

		for (size_t i = 0; i < m->cap; i++)
			if (m->e[i].id)
				*out_map_slot(&big, m->e[i].h1, m->e[i].h2) = m->e[i];
		big.n = m->n;
		free(m->e);
		*m = big;
	}
	struct out_entry *e = out_map_slot(m, h1, h2);

	if (!e->id)
		m->n++;
	e->h1 = h1;
	e->h2 = h2;
	e->id = id;
}

/* ---- samples ------------------------------------------------------------ */

/* What import_sample() remembers from one sample to the next: consecutive
 * samples usually share run, platform and benchmark, so their ids are
 * looked up once. */
struct sample_state {
	char *last_run, *last_plat, *last_bench;
	int64_t run_id, host_id, plat_id, bench_id;
	struct out_map outputs; /* of the current run */
};

static void sample_state_clear(struct sample_state *ss)
{
	free(ss->last_run);
	free(ss->last_plat);
	free(ss->last_bench);
	out_map_clear(&ss->outputs);
}

/* One element of "samples" as read: strings point into the cJSON tree,
 * has_X says whether optional member X was given. */
struct json_sample {
	const char *run, *host, *plat, *bench, *unit, *dir, *status, *start,
		*parser, *err, *raw;
	double value, dur, inst, other, dist;
	int64_t rep, pv, ms;
	int has_rep, has_value, has_dur, has_pv, has_inst, has_other, has_dist;
};

/* Reads the members of samples[i] into js, each with its type checked. */
static int sample_read(const struct ctx *c, const cJSON *s, int i,
		       struct json_sample *js)
{
	memset(js, 0, sizeof(*js));
	if (!cJSON_IsObject(s))
		return vb_error("%s: samples[%d]: not an object", c->path, i);
	if (get_str(c, s, "samples", i, "run", 1, &js->run) < 0 ||
	    get_str(c, s, "samples", i, "host", 1, &js->host) < 0 ||
	    get_str(c, s, "samples", i, "platform", 1, &js->plat) < 0 ||
	    get_str(c, s, "samples", i, "benchmark", 1, &js->bench) < 0 ||
	    get_str(c, s, "samples", i, "unit", 1, &js->unit) < 0 ||
	    get_str(c, s, "samples", i, "direction", 0, &js->dir) < 0 ||
	    get_str(c, s, "samples", i, "status", 1, &js->status) < 0 ||
	    get_str(c, s, "samples", i, "started_at", 1, &js->start) < 0 ||
	    get_str(c, s, "samples", i, "parser", 0, &js->parser) < 0 ||
	    get_str(c, s, "samples", i, "error", 0, &js->err) < 0 ||
	    get_str(c, s, "samples", i, "raw_output", 0, &js->raw) < 0 ||
	    get_int(c, s, "samples", i, "repetition", 0, INT_MAX, &js->has_rep,
		    &js->rep) < 0 ||
	    get_num(c, s, "samples", i, "value", &js->has_value, &js->value) < 0 ||
	    get_num(c, s, "samples", i, "duration", &js->has_dur, &js->dur) < 0 ||
	    get_int(c, s, "samples", i, "parser_version", INT_MIN, INT_MAX,
		    &js->has_pv, &js->pv) < 0 ||
	    get_num(c, s, "samples", i, "instance", &js->has_inst, &js->inst) < 0 ||
	    get_num(c, s, "samples", i, "host_other_cpu", &js->has_other,
		    &js->other) < 0 ||
	    get_num(c, s, "samples", i, "disturbed", &js->has_dist, &js->dist) < 0)
		return -1;
	return 0;
}

/* The rules a sample obeys by itself (what db check would call broken);
 * fills js->ms from started_at. */
static int sample_check(const struct ctx *c, int i, struct json_sample *js)
{
	if (js->has_inst && (js->inst < 1 || js->inst > 2147483647.0 ||
			     js->inst != (int)js->inst))
		return vb_error("%s: samples[%d].instance: not a positive integer",
				c->path, i);
	if (js->has_dist && js->dist != 0 && js->dist != 1)
		return vb_error("%s: samples[%d].disturbed: not 0 or 1", c->path, i);
	if (js->has_other && !js->has_dist)
		return vb_error("%s: samples[%d].host_other_cpu: given without "
				"disturbed", c->path, i);
	if (!js->has_rep)
		return vb_error("%s: samples[%d].repetition: missing", c->path, i);
	if (js->has_dur && js->dur < 0)
		return vb_error("%s: samples[%d].duration: %g is not a number of "
				"seconds from 0", c->path, i, js->dur);
	if (strcmp(js->status, "ok") && strcmp(js->status, "failed") &&
	    strcmp(js->status, "warmup"))
		return vb_error("%s: samples[%d].status: '%s' is not ok, failed or "
				"warmup", c->path, i, js->status);
	if (!strcmp(js->status, "ok") && !js->has_value)
		return vb_error("%s: samples[%d].value: missing for an ok sample",
				c->path, i);
	/* What db check calls a failure without a reason. */
	if (!strcmp(js->status, "failed") && (!js->err || !*js->err))
		return vb_error("%s: samples[%d].error: a failed sample needs its "
				"reason", c->path, i);
	if (db_time_ms(js->start, &js->ms) < 0)
		return vb_error("%s: samples[%d].started_at: '%s' is not an ISO "
				"8601 UTC time", c->path, i, js->start);
	return 0;
}

/* A sample goes only into a run this file defines and this import adds,
 * and on that run's host (issue 13). */
static int sample_check_run(const struct ctx *c, int i, const struct json_sample *js)
{
	size_t k;

	for (k = 0; k < c->n_added && strcmp(c->added[k], js->run); k++)
		;
	if (k == c->n_added)
		return vb_error("%s: samples[%d].run: run %s is not in "
				"\"runs\" of this file", c->path, i, js->run);
	if (strcmp(c->added_host[k], js->host))
		return vb_error("%s: samples[%d].host: '%s' is not the host "
				"of run %s ('%s')", c->path, i, js->host, js->run,
				c->added_host[k]);
	return 0;
}

/* The ids of the sample's run, host, platform and benchmark in ss, looked
 * up (or, for platform and benchmark, created) only when they differ
 * from the previous sample's. A new run forgets the run's outputs. */
static int sample_ids(const struct ctx *c, int i, const struct json_sample *js,
		      struct sample_state *ss)
{
	if (!ss->last_run || strcmp(ss->last_run, js->run)) {
		int f = lookup_run(c->db, js->run, &ss->run_id);

		if (f <= 0) {
			if (f == 0)
				vb_error("%s: samples[%d].run: run %s is not "
					 "in \"runs\"", c->path, i, js->run);
			return -1;
		}
		free(ss->last_run);
		ss->last_run = xstrdup(js->run);
		free(ss->last_plat);
		ss->last_plat = NULL;
		out_map_clear(&ss->outputs);
		if (host_id_of(c->db, js->host, &ss->host_id) < 0)
			return -1;
	}
	if (!ss->last_plat || strcmp(ss->last_plat, js->plat)) {
		if (db_platform_ensure(c->db, ss->host_id, js->plat, NULL,
				       &ss->plat_id) < 0)
			return -1;
		free(ss->last_plat);
		ss->last_plat = xstrdup(js->plat);
	}
	if (!ss->last_bench || strcmp(ss->last_bench, js->bench)) {
		if (js->dir && strcmp(js->dir, "higher") && strcmp(js->dir, "lower"))
			return vb_error("%s: samples[%d].direction: '%s' is not "
					"higher or lower", c->path, i, js->dir);
		if (db_benchmark_ensure(c->db, js->bench, js->unit,
					js->dir ? js->dir : "higher", &ss->bench_id) < 0)
			return -1;
		free(ss->last_bench);
		ss->last_bench = xstrdup(js->bench);
	}
	return 0;
}

/* The 128-bit hash of what the sample's output is made of: samples of the
 * run with the same hash were read from the same output. */
static void sample_output_hash(const struct json_sample *js, uint64_t h[2])
{
	h[0] = 14695981039346656037ULL;
	h[1] = 0x9e3779b97f4a7c15ULL;
	hash_str(h, js->plat);
	hash_num(h, 1, (double)js->rep);
	hash_str(h, js->raw);
	hash_str(h, js->start);
	hash_num(h, js->has_dur, js->dur);
	hash_str(h, js->parser);
	hash_num(h, js->has_pv, (double)js->pv);
	hash_num(h, js->has_inst, js->inst);
	hash_num(h, js->has_other, js->other);
	hash_num(h, js->has_dist, js->dist);
}

/* Writes the sample, sharing the output an earlier sample of the run
 * with the same output hash stored. */
static int sample_write(const struct ctx *c, int i, const struct json_sample *js,
			struct sample_state *ss)
{
	uint64_t h[2];
	int64_t out_id = 0;

	sample_output_hash(js, h);
	if (ss->outputs.cap)
		out_id = out_map_slot(&ss->outputs, h[0], h[1])->id;
	struct db_sample smp = {
		.run_id = ss->run_id, .platform_id = ss->plat_id,
		.benchmark_id = ss->bench_id, .repetition = (int)js->rep,
		.has_value = js->has_value, .value = js->value,
		.status = js->status, .raw_output = js->raw, .error = js->err,
		.parser = js->parser, .parser_version = js->has_pv ? (int)js->pv : 0,
		.started_at = js->start, .duration = js->has_dur ? js->dur : -1,
		.instance = js->has_inst ? (int)js->inst : 0,
		.has_disturbance = js->has_dist,
		.host_other_cpu = js->has_other ? js->other : NAN,
		.disturbed = (int)js->dist,
	};
	if (db_sample_insert_shared(c->db, &smp, &out_id) < 0)
		return vb_error("%s: samples[%d]: rejected by the database", c->path, i);
	out_map_put(&ss->outputs, h[0], h[1], out_id);
	return 0;
}

/* Validates samples[i] and, unless its run is one of skip_uuids (already
 * present), writes it; *n counts the samples written. */
static int import_sample(const struct ctx *c, const cJSON *s, int i,
			 char **skip_uuids, struct sample_state *ss, long *n)
{
	struct json_sample js;

	if (sample_read(c, s, i, &js) < 0 || sample_check(c, i, &js) < 0)
		return -1;
	if (vb_strv_contains(skip_uuids, js.run))
		return 0;
	if (sample_check_run(c, i, &js) < 0 || sample_ids(c, i, &js, ss) < 0 ||
	    sample_write(c, i, &js, ss) < 0)
		return -1;
	(*n)++;
	return 0;
}

/* ---- the stream --------------------------------------------------------- */

/* A window on the file: bytes [pos, len) of buf are read and not yet
 * consumed; line counts the newlines consumed before pos. */
struct stream {
	int fd;
	const char *path;
	char *buf;
	size_t pos, len, cap;
	int line, eof;
};

/* Makes at least one byte after pos + k available; 0 at end of file. */
static int more(struct stream *st, size_t k)
{
	while (st->pos + k >= st->len) {
		ssize_t n;

		if (st->eof)
			return 0;
		if (st->pos > st->cap / 2) {
			/* keep the unconsumed tail only */
			memmove(st->buf, st->buf + st->pos, st->len - st->pos);
			st->len -= st->pos;
			st->pos = 0;
		}
		if (st->len + 65536 > st->cap) {
			st->cap = st->cap ? 2 * st->cap : 1 << 20;
			while (st->cap < st->len + 65536)
				st->cap *= 2;
			st->buf = xrealloc(st->buf, st->cap);
		}
		n = read(st->fd, st->buf + st->len, st->cap - st->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vb_error("%s: cannot read: %s", st->path, strerror(errno));
		if (n == 0)
			st->eof = 1;
		st->len += (size_t)n;
	}
	return 1;
}

static void consume(struct stream *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		st->line += st->buf[st->pos + i] == '\n';
	st->pos += n;
}

/* Skips white space; returns the next byte, 0 at the end, -1 on error. */
static int peek(struct stream *st)
{
	for (;;) {
		int r = more(st, 0);
		char ch;

		if (r <= 0)
			return r;
		ch = st->buf[st->pos];
		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			return (unsigned char)ch;
		consume(st, 1);
	}
}

static int syntax(struct stream *st, const char *what)
{
	return vb_error("%s:%d: not valid JSON (%s)", st->path, st->line + 1, what);
}

/* The length of the JSON value at pos (object, array, string, number or
 * literal), reading more of the file as needed; -1 on error. */
static ssize_t value_span(struct stream *st)
{
	size_t k = 0;
	int depth = 0, in_str = 0, r;

	for (;; k++) {
		char ch;

		r = more(st, k);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (!depth && !in_str && k)
				return (ssize_t)k;
			return syntax(st, "the file ends inside a value");
		}
		ch = st->buf[st->pos + k];
		if (in_str) {
			if (ch == '\\')
				k++;
			else if (ch == '"') {
				in_str = 0;
				if (!depth)
					return (ssize_t)k + 1;
			}
			continue;
		}
		if (ch == '"')
			in_str = 1;
		else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return k ? (ssize_t)k : syntax(st, "unexpected bracket");
			if (--depth == 0)
				return (ssize_t)k + 1;
		} else if (!depth && (ch == ',' || ch == ' ' || ch == '\n' ||
				      ch == '\r' || ch == '\t')) {
			return k ? (ssize_t)k : syntax(st, "expected a value");
		}
	}
}

/* Parses the next value with cJSON and consumes it; NULL after an error
 * (reported). */
static cJSON *next_value(struct stream *st)
{
	ssize_t n;
	cJSON *v;
	int ch = peek(st);

	if (ch <= 0) {
		if (ch == 0)
			syntax(st, "the file ends where a value should be");
		return NULL;
	}
	n = value_span(st);
	if (n < 0)
		return NULL;
	v = cJSON_ParseWithLength(st->buf + st->pos, (size_t)n);
	if (!v) {
		const char *at = cJSON_GetErrorPtr();
		int line = st->line + 1;

		for (const char *p = st->buf + st->pos; at && p < at; p++)
			line += *p == '\n';
		vb_error("%s:%d: not valid JSON", st->path, line);
		return NULL;
	}
	consume(st, (size_t)n);
	return v;
}

/* Expects the byte c next (after white space) and consumes it. */
static int expect(struct stream *st, char c, const char *what)
{
	int ch = peek(st);

	if (ch < 0)
		return -1;
	if (ch != (unsigned char)c)
		return syntax(st, what);
	consume(st, 1);
	return 0;
}

/* Calls fn for each element of the array that comes next. */
static int each_element(struct stream *st, const char *key,
			int (*fn)(void *arg, const cJSON *v, int i), void *arg)
{
	int ch, i = 0;

	ch = peek(st);
	if (ch < 0)
		return -1;
	if (ch != '[')
		return vb_error("%s: \"hosts\", \"runs\" and \"samples\" must be "
				"arrays (\"%s\" is not)", st->path, key);
	consume(st, 1);
	if ((ch = peek(st)) < 0)
		return -1;
	if (ch == ']') {
		consume(st, 1);
		return 0;
	}
	for (;; i++) {
		cJSON *v = next_value(st);
		int r;

		if (!v)
			return -1;
		r = fn(arg, v, i);
		cJSON_Delete(v);
		if (r < 0)
			return -1;
		if ((ch = peek(st)) < 0)
			return -1;
		consume(st, ch ? 1 : 0);
		if (ch == ']')
			return 0;
		if (ch != ',')
			return syntax(st, "expected , or ] in an array");
	}
}

struct import {
	struct ctx c;
	char **skip;
	size_t nskip;
	int *added, *skipped;
	long *nsamples;
	struct sample_state ss;
};

static int host_fn(void *arg, const cJSON *v, int i)
{
	struct import *im = arg;

	return import_host(&im->c, v, i);
}

static int run_fn(void *arg, const cJSON *r, int i)
{
	struct import *im = arg;
	const char *uuid, *sha;
	int64_t run_id;
	int e;

	if (!cJSON_IsObject(r))
		return vb_error("%s: runs[%d]: not an object", im->c.path, i);
	if (get_str(&im->c, r, "runs", i, "uuid", 1, &uuid) < 0 ||
	    get_str(&im->c, r, "runs", i, "source_sha256", 0, &sha) < 0)
		return -1;
	e = run_exists(im->c.db, uuid, sha);
	if (e < 0)
		return -1;
	if (e) {
		im->skip = xrealloc(im->skip, (im->nskip + 2) * sizeof(char *));
		im->skip[im->nskip++] = xstrdup(uuid);
		im->skip[im->nskip] = NULL;
		(*im->skipped)++;
		return 0;
	}
	if (import_run(&im->c, r, i, &run_id) < 0)
		return -1;
	(*im->added)++;
	return 0;
}

static int sample_fn(void *arg, const cJSON *s, int i)
{
	struct import *im = arg;

	return import_sample(&im->c, s, i, im->skip, &im->ss, im->nsamples);
}

/* Reads a key string of the top-level object into key (plain keys only:
 * the exporter's). */
static int read_key(struct stream *st, char *key, size_t size)
{
	cJSON *k = next_value(st);
	int ret = 0;

	if (!k)
		return -1;
	if (!cJSON_IsString(k))
		ret = syntax(st, "expected a key");
	else
		snprintf(key, size, "%s", k->valuestring);
	cJSON_Delete(k);
	return ret;
}

/* The top-level object, key by key. */
static int import_stream(struct stream *st, struct import *im)
{
	char key[64];
	int ch, nkeys = 0, seen_runs = 0, seen[3] = { 0, 0, 0 };

	if (expect(st, '{', "expected an object") < 0)
		return -1;
	for (;;) {
		if ((ch = peek(st)) < 0)
			return -1;
		if (ch == '}' && !nkeys) {
			consume(st, 1);
			break;
		}
		if (read_key(st, key, sizeof(key)) < 0 ||
		    expect(st, ':', "expected :") < 0)
			return -1;
		if (nkeys++ == 0 && strcmp(key, "format"))
			goto not_export;
		if (!strcmp(key, "format")) {
			cJSON *v = next_value(st);
			int ok = v && cJSON_IsString(v) &&
				 !strcmp(v->valuestring, "virtbench-export");

			cJSON_Delete(v);
			if (!v)
				return -1;
			if (!ok)
				goto not_export;
		} else if (!strcmp(key, "hosts") || !strcmp(key, "runs") ||
			   !strcmp(key, "samples")) {
			int which = key[0] == 'h' ? 0 : key[0] == 'r' ? 1 : 2;

			if (which == 2 && !seen_runs)
				return vb_error("%s:%d: \"samples\" before \"runs\" (an "
						"export lists its runs first)", st->path,
						st->line + 1);
			if (!im->c.db_begun) {
				if (db_begin(im->c.db) < 0)
					return -1;
				im->c.db_begun = 1;
			}
			seen[which] = 1;
			seen_runs |= which == 1;
			if (each_element(st, key, which == 0 ? host_fn : which == 1 ?
					 run_fn : sample_fn, im) < 0)
				return -1;
		} else {
			cJSON *v = next_value(st); /* "version", or unknown: ignored */

			if (!v)
				return -1;
			cJSON_Delete(v);
		}
		if ((ch = peek(st)) < 0)
			return -1;
		if (ch == '}') {
			consume(st, 1);
			break;
		}
		if (ch != ',')
			return syntax(st, "expected , or } after a member");
		consume(st, 1);
	}
	if (!nkeys)
		goto not_export;
	if (peek(st) != 0)
		return syntax(st, "data after the end of the object");
	if (!seen[0] || !seen[1] || !seen[2])
		return vb_error("%s: \"hosts\", \"runs\" and \"samples\" must be "
				"arrays", st->path);
	return 0;
not_export:
	return vb_error("%s: not a virtbench export (\"format\" is not "
			"\"virtbench-export\")", st->path);
}

int db_import_json(struct db *db, const char *path, int *added, int *skipped,
		   long *nsamples)
{
	struct stream st = { .fd = -1, .path = path };
	struct import im = {
		.c = { db, path, 0 }, .skip = xcalloc(1, sizeof(char *)),
		.added = added, .skipped = skipped, .nsamples = nsamples,
	};
	int ret = -1;

	*added = *skipped = 0;
	*nsamples = 0;
	{
		char buf[PATH_MAX];

		im.c.abspath = xstrdup(realpath(path, buf) ? buf : path);
	}
	st.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (st.fd < 0) {
		vb_error("%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (import_stream(&st, &im) < 0) {
		if (im.c.db_begun)
			db_rollback(db);
		*added = 0;
		*nsamples = 0;
		goto out;
	}
	if (db_commit(db) < 0)
		goto out;
	ret = 0;
out:
	if (st.fd >= 0)
		close(st.fd);
	free(st.buf);
	sample_state_clear(&im.ss);
	vb_strv_free(im.skip);
	for (size_t k = 0; k < im.c.n_added; k++) {
		free(im.c.added[k]);
		free(im.c.added_host[k]);
	}
	free(im.c.added);
	free(im.c.added_host);
	free(im.c.abspath);
	return ret;
}
