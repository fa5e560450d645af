"""run_schedule's work: snapshot -> solve -> store the proposal, reporting progress as it goes.

Runs inside an app context (a Celery task or the embedded thread). A heartbeat thread writes the
latest progress at least every second and reads the cancel flag, so the solver's callback never
touches the database from a solver thread.
"""
from __future__ import annotations

import threading
import time
import traceback

from flask import current_app
from sqlalchemy import update

from solver import ProgressInfo, SolveParams, Weights, solve, violations
from solver.metrics import attendee_conflicts
from webapp.extensions import db
from webapp.models import ScheduleRun, ScheduleRunAssignment, ScheduleRunUnplaced, utcnow
from webapp.services.snapshot import build_problem
from webapp.services.scheduling import transition_run

HEARTBEAT_SECONDS = 1.0


class _Heartbeat:
    """Keeps the run's progress and heartbeat fresh; learns of cancellation."""

    def __init__(self, app, run_id: int, started: float, total_runs: int | None = None):
        self.app = app
        self.total_runs = total_runs  # so the page can say "placed N of M" while it solves
        self.run_id = run_id
        self.latest: dict = {}
        self._best: dict | None = None  # an improved schedule not yet written
        self.cancel = threading.Event()
        self._done = threading.Event()
        self._wake = threading.Event()  # the first schedule found is written at once, not at the next beat
        self._first_written = False
        self._started = started
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-run-{run_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._wake.set()
        self._thread.join(5)

    def report(self, info: ProgressInfo) -> None:
        self.latest = {"objective": info.objective, "bound": info.bound, "placed_runs": info.placed_runs,
                       "elapsed_seconds": round(info.elapsed_seconds, 2)}
        if info.placements:
            self._best = {"placed_runs": info.placed_runs, "objective": info.objective,
                          "assignments": [{"workshop_id": p.workshop_id, "run_index": p.run_index,
                                           "event_slot_ids": list(p.slot_ids)} for p in info.placements]}
            if not self._first_written:
                self._first_written = True
                self._wake.set()

    def _loop(self) -> None:
        with self.app.app_context():
            self.beat()
            while True:
                self._wake.wait(HEARTBEAT_SECONDS)
                self._wake.clear()
                if self._done.is_set():
                    break
                self.beat()
            db.session.remove()

    def beat(self) -> None:
        progress = dict(self.latest, total_runs=self.total_runs, elapsed_seconds=round(time.monotonic() - self._started, 2),
                        phase=self.latest.get("phase") or ("solving" if self.latest else "building"))
        best, self._best = self._best, None
        values = {"progress": progress, "heartbeat_at": utcnow()}
        if best is not None:
            values["best_so_far"] = best
        try:
            db.session.execute(
                update(ScheduleRun).where(ScheduleRun.id == self.run_id, ScheduleRun.status == "running")
                .values(**values)
            )
            cancel = db.session.scalar(
                db.select(ScheduleRun.cancel_requested).where(ScheduleRun.id == self.run_id)
            )
            db.session.commit()
        except Exception:  # a missed beat is not fatal; the next one retries
            db.session.rollback()
            if self._best is None:
                self._best = best  # not written: the next beat writes it, unless a better one came
            current_app.logger.exception("heartbeat for run %s failed", self.run_id)
            return
        if cancel:
            self.cancel.set()


def _claim(run_id: int) -> ScheduleRun | None:
    """queued -> running, atomically: a redelivered or duplicate task finds nothing to do."""
    claimed = transition_run(run_id, ("queued",), "running", started_at=utcnow(), heartbeat_at=utcnow(),
                             progress={"phase": "starting", "elapsed_seconds": 0})
    db.session.commit()
    return db.session.get(ScheduleRun, run_id) if claimed else None


def _keeps_best_on_stop(run_id: int) -> bool:
    """Read now, not at the start: the admin chose when stopping."""
    parameters = db.session.scalar(db.select(ScheduleRun.parameters).where(ScheduleRun.id == run_id)) or {}
    return bool(parameters.get("keep_best_on_stop"))


def execute_run(run_id: int) -> str:
    run = _claim(run_id)
    if run is None:
        current_app.logger.info("run %s is not queued any more; nothing to do", run_id)
        return "skipped"
    try:
        if run.kind == "allocation":
            from .allocation import allocate_and_store

            return allocate_and_store(run)
        return _solve_and_store(run)
    except Exception as error:
        db.session.rollback()
        run = db.session.get(ScheduleRun, run_id)
        if transition_run(run_id, ("running",), "failed", finished_at=utcnow(),
                          error_message=f"{type(error).__name__}: {error}"[:2000]):
            run.stats = dict(run.stats or {}, traceback=traceback.format_exc()[-4000:])
        db.session.commit()
        raise


def solve_params(parameters: dict, num_workers: int, elapsed_seconds: float = 0.0) -> SolveParams:
    """The solver's parameters for a run's `parameters`. The admin's time limit covers the whole run:
    snapshot (`elapsed_seconds` so far), search, and explaining what is left out."""
    weights = Weights(**{k: v for k, v in (parameters.get("weights") or {}).items() if k in Weights.__dataclass_fields__})
    time_limit = float(parameters.get("time_limit_seconds", 30))
    explain_budget = min(10.0, 0.15 * time_limit)
    if parameters.get("reproducible"):
        # the same budget counted as work, whatever the snapshot took (so the same data and
        # seed give the same proposal); the wall clock only stops a run far slower than expected
        work_limit = max(0.5, time_limit - explain_budget)
        limits = {"work_limit": work_limit, "time_limit_seconds": 3 * work_limit + 10}
    else:
        limits = {"time_limit_seconds": max(0.5, time_limit - explain_budget - elapsed_seconds)}
    return SolveParams(explain_time_limit_seconds=explain_budget, num_workers=num_workers, weights=weights,
                       seed=int(parameters.get("seed", 0)), **limits)


def _solve_and_store(run: ScheduleRun) -> str:
    app = current_app._get_current_object()
    started = time.monotonic()
    parameters = run.parameters or {}
    problem = build_problem(run.convention_id, pinned_workshop_ids=None)
    if parameters.get("keep_current"):
        problem = build_problem(run.convention_id, pinned_workshop_ids={p.workshop_id for p in problem.current})
    params = solve_params(parameters, app.config["SCHEDULE_SOLVER_WORKERS"], time.monotonic() - started)
    run_id = run.id
    total_runs = sum(w.runs for w in problem.workshops)
    with _Heartbeat(app, run_id, started, total_runs=total_runs) as heartbeat:
        solution = solve(problem, params, on_progress=heartbeat.report, should_stop=heartbeat.cancel.is_set)
    broken = violations(problem, solution.assignments)
    if broken:
        raise RuntimeError(f"the solver proposed a schedule that breaks {len(broken)} rule(s): {broken[0].message}")
    final = {"cancelled": "cancelled", "infeasible": "infeasible", "invalid": "infeasible"}.get(
        solution.status, "succeeded")
    stopped_with_best = final == "cancelled" and solution.assignments and _keeps_best_on_stop(run_id)
    if stopped_with_best:
        final = "succeeded"  # the admin stopped it to review what it found so far
    # only a run still running is finished here: one marked failed meanwhile (its heartbeat judged
    # too old) stays failed rather than showing a proposal beside the failure
    if not transition_run(run_id, ("running",), final, finished_at=utcnow(), best_so_far=None):
        db.session.rollback()
        run = db.session.get(ScheduleRun, run_id)
        current_app.logger.warning("run %s ended as %s while solving; its result is dropped", run_id, run.status)
        return run.status
    run = db.session.get(ScheduleRun, run_id)
    for placement in solution.assignments:
        run.assignments.append(ScheduleRunAssignment(
            workshop_id=placement.workshop_id, run_index=placement.run_index,
            event_slot_ids=list(placement.slot_ids)))
    for item in solution.unplaced:
        run.unplaced.append(ScheduleRunUnplaced(
            workshop_id=item.workshop_id, run_index=item.run_index, reasons=list(item.reasons)))
    run.objective = solution.objective
    run.bound = solution.bound
    run.stats = dict(solution.stats, solver_status=solution.status, stopped_early=bool(stopped_with_best),
                     snapshot_workshop_ids=sorted(w.id for w in problem.workshops),
                     # the clashes of the schedule the run started from, for the review's "before"
                     current_attendee_conflicts=attendee_conflicts(problem, problem.current),
                     current_placed_runs=len(problem.current))
    run.progress = dict(run.progress or {}, phase="done", placed_runs=len(solution.assignments),
                        total_runs=total_runs,
                        objective=solution.objective, bound=solution.bound,
                        elapsed_seconds=round(time.monotonic() - started, 2))
    if run.status == "infeasible" and solution.stats.get("pin_violations"):
        run.error_message = "; ".join(solution.stats["pin_violations"])[:2000]
    db.session.commit()
    return run.status
