/*
 * report/model.c - the template model: one cJSON tree holding everything
 * templates/report.md.tmpl shows - hosts, platforms, runs, per benchmark
 * the table rows, answers, checks and figure links, and all checks again
 * in one list, problems first.
 *
 * Numbers are formatted here, once, with the analyzer's helpers
 * (analyze_fmt_num/_speedup/_p), from the same structs "analyze" prints,
 * so the report and "analyze --format json" cannot disagree beyond the
 * printed precision.
 */
#include "report/report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "plot/plot.h"
#include "report/answers.h"
#include "report/template.h"

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

		char kb[32];
		const char *kind = fact_or(p, "kind", kb, sizeof(kb));
		int container = kind && !strcmp(kind, "docker");

		/* a container's sizes are cgroup limits on the host's CPUs and
		 * memory, a guest's its virtual hardware */
		if (vc || mm) {
			sb_addf(&s, "%s %s, %s MiB%s", vc ? vc : "?", container ? "CPU" : "vCPU",
				mm ? mm : "?", container ? " (cgroup limits)" : "");
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
	if (!g->is_baseline) {
		/* the verdict and the interval it rests on */
		struct report_verdict v;
		const char *iv;

		report_verdict(&g->vs_baseline, &v);
		report_fmt_verdict_speedup(&g->vs_baseline, &v, b, sizeof(b));
		iv = strchr(b, '[');
		if (v.word) {
			snprintf(c, sizeof(c), "%s %s", v.word, iv ? iv : "");
			cJSON_AddStringToObject(o, "verdict", c);
		} else {
			cJSON_AddStringToObject(o, "verdict", "n/a");
		}
	} else {
		cJSON_AddStringToObject(o, "verdict", "");
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

/* What the model is built from, and what it gathers on the way. */
struct model {
	const struct report_facts *f;
	const struct analyze_set *set;
	const struct plot_result *figs;
	char **names;      /* platform names in plot's colour order */
	cJSON *checks;     /* every check, with its benchmark and host */
	size_t nmin, nmax, nwarm, n_remote;
};

/* Platform names sorted like plot's list, so the colours named here
 * agree; names without samples go last so they shift nobody's colour.
 * Caller frees with vb_strv_free(). */
static char **platform_names(const struct report_facts *f,
			     const struct analyze_set *set)
{
	char **names = xcalloc(f->n_platforms + set->n_groups + 1, sizeof(*names));
	size_t nn = 0;

	for (size_t i = 0; i < set->n_groups; i++)
		if (!vb_strv_contains(names, set->groups[i].platform))
			names[nn++] = xstrdup(set->groups[i].platform);
	qsort(names, nn, sizeof(*names), name_cmp);
	for (size_t i = 0; i < f->n_platforms; i++)
		if (!vb_strv_contains(names, f->platforms[i].name))
			names[nn++] = xstrdup(f->platforms[i].name);
	return names;
}

/* Adds a check object to m's list with the benchmark and host it is
 * about; takes c. */
static void gather(struct model *m, cJSON *c, const char *bench,
		   const char *host)
{
	cJSON_AddStringToObject(c, "benchmark", bench);
	cJSON_AddStringToObject(c, "host", host);
	cJSON_AddItemToArray(m->checks, c);
}

static cJSON *check_obj(const char *level, const char *platform,
			const char *text)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "level", level);
	cJSON_AddStringToObject(c, "platform", platform);
	cJSON_AddStringToObject(c, "text", text);
	return c;
}

/* The host's facts as the host table shows them. */
static cJSON *host_obj(const struct model *m, const struct report_host *h)
{
	cJSON *ho = cJSON_CreateObject();
	char b[128];

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
			      figure_obj(m->figs, PLOT_OVERVIEW, h->name, NULL,
					 "speed relative to the baseline, every benchmark"));
	return ho;
}

/* The platforms of host h into ho ("platforms", "absent"), a problem for
 * each one absent from the results, and the per-platform checks. */
static void host_platforms(struct model *m, const struct report_host *h,
			   cJSON *ho)
{
	cJSON *plats = cJSON_AddArrayToObject(ho, "platforms");
	cJSON *absent = cJSON_AddArrayToObject(ho, "absent");
	cJSON *pc = cJSON_CreateArray(), *c;

	for (size_t i = 0; i < m->f->n_platforms; i++) {
		const struct report_platform *p = &m->f->platforms[i];
		struct sb t = SB_INIT;

		if (strcmp(p->host, h->name) != 0)
			continue;
		cJSON_AddItemToArray(plats, platform_obj(p, m->names));
		if (!strcmp(p->state, "ok") && p->has_samples)
			continue;
		cJSON_AddItemToArray(absent, platform_obj(p, m->names));
		sb_adds(&t, "**");
		tmpl_md_escape(&t, p->name);
		sb_addf(&t, "** %s", !strcmp(p->state, "ok") ? "has no samples" :
			!strcmp(p->state, "failed") ? "failed" : "is unavailable");
		if (p->reason) {
			sb_adds(&t, ": ");
			tmpl_md_escape(&t, p->reason);
		}
		gather(m, check_obj("problem", p->name, t.buf), "all benchmarks", h->name);
		sb_release(&t);
	}
	report_platform_checks(m->f, m->set, h->name, pc);
	m->n_remote += (size_t)cJSON_GetArraySize(pc);
	cJSON_ArrayForEach(c, pc)
		gather(m, cJSON_Duplicate(c, 1), "all benchmarks", h->name);
	cJSON_Delete(pc);
}

static cJSON *benchmark_figures(const struct model *m, const char *host,
				const char *bench)
{
	static const struct {
		enum plot_kind kind;
		const char *key, *alt; /* alt follows the benchmark's name */
	} kinds[] = {
		{ PLOT_MEANS, "means", ": mean with 95% CI per platform" },
		{ PLOT_SPEEDUP, "speedup", ": speed relative to " },
		{ PLOT_SAMPLES, "samples", ": every sample per platform" },
		{ PLOT_DRIFT, "drift", ": samples in run order" },
	};
	cJSON *figs = cJSON_CreateObject();

	for (size_t i = 0; i < VB_ARRAY_SIZE(kinds); i++) {
		char *alt = xasprintf("%s%s%s", bench, kinds[i].alt,
				      kinds[i].kind == PLOT_SPEEDUP ? m->set->baseline : "");

		cJSON_AddItemToObject(figs, kinds[i].key,
				      figure_obj(m->figs, kinds[i].kind, host, bench, alt));
		free(alt);
	}
	return figs;
}

/* One benchmark of one host: the groups g[0..n) as analyze sorts them. */
static cJSON *benchmark_obj(struct model *m, const struct analyze_group *g,
			    size_t n)
{
	cJSON *bo = cJSON_CreateObject(), *rows, *answers, *checks;
	const struct analyze_group *base = NULL;
	const struct report_platform *p;
	const cJSON *c;

	cJSON_AddStringToObject(bo, "name", g->benchmark);
	cJSON_AddStringToObject(bo, "unit", g->unit);
	cJSON_AddStringToObject(bo, "direction",
				g->direction == ANALYZE_LOWER ? "lower" : "higher");
	cJSON_AddItemToObject(bo, "figures", benchmark_figures(m, g->host, g->benchmark));
	rows = cJSON_AddArrayToObject(bo, "rows");
	answers = cJSON_AddArrayToObject(bo, "answers");
	for (size_t i = 0; i < n; i++)
		if (g[i].is_baseline)
			base = &g[i];
	for (size_t i = 0; i < n; i++) {
		const struct analyze_group *x = &g[i];
		struct sb t = SB_INIT;
		cJSON *a;

		cJSON_AddItemToArray(rows, row_obj(x));
		if (x->n < m->nmin)
			m->nmin = x->n;
		if (x->n > m->nmax)
			m->nmax = x->n;
		m->nwarm += x->n_warmup_excluded;
		if (x->is_baseline || !x->n)
			continue;
		/* Without a configuration the answer has nothing to add to the
		 * verdict up front (that the facts are missing is said once). */
		p = report_facts_platform(m->f, x->host, x->platform);
		if ((!p || !p->config) && x->vs_baseline.present &&
		    analyze_have(x->vs_baseline.speedup))
			continue;
		report_answer(m->f, m->set, x, base, &t);
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "platform", x->platform);
		cJSON_AddStringToObject(a, "text", t.buf ? t.buf : "");
		cJSON_AddItemToArray(answers, a);
		sb_release(&t);
	}
	cJSON_AddBoolToObject(bo, "has_baseline", base != NULL);
	checks = cJSON_AddArrayToObject(bo, "checks");
	report_checks(m->f, m->set, g, n, checks);
	cJSON_ArrayForEach(c, checks)
		gather(m, cJSON_Duplicate(c, 1), g->benchmark, g->host);
	return bo;
}

/* The benchmarks of host h, in analyze's order. */
static cJSON *host_benchmarks(struct model *m, const struct report_host *h)
{
	const struct analyze_set *set = m->set;
	cJSON *benches = cJSON_CreateArray();

	for (size_t b0 = 0, be; b0 < set->n_groups; b0 = be) {
		const struct analyze_group *g = &set->groups[b0];

		for (be = b0; be < set->n_groups &&
		     !strcmp(set->groups[be].host, g->host) &&
		     !strcmp(set->groups[be].benchmark, g->benchmark); be++)
			;
		if (!strcmp(g->host, h->name))
			cJSON_AddItemToArray(benches, benchmark_obj(m, g, be - b0));
	}
	return benches;
}

/* The end of the benchmark that starts at groups[b0] (same host and
 * benchmark). */
static size_t bench_end(const struct analyze_set *set, size_t b0)
{
	size_t be = b0;

	while (be < set->n_groups &&
	       !strcmp(set->groups[be].host, set->groups[b0].host) &&
	       !strcmp(set->groups[be].benchmark, set->groups[b0].benchmark))
		be++;
	return be;
}

/* The platforms of host's groups in analyze's order (the baseline first
 * when with_baseline, else left out). Caller frees (vb_strv_free). */
static char **host_columns(const struct analyze_set *set, const char *host,
			   int with_baseline)
{
	char **cols = xcalloc(set->n_groups + 1, sizeof(*cols));
	size_t n = 0;

	if (with_baseline)
		cols[n++] = xstrdup(set->baseline);
	for (size_t i = 0; i < set->n_groups; i++) {
		const struct analyze_group *g = &set->groups[i];

		if (!strcmp(g->host, host) && !g->is_baseline &&
		    !vb_strv_contains(cols, g->platform))
			cols[n++] = xstrdup(g->platform);
	}
	return cols;
}

static cJSON *name_list(char *const *names)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; names[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
	return a;
}

/* The group of a platform among g[0..n), or NULL. */
static const struct analyze_group *group_of(const struct analyze_group *g,
					    size_t n, const char *platform)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].platform, platform))
			return &g[i];
	return NULL;
}

/* The answers up front for host h: a paragraph per benchmark into
 * "answers", and "summary" {columns, rows: [{benchmark, cells}]}, each
 * cell "speedup [interval] verdict" or "—". */
static void host_answers(const struct model *m, const char *host, cJSON *ho,
			 const cJSON *problems)
{
	const struct analyze_set *set = m->set;
	char **cols = host_columns(set, host, 0);
	cJSON *answers = cJSON_AddArrayToObject(ho, "answers");
	cJSON *summary = cJSON_AddObjectToObject(ho, "summary"), *rows;

	cJSON_AddItemToObject(summary, "columns", name_list(cols));
	rows = cJSON_AddArrayToObject(summary, "rows");
	for (size_t b0 = 0, be; b0 < set->n_groups; b0 = be) {
		const struct analyze_group *g = &set->groups[b0];
		struct sb t = SB_INIT;
		cJSON *a, *row, *cells;

		be = bench_end(set, b0);
		if (strcmp(g->host, host) != 0)
			continue;
		report_summary(m->f, set, g, be - b0, problems, &t);
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "benchmark", g->benchmark);
		cJSON_AddStringToObject(a, "text", t.buf);
		cJSON_AddItemToArray(answers, a);
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "benchmark", g->benchmark);
		cells = cJSON_AddArrayToObject(row, "cells");
		for (size_t c = 0; cols[c]; c++) {
			const struct analyze_group *x = group_of(g, be - b0, cols[c]);

			sb_reset(&t);
			if (x)
				report_summary_cell(x, report_cell_problem(problems, x), &t);
			else
				sb_adds(&t, "—");
			cJSON_AddItemToArray(cells, cJSON_CreateString(t.buf));
		}
		cJSON_AddItemToArray(rows, row);
		sb_release(&t);
	}
	vb_strv_free(cols);
}

/* The worst weak-data warning (lowest rank) of a platform and benchmark
 * of host among checks, or NULL. */
static const cJSON *worst_warning(const cJSON *checks, const char *host,
				  const char *platform, const char *bench)
{
	const cJSON *c, *worst = NULL;

	cJSON_ArrayForEach(c, checks) {
		const cJSON *rank = cJSON_GetObjectItemCaseSensitive(c, "rank");

		if (!cJSON_IsNumber(rank) ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "host")), host) ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "platform")), platform) ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "benchmark")), bench))
			continue;
		if (!worst || rank->valuedouble <
			      cJSON_GetObjectItemCaseSensitive(worst, "rank")->valuedouble)
			worst = c;
	}
	return worst;
}

/* The warnings table of host into ho "warnings": {columns, rows} with
 * only the benchmarks that have a warning, each cell the worst warning
 * and its cause; NULL when there is none. */
static void host_warnings(const struct model *m, const char *host, cJSON *ho)
{
	const struct analyze_set *set = m->set;
	char **cols = host_columns(set, host, 1);
	cJSON *table = cJSON_CreateObject(), *rows;

	cJSON_AddItemToObject(table, "columns", name_list(cols));
	rows = cJSON_AddArrayToObject(table, "rows");
	for (size_t b0 = 0, be; b0 < set->n_groups; b0 = be) {
		const struct analyze_group *g = &set->groups[b0];
		cJSON *row = NULL, *cells = NULL;

		be = bench_end(set, b0);
		if (strcmp(g->host, host) != 0)
			continue;
		for (size_t c = 0; cols[c]; c++) {
			const cJSON *w = worst_warning(m->checks, host, cols[c], g->benchmark);
			const char *cause = w ? cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(w, "cause")) : NULL;
			struct sb t = SB_INIT;

			if (w) {
				tmpl_md_escape(&t, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "cell")));
				if (cause) {
					sb_adds(&t, " — ");
					tmpl_md_escape(&t, cause);
				}
			}
			if (!row && w) {
				row = cJSON_CreateObject();
				cJSON_AddStringToObject(row, "benchmark", g->benchmark);
				cells = cJSON_AddArrayToObject(row, "cells");
				for (size_t k = 0; k < c; k++)
					cJSON_AddItemToArray(cells, cJSON_CreateString(""));
			}
			if (row)
				cJSON_AddItemToArray(cells, cJSON_CreateString(t.buf ? t.buf : ""));
			sb_release(&t);
		}
		if (row)
			cJSON_AddItemToArray(rows, row);
	}
	if (cJSON_GetArraySize(rows))
		cJSON_AddItemToObject(ho, "warnings", table);
	else {
		cJSON_Delete(table);
		cJSON_AddNullToObject(ho, "warnings");
	}
	vb_strv_free(cols);
}

/* The checks of a level (and, for warnings, only those not in the
 * warnings table: with_cell 0) from all. */
static cJSON *checks_of(const cJSON *all, const char *level)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *c;

	cJSON_ArrayForEach(c, all) {
		const char *l = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "level"));

		if (l && !strcmp(l, level) && !cJSON_GetObjectItemCaseSensitive(c, "cell"))
			cJSON_AddItemToArray(out, cJSON_Duplicate(c, 1));
	}
	return out;
}

/* The compared platforms with samples but no recorded configuration
 * (imported data), by name. */
static cJSON *unconfigured(const struct report_facts *f,
			   const struct analyze_set *set)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < f->n_platforms; i++) {
		const struct report_platform *p = &f->platforms[i];

		if (!p->config && p->has_samples && strcmp(p->name, set->baseline))
			cJSON_AddItemToArray(a, cJSON_CreateString(p->name));
	}
	return a;
}

/* A run that did not finish may lack samples of some pairs: a warning. */
static void run_status_checks(struct model *m)
{
	for (size_t i = 0; i < m->f->n_runs; i++) {
		const struct report_run *r = &m->f->runs[i];
		struct sb t = SB_INIT;

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
		gather(m, check_obj("warning", "", t.buf), "all benchmarks", r->host);
		sb_release(&t);
	}
}

/* The checks, problems first, then warnings, each in the order found. */
static cJSON *sorted_checks(const cJSON *all)
{
	static const char *const order[] = { "problem", "warning" };
	cJSON *sorted = cJSON_CreateArray();

	for (size_t k = 0; k < VB_ARRAY_SIZE(order); k++) {
		const cJSON *c;

		cJSON_ArrayForEach(c, all) {
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, "level");

			if (cJSON_IsString(l) && !strcmp(l->valuestring, order[k]))
				cJSON_AddItemToArray(sorted, cJSON_Duplicate(c, 1));
		}
	}
	return sorted;
}

static cJSON *method_obj(const struct model *m)
{
	cJSON *meth = cJSON_CreateObject();
	char b[64];

	if (m->nmax) {
		if (m->nmin == m->nmax)
			snprintf(b, sizeof(b), "%zu", m->nmax);
		else
			snprintf(b, sizeof(b), "%zu–%zu", m->nmin, m->nmax);
		cJSON_AddStringToObject(meth, "reps", b);
	} else {
		cJSON_AddNullToObject(meth, "reps");
	}
	cJSON_AddNumberToObject(meth, "warmup_excluded", (double)m->nwarm);
	cJSON_AddNumberToObject(meth, "n_groups", (double)m->set->n_groups);
	return meth;
}

cJSON *report_model(const struct report_facts *f, const struct analyze_set *set,
		    const struct plot_result *figures, const struct report_opts *o)
{
	struct model m = { .f = f, .set = set, .figs = figures,
			   .names = platform_names(f, set),
			   .checks = cJSON_CreateArray(), .nmin = SIZE_MAX };
	cJSON *root = cJSON_CreateObject(), *hosts, *runs, *checks, *problems;
	char now[40];

	cJSON_AddStringToObject(root, "tool_version", VB_VERSION);
	cJSON_AddStringToObject(root, "generated_at", vb_now_iso(now, sizeof(now)));
	add_str(root, "db", o ? o->db_path : NULL);
	cJSON_AddStringToObject(root, "baseline", set->baseline);
	cJSON_AddNumberToObject(root, "n_comparisons", (double)set->n_comparisons);
	{
		char b[32];

		snprintf(b, sizeof(b), "%g %%", 100 * set->margin);
		cJSON_AddStringToObject(root, "margin", b);
		cJSON_AddNumberToObject(root, "family_size", (double)set->family_size);
		cJSON_AddBoolToObject(root, "verdicts", 1);
	}
	cJSON_AddBoolToObject(root, "rendered", figures && figures->n && figures->figs[0].rendered);
	cJSON_AddBoolToObject(root, "multi_host", f->n_hosts > 1);
	cJSON_AddBoolToObject(root, "svg", figures && (figures->formats & PLOT_FMT_SVG));

	hosts = cJSON_CreateArray();
	for (size_t hi = 0; hi < f->n_hosts; hi++) {
		const struct report_host *h = &f->hosts[hi];
		cJSON *ho = host_obj(&m, h);

		cJSON_AddItemToArray(hosts, ho);
		host_platforms(&m, h, ho);
		cJSON_AddItemToObject(ho, "benchmarks", host_benchmarks(&m, h));
	}
	run_status_checks(&m);
	cJSON_AddItemToObject(root, "unconfigured", unconfigured(f, set));
	{
		/* every host's absent platforms, for the answers up front */
		cJSON *all = cJSON_AddArrayToObject(root, "absent"), *h, *a;

		cJSON_ArrayForEach(h, hosts)
			cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(h, "absent")) {
				cJSON *d = cJSON_Duplicate(a, 1);

				cJSON_AddStringToObject(d, "host",
					cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "name")));
				cJSON_AddItemToArray(all, d);
			}
	}
	checks = sorted_checks(m.checks);
	problems = checks_of(checks, "problem");
	for (size_t hi = 0; hi < f->n_hosts; hi++) {
		cJSON *ho = cJSON_GetArrayItem(hosts, (int)hi);

		host_answers(&m, f->hosts[hi].name, ho, problems);
		host_warnings(&m, f->hosts[hi].name, ho);
	}
	cJSON_AddItemToObject(root, "checks", checks);
	cJSON_AddItemToObject(root, "problems", problems);
	cJSON_AddItemToObject(root, "notes", checks_of(checks, "warning"));
	cJSON_AddItemToObject(root, "hosts", hosts);
	/* guests compared with a baseline on another machine */
	cJSON_AddNumberToObject(root, "n_remote", (double)m.n_remote);
	cJSON_AddNumberToObject(root, "n_problems", count_level(checks, "problem"));
	cJSON_AddNumberToObject(root, "n_warnings", count_level(checks, "warning"));

	runs = cJSON_AddArrayToObject(root, "runs");
	for (size_t i = 0; i < f->n_runs; i++)
		cJSON_AddItemToArray(runs, run_obj(&f->runs[i]));
	cJSON_AddItemToObject(root, "method", method_obj(&m));
	cJSON_Delete(m.checks);
	vb_strv_free(m.names);
	return root;
}
