"""Fits the reference tools on every split of the accuracy benchmark and scores their test predictions.

References, with settings matched to Kiln's options (common.py holds the values both sides use):
  xgb    XGBoost 1.7 hist: n_estimators = rounds, learning_rate, max_depth, min_child_weight, reg_lambda = lambda,
         reg_alpha = alpha, gamma = min_split_gain, max_bin = max_bins; native categoricals (pandas category dtype,
         max_cat_threshold 32 = Kiln's max_categorical_threshold); missing values native.
  hgb    scikit-learn HistGradientBoosting: max_iter = rounds, learning_rate, max_depth, max_leaf_nodes None,
         l2_regularization = lambda, min_samples_leaf 1 (Kiln's), max_bins 255 (+ the missing bin = Kiln's 256),
         no early stopping; native categoricals (ordinal codes + categorical_features); missing values native.
         Multiclass: learning_rate and l2_regularization halved, because scikit-learn's softmax hessian is p(1-p)
         where XGBoost's and Kiln's is 2p(1-p) (same leaf values that way). It has no min_child_weight.
  rf     scikit-learn RandomForest: n_estimators = trees, max_features sqrt (classification) / all (regression),
         unlimited depth, min_samples_leaf 1, bootstrap, max_samples (0.25 on the large sets, as Kiln's).
         scikit-learn 1.2's forests take neither missing values nor categoricals: missing numerics get a value below
         the column's training minimum, categoricals ordinal codes.
  lr     scikit-learn LogisticRegression (lbfgs, multinomial for multiclass) with C = 1 / (lambda * train rows),
         which is Kiln's mean log loss + lambda/2 |w|^2; numerics standardised (mean/sd of the present values) with
         missing -> 0 after scaling, categoricals one-hot with missing/unseen -> all zeros: Kiln's encoding.
  ridge  scikit-learn Ridge(alpha = Kiln alpha * train rows) (Ridge's loss is a sum, Kiln's a mean / 2).
  enet   scikit-learn ElasticNet(alpha, l1_ratio): the same objective as Kiln's linear learner.
The linear models get the same encoding as lr.

Writes one JSON line per (set, split, reference) to RESULTS with the metrics (common.score) and the fit time.

Run:  /usr/bin/python3 bench/accuracy/reference.py [ROOT=/tmp/kiln-accuracy] [--sets a,b] [--only gbdt,forest,...]
      [--tools xgb,hgb,...] [--results ROOT/results_reference.jsonl]
"""

import os
import time
import warnings

import numpy as np
import pandas as pd
import xgboost as xgb
from threadpoolctl import threadpool_limits
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import common


def features(frame):
    """The feature columns of a split frame."""
    return frame.drop(columns=["target"])


def category_levels(train, categorical):
    """Training categories of each categorical column (sorted, missing excluded)."""
    return {c: sorted(train[c].dropna().unique()) for c in categorical}


def as_pandas_categories(frame, levels):
    """Categorical columns as pandas category dtype over the training levels (unseen -> NaN)."""
    frame = frame.copy()
    for column, values in levels.items():
        frame[column] = pd.Categorical(frame[column], categories=values)
    return frame


def as_ordinal_codes(frame, levels, missing=np.nan):
    """Categorical columns as ordinal codes over the training levels; missing and unseen -> `missing`."""
    frame = frame.copy()
    for column, values in levels.items():
        codes = pd.Categorical(frame[column], categories=values).codes.astype(float)
        codes[codes < 0] = missing
        frame[column] = codes
    return frame


def linear_encoder(train, categorical):
    """Kiln's linear encoding: standardise numerics on their present values, then missing -> 0; one-hot categoricals
    over the training levels with missing/unseen -> all zeros."""
    numeric = [c for c in train.columns if c not in categorical]
    parts = [("num", make_pipeline(StandardScaler(), SimpleImputer(strategy="constant", fill_value=0.0)), numeric)]
    if categorical:
        levels = category_levels(train, categorical)
        onehot = OneHotEncoder(categories=[levels[c] for c in categorical], handle_unknown="ignore")
        fill = SimpleImputer(strategy="constant", fill_value="__missing__")
        parts.append(("cat", make_pipeline(fill, onehot), categorical))
    return ColumnTransformer(parts, sparse_threshold=0.0)


def fit_xgb(task, x_train, y_train, x_test, entry, seed):
    """XGBoost hist with Kiln's gbdt settings and native categoricals."""
    p = common.GBDT
    levels = category_levels(x_train, entry["categorical"])
    x_train, x_test = as_pandas_categories(x_train, levels), as_pandas_categories(x_test, levels)
    args = dict(n_estimators=p["rounds"], learning_rate=p["learning_rate"], max_depth=p["max_depth"],
                min_child_weight=p["min_child_weight"], reg_lambda=p["lambda"], reg_alpha=p["alpha"],
                gamma=p["min_split_gain"], max_bin=p["max_bins"], tree_method="hist", enable_categorical=True,
                max_cat_threshold=32, n_jobs=common.threads_for(entry), random_state=seed)
    if task == "regression":
        model = xgb.XGBRegressor(objective="reg:squarederror", **args)
    else:
        model = xgb.XGBClassifier(**args)
    return fit_and_predict(model, task, x_train, y_train, x_test, entry)


def fit_hgb(task, x_train, y_train, x_test, entry, seed):
    """scikit-learn HistGradientBoosting with Kiln's gbdt settings and native categoricals."""
    p = common.GBDT
    levels = category_levels(x_train, entry["categorical"])
    mask = [c in levels for c in x_train.columns]
    x_train, x_test = as_ordinal_codes(x_train, levels), as_ordinal_codes(x_test, levels)
    # Multiclass: XGBoost and Kiln take the softmax hessian as 2p(1-p), scikit-learn as p(1-p). Halving the learning
    # rate and lambda gives scikit-learn the same leaf values, lr * G / (2H + lambda); left as they are, its steps are
    # twice as long (a better fit than XGBoost's and Kiln's after 200 rounds on synth_multiclass).
    half = 0.5 if task == "multiclass" else 1.0
    args = dict(max_iter=p["rounds"], learning_rate=p["learning_rate"] * half, max_depth=p["max_depth"],
                max_leaf_nodes=None, min_samples_leaf=1, l2_regularization=p["lambda"] * half, max_bins=255,
                early_stopping=False,
                categorical_features=mask if any(mask) else None, random_state=seed)
    model = HistGradientBoostingRegressor(**args) if task == "regression" else HistGradientBoostingClassifier(**args)
    return fit_and_predict(model, task, x_train, y_train, x_test, entry)


def fit_rf(task, x_train, y_train, x_test, entry, seed):
    """scikit-learn random forest with Kiln's forest settings (ordinal categoricals, missing below the minimum)."""
    p = common.params("forest", entry)
    levels = category_levels(x_train, entry["categorical"])
    x_train, x_test = as_ordinal_codes(x_train, levels, missing=-1), as_ordinal_codes(x_test, levels, missing=-1)
    fill = {c: x_train[c].min() - 1 for c in x_train.columns}
    x_train, x_test = x_train.fillna(fill), x_test.fillna(fill)
    args = dict(n_estimators=p["trees"], max_depth=p["max_depth"] or None, min_samples_leaf=p["min_samples_leaf"],
                bootstrap=p["bootstrap"] == "true", max_samples=p["max_samples"] if p["max_samples"] < 1 else None,
                n_jobs=common.threads_for(entry), random_state=seed)
    if task == "regression":
        model = RandomForestRegressor(max_features=1.0, **args)
    else:
        model = RandomForestClassifier(max_features="sqrt", **args)
    return fit_and_predict(model, task, x_train, y_train, x_test, entry)


def fit_lr(task, x_train, y_train, x_test, entry, seed):
    """scikit-learn logistic regression with Kiln's objective and encoding."""
    p = common.LOGISTIC
    c = 1.0 / (p["lambda"] * len(x_train))
    multi = "multinomial" if task == "multiclass" else "auto"
    model = make_pipeline(linear_encoder(x_train, entry["categorical"]),
                          LogisticRegression(C=c, max_iter=p["max_iterations"], tol=1e-8, multi_class=multi))
    return fit_and_predict(model, task, x_train, y_train, x_test, entry)


def fit_ridge(task, x_train, y_train, x_test, entry, seed):
    """scikit-learn Ridge; Kiln's alpha is per row and halved, Ridge's is on the summed loss."""
    alpha = common.RIDGE["alpha"] * len(x_train)
    model = make_pipeline(linear_encoder(x_train, entry["categorical"]), Ridge(alpha=alpha))
    return fit_and_predict(model, task, x_train, y_train, x_test, entry)


def fit_enet(task, x_train, y_train, x_test, entry, seed):
    """scikit-learn ElasticNet: the same objective as Kiln's linear learner."""
    p = common.ENET
    model = make_pipeline(linear_encoder(x_train, entry["categorical"]),
                          ElasticNet(alpha=p["alpha"], l1_ratio=p["l1_ratio"], max_iter=100_000))
    return fit_and_predict(model, task, x_train, y_train, x_test, entry)


FITTERS = {"xgb": fit_xgb, "hgb": fit_hgb, "rf": fit_rf, "lr": fit_lr, "ridge": fit_ridge, "enet": fit_enet}


def fit_and_predict(model, task, x_train, y_train, x_test, entry):
    """Fits `model` and returns (prediction in common.score's form, fit seconds)."""
    classes = entry["classes"]
    if task != "regression":
        y_train = np.asarray([classes.index(str(v)) for v in y_train])
    with threadpool_limits(limits=common.threads_for(entry)):
        start = time.perf_counter()
        model.fit(x_train, y_train)
        seconds = time.perf_counter() - start
    if task == "regression":
        return model.predict(x_test), seconds
    proba = np.zeros((len(x_test), len(classes)))
    proba[:, model.classes_] = model.predict_proba(x_test)
    labels = np.asarray(classes)[proba.argmax(axis=1)]
    return (proba, labels), seconds


def run_split(name, entry, k, folder, refs, results):
    """Fits every wanted reference on one split and records its metrics."""
    train, test = common.read_split(folder, entry)
    x_train, x_test = features(train), features(test)
    for ref in refs:
        prediction, seconds = FITTERS[ref](entry["task"], x_train, train["target"], x_test, entry, seed=k)
        record = {"set": name, "split": k, "tool": ref, "fit_seconds": seconds,
                  **common.score(entry["task"], entry["classes"], test["target"], prediction)}
        common.record_result(results, entry, record, ref, f"fit {seconds:.2f} s")


def main():
    parser = common.split_arguments(__doc__)
    parser.add_argument("--tools", default="", help="comma-separated references (xgb, hgb, rf, lr, ridge, enet)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    manifest = common.load_manifest(args.root)
    results = args.results or os.path.join(args.root, "results_reference.jsonl")
    sets = [s for s in args.sets.split(",") if s] or list(manifest)
    only = [c for c in args.only.split(",") if c]
    tools = [t for t in args.tools.split(",") if t]
    for name in sets:
        entry = manifest[name]
        refs = [r for c in common.comparisons_for(entry["task"], only) for r in common.COMPARISONS[c]["refs"]
                if not tools or r in tools]
        for k, folder in enumerate(common.split_dirs(args.root, name, entry)):
            run_split(name, entry, k, folder, refs, results)


if __name__ == "__main__":
    main()
