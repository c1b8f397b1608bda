#!/usr/bin/env bash
# Dataset statistics and validation on the 1M-row benchmark CSV: Kiln in process (bench/Kiln.Bench.Data: CSV and
# Parquet schema + statistics, validate against a reference version) beside pandas + scipy doing the same jobs
# (bench/data_quality_ref.py), in the same run, then `kiln data validate` end to end from the command line.
# Usage: bench/data-quality.sh /path/to/train_1m.csv [ROUNDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
CSV="${1:?the 1M-row CSV, from ../shared/bench/make_data.py}"
ROUNDS="${2:-5}"
dotnet build bench/Kiln.Bench.Data -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
./kiln --help >/dev/null # publishes the CLI (ReadyToRun) when a source changed: timed as users run it
echo "== Kiln (in process)"
dotnet bench/Kiln.Bench.Data/bin/Release/net10.0/Kiln.Bench.Data.dll "$CSV" "$ROUNDS"
echo "== pandas + scipy"
/usr/bin/python3 bench/data_quality_ref.py "$CSV" "$ROUNDS"
echo "== kiln data validate, end to end (process start included)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/v1" "$WORK/v2"
cp "$CSV" "$WORK/v1/data.csv"
/usr/bin/python3 -c "import pandas as pd,sys; d=pd.read_csv(sys.argv[1]); d['f00']+=0.5; d.to_csv(sys.argv[2], index=False)" "$CSV" "$WORK/v2/data.csv"
KILN="env KILN_NO_BUILD=1 ./kiln"
export KILN_HOME="$WORK/home"
$KILN data add bench "$WORK/v1/data.csv" >/dev/null
REF=$($KILN data versions bench -o csv | sed -n 2p | cut -d, -f1)
$KILN data add bench "$WORK/v2/data.csv" >/dev/null
for i in $(seq 1 "$ROUNDS"); do
  s=$(date +%s.%N); $KILN data validate bench latest --against "$REF" >/dev/null 2>&1 || true; e=$(date +%s.%N)
  echo "round $i: $(echo "$e - $s" | bc) s"
done
