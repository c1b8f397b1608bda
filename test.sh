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

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- .NET SDK -------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet SDK not found: install the .NET 10 SDK first" >&2
  exit 2
fi

# --- PostgreSQL -------------------------------------------------------------
pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$1"; }
if [ -z "${KILN_TEST_POSTGRES:-}" ]; then
  PGPORT="${KILN_TEST_PGPORT:-55432}"
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "test.sh: installing PostgreSQL (apt-get)…"
    apt_install postgresql
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  if ! pg_ready "$PGPORT"; then
    PGDATA="$WORK/pgdata"
    rm -rf "$PGDATA"
    mkdir -p "$PGDATA"
    RUNAS=()
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      chown -R postgres "$WORK/pgdata"
      chmod 755 "$WORK"
      RUNAS=(runuser -u postgres --)
    fi
    "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
    "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGDATA -c fsync=off -c max_connections=300" start >/dev/null
    trap '"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true' EXIT
  fi
  export KILN_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
fi
echo "test.sh: PostgreSQL at ${KILN_TEST_POSTGRES}"

# --- build once, then every test project ------------------------------------
for proj in tests/*/*.csproj; do
  if ! grep -q "$proj" Kiln.slnx; then
    echo "test.sh: $proj is not in Kiln.slnx, so it would not be built: add it" >&2
    exit 1
  fi
done
dotnet build Kiln.slnx -c Release --nologo -v q -clp:ErrorsOnly

status=0
for proj in tests/*/*.csproj; do
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
projects=$(ls tests/*/*.csproj | wc -l)
reports=$(ls "$RESULTS"/*.trx 2>/dev/null | wc -l)
if [ "$reports" -ne "$projects" ]; then
  echo "test.sh: only $reports of $projects test projects reported results" >&2
  status=1
  failed=$((failed + projects - reports))
fi
if [ "$total" -eq 0 ]; then status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
