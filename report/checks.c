/*
 * report/checks.c - the validity checks of the report: results that
 * cannot be taken at face value (problems) and weak data (warnings), per
 * benchmark (report_checks()) and per platform (report_platform_checks()).
 * Each check is one Markdown sentence or a few, naming the platform, the
 * numbers that triggered it (the analyzer's formatting) and the likely
 * causes from the recorded facts.
 */
#include "report/answers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/prose.h"
#include "report/template.h"

static void check(cJSON *arr, const char *level, const char *platform,
		  struct sb *text)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "platform", platform);
	cJSON_AddStringToObject(o, "text", text->buf ? text->buf : "");
	cJSON_AddItemToArray(arr, o);
	sb_reset(text);
}

/* CIs of speedups do not overlap and a is above b. */
static int clearly_above(const struct analyze_vs *a, const struct analyze_vs *b)
{
	if (analyze_have(a->ci_lo) && analyze_have(b->ci_hi) && a->ci_bounded &&
	    b->ci_bounded)
		return a->ci_lo > b->ci_hi;
	return 0;
}

/* How far above the baseline the low end of a speedup interval must be
 * before a compute result on the same host is called implausible: turbo
 * and frequency scaling or scheduler luck between turns can hand a
 * platform a few percent; more than 5 % even at the interval's low end is
 * beyond them. */
#define IMPLAUSIBLE_SPEEDUP 1.05

/* Is p a guest or a container, i.e. run by the machine it sits on? Returns
 * its kind ("kvm", "qemu", "docker") or NULL (native, ssh, unknown). Whether
 * that machine is the baseline's, report_checks() asks report_same_machine().
 * *recorded is 0 when the kind is only what the platform was registered
 * as (imported data: its name), with no configuration behind it. */
static const char *same_host_kind(const struct report_platform *p,
				  const struct analyze_group *x,
				  char *buf, size_t size, int *recorded)
{
	const char *kind = p ? report_fact(p, "kind", buf, size) : NULL;

	*recorded = kind != NULL;
	if (!kind)
		kind = p ? p->kind : x->kind;
	if (!kind || (strcmp(kind, "kvm") && strcmp(kind, "qemu") &&
		      strcmp(kind, "docker")))
		return NULL;
	return kind;
}

/* A guest or container that computes or moves memory clearly faster than
 * the host it runs on: a measurement artefact, named with its likely
 * causes. base is the baseline group of the same benchmark (or NULL). */
static void implausible_compute(const struct report_facts *f,
				const struct analyze_set *set,
				const struct analyze_group *x,
				const struct analyze_group *base,
				const struct report_platform *p,
				const char *kind, int recorded, struct sb *t)
{
	const struct analyze_vs *vs = &x->vs_baseline;
	int container = !strcmp(kind, "docker");
	int mem = !strcmp(x->benchmark, "mem"), fork = !strcmp(x->benchmark, "fork");
	char sp[128], pb[32], ab[64];
	const char *acc = p ? report_fact(p, "accelerator", ab, sizeof(ab)) : NULL;

	report_md_name(t, x->platform);
	sb_adds(t, mem ? " moves more memory per second than " :
		   fork ? " creates processes faster than " :
		   " does more CPU work per second than ");
	tmpl_md_escape(t, set->baseline);
	sb_addf(t, " (%s, %s): more than %.0f %% faster even at the low end of the interval. That is implausible: it is a %s on the same host as ",
		analyze_fmt_speedup(vs, sp, sizeof(sp)),
		analyze_fmt_p(vs->p_holm, pb, sizeof(pb)),
		100 * (IMPLAUSIBLE_SPEEDUP - 1),
		container ? "container" : "guest");
	tmpl_md_escape(t, set->baseline);
	sb_addf(t, ", and a %s cannot get more %s than the host that runs it.",
		container ? "container" : "guest",
		mem ? "memory bandwidth" : fork ? "CPU or memory bandwidth" : "CPU");
	if (!recorded) {
		sb_adds(t, " Its kind ");
		report_md_code(t, kind);
		sb_adds(t, " is only what the platform was registered as");
		sb_adds(t, !p || !p->config ? " (no platform configuration is stored for its runs, e.g. imported CSV data, where the kind is the platform's name)." :
			   ": its recorded configuration does not name a kind.");
	}
	if (container) {
		sb_adds(t, " A container reads the host's own clock, so clock drift is ruled out; the likely causes are");
	} else if (acc && !strcmp(acc, "tcg")) {
		sb_adds(t, " Likely causes: the guest's clock running slow — its accelerator is ");
		report_md_code(t, "tcg");
		sb_adds(t, ", and under TCG guest time can fall behind the host's, so a timed run does more than its nominal seconds of work and its rate looks higher;");
	} else if (acc && !strcmp(acc, "kvm")) {
		sb_adds(t, " Likely causes: the guest's clock running slow — a KVM guest without the `kvmclock` clocksource can lose time, so a timed run does more than its nominal seconds of work and its rate looks higher;");
	} else {
		sb_adds(t, " Likely causes: the guest's clock running slow — under TCG, or under KVM without the `kvmclock` clocksource, guest time can fall behind the host's, so a timed run does more than its nominal seconds of work and its rate looks higher;");
	}
	sb_adds(t, " a working set that fits in a CPU cache here but not on ");
	tmpl_md_escape(t, set->baseline);
	sb_adds(t, container ? " (a different tool build or different parameters), or the host busy (background work, another platform left running) during the turns of " :
		   " (a different tool build or different parameters); or the host busy (background work, another platform left running) during the turns of ");
	tmpl_md_escape(t, set->baseline);
	sb_adds(t, " and idle during this platform's.");
	if (base && base->n && (base->drift.significant ||
				(analyze_have(base->cov) && base->cov > ANALYZE_HIGH_COV))) {
		sb_adds(t, " The last fits the data: ");
		tmpl_md_escape(t, set->baseline);
		sb_adds(t, "'s own samples are ");
		if (analyze_have(base->cov) && base->cov > ANALYZE_HIGH_COV)
			sb_addf(t, "noisy (CoV %.1f%%)%s", 100 * base->cov,
				base->drift.significant ? " and " : ".");
		if (base->drift.significant)
			sb_addf(t, "drifting (Spearman ρ=%.2f).", base->drift.rho);
	}
	report_tool_difference(f, set->baseline, x, p, t);
}

/* The checks of one group x against the expected direction: a guest or
 * container faster than the platform that runs it (disk reads faster than
 * O_DIRECT on the host, compute faster than the host). bm is the machine
 * the baseline ran on (NULL: here), base the baseline's group. */
static void direction_checks(const struct report_facts *f,
			     const struct analyze_set *set,
			     const struct analyze_group *x,
			     const struct analyze_group *base, const char *bm,
			     cJSON *arr, struct sb *t)
{
	enum report_category cat = report_category(x->benchmark);
	const struct analyze_vs *vs = &x->vs_baseline;
	const struct report_platform *p = report_facts_platform(f, x->host, x->platform);
	char buf[128], sp[128], pb[32], kb[64], mb[256];
	int guest = report_is_guest(p, buf, sizeof(buf));
	int faster = !x->is_baseline && vs->present && vs->significant &&
		     analyze_have(vs->speedup) && vs->speedup > 1;
	int recorded = 0;
	/* A platform on another machine than the baseline (a guest of a
	 * remote libvirtd, an ssh host) may be faster for real: the
	 * same-machine expectations below do not apply to it. */
	const char *m = report_remote_host(p, mb, sizeof(mb));
	int other = !report_same_machine(m, bm);
	const char *kind = other ? NULL :
			   same_host_kind(p, x, kb, sizeof(kb), &recorded);
	/* cpu, mem and fork are the compute category; the lower bound of
	 * the (direction-aware) Fieller interval, not the point */
	int implausible = cat == REPORT_COMPUTE && kind && !x->is_baseline &&
			  vs->present && vs->ci_bounded &&
			  analyze_have(vs->ci_lo) &&
			  vs->ci_lo > IMPLAUSIBLE_SPEEDUP;

	if (faster && cat == REPORT_DISK && guest == 1 && other &&
	    !report_cache_reads_host(report_fact(p, "disk_cache", buf, sizeof(buf)))) {
		/* not "a cache": another machine's disk may be faster */
		const char *cache = report_fact(p, "disk_cache", buf, sizeof(buf));

		report_md_name(t, x->platform);
		sb_addf(t, " reads faster than %s with O_DIRECT (%s, %s), but it ran on ",
			set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
			analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
		if (m) {
			report_md_code(t, m);
		} else {
			sb_adds(t, "this host (");
			tmpl_md_escape(t, x->host);
			sb_adds(t, ")");
		}
		sb_adds(t, ", another machine than ");
		tmpl_md_escape(t, set->baseline);
		sb_adds(t, "'s, whose disk may simply be faster.");
		if (cache) {
			sb_adds(t, " Its disk uses cache=");
			report_md_code(t, cache);
			sb_adds(t, ", which bypasses the page cache of the host that runs it.");
		} else {
			sb_adds(t, " Its disk cache mode was not recorded; a host-side cache (cache=writeback) would explain it too.");
		}
		check(arr, "warning", x->platform, t);
	} else if (faster && cat == REPORT_DISK && guest == 1) {
		const char *cache = report_fact(p, "disk_cache", buf, sizeof(buf));

		report_md_name(t, x->platform);
		sb_addf(t, " reads faster than %s with O_DIRECT (%s, %s): a cache, not a faster disk.",
			set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
			analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
		if (report_cache_reads_host(cache)) {
			sb_adds(t, " Its disk uses cache=");
			report_md_code(t, cache);
			sb_adds(t, ", so guest reads are served from the host's page cache — a caching artefact.");
		} else if (cache) {
			sb_adds(t, " Its disk uses cache=");
			report_md_code(t, cache);
			sb_adds(t, ", which should bypass the host page cache: this result is implausible — check that the host's own device was measured the same way.");
		} else {
			sb_adds(t, " The disk cache mode was not recorded; a host-side cache (cache=writeback) is the usual cause.");
		}
		check(arr, "problem", x->platform, t);
	} else if (faster && cat == REPORT_DISK && guest == -1) {
		report_md_name(t, x->platform);
		sb_addf(t, " reads faster than %s with O_DIRECT (%s, %s). If it is a virtual machine this is a caching artefact (cache=writeback serves reads from the host's page cache); its configuration was not recorded, so virtbench cannot tell.",
			set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
			analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
		check(arr, "warning", x->platform, t);
	} else if (faster && cat == REPORT_DISK && !other) {
		report_md_name(t, x->platform);
		sb_addf(t, " reads faster than %s with O_DIRECT (%s, %s), against the expected direction: a container uses the host's own disk path.",
			set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
			analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
		check(arr, "warning", x->platform, t);
	} else if (implausible) {
		implausible_compute(f, set, x, base, p, kind, recorded, t);
		check(arr, "problem", x->platform, t);
	} else if (faster && cat == REPORT_COMPUTE && guest == 1 && !other) {
		report_md_name(t, x->platform);
		sb_addf(t, " is faster than %s (%s, %s), against the expected direction: virtualization only adds work. Suspect frequency scaling or noise between turns, or different tool versions.",
			set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
			analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
		check(arr, "problem", x->platform, t);
	}
}

/* A weak-data warning: the text, plus what the warnings table shows for
 * it - cell (a few words), rank (lower is worse; the table shows the
 * worst per benchmark and platform) and cause (when known, or NULL). */
static void weak(cJSON *arr, const char *platform, int rank, const char *cell,
		 const char *cause, struct sb *text)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "level", "warning");
	cJSON_AddStringToObject(o, "platform", platform);
	cJSON_AddStringToObject(o, "text", text->buf ? text->buf : "");
	cJSON_AddStringToObject(o, "cell", cell);
	cJSON_AddNumberToObject(o, "rank", rank);
	if (cause)
		cJSON_AddStringToObject(o, "cause", cause);
	cJSON_AddItemToArray(arr, o);
	sb_reset(text);
}

/* Why x's samples are noisy, when the data says: a busy host, drift or
 * outliers. */
static const char *noise_cause(const struct analyze_group *x, char *buf,
			       size_t size)
{
	size_t out = x->outliers_mild + x->outliers_severe;

	if (x->n_disturbed)
		snprintf(buf, size, "host busy during %zu of %zu samples (other "
			 "processes used %.2f cores)", x->n_disturbed,
			 x->n_disturbance_measured, x->host_other_cpu_mean);
	else if (x->drift.significant)
		snprintf(buf, size, "drift over the run (ρ=%.2f)", x->drift.rho);
	else if (out)
		snprintf(buf, size, "%zu outlier%s (Tukey)", out, out == 1 ? "" : "s");
	else
		return NULL;
	return buf;
}

/* Weak data in group x: few samples, noise, drift, failures, an
 * unbounded interval (base: the baseline's group, or NULL). */
static void weak_data_checks(const struct report_facts *f,
			     const struct analyze_set *set,
			     const struct analyze_group *x,
			     const struct analyze_group *base, cJSON *arr,
			     struct sb *t)
{
	const struct analyze_vs *vs = &x->vs_baseline;
	char pb[32], cell[64], cause[128];
	const char *err;

	if (x->n_failed) {
		err = report_facts_failure(f, x->host, x->platform, x->benchmark);
		report_md_name(t, x->platform);
		sb_addf(t, ": %zu of %zu samples failed and are left out",
			x->n_failed, x->n_failed + x->n);
		if (err) {
			sb_adds(t, " (");
			tmpl_md_escape(t, err);
			sb_adds(t, ")");
		}
		sb_adds(t, ".");
		snprintf(cell, sizeof(cell), "%zu of %zu failed", x->n_failed,
			 x->n_failed + x->n);
		snprintf(cause, sizeof(cause), "%.100s", err ? err : "");
		weak(arr, x->platform, 1, cell, err ? cause : NULL, t);
	}
	if (x->n < ANALYZE_FEW_SAMPLES) {
		report_md_name(t, x->platform);
		sb_addf(t, ": only %zu sample%s (fewer than %d), so the interval is wide and the tests weak.",
			x->n, x->n == 1 ? "" : "s", ANALYZE_FEW_SAMPLES);
		snprintf(cell, sizeof(cell), "only %zu sample%s", x->n, x->n == 1 ? "" : "s");
		weak(arr, x->platform, 2, cell, NULL, t);
	}
	if (!x->is_baseline && vs->present && analyze_have(vs->speedup) &&
	    !vs->ci_bounded) {
		report_md_name(t, x->platform);
		sb_addf(t, ": the interval of the speedup is unbounded (the %s mean is too uncertain to divide by).",
			set->baseline);
		if (base && analyze_have(base->cov))
			snprintf(cause, sizeof(cause), "%s's CoV %.1f%%", set->baseline,
				 100 * base->cov);
		weak(arr, x->platform, 3, "unbounded interval",
		     base && analyze_have(base->cov) ? cause : NULL, t);
	}
	if (!x->is_baseline && vs->present && vs->ci_bounded &&
	    analyze_have(vs->ci_lo) && vs->ci_lo < 0) {
		/* Fieller's set is a finite interval that admits a negative
		 * ratio: the numerator's mean is not clearly above zero */
		const char *num = x->direction == ANALYZE_LOWER ?
				  set->baseline : x->platform;

		report_md_name(t, x->platform);
		sb_addf(t, ": the interval of the speedup reaches below zero because the %s mean is not significantly above zero; only its upper end says anything.",
			num);
		snprintf(cause, sizeof(cause), "the %.60s mean is not significantly above zero",
			 num);
		weak(arr, x->platform, 4, "interval below zero", cause, t);
	}
	if (x->drift.significant) {
		report_md_name(t, x->platform);
		sb_addf(t, ": the samples drift over the run (Spearman ρ=%.2f, %s) — the platform changed while it was measured (thermal, caches warming, background work).",
			x->drift.rho, analyze_fmt_p(x->drift.p, pb, sizeof(pb)));
		snprintf(cell, sizeof(cell), "drift ρ=%.2f", x->drift.rho);
		/* ranked below noise: high CoV shows drift as its cause */
		weak(arr, x->platform, 6, cell, NULL, t);
	}
	if (analyze_have(x->cov) && x->cov > ANALYZE_HIGH_COV) {
		int prec = 100 * (x->cov - ANALYZE_HIGH_COV) < 0.05 ? 2 : 1;

		report_md_name(t, x->platform);
		sb_addf(t, ": CoV %.*f%% is above %.0f%% — noisy samples.",
			prec, 100 * x->cov, 100 * ANALYZE_HIGH_COV);
		snprintf(cell, sizeof(cell), "CoV %.*f%%", prec, 100 * x->cov);
		weak(arr, x->platform, 5, cell, noise_cause(x, cause, sizeof(cause)), t);
	}
}

/* TCG faster than KVM on the same machine and benchmark (g[0..n)). */
static void tcg_kvm_checks(const struct report_facts *f,
			   const struct analyze_group *g, size_t n, cJSON *arr,
			   struct sb *t)
{
	enum report_category cat = report_category(g[0].benchmark);
	char buf[128], mb[256];

	if (cat != REPORT_COMPUTE && cat != REPORT_DISK && cat != REPORT_NETWORK)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct report_platform *pi = report_facts_platform(f, g[i].host, g[i].platform);
		const char *ai = pi ? report_fact(pi, "accelerator", buf, sizeof(buf)) : NULL;

		if (!ai || strcmp(ai, "tcg") != 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct report_platform *pj =
				report_facts_platform(f, g[j].host, g[j].platform);
			char b2[64], bb2[256];
			const char *aj = pj ? report_fact(pj, "accelerator", b2, sizeof(b2)) : NULL;

			if (!aj || strcmp(aj, "kvm") != 0)
				continue;
			/* two machines: either may simply be the faster one */
			if (!report_same_machine(report_remote_host(pi, mb, sizeof(mb)),
					  report_remote_host(pj, bb2, sizeof(bb2))))
				continue;
			if (!clearly_above(&g[i].vs_baseline, &g[j].vs_baseline))
				continue;
			report_md_name(t, g[i].platform);
			sb_adds(t, " (TCG) is faster than ");
			report_md_name(t, g[j].platform);
			sb_addf(t, " (KVM) on %s, against the expected direction: software translation cannot beat hardware virtualization on the same host. ",
				g[i].benchmark);
			if (cat == REPORT_DISK)
				sb_adds(t, "Compare their disk cache modes: a cached disk beats an uncached one whatever the accelerator.");
			else
				sb_adds(t, "Check that the KVM guest really ran with hardware acceleration.");
			check(arr, "problem", g[i].platform, t);
		}
	}
}

void report_checks(const struct report_facts *f, const struct analyze_set *set,
		   const struct analyze_group *g, size_t n, cJSON *arr)
{
	struct sb t = SB_INIT;
	char bb[256];
	const struct analyze_group *base = NULL;
	const char *bm;

	if (!n)
		return;
	bm = report_baseline_machine(f, set->baseline, g[0].host, bb, sizeof(bb));
	for (size_t i = 0; i < n; i++)
		if (g[i].is_baseline)
			base = &g[i];
	for (size_t i = 0; i < n; i++) {
		const struct analyze_group *x = &g[i];
		const struct report_platform *p = report_facts_platform(f, x->host, x->platform);

		if (x->n == 0) {
			report_md_name(&t, x->platform);
			sb_addf(&t, ": every sample failed (%zu failed)", x->n_failed);
			sb_adds(&t, p && p->reason ? " — " : ".");
			if (p && p->reason) {
				tmpl_md_escape(&t, p->reason);
				sb_adds(&t, ".");
			}
			check(arr, "problem", x->platform, &t);
			continue;
		}
		direction_checks(f, set, x, base, bm, arr, &t);
		weak_data_checks(f, set, x, base, arr, &t);
	}
	tcg_kvm_checks(f, g, n, arr, &t);
	sb_release(&t);
}

void report_platform_checks(const struct report_facts *f,
			    const struct analyze_set *set, const char *host,
			    cJSON *arr)
{
	struct sb t = SB_INIT;

	/* A guest that ran nested: once per platform, whatever the
	 * benchmark (analyze marks every group of it the same). */
	for (size_t j = 0; j < set->n_groups; j++) {
		const struct analyze_group *x = &set->groups[j];
		char *why;
		size_t k;

		if (!x->nested || strcmp(x->host, host))
			continue;
		for (k = 0; k < j; k++)
			if (set->groups[k].nested && !strcmp(set->groups[k].host, host) &&
			    !strcmp(set->groups[k].platform, x->platform))
				break;
		if (k < j)
			continue;
		why = analyze_nested_text(x);
		report_md_name(&t, x->platform);
		sb_adds(&t, " ran nested: ");
		tmpl_md_escape(&t, why);
		sb_adds(&t, ".");
		free(why);
		check(arr, "problem", x->platform, &t);
	}
	for (size_t i = 0; f && i < f->n_platforms; i++) {
		const struct report_platform *p = &f->platforms[i];
		char mb[256], bb[256], ub[512];
		const char *bm, *m, *uri;
		int compared = 0;

		if (strcmp(p->host, host) != 0)
			continue;
		m = report_remote_guest(f, set->baseline, p, mb, sizeof(mb), bb, sizeof(bb), &bm);
		if (!m)
			continue;
		/* Only where a speedup is printed: without one there is
		 * nothing the two machines could distort. */
		for (size_t j = 0; j < set->n_groups && !compared; j++) {
			const struct analyze_group *x = &set->groups[j];

			compared = !strcmp(x->host, host) && !strcmp(x->platform, p->name) &&
				   !x->is_baseline && x->n && x->vs_baseline.present &&
				   analyze_have(x->vs_baseline.speedup);
		}
		if (!compared)
			continue;
		report_md_name(&t, p->name);
		sb_adds(&t, " ran on ");
		report_md_code(&t, m);
		uri = report_fact(p, "connect_uri", ub, sizeof(ub));
		if (uri) {
			sb_adds(&t, " (libvirt ");
			report_md_code(&t, uri);
			sb_adds(&t, ")");
		}
		sb_adds(&t, ", while the baseline ");
		report_baseline_where(&t, set->baseline, host, bm);
		sb_adds(&t, ": its speedups mix the cost of virtualization with the difference between the two machines (CPU, memory, disk, load), so they do not measure virtualization alone, and its answers explain them only in part.");
		report_remote_fix(&t, p, m);
		check(arr, "warning", p->name, &t);
	}
	sb_release(&t);
}
