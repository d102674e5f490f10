/*
 * collect/scheduler.c - randomised interleaved rounds and the stopping
 * rules; see scheduler.h for the method. Pure computation, no I/O, so the
 * unit tests exercise it directly.
 */
#include "collect/scheduler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/util.h"

/* splitmix64: tiny, well mixed, and - unlike rand() - the same sequence
 * on every libc, so a recorded seed reproduces the order anywhere. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sched_permutation(uint64_t seed, int round, size_t n, size_t *perm)
{
	uint64_t st = seed ^ ((uint64_t)(unsigned)round * 0xd1b54a32d192ed03ULL);

	splitmix64(&st);
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	/* Fisher-Yates; the modulo bias is below 2^-40 for any n we see. */
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(splitmix64(&st) % i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

void sched_init(struct scheduler *s, const struct sched_opts *o,
		size_t n_platforms, size_t n_bench)
{
	memset(s, 0, sizeof(*s));
	s->o = *o;
	if (s->o.min_reps < 2)
		s->o.min_reps = 2;
	if (s->o.max_reps < s->o.min_reps)
		s->o.max_reps = s->o.min_reps;
	s->n = n_platforms * n_bench;
	s->pairs = xcalloc(s->n ? s->n : 1, sizeof(*s->pairs));
	s->order = xcalloc(s->n ? s->n : 1, sizeof(*s->order));
	for (size_t i = 0; i < s->n; i++) {
		s->pairs[i].platform = i / n_bench;
		s->pairs[i].bench = i % n_bench;
		s->pairs[i].next_rep = o->warmup ? 0 : 1;
		s->pairs[i].baseline = -1;
	}
	s->round = -1;
}

void sched_free(struct scheduler *s)
{
	if (!s)
		return;
	free(s->pairs);
	free(s->order);
	s->pairs = NULL;
	s->order = NULL;
	s->n = 0;
}

void sched_record(struct scheduler *s, size_t pair, int repetition, int ok,
		  double value)
{
	sched_record_sample(s, pair, repetition, ok, value, 0);
}

void sched_record_sample(struct scheduler *s, size_t pair, int repetition,
			 int ok, double value, int disturbed)
{
	struct sched_pair *p;

	if (pair >= s->n)
		return;
	p = &s->pairs[pair];
	if (repetition + 1 > p->next_rep)
		p->next_rep = repetition + 1;
	/* With retakes, a disturbed sample is replaced, so it does not
	 * count; without, it is a sample like any other (analyze keeps it
	 * unless told otherwise), only flagged. */
	if (disturbed && repetition >= 1 && s->o.retake > 0) {
		p->n_disturbed++;
		return;
	}
	if (ok && repetition >= 1) {
		double d = value - p->mean;

		p->n_ok++;
		p->mean += d / p->n_ok;
		p->m2 += d * (value - p->mean);
	}
}

void sched_disable_platform(struct scheduler *s, size_t platform)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->pairs[i].platform == platform)
			s->pairs[i].disabled = 1;
}

double sched_t95(int df)
{
	static const double t[] = {
		0, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646,
		2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314,
		2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
		2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
	};
	double z = 1.959964, d;

	if (df < 1)
		return INFINITY;
	if (df < (int)VB_ARRAY_SIZE(t))
		return t[df];
	/* Cornish-Fisher expansion: within 1e-4 of the exact value for
	 * df > 30, far below the noise of any benchmark. */
	d = df;
	return z + (z * z * z + z) / (4 * d) +
	       (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

double sched_ci_percent(const struct sched_pair *p)
{
	double sd, half;

	if (p->n_ok < 2 || p->mean == 0)
		return -1;
	sd = sqrt(p->m2 / (p->n_ok - 1));
	half = sched_t95(p->n_ok - 1) * sd / sqrt(p->n_ok);
	return 100.0 * half / fabs(p->mean);
}

void sched_set_baseline(struct scheduler *s, size_t pair, size_t baseline,
			int invert)
{
	if (pair >= s->n || baseline >= s->n || pair == baseline)
		return;
	s->pairs[pair].baseline = (long)baseline;
	s->pairs[pair].invert = invert;
}

/* The family of until_decided: every pair with a baseline. */
static size_t family(const struct scheduler *s)
{
	size_t m = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->pairs[i].baseline >= 0 && !s->pairs[i].disabled)
			m++;
	return m;
}

int sched_decided(const struct scheduler *s, const struct sched_pair *p)
{
	const struct sched_pair *b;
	enum analyze_verdict v;
	double vp, vb;

	if (p->baseline < 0 || (size_t)p->baseline >= s->n)
		return 0;
	b = &s->pairs[p->baseline];
	if (p->n_ok < 2 || b->n_ok < 2)
		return 0;
	vp = p->m2 / (p->n_ok - 1);
	vb = b->m2 / (b->n_ok - 1);
	if (!p->invert)
		return analyze_verdict_summary(p->mean, vp, (size_t)p->n_ok,
					       b->mean, vb, (size_t)b->n_ok,
					       family(s), s->o.margin, NULL,
					       NULL, &v) == 0;
	return analyze_verdict_summary(b->mean, vb, (size_t)b->n_ok, p->mean,
				       vp, (size_t)p->n_ok, family(s),
				       s->o.margin, NULL, NULL, &v) == 0;
}

/* until_decided, a pair with a baseline: more until decided. */
static int undecided_wants(const struct scheduler *s,
			   const struct sched_pair *p)
{
	int measured = p->next_rep - 1;

	if (p->disabled || p->next_rep == 0)
		return !p->disabled;
	if (measured >= s->o.max_reps)
		return 0;
	if (measured - p->n_disturbed < s->o.min_reps)
		return 1;
	return !sched_decided(s, p);
}

/* Fixed mode: repetitions added to replace disturbed samples. */
static int extra_reps(const struct scheduler *s, const struct sched_pair *p)
{
	return p->n_disturbed < s->o.retake ? p->n_disturbed : s->o.retake;
}

int sched_wants(const struct scheduler *s, const struct sched_pair *p)
{
	int measured = p->next_rep - 1; /* repetitions 1.. already taken */
	double ci;

	if (p->disabled)
		return 0;
	if (p->next_rep == 0)
		return 1;
	if (s->o.until_decided) {
		size_t self = (size_t)(p - s->pairs);

		if (p->baseline >= 0)
			return undecided_wants(s, p);
		if (measured >= s->o.max_reps)
			return 0;
		if (measured - p->n_disturbed < s->o.min_reps)
			return 1;
		/* a baseline keeps pace while a pair compared with it goes on,
		 * and catches up with the furthest one */
		for (size_t i = 0; i < s->n; i++)
			if (s->pairs[i].baseline == (long)self &&
			    !s->pairs[i].disabled &&
			    (undecided_wants(s, &s->pairs[i]) ||
			     s->pairs[i].next_rep > p->next_rep))
				return 1;
		return 0;
	}
	if (s->o.target_ci <= 0)
		return measured < s->o.reps + extra_reps(s, p);
	if (measured >= s->o.max_reps)
		return 0;
	if (measured - p->n_disturbed < s->o.min_reps)
		return 1;
	ci = sched_ci_percent(p);
	return !(ci >= 0 && ci <= s->o.target_ci);
}

/* Starts the next round: the lowest repetition any pair still wants. */
static int next_round(struct scheduler *s)
{
	size_t *perm;
	int lowest = -1;

	for (size_t i = 0; i < s->n; i++) {
		const struct sched_pair *p = &s->pairs[i];

		if (sched_wants(s, p) && (lowest < 0 || p->next_rep < lowest))
			lowest = p->next_rep;
	}
	if (lowest < 0)
		return 0;
	s->round = lowest;
	perm = xcalloc(s->n, sizeof(*perm));
	sched_permutation(s->o.seed, s->round, s->n, perm);
	s->n_order = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct sched_pair *p = &s->pairs[perm[i]];

		if (p->next_rep == s->round && sched_wants(s, p))
			s->order[s->n_order++] = perm[i];
	}
	s->pos = 0;
	free(perm);
	return 1;
}

int sched_next(struct scheduler *s, size_t *pair, int *repetition)
{
	for (;;) {
		while (s->pos < s->n_order) {
			size_t i = s->order[s->pos++];
			struct sched_pair *p = &s->pairs[i];

			/* A pair may have been recorded past this round (or
			 * disabled) since the round was planned. */
			if (p->next_rep != s->round || p->disabled)
				continue;
			/* until_decided decides at round boundaries, so a pair
			 * and its baseline always stop with the same count */
			if (!s->o.until_decided && !sched_wants(s, p))
				continue;
			*pair = i;
			*repetition = p->next_rep;
			return 1;
		}
		if (!next_round(s))
			return 0;
	}
}

void sched_remaining(const struct scheduler *s, long *lo, long *hi)
{
	*lo = *hi = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct sched_pair *p = &s->pairs[i];
		int measured = p->next_rep > 0 ? p->next_rep - 1 : 0;
		int warm = p->next_rep == 0;

		if (!sched_wants(s, p))
			continue;
		if (s->o.until_decided) {
			int min = s->o.min_reps - (measured - p->n_disturbed);

			*lo += warm + (min > 1 ? min : 1);
			*hi += warm + s->o.max_reps - measured;
		} else if (s->o.target_ci <= 0) {
			*lo += warm + s->o.reps + extra_reps(s, p) - measured;
			*hi += warm + s->o.reps + extra_reps(s, p) - measured;
		} else {
			int min = s->o.min_reps - (measured - p->n_disturbed);

			*lo += warm + (min > 1 ? min : 1);
			*hi += warm + s->o.max_reps - measured;
		}
	}
}
