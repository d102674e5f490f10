/*
 * analyze/analyze.c - from the sample table to analyzed groups: one pass
 * over the samples (grouped in memory by platform and benchmark), then per
 * group the descriptive statistics, outliers, drift and warnings, then per
 * non-baseline group the comparison with its host's baseline, and finally
 * Holm's adjustment over every comparison in the set. Also the two-host
 * comparison behind `virtbench compare`.
 *
 * Workload: up to millions of sample rows. The scan (db_samples_read())
 * appends each series' ok values, already in repetition order, to its
 * group's array, which becomes the group's values: 8 bytes per sample,
 * plus its outlier class (1 byte) once computed. The groups are then
 * computed block by block - a block is one host and benchmark, the groups
 * a comparison can pair - each group sorted once by value (that order
 * serves the median, quartiles, the median CI, the Spearman ranks and the
 * Mann-Whitney merge); a block's sorted copies are freed once its
 * comparisons are done, so they cost 8 bytes per sample of one block, not
 * of the whole set. Peak memory is about 9 bytes per ok sample plus one
 * block's working space.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/nested.h"
#include "analyze/variants.h"
#include "common/util.h"
#include "db/db.h"

/* A group under construction: its ok values, in repetition order. */
struct acc {
	int64_t platform_id, benchmark_id;
	double *v;        /* becomes the group's values */
	int *inst;        /* per value its instance; NULL unless the scan
			   * reads instances */
	size_t n, cap;
	size_t n_warmup, n_failed;
	/* disturbance over the ok measured samples */
	size_t n_disturbed, n_disturbed_excluded, n_measured;
	double sum_other, max_other;
	int instances_known; /* some value has a recorded instance */
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

static int catalog_load_hosts(struct db *db, struct catalog *c)
{
	struct db_cursor *st = NULL;
	const char *name;
	int64_t id;
	size_t cap = 0;
	int rc;

	if (db_hosts_open(db, &st) < 0)
		return -1;
	while ((rc = db_hosts_next(st, &id, &name)) == 1) {
		if (c->n_hosts == cap) {
			cap = cap ? 2 * cap : 8;
			c->hosts = xrealloc(c->hosts, cap * sizeof(*c->hosts));
		}
		c->hosts[c->n_hosts].id = id;
		c->hosts[c->n_hosts].name = col_str(name);
		c->n_hosts++;
	}
	db_cursor_close(st);
	return rc < 0 ? -1 : 0;
}

static int catalog_load_platforms(struct db *db, struct catalog *c)
{
	struct db_cursor *st = NULL;
	struct db_platform_row pr;
	size_t cap = 0;
	int rc;

	if (db_platforms_open(db, &st) < 0)
		return -1;
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
	db_cursor_close(st);
	return rc < 0 ? -1 : 0;
}

static int catalog_load_benchmarks(struct db *db, struct catalog *c)
{
	struct db_cursor *st = NULL;
	struct db_benchmark_row br;
	size_t cap = 0;
	int rc;

	if (db_benchmarks_open(db, &st) < 0)
		return -1;
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
	db_cursor_close(st);
	return rc < 0 ? -1 : 0;
}

/* Loads hosts, platforms and benchmarks. */
static int catalog_load(struct db *db, struct catalog *c)
{
	int64_t i;

	memset(c, 0, sizeof(*c));
	if (catalog_load_hosts(db, c) < 0 || catalog_load_platforms(db, c) < 0 ||
	    catalog_load_benchmarks(db, c) < 0) {
		catalog_clear(c);
		return -1;
	}
	/* Row ids of these small tables are dense in practice; a direct
	 * index keeps the per-series lookup at one load. */
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
	return 0;
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

/* A double's bits, sign-adjusted so that they order like the double (-0
 * as 0), and back. */
static inline uint64_t key_of(double v)
{
	uint64_t u;

	if (v == 0)
		v = 0.0;
	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | (1ULL << 63);
}

static inline double key_value(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~(1ULL << 63) : ~k;
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* Working memory reused from group to group: allocated afresh for each
 * group, it cost a page fault per 4 KB each time (a tenth of analyze). */
struct scratch {
	uint64_t *k0, *k1;  /* sort keys */
	uint32_t *i1;       /* sort indices */
	uint32_t *idx;      /* a group's value order */
	double *rk;         /* its ranks */
	size_t cap;
};

static void scratch_reserve(struct scratch *w, size_t n)
{
	if (n <= w->cap)
		return;
	free(w->k0);
	free(w->k1);
	free(w->i1);
	free(w->idx);
	free(w->rk);
	w->k0 = xmalloc(n * sizeof(*w->k0));
	w->k1 = xmalloc(n * sizeof(*w->k1));
	w->i1 = xmalloc(n * sizeof(*w->i1));
	w->idx = xmalloc(n * sizeof(*w->idx));
	w->rk = xmalloc(n * sizeof(*w->rk));
	w->cap = n;
}

static void scratch_free(struct scratch *w)
{
	free(w->k0);
	free(w->k1);
	free(w->i1);
	free(w->idx);
	free(w->rk);
	memset(w, 0, sizeof(*w));
}

/*
 * Sorts n values (n < 2^32) into sorted[] ascending, with idx[i] the index
 * in v of sorted[i]; ties in index order, as qsort by value then index
 * would give. idx may be NULL (the values alone, half the work); w is
 * working memory (grown to n). An LSD radix sort of the keys (key_of) carrying the index,
 * over the low bits that differ between the keys only (for one
 * benchmark's values the sign, the exponent and the first bits of the
 * mantissa are usually the same in every key): those bits split into
 * equal digits of at most 12 bits (fewer for small n, where the counters
 * would cost more than the values), all counted in one pass; so 48
 * differing bits take four passes. About 30x faster than qsort on 20,000
 * values.
 */
static void sort_values(const double *v, size_t n, double *sorted,
			uint32_t *idx, struct scratch *w)
{
	uint64_t *k0, *k1, diff = 0, first;
	uint32_t *i0 = idx, *i1 = NULL;
	size_t *cnt, nb;
	int negzero = 0, bits, passes, dw, maxw;

	if (n < 64) {
		struct vi a[64];

		for (size_t i = 0; i < n; i++)
			a[i] = (struct vi){ v[i], (uint32_t)i };
		qsort(a, n, sizeof(*a), vi_cmp);
		for (size_t i = 0; i < n; i++) {
			sorted[i] = a[i].v;
			if (idx)
				idx[i] = a[i].i;
		}
		return;
	}
	scratch_reserve(w, n);
	k0 = w->k0;
	k1 = w->k1;
	if (idx)
		i1 = w->i1;
	first = key_of(v[0]);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = key_of(v[i]);

		negzero |= v[i] == 0 && signbit(v[i]);
		k0[i] = k;
		if (idx)
			i0[i] = (uint32_t)i;
		diff |= k ^ first;
	}
	/* without the index, a zero's sign is lost: -0 sorts as +0 */
	negzero &= idx != NULL;
	bits = diff ? 64 - __builtin_clzll(diff) : 0;
	maxw = n >= 16384 ? 12 : n >= 2048 ? 10 : 8;
	passes = (bits + maxw - 1) / maxw;
	dw = passes ? (bits + passes - 1) / passes : 0;
	nb = (size_t)1 << dw;
	cnt = xcalloc((size_t)passes * nb + 1, sizeof(*cnt));
	for (size_t i = 0; i < n && passes; i++)
		for (int d = 0; d < passes; d++)
			cnt[(size_t)d * nb + ((k0[i] >> (d * dw)) & (nb - 1))]++;
	for (int d = 0; d < passes; d++) {
		size_t *c = cnt + (size_t)d * nb, sum = 0;
		int shift = d * dw;

		for (size_t b = 0; b < nb; b++) {
			size_t t = c[b];

			c[b] = sum;
			sum += t;
		}
		if (idx) {
			for (size_t i = 0; i < n; i++) {
				size_t to = c[(k0[i] >> shift) & (nb - 1)]++;

				k1[to] = k0[i];
				i1[to] = i0[i];
			}
		} else {
			for (size_t i = 0; i < n; i++)
				k1[c[(k0[i] >> shift) & (nb - 1)]++] = k0[i];
		}
		{
			uint64_t *tk = k0;
			uint32_t *ti = i0;

			k0 = k1, k1 = tk;
			i0 = i1, i1 = ti;
		}
	}
	free(cnt);
	if (idx && i0 != idx)
		memcpy(idx, i0, n * sizeof(*idx));
	/* the keys give the values back, except the sign of a zero */
	for (size_t i = 0; i < n; i++)
		sorted[i] = negzero ? v[idx[i]] : key_value(k0[i]);
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

/* Takes the accumulated values and counts into g; every statistic NAN
 * until computed. */
static void group_take(struct analyze_group *g, struct acc *a)
{
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
	g->instances_known = a->instances_known;
	g->n_values = a->n;
	g->values = a->n < a->cap ? xrealloc(a->v, (a->n ? a->n : 1) *
					     sizeof(double)) :
		a->v ? a->v : xmalloc(sizeof(double));
	g->outlier = xcalloc(a->n ? a->n : 1, 1);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* The warnings about samples left out: disturbed, failed, none at all. */
static void group_warn_counts(struct analyze_group *g, const struct acc *a,
			      struct sb *w)
{
	if (a->n_disturbed) {
		/* The report relates the noise to what it saw (issue 14). */
		g->warnings |= ANALYZE_WARN_DISTURBED;
		warn_add(w, "host busy during %zu of %zu samples (other "
			 "processes used %.2f cores on average, %.2f at most)%s",
			 a->n_disturbed, a->n_measured,
			 a->sum_other / (double)a->n_measured, a->max_other,
			 a->n_disturbed_excluded ? ", those excluded" : "");
	}
	if (g->n_values == 0) {
		g->warnings |= ANALYZE_WARN_ALL_FAILED;
		if (a->n_failed)
			warn_add(w, "all %zu samples failed", a->n_failed);
		else if (a->n_disturbed_excluded)
			warn_add(w, "every ok sample was disturbed (see "
				 "analyze without --exclude-disturbed)");
		else
			warn_add(w, "no measured samples");
	} else if (a->n_failed) {
		g->warnings |= ANALYZE_WARN_SOME_FAILED;
		warn_add(w, "%zu of %zu samples failed", a->n_failed,
			 a->n_failed + g->n_values);
	}
}

/* Classifies every value by the Tukey fences of the sorted ones; with
 * exclude, drops the outliers from used/idx (keeping their value order).
 * Returns how many values are used. */
static size_t group_outliers(struct analyze_group *g, double *used,
			     uint32_t *idx, int exclude)
{
	struct analyze_fences f;
	size_t i, k, n = g->n_values;

	analyze_tukey_fences(used, n, &f);
	for (i = 0; i < n; i++) {
		int c = analyze_outlier_class(&f, g->values[i]);
		g->outlier[i] = (unsigned char)c;
		if (c == 1)
			g->outliers_mild++;
		else if (c == 2)
			g->outliers_severe++;
	}
	if (!exclude || !(g->outliers_mild + g->outliers_severe))
		return n;
	for (i = k = 0; i < n; i++)
		if (!g->outlier[idx[i]]) {
			used[k] = used[i];
			idx[k++] = idx[i];
		}
	g->n_outliers_excluded = n - k;
	return k;
}

/* Mean, variance, median, the t interval; over the sorted values (summing
 * in ascending order only changes the last bits, and the corrected
 * two-pass variance does not care about order). */
static void group_moments(struct analyze_group *g, const double *used,
			  size_t n, struct analyze_moments *m)
{
	analyze_moments(used, n, m);
	g->mean = m->mean;
	g->variance = m->variance;
	g->stddev = m->stddev;
	g->cov = m->cov;
	g->min = m->min;
	g->max = m->max;
	g->median = analyze_median_sorted(used, n);
	analyze_t_ci(m->mean, m->stddev, n, 0.95, &g->ci95_lo, &g->ci95_hi);
	g->unit_mean = m->mean;
	g->unit_var = m->variance;
	g->unit_n = n;
}

/* Instances of the values used: with two or more, the instance means are
 * the units of every interval (Kalibera & Jones 2013), Student t on k - 1
 * df. inst: per value (repetition order) its instance, or NULL. */
static void group_instances(struct analyze_group *g, const double *used,
			    const uint32_t *idx, const int *inst, size_t n)
{
	double *uv;
	int *ui;

	if (!g->instances_known || !inst) {
		/* nothing recorded (imports): one instance, without the
		 * grouping pass over a million values */
		analyze_instances(used, NULL, n ? 1 : 0, &g->inst);
		if (n) {
			g->inst.n[0] = n;
			g->inst.means[0] = g->mean;
			g->inst.mean_of_means = g->mean;
		}
		return;
	}
	uv = xmalloc((n ? n : 1) * sizeof(double));
	ui = xmalloc((n ? n : 1) * sizeof(int));
	for (size_t i = 0; i < n; i++) {
		uv[i] = used[i];
		ui[i] = inst[idx[i]];
	}
	analyze_instances(uv, ui, n, &g->inst);
	free(uv);
	free(ui);
	if (g->inst.k >= 2) {
		g->unit_mean = g->inst.mean_of_means;
		g->unit_var = g->inst.var_of_means;
		g->unit_n = g->inst.k;
		analyze_t_ci(g->unit_mean, sqrt(g->unit_var), g->unit_n, 0.95,
			     &g->ci95_lo, &g->ci95_hi);
	}
}

/* Drift: the Spearman ranks of the used values, in repetition order.
 * idx[] are indices among all values (ascending within ties); a value
 * left out leaves a gap that the compaction closes. rk: room for
 * n_values. */
static void group_drift(struct analyze_group *g, const double *used,
			const uint32_t *idx, size_t n, double *rk)
{
	size_t i, j, k, nv = g->n_values;

	if (n < ANALYZE_DRIFT_MIN_N)
		return;
	if (n < nv)
		for (i = 0; i < nv; i++)
			rk[i] = NAN;
	for (i = 0; i < n; i = j) {
		double r;

		for (j = i + 1; j < n && used[j] == used[i]; j++)
			;
		r = ((double)(i + 1) + (double)j) / 2;
		for (k = i; k < j; k++)
			rk[idx[k]] = r;
	}
	if (n < nv)
		for (i = k = 0; i < nv; i++)
			if (!isnan(rk[i]))
				rk[k++] = rk[i];
	analyze_trend_ranked(rk, n, &g->drift);
}

/* The warnings the statistics give (after the counts'). */
static void group_warn_stats(struct analyze_group *g, int exclude_outliers,
			     struct sb *w)
{
	size_t n = g->n;

	if (n < ANALYZE_FEW_SAMPLES) {
		g->warnings |= ANALYZE_WARN_FEW_SAMPLES;
		warn_add(w, "only %zu sample%s (fewer than %d)", n,
			 n == 1 ? "" : "s", ANALYZE_FEW_SAMPLES);
	}
	if (n >= 2 && g->variance == 0) {
		g->warnings |= ANALYZE_WARN_ZERO_VAR;
		warn_add(w, "all values identical");
	}
	if (isfinite(g->cov) && g->cov > ANALYZE_HIGH_COV) {
		g->warnings |= ANALYZE_WARN_HIGH_COV;
		/* Two decimals where one would print the threshold itself
		 * ("CoV 5.0% above 5%"). */
		warn_add(w, "CoV %.*f%% above %.0f%%",
			 100 * (g->cov - ANALYZE_HIGH_COV) < 0.05 ? 2 : 1,
			 100 * g->cov, 100 * ANALYZE_HIGH_COV);
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

/*
 * Computes a group's statistics from its scanned samples (the values move
 * from a to g). Leaves in used (room for the group's values) the values
 * the statistics used (outliers removed when asked), sorted, for the
 * comparisons, and returns how many. ws: working memory.
 */
static size_t group_compute(struct analyze_group *g, struct acc *a,
			    int exclude_outliers, struct sb *w,
			    struct scratch *ws, double *used)
{
	struct analyze_moments m;
	uint32_t *idx;
	size_t n;

	group_take(g, a);
	group_warn_counts(g, a, w);
	if (g->n_values == 0) {
		free(a->inst);
		a->inst = NULL;
		return 0;
	}
	/* one sort by value serves quartiles, median, its CI and ranks */
	scratch_reserve(ws, g->n_values);
	idx = ws->idx;
	sort_values(g->values, g->n_values, used, idx, ws);
	n = group_outliers(g, used, idx, exclude_outliers);
	g->n = n;
	group_moments(g, used, n, &m);
	group_instances(g, used, idx, a->inst, n);
	free(a->inst);
	a->inst = NULL;
	analyze_median_ci_sorted(used, n, 0.95, &g->median_ci_lo,
				 &g->median_ci_hi);
	group_drift(g, used, idx, n, ws->rk);
	group_warn_stats(g, exclude_outliers, w);
	return n;
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
	struct analyze_fieller f;

	vs->present = 1;
	vs->speedup = vs->ci_lo = vs->ci_hi = vs->p_holm = NAN;
	vs->ci_bounded = 0;
	vs->significant = 0;
	vs->reason = NULL;
	vs_verdict_init(vs);
	/* xs and ys are the values the groups' moments were computed from,
	 * in the same order: their mean and variance are those */
	analyze_welch_summary(gx->mean, gx->variance, nx, gy->mean,
			      gy->variance, ny, &vs->welch);
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
	vs->instance_units = gx->inst.k >= 2 || gy->inst.k >= 2;
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

/* Room in a for k more values (and their instances when load). */
static void acc_reserve(struct acc *a, size_t k, int load)
{
	size_t cap;

	if (a->n + k <= a->cap)
		return;
	/* a group's first series fits exactly; more runs grow it by half */
	cap = a->cap + a->cap / 2;
	if (cap < a->n + k)
		cap = a->n + k;
	a->v = xrealloc(a->v, cap * sizeof(*a->v));
	if (load)
		a->inst = xrealloc(a->inst, cap * sizeof(*a->inst));
	a->cap = cap;
}

/* Keeps the samples a series appended at a->v + a->n (read with their
 * instance and load): counts the disturbance of the measured ones and,
 * with exclude_disturbed, leaves out the disturbed. */
static void acc_add_measured(struct acc *a, const struct db_series_samples *ss,
			     int exclude_disturbed)
{
	size_t i, k = a->n;

	for (i = 0; i < ss->n; i++) {
		double v = ss->values[i];
		int inst = ss->instances[i];

		if (ss->disturbed[i] >= 0) {
			double other = ss->other_cpu[i];

			a->n_measured++;
			a->sum_other += other;
			if (a->n_measured == 1 || other > a->max_other)
				a->max_other = other;
			if (ss->disturbed[i]) {
				a->n_disturbed++;
				if (exclude_disturbed) {
					a->n_disturbed_excluded++;
					continue;
				}
			}
		}
		a->v[k] = v;
		a->inst[k] = inst;
		if (inst)
			a->instances_known = 1;
		k++;
	}
	a->n = k;
}

/* The accumulator of a series' (platform, benchmark), NULL when its
 * platform is not selected. */
static struct acc *scan_acc(const struct catalog *c, struct acc *accs,
			    const struct db_series *se)
{
	int64_t pid = se->platform_id, bid = se->benchmark_id, pi, bi;
	struct acc *a;

	if (pid < 0 || pid > c->max_plat_id || bid < 0 || bid > c->max_bench_id)
		return NULL;
	pi = c->plat_ix[pid];
	bi = c->bench_ix[bid];
	if (pi < 0 || bi < 0 || !c->plats[pi].selected)
		return NULL;
	a = &accs[(size_t)pi * c->n_benches + (size_t)bi];
	a->platform_id = pid;
	a->benchmark_id = bid;
	return a;
}

/* Scans the samples of the selected platforms into per-group accumulators
 * (a series of a platform not selected is not read at all). *accs is
 * indexed [platform index * n_benches + bench index]. */
static int scan_samples(struct db *db, const struct catalog *c,
			int64_t run_id, int exclude_disturbed,
			struct acc **accs_out)
{
	struct db_cursor *st = NULL;
	struct db_series se;
	struct acc *accs;
	double *other = NULL;
	signed char *dist = NULL;
	size_t scratch = 0;
	int rc = -1, load;

	accs = xcalloc(c->n_plats * c->n_benches + 1, sizeof(*accs));
	if (db_samples_open(db, run_id, &st) < 0)
		goto cleanup;
	load = db_samples_load(st);
	while ((rc = db_samples_next_series(st, &se)) == 1) {
		struct db_series_samples ss = { 0 };
		struct acc *a = scan_acc(c, accs, &se);

		if (!a)
			continue;
		acc_reserve(a, se.max_samples, load);
		ss.values = a->v + a->n;
		if (load) {
			if (se.max_samples > scratch) {
				scratch = se.max_samples;
				other = xrealloc(other, scratch * sizeof(*other));
				dist = xrealloc(dist, scratch);
			}
			ss.instances = a->inst + a->n;
			ss.other_cpu = other;
			ss.disturbed = dist;
		}
		if (db_samples_read(st, &ss) < 0) {
			rc = -1;
			break;
		}
		a->n_warmup += (size_t)ss.warmup;
		a->n_failed += ss.n_failed + ss.n_nonfinite;
		if (load)
			acc_add_measured(a, &ss, exclude_disturbed);
		else
			a->n += ss.n;
	}
cleanup:
	db_cursor_close(st);
	free(other);
	free(dist);
	if (rc < 0) {
		for (size_t i = 0; i < c->n_plats * c->n_benches; i++) {
			free(accs[i].v);
			free(accs[i].inst);
		}
		free(accs);
		accs = NULL;
	}
	*accs_out = accs;
	return rc < 0 ? -1 : 0;
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

/* The state of one load_set(). */
struct load {
	struct db *db;
	const struct analyze_opts *opts;
	int with_baseline;
	const char *baseline;
	int64_t run_id;
	struct catalog c;
	struct acc *accs;          /* [platform index * n_benches + bench] */
	size_t *acc_of;            /* per group, its accumulator */
	struct analyze_set *s;
	struct sb *warn;           /* per group (indexed like s->groups
				    * until they are sorted) */
	struct analyze_variant_pair *pairs; /* per variant, its groups */
	struct scratch ws;
	/* the sorted values of one block's groups, reused by the next */
	double **pool;
	size_t *pool_cap, n_pool;
};

/* Buffer k of the pool, with room for n values. */
static double *load_pool(struct load *l, size_t k, size_t n)
{
	if (k >= l->n_pool) {
		l->pool = xrealloc(l->pool, (k + 1) * sizeof(*l->pool));
		l->pool_cap = xrealloc(l->pool_cap, (k + 1) * sizeof(*l->pool_cap));
		while (l->n_pool <= k) {
			l->pool[l->n_pool] = NULL;
			l->pool_cap[l->n_pool++] = 0;
		}
	}
	if (n > l->pool_cap[k]) {
		free(l->pool[k]);
		l->pool[k] = xmalloc(n * sizeof(double));
		l->pool_cap[k] = n;
	}
	return l->pool[k];
}

/* Marks the platforms the options select; -1 for an unknown host. */
static int load_select(struct load *l)
{
	const struct analyze_opts *o = l->opts;
	struct catalog *c = &l->c;
	size_t i;

	if (o->host) {
		for (i = 0; i < c->n_hosts; i++)
			if (!strcmp(c->hosts[i].name, o->host))
				break;
		if (i == c->n_hosts) {
			vb_error("%s: no host named '%s'", db_path(l->db), o->host);
			return -1;
		}
	}
	for (i = 0; i < c->n_plats; i++) {
		struct plat *p = &c->plats[i];
		p->selected = 1;
		if (o->host && strcmp(host_name(c, p->host_id), o->host))
			p->selected = 0;
		if (o->platform && strcmp(p->name, o->platform) &&
		    (!l->with_baseline || strcmp(p->name, l->baseline)))
			p->selected = 0;
	}
	return 0;
}

/* One group per (platform, benchmark) with any sample, named; not yet
 * computed. */
static void load_groups(struct load *l)
{
	size_t i, j, ng = 0, nb = l->c.n_benches, na = l->c.n_plats * nb;
	struct analyze_set *s = l->s;

	for (i = 0; i < na; i++)
		if (l->accs[i].n || l->accs[i].n_failed || l->accs[i].n_warmup)
			ng++;
	s->groups = xcalloc(ng ? ng : 1, sizeof(*s->groups));
	l->acc_of = xcalloc(ng ? ng : 1, sizeof(*l->acc_of));
	l->warn = xcalloc(ng ? ng : 1, sizeof(*l->warn));
	for (i = j = 0; i < na; i++) {
		const struct acc *a = &l->accs[i];
		const struct plat *p = &l->c.plats[i / nb];
		const struct bench *b = &l->c.benches[i % nb];
		struct analyze_group *g = &s->groups[j];

		if (!(a->n || a->n_failed || a->n_warmup))
			continue;
		g->host = xstrdup(host_name(&l->c, p->host_id));
		g->platform = xstrdup(p->name);
		g->kind = xstrdup(p->kind);
		g->benchmark = xstrdup(b->name);
		g->unit = xstrdup(b->unit);
		g->direction = b->dir;
		g->platform_id = p->id;
		g->benchmark_id = b->id;
		g->is_baseline = l->with_baseline && !strcmp(p->name, l->baseline);
		sb_init(&l->warn[j]);
		l->acc_of[j] = i;
		j++;
	}
	s->n_groups = ng;
}

/* Group i against its host's baseline group (computed), with the sorted
 * values of both (sorted[] indexed like s->groups). */
static void load_vs_baseline(struct load *l, size_t i, double *const *sorted,
			     const size_t *nsorted)
{
	struct analyze_set *s = l->s;
	struct analyze_group *g = &s->groups[i], *bg = find_baseline(s, g);
	struct sb *w = &l->warn[i];
	struct analyze_vs *vs = &g->vs_baseline;
	size_t bi;

	if (!bg) {
		g->warnings |= ANALYZE_WARN_NO_BASELINE;
		warn_add(w, "benchmark missing on baseline %s", l->baseline);
		vs_missing(vs, "no baseline data");
		return;
	}
	if (bg->n == 0) {
		vs_missing(vs, "baseline has no ok samples");
		g->warnings |= ANALYZE_WARN_NO_BASELINE;
		warn_add(w, "baseline %s has no ok samples", l->baseline);
		return;
	}
	if (g->n == 0) {
		vs_missing(vs, "no ok samples");
		return;
	}
	bi = (size_t)(bg - s->groups);
	compare_samples(vs, sorted[i], nsorted[i], sorted[bi], nsorted[bi],
			g->direction == ANALYZE_LOWER, g, bg);
	if (vs->ci_bounded && vs->ci_lo < 0) {
		/* Fieller's set is an interval, but one that admits a
		 * negative ratio: the numerator mean is not significantly
		 * above zero. */
		warn_add(w, "speedup CI reaches below zero: the %s mean is not "
			 "significantly above zero",
			 g->direction == ANALYZE_LOWER ? l->baseline : g->platform);
	}
	if (!vs->ci_bounded && vs->reason && !strcmp(vs->reason, "unbounded")) {
		g->warnings |= ANALYZE_WARN_UNBOUNDED;
		warn_add(w, "speedup CI unbounded: the %s mean is not "
			 "significantly different from zero",
			 g->direction == ANALYZE_LOWER ? g->platform : l->baseline);
	}
}

/* Two groups a comparison can pair: the same host and benchmark. */
static int same_block(const struct analyze_group *a,
		      const struct analyze_group *b)
{
	return a->benchmark_id == b->benchmark_id && !strcmp(a->host, b->host);
}

/*
 * Computes every group of the block (host, benchmark) of group first, then
 * the comparisons within it: each group with the baseline, and the
 * variants; the block's sorted values live in the pool until the next
 * block. sorted/nsorted are scratch indexed like s->groups; done marks
 * the computed groups.
 */
static void load_block(struct load *l, size_t first, double **sorted,
		       size_t *nsorted, unsigned char *done)
{
	struct analyze_set *s = l->s;
	const struct analyze_group *key = &s->groups[first];
	size_t i, k = 0, ng = s->n_groups;

	for (i = first; i < ng; i++) {
		struct acc *a = &l->accs[l->acc_of[i]];

		if (done[i] || !same_block(&s->groups[i], key))
			continue;
		sorted[i] = load_pool(l, k++, a->n ? a->n : 1);
		nsorted[i] = group_compute(&s->groups[i], a,
					   l->opts->exclude_outliers,
					   &l->warn[i], &l->ws, sorted[i]);
		done[i] = 1;
	}
	if (l->with_baseline) {
		for (i = first; i < ng; i++)
			if (sorted[i] && !s->groups[i].is_baseline)
				load_vs_baseline(l, i, sorted, nsorted);
		for (i = 0; i < s->n_variants; i++) {
			size_t a = l->pairs[i].a, b = l->pairs[i].b;

			if (sorted[a] && sorted[b] && s->groups[a].n &&
			    s->groups[b].n)
				analyze_variants_compare(s, i, &l->pairs[i],
							 sorted[a], nsorted[a],
							 sorted[b], nsorted[b],
							 compare_samples);
		}
	}
	for (i = first; i < ng; i++)
		sorted[i] = NULL;
}

/* Holm's adjustment and the verdicts over every comparison of the set,
 * the warnings' text, the guests that ran nested, and the groups in
 * output order. Negative after a database error. */
static int load_finish(struct load *l)
{
	struct analyze_set *s = l->s;
	struct analyze_vs **vsv;
	size_t i, nvs = 0;

	vsv = xcalloc(s->n_groups + s->n_variants + 1, sizeof(*vsv));
	for (i = 0; l->with_baseline && i < s->n_groups; i++)
		if (!s->groups[i].is_baseline)
			vsv[nvs++] = &s->groups[i].vs_baseline;
	/* sibling comparisons, in the same family */
	for (i = 0; i < s->n_variants; i++)
		vsv[nvs++] = &s->variants[i].vs;
	holm_apply(vsv, nvs, &s->n_comparisons);
	s->margin = l->opts->margin > 0 ? l->opts->margin :
		ANALYZE_DEFAULT_MARGIN;
	s->family_size = verdict_apply(vsv, nvs, s->margin);
	free(vsv);
	for (i = 0; i < s->n_groups; i++)
		s->groups[i].warnings_text = l->warn[i].len ?
			sb_detach(&l->warn[i]) : NULL;
	if (analyze_nested_mark(l->db, s, l->run_id) < 0)
		return -1;
	qsort(s->groups, s->n_groups, sizeof(*s->groups), group_cmp);
	return 0;
}

static void load_clear(struct load *l)
{
	if (l->accs) {
		for (size_t i = 0; i < l->c.n_plats * l->c.n_benches; i++) {
			free(l->accs[i].v);
			free(l->accs[i].inst);
		}
		free(l->accs);
	}
	if (l->warn && l->s)
		for (size_t i = 0; i < l->s->n_groups; i++)
			sb_release(&l->warn[i]);
	free(l->warn);
	free(l->acc_of);
	free(l->pairs);
	scratch_free(&l->ws);
	for (size_t i = 0; i < l->n_pool; i++)
		free(l->pool[i]);
	free(l->pool);
	free(l->pool_cap);
	catalog_clear(&l->c);
}

/* with_baseline = 0 (compare): no platform is a baseline, no vs_baseline. */
static int load_set(struct db *db, const struct analyze_opts *opts,
		    int with_baseline, struct analyze_set **out)
{
	static const struct analyze_opts none;
	struct load l = { 0 };
	double **sorted = NULL;
	size_t *nsorted = NULL;
	unsigned char *done = NULL;
	int ret = -1;

	*out = NULL;
	l.db = db;
	l.opts = opts ? opts : &none;
	l.with_baseline = with_baseline;
	l.baseline = l.opts->baseline ? l.opts->baseline : "native";
	if (catalog_load(db, &l.c) < 0)
		return -1;
	if (l.opts->run && db_run_find(db, l.opts->run, &l.run_id) < 0)
		goto cleanup;
	if (load_select(&l) < 0 ||
	    scan_samples(db, &l.c, l.run_id, l.opts->exclude_disturbed,
			 &l.accs) < 0)
		goto cleanup;
	l.s = xcalloc(1, sizeof(*l.s));
	l.s->baseline = xstrdup(l.baseline);
	load_groups(&l);
	/* the variants are planned before any group is computed, so that
	 * each block compares its own and frees its sorted values */
	if (with_baseline &&
	    analyze_variants_plan(db, l.s, l.run_id, &l.pairs) < 0)
		goto cleanup;
	sorted = xcalloc(l.s->n_groups + 1, sizeof(*sorted));
	nsorted = xcalloc(l.s->n_groups + 1, sizeof(*nsorted));
	done = xcalloc(l.s->n_groups + 1, 1);
	for (size_t i = 0; i < l.s->n_groups; i++)
		if (!done[i])
			load_block(&l, i, sorted, nsorted, done);
	analyze_variants_prune(l.s, l.pairs);
	if (load_finish(&l) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	free(sorted);
	free(nsorted);
	free(done);
	load_clear(&l);
	if (ret < 0)
		analyze_set_free(l.s);
	else
		*out = l.s;
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
	free(g->outlier);
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

/* Values a group's statistics used, sorted (outliers removed if asked). */
static double *group_used_sorted(const struct analyze_group *g, int excl)
{
	double *v = xmalloc((g->n_values ? g->n_values : 1) * sizeof(double));
	struct scratch ws = { 0 };
	size_t i, k = 0;

	for (i = 0; i < g->n_values; i++)
		if (!excl || !g->outlier[i])
			v[k++] = g->values[i];
	sort_values(v, k, v, NULL, &ws); /* in place: the keys are copies */
	scratch_free(&ws);
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
