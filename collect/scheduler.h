/*
 * collect/scheduler.h - the order in which samples are taken.
 *
 * Randomised multiple interleaved trials: repetition r of every
 * (platform, benchmark) pair forms round r, and each round visits its
 * pairs in a fresh random order. Slow drift of the host (thermal state,
 * other tenants, page cache) then spreads evenly over all platforms
 * instead of biasing whichever ran last. Round 0 is the warm-up: one
 * sample per pair, stored but flagged.
 *
 * The order of round r depends only on (seed, r), never on what happened
 * before, so a resumed run visits the remaining pairs of a round in the
 * order the interrupted run would have.
 *
 * Stopping: fixed (--reps N: repetitions 1..N), or adaptive (--target-ci
 * P: a pair stops once its 95% CI half-width, Student t over its ok
 * samples, is at most P% of its mean, after at least min_reps and at most
 * max_reps repetitions). A failed sample uses up its repetition number: it
 * is stored and never retried, so resume repeats nothing. A disturbed
 * sample (the host was busy) is stored and flagged; with retake > 0 it
 * does not count: adaptive pairs go on until their rule is met by
 * undisturbed samples (still at most max_reps), and in fixed mode up to
 * `retake` disturbed samples per pair are replaced by extra repetitions.
 */
#ifndef VB_COLLECT_SCHEDULER_H
#define VB_COLLECT_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

struct sched_opts {
	int reps;          /* fixed repetitions (used when target_ci <= 0) */
	double target_ci;  /* percent of the mean; <= 0 = fixed mode */
	int min_reps;      /* adaptive bounds */
	int max_reps;
	int warmup;        /* 1: repetition 0 is a warm-up sample */
	uint64_t seed;
	/* retake > 0: disturbed samples (taken on a busy host) do not count
	 * towards any stopping rule, and in fixed mode up to retake of them
	 * per pair are replaced by extra repetitions. 0: they count like any
	 * other sample. */
	int retake;
	/* --until-decided: a non-baseline pair stops once its verdict
	 * against its baseline pair (analyze_verdict_summary over the family
	 * of all such pairs, margin) is decided, a baseline pair once every
	 * pair compared with it has stopped; both within min_reps..max_reps.
	 * Set the baselines with sched_set_baseline(). */
	int until_decided;
	double margin;
};

struct sched_pair {
	size_t platform, bench;  /* the caller's indices */
	int next_rep;            /* next repetition to take */
	int n_ok;                /* ok measured samples (repetition >= 1)
				  * that were not disturbed */
	int n_disturbed;         /* disturbed samples not counted (retake) */
	double mean, m2;         /* Welford running mean and sum of squares */
	int disabled;            /* platform unavailable: never scheduled */
	long baseline;           /* until_decided: index of the pair it is
				  * compared with, -1 = none (a baseline) */
	int invert;              /* lower is better: the ratio is
				  * baseline / this */
};

struct scheduler {
	struct sched_opts o;
	size_t n;
	struct sched_pair *pairs;  /* n = platforms x benchmarks, platform-major */
	int round;                 /* current round (= repetition number) */
	size_t *order;             /* pairs of the current round, in order */
	size_t n_order, pos;
};

/* Sets up n_platforms x n_bench pairs, all at repetition 0 (or 1 without
 * warm-up). Pair i is platform i / n_bench, benchmark i % n_bench. */
void sched_init(struct scheduler *s, const struct sched_opts *o,
		size_t n_platforms, size_t n_bench);
void sched_free(struct scheduler *s);

/* Notes a sample of pair at repetition (one taken now, or found in the
 * database on resume): the pair moves past it and, when ok and measured,
 * its value enters the CI. */
void sched_record(struct scheduler *s, size_t pair, int repetition, int ok,
		  double value);
/* The same for a sample whose host was (disturbed = 1) or was not busy:
 * a disturbed sample moves the pair on but does not enter its CI. */
void sched_record_sample(struct scheduler *s, size_t pair, int repetition,
			 int ok, double value, int disturbed);

/* until_decided: pair is compared with pair baseline (invert: the ratio
 * is baseline / pair, for lower-is-better benchmarks). */
void sched_set_baseline(struct scheduler *s, size_t pair, size_t baseline,
			int invert);

/* until_decided: is the pair's verdict against its baseline decided with
 * the samples so far? 0 for a pair without a baseline. */
int sched_decided(const struct scheduler *s, const struct sched_pair *p);

/* Excludes every pair of a platform (it is unavailable). */
void sched_disable_platform(struct scheduler *s, size_t platform);

/* Does the pair want more samples? */
int sched_wants(const struct scheduler *s, const struct sched_pair *p);

/* Chooses the next sample. Returns 1 with *pair and *repetition set, or
 * 0 when every pair is done. */
int sched_next(struct scheduler *s, size_t *pair, int *repetition);

/* Samples still to take if every pair stops as early as it may
 * (*lo) and as late as it may (*hi); equal in fixed mode. */
void sched_remaining(const struct scheduler *s, long *lo, long *hi);

/* The deterministic permutation of 0..n-1 for (seed, round). */
void sched_permutation(uint64_t seed, int round, size_t n, size_t *perm);

/* Two-sided 95% Student t quantile for df degrees of freedom (df >= 1). */
double sched_t95(int df);

/* Relative 95% CI half-width of the pair in percent of its mean, or a
 * negative value when it is not defined yet (fewer than two samples, or
 * a zero mean). */
double sched_ci_percent(const struct sched_pair *p);

#endif
