"""Writes the data sets of Kiln's accuracy benchmark as train/test CSV pairs.

Every set is either bundled with scikit-learn (no download) or generated
deterministically, and is cut into several seeded 75/25 splits: stratified
for classification, plain shuffles for regression. Layout of the output:

    OUT/manifest.json                      what each set is (task, classes, columns)
    OUT/<set>/split<k>/train.csv           header row, target column named "target"
    OUT/<set>/split<k>/test.csv

Missing values are written as empty fields, which both Kiln and pandas read
as missing.

Run:  /usr/bin/python3 bench/accuracy/make_sets.py [OUT] [--only a,b] [--keep] [--small-splits 5] [--large-splits 3]
      (OUT defaults to /tmp/kiln-accuracy; --keep leaves the sets already in OUT/manifest.json alone)
"""

import argparse
import json
import os
import re

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

TEST_SIZE = 0.25
FLOAT_FORMAT = "%.7g"


def clean_names(names):
    """Column names without spaces or punctuation ("mean radius" -> "mean_radius")."""
    return [re.sub(r"[^0-9A-Za-z_]+", "_", str(n)).strip("_") for n in names]


def bundled(loader, label_names=False):
    """A scikit-learn bundled data set as (features frame, target series)."""
    bunch = loader()
    x = pd.DataFrame(bunch.data, columns=clean_names(bunch.feature_names))
    y = pd.Series(bunch.target, name="target")
    if label_names:
        y = y.map(lambda i: str(bunch.target_names[i]))
    return x, y


def derived_category(values, levels, rng, prefix):
    """Quantile-bins a numeric column into `levels` categories with shuffled names, so their order carries no information."""
    codes = pd.qcut(values, levels, labels=False, duplicates="drop")
    names = np.array([f"{prefix}{i:02d}" for i in rng.permutation(levels)])
    return pd.Series(names[codes], dtype=object)


def punch_holes(frame, columns, fraction, rng):
    """Sets a random `fraction` of the rows of each named column to missing."""
    for column in columns:
        mask = rng.random(len(frame)) < fraction
        frame.loc[mask, column] = np.nan


def synth_binary(rows=50_000, seed=11):
    """Binary: make_classification with 20 numeric features, two derived categoricals and 5 % missing in three columns."""
    rng = np.random.default_rng(seed)
    x, y = datasets.make_classification(n_samples=rows, n_features=20, n_informative=8, n_redundant=4,
                                        n_clusters_per_class=3, flip_y=0.03, class_sep=0.8, random_state=seed)
    frame = pd.DataFrame(x, columns=[f"x{i:02d}" for i in range(20)])
    frame["cat_a"] = derived_category(frame.pop("x00"), 12, rng, "a")
    frame["cat_b"] = derived_category(frame.pop("x01"), 30, rng, "b")
    punch_holes(frame, ["x02", "x05", "cat_a"], 0.05, rng)
    return frame, pd.Series(y, name="target")


def synth_multiclass(rows=60_000, seed=12):
    """Five classes with string labels: make_classification, two derived categoricals, 3 % missing in three columns."""
    rng = np.random.default_rng(seed)
    x, y = datasets.make_classification(n_samples=rows, n_features=24, n_informative=10, n_redundant=4,
                                        n_classes=5, n_clusters_per_class=2, flip_y=0.02, class_sep=1.0,
                                        random_state=seed)
    frame = pd.DataFrame(x, columns=[f"x{i:02d}" for i in range(24)])
    frame["cat_a"] = derived_category(frame.pop("x00"), 8, rng, "a")
    frame["cat_b"] = derived_category(frame.pop("x01"), 24, rng, "b")
    punch_holes(frame, ["x03", "x07", "cat_b"], 0.03, rng)
    labels = np.array(["alpha", "bravo", "charlie", "delta", "echo"])
    return frame, pd.Series(labels[y], name="target")


def synth_regression(rows=100_000, seed=13):
    """Friedman #1 (5 signal + 15 noise features), noise sd 1, plus a 10-level categorical with its own offsets
    and a categorical coarsening of x3; 5 % missing in three columns after the target is computed."""
    rng = np.random.default_rng(seed)
    x, y = datasets.make_friedman1(n_samples=rows, n_features=20, noise=1.0, random_state=seed)
    frame = pd.DataFrame(x, columns=[f"x{i:02d}" for i in range(20)])
    region = rng.integers(0, 10, rows)
    offsets = rng.normal(0, 2.0, 10)
    y = y + offsets[region]
    frame["region"] = pd.Series([f"r{r}" for r in region], dtype=object)
    frame["x03_band"] = derived_category(frame["x03"], 6, rng, "band")
    punch_holes(frame, ["x00", "x04", "region"], 0.05, rng)
    return frame, pd.Series(y, name="target")


def registry():
    """Every set: name -> (builder, task, large?)."""
    return {
        "breast_cancer": (lambda: bundled(datasets.load_breast_cancer), "binary", False),
        "iris": (lambda: bundled(datasets.load_iris, label_names=True), "multiclass", False),
        "wine": (lambda: bundled(datasets.load_wine), "multiclass", False),
        "digits": (lambda: bundled(datasets.load_digits), "multiclass", False),
        "diabetes": (lambda: bundled(datasets.load_diabetes), "regression", False),
        "synth_binary": (synth_binary, "binary", True),
        "synth_multiclass": (synth_multiclass, "multiclass", True),
        "synth_regression": (synth_regression, "regression", True),
    }


def splits(y, task, count):
    """Seeded 75/25 index pairs: stratified on the class for classification."""
    if task == "regression":
        splitter = ShuffleSplit(n_splits=count, test_size=TEST_SIZE, random_state=2024)
    else:
        splitter = StratifiedShuffleSplit(n_splits=count, test_size=TEST_SIZE, random_state=2024)
    return list(splitter.split(np.zeros(len(y)), y))


def write_set(out, name, frame, y, task, count):
    """Writes every split of one set and returns its manifest entry."""
    data = frame.copy()
    data["target"] = y.values
    for k, (train_idx, test_idx) in enumerate(splits(y, task, count)):
        folder = os.path.join(out, name, f"split{k}")
        os.makedirs(folder, exist_ok=True)
        data.iloc[train_idx].to_csv(os.path.join(folder, "train.csv"), index=False, float_format=FLOAT_FORMAT)
        data.iloc[test_idx].to_csv(os.path.join(folder, "test.csv"), index=False, float_format=FLOAT_FORMAT)
    categorical = [c for c in frame.columns if frame[c].dtype == object]
    classes = sorted(map(str, pd.unique(y))) if task != "regression" else []
    return {"task": task, "rows": len(frame), "features": frame.shape[1], "categorical": categorical,
            "classes": classes, "splits": count, "missing": int(frame.isna().sum().sum())}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", default="/tmp/kiln-accuracy")
    parser.add_argument("--only", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--small-splits", type=int, default=5)
    parser.add_argument("--large-splits", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="skip the sets the manifest already lists")
    args = parser.parse_args()
    wanted = [s for s in args.only.split(",") if s]
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    for name, (build, task, large) in registry().items():
        if (wanted and name not in wanted) or (args.keep and name in manifest):
            continue
        frame, y = build()
        count = args.large_splits if large else args.small_splits
        manifest[name] = write_set(args.out, name, frame, y, task, count)
        entry = manifest[name]
        print(f"{name}: {entry['rows']} rows, {entry['features']} features "
              f"({len(entry['categorical'])} categorical, {entry['missing']} missing cells), {task}, {count} splits")
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main()
