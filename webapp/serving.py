"""Serving Slotwise from several processes: gunicorn's pre-fork server with threaded workers.

One Python process runs one request's Python at a time; on a machine with several cores, reads
such as the workshop list scale with processes. Each worker builds its own app (no app is
shared across the fork: database pools and Redis connections must not be), and the schedule
grid cache stays correct across them because it is keyed by the version stored in the database.
"""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _SlotwiseServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app()


def serve_with_workers(host: str, port: int, workers: int, threads: int) -> None:
    _SlotwiseServer({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": None,
        "timeout": 60,
        "graceful_timeout": 20,
    }).run()
