/*
 * report/mechanisms.c - the report's "## Mechanisms" section: for every
 * setting a study varied, per benchmark, the measured effect of the
 * sibling comparison (analyze/variants.c) with its interval and what it
 * means, so that an explanation by mechanism rests on an experiment
 * rather than on the recorded configuration alone. Numbers are formatted
 * by the analyzer's own formatters from the same structs as "analyze
 * --format json", so they agree at the printed precision.
 */
#include "report/report.h"

#include <string.h>


char *report_mechanisms_md(const struct analyze_set *set)
{
	struct sb sb = SB_INIT;
	char b1[128], b2[64];

	if (!set || !set->n_variants)
		return NULL;
	sb_adds(&sb, "## Mechanisms\n\n"
		"Settings varied in this study, measured between sibling "
		"platforms of the same kind on the same host: each row is "
		"platform b relative to platform a (a speedup above 1 means b "
		"is faster), with Fieller's 95 % interval, Welch's p "
		"Holm-adjusted, and the verdict from the simultaneous intervals "
		"- all in the same family as the comparisons with the baseline. "
		"Where several settings differ at once, the effect is theirs "
		"together.\n\n"
		"| setting (a → b) | platforms (a → b) | benchmark | speedup b/a [95 % CI] | Holm p | b is |\n"
		"|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < set->n_variants; i++) {
		const struct analyze_variant *v = &set->variants[i];

		sb_adds(&sb, "| ");
		for (size_t k = 0; k < v->n_differs; k++)
			sb_addf(&sb, "%s`%s`=%s → %s", k ? ", " : "", v->differs[k],
				*v->values_a[k] ? v->values_a[k] : "(not recorded)",
				*v->values_b[k] ? v->values_b[k] : "(not recorded)");
		sb_addf(&sb, " | %s → %s | %s | %s | %s | %s |\n", v->platform_a,
			v->platform_b, v->benchmark,
			analyze_fmt_speedup(&v->vs, b1, sizeof(b1)),
			analyze_fmt_p(v->vs.p_holm, b2, sizeof(b2)),
			analyze_verdict_name(v->vs.verdict));
	}
	sb_adds(&sb, "\n");
	return sb_detach(&sb);
}
