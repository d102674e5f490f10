/*
 * tests/unit/test_analyze.c - analyze/analyze.c and analyze/output.c on a
 * real temporary database built with the db_* API: grouping, warm-up and
 * failed samples, repetition order, the baseline comparison (direction
 * aware), Holm over the set, outliers, drift, filters, host comparison,
 * and the edge cases the issue lists (n = 1, n = 2, zero variance, ties
 * everywhere, a baseline with one sample, a platform whose samples all
 * failed, a benchmark missing on the baseline), pairs that only one host
 * of a comparison has - with every output format checked to never print
 * NaN.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <math.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "common/util.h"
#include "db/db.h"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/vbtest-analyze.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/vb.db", f->dir);
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &f->db), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	unlink(f->path);
	{
		char p[160];
		snprintf(p, sizeof(p), "%s-wal", f->path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", f->path);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t host(struct fx *f, const char *name)
{
	int64_t id;
	assert_int_equal(db_host_ensure_named(f->db, name, 0, &id), 0);
	return id;
}

static int64_t plat(struct fx *f, int64_t h, const char *name)
{
	int64_t id;
	assert_int_equal(db_platform_ensure(f->db, h, name,
					    !strcmp(name, "native") ? "native"
					    : "kvm", &id), 0);
	return id;
}

static int64_t bench(struct fx *f, const char *name, const char *dir)
{
	int64_t id;
	assert_int_equal(db_benchmark_ensure(f->db, name, "u", dir, &id), 0);
	return id;
}

static int64_t run(struct fx *f, int64_t h, const char *started, char *uuid)
{
	struct db_run r = { .host_id = h, .suite = "test",
			    .started_at = started, .status = "complete" };
	int64_t id;

	assert_int_equal(db_run_create(f->db, &r, &id), 0);
	if (uuid)
		strcpy(uuid, r.uuid);
	return id;
}

static void add(struct fx *f, int64_t r, int64_t p, int64_t b, int rep,
		double v, const char *status)
{
	struct db_sample s = {
		.run_id = r, .platform_id = p, .benchmark_id = b,
		.repetition = rep, .has_value = strcmp(status, "failed") != 0,
		.value = v, .status = status, .started_at =
		"2026-11-25T10:00:00.000Z", .duration = 1,
		.error = strcmp(status, "failed") ? NULL : "boom",
	};
	assert_int_equal(db_sample_insert(f->db, &s), 0);
}

/* adds values as repetitions 1..n */
static void add_all(struct fx *f, int64_t r, int64_t p, int64_t b,
		    const double *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		add(f, r, p, b, (int)i + 1, v[i], "ok");
}

static const struct analyze_group *find(const struct analyze_set *s,
					const char *host_name,
					const char *platform,
					const char *benchmark)
{
	size_t i;
	for (i = 0; i < s->n_groups; i++) {
		const struct analyze_group *g = &s->groups[i];
		if (!strcmp(g->platform, platform) &&
		    !strcmp(g->benchmark, benchmark) &&
		    (!host_name || !strcmp(g->host, host_name)))
			return g;
	}
	fail_msg("no group %s/%s", platform, benchmark);
	return NULL;
}

/* the same number computed another way: 1e-12 relative (METHODS.md's
 * tolerances are relative), exactly where want is 0 */
static void eq(double got, double want)
{
	if (!(fabs(got - want) <= 1e-12 * fabs(want)))
		fail_msg("got %.17g want %.17g", got, want);
}

/* Every format of the set must be free of nan/inf. */
static void no_nan_anywhere(const struct analyze_set *s)
{
	enum analyze_format fm[] = { ANALYZE_TEXT, ANALYZE_JSON, ANALYZE_CSV,
				     ANALYZE_MARKDOWN };
	size_t i;

	for (i = 0; i < 4; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		assert_int_equal(analyze_print(s, fm[i], m), 0);
		fclose(m);
		if (strcasestr(buf, "nan") || strcasestr(buf, "inf"))
			fail_msg("format %zu printed nan/inf:\n%s", i, buf);
		free(buf);
	}
}

static const double NAT[] = { 100.2, 99.1, 101.5, 100.8, 98.9, 100.4,
			      99.7, 100.9, 101.1, 99.5 };
static const double KVM[] = { 97.1, 96.4, 98.2, 97.9, 96.0, 97.5, 96.8,
			      98.0, 97.3, 96.6 };

static void test_basic_vs_baseline(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h1"), n = plat(f, h, "native"),
		k = plat(f, h, "kvm"), b = bench(f, "cpu", "higher"),
		r = run(f, h, NULL, NULL);
	struct analyze_set *s;
	const struct analyze_group *gn, *gk;
	struct analyze_moments m;
	struct analyze_fieller fl;
	struct analyze_welch w;
	struct analyze_mw mw;

	(void)state;
	add(f, r, n, b, 0, 50, "warmup");
	add(f, r, k, b, 0, 40, "warmup");
	add_all(f, r, n, b, NAT, 10);
	add_all(f, r, k, b, KVM, 10);
	add(f, r, k, b, 11, 0, "failed");
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	assert_int_equal(s->n_groups, 2);
	assert_string_equal(s->baseline, "native");
	/* baseline first within host and benchmark */
	assert_string_equal(s->groups[0].platform, "native");
	gn = find(s, "h1", "native", "cpu");
	gk = find(s, "h1", "kvm", "cpu");
	assert_true(gn->is_baseline);
	assert_false(gn->vs_baseline.present);
	assert_int_equal(gn->n, 10);
	assert_int_equal(gn->n_warmup_excluded, 1);
	assert_int_equal(gk->n_failed, 1);
	assert_true(gk->warnings & ANALYZE_WARN_SOME_FAILED);
	analyze_moments(NAT, 10, &m);
	eq(gn->mean, m.mean);
	eq(gn->variance, m.variance);
	eq(gn->cov, m.cov);
	assert_int_equal(gn->n_values, 10);
	eq(gn->values[2], NAT[2]);
	/* the comparison is exactly the pure functions' */
	analyze_fieller(KVM, 10, NAT, 10, 0.95, &fl);
	analyze_welch(KVM, 10, NAT, 10, &w);
	analyze_mann_whitney(KVM, 10, NAT, 10, &mw);
	assert_true(gk->vs_baseline.present);
	eq(gk->vs_baseline.speedup, fl.ratio);
	eq(gk->vs_baseline.ci_lo, fl.lo);
	eq(gk->vs_baseline.ci_hi, fl.hi);
	assert_true(gk->vs_baseline.speedup < 1);
	eq(gk->vs_baseline.welch.t, w.t);
	assert_true(w.t < 0); /* platform minus baseline */
	eq(gk->vs_baseline.mw.u, mw.u);
	eq(gk->vs_baseline.mw.p, mw.p);
	assert_int_equal(s->n_comparisons, 1);
	eq(gk->vs_baseline.p_holm, w.p);
	assert_true(gk->vs_baseline.significant);
	no_nan_anywhere(s);

	/* the JSON carries DESIGN.md's names */
	{
		cJSON *j = analyze_set_to_json(s), *res, *o, *vs;
		assert_string_equal(cJSON_GetObjectItem(j, "baseline")->valuestring,
				    "native");
		res = cJSON_GetObjectItem(j, "results");
		assert_int_equal(cJSON_GetArraySize(res), 2);
		o = cJSON_GetArrayItem(res, 1);
		assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0),
						"vs_baseline"));
		{
			const char *keys[] = { "host", "platform", "benchmark",
				"unit", "n", "mean", "median", "variance",
				"stddev", "cov", "min", "max", "ci95" };
			size_t i;
			for (i = 0; i < VB_ARRAY_SIZE(keys); i++)
				assert_non_null(cJSON_GetObjectItem(o, keys[i]));
		}
		vs = cJSON_GetObjectItem(o, "vs_baseline");
		assert_non_null(vs);
		eq(cJSON_GetObjectItem(vs, "speedup")->valuedouble, fl.ratio);
		eq(cJSON_GetArrayItem(cJSON_GetObjectItem(vs, "ci95"), 0)->valuedouble,
		   fl.lo);
		eq(cJSON_GetObjectItem(cJSON_GetObjectItem(vs, "welch"), "df")
		   ->valuedouble, w.df);
		eq(cJSON_GetObjectItem(cJSON_GetObjectItem(vs, "mann_whitney"), "u")
		   ->valuedouble, mw.u);
		assert_non_null(cJSON_GetObjectItem(vs, "p_holm"));
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(vs, "significant")));
		cJSON_Delete(j);
	}
	analyze_set_free(s);
}

static void test_lower_is_better(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h1"), n = plat(f, h, "native"),
		k = plat(f, h, "kvm"), b = bench(f, "lat", "lower"),
		r = run(f, h, NULL, NULL);
	struct analyze_set *s;
	const struct analyze_group *gk;
	struct analyze_fieller fl;

	add_all(f, r, n, b, KVM, 10); /* native has the lower latency */
	add_all(f, r, k, b, NAT, 10);
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	gk = find(s, "h1", "kvm", "lat");
	assert_int_equal(gk->direction, ANALYZE_LOWER);
	/* speedup = baseline / platform: < 1, kvm is slower */
	analyze_fieller(KVM, 10, NAT, 10, 0.95, &fl);
	eq(gk->vs_baseline.speedup, fl.ratio);
	eq(gk->vs_baseline.ci_lo, fl.lo);
	assert_true(gk->vs_baseline.speedup < 1);
	assert_true(gk->vs_baseline.welch.t > 0); /* still kvm - native */
	analyze_set_free(s);
}

static void test_edge_cases(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "edge"), nat = plat(f, h, "native"),
		one = plat(f, h, "one"), two = plat(f, h, "two"),
		cst = plat(f, h, "const"), tie = plat(f, h, "ties"),
		dead = plat(f, h, "dead"), cpu = bench(f, "cpu", "higher"),
		b1 = bench(f, "b1", "higher"), fork = bench(f, "fork", "higher"),
		r = run(f, h, NULL, NULL);
	double tv[] = { 1, 2, 1, 2, 2, 1, 1, 2 }, nv[] = { 2, 1, 2, 2, 1, 2 };
	double cv[] = { 5, 5, 5, 5, 5, 5 };
	struct analyze_set *s;
	const struct analyze_group *g;
	size_t i, ncmp = 0;

	add_all(f, r, nat, cpu, nv, 6);
	add(f, r, one, cpu, 1, 1.5, "ok");
	add(f, r, two, cpu, 1, 1.5, "ok");
	add(f, r, two, cpu, 2, 1.7, "ok");
	add_all(f, r, cst, cpu, cv, 6);
	add_all(f, r, tie, cpu, tv, 8);
	for (i = 1; i <= 3; i++)
		add(f, r, dead, cpu, (int)i, 0, "failed");
	{
		int64_t same = bench(f, "same", "higher");
		add_all(f, r, nat, same, cv, 6);   /* identical constant samples */
		add_all(f, r, cst, same, cv, 6);
	}
	add(f, r, nat, b1, 1, 10, "ok");       /* baseline with one sample */
	add_all(f, r, tie, b1, NAT, 10);
	add_all(f, r, tie, fork, NAT, 5);      /* missing on the baseline */
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);

	g = find(s, NULL, "one", "cpu");       /* n = 1 */
	assert_int_equal(g->n, 1);
	eq(g->mean, 1.5);
	assert_true(isnan(g->variance) && isnan(g->ci95_lo));
	assert_true(g->warnings & ANALYZE_WARN_FEW_SAMPLES);
	assert_true(isfinite(g->vs_baseline.speedup));
	assert_true(isnan(g->vs_baseline.ci_lo));
	assert_string_equal(g->vs_baseline.reason, "fewer than 2 samples");
	assert_true(isnan(g->vs_baseline.welch.p));
	assert_true(isfinite(g->vs_baseline.mw.p)); /* rank test still works */
	assert_false(g->vs_baseline.significant);

	g = find(s, NULL, "two", "cpu");       /* n = 2 */
	assert_int_equal(g->n, 2);
	eq(g->variance, 0.02);
	assert_true(isfinite(g->ci95_lo) && isnan(g->median_ci_lo));

	g = find(s, NULL, "const", "cpu");     /* zero variance */
	eq(g->variance, 0);
	eq(g->cov, 0);
	eq(g->ci95_lo, 5);
	assert_true(g->warnings & ANALYZE_WARN_ZERO_VAR);
	assert_int_equal(g->outliers_mild + g->outliers_severe, 0);
	assert_true(isfinite(g->vs_baseline.welch.p)); /* baseline varies */

	g = find(s, NULL, "const", "same");    /* identical on both sides */
	eq(g->vs_baseline.speedup, 1);
	assert_true(isnan(g->vs_baseline.ci_lo));
	assert_string_equal(g->vs_baseline.reason, "zero variance");
	assert_true(isnan(g->vs_baseline.welch.p));
	assert_true(isnan(g->vs_baseline.mw.p));
	assert_string_equal(g->vs_baseline.mw.reason, "all values tied");
	assert_true(isnan(g->vs_baseline.p_holm));
	assert_false(g->vs_baseline.significant);

	g = find(s, NULL, "ties", "cpu");      /* ties everywhere */
	assert_false(g->vs_baseline.mw.exact);
	assert_true(isfinite(g->vs_baseline.mw.p));

	g = find(s, NULL, "dead", "cpu");      /* all failed */
	assert_int_equal(g->n, 0);
	assert_int_equal(g->n_failed, 3);
	assert_true(isnan(g->mean) && isnan(g->median));
	assert_true(g->warnings & ANALYZE_WARN_ALL_FAILED);
	assert_string_equal(g->vs_baseline.reason, "no ok samples");
	assert_non_null(strstr(g->warnings_text, "all 3 samples failed"));

	g = find(s, NULL, "ties", "b1");       /* baseline has one sample */
	eq(g->vs_baseline.speedup, g->mean / 10);
	assert_true(isnan(g->vs_baseline.ci_lo));
	assert_true(isnan(g->vs_baseline.welch.p));

	g = find(s, NULL, "ties", "fork");     /* missing on the baseline */
	assert_true(g->warnings & ANALYZE_WARN_NO_BASELINE);
	assert_true(g->vs_baseline.present);
	assert_true(isnan(g->vs_baseline.speedup));
	assert_string_equal(g->vs_baseline.reason, "no baseline data");

	/* Holm's m counts exactly the comparisons with a Welch p */
	for (i = 0; i < s->n_groups; i++)
		if (s->groups[i].vs_baseline.present &&
		    isfinite(s->groups[i].vs_baseline.welch.p))
			ncmp++;
	assert_int_equal(s->n_comparisons, ncmp);
	assert_true(ncmp >= 3);
	no_nan_anywhere(s);
	analyze_set_free(s);
}

static void test_holm_over_set(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h"), n = plat(f, h, "native"),
		a = plat(f, h, "a"), c = plat(f, h, "c"),
		b = bench(f, "cpu", "higher"), r = run(f, h, NULL, NULL);
	double av[10], cv[10];
	struct analyze_set *s;
	const struct analyze_group *ga, *gc;
	double p[2], adj[2];
	size_t i;

	for (i = 0; i < 10; i++) {
		av[i] = NAT[i] + 0.5;
		cv[i] = NAT[i] - 1.2;
	}
	add_all(f, r, n, b, NAT, 10);
	add_all(f, r, a, b, av, 10);
	add_all(f, r, c, b, cv, 10);
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	ga = find(s, NULL, "a", "cpu");
	gc = find(s, NULL, "c", "cpu");
	p[0] = ga->vs_baseline.welch.p;
	p[1] = gc->vs_baseline.welch.p;
	analyze_holm(p, 2, adj);
	eq(ga->vs_baseline.p_holm, adj[0]);
	eq(gc->vs_baseline.p_holm, adj[1]);
	assert_true(ga->vs_baseline.p_holm >= p[0]);
	assert_int_equal(ga->vs_baseline.significant, adj[0] < 0.05);
	analyze_set_free(s);
}

/* Verdicts over a set: the family counts comparisons with >= 2 samples a
 * side (not the one-sample platform), each comparison's simultaneous
 * intervals are Fieller's at 1 - 0.05/m and 1 - 0.10/m of its own data
 * (baseline/platform for a lower-is-better benchmark), the verdict follows
 * them, --margin reaches it, and compare says "faster" for B's lower
 * latency. */
static void test_verdicts_over_set(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h"), h2 = host(f, "h2"), n = plat(f, h, "native"),
		k = plat(f, h, "kvm"), a = plat(f, h, "a"),
		one = plat(f, h, "one"), n2 = plat(f, h2, "native"),
		b = bench(f, "cpu", "higher"), l = bench(f, "lat", "lower"),
		r = run(f, h, NULL, NULL), r2 = run(f, h2, NULL, NULL);
	struct analyze_opts o = { 0 };
	struct analyze_set *s;
	struct analyze_cmp_set *c;
	struct analyze_fieller f90, f95;
	enum analyze_verdict v;
	const struct analyze_group *g;
	double av[10], lat2[10];
	size_t i;

	for (i = 0; i < 10; i++) {
		av[i] = NAT[i] * 1.004; /* within 2 %, noisy: undecided */
		lat2[i] = KVM[i] * 0.9;
	}
	add_all(f, r, n, b, NAT, 10);
	add_all(f, r, k, b, KVM, 10);
	add_all(f, r, a, b, av, 4);
	add(f, r, one, b, 1, 99.0, "ok");
	add_all(f, r, n, l, KVM, 10);
	add_all(f, r, k, l, NAT, 10);
	add_all(f, r2, n2, l, lat2, 10);
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	assert_int_equal(s->family_size, 3);
	eq(s->margin, ANALYZE_DEFAULT_MARGIN);

	g = find(s, "h", "kvm", "cpu");
	{
		const struct analyze_group *gn = find(s, "h", "native", "cpu");
		analyze_verdict_summary(g->mean, g->variance, g->n, gn->mean,
					gn->variance, gn->n, 3, 0.02, &f90,
					&f95, &v);
	}
	eq(g->vs_baseline.sim95_lo, f95.lo);
	eq(g->vs_baseline.sim95_hi, f95.hi);
	eq(g->vs_baseline.sim90_lo, f90.lo);
	eq(g->vs_baseline.sim90_hi, f90.hi);
	assert_true(g->vs_baseline.sim95_lo < g->vs_baseline.ci_lo);
	assert_int_equal(g->vs_baseline.verdict, ANALYZE_SLOWER);
	assert_true(g->vs_baseline.sim95_hi < 1);
	assert_string_equal(g->vs_baseline.decided_by, "ci95_simultaneous");
	assert_int_equal(g->vs_baseline.reps_needed, -1);

	/* lower is better: intervals of native/kvm, kvm slower */
	g = find(s, "h", "kvm", "lat");
	{
		const struct analyze_group *gn = find(s, "h", "native", "lat");
		analyze_verdict_summary(gn->mean, gn->variance, gn->n, g->mean,
					g->variance, g->n, 3, 0.02, &f90,
					&f95, &v);
	}
	eq(g->vs_baseline.sim95_lo, f95.lo);
	assert_int_equal(g->vs_baseline.verdict, ANALYZE_SLOWER);

	/* undecided: reps_needed is the estimate for its data */
	g = find(s, "h", "a", "cpu");
	assert_int_equal(g->vs_baseline.verdict, ANALYZE_INCONCLUSIVE);
	assert_null(g->vs_baseline.decided_by);
	{
		const struct analyze_group *gn = find(s, "h", "native", "cpu");
		long want = analyze_reps_needed(g->mean, g->variance, g->n,
						gn->mean, gn->variance, gn->n,
						3, 0.02);
		assert_true(want > 0);
		assert_int_equal(g->vs_baseline.reps_needed, want);
	}
	/* one sample: inconclusive, nothing to estimate, not in the family */
	g = find(s, "h", "one", "cpu");
	assert_int_equal(g->vs_baseline.verdict, ANALYZE_INCONCLUSIVE);
	assert_int_equal(g->vs_baseline.reps_needed, -1);
	assert_true(isnan(g->vs_baseline.sim95_lo));
	no_nan_anywhere(s);
	analyze_set_free(s);

	/* a margin so wide that kvm's 3 % is equivalent */
	o.margin = 0.10;
	assert_int_equal(analyze_load(f->db, &o, &s), 0);
	g = find(s, "h", "kvm", "cpu");
	assert_int_equal(g->vs_baseline.verdict, ANALYZE_EQUIVALENT);
	eq(g->vs_baseline.margin, 0.10);
	assert_string_equal(g->vs_baseline.decided_by, "ci90_simultaneous");
	assert_true(g->vs_baseline.sim90_lo >= 1 / 1.1 &&
		    g->vs_baseline.sim90_hi <= 1.1);
	analyze_set_free(s);

	/* compare h2 against h: h2's native latency is 10 % lower, so its
	 * ratio is below 1 and B is faster */
	assert_int_equal(analyze_compare_hosts(f->db, "h", "h2", NULL, &c), 0);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->family_size, 1);
	assert_true(c->items[0].vs.sim95_hi < 1);
	assert_int_equal(c->items[0].vs.verdict, ANALYZE_FASTER);
	{
		cJSON *j = analyze_cmp_set_to_json(c), *it;
		assert_int_equal(cJSON_GetObjectItem(j, "family_size")->valueint,
				 1);
		it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 0);
		assert_string_equal(cJSON_GetObjectItem(it, "verdict")
				    ->valuestring, "faster");
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(
			it, "ci95_simultaneous")));
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(it,
							     "reps_needed")));
		cJSON_Delete(j);
	}
	analyze_cmp_set_free(c);
}

static void add_ext(struct fx *f, int64_t r, int64_t p, int64_t b, int rep,
		    double v, int instance, int measured, double other,
		    int disturbed)
{
	struct db_sample s = {
		.run_id = r, .platform_id = p, .benchmark_id = b,
		.repetition = rep, .has_value = 1, .value = v, .status = "ok",
		.started_at = "2026-11-25T10:00:00.000Z", .duration = 1,
		.instance = instance, .has_disturbance = measured,
		.host_other_cpu = other, .disturbed = disturbed,
	};
	assert_int_equal(db_sample_insert(f->db, &s), 0);
}

/* Kalibera & Jones: a platform measured on three instances has its CI and
 * Fieller intervals over the three instance means (t on 2 df); disturbed
 * samples are counted and warned about, and left out when asked. */
static void test_instances_and_disturbed(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h"), n = plat(f, h, "native"),
		k = plat(f, h, "kvm"), b = bench(f, "cpu", "higher"),
		r = run(f, h, NULL, NULL);
	/* instance means 96, 98, 97.5 (+/- 0.3 within) */
	static const double kv[] = { 95.7, 96.3, 96.0, 97.7, 98.3, 98.0, 97.2,
				      97.8, 97.5 };
	struct analyze_opts o = { 0 };
	struct analyze_set *s;
	const struct analyze_group *gk, *gn;
	struct analyze_fieller fl;
	struct analyze_instances in;
	int inst[9];
	double lo, hi, m[3] = { 96, 98, 97.5 };
	size_t i;
	cJSON *j, *res, *it;

	add_all(f, r, n, b, NAT, 10);
	for (i = 0; i < 9; i++) {
		inst[i] = (int)(i / 3) + 1;
		add_ext(f, r, k, b, (int)i + 1, kv[i], inst[i], 1, 0.05, 0);
	}
	/* two disturbed samples far off, on instance 2 */
	add_ext(f, r, k, b, 10, 80.0, 2, 1, 1.4, 1);
	add_ext(f, r, k, b, 11, 81.0, 2, 1, 0.9, 1);
	o.exclude_disturbed = 1;
	assert_int_equal(analyze_load(f->db, &o, &s), 0);
	gk = find(s, "h", "kvm", "cpu");
	gn = find(s, "h", "native", "cpu");
	assert_int_equal(gk->n, 9);
	assert_int_equal(gk->n_disturbed, 2);
	assert_int_equal(gk->n_disturbed_excluded, 2);
	assert_int_equal(gk->n_disturbance_measured, 11);
	eq(gk->host_other_cpu_max, 1.4);
	eq(gk->host_other_cpu_mean, (9 * 0.05 + 1.4 + 0.9) / 11);
	assert_non_null(strstr(gk->warnings_text, "host busy during 2 of 11 "
			       "samples"));
	assert_int_equal(gk->inst.k, 3);
	assert_true(gk->instances_known);
	analyze_instances(kv, inst, 9, &in);
	for (i = 0; i < 3; i++)
		eq(gk->inst.means[i], m[i]);
	eq(gk->inst.between_sd, in.between_sd);
	eq(gk->inst.within_sd, in.within_sd);
	assert_int_equal(gk->unit_n, 3);
	/* ci95 over the instance means, 2 df */
	{
		struct analyze_moments mm;
		analyze_moments(m, 3, &mm);
		analyze_t_ci(mm.mean, mm.stddev, 3, 0.95, &lo, &hi);
		eq(gk->ci95_lo, lo);
		eq(gk->ci95_hi, hi);
		analyze_fieller_summary(mm.mean, mm.variance, 3, gn->mean,
					gn->variance, gn->n, 0.95, &fl);
	}
	eq(gk->vs_baseline.ci_lo, fl.lo);
	eq(gk->vs_baseline.ci_hi, fl.hi);
	assert_int_equal(gk->vs_baseline.in_nx, 3);
	/* the baseline has one (unrecorded) instance: its samples are units */
	assert_int_equal(gn->inst.k, 1);
	assert_false(gn->instances_known);
	assert_int_equal(gn->unit_n, 10);
	j = analyze_set_to_json(s);
	res = cJSON_GetObjectItem(j, "results");
	cJSON_ArrayForEach(it, res) {
		const char *pl = cJSON_GetObjectItem(it, "platform")->valuestring;
		if (strcmp(pl, "kvm"))
			continue;
		assert_int_equal(cJSON_GetObjectItem(it, "n_instances")->valueint, 3);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
			it, "instance_means")), 3);
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(it, "between_sd")));
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(it, "within_sd")));
		assert_int_equal(cJSON_GetObjectItem(it, "n_disturbed")->valueint, 2);
	}
	cJSON_Delete(j);
	no_nan_anywhere(s);
	analyze_set_free(s);
	analyze_instances_clear(&in);

	/* kept by default: 11 values, still three instances, still warned */
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	gk = find(s, "h", "kvm", "cpu");
	assert_int_equal(gk->n, 11);
	assert_int_equal(gk->n_disturbed, 2);
	assert_int_equal(gk->n_disturbed_excluded, 0);
	assert_non_null(strstr(gk->warnings_text, "host busy during 2 of 11"));
	assert_int_equal(gk->inst.k, 3);
	analyze_set_free(s);
}

/* A platform whose mean is not significantly above zero: Fieller's
 * interval is bounded (the baseline's mean is far from zero) but its
 * lower end is negative, and a warning says why. */
static void test_fieller_below_zero(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h"), n = plat(f, h, "native"),
		k = plat(f, h, "kvm"), b = bench(f, "cpu", "higher"),
		r = run(f, h, NULL, NULL);
	static const double kv[] = { -1.0, 2.0, -0.5, 1.5, 0.2 };
	struct analyze_set *s;
	const struct analyze_group *g;

	add_all(f, r, n, b, NAT, 10);
	add_all(f, r, k, b, kv, 5);
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	g = find(s, "h", "kvm", "cpu");
	assert_true(g->vs_baseline.ci_bounded);
	assert_true(g->vs_baseline.ci_lo < 0);
	assert_non_null(g->warnings_text);
	assert_non_null(strstr(g->warnings_text, "speedup CI reaches below "
			       "zero: the kvm mean is not significantly above "
			       "zero"));
	assert_int_equal(g->vs_baseline.verdict, ANALYZE_SLOWER);
	analyze_set_free(s);
}

static void test_outliers_and_drift(void **state)
{
	struct fx *f = *state;
	int64_t h = host(f, "h"), n = plat(f, h, "native"),
		b = bench(f, "cpu", "higher"), d = bench(f, "mem", "higher"),
		r = run(f, h, NULL, NULL);
	struct analyze_opts o = { 0 };
	struct analyze_set *s;
	const struct analyze_group *g;
	struct analyze_moments m;
	double dv[20];
	size_t i;

	add_all(f, r, n, b, NAT, 10);
	add(f, r, n, b, 11, 500, "ok"); /* severe outlier */
	for (i = 0; i < 20; i++)
		dv[i] = 100 + (double)i + (i % 2 ? 0.3 : -0.3);
	add_all(f, r, n, d, dv, 20);
	assert_int_equal(analyze_load(f->db, &o, &s), 0);
	g = find(s, NULL, "native", "cpu");
	assert_int_equal(g->n, 11);
	assert_int_equal(g->outliers_severe, 1);
	assert_int_equal(g->outlier[10], 2);
	assert_true(g->warnings & ANALYZE_WARN_OUTLIERS);
	g = find(s, NULL, "native", "mem");
	assert_true(g->drift.tested && g->drift.significant);
	assert_true(g->drift.rho > 0.9);
	assert_true(g->warnings & ANALYZE_WARN_DRIFT);
	analyze_set_free(s);

	o.exclude_outliers = 1;
	assert_int_equal(analyze_load(f->db, &o, &s), 0);
	g = find(s, NULL, "native", "cpu");
	assert_int_equal(g->n, 10);
	assert_int_equal(g->n_outliers_excluded, 1);
	assert_int_equal(g->n_values, 11); /* raw values keep it */
	analyze_moments(NAT, 10, &m);
	eq(g->mean, m.mean);
	analyze_set_free(s);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Large groups (the radix sort and the scan's ranges): values with ties,
 * negative ones, zeros and outliers, spread over two runs
 * inserted in reverse start order; every statistic must be what the pure
 * functions give on the values in repetition order, sorted by qsort. */
static void test_large_groups(void **state)
{
	enum { N = 3000, HALF = 1700 };
	struct fx *f = *state;
	int64_t h = host(f, "h"), n = plat(f, h, "native"), k = plat(f, h, "kvm"),
		b = bench(f, "cpu", "higher");
	int64_t late = run(f, h, "2026-11-25T12:00:00.000Z", NULL);
	int64_t early = run(f, h, "2026-11-25T08:00:00.000Z", NULL);
	static double nv[N], kv[N], sorted[N], used[N];
	struct analyze_opts o = { 0 };
	struct analyze_set *s;
	const struct analyze_group *gn, *gk;
	struct analyze_fences fe;
	struct analyze_moments m;
	struct analyze_drift d;
	struct analyze_mw mw;
	size_t i, nu, mild = 0, severe = 0;

	for (i = 0; i < N; i++) {
		/* two decimals, so many ties; a slow upward drift */
		nv[i] = round((1000 + 50 * sin((double)i) + (double)i / 100) * 100) / 100;
		kv[i] = (double)((int)(i * 7919 % 41) - 20) / 4; /* -5 .. 5 */
	}
	kv[17] = 0.0;
	kv[100] = 1e6; /* severe outliers */
	kv[2000] = -1e6;
	nv[5] = 2000;
	for (i = HALF; i < N; i++) { /* the later run first */
		add(f, late, n, b, (int)(i - HALF + 1), nv[i], "ok");
		add(f, late, k, b, (int)(i - HALF + 1), kv[i], "ok");
	}
	for (i = 0; i < HALF; i++) {
		add(f, early, n, b, (int)i + 1, nv[i], "ok");
		add(f, early, k, b, (int)i + 1, kv[i], "ok");
	}
	for (int excl = 0; excl < 2; excl++) {
		o.exclude_outliers = excl;
		assert_int_equal(analyze_load(f->db, &o, &s), 0);
		gn = find(s, NULL, "native", "cpu");
		gk = find(s, NULL, "kvm", "cpu");
		assert_int_equal(gk->n_values, N);
		for (i = 0; i < N; i++)
			assert_true(memcmp(&gk->values[i], &kv[i], sizeof(double)) == 0);
		memcpy(sorted, kv, sizeof(kv));
		qsort(sorted, N, sizeof(double), dbl_cmp);
		analyze_tukey_fences(sorted, N, &fe);
		for (i = nu = 0; i < N; i++) {
			int c = analyze_outlier_class(&fe, kv[i]);

			assert_int_equal(gk->outlier[i], c);
			mild += c == 1;
			severe += c == 2;
			if (!excl || !c)
				used[nu++] = kv[i];
		}
		assert_int_equal(gk->outliers_severe, 2);
		assert_int_equal(gk->n, nu);
		analyze_trend(used, nu, &d);
		eq(gk->drift.rho, d.rho);
		qsort(used, nu, sizeof(double), dbl_cmp);
		analyze_moments(used, nu, &m);
		eq(gk->mean, m.mean);
		eq(gk->variance, m.variance);
		assert_true(gk->median == analyze_median_sorted(used, nu));
		assert_true(gk->min == m.min && gk->max == m.max);
		/* native: drift found, its outlier classified */
		assert_true(gn->drift.significant && gn->drift.rho > 0);
		assert_int_equal(gn->outlier[5], 2);
		memcpy(sorted, nv, sizeof(nv));
		qsort(sorted, N, sizeof(double), dbl_cmp);
		if (!excl) {
			assert_true(gn->median == analyze_median_sorted(sorted, N));
			analyze_mann_whitney(kv, N, nv, N, &mw);
			eq(gk->vs_baseline.mw.u, mw.u);
		}
		analyze_set_free(s);
	}
	assert_true(mild + severe > 0);
}

/* The compare output in one format, as a string (owned). */
static char *cmp_text(const struct analyze_cmp_set *c, enum analyze_format fm)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_int_equal(analyze_cmp_print(c, fm, m), 0);
	fclose(m);
	if (strcasestr(buf, "nan") || strcasestr(buf, "inf"))
		fail_msg("compare format %d printed nan/inf:\n%s", fm, buf);
	return buf;
}

#define HAS(s, sub) do { if (!strstr((s), (sub))) \
	fail_msg("expected \"%s\" in:\n%s", (sub), (s)); } while (0)

static void test_order_filters_compare(void **state)
{
	struct fx *f = *state;
	int64_t h1 = host(f, "alpha"), h2 = host(f, "beta"),
		n1 = plat(f, h1, "native"), n2 = plat(f, h2, "native"),
		b = bench(f, "cpu", "higher");
	char u_late[37], u_early[37];
	int64_t late = run(f, h1, "2026-11-25T12:00:00.000Z", u_late);
	int64_t early = run(f, h1, "2026-11-25T08:00:00.000Z", u_early);
	int64_t r2 = run(f, h2, NULL, NULL);
	struct analyze_opts o = { 0 };
	struct analyze_set *s;
	struct analyze_cmp_set *c;
	struct analyze_fieller fl;
	const struct analyze_group *g;

	/* inserted out of order: the later run first, repetitions shuffled */
	add(f, late, n1, b, 2, 22, "ok");
	add(f, late, n1, b, 1, 21, "ok");
	add(f, early, n1, b, 3, 13, "ok");
	add(f, early, n1, b, 1, 11, "ok");
	add(f, early, n1, b, 2, 12, "ok");
	add_all(f, r2, n2, b, NAT, 10);
	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	assert_int_equal(s->n_groups, 2);
	g = find(s, "alpha", "native", "cpu");
	assert_int_equal(g->n_values, 5);
	eq(g->values[0], 11);
	eq(g->values[2], 13);
	eq(g->values[3], 21);
	eq(g->values[4], 22);
	analyze_set_free(s);

	o.host = "beta";
	assert_int_equal(analyze_load(f->db, &o, &s), 0);
	assert_int_equal(s->n_groups, 1);
	assert_string_equal(s->groups[0].host, "beta");
	analyze_set_free(s);

	o.host = NULL;
	o.run = u_late;
	assert_int_equal(analyze_load(f->db, &o, &s), 0);
	assert_int_equal(s->n_groups, 1);
	assert_int_equal(s->groups[0].n, 2);
	analyze_set_free(s);

	o.run = NULL;
	o.host = "nosuch";
	assert_int_equal(analyze_load(f->db, &o, &s), -1);
	assert_null(s);

	/* compare: ratio = mean B / mean A, Fieller on (B, A) */
	assert_int_equal(analyze_compare_hosts(f->db, "beta", "alpha", NULL,
					       &c), 0);
	assert_int_equal(c->n, 1);
	{
		double av[] = { 11, 12, 13, 21, 22 };
		analyze_fieller(av, 5, NAT, 10, 0.95, &fl);
	}
	eq(c->items[0].vs.speedup, fl.ratio);
	eq(c->items[0].vs.ci_lo, fl.lo);
	assert_int_equal(c->items[0].n_a, 10);
	assert_int_equal(c->items[0].n_b, 5);
	eq(c->items[0].vs.p_holm, c->items[0].vs.welch.p);
	/* the same pairs on both hosts: nothing listed as one-sided */
	assert_int_equal(c->n_only_a + c->n_only_b, 0);
	{
		char *t = cmp_text(c, ANALYZE_TEXT);
		assert_null(strstr(t, "only on"));
		free(t);
	}
	{
		cJSON *j = analyze_cmp_set_to_json(c), *it;
		char *txt = cJSON_PrintUnformatted(j);
		assert_string_equal(cJSON_GetObjectItem(j, "a")->valuestring, "beta");
		it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 0);
		eq(cJSON_GetObjectItem(it, "ratio")->valuedouble, fl.ratio);
		assert_non_null(cJSON_GetObjectItem(it, "ratio_ci95"));
		assert_non_null(cJSON_GetObjectItem(it, "mean_a"));
		assert_non_null(cJSON_GetObjectItem(it, "welch"));
		assert_non_null(cJSON_GetObjectItem(it, "mann_whitney"));
		assert_non_null(cJSON_GetObjectItem(it, "significant"));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "only_a")), 0);
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "only_b")));
		assert_null(strcasestr(txt, "nan"));
		free(txt);
		cJSON_Delete(j);
	}
	analyze_cmp_set_free(c);
}

/* Pairs measured on one host only used to vanish from compare: they are
 * listed (JSON only_a/only_b, a section after the tables), never mixed
 * into results or the CSV rows, and --platform narrows them too. */
static void test_compare_one_sided(void **state)
{
	struct fx *f = *state;
	int64_t ha = host(f, "alpha"), hb = host(f, "beta"),
		na = plat(f, ha, "native"), ka = plat(f, ha, "kvm"),
		nb = plat(f, hb, "native"), ob = plat(f, hb, "other"),
		cpu = bench(f, "cpu", "higher"), mem = bench(f, "mem", "higher");
	int64_t ra = run(f, ha, NULL, NULL), rb = run(f, hb, NULL, NULL);
	struct analyze_opts o = { 0 };
	struct analyze_cmp_set *c;
	cJSON *j, *x;
	char *t;
	int i;

	add_all(f, ra, na, cpu, NAT, 10);
	add_all(f, ra, na, mem, NAT, 10);
	add_all(f, ra, ka, cpu, KVM, 10);
	for (i = 1; i <= 3; i++)
		add(f, ra, ka, mem, i, 0, "failed");
	add_all(f, rb, nb, cpu, KVM, 10);
	add_all(f, rb, ob, cpu, NAT, 10);

	assert_int_equal(analyze_compare_hosts(f->db, "alpha", "beta", NULL,
					       &c), 0);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->items[0].platform, "native");
	assert_string_equal(c->items[0].benchmark, "cpu");
	/* platform-major, in recording order; an all-failed pair too */
	assert_int_equal(c->n_only_a, 3);
	assert_string_equal(c->only_a[0].platform, "native");
	assert_string_equal(c->only_a[0].benchmark, "mem");
	assert_string_equal(c->only_a[1].platform, "kvm");
	assert_string_equal(c->only_a[1].benchmark, "cpu");
	assert_int_equal(c->only_a[1].n, 10);
	eq(c->only_a[1].mean, 97.18);
	assert_string_equal(c->only_a[2].benchmark, "mem");
	assert_int_equal(c->only_a[2].n, 0);
	assert_false(analyze_have(c->only_a[2].mean));
	assert_int_equal(c->n_only_b, 1);
	assert_string_equal(c->only_b[0].platform, "other");
	/* one-sided pairs are not comparisons: Holm's m is unchanged */
	assert_int_equal(c->n_comparisons, 1);

	j = analyze_cmp_set_to_json(c);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "results")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "only_a")), 3);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "only_a"), 1);
	assert_string_equal(cJSON_GetObjectItem(x, "platform")->valuestring, "kvm");
	assert_string_equal(cJSON_GetObjectItem(x, "benchmark")->valuestring, "cpu");
	assert_string_equal(cJSON_GetObjectItem(x, "unit")->valuestring, "u");
	assert_int_equal(cJSON_GetObjectItem(x, "n")->valueint, 10);
	eq(cJSON_GetObjectItem(x, "mean")->valuedouble, 97.18);
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "only_a"), 2);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "mean")));
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "only_b"), 0);
	assert_string_equal(cJSON_GetObjectItem(x, "platform")->valuestring, "other");
	cJSON_Delete(j);

	t = cmp_text(c, ANALYZE_TEXT);
	HAS(t, "only on A (alpha): native/mem (n=10), kvm/cpu (n=10), kvm/mem (n=0)\n");
	HAS(t, "only on B (beta): other/cpu (n=10)\n");
	/* after the table */
	assert_true(strstr(t, "only on A") > strstr(t, "comparison"));
	free(t);
	t = cmp_text(c, ANALYZE_MARKDOWN);
	HAS(t, "\n- only on A (alpha): native/mem (n=10), kvm/cpu");
	HAS(t, "\n- only on B (beta): other/cpu (n=10)\n");
	free(t);
	/* CSV: header and the one compared pair, nothing else */
	t = cmp_text(c, ANALYZE_CSV);
	assert_null(strstr(t, "other"));
	assert_null(strstr(t, "kvm"));
	assert_int_equal(strchr(strchr(t, '\n') + 1, '\n')[1], '\0');
	free(t);
	analyze_cmp_set_free(c);

	/* --platform: only that platform's pairs, on either side */
	o.platform = "kvm";
	assert_int_equal(analyze_compare_hosts(f->db, "alpha", "beta", &o,
					       &c), 0);
	assert_int_equal(c->n, 0);
	assert_int_equal(c->n_only_a, 2);
	assert_string_equal(c->only_a[0].platform, "kvm");
	assert_int_equal(c->n_only_b, 0);
	t = cmp_text(c, ANALYZE_TEXT);
	HAS(t, "only on A (alpha): kvm/cpu (n=10), kvm/mem (n=0)\n");
	assert_null(strstr(t, "only on B"));
	free(t);
	analyze_cmp_set_free(c);

	/* the sides follow the order the hosts are given in */
	o.platform = "native";
	assert_int_equal(analyze_compare_hosts(f->db, "beta", "alpha", &o,
					       &c), 0);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->n_only_a, 0);
	assert_int_equal(c->n_only_b, 1);
	assert_string_equal(c->only_b[0].benchmark, "mem");
	analyze_cmp_set_free(c);
}

static void test_empty(void **state)
{
	struct fx *f = *state;
	struct analyze_set *s;

	assert_int_equal(analyze_load(f->db, NULL, &s), 0);
	assert_int_equal(s->n_groups, 0);
	no_nan_anywhere(s);
	analyze_set_free(s);
	analyze_set_free(NULL);
	analyze_cmp_set_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic_vs_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lower_is_better, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holm_over_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdicts_over_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instances_and_disturbed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fieller_below_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outliers_and_drift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_filters_compare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_one_sided, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	};
	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
