"""An allocation run's work: snapshot the wishes -> the pure core (solver/allocation) -> store the result.

The same lifecycle as an auto-schedule run (runner.py claims it, records failures, the heartbeat writes
progress and learns of cancellation); only the work differs.
"""
from __future__ import annotations

import time

from flask import current_app

from solver.allocation import BASELINES, allocate, figures, violations
from solver.allocation.index import ProblemIndex
from webapp.extensions import db
from webapp.models import ScheduleRun, utcnow
from webapp.services.allocation_runs import result_json, wishes_snapshot
from webapp.services.scheduling import transition_run

from .runner import _Heartbeat


def allocate_and_store(run: ScheduleRun) -> str:
    app = current_app._get_current_object()
    started = time.monotonic()
    run_id, seed = run.id, int((run.parameters or {}).get("seed", 0))
    with _Heartbeat(app, run_id, started) as heartbeat:
        heartbeat.latest = {"phase": "building"}
        snapshot = wishes_snapshot(run.convention_id)
        db.session.commit()  # the snapshot's reads end here
        problem = snapshot.problem

        def progress(phase: str, done: int) -> None:
            heartbeat.latest = {"phase": phase, "steps": done, "wishes": len(problem.wishes)}

        allocation = allocate(problem, seed, should_stop=heartbeat.cancel.is_set, on_progress=progress)
        cancelled = heartbeat.cancel.is_set()
        if not cancelled:
            heartbeat.latest = {"phase": "comparing", "wishes": len(problem.wishes)}
            mine = figures(problem, allocation)
            baselines = {name: figures(problem, rule(problem, seed)) for name, rule in BASELINES.items()}
    if cancelled:
        transition_run(run_id, ("running",), "cancelled", finished_at=utcnow())
        db.session.commit()
        return "cancelled"
    broken = violations(problem, allocation)
    if broken:
        raise RuntimeError(f"the allocation breaks {len(broken)} rule(s): {broken[0]}")
    if not transition_run(run_id, ("running",), "succeeded", finished_at=utcnow()):
        db.session.rollback()
        run = db.session.get(ScheduleRun, run_id)
        current_app.logger.warning("allocation run %s ended as %s meanwhile; its result is dropped", run_id, run.status)
        return run.status
    run = db.session.get(ScheduleRun, run_id)
    run.allocation = result_json(snapshot, allocation, mine, baselines, ProblemIndex(problem).skipped)
    run.progress = {"phase": "done", "wishes": len(problem.wishes), "seats_given": len(allocation.assignments),
                    "elapsed_seconds": round(time.monotonic() - started, 2)}
    db.session.commit()
    return run.status
