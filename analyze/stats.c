/*
 * analyze/stats.c - the statistics themselves, on plain arrays: moments,
 * Student-t and order-statistic intervals, Tukey fences, Welch's t-test,
 * the Mann-Whitney (Wilcoxon rank-sum) test with R's semantics, Fieller's
 * interval for a ratio of means, Holm's adjustment and a Spearman trend
 * test. Distributions (t, normal, binomial) come from GSL; the one
 * approximation written out by hand is AS 89's Edgeworth series for
 * Spearman's S, because R's cor.test uses exactly that.
 *
 * Every function is pure (no database, no output) so the unit tests can
 * compare it with R/scipy on fixture data (tests/ref/gen_stats.py).
 * "Not computable" is NAN plus, where it matters, a static reason string.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "analyze/analyze.h"
#include "common/util.h"

void analyze_moments(const double *x, size_t n, struct analyze_moments *m)
{
	double sum = 0, ss = 0, corr = 0;
	size_t i;

	m->n = n;
	m->mean = m->variance = m->stddev = m->cov = NAN;
	m->min = m->max = NAN;
	if (n == 0)
		return;
	m->min = m->max = x[0];
	for (i = 0; i < n; i++) {
		sum += x[i];
		if (x[i] < m->min)
			m->min = x[i];
		if (x[i] > m->max)
			m->max = x[i];
	}
	m->mean = sum / (double)n;
	if (!isfinite(m->mean) && isfinite(m->min) && isfinite(m->max)) {
		/* The sum overflowed although every value is finite (values
		 * near DBL_MAX): a running mean never exceeds the largest
		 * value, so it cannot. */
		m->mean = 0;
		for (i = 0; i < n; i++)
			m->mean += (x[i] - m->mean) / (double)(i + 1);
	}
	if (n < 2)
		return;
	/* Corrected two-pass algorithm (Chan, Golub & LeVeque): the second
	 * term removes the rounding error left in the mean. */
	for (i = 0; i < n; i++) {
		double d = x[i] - m->mean;
		ss += d * d;
		corr += d;
	}
	m->variance = (ss - corr * corr / (double)n) / (double)(n - 1);
	if (m->variance < 0)
		m->variance = 0;
	m->stddev = sqrt(m->variance);
	if (m->mean != 0)
		m->cov = m->stddev / fabs(m->mean);
}

/* mean -/+ t_{1-a/2, n-1} sd / sqrt(n), a = 1 - level. */
int analyze_t_ci(double mean, double sd, size_t n, double level,
		 double *lo, double *hi)
{
	double t, h;

	*lo = *hi = NAN;
	if (n < 2 || !isfinite(mean) || !isfinite(sd))
		return -1;
	t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 1));
	h = t * sd / sqrt((double)n);
	*lo = mean - h;
	*hi = mean + h;
	return 0;
}

double analyze_median_sorted(const double *s, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2)
		return s[n / 2];
	return (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* R type 7: h = (n-1)p, Q = x[floor h] + (h - floor h)(x[floor h + 1] -
 * x[floor h]) with 0-based indices. */
double analyze_quantile_sorted(const double *s, size_t n, double p)
{
	double h, fl;
	size_t j;

	if (n == 0)
		return NAN;
	h = (double)(n - 1) * p;
	fl = floor(h);
	j = (size_t)fl;
	if (j + 1 >= n)
		return s[n - 1];
	return s[j] + (h - fl) * (s[j + 1] - s[j]);
}

/* The interval [x_(k), x_(n-k+1)] covers the median with probability
 * 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2) (Conover, Practical
 * Nonparametric Statistics, 3.2). Take the largest k with
 * P(B <= k-1) <= (1-level)/2; P is increasing in k, so bisect. */
int analyze_median_ci_sorted(const double *s, size_t n, double level,
			     double *lo, double *hi)
{
	double a2 = (1 - level) / 2;
	size_t klo = 1, khi = n / 2 + 1;

	*lo = *hi = NAN;
	if (n == 0 || n > 0xffffffffu)
		return -1;
	if (gsl_cdf_binomial_P(0, 0.5, (unsigned)n) > a2)
		return -1; /* even [min, max] covers less than level */
	/* invariant: klo satisfies, khi does not */
	while (khi - klo > 1) {
		size_t mid = klo + (khi - klo) / 2;
		if (gsl_cdf_binomial_P((unsigned)(mid - 1), 0.5, (unsigned)n) <= a2)
			klo = mid;
		else
			khi = mid;
	}
	*lo = s[klo - 1];
	*hi = s[n - klo];
	return 0;
}

/* Fences at Q1 - c IQR and Q3 + c IQR, c = 1.5 (mild) and 3 (severe). */
void analyze_tukey_fences(const double *s, size_t n, struct analyze_fences *f)
{
	double iqr;

	f->q1 = f->q3 = f->lo_mild = f->hi_mild = NAN;
	f->lo_severe = f->hi_severe = NAN;
	if (n < 4)
		return;
	f->q1 = analyze_quantile_sorted(s, n, 0.25);
	f->q3 = analyze_quantile_sorted(s, n, 0.75);
	iqr = f->q3 - f->q1;
	f->lo_mild = f->q1 - 1.5 * iqr;
	f->hi_mild = f->q3 + 1.5 * iqr;
	f->lo_severe = f->q1 - 3 * iqr;
	f->hi_severe = f->q3 + 3 * iqr;
}

int analyze_outlier_class(const struct analyze_fences *f, double v)
{
	if (!isfinite(f->q1))
		return 0;
	if (v < f->lo_severe || v > f->hi_severe)
		return 2;
	if (v < f->lo_mild || v > f->hi_mild)
		return 1;
	return 0;
}

/*
 * Welch: se^2 = vx/nx + vy/ny, t = (mx - my)/se,
 * df = se^4 / ((vx/nx)^2/(nx-1) + (vy/ny)^2/(ny-1)),
 * p = 2 P(T_df > |t|). Like R's t.test, refuses data whose standard error
 * is below 10 eps max(|mx|, |my|) ("essentially constant").
 */
int analyze_welch_summary(double mx, double vx, size_t nx,
			  double my, double vy, size_t ny,
			  struct analyze_welch *w)
{
	double ax, ay, se2, se;

	w->t = w->df = w->p = NAN;
	w->reason = NULL;
	if (nx < 2 || ny < 2) {
		w->reason = "fewer than 2 samples";
		return -1;
	}
	ax = vx / (double)nx;
	ay = vy / (double)ny;
	se2 = ax + ay;
	se = sqrt(se2);
	if (!(se > 0 && se >= 10 * DBL_EPSILON * fmax(fabs(mx), fabs(my)))) {
		w->reason = "zero variance";
		return -1;
	}
	w->t = (mx - my) / se;
	w->df = se2 * se2 / (ax * ax / (double)(nx - 1) +
			     ay * ay / (double)(ny - 1));
	w->p = 2 * gsl_cdf_tdist_Q(fabs(w->t), w->df);
	if (w->p > 1)
		w->p = 1;
	return 0;
}

int analyze_welch(const double *x, size_t nx, const double *y, size_t ny,
		  struct analyze_welch *w)
{
	struct analyze_moments a, b;

	analyze_moments(x, nx, &a);
	analyze_moments(y, ny, &b);
	return analyze_welch_summary(a.mean, a.variance, nx, b.mean,
				     b.variance, ny, w);
}

/* ---- Mann-Whitney ---- */

/*
 * The null distribution of W for sizes m, n (no ties): the number of
 * arrangements with W = k is the coefficient of q^k in the Gaussian
 * binomial [m+n choose m]_q. Built with the q-Pascal rule
 * [N choose k] = [N-1 choose k-1] + q^k [N-1 choose k], which only adds
 * non-negative numbers, so tail counts keep full relative precision.
 * Returns an owned array of m*n+1 counts.
 */
static double *mw_counts(size_t m, size_t n)
{
	size_t len = m * n + 1, N, k, j;
	double *g = xcalloc((m + 1) * len, sizeof(double));

	g[0] = 1; /* [0 choose 0] = 1 */
	for (N = 1; N <= m + n; N++) {
		size_t kmax = N < m ? N : m;
		/* descending k: row k-1 still holds [N-1 choose k-1] */
		for (k = kmax; k >= 1; k--) {
			double *cur = g + k * len, *prev = g + (k - 1) * len;
			size_t deg = k * (N - k); /* degree of [N choose k] */
			if (N - k > n)
				deg = 0; /* never used: N-k exceeds n */
			for (j = deg + 1; j-- > 0;) {
				double v = j < len ? prev[j] : 0;
				if (j >= k)
					v += cur[j - k];
				cur[j] = v;
			}
			/* entries above deg keep stale values only if the
			 * degree shrank, which it never does as N grows */
		}
	}
	memmove(g, g + m * len, len * sizeof(double));
	return g;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int analyze_mann_whitney(const double *x, size_t nx, const double *y,
			 size_t ny, struct analyze_mw *r)
{
	double *xs = xmalloc((nx + ny + 1) * sizeof(double)), *ys = xs + nx;
	int ret;

	memcpy(xs, x, nx * sizeof(double));
	memcpy(ys, y, ny * sizeof(double));
	qsort(xs, nx, sizeof(double), dbl_cmp);
	qsort(ys, ny, sizeof(double), dbl_cmp);
	ret = analyze_mann_whitney_sorted(xs, nx, ys, ny, r);
	free(xs);
	return ret;
}

int analyze_mann_whitney_sorted(const double *xs, size_t nx,
				const double *ys, size_t ny,
				struct analyze_mw *r)
{
	size_t N = nx + ny, i = 0, j = 0, pos = 0;
	double rx = 0, ties = 0;
	int has_ties = 0;

	r->u = r->p = NAN;
	r->exact = 0;
	r->reason = NULL;
	if (nx < 1 || ny < 1) {
		r->reason = "no samples";
		return -1;
	}
	for (i = 0; i < nx; i++)
		if (!isfinite(xs[i]))
			goto nonfinite;
	for (j = 0; j < ny; j++)
		if (!isfinite(ys[j]))
			goto nonfinite;
	i = j = 0;
	/* Merge the two sorted samples; each run of equal values (from
	 * either sample) shares the average of the ranks pos+1..pos+t, and
	 * adds t^3 - t to the tie correction. O(nx + ny). */
	while (i < nx || j < ny) {
		double v = i < nx && (j >= ny || xs[i] <= ys[j]) ? xs[i] : ys[j];
		size_t ci = 0, cj = 0;
		double t, rank;
		while (i < nx && xs[i] == v) {
			i++;
			ci++;
		}
		while (j < ny && ys[j] == v) {
			j++;
			cj++;
		}
		t = (double)(ci + cj);
		rank = ((double)pos + 1 + (double)pos + t) / 2;
		rx += rank * (double)ci;
		if (ci + cj > 1) {
			has_ties = 1;
			ties += t * t * t - t;
		}
		pos += ci + cj;
	}
	/* W = R_x - nx(nx+1)/2 */
	r->u = rx - (double)nx * (double)(nx + 1) / 2;

	if (nx < 50 && ny < 50 && !has_ties) {
		/* exact: p = 2 min(P(W <= w), P(W >= w)), capped at 1, with
		 * the tail chosen as R does (w > nx ny / 2: upper tail) */
		double *c = mw_counts(nx, ny), total = 0, tail = 0;
		size_t w = (size_t)llround(r->u), len = nx * ny + 1;
		for (i = 0; i < len; i++)
			total += c[i];
		if (r->u > (double)nx * (double)ny / 2) {
			for (i = w; i < len; i++)
				tail += c[i];
		} else {
			for (i = 0; i <= w; i++)
				tail += c[i];
		}
		free(c);
		r->p = fmin(1, 2 * tail / total);
		r->exact = 1;
		return 0;
	}
	/*
	 * Normal approximation: z = W - nx ny/2,
	 * sigma = sqrt(nx ny/12 ((N+1) - sum(t^3-t)/(N(N-1)))),
	 * z' = (z - sign(z)/2)/sigma (continuity correction),
	 * p = 2 min(Phi(z'), 1 - Phi(z')).
	 */
	{
		double z = r->u - (double)nx * (double)ny / 2;
		double dn = (double)N;
		double sigma = sqrt((double)nx * (double)ny / 12 *
				    ((dn + 1) - ties / (dn * (dn - 1))));
		double corr = z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
		if (!(sigma > 0)) {
			r->reason = "all values tied";
			return -1;
		}
		z = (z - corr) / sigma;
		r->p = fmin(1, 2 * fmin(gsl_cdf_ugaussian_P(z),
					gsl_cdf_ugaussian_Q(z)));
	}
	return 0;
nonfinite:
	r->reason = "non-finite value";
	return -1;
}

/* ---- Fieller ---- */

/*
 * Fieller's interval for rho = mx/my with unequal variances (Tamhane &
 * Logan 2004; mratios::ttestratio(x, y, var.equal = FALSE), iterativeCI =
 * FALSE, mratios >= 1.4):
 *   df  = max(1, (vx/nx + r^2 vy/ny)^2 /
 *               (vx^2/(nx^2 (nx-1)) + r^4 vy^2/(ny^2 (ny-1))))  at r = mx/my
 *   t   = t_{1-a/2, df}
 *   A   = t^2 vy/ny - my^2,  B = 2 mx my,  C = t^2 vx/nx - mx^2
 * The interval is {rho : (mx - rho my)^2 <= t^2 (vx/nx + rho^2 vy/ny)},
 * i.e. {rho : A rho^2 + B rho + C >= 0}, with ends
 *   B/(-2A) -/+ sqrt((B/2)^2 - A C)/A,
 * where (B/2)^2 - AC = t^2 (ay mx^2 + ax my^2 - t^2 ax ay), ax = vx/nx,
 * ay = vy/ny (the form without cancellation);
 * it is a finite interval only when A < 0 (the denominator mean is
 * significantly non-zero); otherwise the set is unbounded.
 * Differences from mratios: it stops on either sample being constant; we
 * only refuse when both are (one constant sample still gives a finite df).
 */
int analyze_fieller_summary(double mx, double vx, size_t nx,
			    double my, double vy, size_t ny, double level,
			    struct analyze_fieller *f)
{
	double r, ax, ay, num, den, t, A, B, disc, c0, h, l1, l2;

	f->ratio = f->lo = f->hi = f->df = NAN;
	f->bounded = 0;
	f->reason = NULL;
	if (nx < 1 || ny < 1 || my == 0 || !isfinite(mx) || !isfinite(my)) {
		f->reason = nx < 1 || ny < 1 ? "no samples" :
			my == 0 ? "baseline mean is zero" :
			"a mean is not a finite number (overflow)";
		return -1;
	}
	r = mx / my;
	f->ratio = r;
	if (nx < 2 || ny < 2) {
		f->reason = "fewer than 2 samples";
		return -1;
	}
	ax = vx / (double)nx;
	ay = vy / (double)ny;
	if (!(ax > 0 || ay > 0)) {
		f->reason = "zero variance";
		return -1;
	}
	num = (ax + r * r * ay) * (ax + r * r * ay);
	den = ax * ax / (double)(nx - 1) +
	      r * r * r * r * ay * ay / (double)(ny - 1);
	f->df = fmax(1, num / den);
	t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, f->df);
	A = t * t * vy / (double)ny - my * my;
	B = 2 * mx * my;
	if (A >= 0) {
		f->reason = "unbounded";
		return -1;
	}
	/* (B/2)^2 - AC expanded: the two mx^2 my^2 terms cancel exactly,
	 * which the subtraction would do in floating point, losing every
	 * digit on near-constant data (ax, ay tiny next to mx^2 my^2). */
	disc = t * t * (ay * mx * mx + ax * my * my - t * t * ax * ay);
	if (disc < 0)
		disc = 0; /* rounding: the estimate always lies inside */
	c0 = B / (-2 * A);
	h = sqrt(disc) / A; /* negative, since A < 0 */
	l1 = c0 - h;
	l2 = c0 + h;
	f->lo = fmin(l1, l2);
	f->hi = fmax(l1, l2);
	f->bounded = 1;
	return 0;
}

int analyze_fieller(const double *x, size_t nx, const double *y, size_t ny,
		    double level, struct analyze_fieller *f)
{
	struct analyze_moments a, b;

	analyze_moments(x, nx, &a);
	analyze_moments(y, ny, &b);
	return analyze_fieller_summary(a.mean, a.variance, nx, b.mean,
				       b.variance, ny, level, f);
}

/* ---- verdicts ---- */

const char *analyze_verdict_name(enum analyze_verdict v)
{
	switch (v) {
	case ANALYZE_FASTER:
		return "faster";
	case ANALYZE_SLOWER:
		return "slower";
	case ANALYZE_EQUIVALENT:
		return "equivalent";
	case ANALYZE_INCONCLUSIVE:
	default:
		return "inconclusive";
	}
}

/*
 * The rule of DESIGN.md, in its order: equivalence first (the two
 * one-sided tests at alpha/m each are the 1 - 2 alpha/m interval, alpha =
 * 0.05, inside the margin; the ends may touch it), then a difference (the
 * 1 - alpha/m two-sided interval entirely on one side of 1, strictly: an
 * end at exactly 1 does not exclude 1). An unbounded interval decides
 * nothing.
 */
enum analyze_verdict analyze_verdict_rule(const struct analyze_fieller *f90,
					  const struct analyze_fieller *f95,
					  double margin)
{
	if (f90 && f90->bounded && f90->lo >= 1 / (1 + margin) &&
	    f90->hi <= 1 + margin)
		return ANALYZE_EQUIVALENT;
	if (f95 && f95->bounded && f95->lo > 1)
		return ANALYZE_FASTER;
	if (f95 && f95->bounded && f95->hi < 1)
		return ANALYZE_SLOWER;
	return ANALYZE_INCONCLUSIVE;
}

int analyze_verdict_summary(double mx, double vx, size_t nx,
			    double my, double vy, size_t ny, size_t m,
			    double margin, struct analyze_fieller *f90,
			    struct analyze_fieller *f95,
			    enum analyze_verdict *v)
{
	struct analyze_fieller a, b;

	if (!f90)
		f90 = &a;
	if (!f95)
		f95 = &b;
	*v = ANALYZE_INCONCLUSIVE;
	if (m < 1)
		m = 1;
	analyze_fieller_summary(mx, vx, nx, my, vy, ny, 1 - 0.10 / (double)m,
				f90);
	analyze_fieller_summary(mx, vx, nx, my, vy, ny, 1 - 0.05 / (double)m,
				f95);
	*v = analyze_verdict_rule(f90, f95, margin);
	return *v == ANALYZE_INCONCLUSIVE ? -1 : 0;
}

/*
 * Repetitions to a decision: k more samples on each side with the same
 * means and variances. Fieller's set {rho : (mx - rho my)^2 <= t^2 (vx/
 * (nx+k) + rho^2 vy/(ny+k))} shrinks as k grows (both t^2 and the
 * variances of the means fall), so "decided after k more" is monotone in
 * k: double k until decided, then bisect for the smallest such k.
 */
long analyze_reps_needed(double mx, double vx, size_t nx, double my,
			 double vy, size_t ny, size_t m, double margin)
{
	enum analyze_verdict v;
	long lo = 0, hi = 1;

	if (nx < 2 || ny < 2 || !isfinite(vx) || !isfinite(vy) ||
	    !isfinite(mx) || !isfinite(my) || my == 0 || !(vx > 0 || vy > 0))
		return -1;
	if (analyze_verdict_summary(mx, vx, nx, my, vy, ny, m, margin, NULL,
				    NULL, &v) == 0)
		return 0;
	/* invariant: lo more do not decide, hi more might */
	for (;;) {
		if (analyze_verdict_summary(mx, vx, nx + (size_t)hi, my, vy,
					    ny + (size_t)hi, m, margin, NULL,
					    NULL, &v) == 0)
			break;
		lo = hi;
		if (hi >= ANALYZE_REPS_MAX)
			return -1;
		hi *= 2;
		if (hi > ANALYZE_REPS_MAX)
			hi = ANALYZE_REPS_MAX;
	}
	while (hi - lo > 1) {
		long mid = lo + (hi - lo) / 2;
		if (analyze_verdict_summary(mx, vx, nx + (size_t)mid, my, vy,
					    ny + (size_t)mid, m, margin, NULL,
					    NULL, &v) == 0)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* ---- instances ---- */

struct iv_item {
	int inst;
	double v;
};

static int iv_cmp(const void *a, const void *b)
{
	const struct iv_item *x = a, *y = b;
	return (x->inst > y->inst) - (x->inst < y->inst);
}

void analyze_instances_clear(struct analyze_instances *r)
{
	if (!r)
		return;
	free(r->ids);
	free(r->means);
	free(r->n);
	memset(r, 0, sizeof(*r));
	r->between_sd = r->within_sd = NAN;
	r->mean_of_means = r->var_of_means = NAN;
}

/* One sort by instance, then per instance its mean and the squared
 * deviations from it (two passes per instance, as analyze_moments). */
void analyze_instances(const double *v, const int *instance, size_t n,
		       struct analyze_instances *r)
{
	struct iv_item *it;
	struct analyze_moments mm;
	double ssw = 0, ssb = 0, sum_n2 = 0, grand = 0, dn = (double)n;
	size_t i, j, k = 0;

	memset(r, 0, sizeof(*r));
	r->between_sd = r->within_sd = NAN;
	r->mean_of_means = r->var_of_means = NAN;
	if (n == 0)
		return;
	it = xmalloc(n * sizeof(*it));
	for (i = 0; i < n; i++)
		it[i] = (struct iv_item){ instance ? instance[i] : 0, v[i] };
	qsort(it, n, sizeof(*it), iv_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && it[j].inst == it[i].inst; j++)
			;
		k++;
	}
	r->k = k;
	r->ids = xmalloc(k * sizeof(int));
	r->means = xmalloc(k * sizeof(double));
	r->n = xmalloc(k * sizeof(size_t));
	for (i = 0, k = 0; i < n; i = j, k++) {
		double sum = 0, m;
		for (j = i; j < n && it[j].inst == it[i].inst; j++)
			sum += it[j].v;
		m = sum / (double)(j - i);
		for (size_t q = i; q < j; q++)
			ssw += (it[q].v - m) * (it[q].v - m);
		r->ids[k] = it[i].inst;
		r->means[k] = m;
		r->n[k] = j - i;
		grand += sum;
		sum_n2 += (double)(j - i) * (double)(j - i);
	}
	free(it);
	analyze_moments(r->means, r->k, &mm);
	r->mean_of_means = mm.mean;
	r->var_of_means = mm.variance;
	if (r->k < 2)
		return;
	grand /= dn;
	for (i = 0; i < r->k; i++)
		ssb += (double)r->n[i] * (r->means[i] - grand) *
		       (r->means[i] - grand);
	if (n > r->k) {
		double msw = ssw / (dn - (double)r->k);
		double msb = ssb / (double)(r->k - 1);
		double n0 = (dn - sum_n2 / dn) / (double)(r->k - 1);

		r->within_sd = sqrt(msw);
		r->between_sd = sqrt(fmax(0, (msb - msw) / n0));
	}
}

/* ---- Holm ---- */

struct holm_item {
	double p;
	size_t i;
};

static int holm_cmp(const void *a, const void *b)
{
	const struct holm_item *x = a, *y = b;
	if (x->p != y->p)
		return (x->p > y->p) - (x->p < y->p);
	return (x->i > y->i) - (x->i < y->i);
}

/* With the m finite p-values sorted ascending, p_(1) <= ... <= p_(m):
 * adj_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)). */
void analyze_holm(const double *p, size_t m_all, double *adj)
{
	struct holm_item *s = xmalloc((m_all ? m_all : 1) * sizeof(*s));
	size_t m = 0, i;
	double run = 0;

	for (i = 0; i < m_all; i++)
		if (isfinite(p[i]))
			s[m++] = (struct holm_item){ p[i], i };
	for (i = 0; i < m_all; i++)
		if (!isfinite(p[i]))
			adj[i] = NAN;
	qsort(s, m, sizeof(*s), holm_cmp);
	for (i = 0; i < m; i++) {
		double v = (double)(m - i) * s[i].p;
		if (v > run)
			run = v;
		adj[s[i].i] = fmin(1, run);
	}
	free(s);
}

/* ---- drift ---- */

struct rank_item {
	double v;
	size_t i;
};

static int rank_cmp(const void *a, const void *b)
{
	double x = ((const struct rank_item *)a)->v;
	double y = ((const struct rank_item *)b)->v;
	return (x > y) - (x < y);
}

/*
 * The null distribution of S = sum_i (p_i - i)^2 over the n! permutations
 * p of 1..n, by dynamic programming over the set of ranks already placed:
 * cnt[mask][s] counts the ways to give positions 1..popcount(mask) the
 * ranks in mask with partial sum s. n <= ANALYZE_SPEARMAN_ENUM_N keeps it
 * small (2^9 masks x 241 sums) and every count below 9! exact. Computed
 * once per n (a million steps for n = 9) and kept, because analyze may
 * test thousands of groups of 8 or 9 samples; analyze is single-threaded.
 */
#define SPEARMAN_SMAX(n) ((n) * ((n) * (n) - 1) / 3)
static const unsigned long *spearman_null(unsigned n)
{
	static unsigned long dist[ANALYZE_SPEARMAN_ENUM_N + 1]
				 [SPEARMAN_SMAX(ANALYZE_SPEARMAN_ENUM_N) + 1];
	static unsigned char have[ANALYZE_SPEARMAN_ENUM_N + 1];
	unsigned smax = SPEARMAN_SMAX(n), full = (1u << n) - 1;
	unsigned mask, r, s;
	unsigned long *cnt;

	if (have[n])
		return dist[n];
	cnt = xcalloc((size_t)(full + 1) * (smax + 1), sizeof(*cnt));
	cnt[0] = 1;
	for (mask = 0; mask < full; mask++) {
		unsigned pos = (unsigned)__builtin_popcount(mask) + 1;
		unsigned long *row = cnt + (size_t)mask * (smax + 1);
		for (s = 0; s <= smax; s++) {
			if (!row[s])
				continue;
			for (r = 0; r < n; r++) {
				int d = (int)pos - (int)(r + 1);
				unsigned ns = s + (unsigned)(d * d);
				if (mask & (1u << r))
					continue;
				cnt[(size_t)(mask | (1u << r)) * (smax + 1) + ns]
					+= row[s];
			}
		}
	}
	memcpy(dist[n], cnt + (size_t)full * (smax + 1),
	       (smax + 1) * sizeof(*cnt));
	free(cnt);
	have[n] = 1;
	return dist[n];
}

/* P(S >= is), or P(S < is) when lower (AS 89's two tails), n <= 9 */
static double spearman_enum_tail(unsigned n, double is, int lower)
{
	const unsigned long *c = spearman_null(n);
	unsigned long ge = 0, total = 0;
	unsigned s;

	for (s = 0; s <= SPEARMAN_SMAX(n); s++) {
		total += c[s];
		if ((double)s >= is)
			ge += c[s];
	}
	return (double)(lower ? total - ge : ge) / (double)total;
}

/*
 * AS 89 (Best & Roberts 1975) for n > ANALYZE_SPEARMAN_ENUM_N: the normal
 * tail of x = -rho' sqrt(n-1), rho' the rho of S = is - 1 (a continuity
 * correction of one step of S), plus their Edgeworth correction term
 * x/n P(x^2, 1/n) e^{-x^2/2} with the paper's twelve coefficients. As R's
 * prho, the result is clamped to [0, 1] (far in the tails the series
 * overshoots, and R then says 0).
 */
static double spearman_edgeworth_tail(double n, double is, int lower)
{
	static const double c[13] = { 0, .2274, .2531, .1745, .0758, .1033,
				      .3932, .0879, .0151, .0072, .0831,
				      .0131, 4.6e-4 };
	double b = 1 / n, x, y, poly, corr, p;

	x = (6 * (is - 1) / (n * (n * n - 1)) - 1) * sqrt(n - 1);
	y = x * x;
	/* the series, grouped by powers of y = x^2 */
	poly = c[1] + b * (c[2] + b * c[3])
	       + y * (-c[4] + b * (c[5] + b * c[6]))
	       - y * y * b * (c[7] + b * c[8])
	       + y * y * y * b * (c[9] - b * c[10])
	       + y * y * y * y * b * b * (c[11] - y * c[12]);
	corr = x * b * poly * exp(-y / 2);
	p = lower ? gsl_cdf_ugaussian_P(x) - corr
		  : gsl_cdf_ugaussian_Q(x) + corr;
	return fmin(1, fmax(0, p));
}

/* P(S >= is) (or P(S < is) when lower) under independence, AS 89 */
static double spearman_as89_tail(size_t n, double is, int lower)
{
	double nn = (double)n, smax = nn * (nn * nn - 1) / 3;

	if (is <= 0)
		return lower ? 0 : 1;
	if (is > smax)
		return lower ? 1 : 0;
	if (n <= ANALYZE_SPEARMAN_ENUM_N)
		return spearman_enum_tail((unsigned)n, is, lower);
	return spearman_edgeworth_tail(nn, is, lower);
}

double analyze_spearman_p(size_t n, double rho, int ties)
{
	double nn = (double)n, den = nn * (nn * nn - 1) / 6, q, t, p;

	if (n < 2 || !(rho >= -1 && rho <= 1))
		return NAN;
	/* the statistic R reports, S = (n^3 - n)(1 - rho)/6: without ties it
	 * is sum (rank - i)^2, an even integer */
	q = den * (1 - rho);
	if (!ties && n <= ANALYZE_SPEARMAN_AS89_MAX_N) {
		q = round(q);
		/* the tail on the observed side; the lower one as
		 * P(S < q + 2) = P(S <= q), S taking even values */
		p = q > den ? spearman_as89_tail(n, q, 0)
			    : spearman_as89_tail(n, q + 2, 1);
		return fmin(1, 2 * p);
	}
	if (n < 3)
		return NAN;
	/* t = rho sqrt((n-2)/(1-rho^2)) on n-2 df, rho recovered from S as
	 * R does (a no-op up to rounding) */
	rho = 1 - q / den;
	if (rho >= 1 || rho <= -1)
		return 0;
	t = rho * sqrt((nn - 2) / (1 - rho * rho));
	return fmin(1, 2 * gsl_cdf_tdist_Q(fabs(t), nn - 2));
}

/*
 * Spearman's rho = Pearson correlation of (average) ranks of the values
 * with the ranks 1..n of their order, its two-sided p-value as R's
 * cor.test(x, 1:n, method = "spearman") gives it (analyze_spearman_p).
 * O(n log n) (O(1) for the p-value beyond n = 9), so it also serves
 * 20,000 repetitions.
 */
void analyze_trend(const double *v, size_t n, struct analyze_drift *d)
{
	struct rank_item *it;
	double *rk;
	size_t i, j;

	if (n < ANALYZE_DRIFT_MIN_N) {
		analyze_trend_ranked(NULL, n, d);
		return;
	}
	it = xmalloc(n * sizeof(*it));
	rk = xmalloc(n * sizeof(*rk));
	for (i = 0; i < n; i++)
		it[i] = (struct rank_item){ v[i], i };
	qsort(it, n, sizeof(*it), rank_cmp);
	for (i = 0; i < n; i = j) {
		size_t k;
		for (j = i + 1; j < n && it[j].v == it[i].v; j++)
			;
		for (k = i; k < j; k++)
			rk[it[k].i] = ((double)(i + 1) + (double)j) / 2;
	}
	free(it);
	analyze_trend_ranked(rk, n, d);
	free(rk);
}

/* 1 when the average ranks rk[0..n-1] are not a permutation of 1..n,
 * i.e. some values were tied */
static int ranks_tied(const double *rk, size_t n)
{
	unsigned char *seen = xcalloc(n + 1, 1);
	int tied = 0;
	size_t i;

	for (i = 0; i < n && !tied; i++) {
		double r = rk[i];
		if (!(r >= 1 && r <= (double)n) || r != floor(r) ||
		    seen[(size_t)r])
			tied = 1;
		else
			seen[(size_t)r] = 1;
	}
	free(seen);
	return tied;
}

void analyze_trend_ranked(const double *rk, size_t n, struct analyze_drift *d)
{
	double mr, sxy = 0, sxx = 0, syy = 0;
	size_t i;

	d->tested = 0;
	d->rho = d->p = NAN;
	d->significant = 0;
	if (n < ANALYZE_DRIFT_MIN_N)
		return;
	mr = ((double)n + 1) / 2;
	for (i = 0; i < n; i++) {
		double a = rk[i] - mr, b = (double)(i + 1) - mr;
		sxy += a * b;
		sxx += a * a;
		syy += b * b;
	}
	if (!(sxx > 0))
		return; /* constant values: no trend to test */
	d->tested = 1;
	d->rho = fmax(-1, fmin(1, sxy / sqrt(sxx * syy)));
	d->p = analyze_spearman_p(n, d->rho, ranks_tied(rk, n));
	d->significant = d->p < ANALYZE_DRIFT_ALPHA;
}
