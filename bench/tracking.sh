#!/usr/bin/env bash
# Tracking benchmark, side by side in one run: Kiln on SQLite, Kiln on PostgreSQL, and (when its
# source is set up, see bench/mlflow-client/README.md) MLflow 2.12's own server on SQLite.
# Usage: bench/tracking.sh [SEARCH_RUNS] [MLFLOW_SEARCH_RUNS]   (defaults 10000 and 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
SEARCH_RUNS="${1:-10000}"
MLFLOW_SEARCH_RUNS="${2:-1000}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-bench-$(id -u)}"
rm -rf "$WORK"; mkdir -p "$WORK"
export WORK KILN_TEST_PGPORT="${KILN_TEST_PGPORT:-55442}" KILN_PG_FSYNC=on
. scripts/ensure-postgres.sh

dotnet build src/Kiln.Cli -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
dotnet build bench/Kiln.Bench.Tracking -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
KILN="dotnet src/Kiln.Cli/bin/Release/net10.0/kiln.dll"
BENCH="dotnet bench/Kiln.Bench.Tracking/bin/Release/net10.0/Kiln.Bench.Tracking.dll"

wait_up() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.5; done; echo "server on $1 did not start" >&2; return 1; }

run_kiln() { # label store-uri port search-runs
  $KILN server --port "$3" --store "$2" --artifacts "$WORK/artifacts-$3" > "$WORK/server-$3.log" 2>&1 &
  local pid=$!
  wait_up "$3"
  $BENCH "http://127.0.0.1:$3" --label "$1" --search-runs "$4" | tee -a "$WORK/results.md"
  kill -TERM "$pid"; wait "$pid" || true
}

run_kiln "Kiln, SQLite" "sqlite:///$WORK/kiln.db" 5201 "$SEARCH_RUNS"
PGB=$(echo "$KILN_TEST_POSTGRES" | sed -n 's/.*Port=\([0-9]*\).*/\1/p')
psql -h 127.0.0.1 -p "$PGB" -U postgres -qc "CREATE DATABASE kiln_bench" >/dev/null
run_kiln "Kiln, PostgreSQL (fsync on)" "postgresql://postgres@127.0.0.1:$PGB/kiln_bench" 5202 "$SEARCH_RUNS"

if [ -f "${MLFLOW_SRC:-/work/scratch/mlflow-client}/mlflow/__init__.py" ]; then
  FRESH=1 setsid bench/mlflow-client/run_reference_server.sh 5203 "$WORK/mlflow" > "$WORK/mlflow.log" 2>&1 &
  mpid=$!
  wait_up 5203
  $BENCH http://127.0.0.1:5203 --label "MLflow 2.12 server, SQLite, 2 workers" --search-runs "$MLFLOW_SEARCH_RUNS" \
    --ingest-batches 60 --single 300 --create 200 | tee -a "$WORK/results.md"
  kill -TERM -- -"$mpid" 2>/dev/null || kill "$mpid"
  # Kiln on the same smaller search set, for a like-for-like search ratio.
  run_kiln "Kiln, SQLite ($MLFLOW_SEARCH_RUNS-run search set)" "sqlite:///$WORK/kiln-small.db" 5204 "$MLFLOW_SEARCH_RUNS"
fi
echo "results: $WORK/results.md"
