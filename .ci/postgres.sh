# Start a throwaway PostgreSQL cluster for the tests and export PG_URL; stop_postgres ends it.
PG_DATA=/tmp/sop-ci-pg
PG_BIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n 1)/bin

stop_postgres() {
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    su postgres -c "$PG_BIN/pg_ctl -D $PG_DATA -m fast -w stop" >/dev/null 2>&1 || true
  fi
}

start_postgres() {
  stop_postgres  # a cluster left by an interrupted run would hold the port
  rm -rf "$PG_DATA"
  mkdir -p "$PG_DATA"
  chown postgres:postgres "$PG_DATA"
  su postgres -c "$PG_BIN/initdb -D $PG_DATA -A trust -U postgres" >/dev/null
  su postgres -c "$PG_BIN/pg_ctl -D $PG_DATA -o '-p 54329 -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off' -l $PG_DATA/log -w start" >/dev/null
  psql -h 127.0.0.1 -p 54329 -U postgres -c "CREATE DATABASE sop_test" >/dev/null
  export PG_URL="postgresql+psycopg://postgres@127.0.0.1:54329/sop_test"
}
