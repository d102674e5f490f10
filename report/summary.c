/*
 * report/summary.c - the answers a reader stops after: per benchmark one
 * short paragraph (the verdict of each platform, its speedup with the
 * interval the verdict rests on, and in one sentence why, saying that the
 * mechanism is inferred from the recorded configuration, and what a study
 * measured where its sibling platforms vary one setting), and the cells
 * of the summary table.
 *
 * The verdict and its interval come from the analyzer (analyze.h,
 * "Verdicts" in DESIGN.md): "equivalent" rests on the 90 % simultaneous
 * Fieller interval lying within the margin, "faster"/"slower" on the 95 %
 * simultaneous interval lying above/below 1. The paragraph prints that
 * interval and no other, so the words and the interval beside them never
 * disagree; the per-comparison 95 % interval stays in the detail tables.
 */
#include "report/answers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/prose.h"
#include "report/template.h"

void report_verdict(const struct analyze_vs *vs, struct report_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->lo = v->hi = NAN;
	v->reps_needed = -1;
	v->word = "inconclusive";
	if (!vs->present || !analyze_have(vs->speedup)) {
		v->word = NULL;
		return;
	}
	v->margin = vs->margin;
	v->reps_needed = vs->reps_needed;
	v->word = analyze_verdict_name(vs->verdict);
	if (vs->verdict == ANALYZE_EQUIVALENT) {
		v->lo = vs->sim90_lo;
		v->hi = vs->sim90_hi;
		v->level = "90 % simultaneous";
	} else {
		v->lo = vs->sim95_lo;
		v->hi = vs->sim95_hi;
		v->level = "95 % simultaneous";
	}
	v->bounded = analyze_have(v->lo) && analyze_have(v->hi);
}

char *report_fmt_verdict_speedup(const struct analyze_vs *vs,
				 const struct report_verdict *v, char *buf,
				 size_t size)
{
	struct analyze_vs c = *vs;

	c.ci_lo = v->lo;
	c.ci_hi = v->hi;
	c.ci_bounded = v->bounded;
	/* not bounded: Fieller's set is unbounded, or there is no interval
	 * at all (the analyzer's reason: "fewer than 2 samples") */
	if (!v->bounded && vs->present && analyze_have(vs->speedup))
		c.reason = vs->reason ? vs->reason : "unbounded";
	return analyze_fmt_speedup(&c, buf, size);
}

/* The question a benchmark answers, as a reader would ask it. */
static const char *question(const char *b)
{
	static const struct { const char *bench, *title; } q[] = {
		{ "cpu", "CPU" }, { "mem", "Memory" },
		{ "diskRand", "Random disk reads" },
		{ "diskSeq", "Sequential disk reads" },
		{ "fork", "Process creation" }, { "uplink", "Network uplink" },
	};

	for (size_t i = 0; i < VB_ARRAY_SIZE(q); i++)
		if (!strcmp(q[i].bench, b))
			return q[i].title;
	return NULL;
}

/* ---- the mechanism in a few words ----------------------------------------
 * One clause per platform, from the facts only; *recorded is cleared when
 * the clause says a fact is missing. */

static const char *compute_clause(const char *bench, const char *acc,
				  const char *kind)
{
	int mem = !strcmp(bench, "mem"), fork = !strcmp(bench, "fork");

	if (!strcmp(acc, "tcg"))
		return mem ? "TCG's software MMU handles every guest load and store" :
		       fork ? "TCG emulates the page-table work fork() is made of" :
		       "TCG translates every guest instruction in software";
	if (!strcmp(acc, "kvm"))
		return mem ? "KVM's two-level page tables make TLB misses dearer" :
		       fork ? "page faults cost more under KVM's two-level paging" :
		       "KVM runs guest code on the CPU, only exits cost";
	if (!strcmp(acc, "none"))
		return kind && !strcmp(kind, "docker") ?
		       "a container shares the host kernel" :
		       "no virtualization";
	return NULL;
}

static const char *disk_clause(const struct report_platform *p, int guest,
			       const char *acc, char *buf, size_t size)
{
	char c[128], k[64];
	const char *cache, *kind, *storage;

	if (guest) {
		cache = report_fact(p, "disk_cache", c, sizeof(c));
		if (!cache)
			return NULL;
		if (report_cache_reads_host(cache))
			snprintf(buf, size, "cache=%s serves reads from the host's page cache", cache);
		else
			snprintf(buf, size, "each read crosses QEMU's virtual disk (cache=%s)%s",
				 cache, !strcmp(acc, "tcg") ? ", under TCG" : "");
		return buf;
	}
	kind = report_fact(p, "kind", k, sizeof(k));
	if (!kind || strcmp(kind, "docker") != 0)
		return "the host's own disk path";
	storage = report_fact(p, "storage", c, sizeof(c));
	if (!storage)
		return NULL;
	if (!strcmp(storage, "overlay"))
		return "reads pass through the overlay filesystem";
	if (!strcmp(storage, "volume"))
		return "a volume is the host's own disk path";
	snprintf(buf, size, "storage %s", storage);
	return buf;
}

static const char *network_clause(const char *mode, int guest)
{
	if (!strcmp(mode, "user"))
		return "user-mode networking copies every packet through QEMU";
	if (!strcmp(mode, "host"))
		return "it shares the host's network stack";
	if (!strcmp(mode, "bridge"))
		return guest == 1 ? "packets cross a tap device and a bridge" :
		       "a veth pair and NAT add a hop";
	if (!strncmp(mode, "libvirt:", 8))
		return "packets cross a libvirt network's tap device and bridge";
	if (!strcmp(mode, "ssh"))
		return "a real network between two machines";
	if (!strcmp(mode, "none"))
		return "it had no network";
	return NULL;
}

/* The clause for g, or what is missing. buf may hold the text. */
static const char *clause(const struct report_facts *f,
			  const struct analyze_group *g, char *buf,
			  size_t size, int *recorded)
{
	const struct report_platform *p = report_facts_platform(f, g->host, g->platform);
	char acc[64], k[64], m[128];
	int guest = report_is_guest(p, acc, sizeof(acc));
	const char *kind = report_fact(p, "kind", k, sizeof(k)), *s = NULL;

	*recorded = 1;
	if (g->nested && strcmp(g->kind, "kvm"))
		return "TCG inside an emulated host: translation of a translation";
	if (g->nested && g->nested_emulated)
		return "KVM nested inside an emulated host: TCG emulates the CPU KVM runs on";
	if (g->nested)
		return "KVM nested inside a virtual machine: every exit goes through two hypervisors";
	switch (report_category(g->benchmark)) {
	case REPORT_COMPUTE:
		s = guest < 0 ? NULL : compute_clause(g->benchmark, acc, kind);
		if (!s && guest < 0) {
			*recorded = 0;
			return "its accelerator was not recorded";
		}
		break;
	case REPORT_DISK:
		s = guest < 0 ? NULL : disk_clause(p, guest, acc, buf, size);
		if (!s) {
			*recorded = 0;
			return "its disk configuration was not recorded";
		}
		break;
	case REPORT_NETWORK: {
		const char *mode = report_fact(p, "network_mode", m, sizeof(m));

		if (!mode) {
			*recorded = 0;
			return "its network mode was not recorded";
		}
		s = network_clause(mode, guest);
		if (s && guest == 1 && !strcmp(acc, "tcg") && !strcmp(mode, "user"))
			s = "user-mode networking copies every packet through QEMU, under TCG";
		break;
	}
	case REPORT_OTHER:
		*recorded = 0;
		return NULL;
	}
	if (!s) {
		*recorded = 0;
		return "virtbench has no explanation for its configuration";
	}
	return s;
}

/* ---- the paragraph -------------------------------------------------------- */

/* "**qemu** slower, 0.136× [0.133, 0.139] (7.3× slower)" */
static void verdict_phrase(const struct analyze_set *set,
			   const struct analyze_group *g, int problem,
			   struct sb *out)
{
	const struct analyze_vs *vs = &g->vs_baseline;
	struct report_verdict v;
	char sp[128];

	report_md_name(out, g->platform);
	if (g->n == 0) {
		sb_adds(out, ": every sample failed");
		return;
	}
	report_verdict(vs, &v);
	if (!v.word) {
		sb_addf(out, " cannot be compared with %s: %s", set->baseline,
			vs->reason ? vs->reason : "no baseline data");
		return;
	}
	sb_addf(out, " %s, %s", v.word, report_fmt_verdict_speedup(vs, &v, sp, sizeof(sp)));
	if (!strcmp(v.word, "slower") && vs->speedup > 0 && vs->speedup <= 1 / 1.5)
		sb_addf(out, " (%.1f× slower)", 1 / vs->speedup);
	if (!strcmp(v.word, "inconclusive")) {
		if (vs->reason && strcmp(vs->reason, "unbounded"))
			; /* the interval's "n/a: why" says it */
		else if (v.reps_needed > 0)
			sb_addf(out, vs->instance_units ?
				" — about %ld more instance%s (fresh containers or guests) would settle it" :
				" — about %ld more repetition%s of each would settle it",
				v.reps_needed, v.reps_needed == 1 ? "" : "s");
		else if (v.reps_needed == -1)
			sb_adds(out, " — more repetitions at this noise are not expected to settle it");
	}
	if (g->nested)
		sb_adds(out, g->nested_emulated ?
			" (nested in an emulated host: not its speed on hardware)" :
			" (nested in a virtual machine: not its speed on hardware)");
	if (problem)
		sb_adds(out, " (⚠️ Problems)");
}

/* Has a problem been found for this platform and benchmark? */
static int has_problem(const cJSON *problems, const char *host,
		       const char *platform, const char *bench)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, problems) {
		const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "host"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "platform"));
		const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "benchmark"));

		if (h && p && b && !strcmp(h, host) && !strcmp(p, platform) &&
		    (!strcmp(b, bench) || !strcmp(b, "all benchmarks")))
			return 1;
	}
	return 0;
}

int report_cell_problem(const cJSON *problems, const struct analyze_group *g)
{
	return has_problem(problems, g->host, g->platform, g->benchmark);
}

/* The why-sentence: platforms with the same clause share it. */
static void why_sentence(const struct report_facts *f,
			 const struct analyze_group *g, size_t n,
			 struct sb *out)
{
	char (*bufs)[160] = xcalloc(n, sizeof(*bufs));
	const char **cl = xcalloc(n, sizeof(*cl));
	int *rec = xcalloc(n, sizeof(*rec)), any = 0, all_missing = 1, first = 1;
	int other = report_category(g[0].benchmark) == REPORT_OTHER;
	const struct report_platform *p;

	for (size_t i = 0; i < n; i++) {
		if (g[i].is_baseline || !g[i].n || !g[i].vs_baseline.present)
			continue;
		p = report_facts_platform(f, g[i].host, g[i].platform);
		if (!p || !p->config)
			continue;
		cl[i] = clause(f, &g[i], bufs[i], sizeof(bufs[i]), &rec[i]);
		any = 1;
		if (rec[i])
			all_missing = 0;
	}
	if (!any)
		goto cleanup;
	if (other) {
		sb_adds(out, " Why: virtbench knows no mechanism for this benchmark.");
		goto cleanup;
	}
	/* Platforms without any configuration are named once, above the
	 * answers (the model's "unconfigured"). */
	if (all_missing)
		goto cleanup;
	sb_adds(out, " Why, inferred from the recorded configuration: ");
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		if (!cl[i])
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = cl[j] && !strcmp(cl[j], cl[i]);
		if (dup)
			continue;
		sb_adds(out, first ? "" : "; ");
		first = 0;
		tmpl_md_escape(out, g[i].platform);
		for (size_t j = i + 1; j < n; j++)
			if (cl[j] && !strcmp(cl[j], cl[i])) {
				sb_adds(out, ", ");
				tmpl_md_escape(out, g[j].platform);
			}
		sb_adds(out, " — ");
		tmpl_md_escape(out, cl[i]);
	}
	sb_adds(out, ".");
cleanup:
	free(bufs);
	free(cl);
	free(rec);
}

/* What a study measured for this benchmark: up to two sibling
 * comparisons that vary one setting (analyze's variants) and found it
 * faster or slower, each with the interval the verdict rests on. Returns
 * 1 if it wrote any. */
static int measured_sentence(const struct analyze_set *set, const char *host,
			     const char *bench, struct sb *out)
{
	size_t shown = 0, more = 0;

	for (size_t i = 0; i < set->n_variants; i++) {
		const struct analyze_variant *v = &set->variants[i];
		struct report_verdict vd;
		char sp[128];

		if (strcmp(v->host, host) || strcmp(v->benchmark, bench) || v->n_differs != 1)
			continue;
		report_verdict(&v->vs, &vd);
		/* a measured effect, not the absence of one */
		if (!vd.word || (strcmp(vd.word, "faster") && strcmp(vd.word, "slower")))
			continue;
		if (shown == 2) {
			more++;
			continue;
		}
		sb_adds(out, shown ? "; " : " Measured in this study: ");
		sb_adds(out, "with ");
		tmpl_md_code(out, v->differs[0]);
		sb_adds(out, " ");
		tmpl_md_escape(out, *v->values_b[0] ? v->values_b[0] : "(not recorded)");
		sb_adds(out, " instead of ");
		tmpl_md_escape(out, *v->values_a[0] ? v->values_a[0] : "(not recorded)");
		sb_adds(out, ", ");
		tmpl_md_escape(out, v->platform_b);
		sb_addf(out, " is %s than ", vd.word);
		tmpl_md_escape(out, v->platform_a);
		sb_addf(out, ", %s", report_fmt_verdict_speedup(&v->vs, &vd, sp, sizeof(sp)));
		shown++;
	}
	if (more)
		sb_addf(out, " (and %zu more in Mechanisms)", more);
	if (shown)
		sb_adds(out, ".");
	return shown > 0;
}

void report_summary(const struct report_facts *f, const struct analyze_set *set,
		    const struct analyze_group *g, size_t n,
		    const cJSON *problems, struct sb *out)
{
	const char *q = question(g[0].benchmark);
	const struct analyze_group *base = NULL;
	int first = 1;

	for (size_t i = 0; i < n; i++)
		if (g[i].is_baseline)
			base = &g[i];
	sb_adds(out, "**");
	tmpl_md_escape(out, q ? q : g[0].benchmark);
	sb_adds(out, "** (");
	if (q) {
		tmpl_md_escape(out, g[0].benchmark);
		sb_adds(out, ", ");
	}
	tmpl_md_escape(out, g[0].unit);
	sb_adds(out, g[0].direction == ANALYZE_LOWER ? ", lower is better):" : "):");
	if (!base) {
		sb_addf(out, " no %s data, so nothing to compare with.", set->baseline);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (g[i].is_baseline)
			continue;
		sb_adds(out, first ? " " : "; ");
		first = 0;
		verdict_phrase(set, &g[i], has_problem(problems, g[i].host, g[i].platform,
						       g[i].benchmark), out);
	}
	if (first) {
		sb_adds(out, base->n ? " only " : " every sample of ");
		tmpl_md_escape(out, set->baseline);
		sb_adds(out, base->n ? " was measured." : " failed (see Problems).");
		return;
	}
	sb_adds(out, ".");
	why_sentence(f, g, n, out);
	measured_sentence(set, g[0].host, g[0].benchmark, out);
}

void report_summary_cell(const struct analyze_group *g, int problem,
			 struct sb *out)
{
	const struct analyze_vs *vs = &g->vs_baseline;
	struct report_verdict v;
	char sp[128];

	if (g->n == 0) {
		sb_adds(out, "every sample failed");
	} else {
		report_verdict(vs, &v);
		if (!v.word)
			sb_adds(out, "n/a");
		else
			sb_addf(out, "%s %s", report_fmt_verdict_speedup(vs, &v, sp, sizeof(sp)),
				v.word);
	}
	if (problem)
		sb_adds(out, " ⚠️");
}
