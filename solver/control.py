"""Cancellation for CP-SAT searches."""
from __future__ import annotations

import threading

from ortools.sat.python import cp_model


class StopWatcher:
    """Polls `should_stop` every 0.2 s from a thread, since CP-SAT may go long stretches
    without a new solution (and so without a callback)."""

    def __init__(self, solver: cp_model.CpSolver, should_stop):
        self._solver = solver
        self._should_stop = should_stop
        self._done = threading.Event()
        self.stopped = False
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(0.2):
            if self._should_stop():
                self.stopped = True
                self._solver.stop_search()
                return

    def __enter__(self):
        if self._should_stop is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
