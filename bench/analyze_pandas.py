#!/usr/bin/python3
"""bench/analyze_pandas.py - the reference for bench/analyze.sh: what a user
would write with pandas and scipy instead of `virtbench analyze`, computing
the same statistics from the same classic CSV files.

usage: bench/analyze_pandas.py [--baseline native] HOST:PLATFORM:FILE.csv ...

Reads every file (lines time,cpu,mem,diskRand,diskSeq[,fork,uplink]), and per
(host, platform, benchmark) prints n, mean, median, variance (n-1), sd, CoV,
min, max and the Student t 95 % CI of the mean; per non-baseline group, the
speedup against the same host's baseline with Fieller's 95 % interval (Welch-
Satterthwaite df at the estimated ratio), Welch's t test, the Mann-Whitney U
test (normal approximation with tie and continuity correction, as R and
virtbench do at these sizes) and Holm's adjustment of the Welch p-values over
all comparisons. Output: one JSON object on stdout, like analyze's.

All six classic benchmarks are higher-is-better, so the speedup is
mean(platform) / mean(baseline).
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats

BENCH = ["cpu", "mem", "diskRand", "diskSeq", "fork", "uplink"]


def fieller(mx, vx, my, vy, nx, ny, conf=0.95):
    """Fieller's interval for mx/my; vx, vy are the variances of the means."""
    r = mx / my
    df = (vx + r * r * vy) ** 2 / (vx * vx / (nx - 1) + r ** 4 * vy * vy / (ny - 1))
    t = stats.t.ppf(1 - (1 - conf) / 2, df)
    a = my * my - t * t * vy
    if a <= 0:
        return None
    b = mx * my
    c = mx * mx - t * t * vx
    d = b * b - a * c
    if d < 0:
        return None
    s = np.sqrt(d)
    return [(b - s) / a, (b + s) / a]


def main(argv):
    baseline = "native"
    if len(argv) > 2 and argv[1] == "--baseline":
        baseline = argv[2]
        argv = argv[2:]
    frames = []
    for spec in argv[1:]:
        host, platform, path = spec.split(":", 2)
        df = pd.read_csv(path, header=None, comment="#")
        df.columns = ["time"] + BENCH[: df.shape[1] - 1]
        long = df.melt(id_vars="time", var_name="benchmark", value_name="value")
        long["host"] = host
        long["platform"] = platform
        frames.append(long)
    data = pd.concat(frames, ignore_index=True)

    g = data.groupby(["host", "platform", "benchmark"], sort=False)["value"]
    desc = g.agg(["count", "mean", "median", "var", "std", "min", "max"])
    desc["cov"] = desc["std"] / desc["mean"]
    half = stats.t.ppf(0.975, desc["count"] - 1) * desc["std"] / np.sqrt(desc["count"])
    desc["lo"] = desc["mean"] - half
    desc["hi"] = desc["mean"] + half
    values = {k: v.to_numpy() for k, v in g}

    results, pvals = [], []
    for (host, platform, bench), row in desc.iterrows():
        res = {"host": host, "platform": platform, "benchmark": bench,
               "n": int(row["count"]), "mean": row["mean"],
               "median": row["median"], "variance": row["var"],
               "stddev": row["std"], "cov": row["cov"], "min": row["min"],
               "max": row["max"], "ci95": [row["lo"], row["hi"]]}
        key = (host, baseline, bench)
        if platform != baseline and key in values:
            x, y = values[(host, platform, bench)], values[key]
            b = desc.loc[key]
            welch = stats.ttest_ind(x, y, equal_var=False)
            nx, ny = len(x), len(y)
            vx, vy = row["var"] / nx, b["var"] / ny
            wdf = (vx + vy) ** 2 / (vx * vx / (nx - 1) + vy * vy / (ny - 1))
            mw = stats.mannwhitneyu(x, y, alternative="two-sided",
                                    use_continuity=True, method="asymptotic")
            res["vs_baseline"] = {
                "speedup": row["mean"] / b["mean"],
                "ci95": fieller(row["mean"], vx, b["mean"], vy, nx, ny),
                "welch": {"t": welch.statistic, "df": wdf, "p": welch.pvalue},
                "mann_whitney": {"u": mw.statistic, "p": mw.pvalue}}
            pvals.append((welch.pvalue, res["vs_baseline"]))
        results.append(res)

    # Holm over every comparison
    m = len(pvals)
    order = sorted(range(m), key=lambda i: pvals[i][0])
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvals[i][0]))
        pvals[i][1]["p_holm"] = running
        pvals[i][1]["significant"] = running < 0.05
    json.dump({"baseline": baseline, "results": results}, sys.stdout,
              default=float)
    print()


if __name__ == "__main__":
    main(sys.argv)
