/*
 * report/facts.c - loads the facts the report explains results with
 * (hosts, runs, each platform's recorded configuration, merged over the
 * runs being reported) and answers simple questions about them. See
 * facts.h.
 */
#include "report/facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db.h"

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

/* The hosts with a run in the selection. */
static int load_hosts(struct db *db, const struct db_filter *flt,
		      struct report_facts *f)
{
	struct db_cursor *cur = NULL;
	struct db_host_facts hf;
	int rc;

	if (db_report_hosts_open(db, flt, &cur) < 0)
		return -1;
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
	db_cursor_close(cur);
	return rc < 0 ? -1 : 0;
}

/* The runs of the selection, oldest first. */
static int load_runs(struct db *db, const struct db_filter *flt,
		     struct report_facts *f)
{
	struct db_cursor *cur = NULL;
	struct db_run_facts rf;
	int rc;

	if (db_report_runs_open(db, flt, &cur) < 0)
		return -1;
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
	db_cursor_close(cur);
	return rc < 0 ? -1 : 0;
}

/* Recorded platform states and configurations, oldest run first. */
static int load_platforms(struct db *db, const struct db_filter *flt,
			  struct report_facts *f)
{
	struct db_cursor *cur = NULL;
	struct db_platform_facts pf;
	int rc;

	if (db_report_platforms_open(db, flt, &cur) < 0)
		return -1;
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
	db_cursor_close(cur);
	return rc < 0 ? -1 : 0;
}

/* Per host, platform and benchmark the most frequent error of its failed
 * samples. */
static int load_failures(struct db *db, const struct db_filter *flt,
			 struct report_facts *f)
{
	struct db_cursor *cur = NULL;
	struct db_failure_facts ff;
	int rc;

	if (db_report_failures_open(db, flt, &cur) < 0)
		return -1;
	while ((rc = db_report_failures_next(cur, &ff)) == 1) {
		struct report_failure *x;

		if (!ff.host || !ff.platform || !ff.benchmark ||
		    report_facts_failure(f, ff.host, ff.platform, ff.benchmark))
			continue; /* a less frequent reason */
		f->failures = xrealloc(f->failures, (f->n_failures + 1) * sizeof(*f->failures));
		x = &f->failures[f->n_failures++];
		x->host = xstrdup(ff.host);
		x->platform = xstrdup(ff.platform);
		x->benchmark = xstrdup(ff.benchmark);
		x->error = xstrdup(ff.error);
		x->count = ff.count;
	}
	db_cursor_close(cur);
	return rc < 0 ? -1 : 0;
}

int report_facts_load(struct db *db, const struct analyze_opts *o,
		      struct report_facts *f)
{
	struct db_filter flt = { .host = o ? o->host : NULL,
				 .run = o ? o->run : NULL };

	memset(f, 0, sizeof(*f));
	if (load_hosts(db, &flt, f) < 0 || load_runs(db, &flt, f) < 0 ||
	    load_platforms(db, &flt, f) < 0 || load_failures(db, &flt, f) < 0)
		return -1;
	return 0;
}

const char *report_facts_failure(const struct report_facts *f,
				 const char *host, const char *platform,
				 const char *benchmark)
{
	for (size_t i = 0; f && i < f->n_failures; i++) {
		const struct report_failure *x = &f->failures[i];

		if (!strcmp(x->host, host) && !strcmp(x->platform, platform) &&
		    !strcmp(x->benchmark, benchmark))
			return x->error;
	}
	return NULL;
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
	for (size_t i = 0; i < f->n_failures; i++) {
		free(f->failures[i].host);
		free(f->failures[i].platform);
		free(f->failures[i].benchmark);
		free(f->failures[i].error);
	}
	free(f->hosts);
	free(f->platforms);
	free(f->runs);
	free(f->failures);
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

int report_is_guest(const struct report_platform *p, char *buf, size_t size)
{
	const char *acc = p ? report_fact(p, "accelerator", buf, size) : NULL;

	snprintf(buf, size, "%s", acc ? acc : "");
	if (!acc)
		return -1;
	return !strcmp(buf, "kvm") || !strcmp(buf, "tcg");
}

int report_cache_reads_host(const char *cache)
{
	/* QEMU's cache modes: writeback, writethrough and unsafe all open the
	 * image without O_DIRECT, so guest reads can hit the host page
	 * cache; none and directsync use O_DIRECT on the host side. */
	return cache && (!strcmp(cache, "writeback") ||
			 !strcmp(cache, "writethrough") || !strcmp(cache, "unsafe"));
}

int report_same_machine(const char *a, const char *b)
{
	return a ? b && !strcmp(a, b) : !b;
}

const char *report_baseline_machine(const struct report_facts *f,
				    const char *baseline, const char *host,
				    char *buf, size_t size)
{
	return report_remote_host(report_facts_platform(f, host, baseline),
				  buf, size);
}

const char *report_remote_guest(const struct report_facts *f,
				const char *baseline,
				const struct report_platform *p, char *buf,
				size_t size, char *bbuf, size_t bsize,
				const char **base)
{
	char kb[64];
	const char *kind = p ? report_fact(p, "kind", kb, sizeof(kb)) : NULL;
	const char *m;

	*base = NULL;
	if (!p || !strcmp(kind ? kind : p->kind, "ssh") ||
	    !strcmp(p->name, baseline))
		return NULL;
	m = report_remote_host(p, buf, size);
	if (!m)
		return NULL;
	*base = report_baseline_machine(f, baseline, p->host, bbuf, bsize);
	return report_same_machine(m, *base) ? NULL : m;
}
