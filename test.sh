#!/usr/bin/env bash
# Runs Kiln's whole test suite on a fresh machine: installs and starts what it needs
# (a throwaway PostgreSQL 15 cluster on 127.0.0.1), builds once, runs every test project,
# and ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
WORK="${KILN_TEST_WORK:-/tmp/kiln-test-$(id -u)}"
RESULTS="$WORK/results"
mkdir -p "$WORK"
rm -rf "$RESULTS"

# --- .NET SDK -------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet SDK not found: install the .NET 10 SDK first" >&2
  exit 2
fi

# --- PostgreSQL (installed and started when missing) ------------------------
. scripts/ensure-postgres.sh
echo "test.sh: PostgreSQL at ${KILN_TEST_POSTGRES}"

# --- Chromium for the console's browser tests, Node.js for building the console ------------------------------
# (installed when missing; apt_install comes from ensure-postgres.sh)
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Chromium (apt-get)…"
  apt_install chromium
fi
if [ ! -x /usr/bin/prometheus ]; then
  echo "test.sh: installing Prometheus (apt-get), which scrapes /metrics in the serving tests…"
  apt_install --no-install-recommends prometheus
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: installing Node.js and npm (apt-get)…"
  apt_install nodejs npm
fi
export KILN_SCREENSHOTS="$RESULTS/screenshots"

# --- build once, then every test project ------------------------------------
for proj in tests/*.Tests/*.csproj; do
  if ! grep -q "$proj" Kiln.slnx; then
    echo "test.sh: $proj is not in Kiln.slnx, so it would not be built: add it" >&2
    exit 1
  fi
done
dotnet build Kiln.slnx -c Release --nologo -v q -clp:ErrorsOnly

status=0
for proj in tests/*.Tests/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "test.sh: $name"
  dotnet test "$proj" -c Release --no-build --nologo -v q \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" || status=1
done

passed=0; failed=0; skipped=0; total=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); total=$((total + ${t:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# each failed test's name and the start of its message, last, where a CI log that keeps only its tail still shows them
if [ "$failed" -gt 0 ] && command -v python3 >/dev/null 2>&1; then
  python3 - "$RESULTS" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for r in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        message = r.find(".//t:Message", ns)
        text = (message.text or "").strip() if message is not None else ""
        print(f"test.sh: FAILED {r.get('testName')}\n    " + "\n    ".join(text.splitlines()[:12]))
PY
fi
projects=$(ls tests/*.Tests/*.csproj | wc -l)
reports=$(ls "$RESULTS"/*.trx 2>/dev/null | wc -l)
if [ "$reports" -ne "$projects" ]; then
  echo "test.sh: only $reports of $projects test projects reported results" >&2
  status=1
  failed=$((failed + projects - reports))
fi
if [ "$total" -eq 0 ]; then status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
