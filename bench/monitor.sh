#!/usr/bin/env bash
# A 24-hour monitoring report over 10M logged predictions (issue 17: <= 5 s). In a throwaway store: the 200-tree depth-6
# GBDT trained on the shared 100k data, 10M predictions of the test rows logged evenly over 24 h (f00 shifted in half of
# them, 1 % labelled), every completed minute summarised into slices (the server's rounds do this a minute at a time;
# here it is the catch-up of a whole day, timed on its own), then the report timed REPS times: the 24-hour snapshot
# (24 hourly roll-ups + the minutes after them + the rows since, and the labelled rows) and its HTML.
# Usage: bench/monitor.sh [ROWS=10000000] [REPS=3]   (needs ~8 GB free in KILN_BENCH_WORK, default /tmp/kiln-monitor-UID)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
reps=${2:-3}
shared="${KILN_BENCH_SHARED:-/work/shared/bench}"
work="${KILN_BENCH_WORK:-/tmp/kiln-monitor-$(id -u)}"
rm -rf "$work" && mkdir -p "$work/data"
/usr/bin/python3 "$shared/make_data.py" "$work/data" --only 100k >/dev/null
dotnet build bench/Kiln.Bench.Monitor -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores); $(date -u '+%Y-%m-%d %H:%M') UTC; kiln $(git rev-parse --short HEAD)"
dotnet bench/Kiln.Bench.Monitor/bin/Release/net10.0/Kiln.Bench.Monitor.dll "$work/data" "$work" "$rows" "$reps" | tee "$work/results.jsonl"
echo "store: $(du -sh "$work/kiln.db" | cut -f1)"
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, statistics as st, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
reports = [r for r in runs if r["step"] == "report_24h"]
print(f"median 24-hour report over {reports[0]['rows']:,} rows: {st.median(r['seconds'] for r in reports):.2f} s (target <= 5 s); drifted {reports[0]['drifted']}")
PY
