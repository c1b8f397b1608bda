"""Fit time of Kiln's linear learner beside scikit-learn's ElasticNet on the largest regression set's first split.

Both fit the accuracy benchmark's "enet" settings (common.ENET) on ROOT/<largest regression set>/split0/train.csv,
once to warm up and then REPEATS times, two threads:
  kiln                Kiln.Learn's LinearLearner.Fit through bench/Kiln.Bench.Linear (table checks, standardising,
                      one-hot, Gram matrix, coordinate descent; the CSV is loaded once, outside the timing);
  sklearn_pipeline    the same encoding (reference.linear_encoder) + ElasticNet: the same work;
  sklearn_enet_only   ElasticNet alone on the already encoded matrix (scikit-learn's defaults: tol 1e-4, no Gram);
  sklearn_precompute  ElasticNet alone with precompute=True (the Gram-matrix path Kiln always takes).
Writes one JSON line per variant (median, min, max seconds, iterations) to ROOT/timing_enet.jsonl and prints them.
bench/Kiln.Bench.Linear must be built (bench/accuracy.sh builds it).

Run:  /usr/bin/python3 bench/accuracy/time_enet.py [ROOT=/tmp/kiln-accuracy] [--repeats 7]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import common
from reference import linear_encoder

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KILN_BENCH = os.path.join(REPO, "bench", "Kiln.Bench.Linear", "bin", "Release", "net10.0", "Kiln.Bench.Linear.dll")


def largest_regression_set(manifest):
    """The name of the regression set with the most rows, or None."""
    sets = [(entry["rows"], name) for name, entry in manifest.items() if entry["task"] == "regression"]
    return max(sets)[1] if sets else None


def timed(fit, repeats):
    """Seconds of `repeats` calls of fit() after one warm-up call, sorted."""
    fit()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit()
        seconds.append(time.perf_counter() - start)
    return sorted(seconds)


def enet(**extra):
    """ElasticNet with the benchmark's alpha and l1_ratio."""
    return ElasticNet(alpha=common.ENET["alpha"], l1_ratio=common.ENET["l1_ratio"], max_iter=100_000, **extra)


def kiln_timing(train, repeats):
    """Kiln's record, from bench/Kiln.Bench.Linear's JSON line."""
    args = ["dotnet", KILN_BENCH, train, "target", str(common.ENET["alpha"]), str(common.ENET["l1_ratio"]),
            str(repeats), str(common.THREADS)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sklearn_timings(train, categorical, repeats):
    """scikit-learn's records, one per variant."""
    frame = pd.read_csv(train, dtype={c: "object" for c in categorical})
    x, y = frame.drop(columns=["target"]), frame["target"].to_numpy()
    encoded = linear_encoder(x, categorical).fit_transform(x)
    variants = {
        "sklearn_pipeline": lambda: make_pipeline(linear_encoder(x, categorical), enet()).fit(x, y)[-1],
        "sklearn_enet_only": lambda: enet().fit(encoded, y),
        "sklearn_precompute": lambda: enet(precompute=True).fit(encoded, y),
    }
    records = []
    with threadpool_limits(limits=common.THREADS):
        for name, fit in variants.items():
            seconds = timed(fit, repeats)
            records.append({"tool": name, "rows": len(frame), "median_seconds": statistics.median(seconds),
                            "min_seconds": seconds[0], "max_seconds": seconds[-1], "repeats": repeats,
                            "iterations": int(fit().n_iter_)})
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", default="/tmp/kiln-accuracy")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    manifest = common.load_manifest(args.root)
    name = largest_regression_set(manifest)
    if name is None:
        sys.exit("no regression set in the manifest")
    train = os.path.join(args.root, name, "split0", "train.csv")
    print(f"  {name} split0: {manifest[name]['rows']} rows in the set", flush=True)
    records = [kiln_timing(train, args.repeats), *sklearn_timings(train, manifest[name]["categorical"], args.repeats)]
    with open(os.path.join(args.root, "timing_enet.jsonl"), "w") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")
            print(f"  {record['tool']}: median {record['median_seconds']:.3f} s", flush=True)


if __name__ == "__main__":
    main()
