"""Prints the accuracy benchmark's table: Kiln beside each reference tool, per data set, learner and metric.

For every (set, Kiln comparison, reference, metric) it pairs the per-split values of the two tools (same split, same
test rows) and applies the rule below, then prints the elastic-net fit timing if ROOT/timing_enet.jsonl exists.

Rule ("within noise"): d_k = Kiln_k - reference_k on split k, n splits, D = mean(d), SE = sd(d) / sqrt(n).
The difference is within noise when |D| <= max(t * SE, floor), where t is Student's 97.5 % quantile with n - 1
degrees of freedom (2.78 for 5 splits, 4.30 for 3), i.e. D is inside the 95 % interval of the paired difference, and
floor is the smallest difference that matters: 0.005 for ROC AUC, accuracy, macro F1 and R^2, 2 % of the reference's
mean for log loss and 1 % for RMSE. Otherwise the verdict says which tool is better.

Run:  /usr/bin/python3 bench/accuracy/report.py [ROOT=/tmp/kiln-accuracy] [--markdown FILE]
"""

import argparse
import json
import math
import os
import statistics

import common

T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
ABSOLUTE_FLOOR = {"roc_auc": 0.005, "accuracy": 0.005, "f1_macro": 0.005, "r2": 0.005}
RELATIVE_FLOOR = {"log_loss": 0.02, "rmse": 0.01}
METRIC_NAMES = {"roc_auc": "ROC AUC", "log_loss": "log loss", "accuracy": "accuracy", "f1_macro": "macro F1",
                "rmse": "RMSE", "r2": "R²"}
RULE = ("within noise: |mean paired diff| <= max(t(0.975, n-1) x sd(diff)/sqrt(n), floor); floor = 0.005 for AUC, "
        "accuracy, macro F1, R²; 2 % of the reference mean for log loss, 1 % for RMSE")


def read_results(path):
    """(set, split, tool) -> record; a later line for the same key replaces an earlier one."""
    records = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                records[(r["set"], r["split"], r["tool"])] = r
    return records


def mean_sd(values):
    """Mean and sample standard deviation (0 for one value)."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def verdict(metric, kiln, ref):
    """(mean difference, threshold, verdict) for paired per-split values."""
    diffs = [a - b for a, b in zip(kiln, ref)]
    n = len(diffs)
    d, sd = mean_sd(diffs)
    noise = T_975.get(n - 1, 2.0) * sd / math.sqrt(n) if n > 1 else 0.0
    floor = ABSOLUTE_FLOOR.get(metric) or RELATIVE_FLOOR[metric] * abs(statistics.mean(ref))
    threshold = max(noise, floor)
    if abs(d) <= threshold:
        return d, threshold, "within noise"
    better = (d > 0) == common.HIGHER_IS_BETTER[metric]
    return d, threshold, "Kiln better" if better else "Kiln WORSE"


def rows(manifest, kiln_results, ref_results):
    """One row per (set, comparison, reference, metric) that both tools have results for."""
    out = []
    for name, entry in manifest.items():
        for comparison in common.comparisons_for(entry["task"]):
            for ref in common.COMPARISONS[comparison]["refs"]:
                splits = [k for k in range(entry["splits"])
                          if (name, k, f"kiln:{comparison}") in kiln_results and (name, k, ref) in ref_results]
                if not splits:
                    continue
                for metric in common.METRICS[entry["task"]]:
                    kiln = [kiln_results[(name, k, f"kiln:{comparison}")][metric] for k in splits]
                    refv = [ref_results[(name, k, ref)][metric] for k in splits]
                    d, threshold, word = verdict(metric, kiln, refv)
                    out.append({"set": name, "learner": comparison, "reference": common.REFERENCE_NAMES[ref],
                                "metric": METRIC_NAMES[metric], "n": len(splits), "kiln": mean_sd(kiln),
                                "ref": mean_sd(refv), "diff": d, "threshold": threshold, "verdict": word})
    return out


def fmt(value, digits=4):
    """A number with `digits` decimals, or in exponent form when it is large."""
    return f"{value:.{digits}f}" if abs(value) < 1000 else f"{value:.4g}"


def cells(row):
    """The printed cells of one table row."""
    return [row["set"], row["learner"], row["reference"], row["metric"], str(row["n"]),
            f"{fmt(row['kiln'][0])} ± {fmt(row['kiln'][1])}", f"{fmt(row['ref'][0])} ± {fmt(row['ref'][1])}",
            f"{row['diff']:+.4f}", fmt(row["threshold"]), row["verdict"]]


HEADER = ["data set", "Kiln learner", "reference", "metric", "splits", "Kiln mean ± sd", "reference mean ± sd",
          "diff (Kiln − ref)", "threshold", "verdict"]


def text_table(table):
    """A fixed-width table for the terminal."""
    lines = [HEADER] + [cells(r) for r in table]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in lines)


def markdown_table(table):
    """The same table in Markdown."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    for r in table:
        c = cells(r)
        if r["verdict"] != "within noise":
            c[-1] = f"**{c[-1]}**"
        lines.append("| " + " | ".join(c) + " |")
    return "\n".join(lines)


def timing(root):
    """Lines describing the elastic-net fit timing, or [] when it was not run."""
    path = os.path.join(root, "timing_enet.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        records = {r["tool"]: r for r in map(json.loads, f)}
    kiln = records.get("kiln")
    if not kiln:
        return []
    lines = [f"Elastic net fit time, {kiln['rows']:,} training rows (alpha {common.ENET['alpha']}, "
             f"l1_ratio {common.ENET['l1_ratio']}), median of {kiln['repeats']} after a warm-up:",
             f"  Kiln linear learner (encode + Gram + coordinate descent): {kiln['median_seconds']:.3f} s "
             f"(min {kiln['min_seconds']:.3f}, max {kiln['max_seconds']:.3f}; {kiln['iterations']} sweeps)"]
    labels = {"sklearn_pipeline": "scikit-learn encode + ElasticNet", "sklearn_enet_only": "scikit-learn ElasticNet alone",
              "sklearn_precompute": "scikit-learn ElasticNet alone, precompute=True"}
    for tool, label in labels.items():
        if tool in records:
            r = records[tool]
            ratio = kiln["median_seconds"] / r["median_seconds"]
            lines.append(f"  {label}: {r['median_seconds']:.3f} s (min {r['min_seconds']:.3f}, max {r['max_seconds']:.3f}; "
                         f"{r['iterations']} iterations) -> Kiln / this = {ratio:.2f}x")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", default="/tmp/kiln-accuracy")
    parser.add_argument("--markdown", default="", help="also write the table as Markdown to this file")
    args = parser.parse_args()
    manifest = common.load_manifest(args.root)
    table = rows(manifest, read_results(os.path.join(args.root, "results_kiln.jsonl")),
                 read_results(os.path.join(args.root, "results_reference.jsonl")))
    print(text_table(table))
    print()
    print("Rule: " + RULE)
    counts = {w: sum(r["verdict"] == w for r in table) for w in ("within noise", "Kiln better", "Kiln WORSE")}
    print(", ".join(f"{n} {w}" for w, n in counts.items()) + f" (of {len(table)} rows)")
    extra = timing(args.root)
    if extra:
        print()
        print("\n".join(extra))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown_table(table) + "\n\nRule: " + RULE + "\n")
            if extra:
                f.write("\n" + "\n".join(extra) + "\n")


if __name__ == "__main__":
    main()
