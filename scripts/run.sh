#!/usr/bin/env bash
# Installs Slotwise into .venv and serves it on the embedded default (SQLite, no Redis) at http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q -e .
exec .venv/bin/slotwise serve "$@"
