# Sourced by test.sh and bench scripts: makes sure a PostgreSQL server is reachable and exports
# KILN_TEST_POSTGRES (an Npgsql connection string). Uses KILN_TEST_POSTGRES if already set; otherwise
# installs PostgreSQL with apt-get when missing and starts a throwaway cluster under $WORK on
# 127.0.0.1:${KILN_TEST_PGPORT:-55432}, stopped when the calling script exits.
WORK="${WORK:-/tmp/kiln-test-$(id -u)}"
mkdir -p "$WORK"
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$1"; }
if [ -z "${KILN_TEST_POSTGRES:-}" ]; then
  PGPORT="${KILN_TEST_PGPORT:-55432}"
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "installing PostgreSQL (apt-get)…"
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
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGDATA -c fsync=${KILN_PG_FSYNC:-off} -c max_connections=300" start >/dev/null
    trap '"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true' EXIT
  fi
  export KILN_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
fi
