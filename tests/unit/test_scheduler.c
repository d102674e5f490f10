/*
 * tests/unit/test_scheduler.c - collect/scheduler.c: interleaved rounds in
 * a random order fixed by the seed, the warm-up round, fixed and adaptive
 * stopping, and resuming from stored samples without repeating any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/analyze.h"
#include "collect/scheduler.h"
#include "common/util.h"

#define NP 3
#define NB 4

static struct sched_opts fixed(int reps, uint64_t seed)
{
	struct sched_opts o = { 0 };

	o.reps = reps;
	o.warmup = 1;
	o.seed = seed;
	return o;
}

/* Runs a whole schedule, recording every sample as ok with value(pair,
 * rep); returns the visits as pair*1000+rep in order. */
static int run_all(struct scheduler *s, int *visits, int max,
		   double (*value)(size_t, int))
{
	size_t pair;
	int rep, n = 0;

	while (sched_next(s, &pair, &rep)) {
		assert_true(n < max);
		visits[n++] = (int)pair * 1000 + rep;
		sched_record(s, pair, rep, 1, value ? value(pair, rep) : 1.0);
	}
	return n;
}

static void test_rounds_interleave(void **state)
{
	struct scheduler s;
	struct sched_opts o = fixed(5, 42);
	int v[200], n;

	(void)state;
	sched_init(&s, &o, NP, NB);
	n = run_all(&s, v, 200, NULL);
	/* warm-up + 5 measured repetitions for each of 12 pairs */
	assert_int_equal(n, 6 * NP * NB);
	/* Round r holds exactly repetition r of every pair, once each. */
	for (int r = 0; r <= 5; r++) {
		int seen[NP * NB] = { 0 };

		for (int i = 0; i < NP * NB; i++) {
			int x = v[r * NP * NB + i];

			assert_int_equal(x % 1000, r);
			assert_int_equal(seen[x / 1000]++, 0);
		}
	}
	sched_free(&s);
}

static void test_seed_fixes_order(void **state)
{
	struct scheduler a, b, c;
	struct sched_opts oa = fixed(3, 7), oc = fixed(3, 8);
	int va[100], vb[100], vc[100], na, nb, nc, rounds_differ = 0;

	(void)state;
	sched_init(&a, &oa, NP, NB);
	sched_init(&b, &oa, NP, NB);
	sched_init(&c, &oc, NP, NB);
	na = run_all(&a, va, 100, NULL);
	nb = run_all(&b, vb, 100, NULL);
	nc = run_all(&c, vc, 100, NULL);
	assert_int_equal(na, nb);
	assert_int_equal(na, nc);
	assert_memory_equal(va, vb, sizeof(int) * (size_t)na);
	assert_memory_not_equal(va, vc, sizeof(int) * (size_t)na);
	/* A fresh order each round, not one order repeated. */
	for (int r = 1; r <= 3; r++) {
		int same = 1;

		for (int i = 0; i < NP * NB; i++)
			same &= va[i] / 1000 == va[r * NP * NB + i] / 1000;
		rounds_differ |= !same;
	}
	assert_true(rounds_differ);
	sched_free(&a);
	sched_free(&b);
	sched_free(&c);
}

/* The permutation is uniform enough: over many seeds every pair is first
 * about equally often (a biased shuffle would favour one platform). */
static void test_permutation_uniform(void **state)
{
	size_t perm[12];
	int first[12] = { 0 };

	(void)state;
	for (uint64_t seed = 0; seed < 12000; seed++) {
		sched_permutation(seed, 1, 12, perm);
		first[perm[0]]++;
	}
	for (int i = 0; i < 12; i++)
		assert_true(first[i] > 800 && first[i] < 1200);
}

/* Kill after k samples, resume from what was "stored": nothing repeats,
 * nothing is missing, and the tail of the order is the one the
 * uninterrupted run would have used. */
static void test_resume_repeats_nothing(void **state)
{
	struct sched_opts o = fixed(4, 99);
	int full[100], n_full;
	struct scheduler s;

	(void)state;
	sched_init(&s, &o, NP, NB);
	n_full = run_all(&s, full, 100, NULL);
	sched_free(&s);
	for (int k = 0; k <= n_full; k += 5) {
		struct scheduler r;
		int rest[100], n_rest;

		sched_init(&r, &o, NP, NB);
		for (int i = 0; i < k; i++)
			sched_record(&r, (size_t)(full[i] / 1000), full[i] % 1000, 1, 1);
		n_rest = run_all(&r, rest, 100, NULL);
		assert_int_equal(k + n_rest, n_full);
		assert_memory_equal(rest, full + k, sizeof(int) * (size_t)n_rest);
		sched_free(&r);
	}
}

/* Resume after a kill that left pairs a round apart (some pairs have
 * repetition 3, others only 2): the laggards catch up first. */
static void test_resume_uneven(void **state)
{
	struct sched_opts o = fixed(3, 5);
	struct scheduler s;
	int v[100], n, seen[NP * NB][5];

	(void)state;
	memset(seen, 0, sizeof(seen));
	sched_init(&s, &o, NP, NB);
	for (size_t p = 0; p < NP * NB; p++)
		for (int rep = 0; rep <= (p % 2 ? 2 : 1); rep++) {
			sched_record(&s, p, rep, 1, 1);
			seen[p][rep]++;
		}
	n = run_all(&s, v, 100, NULL);
	for (int i = 0; i < n; i++)
		seen[v[i] / 1000][v[i] % 1000]++;
	for (size_t p = 0; p < NP * NB; p++)
		for (int rep = 0; rep <= 3; rep++)
			assert_int_equal(seen[p][rep], 1);
	/* the first visits are the pairs still at repetition 2 */
	for (int i = 0; i < NP * NB / 2; i++)
		assert_int_equal(v[i] % 1000, 2);
	sched_free(&s);
}

/* Failed samples use up their repetition: never retried. */
static void test_failed_not_retried(void **state)
{
	struct sched_opts o = fixed(2, 1);
	struct scheduler s;
	size_t pair;
	int rep, n = 0;

	(void)state;
	sched_init(&s, &o, 1, 1);
	while (sched_next(&s, &pair, &rep)) {
		assert_int_equal(rep, n);
		sched_record(&s, pair, rep, 0, 0);
		n++;
	}
	assert_int_equal(n, 3);
	sched_free(&s);
}

/* Disturbed samples with retakes: in fixed mode at most `retake` of them
 * per pair are replaced (pair 0: every sample disturbed, 2 + 2
 * repetitions; pair 1: none, 2); in adaptive mode they do not enter the
 * CI, so a steady pair whose first samples were disturbed runs past
 * min_reps. Without retakes they count like any sample. */
static void test_disturbed_retaken(void **state)
{
	struct sched_opts o = fixed(2, 4);
	struct scheduler s;
	size_t pair;
	int rep, count[2] = { 0 };
	long lo, hi;

	(void)state;
	o.retake = 2;
	sched_init(&s, &o, 2, 1);
	while (sched_next(&s, &pair, &rep)) {
		if (rep)
			count[pair]++;
		sched_record_sample(&s, pair, rep, 1, 1.0, pair == 0);
	}
	assert_int_equal(count[0], 4);
	assert_int_equal(count[1], 2);
	assert_int_equal(s.pairs[0].n_disturbed, 4);
	assert_int_equal(s.pairs[0].n_ok, 0);
	sched_free(&s);

	o.retake = 0;
	sched_init(&s, &o, 2, 1);
	count[0] = count[1] = 0;
	while (sched_next(&s, &pair, &rep)) {
		if (rep)
			count[pair]++;
		sched_record_sample(&s, pair, rep, 1, 1.0, pair == 0);
	}
	assert_int_equal(count[0], 2);
	sched_free(&s);

	memset(&o, 0, sizeof(o));
	o.target_ci = 1.0;
	o.min_reps = 3;
	o.max_reps = 10;
	o.warmup = 1;
	o.retake = 1;
	sched_init(&s, &o, 1, 1);
	count[0] = 0;
	while (sched_next(&s, &pair, &rep)) {
		if (rep)
			count[0]++;
		/* the first two measured samples are disturbed outliers */
		sched_record_sample(&s, pair, rep, 1, rep <= 2 ? 500.0 : 100.0,
				    rep >= 1 && rep <= 2);
	}
	assert_int_equal(count[0], 2 + 3);
	assert_true(sched_ci_percent(&s.pairs[0]) < 1.0);
	sched_remaining(&s, &lo, &hi);
	assert_int_equal(lo, 0);
	sched_free(&s);
}

/* --until-decided: platform 0 is the baseline of platform 1. Benchmark 0:
 * platform 1 at half the speed, steady - slower after min_reps; benchmark
 * 1: both alike but noisy - undecided, to max_reps. The baseline of each
 * benchmark keeps pace with its pair, and a decided pair agrees with
 * analyze_verdict_summary on its data. */
static double decided_value(size_t pair, int rep)
{
	size_t plat = pair / 2, bench = pair % 2;

	if (bench == 0)
		return (plat ? 50.0 : 100.0) + (rep % 3) * 0.1;
	return 100.0 + (rep % 2 ? 30.0 : -30.0) * (plat ? 1 : -1);
}

static void test_until_decided(void **state)
{
	struct sched_opts o = { 0 };
	struct scheduler s;
	int v[200], n, count[4] = { 0 };
	enum analyze_verdict vd;

	(void)state;
	o.until_decided = 1;
	o.margin = 0.02;
	o.min_reps = 3;
	o.max_reps = 9;
	o.warmup = 1;
	o.seed = 2;
	sched_init(&s, &o, 2, 2);
	sched_set_baseline(&s, 2, 0, 0);
	sched_set_baseline(&s, 3, 1, 0);
	n = run_all(&s, v, 200, decided_value);
	for (int i = 0; i < n; i++)
		if (v[i] % 1000)
			count[v[i] / 1000]++;
	assert_int_equal(count[2], 3);
	assert_int_equal(count[0], 3);
	assert_int_equal(count[3], 9);
	assert_int_equal(count[1], 9);
	assert_true(sched_decided(&s, &s.pairs[2]));
	assert_false(sched_decided(&s, &s.pairs[3]));
	assert_false(sched_decided(&s, &s.pairs[0])); /* a baseline */
	analyze_verdict_summary(s.pairs[2].mean, s.pairs[2].m2 / 2, 3,
				s.pairs[0].mean, s.pairs[0].m2 / 2, 3, 2, 0.02,
				NULL, NULL, &vd);
	assert_int_equal(vd, ANALYZE_SLOWER);
	sched_free(&s);
}

static void test_disabled_platform(void **state)
{
	struct sched_opts o = fixed(2, 3);
	struct scheduler s;
	int v[100], n;

	(void)state;
	sched_init(&s, &o, NP, NB);
	sched_disable_platform(&s, 1);
	n = run_all(&s, v, 100, NULL);
	assert_int_equal(n, 3 * (NP - 1) * NB);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(s.pairs[v[i] / 1000].platform, 1);
	sched_free(&s);
}

/* Pair 0 is steady, pair 1 noisy: adaptive stopping ends pair 0 at
 * min_reps and runs pair 1 to max_reps. */
static double steady_or_noisy(size_t pair, int rep)
{
	if (pair == 0)
		return 100.0 + (rep % 2) * 0.01;
	return rep % 2 ? 50.0 : 150.0;
}

static void test_adaptive(void **state)
{
	struct sched_opts o = { 0 };
	struct scheduler s;
	int v[200], n, count[2] = { 0 };
	long lo, hi;

	(void)state;
	o.target_ci = 1.0;
	o.min_reps = 3;
	o.max_reps = 10;
	o.warmup = 1;
	o.seed = 11;
	sched_init(&s, &o, 1, 2);
	sched_remaining(&s, &lo, &hi);
	assert_int_equal(lo, 2 * (1 + 3));
	assert_int_equal(hi, 2 * (1 + 10));
	n = run_all(&s, v, 200, steady_or_noisy);
	for (int i = 0; i < n; i++)
		if (v[i] % 1000)
			count[v[i] / 1000]++;
	assert_int_equal(count[0], 3);
	assert_int_equal(count[1], 10);
	assert_true(sched_ci_percent(&s.pairs[0]) < 1.0);
	assert_true(sched_ci_percent(&s.pairs[1]) > 1.0);
	sched_free(&s);
}

static void test_t95(void **state)
{
	(void)state;
	assert_true(fabs(sched_t95(1) - 12.7062) < 1e-3);
	assert_true(fabs(sched_t95(10) - 2.2281) < 1e-3);
	assert_true(fabs(sched_t95(30) - 2.0423) < 1e-3);
	/* qt(0.975, 40) = 2.021075, qt(0.975, 120) = 1.979930 */
	assert_true(fabs(sched_t95(40) - 2.021075) < 1e-3);
	assert_true(fabs(sched_t95(120) - 1.979930) < 1e-3);
	assert_true(isinf(sched_t95(0)));
}

static void test_remaining_fixed(void **state)
{
	struct sched_opts o = fixed(5, 0);
	struct scheduler s;
	long lo, hi;

	(void)state;
	sched_init(&s, &o, 2, 3);
	sched_remaining(&s, &lo, &hi);
	assert_int_equal(lo, 36);
	assert_int_equal(hi, 36);
	sched_record(&s, 0, 0, 1, 1);
	sched_record(&s, 0, 1, 1, 1);
	sched_remaining(&s, &lo, &hi);
	assert_int_equal(lo, 34);
	sched_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rounds_interleave),
		cmocka_unit_test(test_seed_fixes_order),
		cmocka_unit_test(test_permutation_uniform),
		cmocka_unit_test(test_resume_repeats_nothing),
		cmocka_unit_test(test_resume_uneven),
		cmocka_unit_test(test_failed_not_retried),
		cmocka_unit_test(test_disabled_platform),
		cmocka_unit_test(test_disturbed_retaken),
		cmocka_unit_test(test_until_decided),
		cmocka_unit_test(test_adaptive),
		cmocka_unit_test(test_t95),
		cmocka_unit_test(test_remaining_fixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
