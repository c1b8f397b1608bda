#!/usr/bin/env bash
# Drift over 1M current rows x 30 numeric features against a 100k-row reference: Kiln (profiles, then KS, PSI,
# Jensen-Shannon and Wasserstein from them) and scipy/numpy (the shared drift_anchor.py) in the same run.
# Usage: bench/drift.sh [REPETITIONS]   (default 3; prints each run and the medians)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
dotnet build bench/Kiln.Bench.Drift -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
echo "kiln (JSON per repetition):"
dotnet bench/Kiln.Bench.Drift/bin/Release/net10.0/Kiln.Bench.Drift.dll "$reps" | tee /tmp/kiln-drift-bench.jsonl
echo "scipy/numpy (JSON per repetition):"
: > /tmp/scipy-drift-bench.jsonl
for _ in $(seq 1 "$reps"); do
  /usr/bin/python3 "${SHARED_BENCH:-../shared/bench}/drift_anchor.py" | tee -a /tmp/scipy-drift-bench.jsonl
done
/usr/bin/python3 - <<'PY'
import json, statistics as st
k = [json.loads(l) for l in open("/tmp/kiln-drift-bench.jsonl")]
s = [json.loads(l) for l in open("/tmp/scipy-drift-bench.jsonl")]
raw = st.median(x["raw_s"] for x in k); win = st.median(x["windows_s"] for x in k)
four = st.median(sum(x[m] for m in ("ks_s", "psi_s", "js_s", "wasserstein_s")) for x in s)
print(f"median: kiln all four from raw columns {raw:.3f} s (target <= 1 s), from profiles {win*1000:.1f} ms (target <= 50 ms);"
      f" scipy all four {four:.2f} s -> {four/raw:.1f}x faster from raw, {four/win:.0f}x from profiles")
for m in ("ks_s", "psi_s", "js_s", "wasserstein_s"):
    print(f"  scipy {m[:-2]}: {st.median(x[m] for x in s):.2f} s")
PY
