"""The embedded mode's worker: one background thread in the web server runs queued tasks in order.

Not eager execution: the request that queues a run returns at once and the page polls, exactly
as with Celery; only the transport differs.
"""
from __future__ import annotations

import queue
import threading

from flask import Flask


class EmbeddedWorker:
    def __init__(self, app: Flask):
        self.app = app
        self.jobs: queue.Queue[int | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="slotwise-embedded-worker", daemon=True)
        self.thread.start()

    def submit(self, run_id: int) -> None:
        self.jobs.put(run_id)

    def stop(self, timeout: float = 10) -> None:
        self.jobs.put(None)
        self.thread.join(timeout)

    def _loop(self) -> None:
        from .runner import execute_run

        while True:
            run_id = self.jobs.get()
            if run_id is None:
                return
            with self.app.app_context():
                try:
                    execute_run(run_id)
                except Exception:  # execute_run records failures on the run; keep serving others
                    self.app.logger.exception("embedded worker: run %s failed", run_id)


_lock = threading.Lock()


def embedded_worker(app: Flask) -> EmbeddedWorker:
    with _lock:
        worker = app.extensions.get("slotwise_embedded_worker")
        if worker is None:
            worker = EmbeddedWorker(app)
            app.extensions["slotwise_embedded_worker"] = worker
        return worker


def start_embedded_worker(app: Flask) -> int:
    """Start the thread when the server starts, and take over the queued runs a previous process left.

    A run still `running` is left alone: another server on the same database may be solving it, and
    a run whose worker is really gone is marked failed by its heartbeat's age, by the periodic sweep
    started here (worker/stale_runs.py)."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import ScheduleRun
    from webapp.services.scheduling import expire_stale_runs

    from .stale_runs import start_stale_run_sweeper

    worker = embedded_worker(app)
    with app.app_context():
        expire_stale_runs()
        queued = db.session.scalars(
            select(ScheduleRun.id).where(ScheduleRun.status == "queued").order_by(ScheduleRun.id)
        ).all()
        db.session.commit()
    for run_id in queued:
        worker.submit(run_id)
    start_stale_run_sweeper(app)
    return len(queued)
