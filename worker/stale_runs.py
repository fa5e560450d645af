"""The periodic sweep that records a dead run as failed.

A run whose heartbeat is older than SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS lost its worker (killed,
crashed, machine gone). Every worker process (each Celery worker, and the web server that hosts
the embedded thread) sweeps every SCHEDULE_STALE_SWEEP_SECONDS and commits the change, so the row
itself says `failed` with one finish time; pages and the API only read what is stored.
Sweeps in several processes are harmless: the status change is a compare-and-set.
"""
from __future__ import annotations

import threading

from flask import Flask


class StaleRunSweeper:
    def __init__(self, app: Flask):
        self.app = app
        self.period = float(app.config["SCHEDULE_STALE_SWEEP_SECONDS"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="slotwise-stale-run-sweeper", daemon=True)

    def start(self) -> "StaleRunSweeper":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            self.sweep_once()
            if self._stop.wait(self.period):
                return

    def sweep_once(self) -> int:
        from webapp.extensions import db
        from webapp.services.scheduling import expire_stale_runs

        with self.app.app_context():
            try:
                expired = expire_stale_runs()
                db.session.commit()
            except Exception:  # a failed sweep (database away) is retried next period
                db.session.rollback()
                self.app.logger.exception("stale run sweep failed")
                return 0
            finally:
                db.session.remove()
        if expired:
            self.app.logger.warning("marked %s run(s) failed: their worker stopped reporting", expired)
        return expired


def start_stale_run_sweeper(app: Flask) -> StaleRunSweeper:
    """One sweeper per process and app."""
    sweeper = app.extensions.get("slotwise_stale_run_sweeper")
    if sweeper is None:
        sweeper = StaleRunSweeper(app).start()
        app.extensions["slotwise_stale_run_sweeper"] = sweeper
    return sweeper
