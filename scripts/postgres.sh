# Sourced: start_postgres starts a throw-away PostgreSQL on a free loopback port in a
# temporary directory and exports DATABASE_URL; it is stopped and removed on exit.
start_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    apt_install postgresql
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  PGTMP=$(mktemp -d /tmp/cita-pg.XXXXXX)
  PGPORT_TEST=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as_pg=""
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PGTMP"   # initdb refuses to run as root
    as_pg="runuser -u postgres --"
  fi
  $as_pg "$bindir/initdb" -D "$PGTMP/data" -U cita -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  $as_pg "$bindir/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -o "-p $PGPORT_TEST -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  export PG_BINDIR=$bindir PGDATA_TEST="$PGTMP/data" AS_PG="$as_pg"
  trap 'stop_postgres' EXIT
  export DATABASE_URL="postgres://cita@127.0.0.1:$PGPORT_TEST/cita"
  "$bindir/createdb" -h 127.0.0.1 -p "$PGPORT_TEST" -U cita cita
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $PGPORT_TEST"
}

stop_postgres() {
  $AS_PG "$PG_BINDIR/pg_ctl" -D "$PGDATA_TEST" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
