"""Fit time of scikit-learn's ElasticNet on one training CSV, beside Kiln's linear learner (bench/Kiln.Bench.Linear).

Times, with the settings of the accuracy benchmark's "enet" comparison (common.ENET):
  sklearn_pipeline   encoding (Kiln's: standardised numerics, missing -> 0, one-hot categoricals) + ElasticNet,
                     the same work LinearLearner.Fit does;
  sklearn_enet_only  ElasticNet alone on the already encoded matrix (scikit-learn's defaults: tol 1e-4, no Gram);
  sklearn_precompute ElasticNet alone with precompute=True (the Gram-matrix path Kiln always takes).
Each is fitted once to warm up, then REPEATS times; prints one JSON line per variant with the median, min and max.

Run:  /usr/bin/python3 bench/accuracy/time_enet.py TRAIN.csv [--repeats 7] [--categorical region,x03_band]
"""

import argparse
import json
import statistics
import time

import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import common
from reference import linear_encoder


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--categorical", default="", help="comma-separated categorical columns")
    args = parser.parse_args()
    categorical = [c for c in args.categorical.split(",") if c]
    frame = pd.read_csv(args.train, dtype={c: "object" for c in categorical})
    x, y = frame.drop(columns=["target"]), frame["target"].to_numpy()
    encoded = linear_encoder(x, categorical).fit_transform(x)
    variants = {
        "sklearn_pipeline": lambda: make_pipeline(linear_encoder(x, categorical), enet()).fit(x, y),
        "sklearn_enet_only": lambda: enet().fit(encoded, y),
        "sklearn_precompute": lambda: enet(precompute=True).fit(encoded, y),
    }
    with threadpool_limits(limits=common.THREADS):
        for name, fit in variants.items():
            seconds = timed(fit, args.repeats)
            print(json.dumps({"tool": name, "rows": len(frame), "median_seconds": statistics.median(seconds),
                              "min_seconds": seconds[0], "max_seconds": seconds[-1], "repeats": args.repeats,
                              "iterations": int(fit()[-1].n_iter_ if name == "sklearn_pipeline" else fit().n_iter_)}),
                  flush=True)


if __name__ == "__main__":
    main()
