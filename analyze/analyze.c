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
#include "common/util.h"
#include "db/db.h"

/* One sample as scanned: its place in repetition order and its value. */
struct raw {
	uint32_t run_ord; /* index of its run, runs ordered by start time */
	int32_t rep;
	double v;
};

/* A group under construction. */
struct acc {
	int64_t platform_id, benchmark_id;
	struct raw *r;
	size_t n, cap;
	size_t n_warmup, n_failed;
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
	for (i = 0; i < n; i++) {
		g->values[i] = a->r[i].v;
		g->repetitions[i] = a->r[i].rep;
	}
	free(a->r);
	a->r = NULL;

	if (n == 0) {
		g->warnings |= ANALYZE_WARN_ALL_FAILED;
		if (a->n_failed)
			warn_add(w, "all %zu samples failed", a->n_failed);
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
	qsort(vi, n, sizeof(*vi), vi_cmp);
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

/*
 * Compares sample x (the platform, or host B) with y (the baseline, or host
 * A): Welch x minus y, Mann-Whitney x against y, and the ratio. For a
 * lower-is-better benchmark the direction-aware ratio is mean y / mean x,
 * so Fieller is applied to (y, x). Inputs are sorted ascending.
 */
static void compare_samples(struct analyze_vs *vs, const double *xs,
			    size_t nx, const double *ys, size_t ny,
			    int invert)
{
	struct analyze_moments mx, my;
	struct analyze_fieller f;

	vs->present = 1;
	vs->speedup = vs->ci_lo = vs->ci_hi = vs->p_holm = NAN;
	vs->ci_bounded = 0;
	vs->significant = 0;
	vs->reason = NULL;
	analyze_moments(xs, nx, &mx);
	analyze_moments(ys, ny, &my);
	analyze_welch_summary(mx.mean, mx.variance, nx, my.mean, my.variance,
			      ny, &vs->welch);
	analyze_mann_whitney_sorted(xs, nx, ys, ny, &vs->mw);
	if (!invert)
		analyze_fieller_summary(mx.mean, mx.variance, nx, my.mean,
					my.variance, ny, 0.95, &f);
	else
		analyze_fieller_summary(my.mean, my.variance, ny, mx.mean,
					mx.variance, nx, 0.95, &f);
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
			int64_t run_id, struct acc **accs_out)
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
		if (!isfinite(a->r[a->n].v)) {
			a->n_failed++;
			continue;
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
	if (scan_samples(db, &c, run_id, &accs) < 0)
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
					g->direction == ANALYZE_LOWER);
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
	holm_apply(vsv, nvs, &s->n_comparisons);
	for (i = 0; i < ng; i++)
		s->groups[i].warnings_text = warn[i].len ?
			sb_detach(&warn[i]) : NULL;
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
	free(g->values);
	free(g->repetitions);
	free(g->outlier);
}

void analyze_set_free(struct analyze_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_groups; i++)
		group_clear(&s->groups[i]);
	free(s->groups);
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

int analyze_compare_hosts(struct db *db, const char *host_a,
			  const char *host_b, const struct analyze_opts *opts,
			  struct analyze_cmp_set **out)
{
	struct analyze_opts o = { 0 };
	struct analyze_set *a = NULL, *b = NULL;
	struct analyze_cmp_set *s = NULL;
	struct analyze_vs **vsv = NULL;
	size_t i;
	int ret = -1;

	*out = NULL;
	if (opts)
		o = *opts;
	o.host = host_a;
	if (load_set(db, &o, 0, &a) < 0)
		goto cleanup;
	o.host = host_b;
	if (load_set(db, &o, 0, &b) < 0)
		goto cleanup;
	s = xcalloc(1, sizeof(*s));
	s->host_a = xstrdup(host_a);
	s->host_b = xstrdup(host_b);
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
			compare_samples(&it->vs, xb, gb->n, xa, ga->n, 0);
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
