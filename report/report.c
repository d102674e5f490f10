/*
 * report/report.c - loads the facts the report explains results with
 * (hosts, runs, each platform's recorded configuration), builds the
 * template model from them and the analyzer's result set, and writes
 * OUT/report.md next to the figures from plot/.
 *
 * Numbers are formatted here, once, with the analyzer's helpers
 * (analyze_fmt_num/_speedup/_p), from the same structs "analyze" prints,
 * so the report and "analyze --format json" cannot disagree beyond the
 * printed precision.
 */
#include "report/report.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "db/db.h"
#include "plot/plot.h"
#include "report/template.h"

/* ---- facts ------------------------------------------------------------- */

static int state_rank(const char *s)
{
	if (!s || !strcmp(s, "ok"))
		return 0;
	if (!strcmp(s, "failed"))
		return 1;
	return 2; /* unavailable */
}

static void add_conflict(struct report_platform *p, const char *key)
{
	size_t n = p->conflicts ? vb_strv_len(p->conflicts) : 0;

	if (p->conflicts && vb_strv_contains(p->conflicts, key))
		return;
	p->conflicts = xrealloc(p->conflicts, (n + 2) * sizeof(*p->conflicts));
	p->conflicts[n] = xstrdup(key);
	p->conflicts[n + 1] = NULL;
}

/* Merges one run's configuration into p: keys that agree stay, keys that
 * differ (or exist in only some runs) become conflicts. */
static void merge_config(struct report_platform *p, const char *json)
{
	cJSON *c = json ? cJSON_Parse(json) : NULL;
	cJSON *it, *next;

	p->runs++;
	if (!cJSON_IsObject(c) || !c->child) {
		p->runs_without_config++;
		cJSON_Delete(c);
		return;
	}
	if (!p->config) {
		p->config = c;
		return;
	}
	for (it = p->config->child; it; it = next) {
		cJSON *o = cJSON_GetObjectItemCaseSensitive(c, it->string);

		next = it->next;
		if (!o || !cJSON_Compare(it, o, 1)) {
			add_conflict(p, it->string);
			cJSON_DeleteItemFromObjectCaseSensitive(p->config, it->string);
		}
	}
	cJSON_ArrayForEach(it, c)
		if (!cJSON_GetObjectItemCaseSensitive(p->config, it->string) &&
		    !(p->conflicts && vb_strv_contains(p->conflicts, it->string)))
			add_conflict(p, it->string);
	cJSON_Delete(c);
}

static struct report_platform *platform_slot(struct report_facts *f,
					     const char *host, const char *name,
					     const char *kind)
{
	for (size_t i = 0; i < f->n_platforms; i++)
		if (!strcmp(f->platforms[i].host, host) && !strcmp(f->platforms[i].name, name))
			return &f->platforms[i];
	f->platforms = xrealloc(f->platforms, (f->n_platforms + 1) * sizeof(*f->platforms));
	struct report_platform *p = &f->platforms[f->n_platforms++];

	memset(p, 0, sizeof(*p));
	p->host = xstrdup(host);
	p->name = xstrdup(name);
	p->kind = xstrdup(kind ? kind : "unknown");
	p->state = xstrdup("ok");
	return p;
}

int report_facts_load(struct db *db, const struct analyze_opts *o,
		      struct report_facts *f)
{
	struct db_filter flt = { .host = o ? o->host : NULL,
				 .run = o ? o->run : NULL };
	struct db_cursor *cur = NULL;
	struct db_host_facts hf;
	struct db_run_facts rf;
	struct db_platform_facts pf;
	int rc, ret = -1;

	memset(f, 0, sizeof(*f));

	if (db_report_hosts_open(db, &flt, &cur) < 0)
		goto cleanup;
	while ((rc = db_report_hosts_next(cur, &hf)) == 1) {
		struct report_host *h;

		f->hosts = xrealloc(f->hosts, (f->n_hosts + 1) * sizeof(*f->hosts));
		h = &f->hosts[f->n_hosts++];
		h->name = xstrdup(hf.name);
		h->cpu_model = xstrdup(hf.cpu_model);
		h->cores = hf.cores;
		h->memory_bytes = hf.memory_bytes;
		h->kernel = xstrdup(hf.kernel);
		h->os = xstrdup(hf.os);
		h->virt_flags = xstrdup(hf.virt_flags);
		h->has_kvm = hf.has_kvm;
	}
	if (rc < 0)
		goto cleanup;
	db_cursor_close(cur);
	cur = NULL;

	if (db_report_runs_open(db, &flt, &cur) < 0)
		goto cleanup;
	while ((rc = db_report_runs_next(cur, &rf)) == 1) {
		struct report_run *r;

		f->runs = xrealloc(f->runs, (f->n_runs + 1) * sizeof(*f->runs));
		r = &f->runs[f->n_runs++];
		r->uuid = xstrdup(rf.uuid);
		r->host = xstrdup(rf.host);
		r->suite = xstrdup(rf.suite);
		r->params = xstrdup(rf.params);
		r->has_seed = rf.has_seed;
		r->seed = rf.seed;
		r->tool_version = xstrdup(rf.tool_version);
		r->command_line = xstrdup(rf.command_line);
		r->started_at = xstrdup(rf.started_at);
		r->ended_at = xstrdup(rf.ended_at);
		r->status = xstrdup(rf.status);
		r->source = xstrdup(rf.source);
	}
	if (rc < 0)
		goto cleanup;
	db_cursor_close(cur);
	cur = NULL;

	/* Recorded platform states and configurations, oldest run first. */
	if (db_report_platforms_open(db, &flt, &cur) < 0)
		goto cleanup;
	while ((rc = db_report_platforms_next(cur, &pf)) == 1) {
		struct report_platform *p = platform_slot(f, pf.host ? pf.host : "",
							  pf.name ? pf.name : "",
							  pf.kind);

		merge_config(p, pf.config);
		if (state_rank(pf.state) > state_rank(p->state) ||
		    (state_rank(pf.state) == state_rank(p->state) && pf.reason &&
		     !p->reason)) {
			free(p->state);
			free(p->reason);
			p->state = xstrdup(pf.state ? pf.state : "ok");
			p->reason = xstrdup(pf.reason);
		}
		if (pf.has_samples)
			p->has_samples = 1;
	}
	if (rc < 0)
		goto cleanup;
	ret = 0;
cleanup:
	db_cursor_close(cur);
	return ret;
}

void report_facts_clear(struct report_facts *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_hosts; i++) {
		struct report_host *h = &f->hosts[i];

		free(h->name);
		free(h->cpu_model);
		free(h->kernel);
		free(h->os);
		free(h->virt_flags);
	}
	for (size_t i = 0; i < f->n_platforms; i++) {
		struct report_platform *p = &f->platforms[i];

		free(p->host);
		free(p->name);
		free(p->kind);
		free(p->state);
		free(p->reason);
		cJSON_Delete(p->config);
		vb_strv_free(p->conflicts);
	}
	for (size_t i = 0; i < f->n_runs; i++) {
		struct report_run *r = &f->runs[i];

		free(r->uuid);
		free(r->host);
		free(r->suite);
		free(r->params);
		free(r->tool_version);
		free(r->command_line);
		free(r->started_at);
		free(r->ended_at);
		free(r->status);
		free(r->source);
	}
	free(f->hosts);
	free(f->platforms);
	free(f->runs);
	memset(f, 0, sizeof(*f));
}

const struct report_platform *report_facts_platform(const struct report_facts *f,
						    const char *host,
						    const char *name)
{
	for (size_t i = 0; f && i < f->n_platforms; i++)
		if (!strcmp(f->platforms[i].host, host) && !strcmp(f->platforms[i].name, name))
			return &f->platforms[i];
	return NULL;
}

const struct report_host *report_facts_host(const struct report_facts *f,
					    const char *host)
{
	for (size_t i = 0; f && i < f->n_hosts; i++)
		if (!strcmp(f->hosts[i].name, host))
			return &f->hosts[i];
	return NULL;
}

int report_fact_conflicts(const struct report_platform *p, const char *key)
{
	char *top;
	int r;

	if (!p || !p->conflicts)
		return 0;
	top = xstrndup(key, strcspn(key, "."));
	r = vb_strv_contains(p->conflicts, top);
	free(top);
	return r;
}

const char *report_fact(const struct report_platform *p, const char *key,
			char *buf, size_t size)
{
	char **path;
	const cJSON *v;

	if (!p || !p->config || report_fact_conflicts(p, key))
		return NULL;
	path = vb_split(key, '.');
	v = p->config;
	for (size_t i = 0; v && path[i]; i++)
		v = cJSON_GetObjectItemCaseSensitive(v, path[i]);
	vb_strv_free(path);
	if (!v || cJSON_IsNull(v))
		return NULL;
	if (cJSON_IsString(v))
		return v->valuestring && v->valuestring[0] ? v->valuestring : NULL;
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(buf, size, "%lld", (long long)v->valuedouble);
		else
			snprintf(buf, size, "%g", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v)) {
		snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
		return buf;
	}
	{
		char *s = cJSON_PrintUnformatted(v);

		snprintf(buf, size, "%s", s ? s : "");
		free(s);
	}
	return buf;
}

/* The host part of an authority "[USER@]HOST[:PORT]" or "[USER@][ADDR]:PORT"
 * of n bytes, into buf; NULL when empty. */
static const char *authority_host(const char *a, size_t n, char *buf, size_t size)
{
	const char *end = a + n, *at, *h;
	size_t len;

	for (at = end; at > a && at[-1] != '@'; at--)
		;
	h = at;
	if (h < end && *h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		h++;
		len = close ? (size_t)(close - h) : (size_t)(end - h);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		len = colon ? (size_t)(colon - h) : (size_t)(end - h);
	}
	if (!len || !size)
		return NULL;
	snprintf(buf, size, "%.*s", (int)len, h);
	return buf;
}

const char *report_remote_host(const struct report_platform *p, char *buf,
			       size_t size)
{
	char kb[64], tb[512];
	const char *kind, *v, *a;

	if (!p)
		return NULL;
	kind = report_fact(p, "kind", kb, sizeof(kb));
	if (!kind)
		kind = p->kind;
	if (kind && !strcmp(kind, "ssh")) {
		v = report_fact(p, "target", tb, sizeof(tb));
		if (!v && !strncmp(p->name, "ssh:", 4))
			v = p->name + 4;
		return v ? authority_host(v, strlen(v), buf, size) : NULL;
	}
	v = report_fact(p, "libvirt_host", buf, size);
	if (v)
		return v;
	/* qemu:///system is this host; qemu+ssh://other/system is not */
	v = report_fact(p, "connect_uri", tb, sizeof(tb));
	a = v ? strstr(v, "://") : NULL;
	if (!a)
		return NULL;
	a += 3;
	return authority_host(a, strcspn(a, "/?"), buf, size);
}

/* ---- the template model ------------------------------------------------ */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_num_text(cJSON *o, const char *k, double v)
{
	char b[64];

	cJSON_AddStringToObject(o, k, analyze_fmt_num(v, b, sizeof(b)));
}

static cJSON *figure_obj(const struct plot_result *figs, enum plot_kind kind,
			 const char *host, const char *bench, const char *alt)
{
	const struct plot_figure *f = plot_result_find(figs, kind, host, bench);
	cJSON *o;
	char *s;

	if (!f)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	s = xasprintf("%s.%s", f->base, (figs->formats & PLOT_FMT_PNG) ? "png" : "svg");
	cJSON_AddStringToObject(o, "img", s);
	free(s);
	s = xasprintf("%s.svg", f->base);
	add_str(o, "svg", (figs->formats & PLOT_FMT_SVG) ? s : NULL);
	free(s);
	s = xasprintf("%s.gp", f->base);
	cJSON_AddStringToObject(o, "gp", s);
	free(s);
	cJSON_AddStringToObject(o, "caption", f->caption);
	cJSON_AddStringToObject(o, "alt", alt);
	cJSON_AddBoolToObject(o, "rendered", f->rendered);
	return o;
}

static const char *fact_or(const struct report_platform *p, const char *key,
			   char *buf, size_t size)
{
	if (p && report_fact_conflicts(p, key))
		return "differs between runs";
	return report_fact(p, key, buf, size);
}

static cJSON *platform_obj(const struct report_platform *p, char *const *names)
{
	cJSON *o = cJSON_CreateObject();
	char b[512], b2[512], b3[128];
	const char *v;
	struct sb s = SB_INIT;

	cJSON_AddStringToObject(o, "name", p->name);
	cJSON_AddStringToObject(o, "kind", p->kind);
	cJSON_AddStringToObject(o, "state", p->state);
	add_str(o, "reason", p->reason);
	cJSON_AddStringToObject(o, "colour", plot_platform_colour(p->name, names));
	cJSON_AddBoolToObject(o, "config_known", p->config != NULL);
	cJSON_AddNumberToObject(o, "runs", p->runs);
	cJSON_AddNumberToObject(o, "runs_without_config", p->runs_without_config);
	add_str(o, "accelerator", fact_or(p, "accelerator", b, sizeof(b)));
	add_str(o, "cpu_model", fact_or(p, "cpu_model", b, sizeof(b)));
	{
		const char *vc = fact_or(p, "vcpus", b, sizeof(b));
		const char *mm = fact_or(p, "memory_mib", b2, sizeof(b2));

		if (vc || mm) {
			sb_addf(&s, "%s vCPU, %s MiB", vc ? vc : "?", mm ? mm : "?");
			cJSON_AddStringToObject(o, "size", s.buf);
			sb_reset(&s);
		} else {
			cJSON_AddNullToObject(o, "size");
		}
	}
	{
		const char *bus = fact_or(p, "disk_bus", b, sizeof(b));
		const char *cache = fact_or(p, "disk_cache", b2, sizeof(b2));
		const char *fmt = fact_or(p, "disk_format", b3, sizeof(b3));
		const char *storage;

		if (bus || cache || fmt) {
			sb_addf(&s, "%s%s%s%s%s", bus ? bus : "", bus && (cache || fmt) ? ", " : "",
				cache ? "cache=" : "", cache ? cache : "",
				fmt ? (bus || cache ? ", " : "") : "");
			if (fmt)
				sb_adds(&s, fmt);
		}
		storage = fact_or(p, "storage", b, sizeof(b));
		if (storage) {
			if (s.len)
				sb_adds(&s, "; ");
			sb_addf(&s, "storage %s", storage);
			v = fact_or(p, "storage_driver", b2, sizeof(b2));
			if (v)
				sb_addf(&s, " (%s)", v);
		}
		add_str(o, "disk", s.len ? s.buf : NULL);
		sb_reset(&s);
	}
	add_str(o, "network", fact_or(p, "network_mode", b, sizeof(b)));
	add_str(o, "image", fact_or(p, "image", b, sizeof(b)));
	/* A guest of a remote libvirtd: where it ran, since its samples are
	 * filed under the collecting host. */
	v = fact_or(p, "libvirt_host", b, sizeof(b));
	add_str(o, "libvirt_host", v);
	add_str(o, "connect_uri", v ? fact_or(p, "connect_uri", b2, sizeof(b2)) : NULL);
	add_str(o, "storage_pool", v ? fact_or(p, "storage_pool", b3, sizeof(b3)) : NULL);
	{
		const cJSON *tools = p->config ? cJSON_GetObjectItemCaseSensitive(p->config, "tools") : NULL;
		const cJSON *t;

		cJSON_ArrayForEach(t, tools) {
			if (!cJSON_IsString(t))
				continue;
			if (s.len)
				sb_adds(&s, ", ");
			/* "sysbench 1.0.20" already names itself. */
			if (strncasecmp(t->valuestring, t->string, strlen(t->string)) == 0)
				sb_adds(&s, t->valuestring);
			else
				sb_addf(&s, "%s %s", t->string, t->valuestring);
		}
		if (p->config && report_fact_conflicts(p, "tools"))
			sb_adds(&s, "differs between runs");
		add_str(o, "tools", s.len ? s.buf : NULL);
		sb_reset(&s);
	}
	/* Only differences that could change a result are worth a note:
	 * work directories, instance ids and the like differ every run. */
	for (size_t i = 0; p->conflicts && p->conflicts[i]; i++) {
		static const char *const relevant[] = {
			"kind", "accelerator", "vcpus", "memory_mib", "cpu_model",
			"disk_bus", "disk_cache", "disk_format", "storage",
			"storage_driver", "network_mode", "image_sha256", "tools",
			"runtime", "cgroup_version", NULL,
		};

		if (vb_strv_contains((char *const *)relevant, p->conflicts[i]))
			sb_addf(&s, "%s%s", s.len ? ", " : "", p->conflicts[i]);
	}
	add_str(o, "conflicts", s.len ? s.buf : NULL);
	sb_release(&s);
	return o;
}

static cJSON *row_obj(const struct analyze_group *g)
{
	cJSON *o = cJSON_CreateObject();
	char b[128], c[64];

	cJSON_AddStringToObject(o, "platform", g->platform);
	cJSON_AddBoolToObject(o, "baseline", g->is_baseline);
	cJSON_AddNumberToObject(o, "n", (double)g->n);
	cJSON_AddNumberToObject(o, "n_failed", (double)g->n_failed);
	add_num_text(o, "mean", g->mean);
	add_num_text(o, "sd", g->stddev);
	if (analyze_have(g->ci95_lo) && analyze_have(g->ci95_hi)) {
		snprintf(b, sizeof(b), "[%s, ", analyze_fmt_num(g->ci95_lo, c, sizeof(c)));
		snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s]",
			 analyze_fmt_num(g->ci95_hi, c, sizeof(c)));
		cJSON_AddStringToObject(o, "ci", b);
	} else {
		cJSON_AddStringToObject(o, "ci", "n/a");
	}
	if (analyze_have(g->cov))
		snprintf(b, sizeof(b), "%.1f%%", 100 * g->cov);
	else
		snprintf(b, sizeof(b), "n/a");
	cJSON_AddStringToObject(o, "cov", b);
	if (g->is_baseline) {
		cJSON_AddStringToObject(o, "speedup", "baseline");
		cJSON_AddStringToObject(o, "p", "");
		cJSON_AddBoolToObject(o, "significant", 0);
	} else {
		cJSON_AddStringToObject(o, "speedup",
					analyze_fmt_speedup(&g->vs_baseline, b, sizeof(b)));
		cJSON_AddStringToObject(o, "p", analyze_fmt_p(g->vs_baseline.p_holm, c, sizeof(c)));
		cJSON_AddBoolToObject(o, "significant", g->vs_baseline.significant);
	}
	return o;
}

static cJSON *run_obj(const struct report_run *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *params = r->params ? cJSON_Parse(r->params) : NULL;
	const cJSON *d;

	cJSON_AddStringToObject(o, "uuid", r->uuid);
	cJSON_AddStringToObject(o, "host", r->host);
	cJSON_AddStringToObject(o, "suite", r->suite);
	cJSON_AddStringToObject(o, "status", r->status);
	add_str(o, "started_at", r->started_at);
	add_str(o, "ended_at", r->ended_at);
	add_str(o, "tool_version", r->tool_version);
	add_str(o, "command_line", r->command_line);
	add_str(o, "source", r->source);
	cJSON_AddBoolToObject(o, "imported", r->source != NULL ||
			      (r->status && !strcmp(r->status, "imported")));
	if (r->has_seed) {
		char b[32];

		snprintf(b, sizeof(b), "%lld", (long long)r->seed);
		cJSON_AddStringToObject(o, "seed", b);
	} else {
		cJSON_AddNullToObject(o, "seed");
	}
	add_str(o, "params", r->params && strcmp(r->params, "{}") ? r->params : NULL);
	d = cJSON_GetObjectItemCaseSensitive(params, "duration");
	if (cJSON_IsNumber(d)) {
		char b[32];

		snprintf(b, sizeof(b), "%g", d->valuedouble);
		cJSON_AddStringToObject(o, "duration", b);
	} else {
		cJSON_AddNullToObject(o, "duration");
	}
	d = cJSON_GetObjectItemCaseSensitive(params, "profile");
	add_str(o, "profile", cJSON_IsString(d) ? d->valuestring : NULL);
	d = cJSON_GetObjectItemCaseSensitive(params, "stopping");
	add_str(o, "stopping", cJSON_IsString(d) ? d->valuestring : NULL);
	d = cJSON_GetObjectItemCaseSensitive(params, "reps");
	if (cJSON_IsNumber(d))
		cJSON_AddNumberToObject(o, "reps", d->valuedouble);
	else
		cJSON_AddNullToObject(o, "reps");
	d = cJSON_GetObjectItemCaseSensitive(params, "target_ci");
	if (cJSON_IsNumber(d))
		cJSON_AddNumberToObject(o, "target_ci", d->valuedouble);
	else
		cJSON_AddNullToObject(o, "target_ci");
	cJSON_AddBoolToObject(o, "warmup",
			      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "warmup")));
	cJSON_Delete(params);
	return o;
}

static int count_level(const cJSON *checks, const char *level)
{
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, checks) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, "level");

		if (cJSON_IsString(l) && !strcmp(l->valuestring, level))
			n++;
	}
	return n;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

cJSON *report_model(const struct report_facts *f, const struct analyze_set *set,
		    const struct plot_result *figures, const struct report_opts *o)
{
	cJSON *m = cJSON_CreateObject(), *hosts, *all_checks, *runs;
	char **names = xcalloc(f->n_platforms + set->n_groups + 1, sizeof(*names));
	size_t nn = 0, nmin = SIZE_MAX, nmax = 0, nwarm = 0, n_remote = 0;
	char now[40];

	for (size_t i = 0; i < set->n_groups; i++)
		if (!vb_strv_contains(names, set->groups[i].platform))
			names[nn++] = xstrdup(set->groups[i].platform);
	/* Sorted like plot's list, so the colours named here agree; names
	 * without samples go last so they shift nobody's colour. */
	qsort(names, nn, sizeof(*names), name_cmp);
	for (size_t i = 0; i < f->n_platforms; i++)
		if (!vb_strv_contains(names, f->platforms[i].name))
			names[nn++] = xstrdup(f->platforms[i].name);

	cJSON_AddStringToObject(m, "tool_version", VB_VERSION);
	cJSON_AddStringToObject(m, "generated_at", vb_now_iso(now, sizeof(now)));
	add_str(m, "db", o ? o->db_path : NULL);
	cJSON_AddStringToObject(m, "baseline", set->baseline);
	cJSON_AddNumberToObject(m, "n_comparisons", (double)set->n_comparisons);
	cJSON_AddBoolToObject(m, "rendered", figures && figures->n && figures->figs[0].rendered);
	cJSON_AddBoolToObject(m, "multi_host", f->n_hosts > 1);

	all_checks = cJSON_AddArrayToObject(m, "checks");
	hosts = cJSON_AddArrayToObject(m, "hosts");
	for (size_t hi = 0; hi < f->n_hosts; hi++) {
		const struct report_host *h = &f->hosts[hi];
		cJSON *ho = cJSON_CreateObject(), *plats, *absent, *benches;
		char b[128];

		cJSON_AddItemToArray(hosts, ho);
		cJSON_AddStringToObject(ho, "name", h->name);
		add_str(ho, "cpu_model", h->cpu_model);
		if (h->cores > 0)
			cJSON_AddNumberToObject(ho, "cores", h->cores);
		else
			cJSON_AddNullToObject(ho, "cores");
		if (h->memory_bytes > 0) {
			snprintf(b, sizeof(b), "%.1f GiB", h->memory_bytes / 1073741824.0);
			cJSON_AddStringToObject(ho, "memory", b);
		} else {
			cJSON_AddNullToObject(ho, "memory");
		}
		add_str(ho, "kernel", h->kernel);
		add_str(ho, "os", h->os);
		add_str(ho, "virt_flags", h->virt_flags && h->virt_flags[0] ? h->virt_flags :
			(h->virt_flags ? "none" : NULL));
		add_str(ho, "kvm", h->has_kvm < 0 ? NULL : h->has_kvm ? "yes" : "no");
		cJSON_AddItemToObject(ho, "overview",
				      figure_obj(figures, PLOT_OVERVIEW, h->name, NULL,
						 "speed relative to the baseline, every benchmark"));

		plats = cJSON_AddArrayToObject(ho, "platforms");
		absent = cJSON_AddArrayToObject(ho, "absent");
		for (size_t i = 0; i < f->n_platforms; i++) {
			const struct report_platform *p = &f->platforms[i];

			if (strcmp(p->host, h->name) != 0)
				continue;
			cJSON_AddItemToArray(plats, platform_obj(p, names));
			if (strcmp(p->state, "ok") != 0 || !p->has_samples) {
				cJSON *a = platform_obj(p, names);
				struct sb t = SB_INIT;

				cJSON_AddItemToArray(absent, a);
				sb_adds(&t, "**");
				tmpl_md_escape(&t, p->name);
				sb_addf(&t, "** %s", !strcmp(p->state, "ok") ? "has no samples" :
					!strcmp(p->state, "failed") ? "failed" : "is unavailable");
				if (p->reason) {
					sb_adds(&t, ": ");
					tmpl_md_escape(&t, p->reason);
				}
				cJSON *c = cJSON_CreateObject();

				cJSON_AddStringToObject(c, "level", "problem");
				cJSON_AddStringToObject(c, "platform", p->name);
				cJSON_AddStringToObject(c, "benchmark", "all benchmarks");
				cJSON_AddStringToObject(c, "host", h->name);
				cJSON_AddStringToObject(c, "text", t.buf);
				cJSON_AddItemToArray(all_checks, c);
				sb_release(&t);
			}
		}

		{
			cJSON *pc = cJSON_CreateArray(), *c;

			report_platform_checks(f, set, h->name, pc);
			n_remote += (size_t)cJSON_GetArraySize(pc);
			cJSON_ArrayForEach(c, pc) {
				cJSON *d = cJSON_Duplicate(c, 1);

				cJSON_AddStringToObject(d, "benchmark", "all benchmarks");
				cJSON_AddStringToObject(d, "host", h->name);
				cJSON_AddItemToArray(all_checks, d);
			}
			cJSON_Delete(pc);
		}

		benches = cJSON_AddArrayToObject(ho, "benchmarks");
		for (size_t b0 = 0; b0 < set->n_groups;) {
			size_t be = b0;
			const struct analyze_group *g = &set->groups[b0];

			while (be < set->n_groups &&
			       !strcmp(set->groups[be].host, g->host) &&
			       !strcmp(set->groups[be].benchmark, g->benchmark))
				be++;
			if (strcmp(g->host, h->name) != 0) {
				b0 = be;
				continue;
			}
			cJSON *bo = cJSON_CreateObject(), *rows, *answers, *checks, *figs;
			const struct analyze_group *base = NULL;
			char *alt;

			cJSON_AddItemToArray(benches, bo);
			cJSON_AddStringToObject(bo, "name", g->benchmark);
			cJSON_AddStringToObject(bo, "unit", g->unit);
			cJSON_AddStringToObject(bo, "direction",
						g->direction == ANALYZE_LOWER ? "lower" : "higher");
			figs = cJSON_AddObjectToObject(bo, "figures");
			alt = xasprintf("%s: mean with 95%% CI per platform", g->benchmark);
			cJSON_AddItemToObject(figs, "means", figure_obj(figures, PLOT_MEANS, h->name, g->benchmark, alt));
			free(alt);
			alt = xasprintf("%s: speed relative to %s", g->benchmark, set->baseline);
			cJSON_AddItemToObject(figs, "speedup", figure_obj(figures, PLOT_SPEEDUP, h->name, g->benchmark, alt));
			free(alt);
			alt = xasprintf("%s: every sample per platform", g->benchmark);
			cJSON_AddItemToObject(figs, "samples", figure_obj(figures, PLOT_SAMPLES, h->name, g->benchmark, alt));
			free(alt);
			alt = xasprintf("%s: samples in run order", g->benchmark);
			cJSON_AddItemToObject(figs, "drift", figure_obj(figures, PLOT_DRIFT, h->name, g->benchmark, alt));
			free(alt);

			rows = cJSON_AddArrayToObject(bo, "rows");
			answers = cJSON_AddArrayToObject(bo, "answers");
			for (size_t i = b0; i < be; i++)
				if (set->groups[i].is_baseline)
					base = &set->groups[i];
			for (size_t i = b0; i < be; i++) {
				const struct analyze_group *x = &set->groups[i];

				cJSON_AddItemToArray(rows, row_obj(x));
				if (x->n < nmin)
					nmin = x->n;
				if (x->n > nmax)
					nmax = x->n;
				nwarm += x->n_warmup_excluded;
				if (!x->is_baseline) {
					struct sb t = SB_INIT;
					cJSON *a = cJSON_CreateObject();

					report_answer(f, set, x, base, &t);
					cJSON_AddStringToObject(a, "platform", x->platform);
					cJSON_AddStringToObject(a, "text", t.buf ? t.buf : "");
					cJSON_AddItemToArray(answers, a);
					sb_release(&t);
				}
			}
			cJSON_AddBoolToObject(bo, "has_baseline", base != NULL);
			checks = cJSON_AddArrayToObject(bo, "checks");
			report_checks(f, set, &set->groups[b0], be - b0, checks);
			{
				const cJSON *c;

				cJSON_ArrayForEach(c, checks) {
					cJSON *d = cJSON_Duplicate(c, 1);

					cJSON_AddStringToObject(d, "benchmark", g->benchmark);
					cJSON_AddStringToObject(d, "host", h->name);
					cJSON_AddItemToArray(all_checks, d);
				}
			}
			b0 = be;
		}
	}
	/* A run that did not finish may lack samples of some pairs. */
	for (size_t i = 0; i < f->n_runs; i++) {
		const struct report_run *r = &f->runs[i];
		struct sb t = SB_INIT;
		cJSON *c;

		if (!r->status || !strcmp(r->status, "complete") ||
		    !strcmp(r->status, "imported"))
			continue;
		sb_adds(&t, "run ");
		tmpl_md_code(&t, r->uuid);
		sb_addf(&t, " has status %s: ", r->status);
		if (!strcmp(r->status, "running"))
			sb_adds(&t, "it is still running, or the collector stopped without recording its end, so some samples may be missing (`virtbench collect --resume` continues it).");
		else if (!strcmp(r->status, "interrupted"))
			sb_adds(&t, "it was interrupted, so some samples may be missing (`virtbench collect --resume` continues it).");
		else
			sb_adds(&t, "its results may be incomplete.");
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "level", "warning");
		cJSON_AddStringToObject(c, "platform", "");
		cJSON_AddStringToObject(c, "benchmark", "all benchmarks");
		cJSON_AddStringToObject(c, "host", r->host);
		cJSON_AddStringToObject(c, "text", t.buf);
		cJSON_AddItemToArray(all_checks, c);
		sb_release(&t);
	}
	/* Problems first, then warnings, each in the order found. */
	{
		cJSON *sorted = cJSON_CreateArray();
		static const char *const order[] = { "problem", "warning" };

		for (size_t k = 0; k < VB_ARRAY_SIZE(order); k++) {
			const cJSON *c;

			cJSON_ArrayForEach(c, all_checks) {
				const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, "level");

				if (cJSON_IsString(l) && !strcmp(l->valuestring, order[k]))
					cJSON_AddItemToArray(sorted, cJSON_Duplicate(c, 1));
			}
		}
		cJSON_ReplaceItemInObjectCaseSensitive(m, "checks", sorted);
		all_checks = sorted;
	}
	/* guests compared with a baseline on another machine */
	cJSON_AddNumberToObject(m, "n_remote", (double)n_remote);
	cJSON_AddNumberToObject(m, "n_problems", count_level(all_checks, "problem"));
	cJSON_AddNumberToObject(m, "n_warnings", count_level(all_checks, "warning"));

	runs = cJSON_AddArrayToObject(m, "runs");
	for (size_t i = 0; i < f->n_runs; i++)
		cJSON_AddItemToArray(runs, run_obj(&f->runs[i]));
	{
		cJSON *meth = cJSON_AddObjectToObject(m, "method");
		char b[64];

		if (nmax) {
			if (nmin == nmax)
				snprintf(b, sizeof(b), "%zu", nmax);
			else
				snprintf(b, sizeof(b), "%zu–%zu", nmin, nmax);
			cJSON_AddStringToObject(meth, "reps", b);
		} else {
			cJSON_AddNullToObject(meth, "reps");
		}
		cJSON_AddNumberToObject(meth, "warmup_excluded", (double)nwarm);
		cJSON_AddNumberToObject(meth, "n_groups", (double)set->n_groups);
	}
	vb_strv_free(names);
	return m;
}

/* ---- writing ------------------------------------------------------------ */

/* Finds templates/report.md.tmpl: the option, $VIRTBENCH_TEMPLATES, then
 * templates/ beside the running binary or one level up (build-san/). */
static char *find_template(const struct report_opts *o)
{
	const char *env = getenv("VIRTBENCH_TEMPLATES");
	char exe[PATH_MAX];
	ssize_t n;
	char *cand[4] = { NULL };
	char *found = NULL;
	struct sb tried = SB_INIT;

	if (o->templates_dir)
		cand[0] = xasprintf("%s/report.md.tmpl", o->templates_dir);
	else if (env && *env)
		cand[0] = xasprintf("%s/report.md.tmpl", env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			cand[1] = xasprintf("%s/templates/report.md.tmpl", exe);
			cand[2] = xasprintf("%s/../templates/report.md.tmpl", exe);
			cand[3] = xasprintf("%s/../share/virtbench/templates/report.md.tmpl", exe);
		}
	}
	for (int i = 0; i < 4 && !found; i++) {
		if (!cand[i])
			continue;
		if (access(cand[i], R_OK) == 0)
			found = xstrdup(cand[i]);
		else
			sb_addf(&tried, "%s%s", tried.len ? ", " : "", cand[i]);
		if (i == 0 && !found)
			break; /* an explicit directory must hold the template */
	}
	if (!found)
		vb_error("report template not found (tried %s); give --templates DIR or set VIRTBENCH_TEMPLATES",
			 tried.buf ? tried.buf : "nothing");
	for (int i = 0; i < 4; i++)
		free(cand[i]);
	sb_release(&tried);
	return found;
}

int report_write(struct db *db, const struct report_opts *o,
		 struct report_timing *t)
{
	struct report_timing tm = { 0 };
	struct analyze_set *set = NULL;
	struct report_facts facts = { 0 };
	struct plot_result *figs = NULL;
	struct tmpl *tp = NULL;
	cJSON *model = NULL;
	struct sb md = SB_INIT;
	char *tpath = NULL, *out_md = NULL;
	const char *out_dir = o->out_dir ? o->out_dir : "report";
	int ret = -1, prc;
	double t0 = vb_mono_time(), t1;

	tpath = find_template(o);
	if (!tpath || tmpl_load(tpath, &tp) < 0)
		goto cleanup;
	if (analyze_load(db, &o->analyze, &set) < 0)
		goto cleanup;
	tm.analyze = vb_mono_time() - t0;
	if (!set->n_groups) {
		vb_error("report: no samples to report in %s", o->db_path ? o->db_path : db_path(db));
		goto cleanup;
	}
	if (report_facts_load(db, &o->analyze, &facts) < 0)
		goto cleanup;

	{
		struct plot_opts po = { .out_dir = out_dir, .formats = o->formats,
					.render = o->render };

		prc = plot_write(set, &po, &figs);
		if (prc < 0 && prc != PLOT_ERR_NO_GNUPLOT && !figs)
			goto cleanup;
		if (figs) {
			tm.plot_write = figs->write_seconds;
			tm.render = figs->render_seconds;
			tm.gnuplot_cpu = figs->gnuplot_cpu_seconds;
			tm.figures = figs->n;
		}
	}

	t1 = vb_mono_time();
	model = report_model(&facts, set, figs, o);
	cJSON_AddBoolToObject(model, "render_requested", o->render);
	if (tmpl_render(tp, model, &md) < 0)
		goto cleanup;
	out_md = xasprintf("%s/report.md", out_dir);
	if (vb_write_file_atomic(out_md, md.buf, md.len, 0644) < 0)
		goto cleanup;
	tm.report = vb_mono_time() - t1 + (t1 - t0 - tm.analyze - tm.plot_write - tm.render);
	ret = prc < 0 ? prc : 0;
cleanup:
	if (t)
		*t = tm;
	free(out_md);
	free(tpath);
	sb_release(&md);
	cJSON_Delete(model);
	tmpl_free(tp);
	plot_result_free(figs);
	report_facts_clear(&facts);
	analyze_set_free(set);
	return ret;
}
