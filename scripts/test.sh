#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite:
# on SQLite first, then every database test again on PostgreSQL. Stops what it started, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

install_system_packages

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'

SERVICES_DIR=$(mktemp -d /tmp/slotwise-services.XXXXXX)
chmod 755 "$SERVICES_DIR"
trap stop_services EXIT
trap "exit 130" INT TERM  # exit runs the EXIT trap: services stop when the run is interrupted too
start_postgres
start_redis

export XDG_CONFIG_HOME="$SERVICES_DIR/xdg-config" XDG_CACHE_HOME="$SERVICES_DIR/xdg-cache"
export SLOTWISE_CHROMIUM=/usr/bin/chromium

run_pytest() {
  local rc=0
  .venv/bin/python -m pytest "$@" || rc=$?
  if [ "$rc" = 5 ]; then echo "pytest collected no tests: that is a failure" >&2; return 1; fi
  return "$rc"
}

echo "== suite on SQLite"
run_pytest tests "$@"
echo "== database tests on PostgreSQL"
SLOTWISE_TEST_DATABASE_URL="$SLOTWISE_PG_URL" run_pytest tests -m "not browser" --ignore=tests/solver "$@"
