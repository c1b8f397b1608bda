#!/usr/bin/env bash
# Pipeline scheduler overhead (issue 18), with ./kiln (the published CLI) in a throwaway home:
#  - 10 sequential no-op `run: "true"` steps, end to end (target <= 0.5 s), against GNU make running the same chain;
#  - a 1,000-step no-op DAG (10 lanes of 100) with the embedded worker (target <= 10 s), against `make -j8`;
#  - the same DAG claimed by three `kiln worker` processes on PostgreSQL;
#  - a cache-hit re-run of examples/loan-approval's pipeline (target <= 1 s).
# Each is timed REPS times (median quoted): the run's own time (first step started -> run finished, from the store) and the
# wall time of the command. Usage: bench/pipelines.sh [REPS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
work="${KILN_BENCH_WORK:-/tmp/kiln-pipelines-$(id -u)}"
rm -rf "$work" && mkdir -p "$work"
./kiln --version >/dev/null # publish first, untimed
export WORK="$work"
. scripts/ensure-postgres.sh
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores); $(date -u '+%Y-%m-%d %H:%M') UTC; kiln $(git rev-parse --short HEAD)"
/usr/bin/python3 bench/pipelines_bench.py "$work" "$reps" "$KILN_TEST_POSTGRES"
