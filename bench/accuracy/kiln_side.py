"""Runs Kiln end to end on every split of the accuracy benchmark and scores its test predictions.

For each (set, split, comparison in common.COMPARISONS) it runs

    ./kiln train --data train.csv --target target --learner L --task T --param k=v ... --experiment accuracy-SET
    ./kiln predict --model runs:/RUN_ID/model --data test.csv --out SPLIT/kiln_COMPARISON.csv

and computes the same scikit-learn metrics as reference.py (common.score) from the columns predict adds:
`probability` (binary, the probability of the second class), `probability_<class>` (multiclass) or `prediction`
(regression), and `predicted_target`. It also checks that predicted_target agrees with the probabilities.

The CLI must be built already (bench/accuracy.sh builds it); the commands run with KILN_NO_BUILD=1 and, unless
KILN_HOME is set, a temporary KILN_HOME that is deleted at the end, so nothing is written into the repository.

Run:  /usr/bin/python3 bench/accuracy/kiln_side.py [ROOT=/tmp/kiln-accuracy] [--sets a,b] [--only gbdt,...]
      [--results ROOT/results_kiln.jsonl] [--kiln ./kiln]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import common

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN_ID = re.compile(r"runs:/([0-9a-f]{16,})/model")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def kiln(command, args, env):
    """Runs one kiln command; returns (stdout without colour codes, seconds). Exits with its output on failure."""
    start = time.perf_counter()
    done = subprocess.run([command, *args], env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"kiln {' '.join(args)} failed with exit code {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return ANSI.sub("", done.stdout), seconds


def train_args(name, entry, comparison, train_csv):
    """The `kiln train` arguments of one comparison on one split."""
    spec = common.COMPARISONS[comparison]
    args = ["train", "--data", train_csv, "--target", "target", "--learner", spec["learner"],
            "--task", entry["task"], "--experiment", f"accuracy-{name}", "--run-name", comparison]
    params = dict(common.params(comparison, entry), threads=common.threads_for(entry))
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    return args


def read_prediction(path, entry):
    """Kiln's predict output as (prediction in common.score's form, rows whose label is not a most probable class)."""
    task, classes = entry["task"], entry["classes"]
    dtypes = {c: "object" for c in entry["categorical"]}
    if task != "regression":
        dtypes["target"] = dtypes["predicted_target"] = "object"
    out = pd.read_csv(path, dtype=dtypes)
    if task == "regression":
        return out["prediction"].to_numpy(), 0
    if task == "binary":
        p = out["probability"].to_numpy(dtype=float)
        proba = np.column_stack([1 - p, p])
    else:
        missing = [c for c in classes if f"probability_{c}" not in out.columns]
        if missing:
            sys.exit(f"{path}: no probability column for classes {missing}; columns are {list(out.columns)}")
        proba = out[[f"probability_{c}" for c in classes]].to_numpy(dtype=float)
    labels = out["predicted_target"].astype(str).to_numpy()
    index = {c: i for i, c in enumerate(classes)}
    chosen = np.array([proba[row, index[label]] if label in index else -1.0 for row, label in enumerate(labels)])
    disagree = int((chosen < proba.max(axis=1) - 1e-12).sum())  # a tie between classes may go either way
    return (proba, labels), disagree


def run_split(name, entry, k, folder, comparisons, env, command, results):
    """Trains and scores every wanted comparison on one split with the Kiln CLI."""
    train_csv, test_csv = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
    truth = common.read_split(folder, entry)[1]["target"]
    for comparison in comparisons:
        out, train_seconds = kiln(command, train_args(name, entry, comparison, train_csv), env)
        match = RUN_ID.search(out.replace("\n", ""))
        if not match:
            sys.exit(f"no run id in kiln train's output:\n{out}")
        predictions = os.path.join(folder, f"kiln_{comparison}.csv")
        _, predict_seconds = kiln(command, ["predict", "--model", f"runs:/{match.group(1)}/model", "--data", test_csv,
                                            "--out", predictions], env)
        prediction, disagree = read_prediction(predictions, entry)
        record = {"set": name, "split": k, "tool": f"kiln:{comparison}", "train_cli_seconds": train_seconds,
                  "predict_cli_seconds": predict_seconds, "label_disagreements": disagree,
                  **common.score(entry["task"], entry["classes"], truth, prediction)}
        note = f", {disagree} labels disagree with the probabilities" if disagree else ""
        common.record_result(results, entry, record, f"kiln {comparison}", f"train {train_seconds:.2f} s end to end{note}")


def main():
    parser = common.split_arguments(__doc__)
    parser.add_argument("--kiln", default=os.path.join(REPO, "kiln"))
    args = parser.parse_args()
    manifest = common.load_manifest(args.root)
    results = args.results or os.path.join(args.root, "results_kiln.jsonl")
    sets = [s for s in args.sets.split(",") if s] or list(manifest)
    only = [c for c in args.only.split(",") if c]
    home = os.environ.get("KILN_HOME")
    temporary = None if home else tempfile.mkdtemp(prefix="kiln-accuracy-home-")
    env = dict(os.environ, KILN_NO_BUILD="1", KILN_HOME=home or temporary, NO_COLOR="1", COLUMNS="200")
    try:
        for name in sets:
            entry = manifest[name]
            for k, folder in enumerate(common.split_dirs(args.root, name, entry)):
                run_split(name, entry, k, folder, common.comparisons_for(entry["task"], only), env, args.kiln, results)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    main()
