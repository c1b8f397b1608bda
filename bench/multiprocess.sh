#!/bin/bash
# Several processes on one SQLite file: three `kiln server`s on one database, bench/Kiln.Bench.Tracking against each at once.
# Usage: bench/multiprocess.sh [LABEL]   (build first: dotnet build src/Kiln.Cli bench/Kiln.Bench.Tracking -c Release)
set -u
W=/tmp/kiln-mp-${1:-run}; rm -rf $W; mkdir -p $W
K="dotnet $(cd "$(dirname "$0")/.." && pwd)/src/Kiln.Cli/bin/Release/net10.0/kiln.dll"
B="dotnet $(cd "$(dirname "$0")/.." && pwd)/bench/Kiln.Bench.Tracking/bin/Release/net10.0/Kiln.Bench.Tracking.dll"
for p in 5301 5302 5303; do $K server --port $p --store sqlite:///$W/kiln.db --artifacts $W/a > $W/s$p.log 2>&1 & done
for p in 5301 5302 5303; do for i in $(seq 1 60); do curl -sf localhost:$p/health >/dev/null && break; sleep 0.5; done; done
for p in 5301 5302 5303; do $B http://127.0.0.1:$p --label p$p --search-runs 200 --ingest-batches 40 --single 800 --create 300 --clients 2 > $W/b$p.log 2>&1 & done
wait %4 %5 %6 2>/dev/null; sleep 1
pkill -f "kiln.dll server --port 530"
grep -h "log-metric\|create-run" $W/b*.log | grep "^|"
