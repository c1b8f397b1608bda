#!/usr/bin/env bash
# Metric-history benchmark: one metric of N points (default 2,000,000) on SQLite, read a page at a time.
# Runs the server built from this tree and, if BASE (a git revision) is given, the server built from that revision,
# alternately, so old and new are measured in the same run on the same machine.
# Usage: [BASE=<rev>] bench/history.sh [POINTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS="${1:-2000000}"
ROUNDS="${2:-2}"
WORK="${KILN_BENCH_WORK:-/tmp/kiln-history-$(id -u)}"
rm -rf "$WORK"; mkdir -p "$WORK"
dotnet build src/Kiln.Cli -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
dotnet build bench/Kiln.Bench.Tracking -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
BENCH="dotnet bench/Kiln.Bench.Tracking/bin/Release/net10.0/Kiln.Bench.Tracking.dll"
declare -A SERVERS=([new]="$PWD/src/Kiln.Cli/bin/Release/net10.0/kiln.dll")
if [ -n "${BASE:-}" ]; then
  git worktree add -f "$WORK/base" "$BASE" >/dev/null 2>&1
  dotnet build "$WORK/base/src/Kiln.Cli" -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
  SERVERS[base]="$WORK/base/src/Kiln.Cli/bin/Release/net10.0/kiln.dll"
fi
wait_up() { for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.5; done; return 1; }
for round in $(seq 1 "$ROUNDS"); do
  for name in "${!SERVERS[@]}"; do
    rm -rf "$WORK/home-$name"
    dotnet "${SERVERS[$name]}" server --port 5301 --store "sqlite:///$WORK/home-$name/kiln.db" --artifacts "$WORK/home-$name/a" > "$WORK/server.log" 2>&1 &
    pid=$!
    wait_up 5301
    $BENCH http://127.0.0.1:5301 --label "$name, round $round" --history-points "$POINTS" --server-pid "$pid" | tee -a "$WORK/results.md"
    kill -TERM "$pid"; wait "$pid" || true
  done
done
[ -n "${BASE:-}" ] && git worktree remove --force "$WORK/base"
echo "results: $WORK/results.md"
