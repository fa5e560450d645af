"""How a convention gives workshop seats, as the attending rules need it (issue 16; the rest is in
allocation_runs.py): first come, first served, or allocation from ranked wishes before which direct
registration is refused and during which wishes are frozen."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import Conflict
from ..extensions import db
from ..models import Convention, ScheduleRun
from .locks import lock_convention

KIND = "allocation"
FROZEN_STATUSES = ("queued", "running", "succeeded")  # wishes cannot change while a run is one of these


def pending_run(convention_id: int) -> ScheduleRun | None:
    """The allocation run of this convention that is queued, running or waiting for the admin's decision."""
    return db.session.scalar(
        select(ScheduleRun).where(ScheduleRun.convention_id == convention_id, ScheduleRun.kind == KIND,
                                  ScheduleRun.status.in_(FROZEN_STATUSES)).order_by(ScheduleRun.id.desc()).limit(1))


def require_wishes_open(con: Convention) -> None:
    """Refuse a change of wishes while an allocation is running or waiting for review (409). The convention's
    row lock orders a change of wishes and the queueing of a run, so no change slips past a snapshot."""
    if con.seat_mode != "allocation":
        return  # a run is only queued in allocation mode, and the mode stays while one is pending
    lock_convention(con.id)
    run = pending_run(con.id)
    if run is not None:
        waiting = "is waiting for the organisers' decision" if run.status == "succeeded" else "is running"
        raise Conflict(f"The seat allocation {waiting}; wishes cannot change until it is accepted or rejected.",
                       code="allocation_running", fields={"run_id": run.id})


def require_first_come(con: Convention) -> None:
    """Direct registration for a run: refused while seats are given by allocation (before it is accepted)."""
    if con.seat_mode == "allocation":
        raise Conflict(f"Seats at '{con.name}' are given by an allocation from ranked wishes: add the workshop to "
                       "your wishes instead. Seats left afterwards open first come, first served.",
                       code="seats_by_allocation")


