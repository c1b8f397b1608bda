#!/usr/bin/env bash
# Start MLflow's own tracking server (the reference implementation) from a scratch
# copy of MLflow's source, for side-by-side comparison and timing against Kiln.
# Manual tool, not used by CI. See README.md in this folder for the setup.
#
# Usage: run_reference_server.sh [PORT] [DATA_DIR]
#   PORT      default 5055
#   DATA_DIR  default /tmp/mlflowref-PORT (SQLite db + artifacts; wiped with --fresh)
# Environment:
#   MLFLOW_SRC      scratch folder holding mlflow/ and querystring_parser/
#                   (default /work/scratch/mlflow-client)
#   MLFLOW_WORKERS  gunicorn workers (default 2)
#   FRESH=1         delete DATA_DIR first
# Runs in the foreground; stop with Ctrl-C (or kill the printed PID's process group).
set -euo pipefail

PORT="${1:-5055}"
DATA_DIR="${2:-/tmp/mlflowref-$PORT}"
MLFLOW_SRC="${MLFLOW_SRC:-/work/scratch/mlflow-client}"
WORKERS="${MLFLOW_WORKERS:-2}"
PY=/usr/bin/python3   # Debian's interpreter: the packages MLflow needs live there

if [ ! -f "$MLFLOW_SRC/mlflow/__init__.py" ]; then
  echo "MLflow source not found in $MLFLOW_SRC (see README.md)" >&2
  exit 2
fi
if [ "${FRESH:-0}" = 1 ]; then rm -rf "$DATA_DIR"; fi
mkdir -p "$DATA_DIR/artifacts"

export PYTHONPATH="$MLFLOW_SRC${PYTHONPATH:+:$PYTHONPATH}"
echo "MLflow reference server on http://127.0.0.1:$PORT (data: $DATA_DIR, pid $$)" >&2
exec "$PY" -m mlflow server \
  --backend-store-uri "sqlite:///$DATA_DIR/db.sqlite" \
  --artifacts-destination "$DATA_DIR/artifacts" \
  --serve-artifacts \
  --host 127.0.0.1 --port "$PORT" --workers "$WORKERS"
