"""Auto-schedule with a real Redis server and a real Celery worker process, as in production."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from solver.problem import Placement
from solver.validate import violations
from webapp.extensions import db
from webapp.models import EventSlot, ScheduleRun
from webapp.services.snapshot import build_problem

from .scheduling_helpers import hard_convention, small_convention, wait_for_run

REDIS_URL = os.environ.get("SLOTWISE_TEST_REDIS_URL")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL and not os.environ.get("CI"),
                       reason="needs a Redis server: SLOTWISE_TEST_REDIS_URL (scripts/test.sh starts one)"),
]
ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT_TIMEOUT = 4
SWEEP_PERIOD = 1
VISIBILITY_TIMEOUT = 8  # production keeps Redis's hour; short here so the redelivery is seen


class WorkerProcess:
    def __init__(self, database_url: str, log_path: Path):
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=REDIS_URL, SECRET_KEY="test-secret",
                   SCHEDULE_SOLVER_WORKERS="1", RATELIMIT_ENABLED="false",
                   SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS=str(HEARTBEAT_TIMEOUT), SCHEDULE_STALE_SWEEP_SECONDS=str(SWEEP_PERIOD),
                   CELERY_VISIBILITY_TIMEOUT_SECONDS=str(VISIBILITY_TIMEOUT))
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def redis_app(make_app):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    app = make_app(REDIS_URL=REDIS_URL, SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS=HEARTBEAT_TIMEOUT)
    assert "celery" in app.extensions
    return app


@pytest.fixture
def start_worker(database_url, tmp_path):
    started = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(database_url, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def redis_client(app, redis_app):
    # `app` owns the database cleanup and the test's app context; requests go to the Redis-configured app
    return redis_app.test_client()


@pytest.fixture
def admin_headers(make_user, redis_client):
    user = make_user(roles=("admin",))
    token = redis_client.post("/api/auth/token", json={"email": user.email, "password": "correct horse battery"})
    return {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def test_worker_solves_reports_progress_and_accept_applies(redis_client, make_user, admin_headers, start_worker):
    con, workshops = hard_convention(make_user, workshops=24, attendees=60)
    start_worker()
    queued = redis_client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 6},
                               headers=admin_headers)
    assert queued.status_code == 202
    run_id = queued.get_json()["run_id"]
    running = wait_for_run(redis_client, admin_headers, run_id, {"running", "succeeded"}, timeout=30)
    seen_progress = running["progress"]
    deadline = time.monotonic() + 10
    while "elapsed_seconds" not in seen_progress and time.monotonic() < deadline:
        time.sleep(0.3)
        seen_progress = redis_client.get(f"/api/schedule-runs/{run_id}", headers=admin_headers).get_json()["progress"]
    assert seen_progress["elapsed_seconds"] >= 0
    done = wait_for_run(redis_client, admin_headers, run_id, {"succeeded", "failed"}, timeout=60)
    assert done["status"] == "succeeded", done["error_message"]
    placements = [Placement(a["workshop_id"], a["run_index"], tuple(a["event_slot_ids"])) for a in done["assignments"]]
    assert len(placements) == len(workshops)
    assert violations(build_problem(con.id), placements) == []
    assert done["stats"]["placed_runs"] == len(workshops)
    accepted = redis_client.post(f"/api/schedule-runs/{run_id}/accept", headers=admin_headers)
    assert accepted.status_code == 200
    placed = db.session.scalar(sa.select(sa.func.count()).select_from(EventSlot).where(EventSlot.workshop_id.is_not(None)))
    assert placed == len(workshops)


def test_cancel_reaches_the_worker(redis_client, make_user, admin_headers, start_worker):
    con, _ = hard_convention(make_user)
    start_worker()
    run_id = redis_client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 120},
                               headers=admin_headers).get_json()["run_id"]
    wait_for_run(redis_client, admin_headers, run_id, {"running"}, timeout=30)
    time.sleep(1.5)
    assert redis_client.post(f"/api/schedule-runs/{run_id}/cancel", headers=admin_headers).status_code == 200
    final = wait_for_run(redis_client, admin_headers, run_id, {"cancelled", "succeeded", "failed"}, timeout=60)
    assert final["status"] == "cancelled"


def stored_run(run_id: int) -> tuple[str, object]:
    """The row as the database holds it, read in a fresh transaction."""
    db.session.rollback()
    row = db.session.execute(sa.select(ScheduleRun.status, ScheduleRun.finished_at).where(ScheduleRun.id == run_id)).one()
    return row.status, row.finished_at


def test_a_killed_workers_run_is_stored_failed_by_a_live_worker_and_its_redelivered_task_is_skipped(
        redis_client, make_user, admin_headers, start_worker):
    con, _ = hard_convention(make_user)
    solving = start_worker()
    run_id = redis_client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 120},
                               headers=admin_headers).get_json()["run_id"]
    wait_for_run(redis_client, admin_headers, run_id, {"running"}, timeout=30)
    survivor = start_worker()
    solving.kill()
    killed_at = time.monotonic()
    # from here on, nothing but reads: the surviving worker's sweep must store the failure
    deadline = killed_at + HEARTBEAT_TIMEOUT + SWEEP_PERIOD + 5  # + the last heartbeat's age and slack
    while stored_run(run_id)[0] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    status, finished_at = stored_run(run_id)
    assert status == "failed" and finished_at is not None
    reads = [redis_client.get(f"/api/schedule-runs/{run_id}", headers=admin_headers).get_json() for _ in range(2)]
    assert [r["status"] for r in reads] == ["failed", "failed"]
    assert reads[0]["finished_at"] == reads[1]["finished_at"]
    assert "stopped reporting" in reads[0]["error_message"]

    # Redis hands the killed worker's unacknowledged task out again after the visibility timeout;
    # the run is no longer queued, so the survivor skips it and the record stays as it was
    deadline = time.monotonic() + VISIBILITY_TIMEOUT + 30
    while f"run {run_id} is not queued any more" not in survivor.log_path.read_text():
        assert time.monotonic() < deadline, survivor.log_path.read_text()[-3000:]
        time.sleep(0.5)
    assert stored_run(run_id) == (status, finished_at)

    fresh = redis_client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 3},
                              headers=admin_headers)
    assert fresh.status_code == 202
    assert wait_for_run(redis_client, admin_headers, fresh.get_json()["run_id"], {"succeeded", "failed"},
                        timeout=60)["status"] == "succeeded"


def test_without_a_worker_the_run_waits_queued(redis_client, make_user, admin_headers):
    con, _ = small_convention(make_user)
    run_id = redis_client.post(f"/api/conventions/{con.id}/auto-schedule", json={"time_limit_seconds": 2},
                               headers=admin_headers).get_json()["run_id"]
    time.sleep(1)
    body = redis_client.get(f"/api/schedule-runs/{run_id}", headers=admin_headers).get_json()
    assert body["status"] == "queued"
    cancelled = redis_client.post(f"/api/schedule-runs/{run_id}/cancel", headers=admin_headers).get_json()
    assert cancelled["status"] == "cancelled"


# -- several server processes (gunicorn) sharing one database ---------------------------------


def test_several_server_processes_never_serve_a_stale_schedule_grid(app, database_url, make_user, tmp_path):
    """Each process caches the grid; a placement made through one process shows in every process's
    next answer, because the cache is keyed by the version stored in the database."""
    import http.client
    import json
    import socket

    from . import factories as f

    con = f.convention()
    slots = f.slots(f.location(con, name="Hall"), count=2)
    host = make_user(roles=("host",), name="Ana")
    ws = f.workshop(con, host, title="Knots")
    db.session.commit()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=REDIS_URL, SECRET_KEY="test-secret",
               RATELIMIT_ENABLED="false")
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen([str(Path(sys.executable).with_name("slotwise")), "serve", "--port", str(port), "--workers", "2",
                               "--threads", "2"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def call(method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)  # a new connection each time
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data

    def titles() -> list:
        status, data = call("GET", f"/api/conventions/{con.id}/schedule")
        assert status == 200, data
        return [c["workshop"]["title"] if c and c["workshop"] else None
                for row in json.loads(data)["rows"] for c in row["cells"]]

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        assert {tuple(titles()) for _ in range(12)} == {(None, None)}  # both processes hold a cached copy
        status, token = call("POST", "/api/auth/token", {"email": host.email, "password": "correct horse battery"})
        assert status == 201, token
        headers = {"Authorization": f"Bearer {json.loads(token)['access_token']}"}
        status, placed = call("POST", f"/api/workshops/{ws.id}/assign-slot", {"event_slot_id": slots[1].id}, headers)
        assert status == 201, placed
        assert {tuple(titles()) for _ in range(12)} == {(None, "Knots")}
    finally:
        server.terminate()
        server.wait(30)
        log.close()
