"""The solver stays a pure library: importing it pulls in no web, database or worker code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import solver


def test_importing_the_solver_loads_no_flask_database_or_worker_modules():
    root = Path(solver.__file__).resolve().parent.parent
    check = (
        "import sys, solver, solver.cli\n"
        "banned = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'webapp', 'worker', 'celery')]\n"
        "print(','.join(banned))\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
