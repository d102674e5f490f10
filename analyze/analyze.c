/*
 * analyze/analyze.c - from the sample table to analyzed groups: one pass
 * over the samples (grouped in memory by platform and benchmark), then per
 * group the descriptive statistics, outliers, drift and warnings, then per
 * non-baseline group the comparison with its host's baseline, and finally
 * Holm's adjustment over every comparison in the set. Also the two-host
 * comparison behind `virtbench compare`.
 *
 * Workload: up to millions of sample rows. The scan reads only integer and
 * real columns (plus the one-letter status) with a prepared statement and
 * appends 16 bytes per row to its group; each group is then sorted once by
 * value, and that order serves the median, quartiles, the median CI, the
 * Spearman ranks and the Mann-Whitney merge. Memory is about 40 bytes per
 * ok sample at the peak.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/nested.h"
#include "analyze/variants.h"
#include "common/util.h"
#include "db/db.h"

/* One sample as scanned: its place in repetition order and its value. */
struct raw {
	uint32_t run_ord; /* index of its run, runs ordered by start time */
	int32_t rep;
	double v;
	int32_t inst;     /* instance, 0 = not recorded */
};

/* A group under construction. */
struct acc {
	int64_t platform_id, benchmark_id;
	struct raw *r;
	size_t n, cap;
	size_t n_warmup, n_failed;
	/* disturbance over the ok measured samples */
	size_t n_disturbed, n_disturbed_excluded, n_measured;
	double sum_other, max_other;
	/* sorted ok values used for statistics, kept for comparisons */
	double *sorted;
	size_t n_sorted;
};

struct plat {
	int64_t id, host_id;
	char *name, *kind;
	int selected;
};
struct bench {
	int64_t id;
	char *name, *unit;
	enum analyze_direction dir;
};
struct host {
	int64_t id;
	char *name;
};

/* Everything loaded from the small tables, indexed by row id. */
struct catalog {
	struct host *hosts;
	size_t n_hosts;
	struct plat *plats;
	size_t n_plats;
	struct bench *benches;
	size_t n_benches;
	int64_t *plat_ix, *bench_ix; /* id -> index, -1 if none */
	int64_t max_plat_id, max_bench_id;
	uint32_t *run_ord;           /* run id -> order */
	int64_t max_run_id;
};

static void catalog_clear(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		free(c->hosts[i].name);
	for (i = 0; i < c->n_plats; i++) {
		free(c->plats[i].name);
		free(c->plats[i].kind);
	}
	for (i = 0; i < c->n_benches; i++) {
		free(c->benches[i].name);
		free(c->benches[i].unit);
	}
	free(c->hosts);
	free(c->plats);
	free(c->benches);
	free(c->plat_ix);
	free(c->bench_ix);
	free(c->run_ord);
	memset(c, 0, sizeof(*c));
}

static char *col_str(const char *s)
{
	return xstrdup(s ? s : "");
}

static const char *host_name(const struct catalog *c, int64_t id)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		if (c->hosts[i].id == id)
			return c->hosts[i].name;
	return "?";
}

/* Loads hosts, platforms, benchmarks and the run order. */
static int catalog_load(struct db *db, struct catalog *c)
{
	struct db_cursor *st = NULL;
	struct db_platform_row pr;
	struct db_benchmark_row br;
	const char *name;
	int64_t id;
	int rc, ret = -1;
	size_t cap;
	int64_t i;

	memset(c, 0, sizeof(*c));
	if (db_hosts_open(db, &st) < 0)
		goto cleanup;
	cap = 0;
	while ((rc = db_hosts_next(st, &id, &name)) == 1) {
		if (c->n_hosts == cap) {
			cap = cap ? 2 * cap : 8;
			c->hosts = xrealloc(c->hosts, cap * sizeof(*c->hosts));
		}
		c->hosts[c->n_hosts].id = id;
		c->hosts[c->n_hosts].name = col_str(name);
		c->n_hosts++;
	}
	if (rc < 0)
		goto cleanup;
	db_cursor_close(st);
	st = NULL;

	if (db_platforms_open(db, &st) < 0)
		goto cleanup;
	cap = 0;
	while ((rc = db_platforms_next(st, &pr)) == 1) {
		struct plat *p;
		if (c->n_plats == cap) {
			cap = cap ? 2 * cap : 16;
			c->plats = xrealloc(c->plats, cap * sizeof(*c->plats));
		}
		p = &c->plats[c->n_plats++];
		p->id = pr.id;
		p->host_id = pr.host_id;
		p->name = col_str(pr.name);
		p->kind = col_str(pr.kind);
		p->selected = 0;
		if (p->id > c->max_plat_id)
			c->max_plat_id = p->id;
	}
	if (rc < 0)
		goto cleanup;
	db_cursor_close(st);
	st = NULL;

	if (db_benchmarks_open(db, &st) < 0)
		goto cleanup;
	cap = 0;
	while ((rc = db_benchmarks_next(st, &br)) == 1) {
		struct bench *b;
		if (c->n_benches == cap) {
			cap = cap ? 2 * cap : 16;
			c->benches = xrealloc(c->benches, cap * sizeof(*c->benches));
		}
		b = &c->benches[c->n_benches++];
		b->id = br.id;
		b->name = col_str(br.name);
		b->unit = col_str(br.unit);
		b->dir = br.direction && strcmp(br.direction, "lower") == 0 ?
			ANALYZE_LOWER : ANALYZE_HIGHER;
		if (b->id > c->max_bench_id)
			c->max_bench_id = b->id;
	}
	if (rc < 0)
		goto cleanup;
	db_cursor_close(st);
	st = NULL;

	/* Row ids of these small tables are dense in practice; a direct
	 * index keeps the per-sample lookup at one load. */
	c->plat_ix = xmalloc((size_t)(c->max_plat_id + 1) * sizeof(int64_t));
	for (i = 0; i <= c->max_plat_id; i++)
		c->plat_ix[i] = -1;
	for (i = 0; i < (int64_t)c->n_plats; i++)
		c->plat_ix[c->plats[i].id] = i;
	c->bench_ix = xmalloc((size_t)(c->max_bench_id + 1) * sizeof(int64_t));
	for (i = 0; i <= c->max_bench_id; i++)
		c->bench_ix[i] = -1;
	for (i = 0; i < (int64_t)c->n_benches; i++)
		c->bench_ix[c->benches[i].id] = i;

	/* Repetition order across runs: runs by start time, then id. */
	if (db_run_order(db, &c->run_ord, &c->max_run_id) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	db_cursor_close(st);
	if (ret < 0)
		catalog_clear(c);
	return ret;
}

static int raw_cmp(const void *a, const void *b)
{
	const struct raw *x = a, *y = b;
	if (x->run_ord != y->run_ord)
		return x->run_ord < y->run_ord ? -1 : 1;
	return (x->rep > y->rep) - (x->rep < y->rep);
}

/* A value with the index of its repetition, for one sort by value. */
struct vi {
	double v;
	uint32_t i;
};

static int vi_cmp(const void *a, const void *b)
{
	const struct vi *x = a, *y = b;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Sorts like qsort with vi_cmp (by value, ties by index), by radix: the
 * bits of a double, sign-adjusted, order like the double, and a stable
 * LSD radix sort of pairs that start in index order keeps ties in index
 * order. Bytes that are the same in every key (most of the high ones for
 * one benchmark's values) are skipped. About 20x faster than qsort on
 * 20,000 values, which made this sort a fifth of analyze's time. */
static void vi_sort(struct vi *a, size_t n)
{
	uint64_t *key, *tk;
	struct vi *tmp;
	size_t cnt[256];

	if (n < 64) {
		qsort(a, n, sizeof(*a), vi_cmp);
		return;
	}
	key = xmalloc(n * sizeof(*key));
	tk = xmalloc(n * sizeof(*tk));
	tmp = xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++) {
		double v = a[i].v == 0 ? 0.0 : a[i].v; /* -0 sorts as 0 */
		uint64_t u;

		memcpy(&u, &v, sizeof(u));
		key[i] = u >> 63 ? ~u : u | (1ULL << 63);
	}
	for (int shift = 0; shift < 64; shift += 8) {
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[(key[i] >> shift) & 0xff]++;
		if (cnt[(key[0] >> shift) & 0xff] == n)
			continue;
		for (int b = 0; b < 256; b++) {
			size_t c = cnt[b];

			cnt[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t d = cnt[(key[i] >> shift) & 0xff]++;

			tmp[d] = a[i];
			tk[d] = key[i];
		}
		memcpy(a, tmp, n * sizeof(*a));
		memcpy(key, tk, n * sizeof(*key));
	}
	free(key);
	free(tk);
	free(tmp);
}

static void warn_add(struct sb *w, const char *fmt, ...) VB_PRINTF(2, 3);
static void warn_add(struct sb *w, const char *fmt, ...)
{
	va_list ap;

	if (w->len)
		sb_adds(w, "; ");
	va_start(ap, fmt);
	sb_vaddf(w, fmt, ap);
	va_end(ap);
}

/*
 * Computes a group's statistics from its scanned samples. Leaves in
 * a->sorted the values the statistics used (outliers removed when asked),
 * sorted, for the comparisons.
 */
static void group_compute(struct analyze_group *g, struct acc *a,
			  int exclude_outliers, struct sb *w)
{
	struct analyze_fences f;
	struct analyze_moments m;
	struct vi *vi = NULL;
	double *used, *ranks;
	size_t i, k, n = a->n;

	g->n_warmup_excluded = a->n_warmup;
	g->n_failed = a->n_failed;
	g->n_disturbed = a->n_disturbed;
	g->n_disturbed_excluded = a->n_disturbed_excluded;
	g->n_disturbance_measured = a->n_measured;
	g->host_other_cpu_mean = a->n_measured ?
		a->sum_other / (double)a->n_measured : NAN;
	g->host_other_cpu_max = a->n_measured ? a->max_other : NAN;
	analyze_instances(NULL, NULL, 0, &g->inst);
	g->unit_mean = g->unit_var = NAN;
	g->unit_n = 0;
	g->mean = g->median = g->variance = g->stddev = g->cov = NAN;
	g->min = g->max = g->ci95_lo = g->ci95_hi = NAN;
	g->median_ci_lo = g->median_ci_hi = NAN;
	analyze_trend_ranked(NULL, 0, &g->drift);

	/* repetition order; the scan is usually in that order already */
	for (i = 1; i < n; i++)
		if (raw_cmp(&a->r[i - 1], &a->r[i]) > 0)
			break;
	if (i < n)
		qsort(a->r, n, sizeof(*a->r), raw_cmp);
	g->n_values = n;
	g->values = xmalloc((n ? n : 1) * sizeof(double));
	g->repetitions = xmalloc((n ? n : 1) * sizeof(int));
	g->outlier = xcalloc(n ? n : 1, 1);
	g->instances = xmalloc((n ? n : 1) * sizeof(int));
	for (i = 0; i < n; i++) {
		g->values[i] = a->r[i].v;
		g->repetitions[i] = a->r[i].rep;
		g->instances[i] = a->r[i].inst;
		if (a->r[i].inst)
			g->instances_known = 1;
	}
	free(a->r);
	a->r = NULL;

	if (a->n_disturbed) {
		/* The report relates the noise to what it saw (issue 14). */
		g->warnings |= ANALYZE_WARN_DISTURBED;
		warn_add(w, "host busy during %zu of %zu samples (other "
			 "processes used %.2f cores on average, %.2f at most)%s",
			 a->n_disturbed, a->n_measured,
			 a->sum_other / (double)a->n_measured, a->max_other,
			 a->n_disturbed_excluded ? ", those excluded" : "");
	}
	if (n == 0) {
		g->warnings |= ANALYZE_WARN_ALL_FAILED;
		if (a->n_failed)
			warn_add(w, "all %zu samples failed", a->n_failed);
		else if (a->n_disturbed_excluded)
			warn_add(w, "every ok sample was disturbed (see "
				 "analyze without --exclude-disturbed)");
		else
			warn_add(w, "no measured samples");
		a->sorted = xmalloc(sizeof(double));
		a->n_sorted = 0;
		return;
	}
	if (a->n_failed) {
		g->warnings |= ANALYZE_WARN_SOME_FAILED;
		warn_add(w, "%zu of %zu samples failed", a->n_failed,
			 a->n_failed + n);
	}

	/* one sort by value serves quartiles, median, its CI and ranks */
	vi = xmalloc(n * sizeof(*vi));
	for (i = 0; i < n; i++)
		vi[i] = (struct vi){ g->values[i], (uint32_t)i };
	vi_sort(vi, n);
	used = xmalloc(n * sizeof(double));
	for (i = 0; i < n; i++)
		used[i] = vi[i].v;
	analyze_tukey_fences(used, n, &f);
	for (i = 0; i < n; i++) {
		int c = analyze_outlier_class(&f, g->values[i]);
		g->outlier[i] = (unsigned char)c;
		if (c == 1)
			g->outliers_mild++;
		else if (c == 2)
			g->outliers_severe++;
	}
	if (exclude_outliers && g->outliers_mild + g->outliers_severe) {
		/* keep the value order of vi for the survivors */
		for (i = k = 0; i < n; i++)
			if (!g->outlier[vi[i].i])
				vi[k++] = vi[i];
		g->n_outliers_excluded = n - k;
		n = k;
		for (i = 0; i < n; i++)
			used[i] = vi[i].v;
	}
	g->n = n;

	/* moments over the sorted values: summing in ascending order only
	 * changes the last bits, and the corrected two-pass variance does not
	 * care about order */
	analyze_moments(used, n, &m);
	g->mean = m.mean;
	g->variance = m.variance;
	g->stddev = m.stddev;
	g->cov = m.cov;
	g->min = m.min;
	g->max = m.max;
	g->median = analyze_median_sorted(used, n);
	analyze_t_ci(m.mean, m.stddev, n, 0.95, &g->ci95_lo, &g->ci95_hi);
	g->unit_mean = m.mean;
	g->unit_var = m.variance;
	g->unit_n = n;
	/* Instances of the values used: with two or more, the instance means
	 * are the units of every interval (Kalibera & Jones 2013), Student t
	 * on k - 1 df. */
	if (!g->instances_known) {
		/* nothing recorded (imports): one instance, without the
		 * grouping pass over a million values */
		analyze_instances(used, NULL, n ? 1 : 0, &g->inst);
		if (n) {
			g->inst.n[0] = n;
			g->inst.means[0] = m.mean;
			g->inst.mean_of_means = m.mean;
		}
	} else {
		double *uv = xmalloc(n * sizeof(double));
		int *ui = xmalloc(n * sizeof(int));

		for (i = 0; i < n; i++) {
			uv[i] = vi[i].v;
			ui[i] = g->instances[vi[i].i];
		}
		analyze_instances(uv, ui, n, &g->inst);
		free(uv);
		free(ui);
		if (g->inst.k >= 2) {
			g->unit_mean = g->inst.mean_of_means;
			g->unit_var = g->inst.var_of_means;
			g->unit_n = g->inst.k;
			analyze_t_ci(g->unit_mean, sqrt(g->unit_var), g->unit_n,
				     0.95, &g->ci95_lo, &g->ci95_hi);
		}
	}
	analyze_median_ci_sorted(used, n, 0.95, &g->median_ci_lo,
				 &g->median_ci_hi);

	/* drift: Spearman ranks of the used values in repetition order */
	if (n >= ANALYZE_DRIFT_MIN_N) {
		size_t j;
		double *rk_by_rep;
		ranks = xmalloc(n * sizeof(double));
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && vi[j].v == vi[i].v; j++)
				;
			for (k = i; k < j; k++)
				ranks[k] = ((double)(i + 1) + (double)j) / 2;
		}
		/* vi[].i are repetition indices among all values; compact
		 * them to 0..n-1 in repetition order */
		rk_by_rep = xmalloc(g->n_values * sizeof(double));
		for (i = 0; i < g->n_values; i++)
			rk_by_rep[i] = NAN;
		for (i = 0; i < n; i++)
			rk_by_rep[vi[i].i] = ranks[i];
		for (i = k = 0; i < g->n_values; i++)
			if (!isnan(rk_by_rep[i]))
				ranks[k++] = rk_by_rep[i];
		analyze_trend_ranked(ranks, n, &g->drift);
		free(rk_by_rep);
		free(ranks);
	}
	free(vi);
	a->sorted = used;
	a->n_sorted = n;

	if (n < ANALYZE_FEW_SAMPLES) {
		g->warnings |= ANALYZE_WARN_FEW_SAMPLES;
		warn_add(w, "only %zu sample%s (fewer than %d)", n,
			 n == 1 ? "" : "s", ANALYZE_FEW_SAMPLES);
	}
	if (n >= 2 && m.variance == 0) {
		g->warnings |= ANALYZE_WARN_ZERO_VAR;
		warn_add(w, "all values identical");
	}
	if (isfinite(m.cov) && m.cov > ANALYZE_HIGH_COV) {
		g->warnings |= ANALYZE_WARN_HIGH_COV;
		/* Two decimals where one would print the threshold itself
		 * ("CoV 5.0% above 5%"). */
		warn_add(w, "CoV %.*f%% above %.0f%%",
			 100 * (m.cov - ANALYZE_HIGH_COV) < 0.05 ? 2 : 1,
			 100 * m.cov, 100 * ANALYZE_HIGH_COV);
	}
	if (g->drift.significant) {
		g->warnings |= ANALYZE_WARN_DRIFT;
		warn_add(w, "drift across repetitions (Spearman rho=%.2f, "
			 "p=%.2g)", g->drift.rho, g->drift.p);
	}
	if (g->outliers_mild + g->outliers_severe) {
		g->warnings |= ANALYZE_WARN_OUTLIERS;
		warn_add(w, "%zu outlier%s (%zu mild, %zu severe)%s",
			 g->outliers_mild + g->outliers_severe,
			 g->outliers_mild + g->outliers_severe == 1 ? "" : "s",
			 g->outliers_mild, g->outliers_severe,
			 exclude_outliers ? ", excluded" : "");
	}
}

/* No verdict yet: inconclusive, intervals and inputs not available. */
static void vs_verdict_init(struct analyze_vs *vs)
{
	vs->sim95_lo = vs->sim95_hi = vs->sim90_lo = vs->sim90_hi = NAN;
	vs->verdict = ANALYZE_INCONCLUSIVE;
	vs->margin = ANALYZE_DEFAULT_MARGIN;
	vs->reps_needed = -1;
	vs->decided_by = NULL;
	vs->in_mx = vs->in_vx = vs->in_my = vs->in_vy = NAN;
	vs->in_nx = vs->in_ny = 0;
}

/*
 * Compares sample x (the platform, or host B) with y (the baseline, or host
 * A): Welch x minus y, Mann-Whitney x against y, and the ratio. For a
 * lower-is-better benchmark the direction-aware ratio is mean y / mean x,
 * so Fieller is applied to (y, x). Inputs are sorted ascending.
 */
static void compare_samples(struct analyze_vs *vs, const double *xs,
			    size_t nx, const double *ys, size_t ny,
			    int invert, const struct analyze_group *gx,
			    const struct analyze_group *gy)
{
	struct analyze_moments mx, my;
	struct analyze_fieller f;

	vs->present = 1;
	vs->speedup = vs->ci_lo = vs->ci_hi = vs->p_holm = NAN;
	vs->ci_bounded = 0;
	vs->significant = 0;
	vs->reason = NULL;
	vs_verdict_init(vs);
	analyze_moments(xs, nx, &mx);
	analyze_moments(ys, ny, &my);
	analyze_welch_summary(mx.mean, mx.variance, nx, my.mean, my.variance,
			      ny, &vs->welch);
	analyze_mann_whitney_sorted(xs, nx, ys, ny, &vs->mw);
	/* Fieller on the groups' units: the values, or the instance means
	 * of a group with two or more instances. */
	if (!invert) {
		vs->in_mx = gx->unit_mean, vs->in_vx = gx->unit_var;
		vs->in_nx = gx->unit_n;
		vs->in_my = gy->unit_mean, vs->in_vy = gy->unit_var;
		vs->in_ny = gy->unit_n;
	} else {
		vs->in_mx = gy->unit_mean, vs->in_vx = gy->unit_var;
		vs->in_nx = gy->unit_n;
		vs->in_my = gx->unit_mean, vs->in_vy = gx->unit_var;
		vs->in_ny = gx->unit_n;
	}
	analyze_fieller_summary(vs->in_mx, vs->in_vx, vs->in_nx, vs->in_my,
				vs->in_vy, vs->in_ny, 0.95, &f);
	vs->speedup = f.ratio;
	vs->ci_lo = f.lo;
	vs->ci_hi = f.hi;
	vs->ci_bounded = f.bounded;
	if (!f.bounded)
		vs->reason = f.reason;
}

static void vs_missing(struct analyze_vs *vs, const char *reason)
{
	memset(vs, 0, sizeof(*vs));
	vs->present = 1;
	vs->speedup = vs->ci_lo = vs->ci_hi = vs->p_holm = NAN;
	vs->welch.t = vs->welch.df = vs->welch.p = NAN;
	vs->welch.reason = reason;
	vs->mw.u = vs->mw.p = NAN;
	vs->mw.reason = reason;
	vs->reason = reason;
	vs_verdict_init(vs);
}

/*
 * The verdicts of a family of m comparisons (DESIGN.md "Verdicts"): each
 * gets its Bonferroni-simultaneous Fieller intervals at 1 - 0.05/m and
 * 1 - 0.10/m, the verdict those decide and, while inconclusive, the
 * repetitions per side that would decide it. A comparison without inputs
 * (no data on a side) stays inconclusive with nothing to estimate.
 */
static size_t verdict_apply(struct analyze_vs **vs, size_t n, double margin)
{
	size_t i, m = 0;

	/* The family: comparisons with an interval to compute (two or more
	 * samples on each side). One without cannot reach any verdict, so it
	 * spends none of the error rate. */
	for (i = 0; i < n; i++)
		if (vs[i]->in_nx >= 2 && vs[i]->in_ny >= 2)
			m++;
	for (i = 0; i < n; i++) {
		struct analyze_vs *v = vs[i];
		struct analyze_fieller f90, f95;
		enum analyze_verdict vd;

		v->margin = margin;
		if (v->in_nx == 0 || v->in_ny == 0)
			continue;
		analyze_verdict_summary(v->in_mx, v->in_vx, v->in_nx, v->in_my,
					v->in_vy, v->in_ny, m, margin, &f90,
					&f95, &vd);
		v->sim90_lo = f90.lo;
		v->sim90_hi = f90.hi;
		v->sim95_lo = f95.lo;
		v->sim95_hi = f95.hi;
		if (v->faster_below && vd == ANALYZE_FASTER)
			vd = ANALYZE_SLOWER;
		else if (v->faster_below && vd == ANALYZE_SLOWER)
			vd = ANALYZE_FASTER;
		v->verdict = vd;
		v->decided_by = vd == ANALYZE_EQUIVALENT ? "ci90_simultaneous" :
			vd == ANALYZE_INCONCLUSIVE ? NULL : "ci95_simultaneous";
		v->reps_needed = vd != ANALYZE_INCONCLUSIVE ? -1 :
			analyze_reps_needed(v->in_mx, v->in_vx, v->in_nx,
					    v->in_my, v->in_vy, v->in_ny, m,
					    margin);
	}
	return m;
}

static void holm_apply(struct analyze_vs **vs, size_t m, size_t *n_cmp)
{
	double *p = xmalloc((m ? m : 1) * sizeof(double));
	size_t i;

	*n_cmp = 0;
	for (i = 0; i < m; i++) {
		p[i] = vs[i]->welch.p;
		if (isfinite(p[i]))
			(*n_cmp)++;
	}
	analyze_holm(p, m, p);
	for (i = 0; i < m; i++) {
		vs[i]->p_holm = p[i];
		vs[i]->significant = isfinite(p[i]) && p[i] < 0.05;
	}
	free(p);
}

/* Scans the samples of the selected platforms into per-group accumulators.
 * *accs is indexed [platform index * n_benches + bench index]. */
static int scan_samples(struct db *db, const struct catalog *c,
			int64_t run_id, int exclude_disturbed,
			struct acc **accs_out)
{
	struct db_cursor *st = NULL;
	struct db_sample_row row;
	struct acc *accs;
	size_t nb = c->n_benches;
	int rc, ret = -1;

	accs = xcalloc(c->n_plats * nb + 1, sizeof(*accs));
	if (db_samples_open(db, run_id, &st) < 0)
		goto cleanup;
	while ((rc = db_samples_next(st, &row)) == 1) {
		int64_t pid = row.platform_id;
		int64_t bid = row.benchmark_id;
		int64_t rid = row.run_id;
		int rep = row.repetition;
		const char *status;
		int64_t pi, bi;
		struct acc *a;

		if (pid < 0 || pid > c->max_plat_id || bid < 0 ||
		    bid > c->max_bench_id)
			continue;
		pi = c->plat_ix[pid];
		bi = c->bench_ix[bid];
		if (pi < 0 || bi < 0 || !c->plats[pi].selected)
			continue;
		a = &accs[(size_t)pi * nb + (size_t)bi];
		a->platform_id = pid;
		a->benchmark_id = bid;
		status = row.status;
		if (!status || rep == 0 || status[0] == 'w') {
			a->n_warmup++;
			continue;
		}
		if (status[0] != 'o' || !row.has_value) {
			a->n_failed++;
			continue;
		}
		if (a->n == a->cap) {
			a->cap = a->cap ? 2 * a->cap : 64;
			a->r = xrealloc(a->r, a->cap * sizeof(*a->r));
		}
		a->r[a->n].run_ord = rid >= 0 && rid <= c->max_run_id ?
			c->run_ord[rid] : UINT32_MAX;
		a->r[a->n].rep = rep;
		a->r[a->n].v = row.value;
		a->r[a->n].inst = row.instance;
		if (!isfinite(a->r[a->n].v)) {
			a->n_failed++;
			continue;
		}
		if (row.has_disturbance) {
			double other = row.host_other_cpu;

			a->n_measured++;
			a->sum_other += other;
			if (a->n_measured == 1 || other > a->max_other)
				a->max_other = other;
			if (row.disturbed) {
				a->n_disturbed++;
				if (exclude_disturbed) {
					a->n_disturbed_excluded++;
					continue;
				}
			}
		}
		a->n++;
	}
	if (rc < 0)
		goto cleanup;
	ret = 0;
cleanup:
	db_cursor_close(st);
	if (ret < 0) {
		size_t i;
		for (i = 0; i < c->n_plats * nb; i++)
			free(accs[i].r);
		free(accs);
		accs = NULL;
	}
	*accs_out = accs;
	return ret;
}

/* Order: host name, benchmark in suite order (row id, i.e. the order
 * benchmarks were first recorded: cpu, mem, diskRand, ... for the classic
 * suite), baseline first, then platforms in the order first recorded. */
static int group_cmp(const void *a, const void *b)
{
	const struct analyze_group *x = a, *y = b;
	int c = strcmp(x->host, y->host);
	if (c)
		return c;
	if (x->benchmark_id != y->benchmark_id)
		return x->benchmark_id < y->benchmark_id ? -1 : 1;
	if (x->is_baseline != y->is_baseline)
		return y->is_baseline - x->is_baseline;
	return (x->platform_id > y->platform_id) -
	       (x->platform_id < y->platform_id);
}

/* The group of the same host and benchmark on the baseline platform. */
static struct analyze_group *find_baseline(struct analyze_set *s,
					   const struct analyze_group *g)
{
	size_t i;

	for (i = 0; i < s->n_groups; i++) {
		struct analyze_group *b = &s->groups[i];
		if (b->is_baseline && !strcmp(b->host, g->host) &&
		    !strcmp(b->benchmark, g->benchmark))
			return b;
	}
	return NULL;
}

/* with_baseline = 0 (compare): no platform is a baseline, no vs_baseline. */
static int load_set(struct db *db, const struct analyze_opts *opts,
		    int with_baseline, struct analyze_set **out)
{
	static const struct analyze_opts none;
	struct catalog c;
	struct acc *accs = NULL;
	struct analyze_set *s = NULL;
	struct analyze_vs **vsv = NULL;
	double **sorted = NULL;
	size_t *nsorted = NULL;
	struct sb *warn = NULL;
	int64_t run_id = 0;
	const char *baseline;
	size_t i, j, ng = 0, nvs = 0, nb;
	int ret = -1;

	*out = NULL;
	if (!opts)
		opts = &none;
	baseline = opts->baseline ? opts->baseline : "native";
	if (catalog_load(db, &c) < 0)
		return -1;
	if (opts->run && db_run_find(db, opts->run, &run_id) < 0)
		goto cleanup;
	if (opts->host) {
		for (i = 0; i < c.n_hosts; i++)
			if (!strcmp(c.hosts[i].name, opts->host))
				break;
		if (i == c.n_hosts) {
			vb_error("%s: no host named '%s'", db_path(db),
				 opts->host);
			goto cleanup;
		}
	}
	for (i = 0; i < c.n_plats; i++) {
		struct plat *p = &c.plats[i];
		p->selected = 1;
		if (opts->host && strcmp(host_name(&c, p->host_id), opts->host))
			p->selected = 0;
		if (opts->platform && strcmp(p->name, opts->platform) &&
		    (!with_baseline || strcmp(p->name, baseline)))
			p->selected = 0;
	}
	if (scan_samples(db, &c, run_id, opts->exclude_disturbed, &accs) < 0)
		goto cleanup;

	nb = c.n_benches;
	s = xcalloc(1, sizeof(*s));
	s->baseline = xstrdup(baseline);
	for (i = 0; i < c.n_plats * nb; i++)
		if (accs[i].n || accs[i].n_failed || accs[i].n_warmup)
			ng++;
	s->groups = xcalloc(ng ? ng : 1, sizeof(*s->groups));
	sorted = xcalloc(ng ? ng : 1, sizeof(*sorted));
	nsorted = xcalloc(ng ? ng : 1, sizeof(*nsorted));
	warn = xcalloc(ng ? ng : 1, sizeof(*warn));
	for (i = j = 0; i < c.n_plats * nb; i++) {
		struct acc *a = &accs[i];
		struct analyze_group *g;
		const struct plat *p;
		const struct bench *b;
		if (!(a->n || a->n_failed || a->n_warmup))
			continue;
		p = &c.plats[i / nb];
		b = &c.benches[i % nb];
		g = &s->groups[j];
		g->host = xstrdup(host_name(&c, p->host_id));
		g->platform = xstrdup(p->name);
		g->kind = xstrdup(p->kind);
		g->benchmark = xstrdup(b->name);
		g->unit = xstrdup(b->unit);
		g->direction = b->dir;
		g->platform_id = p->id;
		g->benchmark_id = b->id;
		g->is_baseline = with_baseline && !strcmp(p->name, baseline);
		sb_init(&warn[j]);
		group_compute(g, a, opts->exclude_outliers, &warn[j]);
		sorted[j] = a->sorted;
		nsorted[j] = a->n_sorted;
		a->sorted = NULL;
		j++;
	}
	s->n_groups = ng;

	/* comparisons with the baseline, before sorting (sorted[] is
	 * indexed like groups[] until then) */
	vsv = xcalloc(ng ? ng : 1, sizeof(*vsv));
	for (i = 0; i < ng; i++) {
		struct analyze_group *g = &s->groups[i], *bg;
		size_t bi;
		if (g->is_baseline || !with_baseline)
			continue;
		bg = find_baseline(s, g);
		if (!bg) {
			g->warnings |= ANALYZE_WARN_NO_BASELINE;
			warn_add(&warn[i], "benchmark missing on baseline %s",
				 baseline);
			vs_missing(&g->vs_baseline, "no baseline data");
		} else if (bg->n == 0) {
			vs_missing(&g->vs_baseline, "baseline has no ok samples");
			g->warnings |= ANALYZE_WARN_NO_BASELINE;
			warn_add(&warn[i], "baseline %s has no ok samples",
				 baseline);
		} else if (g->n == 0) {
			vs_missing(&g->vs_baseline, "no ok samples");
		} else {
			bi = (size_t)(bg - s->groups);
			compare_samples(&g->vs_baseline, sorted[i], nsorted[i],
					sorted[bi], nsorted[bi],
					g->direction == ANALYZE_LOWER, g, bg);
			if (g->vs_baseline.ci_bounded &&
			    g->vs_baseline.ci_lo < 0) {
				/* Fieller's set is an interval, but one that
				 * admits a negative ratio: the numerator mean
				 * is not significantly above zero. */
				warn_add(&warn[i], "speedup CI reaches below "
					 "zero: the %s mean is not significantly "
					 "above zero",
					 g->direction == ANALYZE_LOWER ?
					 baseline : g->platform);
			}
			if (!g->vs_baseline.ci_bounded &&
			    g->vs_baseline.reason &&
			    !strcmp(g->vs_baseline.reason, "unbounded")) {
				g->warnings |= ANALYZE_WARN_UNBOUNDED;
				warn_add(&warn[i], "speedup CI unbounded: the "
					 "%s mean is not significantly "
					 "different from zero",
					 g->direction == ANALYZE_LOWER ?
					 g->platform : baseline);
			}
		}
		vsv[nvs++] = &g->vs_baseline;
	}
	/* Sibling comparisons, in the same family. */
	if (with_baseline) {
		if (analyze_variants_build(db, s, sorted, nsorted, run_id,
					   compare_samples) < 0)
			goto cleanup;
		vsv = xrealloc(vsv, (nvs + s->n_variants + 1) * sizeof(*vsv));
		for (i = 0; i < s->n_variants; i++)
			vsv[nvs++] = &s->variants[i].vs;
	}
	holm_apply(vsv, nvs, &s->n_comparisons);
	s->margin = opts->margin > 0 ? opts->margin : ANALYZE_DEFAULT_MARGIN;
	s->family_size = verdict_apply(vsv, nvs, s->margin);
	for (i = 0; i < ng; i++)
		s->groups[i].warnings_text = warn[i].len ?
			sb_detach(&warn[i]) : NULL;
	if (analyze_nested_mark(db, s, run_id) < 0)
		goto cleanup;
	qsort(s->groups, ng, sizeof(*s->groups), group_cmp);
	ret = 0;
cleanup:
	if (accs) {
		for (i = 0; i < c.n_plats * c.n_benches; i++) {
			free(accs[i].r);
			free(accs[i].sorted);
		}
		free(accs);
	}
	if (sorted)
		for (i = 0; i < ng; i++)
			free(sorted[i]);
	if (warn)
		for (i = 0; i < ng; i++)
			sb_release(&warn[i]);
	free(warn);
	free(sorted);
	free(nsorted);
	free(vsv);
	catalog_clear(&c);
	if (ret < 0)
		analyze_set_free(s);
	else
		*out = s;
	return ret;
}

int analyze_load(struct db *db, const struct analyze_opts *opts,
		 struct analyze_set **out)
{
	return load_set(db, opts, 1, out);
}

static void group_clear(struct analyze_group *g)
{
	free(g->host);
	free(g->platform);
	free(g->kind);
	free(g->benchmark);
	free(g->unit);
	free(g->warnings_text);
	free(g->nested_hypervisor);
	free(g->nested_vendor);
	free(g->values);
	free(g->repetitions);
	free(g->outlier);
	free(g->instances);
	analyze_instances_clear(&g->inst);
}

void analyze_set_free(struct analyze_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_groups; i++)
		group_clear(&s->groups[i]);
	free(s->groups);
	analyze_variants_free(s);
	free(s->baseline);
	free(s);
}

/* ---- compare two hosts ---- */

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Values a group's statistics used, sorted (outliers removed if asked). */
static double *group_used_sorted(const struct analyze_group *g, int excl)
{
	double *v = xmalloc((g->n_values ? g->n_values : 1) * sizeof(double));
	size_t i, k = 0;

	for (i = 0; i < g->n_values; i++)
		if (!excl || !g->outlier[i])
			v[k++] = g->values[i];
	qsort(v, k, sizeof(double), dbl_cmp);
	return v;
}

/* A group of one host has a counterpart on the other (same platform and
 * benchmark name)? */
static const struct analyze_group *cmp_match(const struct analyze_set *other,
					     const struct analyze_group *g)
{
	size_t i;

	for (i = 0; i < other->n_groups; i++)
		if (!strcmp(other->groups[i].platform, g->platform) &&
		    !strcmp(other->groups[i].benchmark, g->benchmark))
			return &other->groups[i];
	return NULL;
}

static int only_cmp(const void *a, const void *b)
{
	const struct analyze_group *x = *(const struct analyze_group *const *)a;
	const struct analyze_group *y = *(const struct analyze_group *const *)b;

	if (x->platform_id != y->platform_id)
		return (x->platform_id > y->platform_id) -
		       (x->platform_id < y->platform_id);
	return (x->benchmark_id > y->benchmark_id) -
	       (x->benchmark_id < y->benchmark_id);
}

/* The groups of set that have no counterpart in other, platform-major
 * (a host missing a whole platform then reads as one run of names). */
static struct analyze_cmp_only *cmp_one_sided(const struct analyze_set *set,
					      const struct analyze_set *other,
					      size_t *n)
{
	const struct analyze_group **g;
	struct analyze_cmp_only *out;
	size_t i, k = 0;

	g = xcalloc(set->n_groups + 1, sizeof(*g));
	for (i = 0; i < set->n_groups; i++)
		if (!cmp_match(other, &set->groups[i]))
			g[k++] = &set->groups[i];
	qsort(g, k, sizeof(*g), only_cmp);
	out = xcalloc(k + 1, sizeof(*out));
	for (i = 0; i < k; i++) {
		out[i].platform = xstrdup(g[i]->platform);
		out[i].benchmark = xstrdup(g[i]->benchmark);
		out[i].unit = xstrdup(g[i]->unit);
		out[i].n = g[i]->n;
		out[i].mean = g[i]->mean;
	}
	free(g);
	*n = k;
	return out;
}

/* B's selection relative to A's (oa, ob: the options with a host or a
 * run each), labelled la and lb. */
static int compare_selections(struct db *db, const struct analyze_opts *oa,
			      const struct analyze_opts *ob, const char *la,
			      const char *lb, struct analyze_cmp_set **out)
{
	struct analyze_opts o = *oa;
	struct analyze_set *a = NULL, *b = NULL;
	struct analyze_cmp_set *s = NULL;
	struct analyze_vs **vsv = NULL;
	size_t i;
	int ret = -1;

	*out = NULL;
	if (load_set(db, oa, 0, &a) < 0)
		goto cleanup;
	if (load_set(db, ob, 0, &b) < 0)
		goto cleanup;
	s = xcalloc(1, sizeof(*s));
	s->host_a = xstrdup(la);
	s->host_b = xstrdup(lb);
	s->items = xcalloc(a->n_groups + 1, sizeof(*s->items));
	for (i = 0; i < a->n_groups; i++) {
		const struct analyze_group *ga = &a->groups[i];
		const struct analyze_group *gb = cmp_match(b, ga);
		struct analyze_cmp *it;

		if (!gb)
			continue;
		it = &s->items[s->n++];
		it->platform = xstrdup(ga->platform);
		it->benchmark = xstrdup(ga->benchmark);
		it->unit = xstrdup(ga->unit);
		it->direction = ga->direction;
		it->n_a = ga->n;
		it->n_b = gb->n;
		it->mean_a = ga->mean;
		it->mean_b = gb->mean;
		if (ga->n == 0 || gb->n == 0) {
			vs_missing(&it->vs, ga->n ? "no ok samples on B"
				   : "no ok samples on A");
		} else {
			double *xa = group_used_sorted(ga, o.exclude_outliers);
			double *xb = group_used_sorted(gb, o.exclude_outliers);
			/* ratio = mean_b / mean_a whatever the direction, as
			 * DESIGN.md defines it */
			compare_samples(&it->vs, xb, gb->n, xa, ga->n, 0, gb, ga);
			it->vs.faster_below = it->direction == ANALYZE_LOWER;
			free(xa);
			free(xb);
		}
	}
	/* Pairs on one host only: not compared, but never silently lost. */
	s->only_a = cmp_one_sided(a, b, &s->n_only_a);
	s->only_b = cmp_one_sided(b, a, &s->n_only_b);
	vsv = xcalloc(s->n + 1, sizeof(*vsv));
	for (i = 0; i < s->n; i++)
		vsv[i] = &s->items[i].vs;
	holm_apply(vsv, s->n, &s->n_comparisons);
	s->margin = o.margin > 0 ? o.margin : ANALYZE_DEFAULT_MARGIN;
	s->family_size = verdict_apply(vsv, s->n, s->margin);
	ret = 0;
cleanup:
	free(vsv);
	analyze_set_free(a);
	analyze_set_free(b);
	if (ret < 0)
		analyze_cmp_set_free(s);
	else
		*out = s;
	return ret;
}

int analyze_compare_hosts(struct db *db, const char *host_a,
			  const char *host_b, const struct analyze_opts *opts,
			  struct analyze_cmp_set **out)
{
	struct analyze_opts oa = { 0 }, ob;

	if (opts)
		oa = *opts;
	ob = oa;
	oa.host = host_a;
	ob.host = host_b;
	return compare_selections(db, &oa, &ob, host_a, host_b, out);
}

int analyze_compare_runs(struct db *db, const char *run_a, const char *run_b,
			 const struct analyze_opts *opts,
			 struct analyze_cmp_set **out)
{
	struct analyze_opts oa = { 0 }, ob;

	if (opts)
		oa = *opts;
	oa.host = NULL;
	ob = oa;
	oa.run = run_a;
	ob.run = run_b;
	return compare_selections(db, &oa, &ob, run_a, run_b, out);
}

static void cmp_only_free(struct analyze_cmp_only *o, size_t n)
{
	size_t i;

	for (i = 0; o && i < n; i++) {
		free(o[i].platform);
		free(o[i].benchmark);
		free(o[i].unit);
	}
	free(o);
}

void analyze_cmp_set_free(struct analyze_cmp_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->items[i].platform);
		free(s->items[i].benchmark);
		free(s->items[i].unit);
	}
	free(s->items);
	cmp_only_free(s->only_a, s->n_only_a);
	cmp_only_free(s->only_b, s->n_only_b);
	free(s->host_a);
	free(s->host_b);
	free(s);
}
