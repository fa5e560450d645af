# Sourced by scripts/test.sh: install and start the services the tests need, on loopback, on free ports.
# Everything started here is stopped by stop_services (the caller traps EXIT).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

install_system_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  pg_bindir >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# run a PostgreSQL binary as the postgres user when we are root (initdb refuses root)
pg_run() {
  # from / : the postgres user may not be allowed into the checkout's folder
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_postgres() {
  local bindir; bindir=$(pg_bindir)
  PG_DIR="$SERVICES_DIR/pg"
  mkdir -p "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR" "$SERVICES_DIR"
  PG_PORT=$(free_port)
  pg_run "$bindir/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  pg_run "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  pg_run "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres slotwise_test
  export SLOTWISE_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/slotwise_test"
  echo "== PostgreSQL on 127.0.0.1:$PG_PORT"
}

start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log"
  for _ in $(seq 50); do [ -s "$SERVICES_DIR/redis.pid" ] && break; sleep 0.1; done
  [ -s "$SERVICES_DIR/redis.pid" ] || { echo "Redis did not start" >&2; return 1; }
  export SLOTWISE_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  echo "== Redis on 127.0.0.1:$REDIS_PORT"
}

stop_services() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg_run "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -s "${SERVICES_DIR:-/nonexistent}/redis.pid" ]; then
    kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
  fi
  [ -n "${SERVICES_DIR:-}" ] && rm -rf "$SERVICES_DIR"
}
