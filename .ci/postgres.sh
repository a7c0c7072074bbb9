# Start a throwaway PostgreSQL cluster for the tests and export PG_URL.
start_postgres() {
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  local bin=/usr/lib/postgresql/$version/bin
  local data=/tmp/sop-ci-pg
  rm -rf "$data"
  mkdir -p "$data"
  chown postgres:postgres "$data"
  su postgres -c "$bin/initdb -D $data -A trust -U postgres" >/dev/null
  su postgres -c "$bin/pg_ctl -D $data -o '-p 54329 -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off' -l $data/log -w start" >/dev/null
  psql -h 127.0.0.1 -p 54329 -U postgres -c "CREATE DATABASE sop_test" >/dev/null
  export PG_URL="postgresql+psycopg://postgres@127.0.0.1:54329/sop_test"
}
