"""Shared by the accuracy benchmark's scripts: the learner settings both tools use, the manifest and split files,
and the metrics (scikit-learn's, computed the same way for Kiln's and the reference tools' predictions).

Not run on its own; see make_sets.py, reference.py, kiln_side.py, time_enet.py and report.py.
"""

import argparse
import json
import os

import numpy as np
import pandas as pd
from sklearn import metrics

THREADS = 2
SMALL_ROWS = 5000  # sets below this are fitted on one thread by every tool: on a shared 2-core machine, OpenMP
                   # barriers across two threads make tiny fits erratic (seconds instead of milliseconds)

# One entry per comparison. "kiln" is the learner and the --param values handed to `kiln train`; "refs" names the
# reference fits (reference.py) it is compared with; "tasks" says where the comparison applies.
GBDT = {"rounds": 200, "learning_rate": 0.1, "max_depth": 6, "min_child_weight": 1, "lambda": 1.0, "alpha": 0.0,
        "min_split_gain": 0.0, "max_bins": 256}
FOREST = {"trees": 100, "max_depth": 0, "min_samples_leaf": 1, "bootstrap": "true", "max_samples": 1.0}
# On the large sets each tree draws a quarter of the rows (both tools): fully grown trees on all 75,000 rows take
# scikit-learn 1.2 about 150 s per regression fit here, too long for one run of the whole benchmark.
FOREST_LARGE = dict(FOREST, max_samples=0.25)
LOGISTIC = {"lambda": 1e-4, "max_iterations": 1000}
RIDGE = {"alpha": 0.01, "l1_ratio": 0.0}
ENET = {"alpha": 0.05, "l1_ratio": 0.5}

COMPARISONS = {
    "gbdt": {"learner": "gbdt", "params": GBDT, "refs": ["xgb", "hgb"], "tasks": {"binary", "multiclass", "regression"}},
    "forest": {"learner": "forest", "params": FOREST, "large_params": FOREST_LARGE, "refs": ["rf"],
               "tasks": {"binary", "multiclass", "regression"}},
    "logistic": {"learner": "logistic", "params": LOGISTIC, "refs": ["lr"], "tasks": {"binary", "multiclass"}},
    "ridge": {"learner": "linear", "params": RIDGE, "refs": ["ridge"], "tasks": {"regression"}},
    "enet": {"learner": "linear", "params": ENET, "refs": ["enet"], "tasks": {"regression"}},
}

REFERENCE_NAMES = {
    "xgb": "XGBoost hist",
    "hgb": "sklearn HistGB",
    "rf": "sklearn RandomForest",
    "lr": "sklearn LogisticRegression",
    "ridge": "sklearn Ridge",
    "enet": "sklearn ElasticNet",
}

METRICS = {
    "binary": ["roc_auc", "log_loss", "accuracy"],
    "multiclass": ["accuracy", "log_loss", "f1_macro"],
    "regression": ["rmse", "r2"],
}

HIGHER_IS_BETTER = {"roc_auc": True, "accuracy": True, "f1_macro": True, "r2": True, "log_loss": False, "rmse": False}


def load_manifest(root):
    """The manifest make_sets.py wrote: set name -> task, classes, categorical columns, split count."""
    with open(os.path.join(root, "manifest.json")) as f:
        return json.load(f)


def split_dirs(root, name, entry):
    """The split folders of one set, in order."""
    return [os.path.join(root, name, f"split{k}") for k in range(entry["splits"])]


def read_split(folder, entry):
    """(train, test) frames of one split; categorical columns as strings (NaN when missing)."""
    dtypes = {c: "object" for c in entry["categorical"]}
    if entry["task"] != "regression":
        dtypes["target"] = "object"
    train = pd.read_csv(os.path.join(folder, "train.csv"), dtype=dtypes)
    test = pd.read_csv(os.path.join(folder, "test.csv"), dtype=dtypes)
    return train, test


def threads_for(entry):
    """Threads every tool gets on a set: one for the small sets, THREADS for the large ones."""
    return 1 if entry["rows"] < SMALL_ROWS else THREADS


def params(comparison, entry):
    """The settings of a comparison on a set (some differ on the large sets)."""
    spec = COMPARISONS[comparison]
    return spec.get("large_params", spec["params"]) if entry["rows"] >= SMALL_ROWS else spec["params"]


def comparisons_for(task, only=None):
    """The comparison names that apply to a task, optionally limited to `only`."""
    return [c for c, spec in COMPARISONS.items() if task in spec["tasks"] and (not only or c in only)]


def score(task, classes, y_true, prediction):
    """Metrics of one prediction. prediction: regression -> values; classification -> (probability matrix with one
    column per class in `classes` order, predicted labels)."""
    if task == "regression":
        y = np.asarray(y_true, dtype=float)
        p = np.asarray(prediction, dtype=float)
        return {"rmse": float(np.sqrt(metrics.mean_squared_error(y, p))), "r2": float(metrics.r2_score(y, p))}
    proba, labels = prediction
    y = np.asarray([str(v) for v in y_true])
    labels = np.asarray([str(v) for v in labels])
    proba = np.asarray(proba, dtype=float)
    result = {"accuracy": float(metrics.accuracy_score(y, labels)),
              "log_loss": float(metrics.log_loss(y, proba, labels=classes))}
    if task == "binary":
        result["roc_auc"] = float(metrics.roc_auc_score(y == classes[1], proba[:, 1]))
    else:
        result["f1_macro"] = float(metrics.f1_score(y, labels, labels=classes, average="macro"))
    return result


def append_result(path, record):
    """Appends one JSON line to the results file."""
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


def record_result(path, entry, record, label, suffix):
    """Appends a scored record to the results file and prints its metrics on one line."""
    append_result(path, record)
    shown = ", ".join(f"{m} {record[m]:.4f}" for m in METRICS[entry["task"]])
    print(f"  {record['set']} split{record['split']} {label}: {shown} ({suffix})", flush=True)


def split_arguments(description):
    """The arguments both sides take: the data root, which sets and comparisons, and where the results go."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", default="/tmp/kiln-accuracy")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all in the manifest)")
    parser.add_argument("--only", default="", help="comma-separated comparisons (gbdt, forest, logistic, ridge, enet)")
    parser.add_argument("--results", default="")
    return parser
