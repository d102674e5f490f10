/*
 * analyze/output.c - the analyzed set as a person or a script wants it:
 * an aligned text table, Markdown, CSV and the JSON that DESIGN.md fixes
 * (field names are a contract; report reuses analyze_set_to_json() so its
 * numbers are the same as analyze's). A number that is not available is
 * null in JSON, empty in CSV and "n/a" in text/Markdown: never "nan".
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "analyze/variants.h"
#include "common/safe.h"
#include "common/util.h"

int analyze_format_parse(const char *s, enum analyze_format *f)
{
	static const struct {
		const char *name;
		enum analyze_format f;
	} t[] = {
		{ "text", ANALYZE_TEXT }, { "json", ANALYZE_JSON },
		{ "csv", ANALYZE_CSV }, { "markdown", ANALYZE_MARKDOWN },
		{ "md", ANALYZE_MARKDOWN },
	};
	size_t i;

	for (i = 0; i < VB_ARRAY_SIZE(t); i++)
		if (!strcmp(s, t[i].name)) {
			*f = t[i].f;
			return 0;
		}
	return -1;
}

int analyze_margin_parse(const char *s, double *fraction)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 100))
		return -1;
	*fraction = v / 100;
	return 0;
}

/* 4 significant digits without an exponent in the usual range, so
 * 16536 prints as "16536" and 0.98712 as "0.9871". */
char *analyze_fmt_num(double v, char *buf, size_t size)
{
	double a = fabs(v);
	int dec;

	if (!isfinite(v)) {
		snprintf(buf, size, "n/a");
		return buf;
	}
	if (a != 0 && (a < 1e-3 || a >= 1e9)) {
		snprintf(buf, size, "%.3e", v);
		return buf;
	}
	dec = a == 0 ? 0 : 3 - (int)floor(log10(a));
	if (dec < 0)
		dec = 0;
	snprintf(buf, size, "%.*f", dec, v);
	return buf;
}

/* Ratios: 3 decimals around 1 (a 2 % gap must show), fewer digits for
 * large ratios, 3 significant digits for small ones (a 20x TCG gap). */
static char *fmt_ratio(double v, char *buf, size_t size)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, size, "n/a");
	else if (a >= 1000)
		snprintf(buf, size, "%.0f", v);
	else if (a >= 100)
		snprintf(buf, size, "%.1f", v);
	else if (a >= 10)
		snprintf(buf, size, "%.2f", v);
	else if (a >= 0.1 || a == 0)
		snprintf(buf, size, "%.3f", v);
	else
		snprintf(buf, size, "%#.3g", v); /* keeps 0.0550's last zero */
	return buf;
}

char *analyze_fmt_speedup(const struct analyze_vs *vs, char *buf, size_t size)
{
	char r[32], lo[32], hi[32];

	if (!vs->present || !isfinite(vs->speedup)) {
		snprintf(buf, size, "n/a%s%s%s", vs->reason ? " (" : "",
			 vs->reason ? vs->reason : "", vs->reason ? ")" : "");
		return buf;
	}
	fmt_ratio(vs->speedup, r, sizeof(r));
	if (vs->ci_bounded)
		snprintf(buf, size, "%s\u00d7 [%s, %s]", r,
			 fmt_ratio(vs->ci_lo, lo, sizeof(lo)),
			 fmt_ratio(vs->ci_hi, hi, sizeof(hi)));
	else if (vs->reason && !strcmp(vs->reason, "unbounded"))
		snprintf(buf, size, "%s\u00d7 [unbounded]", r);
	else
		snprintf(buf, size, "%s\u00d7 [n/a: %s]", r,
			 vs->reason ? vs->reason : "no CI");
	return buf;
}

char *analyze_fmt_p(double p, char *buf, size_t size)
{
	if (!isfinite(p))
		snprintf(buf, size, "n/a");
	else if (p < 0.001)
		snprintf(buf, size, "p<0.001");
	else
		snprintf(buf, size, "p=%.3f", p);
	return buf;
}

/* ---- JSON ---- */

static void jnum(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void jpair(cJSON *o, const char *k, double lo, double hi)
{
	cJSON *a;

	if (!isfinite(lo) || !isfinite(hi)) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	a = cJSON_AddArrayToObject(o, k);
	cJSON_AddItemToArray(a, cJSON_CreateNumber(lo));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(hi));
}

static void jstr_or_null(cJSON *o, const char *k, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, k, s);
	else
		cJSON_AddNullToObject(o, k);
}

/* verdict, margin, ci95_simultaneous, ci90_simultaneous, reps_needed
 * (DESIGN.md "Verdicts"), plus decided_by: which of the two intervals the
 * verdict rests on (null while inconclusive). */
static void json_verdict(cJSON *o, const struct analyze_vs *vs)
{
	cJSON_AddStringToObject(o, "verdict", analyze_verdict_name(vs->verdict));
	cJSON_AddNumberToObject(o, "margin", vs->margin);
	jpair(o, "ci95_simultaneous", vs->sim95_lo, vs->sim95_hi);
	jpair(o, "ci90_simultaneous", vs->sim90_lo, vs->sim90_hi);
	if (vs->reps_needed >= 0)
		cJSON_AddNumberToObject(o, "reps_needed",
					(double)vs->reps_needed);
	else
		cJSON_AddNullToObject(o, "reps_needed");
	/* beyond the contract: what reps_needed counts */
	cJSON_AddStringToObject(o, "reps_needed_unit", vs->instance_units ?
				"instances" : "repetitions");
	jstr_or_null(o, "decided_by", vs->decided_by);
}

/* welch, mann_whitney, p_holm, significant and the verdict: shared by both
 * outputs. */
static void json_tests(cJSON *o, const struct analyze_vs *vs)
{
	cJSON *w = cJSON_AddObjectToObject(o, "welch");
	cJSON *m;

	jnum(w, "t", vs->welch.t);
	jnum(w, "df", vs->welch.df);
	jnum(w, "p", vs->welch.p);
	m = cJSON_AddObjectToObject(o, "mann_whitney");
	jnum(m, "u", vs->mw.u);
	jnum(m, "p", vs->mw.p);
	if (isfinite(vs->mw.p))
		cJSON_AddBoolToObject(m, "exact", vs->mw.exact);
	jnum(o, "p_holm", vs->p_holm);
	cJSON_AddBoolToObject(o, "significant", vs->significant);
	json_verdict(o, vs);
}

static cJSON *json_vs(const struct analyze_vs *vs)
{
	cJSON *o = cJSON_CreateObject();

	jnum(o, "speedup", vs->speedup);
	jpair(o, "ci95", vs->ci_lo, vs->ci_hi);
	cJSON_AddBoolToObject(o, "ci95_unbounded",
			      vs->reason && !strcmp(vs->reason, "unbounded"));
	json_tests(o, vs);
	jstr_or_null(o, "reason", vs->reason);
	return o;
}

/* DESIGN.md "Instances": n_instances always (instances_known says
 * whether any sample recorded its instance); with two or more,
 * instance_means (ascending instance number, beside instance_ids and
 * instance_n), between_sd and within_sd. */
static void json_instances(cJSON *o, const struct analyze_group *g)
{
	cJSON *a, *b, *c;

	cJSON_AddNumberToObject(o, "n_instances", (double)g->inst.k);
	cJSON_AddBoolToObject(o, "instances_known", g->instances_known);
	if (g->inst.k < 2)
		return;
	a = cJSON_AddArrayToObject(o, "instance_means");
	b = cJSON_AddArrayToObject(o, "instance_ids");
	c = cJSON_AddArrayToObject(o, "instance_n");
	for (size_t i = 0; i < g->inst.k; i++) {
		cJSON_AddItemToArray(a, cJSON_CreateNumber(g->inst.means[i]));
		cJSON_AddItemToArray(b, cJSON_CreateNumber(g->inst.ids[i]));
		cJSON_AddItemToArray(c, cJSON_CreateNumber((double)g->inst.n[i]));
	}
	jnum(o, "between_sd", g->inst.between_sd);
	jnum(o, "within_sd", g->inst.within_sd);
}

cJSON *analyze_vs_to_json(const struct analyze_vs *vs)
{
	return json_vs(vs);
}

static const char *dir_name(enum analyze_direction d)
{
	return d == ANALYZE_LOWER ? "lower" : "higher";
}

cJSON *analyze_set_to_json(const struct analyze_set *s)
{
	cJSON *root = cJSON_CreateObject(), *res;
	size_t i;

	cJSON_AddStringToObject(root, "baseline", s->baseline);
	cJSON_AddNumberToObject(root, "family_size", (double)s->family_size);
	cJSON_AddNumberToObject(root, "margin", s->margin);
	res = cJSON_AddArrayToObject(root, "results");
	for (i = 0; i < s->n_groups; i++) {
		const struct analyze_group *g = &s->groups[i];
		cJSON *o = cJSON_CreateObject(), *x, *w;

		cJSON_AddStringToObject(o, "host", g->host);
		cJSON_AddStringToObject(o, "platform", g->platform);
		cJSON_AddStringToObject(o, "benchmark", g->benchmark);
		cJSON_AddStringToObject(o, "unit", g->unit);
		cJSON_AddNumberToObject(o, "n", (double)g->n);
		jnum(o, "mean", g->mean);
		jnum(o, "median", g->median);
		jnum(o, "variance", g->variance);
		jnum(o, "stddev", g->stddev);
		jnum(o, "cov", g->cov);
		jnum(o, "min", g->min);
		jnum(o, "max", g->max);
		jpair(o, "ci95", g->ci95_lo, g->ci95_hi);
		if (g->vs_baseline.present)
			cJSON_AddItemToObject(o, "vs_baseline",
					      json_vs(&g->vs_baseline));
		/* beyond the contract: what report and people also want */
		cJSON_AddStringToObject(o, "kind", g->kind);
		cJSON_AddStringToObject(o, "direction", dir_name(g->direction));
		cJSON_AddNumberToObject(o, "n_warmup", (double)g->n_warmup_excluded);
		cJSON_AddNumberToObject(o, "n_failed", (double)g->n_failed);
		cJSON_AddNumberToObject(o, "n_outliers_excluded",
					(double)g->n_outliers_excluded);
		jpair(o, "median_ci95", g->median_ci_lo, g->median_ci_hi);
		json_instances(o, g);
		cJSON_AddNumberToObject(o, "n_disturbed", (double)g->n_disturbed);
		cJSON_AddNumberToObject(o, "n_disturbed_excluded",
					(double)g->n_disturbed_excluded);
		jnum(o, "host_other_cpu", g->host_other_cpu_mean);
		jnum(o, "host_other_cpu_max", g->host_other_cpu_max);
		if (g->nested) {
			x = cJSON_AddObjectToObject(o, "nested");
			cJSON_AddBoolToObject(x, "emulated_host", g->nested_emulated);
			if (g->nested_hypervisor)
				cJSON_AddStringToObject(x, "host_hypervisor",
							g->nested_hypervisor);
			if (g->nested_vendor)
				cJSON_AddStringToObject(x, "host_dmi_vendor",
							g->nested_vendor);
		}
		x = cJSON_AddObjectToObject(o, "outliers");
		cJSON_AddNumberToObject(x, "mild", (double)g->outliers_mild);
		cJSON_AddNumberToObject(x, "severe", (double)g->outliers_severe);
		x = cJSON_AddObjectToObject(o, "drift");
		cJSON_AddBoolToObject(x, "tested", g->drift.tested);
		jnum(x, "rho", g->drift.rho);
		jnum(x, "p", g->drift.p);
		cJSON_AddBoolToObject(x, "significant", g->drift.significant);
		w = cJSON_AddArrayToObject(o, "warnings");
		if (g->warnings_text) {
			char **v = vb_split(g->warnings_text, ';');
			size_t k;
			for (k = 0; v && v[k]; k++)
				cJSON_AddItemToArray(w, cJSON_CreateString(
					v[k] + strspn(v[k], " ")));
			vb_strv_free(v);
		}
		cJSON_AddItemToArray(res, o);
	}
	cJSON_AddItemToObject(root, "variants", analyze_variants_to_json(s));
	return root;
}

/* The pairs of one host that the other lacks: what each side measured. */
static void json_only(cJSON *root, const char *key,
		      const struct analyze_cmp_only *v, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(root, key);
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "platform", v[i].platform);
		cJSON_AddStringToObject(o, "benchmark", v[i].benchmark);
		cJSON_AddStringToObject(o, "unit", v[i].unit);
		cJSON_AddNumberToObject(o, "n", (double)v[i].n);
		jnum(o, "mean", v[i].mean);
		cJSON_AddItemToArray(arr, o);
	}
}

cJSON *analyze_cmp_set_to_json(const struct analyze_cmp_set *s)
{
	cJSON *root = cJSON_CreateObject(), *res;
	size_t i;

	cJSON_AddStringToObject(root, "a", s->host_a);
	cJSON_AddStringToObject(root, "b", s->host_b);
	cJSON_AddNumberToObject(root, "family_size", (double)s->family_size);
	cJSON_AddNumberToObject(root, "margin", s->margin);
	res = cJSON_AddArrayToObject(root, "results");
	for (i = 0; i < s->n; i++) {
		const struct analyze_cmp *c = &s->items[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "platform", c->platform);
		cJSON_AddStringToObject(o, "benchmark", c->benchmark);
		cJSON_AddStringToObject(o, "unit", c->unit);
		cJSON_AddNumberToObject(o, "n_a", (double)c->n_a);
		cJSON_AddNumberToObject(o, "n_b", (double)c->n_b);
		jnum(o, "mean_a", c->mean_a);
		jnum(o, "mean_b", c->mean_b);
		jnum(o, "ratio", c->vs.speedup);
		jpair(o, "ratio_ci95", c->vs.ci_lo, c->vs.ci_hi);
		cJSON_AddBoolToObject(o, "ratio_ci95_unbounded",
				      c->vs.reason &&
				      !strcmp(c->vs.reason, "unbounded"));
		json_tests(o, &c->vs);
		cJSON_AddStringToObject(o, "direction", dir_name(c->direction));
		jstr_or_null(o, "reason", c->vs.reason);
		cJSON_AddItemToArray(res, o);
	}
	/* beyond the contract, beside "results" (which stays as it is) */
	json_only(root, "only_a", s->only_a, s->n_only_a);
	json_only(root, "only_b", s->only_b, s->n_only_b);
	return root;
}

static int print_json(cJSON *root, FILE *f)
{
	char *txt = cJSON_Print(root);
	int ret = 0;

	if (!txt || fprintf(f, "%s\n", txt) < 0)
		ret = -1;
	free(txt);
	cJSON_Delete(root);
	return ret;
}

/* ---- tables (text and Markdown) ---- */

struct table {
	size_t ncol, nrow, cap;
	char **cell; /* row-major, nrow x ncol; row 0 is the header */
	int *right;  /* per column: right-aligned */
};

static void table_init(struct table *t, size_t ncol, const char *const *hdr,
		       const int *right)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	t->right = xmalloc(ncol * sizeof(int));
	memcpy(t->right, right, ncol * sizeof(int));
	t->cap = 16;
	t->cell = xmalloc(t->cap * ncol * sizeof(char *));
	for (i = 0; i < ncol; i++)
		t->cell[i] = xstrdup(hdr[i]);
	t->nrow = 1;
}

/* Appends a row; the table takes ownership of the strings. */
static void table_row(struct table *t, char **cells)
{
	if (t->nrow == t->cap) {
		t->cap *= 2;
		t->cell = xrealloc(t->cell, t->cap * t->ncol * sizeof(char *));
	}
	memcpy(t->cell + t->nrow * t->ncol, cells, t->ncol * sizeof(char *));
	t->nrow++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static int table_print(struct table *t, int markdown, FILE *f)
{
	size_t *w = xcalloc(t->ncol, sizeof(size_t)), r, c, k;
	int ret = 0;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol; c++) {
			size_t x = width(t->cell[r * t->ncol + c]);
			if (x > w[c])
				w[c] = x;
		}
	/* a Markdown delimiter cell needs a hyphen besides its colon */
	for (c = 0; markdown && c < t->ncol; c++)
		if (w[c] < 3)
			w[c] = 3;
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];
			size_t pad = w[c] - width(s);
			if (markdown)
				fputs(c ? " | " : "| ", f);
			else if (c)
				fputs("  ", f);
			if (t->right[c])
				for (k = 0; k < pad; k++)
					fputc(' ', f);
			fputs(s, f);
			if (!t->right[c] && (markdown || c + 1 < t->ncol))
				for (k = 0; k < pad; k++)
					fputc(' ', f);
		}
		fputs(markdown ? " |\n" : "\n", f);
		if (r == 0) {
			for (c = 0; c < t->ncol; c++) {
				if (markdown) {
					fputs(c ? " | " : "| ", f);
					for (k = 0; k + 1 < w[c]; k++)
						fputc('-', f);
					fputc(t->right[c] ? ':' : '-', f);
				} else {
					if (c)
						fputs("  ", f);
					for (k = 0; k < w[c]; k++)
						fputc('-', f);
				}
			}
			fputs(markdown ? " |\n" : "\n", f);
		}
	}
	for (r = 0; r < t->nrow * t->ncol; r++)
		free(t->cell[r]);
	free(t->cell);
	free(t->right);
	free(w);
	if (ferror(f))
		ret = -1;
	return ret;
}

/* One escape for every name Markdown embeds (cells and text): the
 * characters that start emphasis, code, a link, HTML, a heading or a cell
 * get a backslash; a newline, tab or other control character (which would
 * end a table row) becomes a space. */
static void md_escape(struct sb *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			sb_addc(b, ' ');
			continue;
		}
		if (strchr("\\`*_[]<>|#&!", c))
			sb_addc(b, '\\');
		sb_addc(b, (char)c);
	}
}

static char *md_cell(const char *s, int markdown)
{
	struct sb b = SB_INIT;

	if (!markdown)
		return xstrdup(s);
	sb_init(&b);
	md_escape(&b, s);
	return sb_detach(&b);
}

static char *num_cell(double v)
{
	char b[64];
	return xstrdup(analyze_fmt_num(v, b, sizeof(b)));
}

static char *ci_cell(double lo, double hi)
{
	char a[64], b[64];

	if (!isfinite(lo) || !isfinite(hi))
		return xstrdup("n/a");
	return xasprintf("[%s, %s]", analyze_fmt_num(lo, a, sizeof(a)),
			 analyze_fmt_num(hi, b, sizeof(b)));
}

static char *cov_cell(double cov)
{
	if (!isfinite(cov))
		return xstrdup("n/a");
	return xasprintf("%.1f%%", 100 * cov);
}

static char *p_cell(const struct analyze_vs *vs)
{
	char b[32];

	if (!vs->present)
		return xstrdup("");
	if (!isfinite(vs->p_holm))
		return xasprintf("n/a (%s)", vs->welch.reason ? vs->welch.reason
				 : "no test");
	analyze_fmt_p(vs->p_holm, b, sizeof(b));
	return xasprintf("%s%s", b, vs->significant ? " *" : "");
}

static char *mw_cell(const struct analyze_vs *vs)
{
	char b[32];

	if (!vs->present)
		return xstrdup("");
	return xstrdup(analyze_fmt_p(vs->mw.p, b, sizeof(b)));
}

/* "faster", "equivalent", "inconclusive (+12 reps)": empty for the
 * baseline. */
static char *verdict_cell(const struct analyze_vs *vs)
{
	if (!vs->present)
		return xstrdup("");
	if (vs->verdict == ANALYZE_INCONCLUSIVE && vs->reps_needed > 0)
		return xasprintf("inconclusive (+%ld %s)", vs->reps_needed,
				 vs->instance_units ? "instances" : "reps");
	return xstrdup(analyze_verdict_name(vs->verdict));
}

static void verdict_note(FILE *f, int markdown, size_t m, double margin)
{
	fprintf(f, "%sverdict: simultaneous Fieller intervals over %zu "
		"comparison%s (Bonferroni); equivalent = the %.4g%% interval "
		"within %.4g%% of 1, faster/slower = the %.4g%% interval "
		"excludes 1; +N reps = more repetitions per side that would "
		"decide it\n", markdown ? "\n" : "", m, m == 1 ? "" : "s",
		100 * (1 - 0.10 / (double)(m ? m : 1)), 100 * margin,
		100 * (1 - 0.05 / (double)(m ? m : 1)));
}

static int print_table(const struct analyze_set *s, int markdown, FILE *f)
{
	static const char *const hdr[] = {
		"host", "platform", "benchmark", "unit", "n", "mean",
		"95% CI", "median", "sd", "CoV", "speedup [95% CI]",
		"p (Welch, Holm)", "p (MW)", "verdict", "notes"
	};
	static const int right[] = { 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0,
				     0 };
	struct table t;
	size_t i;

	table_init(&t, VB_ARRAY_SIZE(hdr), hdr, right);
	for (i = 0; i < s->n_groups; i++) {
		const struct analyze_group *g = &s->groups[i];
		char *c[VB_ARRAY_SIZE(hdr)], b[256];
		c[0] = md_cell(g->host, markdown);
		c[1] = md_cell(g->platform, markdown);
		c[2] = md_cell(g->benchmark, markdown);
		c[3] = md_cell(g->unit, markdown);
		c[4] = xasprintf("%zu", g->n);
		c[5] = num_cell(g->mean);
		c[6] = ci_cell(g->ci95_lo, g->ci95_hi);
		c[7] = num_cell(g->median);
		c[8] = num_cell(g->stddev);
		c[9] = cov_cell(g->cov);
		if (g->is_baseline)
			c[10] = xstrdup("baseline");
		else
			c[10] = md_cell(analyze_fmt_speedup(&g->vs_baseline, b,
							    sizeof(b)), markdown);
		c[11] = p_cell(&g->vs_baseline);
		c[12] = mw_cell(&g->vs_baseline);
		c[13] = verdict_cell(&g->vs_baseline);
		c[14] = md_cell(g->warnings_text ? g->warnings_text : "",
				markdown);
		table_row(&t, c);
	}
	if (table_print(&t, markdown, f) < 0)
		return -1;
	fprintf(f, "%s%zu comparison%s against %s; p (Welch, Holm): Welch's "
		"t-test adjusted by Holm over all of them, * = below 0.05; "
		"speedup > 1 = faster than %s\n", markdown ? "\n" : "",
		s->n_comparisons, s->n_comparisons == 1 ? "" : "s",
		s->baseline, s->baseline);
	verdict_note(f, markdown, s->family_size, s->margin);
	return ferror(f) ? -1 : 0;
}

/* ---- CSV ---- */

/* Names and units: the one CSV text rule (common/safe.h). */
static void csv_str(FILE *f, const char *s)
{
	vb_csv_text(f, s);
}

/* Full precision, empty when not available. */
static void csv_num(FILE *f, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.17g", v);
}

static void csv_tests(FILE *f, const struct analyze_vs *vs)
{
	csv_num(f, vs->welch.t);
	csv_num(f, vs->welch.df);
	csv_num(f, vs->welch.p);
	csv_num(f, vs->mw.u);
	csv_num(f, vs->mw.p);
	csv_num(f, vs->p_holm);
	fprintf(f, ",%s", vs->present ? (vs->significant ? "true" : "false")
		: "");
}

/* verdict,margin,ci95_sim_lo,ci95_sim_hi,ci90_sim_lo,ci90_sim_hi,
 * reps_needed - after the older columns, so their positions stay. */
#define CSV_VERDICT_HDR "verdict,margin,ci95_simultaneous_lo," \
	"ci95_simultaneous_hi,ci90_simultaneous_lo,ci90_simultaneous_hi," \
	"reps_needed"
static void csv_verdict(FILE *f, const struct analyze_vs *vs)
{
	if (!vs->present) {
		fputs(",,,,,,,", f);
		return;
	}
	fprintf(f, ",%s", analyze_verdict_name(vs->verdict));
	csv_num(f, vs->margin);
	csv_num(f, vs->sim95_lo);
	csv_num(f, vs->sim95_hi);
	csv_num(f, vs->sim90_lo);
	csv_num(f, vs->sim90_hi);
	fputc(',', f);
	if (vs->reps_needed >= 0)
		fprintf(f, "%ld", vs->reps_needed);
}

static int print_csv(const struct analyze_set *s, FILE *f)
{
	size_t i;

	fputs("host,platform,benchmark,unit,direction,n,n_warmup,n_failed,"
	      "mean,median,variance,stddev,cov,min,max,ci95_lo,ci95_hi,"
	      "median_ci95_lo,median_ci95_hi,outliers_mild,outliers_severe,"
	      "drift_rho,drift_p,speedup,speedup_ci95_lo,speedup_ci95_hi,"
	      "welch_t,welch_df,welch_p,mw_u,mw_p,p_holm,significant,"
	      "warnings," CSV_VERDICT_HDR "\n", f);
	for (i = 0; i < s->n_groups; i++) {
		const struct analyze_group *g = &s->groups[i];
		const struct analyze_vs *vs = &g->vs_baseline;
		csv_str(f, g->host);
		fputc(',', f);
		csv_str(f, g->platform);
		fputc(',', f);
		csv_str(f, g->benchmark);
		fputc(',', f);
		csv_str(f, g->unit);
		fprintf(f, ",%s,%zu,%zu,%zu", dir_name(g->direction), g->n,
			g->n_warmup_excluded, g->n_failed);
		csv_num(f, g->mean);
		csv_num(f, g->median);
		csv_num(f, g->variance);
		csv_num(f, g->stddev);
		csv_num(f, g->cov);
		csv_num(f, g->min);
		csv_num(f, g->max);
		csv_num(f, g->ci95_lo);
		csv_num(f, g->ci95_hi);
		csv_num(f, g->median_ci_lo);
		csv_num(f, g->median_ci_hi);
		fprintf(f, ",%zu,%zu", g->outliers_mild, g->outliers_severe);
		csv_num(f, g->drift.rho);
		csv_num(f, g->drift.p);
		if (vs->present) {
			csv_num(f, vs->speedup);
			csv_num(f, vs->ci_lo);
			csv_num(f, vs->ci_hi);
		} else {
			fputs(",,,", f);
		}
		if (vs->present)
			csv_tests(f, vs);
		else
			fputs(",,,,,,,", f);
		fputc(',', f);
		csv_str(f, g->warnings_text ? g->warnings_text : "");
		csv_verdict(f, vs);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

int analyze_print(const struct analyze_set *s, enum analyze_format fmt,
		  FILE *f)
{
	switch (fmt) {
	case ANALYZE_JSON:
		return print_json(analyze_set_to_json(s), f);
	case ANALYZE_CSV:
		return print_csv(s, f);
	case ANALYZE_MARKDOWN:
		return print_table(s, 1, f);
	case ANALYZE_TEXT:
	default:
		if (s->n_groups == 0) {
			fputs("no samples match\n", f);
			return ferror(f) ? -1 : 0;
		}
		return print_table(s, 0, f);
	}
}

/* ---- compare output ---- */

/* Markdown outside a table: backslash the characters that would start
 * emphasis, code, a link or HTML in a host or platform name. */
static void md_text(FILE *f, const char *s, int markdown)
{
	struct sb b = SB_INIT;

	if (!markdown) {
		fputs(s, f);
		return;
	}
	sb_init(&b);
	md_escape(&b, s);
	fputs(b.buf, f);
	sb_release(&b);
}

/* "only on A (hostA): qemu/cpu (n=5), qemu/mem (n=5)" - nothing when the
 * host has no one-sided pair. */
static void print_only(FILE *f, int markdown, const char *side,
		       const char *host, const struct analyze_cmp_only *v,
		       size_t n)
{
	size_t i;

	if (!n)
		return;
	fprintf(f, "%sonly on %s (", markdown ? "- " : "  ", side);
	md_text(f, host, markdown);
	fputs("): ", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		md_text(f, v[i].platform, markdown);
		fputc('/', f);
		md_text(f, v[i].benchmark, markdown);
		fprintf(f, " (n=%zu)", v[i].n);
	}
	fputc('\n', f);
}

static int print_cmp_table(const struct analyze_cmp_set *s, int markdown,
			   FILE *f)
{
	static const char *const hdr[] = {
		"platform", "benchmark", "unit", "n A", "n B", "mean A",
		"mean B", "B/A [95% CI]", "p (Welch, Holm)", "p (MW)",
		"verdict (B)"
	};
	static const int right[] = { 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0 };
	struct table t;
	size_t i;

	fprintf(f, "B = %s relative to A = %s\n\n", s->host_b, s->host_a);
	table_init(&t, VB_ARRAY_SIZE(hdr), hdr, right);
	for (i = 0; i < s->n; i++) {
		const struct analyze_cmp *c = &s->items[i];
		char *cell[VB_ARRAY_SIZE(hdr)], b[256];
		cell[0] = md_cell(c->platform, markdown);
		cell[1] = md_cell(c->benchmark, markdown);
		cell[2] = md_cell(c->unit, markdown);
		cell[3] = xasprintf("%zu", c->n_a);
		cell[4] = xasprintf("%zu", c->n_b);
		cell[5] = num_cell(c->mean_a);
		cell[6] = num_cell(c->mean_b);
		cell[7] = md_cell(analyze_fmt_speedup(&c->vs, b, sizeof(b)),
				  markdown);
		cell[8] = p_cell(&c->vs);
		cell[9] = mw_cell(&c->vs);
		cell[10] = verdict_cell(&c->vs);
		table_row(&t, cell);
	}
	if (table_print(&t, markdown, f) < 0)
		return -1;
	fprintf(f, "%s%zu comparison%s; ratio = mean B / mean A (for "
		"lower-is-better benchmarks < 1 means B is faster); * = "
		"Holm-adjusted p below 0.05\n", markdown ? "\n" : "",
		s->n_comparisons, s->n_comparisons == 1 ? "" : "s");
	verdict_note(f, markdown, s->family_size, s->margin);
	if (s->n_only_a || s->n_only_b)
		fputs(markdown ? "\nMeasured on one host only, so not "
		      "compared:\n\n" : "\nmeasured on one host only, so not "
		      "compared:\n", f);
	print_only(f, markdown, "A", s->host_a, s->only_a, s->n_only_a);
	print_only(f, markdown, "B", s->host_b, s->only_b, s->n_only_b);
	return ferror(f) ? -1 : 0;
}

/* One row per compared pair, as the compare table has; the pairs measured
 * on one host only have no ratio to put in a row and are left to the JSON,
 * text and Markdown formats (only_a/only_b). */
static int print_cmp_csv(const struct analyze_cmp_set *s, FILE *f)
{
	size_t i;

	fputs("a,b,platform,benchmark,unit,direction,n_a,n_b,mean_a,mean_b,"
	      "ratio,ratio_ci95_lo,ratio_ci95_hi,welch_t,welch_df,welch_p,"
	      "mw_u,mw_p,p_holm,significant," CSV_VERDICT_HDR "\n", f);
	for (i = 0; i < s->n; i++) {
		const struct analyze_cmp *c = &s->items[i];
		csv_str(f, s->host_a);
		fputc(',', f);
		csv_str(f, s->host_b);
		fputc(',', f);
		csv_str(f, c->platform);
		fputc(',', f);
		csv_str(f, c->benchmark);
		fputc(',', f);
		csv_str(f, c->unit);
		fprintf(f, ",%s,%zu,%zu", dir_name(c->direction), c->n_a,
			c->n_b);
		csv_num(f, c->mean_a);
		csv_num(f, c->mean_b);
		csv_num(f, c->vs.speedup);
		csv_num(f, c->vs.ci_lo);
		csv_num(f, c->vs.ci_hi);
		csv_tests(f, &c->vs);
		csv_verdict(f, &c->vs);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

int analyze_cmp_print(const struct analyze_cmp_set *s,
		      enum analyze_format fmt, FILE *f)
{
	switch (fmt) {
	case ANALYZE_JSON:
		return print_json(analyze_cmp_set_to_json(s), f);
	case ANALYZE_CSV:
		return print_cmp_csv(s, f);
	case ANALYZE_MARKDOWN:
		return print_cmp_table(s, 1, f);
	case ANALYZE_TEXT:
	default:
		return print_cmp_table(s, 0, f);
	}
}
