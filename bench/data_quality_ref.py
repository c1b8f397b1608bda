#!/usr/bin/python3
"""data_quality_ref.py CSV [ROUNDS]: the reference for Kiln's dataset statistics and validation, the same jobs in pandas
and scipy on the same file (Debian's python3-pandas and python3-scipy): statistics = read_csv, then describe() with
count, mean, std, min, max and the quantiles Kiln keeps, plus nunique and value_counts per column; validate = read the
reference and the current file (f00 moved by 0.5), then per numeric column the Jensen-Shannon distance on the
reference's deciles (scipy.spatial.distance.jensenshannon) and per categorical column the L-infinity distance of the
category shares, the missing shares and the row counts. Prints medians of ROUNDS after one warm-up, in seconds."""
import sys, time, json, statistics, os, tempfile
import numpy as np, pandas as pd
from scipy.spatial.distance import jensenshannon

path = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
quantiles = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]

def stats():
    df = pd.read_csv(path)
    df.describe(percentiles=quantiles[1:-1])
    for c in df.columns:
        df[c].nunique()
        if df[c].dtype == object:
            df[c].value_counts()
        else:
            np.histogram(df[c].dropna(), 20)

moved = os.path.join(tempfile.mkdtemp(), "moved.csv")
frame = pd.read_csv(path)
frame["f00"] = frame["f00"] + 0.5
frame.to_csv(moved, index=False)

def validate():
    ref, cur = pd.read_csv(path), pd.read_csv(moved)
    flagged = []
    for c in ref.columns:
        a, b = ref[c].dropna(), cur[c].dropna()
        if ref[c].dtype == object:
            p, q = a.value_counts(normalize=True), b.value_counts(normalize=True)
            d = float((p.reindex(p.index.union(q.index), fill_value=0) - q.reindex(p.index.union(q.index), fill_value=0)).abs().max())
        else:
            edges = np.unique(np.quantile(a, np.linspace(0.1, 0.9, 9)))
            edges = np.concatenate(([-np.inf], edges, [np.inf]))
            d = float(jensenshannon(np.histogram(a, edges)[0], np.histogram(b, edges)[0]))
        cur[c].isna().mean()
        if d > 0.1:
            flagged.append(c)
    return flagged

def timed(f):
    f()
    xs = []
    for _ in range(rounds):
        t = time.perf_counter(); f(); xs.append(time.perf_counter() - t)
    return round(statistics.median(xs), 3), [round(x, 3) for x in xs]

s = timed(stats)
v = timed(validate)
print(json.dumps({"stats_s": s[0], "stats_runs": s[1], "validate_s": v[0], "validate_runs": v[1], "flagged": validate()}))
