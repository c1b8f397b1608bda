"""The XGBoost script `kiln train` is compared with, end to end: read the CSV, encode, DMatrix, train.

Same settings as ../shared/bench/baseline.py's xgb task (hist, depth 6, eta 0.1, 256 bins, 200 rounds,
2 threads; region and product as ordinal codes), timed from process start by the caller.
usage: /usr/bin/python3 xgb_train.py TRAIN.csv
"""
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

df = pd.read_csv(sys.argv[1])
num = [c for c in df.columns if c.startswith("f")]
X = np.empty((len(df), len(num) + 2), dtype=np.float32)
X[:, : len(num)] = df[num].to_numpy(np.float32)
for j, c in enumerate(("region", "product")):
    cats = sorted(df[c].unique())
    X[:, len(num) + j] = df[c].map({v: i for i, v in enumerate(cats)}).to_numpy(np.float32)
d = xgb.DMatrix(np.ascontiguousarray(X), label=df["label"].to_numpy(np.int32), nthread=2)
params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "eta": 0.1,
          "nthread": 2, "max_bin": 256, "seed": 0}
booster = xgb.train(params, d, num_boost_round=200)
booster.save_model(sys.argv[2] if len(sys.argv) > 2 else "/tmp/xgb_e2e_model.json")
