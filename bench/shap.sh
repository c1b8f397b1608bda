#!/usr/bin/env bash
# TreeSHAP benchmark (issue 19), side by side in one run: XGBoost's pred_contribs (Debian python3-xgboost, nthread=2)
# and Kiln's TreeSHAP on the same model — the serving benchmark's reference model (../shared/bench/serving/make_models.py:
# XGBoost, 200 trees, depth 6, 30 features, trained on the shared 100k data), imported into Kiln — and the same rows (the
# first ROWS test rows); then Kiln on its own GBDT of the same shape. Reports batch seconds (median of REPS), the one-row
# p50 (single calls) and the largest difference from XGBoost's contributions.
# Usage: bench/shap.sh   Environment: ROWS (25000), REPS (3), KILN_BENCH_DATA (a folder with train_100k.csv,
# test_100k.csv; made when missing), KILN_BENCH_WORK (/tmp/kiln-shap-UID), KILN_BENCH_SHARED (/work/shared/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${KILN_BENCH_SHARED:-/work/shared/bench}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-shap-$(id -u)}"
DATA="${KILN_BENCH_DATA:-$WORK/data}"
ROWS="${ROWS:-25000}"
REPS="${REPS:-3}"
PY=/usr/bin/python3
mkdir -p "$WORK/models" "$DATA"
if [ ! -f "$DATA/train_100k.csv" ] || [ ! -f "$DATA/test_100k.csv" ]; then
  $PY "$SHARED/make_data.py" "$DATA" --only 100k >&2
fi
$PY "$SHARED/serving/make_models.py" "$DATA" "$WORK/models" > "$WORK/make_models.log" 2>&1
echo "== XGBoost pred_contribs (nthread=2) =="
$PY bench/shap_ref.py "$WORK/models" "$DATA" "$ROWS" "$REPS"
echo "== Kiln TreeSHAP =="
dotnet build -c Release bench/Kiln.Bench.Shap -v q -nologo >/dev/null
dotnet bench/Kiln.Bench.Shap/bin/Release/net10.0/Kiln.Bench.Shap.dll "$WORK/models" "$DATA" "$REPS"
