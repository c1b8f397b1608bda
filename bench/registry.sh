#!/usr/bin/env bash
# Model-registry benchmark (issue 15), side by side in one run: `kiln server` and MLflow 2.12's own server (SQLite,
# --serve-artifacts, see bench/mlflow-client/README.md), each on loopback with a fresh store, seeded identically over
# REST and timed by bench/registry_bench.py (requests, one keep-alive session per server, servers interleaved).
# Usage: bench/registry.sh [VERSIONS] [CALLS] [WARMUP]        (defaults 10000, 200, 20)
# Environment:
#   KILN_BIN      how to run Kiln's CLI (default ./kiln, which publishes first when stale; KILN_NO_BUILD=1 skips that),
#                 e.g. KILN_BIN="dotnet /path/to/kiln.dll"
#   MLFLOW_SRC    scratch folder holding mlflow/ and querystring_parser/ (default /work/scratch/mlflow-client);
#                 without it only Kiln is measured
#   KILN_PORT, MLFLOW_PORT (5401, 5402), MLFLOW_WORKERS (2), SEED_THREADS (4), KILN_BENCH_WORK (scratch folder)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSIONS="${1:-10000}"
CALLS="${2:-200}"
WARMUP="${3:-20}"
KILN_BIN="${KILN_BIN:-./kiln}"
KILN_PORT="${KILN_PORT:-5401}"
MLFLOW_PORT="${MLFLOW_PORT:-5402}"
export MLFLOW_SRC="${MLFLOW_SRC:-/work/scratch/mlflow-client}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-registry-$(id -u)}"
rm -rf "$WORK"; mkdir -p "$WORK"
PY=/usr/bin/python3   # Debian's interpreter, with requests

kpid=""; mpid=""
cleanup() {
  [ -n "$kpid" ] && { kill -TERM "$kpid" 2>/dev/null || true; wait "$kpid" 2>/dev/null || true; }
  [ -n "$mpid" ] && { kill -TERM -- -"$mpid" 2>/dev/null || true; wait "$mpid" 2>/dev/null || true; }
}
trap cleanup EXIT INT TERM

wait_up() { for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.5; done
  echo "server on $1 did not start (see $WORK)" >&2; return 1; }

KILN_HOME="$(mktemp -d -p "$WORK" kiln-home.XXXX)"
# shellcheck disable=SC2086  # KILN_BIN may be a command with arguments
KILN_HOME="$KILN_HOME" $KILN_BIN server --port "$KILN_PORT" > "$WORK/kiln.log" 2>&1 &
kpid=$!
servers=(--server "Kiln=http://127.0.0.1:$KILN_PORT")

if [ -f "$MLFLOW_SRC/mlflow/__init__.py" ]; then
  FRESH=1 setsid bench/mlflow-client/run_reference_server.sh "$MLFLOW_PORT" "$WORK/mlflow" > "$WORK/mlflow.log" 2>&1 &
  mpid=$!
  servers+=(--server "MLflow 2.12=http://127.0.0.1:$MLFLOW_PORT")
else
  echo "no MLflow source in $MLFLOW_SRC: measuring Kiln alone" >&2
fi
wait_up "$KILN_PORT"
[ -n "$mpid" ] && wait_up "$MLFLOW_PORT"

"$PY" bench/registry_bench.py "${servers[@]}" --versions "$VERSIONS" --calls "$CALLS" --warmup "$WARMUP" \
  --threads "${SEED_THREADS:-4}" --json "$WORK/results.json" | tee "$WORK/results.md"
echo "results: $WORK/results.md, $WORK/results.json; server logs in $WORK"
