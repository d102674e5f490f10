#!/usr/bin/python3
"""tests/ref/gen_stats.py - reference values for analyze/stats.c.

Writes tests/ref/stats_ref.h: the fixture data (deterministic, seeded) and
what scipy (and R, for the Spearman drift) says about it, for
tests/unit/test_stats.c to compare against (1e-9 relative throughout).

Sources of truth:
  moments         numpy mean / var(ddof=1) / min / max
  t CI            tq(): scipy.stats.t.ppf polished by Newton steps on
                  scipy.stats.t.sf (see tq() for why)
  quantiles       numpy.quantile (linear = R type 7)
  median CI       order statistics with k from scipy.stats.binom.cdf
  Welch           scipy.stats.ttest_ind(equal_var=False)  (= R t.test)
  Mann-Whitney    scipy.stats.mannwhitneyu(use_continuity=True) with
                  method chosen as R's wilcox.test does: exact when
                  n_x < 50, n_y < 50 and no ties, else asymptotic
  Fieller         the formula of mratios::ttestratio(x, y, var.equal=FALSE)
                  (mratios 1.4, t.test.ratio.default, iterativeCI=FALSE),
                  re-typed here with scipy.stats.t because mratios is not
                  packaged for Debian:
                    r   = mean(x)/mean(y)
                    df  = max(1, (vx/nx + r^2 vy/ny)^2 /
                                 (vx^2/(nx^2(nx-1)) + r^4 vy^2/(ny^2(ny-1))))
                    q   = tq(0.975, df)
                    A   = vy q^2/ny - my^2, B = 2 mx my, C = vx q^2/nx - mx^2
                    A >= 0 -> unbounded; else
                    lo, hi = B/(-2A) +/- sqrt((B/2)^2 - A C)/A  (sorted)
  Holm            R's p.adjust(p, "holm"): pmin(1, cummax((m-i+1) p_(i)))
  Spearman trend  R's cor.test(x, 1:n, method = "spearman") p-values from
                  tests/ref/spearman_r.csv (written by gen_spearman.R),
                  each checked here before use: n <= 9 against
                  scipy.stats.permutation_test (exact, all n!
                  orders); 10 <= n <= 1290 against AS 89's Edgeworth
                  series re-typed below (as89_edgeworth); ties or
                  n > 1290 against scipy.stats.spearmanr (t on n-2 df)
  simultaneous    Fieller at 1 - 0.05/m and 1 - 0.10/m (Bonferroni),
  Fieller         the quadratic solved exactly in rationals (fieller_exact)
  verdict,        DESIGN.md's rule on those intervals; reps_needed by
  reps_needed     linear search over k more samples per side
  instances       one-way random-effects moments (MSB/MSW checked against
                  scipy.stats.f_oneway)

Run: /usr/bin/python3 tests/ref/gen_stats.py > tests/ref/stats_ref.h
(after Rscript tests/ref/gen_spearman.R > tests/ref/spearman_r.csv when
the Spearman cases change)
"""
import math
import os
import sys
from decimal import Decimal, getcontext
from fractions import Fraction as F

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261125)


def r(x):
    return float(repr(float(x)))


# ---- fixture data -------------------------------------------------------
samples = {
    "normal20": rng.normal(1000.0, 30.0, 20),
    "one": np.array([4500.25]),
    "two": np.array([10.0, 12.5]),
    "six": np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0]),
    "const5": np.array([7.5] * 5),
    "outl40": np.concatenate([rng.normal(50.0, 1.0, 37), [58.0, 41.0, 80.0]]),
    "big500": rng.lognormal(3.0, 0.3, 500),
    "ties30": np.round(rng.normal(20.0, 2.0, 30)),
}

pairs = [
    # name, x (platform), y (baseline)
    ("exact_10_12", rng.normal(950.0, 20.0, 10), rng.normal(1000.0, 25.0, 12)),
    ("exact_5_1", rng.normal(5.0, 1.0, 5), np.array([4.2])),
    ("approx_60_55", rng.normal(100.0, 5.0, 60), rng.normal(102.0, 6.0, 55)),
    ("ties_15_15", np.round(rng.normal(10.0, 1.5, 15)),
     np.round(rng.normal(11.0, 1.5, 15))),
    ("tcg_20x", rng.normal(593.0, 10.0, 8), rng.normal(4500.0, 60.0, 8)),
    ("xconst", np.array([3.0] * 6), rng.normal(3.3, 0.2, 7)),
    ("unbounded", rng.normal(1.0, 0.5, 4), np.array([0.5, -0.4, 0.3, -0.2])),
    ("exact_49_49", rng.normal(0.0, 1.0, 49), rng.normal(0.3, 1.0, 49)),
    ("approx_50_3", rng.normal(0.0, 1.0, 50), rng.normal(0.5, 1.0, 3)),
]


holm_p = [0.01, 0.04, 0.03, 0.005, float("nan"), 0.5, 0.04]

# Verdict fixtures, from their own generator so the ones above stay put.
rng2 = np.random.default_rng(20261201)
sim_pairs = [(name, x, y) for name, x, y in pairs] + [
    # near-constant data far from zero: (B/2)^2 - AC computed as a
    # difference loses every digit here (1e24 terms, a 1e5 result)
    ("nearconst", 1e6 + rng2.normal(0.0, 1e-3, 8),
     1e6 + 0.5e-3 + rng2.normal(0.0, 1e-3, 9)),
    ("equiv_1pct", rng2.normal(1010.0, 5.0, 30), rng2.normal(1000.0, 5.0, 30)),
    ("close_noisy", rng2.normal(1005.0, 40.0, 6), rng2.normal(1000.0, 40.0, 6)),
    ("docker_busy", rng2.normal(819.0, 150.0, 5), rng2.normal(1000.0, 60.0, 5)),
]
sim_m = [1, 4, 12]

# Instances: (name, values, instance of each value)
inst_sets = []
for name, sizes, mus in (("three_unbal", (5, 8, 3), (100.0, 104.0, 97.0)),
                         ("two_bal", (6, 6), (50.0, 50.5)),
                         ("no_between", (4, 4, 4), (10.0, 10.0, 10.0))):
    vals, ids = [], []
    for i, (n, mu) in enumerate(zip(sizes, mus)):
        vals += list(rng2.normal(mu, 1.5, n))
        ids += [2 * i + 1] * n  # instance numbers 1, 3, 5: not dense
    order = rng2.permutation(len(vals))  # values interleaved in time
    inst_sets.append((name, np.array(vals)[order], np.array(ids)[order]))

# (pair, m, margin) for the verdict and reps_needed references
verdict_cases = [
    ("equiv_1pct", 1, 0.02), ("equiv_1pct", 12, 0.02),
    ("equiv_1pct", 12, 0.005), ("close_noisy", 1, 0.02),
    ("close_noisy", 4, 0.05), ("docker_busy", 4, 0.02),
    ("exact_10_12", 12, 0.02), ("tcg_20x", 12, 0.02),
    ("unbounded", 4, 0.02), ("approx_60_55", 4, 0.02),
    ("exact_49_49", 1, 0.02),
]


# ---- references ----------------------------------------------------------
def tq(p, df):
    """Student t quantile. scipy 1.10's t.ppf is only good to ~1e-10
    relative (df=2: 4.302652729911275 against the closed form
    (2p-1)/sqrt(2p(1-p)) = 4.30265272974946385; df=1: tan(pi(p-1/2)) is
    off by 2e-11), while its t.sf is accurate; three Newton steps on sf
    restore the closed forms for df = 1, 2, 4 to 1e-15."""
    t = stats.t.ppf(p, df)
    for _ in range(3):
        t = t + (stats.t.sf(t, df) - (1 - p)) / stats.t.pdf(t, df)
    return float(t)


def moments(x):
    n = len(x)
    mean = float(np.mean(x))
    var = float(np.var(x, ddof=1)) if n >= 2 else math.nan
    sd = math.sqrt(var) if n >= 2 else math.nan
    cov = sd / abs(mean) if n >= 2 and mean != 0 else math.nan
    if n >= 2:
        h = tq(0.975, n - 1) * sd / math.sqrt(n)
        lo, hi = mean - h, mean + h
    else:
        lo = hi = math.nan
    return [mean, var, sd, cov, float(np.min(x)), float(np.max(x)), lo, hi]


def median_ci(x):
    s = np.sort(x)
    n = len(s)
    if stats.binom.cdf(0, n, 0.5) > 0.025:
        return [math.nan, math.nan]
    k = 1
    while stats.binom.cdf(k, n, 0.5) <= 0.025:  # P(B <= (k+1)-1)
        k += 1
    return [float(s[k - 1]), float(s[n - k])]


def quartiles(x):
    return [float(np.quantile(x, 0.25)), float(np.median(x)),
            float(np.quantile(x, 0.75))]


def welch(x, y):
    if len(x) < 2 or len(y) < 2:
        return [math.nan] * 3
    res = stats.ttest_ind(x, y, equal_var=False)
    vx, vy = np.var(x, ddof=1), np.var(y, ddof=1)
    ax, ay = vx / len(x), vy / len(y)
    df = (ax + ay) ** 2 / (ax ** 2 / (len(x) - 1) + ay ** 2 / (len(y) - 1))
    return [float(res.statistic), float(df), float(res.pvalue)]


def mann_whitney(x, y):
    pooled = np.concatenate([x, y])
    ties = len(np.unique(pooled)) < len(pooled)
    exact = len(x) < 50 and len(y) < 50 and not ties
    res = stats.mannwhitneyu(x, y, alternative="two-sided",
                             use_continuity=True,
                             method="exact" if exact else "asymptotic")
    return [float(res.statistic), float(res.pvalue), 1.0 if exact else 0.0]


def fieller(x, y):
    nx, ny = len(x), len(y)
    mx, my = float(np.mean(x)), float(np.mean(y))
    est = mx / my
    if nx < 2 or ny < 2:
        return [est, math.nan, math.nan, 0.0]
    vx, vy = float(np.var(x, ddof=1)), float(np.var(y, ddof=1))
    df = max(1.0, (vx / nx + est ** 2 * vy / ny) ** 2 /
             (vx ** 2 / (nx ** 2 * (nx - 1)) +
              est ** 4 * vy ** 2 / (ny ** 2 * (ny - 1))))
    q = tq(0.975, df)
    A = vy * q ** 2 / ny - my ** 2
    B = 2 * mx * my
    C = vx * q ** 2 / nx - mx ** 2
    if A >= 0:
        return [est, math.nan, math.nan, 0.0]
    u = B / (-2 * A) - math.sqrt((B / 2) ** 2 - A * C) / A
    l = B / (-2 * A) + math.sqrt((B / 2) ** 2 - A * C) / A
    return [est, min(l, u), max(l, u), 1.0]


def fieller_exact(x, y, level):
    """Fieller's interval at any level, the quadratic solved in exact
    rational arithmetic on the double inputs (means, variances, the t
    quantile) and the square root taken to 40 digits, so the reference
    has no cancellation of its own. [lo, hi] or [nan, nan] if unbounded."""
    nx, ny = len(x), len(y)
    mx, my = float(np.mean(x)), float(np.mean(y))
    vx, vy = float(np.var(x, ddof=1)), float(np.var(y, ddof=1))
    return fieller_exact_summary(mx, vx, nx, my, vy, ny, level)


def fieller_exact_summary(mx, vx, nx, my, vy, ny, level):
    est = mx / my
    df = max(1.0, (vx / nx + est ** 2 * vy / ny) ** 2 /
             (vx ** 2 / (nx ** 2 * (nx - 1)) +
              est ** 4 * vy ** 2 / (ny ** 2 * (ny - 1))))
    q = F(tq(1 - (1 - level) / 2, df))
    Mx, My, Vx, Vy = F(mx), F(my), F(vx), F(vy)
    A = q * q * Vy / ny - My * My
    B = 2 * Mx * My
    C = q * q * Vx / nx - Mx * Mx
    if A >= 0:
        return [math.nan, math.nan]
    disc = B * B / 4 - A * C
    getcontext().prec = 40
    root = Decimal(disc.numerator).sqrt() / Decimal(disc.denominator).sqrt()
    c0 = Decimal((-B / (2 * A)).numerator) / Decimal((-B / (2 * A)).denominator)
    h = root / (Decimal(A.numerator) / Decimal(A.denominator))
    a, b = float(c0 - h), float(c0 + h)
    return [min(a, b), max(a, b)]


def verdict(mx, vx, nx, my, vy, ny, m, margin):
    lo90, hi90 = fieller_exact_summary(mx, vx, nx, my, vy, ny, 1 - 0.10 / m)
    lo95, hi95 = fieller_exact_summary(mx, vx, nx, my, vy, ny, 1 - 0.05 / m)
    if not math.isnan(lo90) and lo90 >= 1 / (1 + margin) and \
            hi90 <= 1 + margin:
        return "equivalent"
    if not math.isnan(lo95) and lo95 > 1:
        return "faster"
    if not math.isnan(lo95) and hi95 < 1:
        return "slower"
    return "inconclusive"


def reps_needed(x, y, m, margin, limit=20000):
    """The smallest k such that k more samples per side with the same means
    and variances decide the verdict, by plain linear search (the C code
    bisects). -1 when not found below limit."""
    nx, ny = len(x), len(y)
    mx, my = float(np.mean(x)), float(np.mean(y))
    vx, vy = float(np.var(x, ddof=1)), float(np.var(y, ddof=1))
    for k in range(limit):
        if verdict(mx, vx, nx + k, my, vy, ny + k, m, margin) != \
                "inconclusive":
            return k
    return -1


def instances(v, ids):
    """One-way random effects by the method of moments; MSB/MSW checked
    against scipy.stats.f_oneway's F."""
    ks = sorted(set(ids.tolist()))
    groups = [v[ids == k] for k in ks]
    N, K = len(v), len(ks)
    means = [float(np.mean(g)) for g in groups]
    ns = [len(g) for g in groups]
    grand = float(np.mean(v))
    msw = sum(float(np.sum((g - np.mean(g)) ** 2)) for g in groups) / (N - K)
    msb = sum(n * (m - grand) ** 2 for n, m in zip(ns, means)) / (K - 1)
    f = stats.f_oneway(*groups).statistic
    assert abs(msb / msw - f) <= 1e-9 * f, (msb / msw, f)
    n0 = (N - sum(n * n for n in ns) / N) / (K - 1)
    between = math.sqrt(max(0.0, (msb - msw) / n0))
    return (ks, means, ns, between, math.sqrt(msw), float(np.mean(means)),
            float(np.var(means, ddof=1)))


def holm(p):
    idx = [i for i, v in enumerate(p) if not math.isnan(v)]
    m = len(idx)
    order = sorted(idx, key=lambda i: (p[i], i))
    out = [math.nan] * len(p)
    run = 0.0
    for rank, i in enumerate(order):
        run = max(run, (m - rank) * p[i])
        out[i] = min(1.0, run)
    return out


def as89_edgeworth(n, s):
    """Two-sided p of S = s for n > 9 without ties by AS 89 (Best &
    Roberts 1975): the tail of the observed side at S - 1 (upper) or S + 1
    (lower, as P(S < s + 2)), normal plus the Edgeworth term, clamped to
    [0, 1], doubled."""
    def tail(js, lower):
        x = (6.0 * (js - 1) / (n ** 3 - n) - 1) * math.sqrt(n - 1)
        y, b = x * x, 1.0 / n
        c = [0, .2274, .2531, .1745, .0758, .1033, .3932, .0879, .0151,
             .0072, .0831, .0131, 4.6e-4]
        u = x * b * (c[1] + b * (c[2] + c[3] * b) + y * (
            -c[4] + b * (c[5] + c[6] * b) - y * b * (
                c[7] + c[8] * b - y * (c[9] - c[10] * b + y * b * (
                    c[11] - c[12] * y)))))
        e = u * math.exp(-y / 2)
        p = stats.norm.cdf(x) - e if lower else stats.norm.sf(x) + e
        return min(1.0, max(0.0, p))
    mid = (n ** 3 - n) / 6
    p = tail(s, False) if s > mid else tail(s + 2, True)
    return min(1.0, 2 * p)


def spearman_exact(x):
    """Two-sided exact permutation p of Spearman's rho (no ties)."""
    n = len(x)
    i = np.arange(1, n + 1)

    def rho(v, axis=-1):
        return 1 - 6 * np.sum((v - i) ** 2, axis=axis) / (n ** 3 - n)
    res = stats.permutation_test((np.asarray(x, dtype=float),), rho,
                                 permutation_type="pairings",
                                 alternative="two-sided", vectorized=True,
                                 n_resamples=np.inf)
    return float(res.pvalue)


def spearman_cases(path):
    """R's cor.test Spearman results, each checked against scipy or AS 89
    before it becomes a reference."""
    cases = []
    with open(path) as f:
        head = f.readline().strip().split(",")
        assert head == ["name", "n", "ties", "rho", "S", "p", "values"], head
        for line in f:
            name, n, ties, rho, S, p, vals = line.rstrip("\n").split(",")
            x = np.array([float(v) for v in vals.split()])
            n, ties, rho, S, p = int(n), int(ties), float(rho), float(S), \
                float(p)
            assert len(x) == n and ties == (len(np.unique(x)) < n), name
            sp = stats.spearmanr(x, np.arange(1, n + 1))
            assert abs(sp.statistic - rho) <= 1e-12, (name, sp, rho)
            if not ties and n <= 9:
                check, tol = spearman_exact(x), 1e-12
            elif not ties and n <= 1290:
                check, tol = as89_edgeworth(n, round(S)), 1e-9
            else:
                check, tol = float(sp.pvalue), 1e-9
            assert abs(check - p) <= tol * p or check == p, \
                (name, n, check, p)
            cases.append((name, n, ties, x, rho, p))
    return cases


# ---- C output -------------------------------------------------------------
def cnum(v):
    if isinstance(v, float) and math.isnan(v):
        return "NAN"
    return repr(float(v))


def carr(vals):
    return "{ " + ", ".join(cnum(v) for v in vals) + " }"


out = []
w = out.append
w("/* tests/ref/stats_ref.h - generated by tests/ref/gen_stats.py from its")
w(" * fixture data; do not edit. scipy %s, numpy %s. */" %
  (scipy.__version__, np.__version__))
w("#include <math.h>")
w("#include <stddef.h>")
w("")
w("struct ref_sample {")
w("\tconst char *name;")
w("\tsize_t n;")
w("\tconst double *x;")
w("\t/* mean, var, sd, cov, min, max, ci_lo, ci_hi */")
w("\tdouble m[8];")
w("\tdouble q1, median, q3;")
w("\tdouble med_lo, med_hi;")
w("};")
w("")
for name, x in samples.items():
    w("static const double ref_x_%s[] = %s;" % (name, carr(x)))
w("static const struct ref_sample ref_samples[] = {")
for name, x in samples.items():
    mc = median_ci(x)
    q = quartiles(x)
    w("\t{ \"%s\", %d, ref_x_%s, %s, %s, %s, %s, %s, %s }," %
      (name, len(x), name, carr(moments(x)), cnum(q[0]), cnum(q[1]),
       cnum(q[2]), cnum(mc[0]), cnum(mc[1])))
w("};")
w("")
w("struct ref_pair {")
w("\tconst char *name;")
w("\tsize_t nx, ny;")
w("\tconst double *x, *y;")
w("\tdouble welch[3];   /* t, df, p (NAN: not computable) */")
w("\tdouble mw[3];      /* W, p, exact */")
w("\tdouble fieller[4]; /* ratio mean(x)/mean(y), lo, hi, bounded */")
w("};")
w("")
for name, x, y in pairs:
    w("static const double ref_px_%s[] = %s;" % (name, carr(x)))
    w("static const double ref_py_%s[] = %s;" % (name, carr(y)))
w("static const struct ref_pair ref_pairs[] = {")
for name, x, y in pairs:
    w("\t{ \"%s\", %d, %d, ref_px_%s, ref_py_%s,\n\t  %s,\n\t  %s,\n\t  %s }," %
      (name, len(x), len(y), name, name, carr(welch(x, y)),
       carr(mann_whitney(x, y)), carr(fieller(x, y))))
w("};")
w("")
w("/* Spearman trends: R's cor.test(x, 1:n, method = \"spearman\") rho and")
w(" * two-sided p (tests/ref/spearman_r.csv, checked against scipy). */")
w("struct ref_trend {")
w("\tconst char *name;")
w("\tsize_t n;")
w("\tint ties;")
w("\tconst double *x;")
w("\tdouble rho, p;")
w("};")
trends = spearman_cases(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "spearman_r.csv"))
for name, n, ties, x, rho, p in trends:
    w("static const double ref_t_%s[] = %s;" % (name, carr(x)))
w("static const struct ref_trend ref_trends[] = {")
for name, n, ties, x, rho, p in trends:
    w("\t{ \"%s\", %d, %d, ref_t_%s, %s, %s }," % (name, n, ties, name,
                                                cnum(rho), cnum(p)))
w("};")
w("")
w("static const double ref_holm_in[] = %s;" % carr(holm_p))
w("static const double ref_holm_out[] = %s;" % carr(holm(holm_p)))
w("")
w("/* Simultaneous Fieller intervals (Bonferroni over m): lo/hi at")
w(" * 1 - 0.05/m and 1 - 0.10/m, NAN when unbounded; from fieller_exact(). */")
w("struct ref_sim {")
w("\tconst char *name;")
w("\tsize_t nx, ny;")
w("\tconst double *x, *y;")
w("\tsize_t m;")
w("\tdouble ci95[2], ci90[2];")
w("};")
named = {name: (x, y) for name, x, y in pairs}
for name, x, y in sim_pairs:
    if name not in named:
        w("static const double ref_px_%s[] = %s;" % (name, carr(x)))
        w("static const double ref_py_%s[] = %s;" % (name, carr(y)))
w("static const struct ref_sim ref_sims[] = {")
for name, x, y in sim_pairs:
    if len(x) < 2 or len(y) < 2:
        continue
    for m in sim_m:
        w("\t{ \"%s\", %d, %d, ref_px_%s, ref_py_%s, %d, %s, %s }," %
          (name, len(x), len(y), name, name, m,
           carr(fieller_exact(x, y, 1 - 0.05 / m)),
           carr(fieller_exact(x, y, 1 - 0.10 / m))))
w("};")
w("")
w("/* Verdicts and reps_needed (linear search) for (pair, m, margin). */")
w("struct ref_verdict {")
w("\tconst char *name;")
w("\tsize_t nx, ny;")
w("\tconst double *x, *y;")
w("\tsize_t m;")
w("\tdouble margin;")
w("\tconst char *verdict;")
w("\tlong reps_needed; /* 0 when decided */")
w("};")
w("static const struct ref_verdict ref_verdicts[] = {")
allp = {name: (x, y) for name, x, y in sim_pairs}
for name, m, margin in verdict_cases:
    x, y = allp[name]
    mx, my = float(np.mean(x)), float(np.mean(y))
    vx, vy = float(np.var(x, ddof=1)), float(np.var(y, ddof=1))
    w("\t{ \"%s\", %d, %d, ref_px_%s, ref_py_%s, %d, %s, \"%s\", %d }," %
      (name, len(x), len(y), name, name, m, cnum(margin),
       verdict(mx, vx, len(x), my, vy, len(y), m, margin),
       reps_needed(x, y, m, margin)))
w("};")
w("")
w("/* Instances: one-way random-effects estimates (instances()). */")
w("struct ref_inst {")
w("\tconst char *name;")
w("\tsize_t n;")
w("\tconst double *x;")
w("\tconst int *inst;")
w("\tsize_t k;")
w("\tint ids[3];")
w("\tdouble means[3];")
w("\tsize_t ns[3];")
w("\tdouble between_sd, within_sd, mean_of_means, var_of_means;")
w("};")
for name, v, ids in inst_sets:
    w("static const double ref_ix_%s[] = %s;" % (name, carr(v)))
    w("static const int ref_ii_%s[] = { %s };" %
      (name, ", ".join(str(int(i)) for i in ids)))
w("static const struct ref_inst ref_insts[] = {")
for name, v, ids in inst_sets:
    ks, means, ns, b, wsd, mom, vom = instances(v, ids)
    pad = 3 - len(ks)
    w("\t{ \"%s\", %d, ref_ix_%s, ref_ii_%s, %d, { %s }, %s, { %s }, %s, %s, %s, %s }," %
      (name, len(v), name, name, len(ks),
       ", ".join(str(k) for k in ks + [0] * pad),
       carr(means + [0.0] * pad), ", ".join(str(n) for n in ns + [0] * pad),
       cnum(b), cnum(wsd), cnum(mom), cnum(vom)))
w("};")
sys.stdout.write("\n".join(out) + "\n")
