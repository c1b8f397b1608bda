#!/usr/bin/python3
"""shap_ref.py MODELDIR DATADIR ROWS REPS: XGBoost's pred_contribs on the serving benchmark's model (xgb.json: 200 trees,
depth 6, 30 features, from ../shared/bench/serving/make_models.py) over the first ROWS test rows, nthread=2.
Writes MODELDIR/shap_rows.csv (the rows as the model reads them, categoricals as codes) and MODELDIR/shap_xgb.csv (the
contributions), and prints JSON timings: batch seconds per repetition, one-row microseconds (p50 of single calls)."""
import json, sys, time
import numpy as np, pandas as pd, xgboost as xgb

M, D, ROWS, REPS = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tr = pd.read_csv(f"{D}/train_100k.csv", usecols=["region", "product"])
te = pd.read_csv(f"{D}/test_100k.csv", nrows=ROWS)
cats = {c: sorted(tr[c].unique()) for c in ("region", "product")}
X = te.drop(columns=["label"]).copy()
for c, v in cats.items():
    X[c] = X[c].map({s: i for i, s in enumerate(v)}).astype(float)
X = X.values.astype(np.float32).astype(np.float64)
names = [c for c in te.columns if c != "label"]
booster = xgb.Booster()
booster.load_model(f"{M}/xgb.json")
booster.set_param({"nthread": 2})
d = xgb.DMatrix(X, feature_names=names)
times = []
for _ in range(REPS):
    t = time.perf_counter()
    contribs = booster.predict(d, pred_contribs=True)
    times.append(time.perf_counter() - t)
one = []
for i in range(300):
    t = time.perf_counter()
    booster.predict(xgb.DMatrix(X[i:i + 1], feature_names=names), pred_contribs=True)
    one.append((time.perf_counter() - t) * 1e6)
pd.DataFrame(X, columns=names).to_csv(f"{M}/shap_rows.csv", index=False, float_format="%.17g", na_rep="")
np.savetxt(f"{M}/shap_xgb.csv", contribs, delimiter=",", fmt="%.9g")
print(json.dumps({"xgboost": xgb.__version__, "rows": len(X), "batch_seconds": times, "one_row_p50_us": float(np.median(one))}))
