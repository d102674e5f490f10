/*
 * db/import_json.c - imports a "virtbench export --format json" file.
 *
 * The file is parsed and validated completely, then written in one
 * transaction: a bad field anywhere ("FILE: samples[12].value: ...") leaves
 * the database untouched. Runs already present (same UUID) are skipped with
 * their samples, so importing the same export twice adds nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db_int.h"

struct ctx {
	struct db *db;
	const char *path;
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

static int import_hosts(const struct ctx *c, const cJSON *hosts)
{
	const cJSON *h;
	int i = 0;

	cJSON_ArrayForEach(h, hosts) {
		struct db_host host = { 0 };
		const char *name, *cpu, *s;
		double num;
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
		if (get_num(c, h, "hosts", i, "cores", &has, &num) < 0)
			return -1;
		host.cores = has ? (int)num : 0;
		if (get_num(c, h, "hosts", i, "memory_bytes", &has, &num) < 0)
			return -1;
		host.memory_bytes = has ? (int64_t)num : 0;
		if (get_num(c, h, "hosts", i, "has_kvm", &has, &num) < 0)
			return -1;
		host.has_kvm = has ? (int)num : 0;
		if (get_str(c, h, "hosts", i, "captured_at", 0, &s) < 0)
			return -1;
		host.captured_at = (char *)s;
		host.meta = get_json_text(h, "meta");
		ret = db_host_ensure(c->db, &host, &id);
		free(host.meta);
		if (ret < 0)
			return -1;
		i++;
	}
	return 0;
}

static int host_id_of(struct db *db, const char *name, int64_t *id)
{
	return db_host_ensure_named(db, name, 0, id);
}

static int import_run(const struct ctx *c, const cJSON *run, int i, int64_t *run_id)
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
	double seed;
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
	    get_num(c, run, "runs", i, "seed", &has_seed, &seed) < 0)
		return -1;
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
		sqlite3_bind_int64(st, 5, (sqlite3_int64)seed);
	sqlite3_bind_text(st, 6, tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cmdline, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, end, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, source, -1, SQLITE_STATIC);
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

static int import_samples(const struct ctx *c, const cJSON *samples,
			  char **skip_uuids, long *n)
{
	const cJSON *s;
	int i = 0;
	/* Consecutive samples usually share run, platform and benchmark:
	 * remember the last ids instead of looking them up for every row. */
	char *last_run = NULL, *last_plat = NULL, *last_bench = NULL;
	int64_t run_id = 0, host_id = 0, plat_id = 0, bench_id = 0;
	int ret = -1;

	cJSON_ArrayForEach(s, samples) {
		const char *run, *host, *plat, *bench, *unit, *dir, *status, *start,
			*parser, *err, *raw;
		double rep, value, dur, pv;
		int has_rep, has_value, has_dur, has_pv;

		if (!cJSON_IsObject(s)) {
			vb_error("%s: samples[%d]: not an object", c->path, i);
			goto out;
		}
		if (get_str(c, s, "samples", i, "run", 1, &run) < 0 ||
		    get_str(c, s, "samples", i, "host", 1, &host) < 0 ||
		    get_str(c, s, "samples", i, "platform", 1, &plat) < 0 ||
		    get_str(c, s, "samples", i, "benchmark", 1, &bench) < 0 ||
		    get_str(c, s, "samples", i, "unit", 1, &unit) < 0 ||
		    get_str(c, s, "samples", i, "direction", 0, &dir) < 0 ||
		    get_str(c, s, "samples", i, "status", 1, &status) < 0 ||
		    get_str(c, s, "samples", i, "started_at", 1, &start) < 0 ||
		    get_str(c, s, "samples", i, "parser", 0, &parser) < 0 ||
		    get_str(c, s, "samples", i, "error", 0, &err) < 0 ||
		    get_str(c, s, "samples", i, "raw_output", 0, &raw) < 0 ||
		    get_num(c, s, "samples", i, "repetition", &has_rep, &rep) < 0 ||
		    get_num(c, s, "samples", i, "value", &has_value, &value) < 0 ||
		    get_num(c, s, "samples", i, "duration", &has_dur, &dur) < 0 ||
		    get_num(c, s, "samples", i, "parser_version", &has_pv, &pv) < 0)
			goto out;
		if (!has_rep || rep < 0 || rep != (int)rep) {
			vb_error("%s: samples[%d].repetition: missing or not a "
				 "non-negative integer", c->path, i);
			goto out;
		}
		if (strcmp(status, "ok") && strcmp(status, "failed") &&
		    strcmp(status, "warmup")) {
			vb_error("%s: samples[%d].status: '%s' is not ok, failed or "
				 "warmup", c->path, i, status);
			goto out;
		}
		if (!strcmp(status, "ok") && !has_value) {
			vb_error("%s: samples[%d].value: missing for an ok sample",
				 c->path, i);
			goto out;
		}
		if (vb_strv_contains(skip_uuids, run)) {
			i++;
			continue;
		}
		if (!last_run || strcmp(last_run, run)) {
			int f = lookup_run(c->db, run, &run_id);

			if (f <= 0) {
				if (f == 0)
					vb_error("%s: samples[%d].run: run %s is not "
						 "in \"runs\"", c->path, i, run);
				goto out;
			}
			free(last_run);
			last_run = xstrdup(run);
			free(last_plat);
			last_plat = NULL;
			if (host_id_of(c->db, host, &host_id) < 0)
				goto out;
		}
		if (!last_plat || strcmp(last_plat, plat)) {
			if (db_platform_ensure(c->db, host_id, plat, NULL, &plat_id) < 0)
				goto out;
			free(last_plat);
			last_plat = xstrdup(plat);
		}
		if (!last_bench || strcmp(last_bench, bench)) {
			if (dir && strcmp(dir, "higher") && strcmp(dir, "lower")) {
				vb_error("%s: samples[%d].direction: '%s' is not "
					 "higher or lower", c->path, i, dir);
				goto out;
			}
			if (db_benchmark_ensure(c->db, bench, unit,
						dir ? dir : "higher", &bench_id) < 0)
				goto out;
			free(last_bench);
			last_bench = xstrdup(bench);
		}
		struct db_sample smp = {
			.run_id = run_id, .platform_id = plat_id,
			.benchmark_id = bench_id, .repetition = (int)rep,
			.has_value = has_value, .value = value, .status = status,
			.raw_output = raw, .error = err, .parser = parser,
			.parser_version = has_pv ? (int)pv : 0, .started_at = start,
			.duration = has_dur ? dur : -1,
		};
		if (db_sample_insert(c->db, &smp) < 0) {
			vb_error("%s: samples[%d]: rejected by the database", c->path, i);
			goto out;
		}
		(*n)++;
		i++;
	}
	ret = 0;
out:
	free(last_run);
	free(last_plat);
	free(last_bench);
	return ret;
}

int db_import_json(struct db *db, const char *path, int *added, int *skipped,
		   long *nsamples)
{
	struct ctx c = { db, path };
	struct sb sb = SB_INIT;
	cJSON *root = NULL;
	const cJSON *fmt, *hosts, *runs, *samples, *r;
	char **skip = xcalloc(1, sizeof(char *));
	size_t nskip = 0;
	int ret = -1, i = 0;

	*added = *skipped = 0;
	*nsamples = 0;
	if (sb_read_file(&sb, path) < 0) {
		vb_error("%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	root = cJSON_ParseWithLength(sb.buf, sb.len);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		int line = 1;

		for (const char *p = sb.buf; at && p < at && *p; p++)
			line += *p == '\n';
		vb_error("%s:%d: not valid JSON", path, line);
		goto out;
	}
	fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "virtbench-export")) {
		vb_error("%s: not a virtbench export (\"format\" is not "
			 "\"virtbench-export\")", path);
		goto out;
	}
	hosts = cJSON_GetObjectItemCaseSensitive(root, "hosts");
	runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
	samples = cJSON_GetObjectItemCaseSensitive(root, "samples");
	if (!cJSON_IsArray(hosts) || !cJSON_IsArray(runs) || !cJSON_IsArray(samples)) {
		vb_error("%s: \"hosts\", \"runs\" and \"samples\" must be arrays", path);
		goto out;
	}
	if (db_begin(db) < 0)
		goto out;
	if (import_hosts(&c, hosts) < 0)
		goto rollback;
	cJSON_ArrayForEach(r, runs) {
		const char *uuid, *sha;
		int64_t run_id;
		int e;

		if (!cJSON_IsObject(r)) {
			vb_error("%s: runs[%d]: not an object", path, i);
			goto rollback;
		}
		if (get_str(&c, r, "runs", i, "uuid", 1, &uuid) < 0 ||
		    get_str(&c, r, "runs", i, "source_sha256", 0, &sha) < 0)
			goto rollback;
		e = run_exists(db, uuid, sha);
		if (e < 0)
			goto rollback;
		if (e) {
			skip = xrealloc(skip, (nskip + 2) * sizeof(char *));
			skip[nskip++] = xstrdup(uuid);
			skip[nskip] = NULL;
			(*skipped)++;
		} else {
			if (import_run(&c, r, i, &run_id) < 0)
				goto rollback;
			(*added)++;
		}
		i++;
	}
	if (import_samples(&c, samples, skip, nsamples) < 0)
		goto rollback;
	if (db_commit(db) < 0)
		goto out;
	ret = 0;
	goto out;
rollback:
	db_rollback(db);
	*added = 0;
	*nsamples = 0;
out:
	vb_strv_free(skip);
	cJSON_Delete(root);
	sb_release(&sb);
	return ret;
}
