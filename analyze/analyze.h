/*
 * analyze/analyze.h - statistics over the samples in a virtbench database:
 * per (host, platform, benchmark) descriptive statistics with confidence
 * intervals, outliers, drift and warnings; per platform a comparison with the
 * same host's baseline platform (speedup with Fieller's interval, Welch's
 * t-test, Mann-Whitney U, Holm-adjusted p); and the comparison of two hosts.
 *
 * Workload: one pass over the sample table (up to millions of rows), values
 * grouped in memory (8 bytes per value plus its outlier class), then
 * O(n log n) per group (sorting for median, quantiles, ranks). Nothing is
 * O(n^2); the exact Mann-Whitney distribution is only built for small
 * samples (< 50).
 *
 * Missing values. A number that cannot be computed from the data (the
 * variance of one sample, a speedup against a baseline mean of zero, a test
 * on constant data) is NAN in these structs, and always comes with a reason
 * string where it matters. Emitters print it as JSON null, or "n/a" in text;
 * no output ever contains "nan". Test with analyze_have().
 *
 * The pure statistics functions (analyze_moments() ... analyze_trend()) take
 * plain arrays and are what the unit tests check against R/scipy reference
 * values; each has its formula in a comment in stats.c.
 *
 * Ownership: analyze_load() and analyze_compare_hosts() hand the caller a
 * result set to free with analyze_set_free() / analyze_cmp_set_free(). All
 * strings and arrays inside belong to the set.
 */
#ifndef VB_ANALYZE_ANALYZE_H
#define VB_ANALYZE_ANALYZE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct db;
struct cJSON;

/* 1 if x is a usable number (not the NAN "not available" marker). */
static inline int analyze_have(double x) { return isfinite(x); }

/* ------------------------------------------------------------------ */
/* Pure statistics (stats.c)                                          */
/* ------------------------------------------------------------------ */

/* Descriptive statistics of n values. mean/min/max need n >= 1; variance
 * (n-1 denominator), stddev and cov (stddev/|mean|, a fraction, not %) need
 * n >= 2 (cov also mean != 0); anything not computable is NAN. Uses a
 * two-pass algorithm (mean first, then squared deviations) for accuracy. */
struct analyze_moments {
	size_t n;
	double mean, variance, stddev, cov, min, max;
};
void analyze_moments(const double *x, size_t n, struct analyze_moments *m);

/* Student-t confidence interval for the mean at the given level (0.95):
 * mean -/+ t_{1-(1-level)/2, n-1} * sd / sqrt(n). Needs n >= 2 and a finite
 * sd; otherwise lo = hi = NAN and returns -1 (no message: not an error). */
int analyze_t_ci(double mean, double sd, size_t n, double level,
		 double *lo, double *hi);

/* Median of sorted values (n >= 1; NAN for n = 0). */
double analyze_median_sorted(const double *sorted, size_t n);
/* Quantile of sorted values, R's default definition (type 7: linear
 * interpolation between order statistics at h = (n-1)p). */
double analyze_quantile_sorted(const double *sorted, size_t n, double p);

/* Distribution-free confidence interval for the median from order
 * statistics: [x_(k), x_(n-k+1)] with k the largest integer such that
 * P(Binomial(n, 1/2) <= k-1) <= (1-level)/2, so the coverage is at least
 * level. Needs n >= 6 at level 0.95; otherwise NAN and returns -1. */
int analyze_median_ci_sorted(const double *sorted, size_t n, double level,
			     double *lo, double *hi);

/* Tukey fences on sorted values with type-7 quartiles: mild outliers lie
 * beyond 1.5 IQR from the quartiles but within 3 IQR; severe beyond 3 IQR.
 * Needs n >= 4 (fewer: no outliers are classified, fences NAN). */
struct analyze_fences {
	double q1, q3, lo_mild, hi_mild, lo_severe, hi_severe;
};
void analyze_tukey_fences(const double *sorted, size_t n,
			  struct analyze_fences *f);
/* 0 = not an outlier, 1 = mild, 2 = severe (0 if the fences are NAN). */
int analyze_outlier_class(const struct analyze_fences *f, double v);

/* Welch's two-sample t-test of x against y (t = (mean x - mean y) / se),
 * Welch-Satterthwaite df, two-sided p. Needs nx, ny >= 2 and not both
 * variances zero; otherwise t/df/p = NAN, *reason set, returns -1. */
struct analyze_welch {
	double t, df, p;
	const char *reason; /* static text when not computable, else NULL */
};
int analyze_welch(const double *x, size_t nx, const double *y, size_t ny,
		  struct analyze_welch *w);
/* The same from summary statistics (variances with n-1 denominators). */
int analyze_welch_summary(double mx, double vx, size_t nx,
			  double my, double vy, size_t ny,
			  struct analyze_welch *w);

/* Mann-Whitney / Wilcoxon rank-sum test with R's wilcox.test(x, y)
 * semantics: u = W = (sum of the ranks of x in the pooled sample) -
 * nx(nx+1)/2; two-sided p exact when nx < 50, ny < 50 and no ties,
 * otherwise the normal approximation with tie correction and continuity
 * correction. Needs nx, ny >= 1; all values tied -> p NAN with a reason
 * (R returns NaN there). Returns 0, or -1 when p is not computable. */
struct analyze_mw {
	double u, p;
	int exact;          /* 1 if p came from the exact distribution */
	const char *reason; /* static text when p is NAN */
};
int analyze_mann_whitney(const double *x, size_t nx, const double *y,
			 size_t ny, struct analyze_mw *r);
/* The same on samples already sorted ascending: O(nx + ny) plus the exact
 * distribution when used. */
int analyze_mann_whitney_sorted(const double *xs, size_t nx,
				const double *ys, size_t ny,
				struct analyze_mw *r);

/* Fieller's confidence interval for the ratio of means mean(x)/mean(y) with
 * unequal variances, as mratios::ttestratio(x, y, var.equal = FALSE): the
 * set of rho with (mx - rho my)^2 <= t^2 (vx/nx + rho^2 vy/ny), t the
 * Student quantile at the Welch-Satterthwaite df evaluated at rho = mx/my.
 * bounded = 0 when my^2 - t^2 vy/ny <= 0 (the set is not a finite
 * interval: lo/hi NAN, reason "unbounded"). Needs nx, ny >= 2, my != 0 and
 * not both variances zero, else ratio may still be set, lo/hi NAN. */
struct analyze_fieller {
	double ratio, lo, hi, df;
	int bounded;
	const char *reason; /* static text when lo/hi are NAN */
};
int analyze_fieller(const double *x, size_t nx, const double *y, size_t ny,
		    double level, struct analyze_fieller *f);
int analyze_fieller_summary(double mx, double vx, size_t nx,
			    double my, double vy, size_t ny, double level,
			    struct analyze_fieller *f);

/* Verdict of one comparison among a family of m (DESIGN.md, "Verdicts"),
 * on the ratio estimate r whose value > 1 means "faster":
 *   equivalent   the (1 - 0.10/m) Fieller interval lies in [1/(1+M), 1+M]
 *                (ends may touch the margin: TOST at 0.05/m each side);
 *   faster       else, the (1 - 0.05/m) interval lies strictly above 1;
 *   slower       else, it lies strictly below 1;
 *   inconclusive otherwise, and whenever the deciding interval is
 *                unbounded or not computable.
 * The intervals are Bonferroni-simultaneous over the m comparisons. */
enum analyze_verdict {
	ANALYZE_INCONCLUSIVE = 0,
	ANALYZE_FASTER,
	ANALYZE_SLOWER,
	ANALYZE_EQUIVALENT,
};
#define ANALYZE_DEFAULT_MARGIN 0.02
/* reps_needed searches at most this many more repetitions per side. */
#define ANALYZE_REPS_MAX 1000000L
/* "faster", "slower", "equivalent", "inconclusive" (static). */
const char *analyze_verdict_name(enum analyze_verdict v);
/* The rule alone, on two computed intervals (either may be NULL = not
 * computable). */
enum analyze_verdict analyze_verdict_rule(const struct analyze_fieller *f90,
					  const struct analyze_fieller *f95,
					  double margin);
/* Both simultaneous Fieller intervals of mx/my for a family of m (m = 0 is
 * taken as 1) into *f90, *f95 (either may be NULL) and the verdict into *v.
 * Returns 0 when decided, -1 when inconclusive. */
int analyze_verdict_summary(double mx, double vx, size_t nx,
			    double my, double vy, size_t ny, size_t m,
			    double margin, struct analyze_fieller *f90,
			    struct analyze_fieller *f95,
			    enum analyze_verdict *v);
/* The smallest k >= 0 such that k more samples on each side, with the
 * observed means and variances, give a decided verdict (0: decided now);
 * -1 when it cannot be estimated (a side with fewer than 2 samples, both
 * variances zero, a zero denominator mean) or needs more than
 * ANALYZE_REPS_MAX. */
long analyze_reps_needed(double mx, double vx, size_t nx, double my,
			 double vy, size_t ny, size_t m, double margin);

/* Replication across instances (Kalibera & Jones 2013): n values, each
 * with the instance (guest boot, container) that took it. Groups the
 * values by instance (ascending instance number; 0 is "not recorded" and
 * forms one instance of its own) and estimates the one-way random-effects
 * model y_ij = mu + b_i + e_ij by the method of moments:
 *   MSW = sum_i sum_j (y_ij - ybar_i)^2 / (N - K)
 *   MSB = sum_i n_i (ybar_i - ybar)^2 / (K - 1)
 *   n0  = (N - sum_i n_i^2 / N) / (K - 1)
 *   within_sd = sqrt(MSW), between_sd = sqrt(max(0, (MSB - MSW) / n0))
 * (within_sd NAN when N = K; both NAN when K < 2). The instance means are
 * the units: mean_of_means, var_of_means (n-1 denominator; NAN for K < 2).
 * Arrays ids/means/n are owned by the struct (analyze_instances_clear). */
struct analyze_instances {
	size_t k;            /* number of instances */
	int *ids;            /* instance numbers, ascending */
	double *means;       /* mean of each instance's values */
	size_t *n;           /* values per instance */
	double between_sd, within_sd;
	double mean_of_means, var_of_means;
};
void analyze_instances(const double *v, const int *instance, size_t n,
		       struct analyze_instances *r);
void analyze_instances_clear(struct analyze_instances *r);

/* Holm's step-down adjustment (R's p.adjust(p, "holm")) of m p-values into
 * adj (may alias p). NAN entries are skipped and stay NAN; m counts only
 * the finite ones. */
void analyze_holm(const double *p, size_t m, double *adj);

/* Two-sided p-value of Spearman's rho for n pairs, as R's
 * cor.test(method = "spearman") computes it by default: without ties and
 * for n <= ANALYZE_SPEARMAN_AS89_MAX_N from the null distribution of
 * S = (n^3 - n)(1 - rho)/6 by AS 89 (Best & Roberts 1975; exact over the
 * n! permutations for n <= ANALYZE_SPEARMAN_ENUM_N, its Edgeworth series
 * beyond); with ties (ties != 0) or larger n, t = rho sqrt((n-2)/(1-rho^2))
 * on n-2 df. NAN when rho is not in [-1, 1] or n is too small. */
#define ANALYZE_SPEARMAN_ENUM_N 9
#define ANALYZE_SPEARMAN_AS89_MAX_N 1290
double analyze_spearman_p(size_t n, double rho, int ties);

/* Drift: Spearman's rank correlation rho between the values and their
 * order (ties get average ranks), p from analyze_spearman_p (ties when the
 * values have any). Needs n >= ANALYZE_DRIFT_MIN_N; significant when
 * p < ANALYZE_DRIFT_ALPHA. */
#define ANALYZE_DRIFT_MIN_N 8
#define ANALYZE_DRIFT_ALPHA 0.01
struct analyze_drift {
	int tested;       /* 0 if n too small or values constant */
	double rho, p;    /* NAN when not tested */
	int significant;
};
void analyze_trend(const double *values, size_t n, struct analyze_drift *d);
/* The same given the values' average ranks (1..n, ties averaged) in order. */
void analyze_trend_ranked(const double *ranks, size_t n,
			  struct analyze_drift *d);

/* ------------------------------------------------------------------ */
/* Results from a database (analyze.c)                                */
/* ------------------------------------------------------------------ */

enum analyze_direction { ANALYZE_HIGHER = 0, ANALYZE_LOWER = 1 };

/* Warning bits of a group; text in analyze_group.warnings_text. */
enum {
	ANALYZE_WARN_FEW_SAMPLES = 1 << 0, /* n < 5 */
	ANALYZE_WARN_HIGH_COV = 1 << 1,    /* CoV > 5 % */
	ANALYZE_WARN_DRIFT = 1 << 2,       /* significant monotone trend */
	ANALYZE_WARN_UNBOUNDED = 1 << 3,   /* Fieller CI unbounded */
	ANALYZE_WARN_ALL_FAILED = 1 << 4,  /* no ok sample at all */
	ANALYZE_WARN_SOME_FAILED = 1 << 5, /* some samples failed */
	ANALYZE_WARN_NO_BASELINE = 1 << 6, /* benchmark missing on baseline */
	ANALYZE_WARN_OUTLIERS = 1 << 7,    /* Tukey outliers present */
	ANALYZE_WARN_ZERO_VAR = 1 << 8,    /* all values identical */
	ANALYZE_WARN_DISTURBED = 1 << 9,   /* samples taken on a busy host */
	ANALYZE_WARN_NESTED = 1 << 10,     /* guest inside a guest (nested.c) */
};
#define ANALYZE_FEW_SAMPLES 5
#define ANALYZE_HIGH_COV 0.05

/* A platform versus its host's baseline platform (or host B vs host A). */
struct analyze_vs {
	int present;        /* 1 for every non-baseline group (even when the
			     * baseline has no data: then numbers are NAN and
			     * reason says why); 0 for the baseline itself */
	double speedup;     /* direction-aware ratio, > 1 = faster; NAN */
	double ci_lo, ci_hi;/* Fieller 95 % CI of speedup; NAN if unavailable */
	int ci_bounded;     /* 0: Fieller's set is unbounded */
	struct analyze_welch welch;  /* platform minus baseline */
	struct analyze_mw mw;        /* platform against baseline */
	double p_holm;      /* Welch p, Holm-adjusted over the output; NAN */
	int significant;    /* p_holm < 0.05 */
	const char *reason; /* static text why speedup/CI are missing, or NULL */
	/* Verdict over the family of the output's comparisons (m =
	 * family_size of the set): the simultaneous Fieller intervals of the
	 * speedup (of the ratio, for compare) at 1 - 0.05/m and 1 - 0.10/m,
	 * NAN when unbounded or not computable; the verdict (for compare,
	 * "faster" means B is faster than A, whatever the direction); the
	 * margin M as a fraction; reps_needed: more repetitions per side that
	 * would decide it at the observed variance, -1 = none (decided, or
	 * not estimable). decided_by names the interval the verdict rests on
	 * ("ci90_simultaneous" for equivalent, "ci95_simultaneous" for
	 * faster/slower) or is NULL when inconclusive. */
	double sim95_lo, sim95_hi, sim90_lo, sim90_hi;
	enum analyze_verdict verdict;
	double margin;
	long reps_needed;
	const char *decided_by;
	/* The Fieller inputs the intervals were computed from (numerator x,
	 * denominator y, after the direction's inversion), and whether a
	 * ratio below 1 means faster (compare, lower-is-better). */
	double in_mx, in_vx, in_my, in_vy;
	size_t in_nx, in_ny;
	/* A side's units are its instance means (two or more instances):
	 * reps_needed then counts more instances, not repetitions. */
	int instance_units;
	int faster_below;
};

struct analyze_group {
	char *host, *platform, *kind, *benchmark, *unit;
	int64_t platform_id, benchmark_id; /* database row ids */
	enum analyze_direction direction;
	int is_baseline;
	/* counts: n is the number of ok values the statistics use */
	size_t n, n_warmup_excluded, n_failed, n_outliers_excluded;
	double mean, median, variance, stddev, cov, min, max; /* NAN: n/a */
	double ci95_lo, ci95_hi;        /* Student t */
	double median_ci_lo, median_ci_hi; /* order statistics, >= 95 % */
	size_t outliers_mild, outliers_severe;
	struct analyze_drift drift;
	unsigned warnings;              /* ANALYZE_WARN_* bits */
	char *warnings_text;            /* "; "-joined messages, or NULL */
	/* The guest ran nested (analyze/nested.c): its libvirt host was
	 * itself a guest, an emulated one when nested_emulated; the host's
	 * hypervisor signature ("" none, NULL not recorded), DMI vendor. */
	int nested, nested_emulated;
	char *nested_hypervisor, *nested_vendor;
	/* Every ok value (outliers included, even with exclude_outliers) in
	 * repetition order (runs by start time, then repetition); 9 bytes
	 * per value is all a set holds per sample: */
	size_t n_values;
	double *values;
	unsigned char *outlier;         /* 0 none, 1 mild, 2 severe */
	/* Disturbance (samples whose host_other_cpu was measured): how many
	 * ok measured samples were disturbed, how many of those the
	 * statistics left out (all of them with exclude_disturbed), and the
	 * cores other processes used, mean and max over the measured ones
	 * (NAN when none was measured). */
	size_t n_disturbed, n_disturbed_excluded, n_disturbance_measured;
	double host_other_cpu_mean, host_other_cpu_max;
	/* Instances among the values used (after exclusions): k, and when
	 * k >= 2 their means, between_sd and within_sd. instances_known = 0
	 * when no value has a recorded instance. */
	struct analyze_instances inst;
	int instances_known;
	/* The units of ci95 and of the Fieller intervals: the values (unit_n
	 * = n), or with two or more instances the instance means (unit_n =
	 * k, Kalibera & Jones). unit_var has the n-1 denominator. */
	double unit_mean, unit_var;
	size_t unit_n;
	struct analyze_vs vs_baseline;
};

struct analyze_opts {
	const char *host;     /* only this host; NULL = all */
	const char *run;      /* only this run (UUID or unique prefix); NULL */
	const char *baseline; /* baseline platform name; NULL = "native" */
	const char *platform; /* only this platform (plus the baseline); NULL */
	int exclude_outliers; /* drop Tukey outliers (mild and severe) */
	double margin;        /* equivalence margin, a fraction; 0 = default
			       * ANALYZE_DEFAULT_MARGIN */
	int exclude_disturbed; /* leave samples flagged disturbed out (they
				* are counted either way) */
};

/* A sibling comparison: two platforms of the same kind on the same host
 * whose settings differ (a study's variants), per benchmark; b relative
 * to a (a = the one recorded first), with the statistics and multiplicity
 * family of the baseline comparisons (analyze/variants.c). */
struct analyze_variant {
	char *host, *kind, *benchmark, *unit;
	char *platform_a, *platform_b;
	enum analyze_direction direction;
	size_t n_a, n_b;
	double mean_a, mean_b;
	/* The settings that differ: differs[i] with values_a[i] and
	 * values_b[i] ("" when a platform has no value recorded). */
	size_t n_differs;
	char **differs, **values_a, **values_b;
	struct analyze_vs vs;   /* speedup > 1: b faster than a */
};

struct analyze_set {
	char *baseline;
	size_t n_variants;
	struct analyze_variant *variants; /* by host, benchmark, then pair */
	size_t n_groups;
	struct analyze_group *groups; /* sorted by host name, benchmark (suite
				       * order: row id), then the baseline
				       * first and platforms in the order
				       * they were first recorded */
	size_t n_comparisons;         /* Holm's m: comparisons with a Welch p */
	size_t family_size;           /* the verdicts' m: the comparisons in
				       * the output with >= 2 samples on
				       * each side (the ones with intervals) */
	double margin;                /* the verdicts' M, a fraction */
};

/* Loads and analyzes the samples matching opts. Warm-up (repetition 0 or
 * status warmup) and failed samples are excluded and counted. *out is owned
 * by the caller (analyze_set_free()). An empty selection is not an error
 * (n_groups = 0). Returns negative after reporting a database error or an
 * unknown run. */
int analyze_load(struct db *db, const struct analyze_opts *opts,
		 struct analyze_set **out);
void analyze_set_free(struct analyze_set *s);

/* compare: host B relative to host A, per (platform, benchmark) present on
 * both. ratio = mean_b/mean_a (not direction-aware, as DESIGN.md says).
 * A pair present on only one host cannot be compared; it is listed in
 * only_a / only_b instead of vanishing (JSON "only_a"/"only_b", a section
 * after the text and Markdown tables; not in CSV, whose rows are one per
 * compared pair). */
struct analyze_cmp {
	char *platform, *benchmark, *unit;
	enum analyze_direction direction;
	size_t n_a, n_b;
	double mean_a, mean_b;
	struct analyze_vs vs; /* speedup = ratio; welch/mw B against A */
};
/* A (platform, benchmark) measured on one of the two hosts only. n is the
 * number of ok samples (0 when every sample failed: mean is then NAN). */
struct analyze_cmp_only {
	char *platform, *benchmark, *unit;
	size_t n;
	double mean;
};
struct analyze_cmp_set {
	char *host_a, *host_b;
	size_t n;
	struct analyze_cmp *items;
	size_t n_comparisons;
	size_t family_size;  /* the verdicts' m, as in analyze_set */
	double margin;
	/* One-sided pairs of each host, platforms in the order they were
	 * first recorded, benchmarks in suite order; with opts->platform,
	 * only that platform's. */
	size_t n_only_a, n_only_b;
	struct analyze_cmp_only *only_a, *only_b;
};
int analyze_compare_hosts(struct db *db, const char *host_a,
			  const char *host_b, const struct analyze_opts *opts,
			  struct analyze_cmp_set **out);
/* The same for two runs (UUIDs or unique prefixes): run B relative to run
 * A, e.g. one host before and after a change; host_a/host_b of the result
 * hold the runs as given. opts->host is ignored. */
int analyze_compare_runs(struct db *db, const char *run_a, const char *run_b,
			 const struct analyze_opts *opts,
			 struct analyze_cmp_set **out);
void analyze_cmp_set_free(struct analyze_cmp_set *s);

/* ------------------------------------------------------------------ */
/* Output (analyze.c)                                                 */
/* ------------------------------------------------------------------ */

enum analyze_format {
	ANALYZE_TEXT, ANALYZE_JSON, ANALYZE_CSV, ANALYZE_MARKDOWN
};
/* Parses a --margin percentage ("2", "0.5") into a fraction: a number
 * above 0 and at most 100. -1 if not (no message: a usage error). */
int analyze_margin_parse(const char *s, double *fraction);

/* The JSON of one comparison (vs_baseline, a variant's): speedup, ci95,
 * welch, mann_whitney, p_holm, significant, reason. Caller owns it. */
struct cJSON *analyze_vs_to_json(const struct analyze_vs *vs);

/* Parses "text|json|csv|markdown"; -1 if unknown (no message). */
int analyze_format_parse(const char *s, enum analyze_format *f);

/* The DESIGN.md analyze JSON: {"baseline": ..., "results": [...]}; each
 * result has host, platform, benchmark, unit, n, mean, median, variance,
 * stddev, cov, min, max, ci95 and, for non-baseline platforms,
 * vs_baseline {speedup, ci95, welch{t,df,p}, mann_whitney{u,p}, p_holm,
 * significant}, plus extra fields (kind, direction, n_warmup, n_failed,
 * median_ci95, outliers, drift, warnings). Unavailable numbers are null.
 * Caller owns the returned tree (cJSON_Delete). */
struct cJSON *analyze_set_to_json(const struct analyze_set *s);
/* The DESIGN.md compare JSON: {"a", "b", "results": [...]} with n_a, n_b,
 * mean_a, mean_b, ratio, ratio_ci95, welch, mann_whitney, significant per
 * pair; beside results, "only_a" and "only_b": the pairs measured on one
 * host only, each {platform, benchmark, unit, n, mean}. Caller owns it. */
struct cJSON *analyze_cmp_set_to_json(const struct analyze_cmp_set *s);

/* Writes the set in a format to f. Returns 0, or -1 on a write error. */
int analyze_print(const struct analyze_set *s, enum analyze_format fmt,
		  FILE *f);
int analyze_cmp_print(const struct analyze_cmp_set *s,
		      enum analyze_format fmt, FILE *f);

/* Formatting shared with report: "0.987× [0.981, 0.993]" (or
 * "0.987× [unbounded]" / "n/a"), and "p<0.001" / "p=0.034" / "n/a".
 * Return buf. */
char *analyze_fmt_speedup(const struct analyze_vs *vs, char *buf, size_t size);
char *analyze_fmt_p(double p, char *buf, size_t size);
/* A number with 4 significant digits, or "n/a" for NAN. */
char *analyze_fmt_num(double v, char *buf, size_t size);

/* Why g's numbers are a nested guest's, as a clause for people ("the
 * KVM guest ran inside a host that is itself a virtual machine (...),
 * so ..."), NULL when g did not run nested. Owned by the caller. */
char *analyze_nested_text(const struct analyze_group *g);

#endif
