#!/usr/bin/env bash
# `kiln train` end to end against the XGBoost script doing the same (bench/e2e/xgb_train.py), alternately, in one run.
# Kiln's time is the whole command: process start, CSV load, checks, fit, evaluation, charts, model package, run saved.
# Usage: [BASE=<git rev>] bench/train-e2e.sh [ROUNDS=3] [SIZE=1m]   (data from ../shared/bench/make_data.py, as bench/learn.sh)
# With BASE, the kiln built at that revision runs too, in every round, so old and new are measured side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
SIZE="${2:-1m}"
SHARED="${KILN_SHARED:-../shared}"
DATA="${KILN_BENCH_DATA:-/tmp/kiln-benchdata}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-e2e-$(id -u)}"
mkdir -p "$DATA" "$WORK"
[ -f "$DATA/train_$SIZE.csv" ] || /usr/bin/python3 "$SHARED/bench/make_data.py" "$DATA" --only "$SIZE"
dotnet build src/Kiln.Cli -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
KILN="${KILN_DLL:-src/Kiln.Cli/bin/Release/net10.0/kiln.dll}"
if [ -n "${BASE:-}" ]; then
  rm -rf "$WORK/base"; git worktree add -f "$WORK/base" "$BASE" >/dev/null 2>&1
  dotnet build "$WORK/base/src/Kiln.Cli" -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
fi
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/home"
  x=$(secs /usr/bin/python3 bench/e2e/xgb_train.py "$DATA/train_$SIZE.csv" "$WORK/xgb.json")
  k=$(secs env KILN_HOME="$WORK/home" dotnet "$KILN" train --data "$DATA/train_$SIZE.csv" --target label \
      --param rounds=200 --param max_depth=6 --param learning_rate=0.1)
  printf 'round %s: kiln train %.2f s, xgboost script %.2f s, ratio %.2f' "$round" "$k" "$x" "$(echo "$k / $x" | bc -l)"
  if [ -n "${BASE:-}" ]; then
    rm -rf "$WORK/home"
    b=$(secs env KILN_HOME="$WORK/home" dotnet "$WORK/base/src/Kiln.Cli/bin/Release/net10.0/kiln.dll" train --data "$DATA/train_$SIZE.csv" \
        --target label --param rounds=200 --param max_depth=6 --param learning_rate=0.1)
    printf '; kiln at %s %.2f s, ratio %.2f' "$BASE" "$b" "$(echo "$b / $x" | bc -l)"
  fi
  echo
done
[ -n "${BASE:-}" ] && git worktree remove --force "$WORK/base"
