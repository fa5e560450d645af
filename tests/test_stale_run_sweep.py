"""A run whose embedded worker died is stored as failed by the next server's periodic sweep, not by a read."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ScheduleRun

from .scheduling_helpers import hard_convention

ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT_TIMEOUT = 6
SWEEP_PERIOD = 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`slotwise serve` in embedded mode (no REDIS_URL): the worker is a thread of this process."""

    def __init__(self, database_url: str, log_path: Path):
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(DATABASE_URL=database_url, SECRET_KEY="test-secret", RATELIMIT_ENABLED="false",
                   SCHEDULE_SOLVER_WORKERS="1", SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS=str(HEARTBEAT_TIMEOUT),
                   SCHEDULE_STALE_SWEEP_SECONDS=str(SWEEP_PERIOD))
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("slotwise")), "serve", "--port", str(_free_port()), "--threads", "2"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while "Embedded worker started" not in log_path.read_text():
            assert self.process.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        self.log.close()


def _stored(run_id: int):
    db.session.rollback()  # a fresh transaction: what the database holds now
    return db.session.execute(
        sa.select(ScheduleRun.status, ScheduleRun.finished_at, ScheduleRun.error_message).where(ScheduleRun.id == run_id)
    ).one()


def test_a_killed_servers_run_is_stored_failed_by_the_next_servers_sweep(app, make_user, database_url,
                                                                          tmp_path):
    admin = make_user(roles=("admin",))
    con, _ = hard_convention(make_user)
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="queued",
                      parameters={"time_limit_seconds": 120, "keep_current": False, "weights": {}})
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    servers = []
    try:
        first = Server(database_url, tmp_path / "first.log")  # resumes the queued run at start
        servers.append(first)
        deadline = time.monotonic() + 60
        while _stored(run_id).status != "running":
            assert time.monotonic() < deadline, first.log_path.read_text()[-3000:]
            time.sleep(0.2)
        # A second server on the same database (as after a restart, or beside it): its start-up
        # finds the run alive and leaves it alone, so only its periodic sweep can store the failure.
        servers.append(Server(database_url, tmp_path / "second.log"))
        assert _stored(run_id).status == "running"
        first.kill()
        killed_at = time.monotonic()
        deadline = killed_at + HEARTBEAT_TIMEOUT + SWEEP_PERIOD + 5
        while _stored(run_id).status == "running":
            assert time.monotonic() < deadline, "the sweep did not store the dead run as failed"
            time.sleep(0.2)
        stored = _stored(run_id)
        assert stored.status == "failed" and stored.finished_at is not None
        assert "stopped reporting" in stored.error_message
        time.sleep(SWEEP_PERIOD * 2)  # later sweeps leave the finish time as it was
        assert _stored(run_id) == stored
    finally:
        for server in servers:
            server.stop() if server.process.poll() is None else server.log.close()
