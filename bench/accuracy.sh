#!/usr/bin/env bash
# Accuracy beyond the benchmark data: Kiln's learners beside XGBoost 1.7 and scikit-learn 1.2 on the same splits of
# eight other data sets (scikit-learn's bundled sets + three larger synthetic ones), then the elastic-net fit time.
# Usage: bench/accuracy.sh [SETS=all] [COMPARISONS=all]     e.g. bench/accuracy.sh iris,diabetes gbdt,enet
#   KILN_ACCURACY_DATA  where the splits and results go (default /tmp/kiln-accuracy; data reused when present)
#   KILN_BUILD_LOCK     a file to flock around the dotnet builds (for machines shared with other builds)
#   KILN_NO_BUILD=1     skip the builds (the CLI and bench/Kiln.Bench.Linear must be built already)
# Kiln runs through the CLI (`kiln train` + `kiln predict`) with a temporary KILN_HOME; the metrics of both tools
# are computed by the same scikit-learn code (bench/accuracy/common.py). See bench/README.md for the rule and results.
set -euo pipefail
cd "$(dirname "$0")/.."
SETS="${1:-}"
ONLY="${2:-}"
ROOT="${KILN_ACCURACY_DATA:-/tmp/kiln-accuracy}"
PY=/usr/bin/python3
start=$(date +%s)

if ! $PY -c "import numpy, pandas, sklearn, xgboost, threadpoolctl" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-pandas \
    python3-sklearn python3-xgboost python3-threadpoolctl >/dev/null
fi

build() {
  if [ -n "${KILN_BUILD_LOCK:-}" ]; then
    flock "$KILN_BUILD_LOCK" dotnet build "$1" -c Release --nologo -v q -clp:ErrorsOnly >&2
  else
    dotnet build "$1" -c Release --nologo -v q -clp:ErrorsOnly >&2
  fi
}
if [ -z "${KILN_NO_BUILD:-}" ]; then
  echo "== building the CLI and bench/Kiln.Bench.Linear =="
  build src/Kiln.Cli/Kiln.Cli.csproj
  build bench/Kiln.Bench.Linear/Kiln.Bench.Linear.csproj
fi

echo "== data sets in $ROOT (written when missing) =="
$PY bench/accuracy/make_sets.py "$ROOT" --only "$SETS" --keep
rm -f "$ROOT/results_reference.jsonl" "$ROOT/results_kiln.jsonl" "$ROOT/timing_enet.jsonl"

# Only fit times depend on this: when another process shares the two cores, XGBoost's OpenMP threads spin-waiting
# for each other make its fits up to 8x slower (47 s instead of 6 s here) unless they sleep (OMP_WAIT_POLICY=PASSIVE),
# while scikit-learn's HistGradientBoosting is the other way round (sleeping waits made it 6x slower, idle machine).
echo "== reference: XGBoost / scikit-learn =="
OMP_WAIT_POLICY=PASSIVE $PY bench/accuracy/reference.py "$ROOT" --sets "$SETS" --only "$ONLY" --tools xgb
$PY bench/accuracy/reference.py "$ROOT" --sets "$SETS" --only "$ONLY" --tools hgb,rf,lr,ridge,enet
ref_done=$(date +%s)

echo "== Kiln: kiln train + kiln predict =="
KILN_HOME="$(mktemp -d)"
export KILN_HOME
trap 'rm -rf "$KILN_HOME"' EXIT
$PY bench/accuracy/kiln_side.py "$ROOT" --sets "$SETS" --only "$ONLY"
kiln_done=$(date +%s)

if [ -z "$ONLY" ] || [[ ",$ONLY," == *",enet,"* ]]; then
  echo "== elastic net fit time on the largest regression set =="
  $PY bench/accuracy/time_enet.py "$ROOT" --repeats 7
fi

echo
echo "== results =="
$PY bench/accuracy/report.py "$ROOT" --markdown "$ROOT/report.md"
end=$(date +%s)
echo
echo "wall clock: reference $((ref_done - start)) s (with set-up), Kiln $((kiln_done - ref_done)) s, total $((end - start)) s; Markdown table in $ROOT/report.md"
