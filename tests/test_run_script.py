"""scripts/run.sh installs only when pyproject.toml changed since the last successful install, and says what it
does (item 13 of issue 12). The script runs for real on a copy of the project whose .venv holds stand-ins for
python (it records each pip call) and slotwise, so no install takes 30 s here."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../calls.log"
if [ "$1 $2" = "-m pip" ]; then
  echo "Collecting flask"
  echo "Requirement already satisfied: something"
  [ -f "$(dirname "$0")/../pip-fails" ] && { echo "ERROR: no matching distribution"; exit 1; }
  echo "Successfully installed slotwise-0.1"
fi
"""
FAKE_SLOTWISE = """#!/usr/bin/env bash
echo "serving with: $*"
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run.sh", tmp_path / "scripts" / "run.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (("python", FAKE_PYTHON), ("slotwise", FAKE_SLOTWISE)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return tmp_path


def run(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(root / "scripts" / "run.sh"), "--port", "5001"], capture_output=True,
                          text=True, timeout=60)


def pip_calls(root: Path) -> int:
    log = root / ".venv" / "calls.log"
    return sum(line.startswith("-m pip install") for line in log.read_text().splitlines()) if log.exists() else 0


def test_installs_once_then_only_when_pyproject_changes(tmp_path):
    root = project(tmp_path)
    first = run(root)
    assert first.returncode == 0, first.stderr
    assert "installing Slotwise and its dependencies" in first.stdout
    assert "Collecting flask" in first.stdout and "Requirement already satisfied" not in first.stdout  # progress only
    assert "serving with: serve --port 5001" in first.stdout
    assert pip_calls(root) == 1

    second = run(root)
    assert "dependencies unchanged since the last install" in second.stdout and "serving with" in second.stdout
    assert pip_calls(root) == 1

    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + "\n# a new dependency\n")
    third = run(root)
    assert "installing Slotwise" in third.stdout and pip_calls(root) == 2


def test_a_failed_install_is_retried_next_time_and_nothing_is_served(tmp_path):
    root = project(tmp_path)
    (root / ".venv" / "pip-fails").touch()
    failed = run(root)
    assert failed.returncode == 1 and "the install failed" in failed.stderr and "serving" not in failed.stdout
    assert "ERROR: no matching distribution" in (root / ".venv" / "install.log").read_text()
    (root / ".venv" / "pip-fails").unlink()
    again = run(root)
    assert again.returncode == 0 and "installing Slotwise" in again.stdout and pip_calls(root) == 2
