#!/usr/bin/python3
"""bench/pipeline_pandas.py - the reference for bench/pipeline.sh: the whole
re-analysis a user would write with pandas, scipy and matplotlib instead of
`virtbench import classic` + `virtbench report`.

usage: bench/pipeline_pandas.py OUTDIR HOST:PLATFORM:FILE.csv ...

From the same classic CSV files it computes the statistics of
bench/analyze_pandas.py (per-group moments and t intervals; per platform
against the same host's native: speedup with Fieller's interval, Welch,
Mann-Whitney, Holm), then draws the same number of figures as virtbench's
report, each as PNG and SVG: per host and benchmark the means with 95 % CI
error bars, the speedup against native on a log axis, the samples per
platform (a strip plot of at most 1000 points per platform, as virtbench
draws) and the samples in run order (at most 500 points), plus one
overview of speedups per host; and writes report.md with one table per
benchmark (n, mean, sd, CoV, speedup with CI, Holm p).
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyze_pandas as ap  # noqa: E402


def save(fig, out, stem):
    fig.savefig(os.path.join(out, stem + ".png"), dpi=100)
    fig.savefig(os.path.join(out, stem + ".svg"))
    plt.close(fig)


def main(argv):
    out = argv[1]
    figs = os.path.join(out, "figures")
    os.makedirs(figs, exist_ok=True)
    frames = []
    for spec in argv[2:]:
        host, platform, path = spec.split(":", 2)
        df = pd.read_csv(path, header=None, comment="#")
        df.columns = ["time"] + ap.BENCH[: df.shape[1] - 1]
        df["rep"] = np.arange(1, len(df) + 1)
        long = df.melt(id_vars=["time", "rep"], var_name="benchmark",
                       value_name="value")
        long["host"] = host
        long["platform"] = platform
        frames.append(long)
    data = pd.concat(frames, ignore_index=True)

    # the statistics, as bench/analyze_pandas.py computes them
    g = data.groupby(["host", "platform", "benchmark"], sort=False)["value"]
    desc = g.agg(["count", "mean", "median", "var", "std", "min", "max"])
    desc["cov"] = desc["std"] / desc["mean"]
    half = ap.stats.t.ppf(0.975, desc["count"] - 1) * desc["std"] / np.sqrt(desc["count"])
    desc["lo"], desc["hi"] = desc["mean"] - half, desc["mean"] + half
    values = {k: v.to_numpy() for k, v in g}
    cmp = {}
    for (host, platform, bench), row in desc.iterrows():
        key = (host, "native", bench)
        if platform == "native" or key not in values:
            continue
        x, y = values[(host, platform, bench)], values[key]
        b = desc.loc[key]
        nx, ny = len(x), len(y)
        w = ap.stats.ttest_ind(x, y, equal_var=False)
        mw = ap.stats.mannwhitneyu(x, y, alternative="two-sided",
                                   use_continuity=True, method="asymptotic")
        cmp[(host, platform, bench)] = {
            "speedup": row["mean"] / b["mean"],
            "ci": ap.fieller(row["mean"], row["var"] / nx, b["mean"],
                             b["var"] / ny, nx, ny),
            "p": w.pvalue, "u": mw.statistic, "pu": mw.pvalue}
    keys = sorted(cmp, key=lambda k: cmp[k]["p"])
    running = 0.0
    for rank, k in enumerate(keys):
        running = max(running, min(1.0, (len(keys) - rank) * cmp[k]["p"]))
        cmp[k]["p_holm"] = running

    # the figures
    nfig = 0
    report = ["# Report\n"]
    for host in data["host"].unique():
        hd = data[data["host"] == host]
        plats = list(hd["platform"].unique())
        for bench in ap.BENCH:
            if bench not in set(hd["benchmark"]):
                continue
            d = desc.loc[[(host, p, bench) for p in plats]]
            fig, ax = plt.subplots(figsize=(6, 4))
            ax.bar(plats, d["mean"], yerr=[d["mean"] - d["lo"], d["hi"] - d["mean"]],
                   capsize=4)
            ax.set_title(f"{host}: {bench}, mean and 95% CI")
            save(fig, figs, f"{host}-{bench}-means")
            fig, ax = plt.subplots(figsize=(6, 4))
            others = [p for p in plats if p != "native"]
            sp = [cmp[(host, p, bench)]["speedup"] for p in others]
            lo = [s - cmp[(host, p, bench)]["ci"][0] for s, p in zip(sp, others)]
            hi = [cmp[(host, p, bench)]["ci"][1] - s for s, p in zip(sp, others)]
            ax.errorbar(others, sp, yerr=[lo, hi], fmt="o", capsize=4)
            ax.set_yscale("log")
            ax.axhline(1, color="grey")
            ax.set_title(f"{host}: {bench}, speedup against native")
            save(fig, figs, f"{host}-{bench}-speedup")
            fig, ax = plt.subplots(figsize=(6, 4))
            for i, p in enumerate(plats):
                v = values[(host, p, bench)]
                v = v[:: max(1, len(v) // 1000)]
                ax.scatter(np.full(len(v), i) + np.random.uniform(-.3, .3, len(v)),
                           v, s=2)
            ax.set_xticks(range(len(plats)), plats)
            ax.set_title(f"{host}: {bench}, samples")
            save(fig, figs, f"{host}-{bench}-samples")
            fig, ax = plt.subplots(figsize=(6, 4))
            for p in plats:
                s = hd[(hd["platform"] == p) & (hd["benchmark"] == bench)]
                s = s.iloc[:: max(1, len(s) // 500)]
                ax.plot(s["rep"], s["value"], label=p)
            ax.legend()
            ax.set_title(f"{host}: {bench}, samples in run order")
            save(fig, figs, f"{host}-{bench}-drift")
            nfig += 4
            report.append(f"\n## {host}: {bench}\n\n| platform | n | mean | sd | CoV | speedup (95% CI) | p (Holm) |\n|---|---|---|---|---|---|---|\n")
            for p in plats:
                r = desc.loc[(host, p, bench)]
                c = cmp.get((host, p, bench))
                report.append("| %s | %d | %.6g | %.4g | %.2f%% | %s | %s |\n" % (
                    p, r["count"], r["mean"], r["std"], 100 * r["cov"],
                    "%.4f (%.4f-%.4f)" % (c["speedup"], c["ci"][0], c["ci"][1]) if c else "-",
                    "%.3g" % c["p_holm"] if c else "-"))
        fig, ax = plt.subplots(figsize=(8, 4))
        for p in [p for p in plats if p != "native"]:
            ax.plot(ap.BENCH, [cmp[(host, p, b)]["speedup"] for b in ap.BENCH],
                    "o", label=p)
        ax.set_yscale("log")
        ax.legend()
        ax.set_title(f"{host}: speedup against native")
        save(fig, figs, f"{host}-overview")
        nfig += 1
    with open(os.path.join(out, "report.md"), "w") as f:
        f.writelines(report)
    print(nfig)


if __name__ == "__main__":
    main(sys.argv)
