#!/usr/bin/env bash
# Installs Slotwise into .venv and serves it on the embedded default (SQLite, no Redis) at http://127.0.0.1:5000
#
# The install runs only when pyproject.toml (the dependencies and the `slotwise` command) changed since the
# last successful one: the project is installed editable, so code changes need no reinstall.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP="$VENV/.slotwise-installed"
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)

if [ ! -x "$VENV/bin/python" ]; then
  echo "run.sh: creating the virtual environment in $VENV …"
  python3 -m venv "$VENV"
fi
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ]; then
  echo "run.sh: installing Slotwise and its dependencies (the first time takes about 30 s) …"
  # pip's own lines ("Collecting …", "Installing collected packages …") are the progress; all of it goes to a log
  set +e
  "$VENV/bin/python" -m pip install --disable-pip-version-check -e . 2>&1 | tee "$VENV/install.log" \
    | grep --line-buffered -E "^(Collecting|Installing|Successfully|ERROR)"
  installed=${PIPESTATUS[0]}
  set -e
  if [ "$installed" -ne 0 ]; then
    echo "run.sh: the install failed; see $VENV/install.log." >&2
    exit 1
  fi
  echo "$wanted" > "$STAMP"
  echo "run.sh: installed."
else
  echo "run.sh: dependencies unchanged since the last install; starting."
fi
exec "$VENV/bin/slotwise" serve "$@"
