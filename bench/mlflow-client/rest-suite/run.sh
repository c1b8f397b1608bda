#!/usr/bin/env bash
# MLflow's own REST test suite (tests/tracking/test_rest_tracking.py) against Kiln's server.
# A manual check: CI cannot fetch MLflow. Nothing is fetched at run time; point it at a folder holding MLflow's source
# at commit c97aa50 (its mlflow/ and tests/ folders; see ../../../shared/MLFLOW_CLIENT.md and this folder's README).
#   usage: bench/mlflow-client/rest-suite/run.sh MLFLOW_SOURCE [extra pytest args]
#   (extra args may name more test files, e.g. tests/tracking/test_model_registry.py, MLflow's registry suite)
# The suite's fixture `_init_server` is the only thing replaced (kiln_server.py: it starts a fresh `kiln server`);
# plugin.py runs each test once and marks the not-applicable tests; registry tests run as ordinary tests (issue 15).
# KILN_DLL already set (a prebuilt kiln.dll) skips the dotnet build. Prints pytest's summary and one line:
#   RESULT: N passed, N failed, N not applicable
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SRC="${1:?usage: run.sh MLFLOW_SOURCE, a folder holding the mlflow and tests folders of MLflow at c97aa50}"
shift
[ -f "$SRC/mlflow/__init__.py" ] && [ -f "$SRC/tests/tracking/test_rest_tracking.py" ] || { echo "no mlflow/ and tests/tracking/test_rest_tracking.py in $SRC" >&2; exit 2; }
/usr/bin/python3 -c "import pytest, flask, pandas, sklearn" 2>/dev/null || {
  echo "needs Debian's python3-pytest python3-flask python3-pandas python3-sklearn (plus MLflow's client packages)" >&2; exit 2; }
if [ -n "${KILN_DLL:-}" ]; then
  [ -f "$KILN_DLL" ] || { echo "KILN_DLL=$KILN_DLL: no such file" >&2; exit 2; }
else
  dotnet build "$ROOT/src/Kiln.Cli" -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
  KILN_DLL="$ROOT/src/Kiln.Cli/bin/Release/net10.0/kiln.dll"
fi
export KILN_DLL

WORK="$(mktemp -d /tmp/kiln-rest-suite-XXXX)"
trap 'rm -rf "$WORK"' EXIT
ln -s "$SRC/mlflow" "$WORK/mlflow"
for f in __init__.py conftest.py helper_functions.py integration/__init__.py integration/utils.py autologging/__init__.py \
         autologging/fixtures.py tracking/__init__.py tracking/conftest.py tracking/integration_test_utils.py tracking/test_rest_tracking.py \
         tracking/test_model_registry.py; do
  mkdir -p "$(dirname "$WORK/tests/$f")"
  if [ -f "$SRC/tests/$f" ]; then cp "$SRC/tests/$f" "$WORK/tests/$f"; else : > "$WORK/tests/$f"; fi
done
# The one replacement: Kiln's _init_server, appended so that it overrides MLflow's before the suite imports it.
sed -n '/^import contextlib/,$p' "$HERE/kiln_server.py" >> "$WORK/tests/tracking/integration_test_utils.py"
cp "$HERE/plugin.py" "$WORK/kiln_rest_plugin.py"

cd "$WORK"
set +e
PYTHONPATH="$WORK" /usr/bin/python3 -m pytest tests/tracking/test_rest_tracking.py -p kiln_rest_plugin -p no:cacheprovider \
  -q -rfsx --tb=short "$@" | tee "$WORK/out.txt"
set -e
summary=$(grep -E "(passed|failed).* in [0-9.]+s" "$WORK/out.txt" | tail -1 || true)
count() { echo "$summary" | grep -oE "[0-9]+ $1" | grep -oE "[0-9]+" || echo 0; }
echo "RESULT: $(count passed) passed, $(( $(count failed) + $(count error) )) failed, $(count skipped) not applicable"
