/*
 * tests/unit/test_stats.c - analyze/stats.c against reference values that
 * tests/ref/gen_stats.py computed with scipy (and the mratios formula for
 * Fieller) and R (Spearman drift) on its fixture data: every statistic,
 * interval and p-value to 1e-9 relative (they agree to 1e-13 today, the
 * AS 89 series to 3e-12). Plus the edge cases that must give
 * a defined answer or a clear "not computable", never a silent NaN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "analyze/analyze.h"
#include "tests/ref/stats_ref.h"

/* |got - want| <= tol * max(1, |want|), and NAN only where NAN is wanted. */
static void near(double got, double want, double tol, const char *what,
		 const char *name)
{
	if (isnan(want)) {
		if (!isnan(got))
			fail_msg("%s %s: got %.17g, want n/a", name, what, got);
		return;
	}
	if (!(fabs(got - want) <= tol * fmax(1, fabs(want))))
		fail_msg("%s %s: got %.17g, want %.17g", name, what, got, want);
}

/* |got - want| <= tol |want| (relative, as METHODS.md promises), and NAN
 * only where NAN is wanted. */
static void near_rel(double got, double want, double tol, const char *what,
		     const char *name)
{
	if (isnan(want)) {
		if (!isnan(got))
			fail_msg("%s %s: got %.17g, want n/a", name, what, got);
		return;
	}
	if (!(fabs(got - want) <= tol * fabs(want)))
		fail_msg("%s %s: got %.17g, want %.17g (rel %.2g)", name, what,
			 got, want, fabs(got - want) / fabs(want));
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(double));
	memcpy(s, x, n * sizeof(double));
	qsort(s, n, sizeof(double), dcmp);
	return s;
}

static void test_moments_and_cis(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_samples) / sizeof(ref_samples[0]); i++) {
		const struct ref_sample *r = &ref_samples[i];
		struct analyze_moments m;
		double lo, hi, *s;

		analyze_moments(r->x, r->n, &m);
		near_rel(m.mean, r->m[0], 1e-9, "mean", r->name);
		near_rel(m.variance, r->m[1], 1e-9, "variance", r->name);
		near_rel(m.stddev, r->m[2], 1e-9, "stddev", r->name);
		near_rel(m.cov, r->m[3], 1e-9, "cov", r->name);
		near_rel(m.min, r->m[4], 1e-9, "min", r->name);
		near_rel(m.max, r->m[5], 1e-9, "max", r->name);
		analyze_t_ci(m.mean, m.stddev, m.n, 0.95, &lo, &hi);
		near_rel(lo, r->m[6], 1e-9, "ci lo", r->name);
		near_rel(hi, r->m[7], 1e-9, "ci hi", r->name);

		s = sorted_copy(r->x, r->n);
		near_rel(analyze_quantile_sorted(s, r->n, 0.25), r->q1, 1e-9, "q1",
		     r->name);
		near_rel(analyze_median_sorted(s, r->n), r->median, 1e-9, "median",
		     r->name);
		near_rel(analyze_quantile_sorted(s, r->n, 0.75), r->q3, 1e-9, "q3",
		     r->name);
		analyze_median_ci_sorted(s, r->n, 0.95, &lo, &hi);
		near_rel(lo, r->med_lo, 1e-9, "median ci lo", r->name);
		near_rel(hi, r->med_hi, 1e-9, "median ci hi", r->name);
		free(s);
	}
}

static void test_pairs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_pairs) / sizeof(ref_pairs[0]); i++) {
		const struct ref_pair *r = &ref_pairs[i];
		struct analyze_welch w;
		struct analyze_mw mw;
		struct analyze_fieller f;
		int rc;

		rc = analyze_welch(r->x, r->nx, r->y, r->ny, &w);
		assert_int_equal(rc == 0, !isnan(r->welch[2]));
		near_rel(w.t, r->welch[0], 1e-9, "welch t", r->name);
		near_rel(w.df, r->welch[1], 1e-9, "welch df", r->name);
		near_rel(w.p, r->welch[2], 1e-9, "welch p", r->name);
		if (rc < 0)
			assert_non_null(w.reason);

		rc = analyze_mann_whitney(r->x, r->nx, r->y, r->ny, &mw);
		assert_int_equal(rc, 0);
		near_rel(mw.u, r->mw[0], 1e-9, "W", r->name);
		near_rel(mw.p, r->mw[1], 1e-9, "mw p", r->name);
		assert_int_equal(mw.exact, (int)r->mw[2]);

		analyze_fieller(r->x, r->nx, r->y, r->ny, 0.95, &f);
		near_rel(f.ratio, r->fieller[0], 1e-9, "ratio", r->name);
		near_rel(f.lo, r->fieller[1], 1e-9, "fieller lo", r->name);
		near_rel(f.hi, r->fieller[2], 1e-9, "fieller hi", r->name);
		assert_int_equal(f.bounded, (int)r->fieller[3]);
		if (!f.bounded)
			assert_non_null(f.reason);
	}
}

/* The exact null distribution must also hold far in the tails, where a
 * cancelling algorithm would lose all digits: with x entirely above y,
 * p = 2 / C(nx + ny, nx). */
static void test_mw_exact_tail(void **state)
{
	double x[40], y[45], want = 2;
	struct analyze_mw mw;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		x[i] = 100 + i;
	for (i = 0; i < 45; i++)
		y[i] = i;
	/* 2 / C(85, 40) */
	for (i = 1; i <= 40; i++)
		want = want * i / (45 + i);
	assert_int_equal(analyze_mann_whitney(x, 40, y, 45, &mw), 0);
	assert_true(mw.exact);
	near(mw.u, 1800, 0, "W", "tail");
	assert_true(fabs(mw.p - want) <= 1e-12 * want);
}

static void test_mw_all_tied(void **state)
{
	double x[] = { 5, 5, 5 }, y[] = { 5, 5 };
	struct analyze_mw mw;

	(void)state;
	assert_int_equal(analyze_mann_whitney(x, 3, y, 2, &mw), -1);
	assert_true(isnan(mw.p));
	assert_string_equal(mw.reason, "all values tied");
	near(mw.u, 3, 0, "W", "tied"); /* R: W = 3 */
	assert_int_equal(analyze_mann_whitney(x, 0, y, 2, &mw), -1);
}

static void test_welch_edges(void **state)
{
	double one[] = { 3 }, c1[] = { 2, 2, 2 }, c2[] = { 4, 4 };
	struct analyze_welch w;
	struct analyze_fieller f;

	(void)state;
	assert_int_equal(analyze_welch(one, 1, c1, 3, &w), -1);
	assert_string_equal(w.reason, "fewer than 2 samples");
	assert_true(isnan(w.t) && isnan(w.p));
	/* two constant samples: R's t.test stops ("essentially constant") */
	assert_int_equal(analyze_welch(c1, 3, c2, 2, &w), -1);
	assert_string_equal(w.reason, "zero variance");
	assert_int_equal(analyze_fieller(c2, 2, c1, 3, 0.95, &f), -1);
	near(f.ratio, 2, 1e-15, "ratio", "const");
	assert_true(isnan(f.lo) && !f.bounded);
	/* all zeros: no 0/0 reaches the t distribution */
	{
		double z0[] = { 0, 0, 0 };
		assert_int_equal(analyze_welch(z0, 3, z0, 3, &w), -1);
		assert_string_equal(w.reason, "zero variance");
	}
	/* baseline mean zero: no ratio at all */
	{
		double z[] = { -1, 1 };
		assert_int_equal(analyze_fieller(c2, 2, z, 2, 0.95, &f), -1);
		assert_true(isnan(f.ratio));
		assert_string_equal(f.reason, "baseline mean is zero");
	}
}

static void test_small_n(void **state)
{
	double x[] = { 42 }, lo, hi;
	struct analyze_moments m;
	struct analyze_fences fe;

	(void)state;
	analyze_moments(x, 1, &m);
	assert_true(m.mean == 42 && m.min == 42 && m.max == 42);
	assert_true(isnan(m.variance) && isnan(m.stddev) && isnan(m.cov));
	assert_int_equal(analyze_t_ci(m.mean, m.stddev, 1, 0.95, &lo, &hi), -1);
	assert_true(isnan(lo) && isnan(hi));
	analyze_moments(x, 0, &m);
	assert_true(isnan(m.mean));
	assert_true(isnan(analyze_median_sorted(x, 0)));
	/* n = 5 is too few for a 95 % median CI (1/32 > 0.025) */
	{
		double s[] = { 1, 2, 3, 4, 5 };
		assert_int_equal(analyze_median_ci_sorted(s, 5, 0.95, &lo, &hi),
				 -1);
		assert_true(isnan(lo));
	}
	analyze_tukey_fences(x, 1, &fe);
	assert_int_equal(analyze_outlier_class(&fe, 1e9), 0);
	/* values near DBL_MAX: the sum overflows, the mean must not */
	{
		double big[] = { 1.5e308, 1.7e308, 1.6e308 };
		struct analyze_fieller f;

		analyze_moments(big, 3, &m);
		near_rel(m.mean, 1.6e308, 1e-15, "mean", "big");
		/* a mean that is not finite says so, not "no samples" */
		analyze_fieller_summary(INFINITY, 1, 3, 2, 1, 3, 0.95, &f);
		assert_string_equal(f.reason,
				    "a mean is not a finite number (overflow)");
		analyze_fieller_summary(1, 1, 0, 2, 1, 3, 0.95, &f);
		assert_string_equal(f.reason, "no samples");
	}
}

static void test_tukey(void **state)
{
	/* Q1 = 3, Q3 = 5 (type 7: h = 2 and 6), IQR = 2: mild beyond
	 * [0, 8], severe beyond [-3, 11]; the fences themselves are in */
	double s[] = { 1, 2, 3, 3, 4, 5, 5, 6, 6 };
	struct analyze_fences f;

	(void)state;
	analyze_tukey_fences(s, 9, &f);
	near(f.q1, 3, 1e-12, "q1", "tukey");
	near(f.q3, 5, 1e-12, "q3", "tukey");
	assert_int_equal(analyze_outlier_class(&f, 4), 0);
	assert_int_equal(analyze_outlier_class(&f, 8), 0);   /* fence 8 */
	assert_int_equal(analyze_outlier_class(&f, 8.5), 1);
	assert_int_equal(analyze_outlier_class(&f, 11), 1);  /* fence 11 */
	assert_int_equal(analyze_outlier_class(&f, 11.5), 2);
	assert_int_equal(analyze_outlier_class(&f, -3.5), 2);
	/* identical values: IQR 0, nothing is an outlier but a different one */
	{
		double c[] = { 7, 7, 7, 7, 7 };
		analyze_tukey_fences(c, 5, &f);
		assert_int_equal(analyze_outlier_class(&f, 7), 0);
		assert_int_equal(analyze_outlier_class(&f, 7.1), 2);
	}
}

static void test_holm(void **state)
{
	size_t n = sizeof(ref_holm_in) / sizeof(ref_holm_in[0]), i;
	double adj[16];

	(void)state;
	analyze_holm(ref_holm_in, n, adj);
	for (i = 0; i < n; i++)
		near(adj[i], ref_holm_out[i], 1e-12, "holm", "holm");
	/* in place, and a single p-value is left alone */
	memcpy(adj, ref_holm_in, n * sizeof(double));
	analyze_holm(adj, n, adj);
	for (i = 0; i < n; i++)
		near(adj[i], ref_holm_out[i], 1e-12, "holm in place", "holm");
	adj[0] = 0.2;
	analyze_holm(adj, 1, adj);
	near(adj[0], 0.2, 0, "holm m=1", "holm");
	analyze_holm(adj, 0, adj);
}

/* Spearman drift against R's cor.test (tests/ref/spearman_r.csv): the
 * p-value for every n from 3 (exact enumeration to n = 9, AS 89's
 * Edgeworth series to n = 1290, the t approximation with ties and beyond)
 * to 1e-9 relative, and the whole trend test from raw values where
 * n >= ANALYZE_DRIFT_MIN_N. */
static void test_trend(void **state)
{
	size_t i, exact = 0, edgeworth = 0, tdist = 0;
	struct analyze_drift d;

	(void)state;
	for (i = 0; i < sizeof(ref_trends) / sizeof(ref_trends[0]); i++) {
		const struct ref_trend *r = &ref_trends[i];
		near_rel(analyze_spearman_p(r->n, r->rho, r->ties), r->p, 1e-9,
			 "p from rho", r->name);
		if (r->ties || r->n > ANALYZE_SPEARMAN_AS89_MAX_N)
			tdist++;
		else if (r->n <= ANALYZE_SPEARMAN_ENUM_N)
			exact++;
		else
			edgeworth++;
		if (r->n < ANALYZE_DRIFT_MIN_N)
			continue;
		analyze_trend(r->x, r->n, &d);
		assert_true(d.tested);
		near(d.rho, r->rho, 1e-12, "rho", r->name);
		near_rel(d.p, r->p, 1e-9, "p", r->name);
		assert_int_equal(d.significant, r->p < ANALYZE_DRIFT_ALPHA);
	}
	/* every regime is covered */
	assert_true(exact >= 7 * 4 && edgeworth >= 9 * 3 && tdist >= 5);
	/* too short, or constant: not tested, no NaN leaks as "drift" */
	analyze_trend(ref_trends[0].x, ANALYZE_DRIFT_MIN_N - 1, &d);
	assert_false(d.tested);
	assert_false(d.significant);
	{
		double c[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
		analyze_trend(c, 10, &d);
		assert_false(d.tested);
		assert_true(isnan(d.p));
	}
}

/* What the exact distribution changes: a perfect trend in 8 values has
 * probability 2/8! (both tails), not the t approximation's 0, and the
 * next smallest statistic S = 2 comes from 7 of the 8! orders (an adjacent
 * swap) plus the identity; outside [-1, 1] there is no p-value. */
static void test_spearman_exact(void **state)
{
	double f8 = 40320, rho_s2 = 1 - 6.0 * 2 / (8 * 63);

	(void)state;
	near_rel(analyze_spearman_p(8, 1, 0), 2 / f8, 1e-15, "p", "up8");
	near_rel(analyze_spearman_p(8, -1, 0), 2 / f8, 1e-15, "p", "down8");
	near_rel(analyze_spearman_p(8, rho_s2, 0), 2 * 8 / f8, 1e-15, "p",
		 "s2_8");
	/* rho = 0 sits in the middle: both tails reach past it, p = 1 */
	near_rel(analyze_spearman_p(9, 0, 0), 1, 0, "p", "zero9");
	/* with ties the same rho takes the t approximation (finite, > 0) */
	assert_true(analyze_spearman_p(8, 0.9, 1) > 0);
	assert_true(analyze_spearman_p(8, 0.9, 1) !=
		    analyze_spearman_p(8, 0.9, 0));
	assert_true(isnan(analyze_spearman_p(8, 1.5, 0)));
	assert_true(isnan(analyze_spearman_p(8, NAN, 0)));
	assert_true(isnan(analyze_spearman_p(1, 0.5, 0)));
}

static void test_formatting(void **state)
{
	char b[128];
	struct analyze_vs vs = { .present = 1, .speedup = 0.98712,
				 .ci_lo = 0.98101, .ci_hi = 0.99349,
				 .ci_bounded = 1 };

	(void)state;
	assert_string_equal(analyze_fmt_speedup(&vs, b, sizeof(b)),
			    "0.987\u00d7 [0.981, 0.993]");
	vs.ci_bounded = 0;
	vs.ci_lo = vs.ci_hi = NAN;
	vs.reason = "unbounded";
	assert_string_equal(analyze_fmt_speedup(&vs, b, sizeof(b)),
			    "0.987\u00d7 [unbounded]");
	vs.speedup = NAN;
	vs.reason = "no baseline data";
	assert_string_equal(analyze_fmt_speedup(&vs, b, sizeof(b)),
			    "n/a (no baseline data)");
	assert_string_equal(analyze_fmt_p(0.0004, b, sizeof(b)), "p<0.001");
	assert_string_equal(analyze_fmt_p(0.0342, b, sizeof(b)), "p=0.034");
	assert_string_equal(analyze_fmt_p(NAN, b, sizeof(b)), "n/a");
	assert_string_equal(analyze_fmt_num(16536.4, b, sizeof(b)), "16536");
	assert_string_equal(analyze_fmt_num(593.44, b, sizeof(b)), "593.4");
	assert_string_equal(analyze_fmt_num(NAN, b, sizeof(b)), "n/a");
}

/* Simultaneous (Bonferroni) Fieller intervals against the exact-rational
 * reference, 1e-9 relative; on near-constant data far from zero the width
 * too (the discriminant's cancellation-free form). */
static void test_simultaneous(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_sims) / sizeof(ref_sims[0]); i++) {
		const struct ref_sim *r = &ref_sims[i];
		struct analyze_moments a, b;
		struct analyze_fieller f90, f95;
		enum analyze_verdict v;
		char what[64];

		analyze_moments(r->x, r->nx, &a);
		analyze_moments(r->y, r->ny, &b);
		analyze_verdict_summary(a.mean, a.variance, r->nx, b.mean,
					b.variance, r->ny, r->m, 0.02, &f90,
					&f95, &v);
		snprintf(what, sizeof(what), "m=%zu ci95 lo", r->m);
		near_rel(f95.lo, r->ci95[0], 1e-9, what, r->name);
		snprintf(what, sizeof(what), "m=%zu ci95 hi", r->m);
		near_rel(f95.hi, r->ci95[1], 1e-9, what, r->name);
		snprintf(what, sizeof(what), "m=%zu ci90 lo", r->m);
		near_rel(f90.lo, r->ci90[0], 1e-9, what, r->name);
		snprintf(what, sizeof(what), "m=%zu ci90 hi", r->m);
		near_rel(f90.hi, r->ci90[1], 1e-9, what, r->name);
		assert_int_equal(f95.bounded, !isnan(r->ci95[0]));
		assert_int_equal(f90.bounded, !isnan(r->ci90[0]));
		if (!strcmp(r->name, "nearconst")) {
			snprintf(what, sizeof(what), "m=%zu ci95 width", r->m);
			near_rel(f95.hi - f95.lo, r->ci95[1] - r->ci95[0], 1e-5,
				 what, r->name);
		}
	}
}

/* Verdicts and reps_needed against the reference's rule and its linear
 * search (the C code bisects). */
static void test_verdicts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_verdicts) / sizeof(ref_verdicts[0]); i++) {
		const struct ref_verdict *r = &ref_verdicts[i];
		struct analyze_moments a, b;
		enum analyze_verdict v;
		long k;

		analyze_moments(r->x, r->nx, &a);
		analyze_moments(r->y, r->ny, &b);
		analyze_verdict_summary(a.mean, a.variance, r->nx, b.mean,
					b.variance, r->ny, r->m, r->margin,
					NULL, NULL, &v);
		if (strcmp(analyze_verdict_name(v), r->verdict))
			fail_msg("%s m=%zu M=%g: verdict %s, want %s", r->name,
				 r->m, r->margin, analyze_verdict_name(v),
				 r->verdict);
		k = analyze_reps_needed(a.mean, a.variance, r->nx, b.mean,
					b.variance, r->ny, r->m, r->margin);
		if (k != r->reps_needed)
			fail_msg("%s m=%zu M=%g: reps_needed %ld, want %ld",
				 r->name, r->m, r->margin, k, r->reps_needed);
	}
}

/* Instances: grouping, means, between/within sd against the reference
 * (whose MSB/MSW agree with scipy's one-way ANOVA F), 1e-9 relative. */
static void test_instances(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(ref_insts) / sizeof(ref_insts[0]); i++) {
		const struct ref_inst *r = &ref_insts[i];
		struct analyze_instances a;

		analyze_instances(r->x, r->inst, r->n, &a);
		assert_int_equal(a.k, r->k);
		for (j = 0; j < r->k; j++) {
			assert_int_equal(a.ids[j], r->ids[j]);
			assert_int_equal(a.n[j], r->ns[j]);
			near_rel(a.means[j], r->means[j], 1e-9, "instance mean",
				 r->name);
		}
		if (r->between_sd == 0)
			assert_true(a.between_sd == 0);
		else
			near_rel(a.between_sd, r->between_sd, 1e-9, "between_sd",
				 r->name);
		near_rel(a.within_sd, r->within_sd, 1e-9, "within_sd", r->name);
		near_rel(a.mean_of_means, r->mean_of_means, 1e-9, "mean", r->name);
		near_rel(a.var_of_means, r->var_of_means, 1e-9, "var", r->name);
		analyze_instances_clear(&a);
	}
	/* one instance (or none recorded): k = 1, no between/within */
	{
		static const double v[] = { 1, 2, 3 };
		struct analyze_instances a;

		analyze_instances(v, NULL, 3, &a);
		assert_int_equal(a.k, 1);
		assert_int_equal(a.ids[0], 0);
		assert_true(isnan(a.between_sd) && isnan(a.within_sd));
		assert_true(isnan(a.var_of_means));
		analyze_instances_clear(&a);
		analyze_instances(v, NULL, 0, &a);
		assert_int_equal(a.k, 0);
		analyze_instances_clear(&a);
	}
}

static struct analyze_fieller iv(double lo, double hi)
{
	struct analyze_fieller f = { 1, lo, hi, 10, 1, NULL };
	return f;
}

/* The rule's edges: an end on the margin is inside; an end on 1 does not
 * exclude 1; unbounded or missing intervals decide nothing. */
static void test_verdict_rule_edges(void **state)
{
	const double M = 0.02;
	struct analyze_fieller a, b, unb = { 1, NAN, NAN, 3, 0, "unbounded" };

	(void)state;
	a = iv(1 / (1 + M), 1 + M);
	b = iv(0.9, 1.1);
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_EQUIVALENT);
	a = iv(1 / (1 + M), nextafter(1 + M, 2));
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_INCONCLUSIVE);
	a = iv(nextafter(1 / (1 + M), 0), 1.0);
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_INCONCLUSIVE);
	/* not equivalent, 95 % interval touching 1 from above: undecided */
	a = iv(1.01, 1.05);
	b = iv(1.0, 1.06);
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_INCONCLUSIVE);
	b = iv(nextafter(1.0, 2), 1.06);
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_FASTER);
	a = iv(0.9, 0.97);
	b = iv(0.89, 1.0);
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_INCONCLUSIVE);
	b = iv(0.89, nextafter(1.0, 0));
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_SLOWER);
	/* an equivalence inside a significant difference: equivalence wins
	 * (the rule's order) */
	a = iv(1.005, 1.015);
	b = iv(1.001, 1.019);
	assert_int_equal(analyze_verdict_rule(&a, &b, M), ANALYZE_EQUIVALENT);
	/* unbounded / missing */
	assert_int_equal(analyze_verdict_rule(&unb, &unb, M),
			 ANALYZE_INCONCLUSIVE);
	assert_int_equal(analyze_verdict_rule(NULL, NULL, M),
			 ANALYZE_INCONCLUSIVE);
	a = iv(0.5, 0.6);
	assert_int_equal(analyze_verdict_rule(&a, &unb, M),
			 ANALYZE_INCONCLUSIVE);
	assert_string_equal(analyze_verdict_name(ANALYZE_EQUIVALENT),
			    "equivalent");
	/* not estimable: one sample, or both sides constant */
	assert_int_equal(analyze_reps_needed(1, NAN, 1, 1, 1, 5, 1, M), -1);
	assert_int_equal(analyze_reps_needed(1, 0, 5, 2, 0, 5, 1, M), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moments_and_cis),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_simultaneous),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_verdict_rule_edges),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_mw_exact_tail),
		cmocka_unit_test(test_mw_all_tied),
		cmocka_unit_test(test_welch_edges),
		cmocka_unit_test(test_small_n),
		cmocka_unit_test(test_tukey),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_spearman_exact),
		cmocka_unit_test(test_formatting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
