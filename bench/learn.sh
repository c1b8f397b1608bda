#!/usr/bin/env bash
# Learners side by side in one run: the reference tools (XGBoost 1.7 hist, scikit-learn 1.2) through
# ../shared/bench/baseline.py, then Kiln's bench (bench/Kiln.Bench.Learn) on the same files.
# Usage: bench/learn.sh [SIZES=100k,1m] [KILN_TASKS=gbdt,forest,logistic_cat] [REF_TASKS=xgb,rf,lr]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${1:-100k,1m}"
KILN_TASKS="${2:-gbdt,forest_cat,logistic_cat}"
REF_TASKS="${3:-xgb,rf,lr}"
SHARED="${KILN_SHARED:-../shared}"
DATA="${KILN_BENCH_DATA:-/tmp/kiln-benchdata}"
mkdir -p "$DATA"

if ! /usr/bin/python3 -c "import numpy, pandas, sklearn, xgboost" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-pandas python3-sklearn python3-xgboost time >/dev/null
fi
for size in ${SIZES//,/ }; do
  [ -f "$DATA/train_$size.csv" ] || /usr/bin/python3 "$SHARED/bench/make_data.py" "$DATA" --only "$size"
done

echo "== reference (XGBoost / scikit-learn) =="
KILN_BENCH_DATA="$DATA" /usr/bin/python3 "$SHARED/bench/baseline.py" --sizes "$SIZES" --tasks "$REF_TASKS" --reps 1
/usr/bin/python3 "$SHARED/bench/summarize.py" "$DATA/results.jsonl" || true

echo "== Kiln =="
# one process per size, as baseline.py runs each reference task in its own child: a size's peak working set is its own
dotnet build -c Release bench/Kiln.Bench.Learn -v q -nologo >/dev/null
for size in ${SIZES//,/ }; do
  KILN_BENCH_DATA="$DATA" dotnet run -c Release --no-build --project bench/Kiln.Bench.Learn -- "$size" "$KILN_TASKS"
done
