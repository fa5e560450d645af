"""Auto-schedule runs: request, watch, cancel, review as a diff, reject (accept: see proposals.py)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from solver.jsonio import problem_to_json
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import EventSlot, ScheduleRun, User, utcnow
from ..models.scheduling import ACTIVE_RUN_STATUSES
from .conventions import admin_convention
from .lookup import get_or_404
from .permissions import require_admin
from .snapshot import build_problem, current_placements
from .transactions import on_commit

FINISHED_STATUSES = ("succeeded", "infeasible", "failed", "cancelled")
MAX_SEED = 2_147_483_647  # CP-SAT's random seed is a 32-bit integer


def transition_run(run_id: int, from_statuses: tuple[str, ...], to_status: str, *conditions, **values) -> bool:
    """Compare-and-set a run's status: of two requests racing for one run, exactly one moves it.

    The UPDATE takes the row's lock (the database's write lock on SQLite) and re-reads the status
    under it, so the loser sees the winner's status and changes nothing."""
    changed = db.session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status.in_(from_statuses), *conditions)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        run = db.session.get(ScheduleRun, run_id)
        if run is not None:
            db.session.refresh(run)
    return bool(changed)


def not_in_status(run_id: int, wanted: str, code: str) -> Conflict:
    run = db.session.get(ScheduleRun, run_id, populate_existing=True)
    status = run.status if run is not None else "gone"
    return Conflict(f"Run {run_id} is {status}; only {wanted}.", code=code, fields={"status": status})


def expire_stale_runs(convention_id: int | None = None) -> int:
    """Mark failed the running runs whose worker stopped writing (died, killed, machine lost).

    Called by writers only (worker/stale_runs.py's periodic sweep, and before queueing a run so
    the one-active-run guard never waits for the sweep); reads report what is stored."""
    timeout = current_app.config["SCHEDULE_HEARTBEAT_TIMEOUT_SECONDS"]
    cutoff = utcnow() - timedelta(seconds=timeout)
    query = select(ScheduleRun.id).where(
        ScheduleRun.status == "running",
        func.coalesce(ScheduleRun.heartbeat_at, ScheduleRun.started_at, ScheduleRun.created_at) < cutoff,
    )
    if convention_id is not None:
        query = query.where(ScheduleRun.convention_id == convention_id)
    expired = 0
    for run_id in db.session.scalars(query).all():
        # the heartbeat is judged again under the lock: a run that wrote meanwhile lives on
        expired += transition_run(
            run_id, ("running",), "failed",
            func.coalesce(ScheduleRun.heartbeat_at, ScheduleRun.started_at, ScheduleRun.created_at) < cutoff,
            finished_at=utcnow(),
            error_message=f"The worker stopped reporting for over {timeout} s (it died or was stopped).",
        )
    return expired


def active_run(convention_id: int) -> ScheduleRun | None:
    return db.session.scalar(
        select(ScheduleRun).where(
            ScheduleRun.convention_id == convention_id, ScheduleRun.status.in_(ACTIVE_RUN_STATUSES)
        )
    )


def request_auto_schedule(
    actor: User | None, convention_id: int, *, time_limit_seconds: float, keep_current: bool,
    weights: dict[str, float] | None = None, reproducible: bool = False, seed: int = 0,
) -> ScheduleRun:
    """Queue a run; the solver starts once this transaction has committed."""
    admin = require_admin(actor)
    admin_convention(admin, convention_id)
    limit = current_app.config["SCHEDULE_MAX_TIME_LIMIT_SECONDS"]
    if not 1 <= time_limit_seconds <= limit:
        raise ValidationFailed(f"The time limit is 1 to {limit} seconds.",
                               fields={"time_limit_seconds": f"must be between 1 and {limit}"})
    if not 0 <= seed <= MAX_SEED:
        raise ValidationFailed(f"The seed is 0 to {MAX_SEED}.", fields={"seed": f"must be between 0 and {MAX_SEED}"})
    return queue_run(convention_id, admin.id, "schedule", {
        "time_limit_seconds": time_limit_seconds, "keep_current": keep_current,
        "weights": weights or {}, "reproducible": reproducible, "seed": seed})


def queue_run(convention_id: int, requested_by_id: int, kind: str, parameters: dict) -> ScheduleRun:
    """Queue a run of either kind (auto-schedule or seat allocation): one active run per convention."""
    expire_stale_runs(convention_id)
    busy = active_run(convention_id)
    if busy is not None:
        raise _busy(busy)
    run = ScheduleRun(convention_id=convention_id, requested_by_id=requested_by_id, status="queued", kind=kind,
                      parameters=parameters)
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request queued one between our check and insert: the unique index saw it.
        db.session.rollback()
        raise _busy(active_run(convention_id)) from None
    from worker.dispatch import enqueue

    run_id = run.id
    on_commit(lambda: enqueue(run_id))
    return run


def _busy(run: ScheduleRun | None) -> Conflict:
    run_id = run.id if run else None
    what = "Seat allocation" if run is not None and run.kind == "allocation" else "Auto-schedule"
    return Conflict(
        f"{what} run {run_id} is still {run.status if run else 'active'} for this convention; "
        "wait for it or cancel it.",
        code="schedule_run_active",
        fields={"run_id": run_id},
    )


def export_problem(actor: User | None, convention_id: int) -> dict:
    """The convention as the solver sees it now, in the versioned JSON that `slotwise solve` reads:
    with a reproducible run's seed and time limit as `--work-limit`, it repeats the run offline."""
    admin_convention(actor, convention_id)
    return problem_to_json(build_problem(convention_id))


def get_run(actor: User | None, run_id: int, kind: str = "schedule") -> ScheduleRun:
    require_admin(actor)
    run = get_or_404(ScheduleRun, run_id, "schedule run")
    if run.kind != kind:  # an allocation run is not an auto-schedule run, and the other way round
        raise NotFound(f"There is no {kind} run {run_id}.")
    return run


def list_runs(actor: User | None, convention_id: int, limit: int, offset: int,
              kind: str = "schedule") -> tuple[list[ScheduleRun], int]:
    admin_convention(actor, convention_id)
    query = select(ScheduleRun).where(ScheduleRun.convention_id == convention_id, ScheduleRun.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(ScheduleRun.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def cancel_run(actor: User | None, run_id: int, kind: str = "schedule", *, keep_best: bool = False) -> ScheduleRun:
    """Stop a run. A queued run is cancelled; a running one is asked to stop (the worker polls the
    flag), and with `keep_best` its best schedule so far becomes the proposal instead of being dropped."""
    run = get_run(actor, run_id, kind)
    if expire_stale_runs(run.convention_id):  # a dead run cannot be asked to stop: say it failed
        db.session.refresh(run)
    if transition_run(run.id, ("queued",), "cancelled", finished_at=utcnow()):
        return run
    values = {"cancel_requested": True}
    if keep_best:
        values["parameters"] = dict(run.parameters or {}, keep_best_on_stop=True)
    if not transition_run(run.id, ("running",), "running", **values):
        raise not_in_status(run.id, "queued or running runs can be cancelled", "run_not_active")
    return run


def reject_run(actor: User | None, run_id: int, kind: str = "schedule") -> ScheduleRun:
    admin = require_admin(actor)
    run = get_run(actor, run_id, kind)
    if not transition_run(run.id, ("succeeded",), "rejected", decided_by_id=admin.id, decided_at=utcnow()):
        raise not_in_status(run.id, "a succeeded proposal can be rejected", "run_not_reviewable")
    return run


def proposal_diff(run: ScheduleRun) -> dict[str, list[dict]]:
    """The proposal against the schedule as it is now: added, moved, removed, unchanged runs."""
    slots = db.session.scalars(select(EventSlot).where(EventSlot.convention_id == run.convention_id)).all()
    now = {(p.workshop_id, p.run_index): list(p.slot_ids) for p in current_placements(list(slots))}
    proposed = {(a.workshop_id, a.run_index): list(a.event_slot_ids) for a in run.assignments}
    diff: dict[str, list[dict]] = {"added": [], "moved": [], "removed": [], "unchanged": []}
    for key in sorted(set(now) | set(proposed)):
        entry = {"workshop_id": key[0], "run_index": key[1],
                 "from_event_slot_ids": now.get(key), "to_event_slot_ids": proposed.get(key)}
        if key not in now:
            diff["added"].append(entry)
        elif key not in proposed:
            diff["removed"].append(entry)
        elif now[key] != proposed[key]:
            diff["moved"].append(entry)
        else:
            diff["unchanged"].append(entry)
    return diff
