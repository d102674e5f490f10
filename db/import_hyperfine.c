/*
 * db/import_hyperfine.c - imports the JSON that `hyperfine --export-json`
 * writes: {"results": [{"command": NAME, "times": [s, ...],
 * "exit_codes": [n, ...], ...}, ...]}.
 *
 * Each result is one benchmark named by its "command" (hyperfine puts the
 * --command-name there when one was given, else the command line), in
 * seconds, lower is better; each entry of "times" is one sample of the
 * given platform, in order. A run whose exit code is not 0 (kept by
 * hyperfine --ignore-failure) is stored as a failed sample with its exit
 * status, so it is counted but not averaged. The means and deviations
 * hyperfine computed are not imported: virtbench computes its own from
 * the times. All or nothing, through the tidy-rows writer (db/tidy.c);
 * bad input is reported as "FILE: results[i].field: reason".
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db_int.h"

#define HYPERFINE_PARSER "hyperfine-json"

/* The rows of one result (index i) appended to *rows. */
static int result_rows(const char *path, const cJSON *res, int i,
		       const char *host, const char *platform,
		       struct db_tidy_row **rows, size_t *n, size_t *cap)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(res, "command");
	const cJSON *times = cJSON_GetObjectItemCaseSensitive(res, "times");
	const cJSON *codes = cJSON_GetObjectItemCaseSensitive(res, "exit_codes");
	const cJSON *t;
	int k = 0;

	if (!cJSON_IsObject(res))
		return vb_error("%s: results[%d]: not an object", path, i);
	if (!cJSON_IsString(cmd) || !cmd->valuestring[0])
		return vb_error("%s: results[%d].command: missing or not a string", path, i);
	if (strlen(cmd->valuestring) > 128)
		return vb_error("%s: results[%d].command: longer than 128 bytes; name it with hyperfine --command-name",
				path, i);
	if (!cJSON_IsArray(times) || !cJSON_GetArraySize(times))
		return vb_error("%s: results[%d].times: missing or empty (hyperfine --export-json keeps every run's time)",
				path, i);
	if (codes && (!cJSON_IsArray(codes) ||
		      cJSON_GetArraySize(codes) != cJSON_GetArraySize(times)))
		return vb_error("%s: results[%d].exit_codes: not one per time", path, i);
	cJSON_ArrayForEach(t, times) {
		const cJSON *code = codes ? cJSON_GetArrayItem(codes, k) : NULL;
		struct db_tidy_row *r;

		if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || t->valuedouble < 0)
			return vb_error("%s: results[%d].times[%d]: not a time in seconds", path, i, k);
		if (code && !cJSON_IsNumber(code) && !cJSON_IsNull(code))
			return vb_error("%s: results[%d].exit_codes[%d]: not a number", path, i, k);
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*rows = xrealloc(*rows, *cap * sizeof(**rows));
		}
		r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->line = 0;
		r->index = i;
		r->host = host;
		r->platform = platform;
		r->benchmark = cmd->valuestring;
		r->unit = "s";
		r->direction = "lower";
		r->value = t->valuedouble;
		r->time = NAN;
		r->repetition = ++k;
		/* a run that exited non-zero (hyperfine -i): counted, not averaged;
		 * null is what hyperfine writes for a run killed by a signal */
		if (code && (cJSON_IsNull(code) || code->valuedouble != 0))
			r->error = cJSON_IsNull(code) ? xstrdup("killed by a signal") :
				   xasprintf("exit status %g", code->valuedouble);
	}
	return 0;
}

int db_import_hyperfine(struct db *db, const char *path, const char *platform,
			const char *host, char ***uuids, long *nsamples)
{
	struct sb sb = SB_INIT;
	struct db_tidy_row *rows = NULL;
	size_t n = 0, cap = 0;
	cJSON *doc = NULL;
	const cJSON *results, *res;
	char sha[65];
	int i = 0, ret = -1;

	*uuids = NULL;
	if (!db_import_valid_name(platform))
		return vb_error("--platform '%s': use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)",
				platform ? platform : "");
	if (host && !db_import_valid_name(host))
		return vb_error("--host '%s': use letters, digits and ._+@- (at most 64, parts joined by ':', each starting with a letter, a digit or _)", host);
	if (sb_read_file(&sb, path) < 0)
		return vb_error("%s:0: cannot read: %s", path, strerror(errno));
	vb_sha256_hex(sb.buf ? sb.buf : "", sb.len, sha);
	doc = cJSON_ParseWithLength(sb.buf ? sb.buf : "", sb.len);
	if (!doc) {
		vb_error("%s: not JSON (hyperfine --export-json writes it)", path);
		goto out;
	}
	results = cJSON_GetObjectItemCaseSensitive(doc, "results");
	if (!cJSON_IsArray(results)) {
		vb_error("%s: results: missing or not a list (is this hyperfine's --export-json?)", path);
		goto out;
	}
	cJSON_ArrayForEach(res, results) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(res, "command");

		/* one benchmark per name: the same command twice is ambiguous */
		for (int j = 0; j < i && cJSON_IsString(c); j++) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetArrayItem(results, j), "command");

			if (cJSON_IsString(o) && !strcmp(o->valuestring, c->valuestring)) {
				vb_error("%s: results[%d].command: '%s' again (results[%d]); name them apart with hyperfine --command-name",
					 path, i, c->valuestring, j);
				goto out;
			}
		}
		if (result_rows(path, res, i++, host ? host : vb_hostname(), platform,
				&rows, &n, &cap) < 0)
			goto out;
	}
	ret = db_import_tidy(db, path, HYPERFINE_PARSER, sha, rows, n, uuids, nsamples);
out:
	db_tidy_rows_free(rows, n);
	cJSON_Delete(doc);
	sb_release(&sb);
	return ret;
}
