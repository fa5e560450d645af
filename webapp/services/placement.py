"""Placing workshop runs in slots by hand, judged by the solver's own validator.

Every rule lives once, in `solver.validate`: `check_placement` snapshots the convention
(`snapshot.build_problem`), adds the candidate runs to the current schedule and reports the
violations that the candidates bring (those the schedule did not have without them). Auto-
schedule's accept reuses `check_placement(..., replace_current=True)` and `apply_placements`.

Who may place: admins, and the workshop's owner or co-hosts for their own workshop (a host
knows best when they can run it, and the rules are checked all the same).

Concurrency: the convention is locked (`locks.lock_convention`: its row on PostgreSQL, the write
lock on SQLite) before anything the checks read, so placements in one convention are judged one
after another, hosts, co-hosts, equipment and runs included; the write is a compare-and-set
(`... WHERE workshop_id IS NULL`) as a last guard.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, subqueryload

from solver.problem import Placement
from solver.validate import Violation, violations

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Convention, EventSlot, Location, Selection, Track, User, Workshop
from ..models.workshops import workshop_cohosts
from . import schedule_versions
from .access import load
from .locks import lock_convention
from .mail import send_mail
from .snapshot import build_problem
from .tracks import tracks_by_convention
from .workshops import (
    PlacedRun, WorkshopView, load_workshop, placed_runs, require_editable, views_of,
)


class PlacementConflict(Conflict):
    code = "placement_conflict"


def violation_json(violation: Violation) -> dict:
    return {
        "code": violation.code,
        "message": violation.message,
        "workshop_id": violation.workshop_id,
        "run_index": violation.run_index,
        "slot_ids": list(violation.slot_ids),
    }


def _key(v: Violation) -> tuple:
    return (v.code, v.message, v.workshop_id, v.run_index, tuple(v.slot_ids))


def check_placement(convention_id: int, placements: list[Placement], *, replace_current: bool = False) -> list[Violation]:
    """Violations the candidate placements bring into the convention's schedule.

    The candidates replace any placed run with the same (workshop, run index). With
    `replace_current` the candidates are the whole schedule (an auto-schedule proposal) and
    every violation among them is reported.
    """
    problem = build_problem(convention_id, include_interests=False)  # interests weigh a schedule, never break it
    found: list[Violation] = []
    # Slots the snapshot does not know: name another convention's slot plainly.
    known = {s.id for s in problem.slots}
    foreign_ids = {s for p in placements for s in p.slot_ids if s not in known}
    foreign = {}
    if foreign_ids:
        foreign = dict(db.session.execute(
            select(EventSlot.id, EventSlot.convention_id).where(EventSlot.id.in_(foreign_ids))
        ).all())
    judged = []
    for placement in placements:
        elsewhere = sorted(s for s in placement.slot_ids if s in foreign)
        if elsewhere:
            found.append(Violation(
                "wrong_convention",
                f"slot(s) {elsewhere} belong to another convention",
                placement.workshop_id, placement.run_index, tuple(placement.slot_ids),
            ))
        else:
            judged.append(placement)
    replaced = {(p.workshop_id, p.run_index) for p in placements}
    baseline = [] if replace_current else [
        p for p in problem.current if (p.workshop_id, p.run_index) not in replaced
    ]
    before = Counter(_key(v) for v in violations(problem, baseline)) if baseline else Counter()
    said = set()
    for violation in violations(problem, baseline + judged):
        key = _key(violation)
        if before[key]:
            before[key] -= 1  # the schedule had it already; not the candidate's doing
        elif (violation.code, violation.message) not in said:
            # one shortage is reported once per run it touches; say it once
            said.add((violation.code, violation.message))
            found.append(violation)
    return found


def placement_violations(workshop: Workshop) -> list[Violation]:
    """What the workshop's placed runs break in its convention now (nothing when unplaced)."""
    runs = placed_runs([workshop.id]).get(workshop.id, [])
    if not runs:
        return []
    db.session.flush()
    return check_placement(
        workshop.convention_id,
        [Placement(workshop.id, run.run_index, tuple(s.id for s in run.slots)) for run in runs],
    )


def lock_slots(convention_id: int, slot_ids: list[int]) -> list[EventSlot]:
    """Lock the convention (placements in it are judged one after another) and the slots."""
    lock_convention(convention_id)
    if not slot_ids:
        return []
    return list(db.session.scalars(
        select(EventSlot).where(EventSlot.id.in_(slot_ids)).order_by(EventSlot.id)
        .with_for_update().execution_options(populate_existing=True)
    ))


def apply_placements(convention_id: int, placements: list[Placement]) -> None:
    """Write placements checked by `check_placement`; the slots must still be free."""
    schedule_versions.bump(db.session, [convention_id])  # a bulk UPDATE: no session event sees it
    for placement in placements:
        result = db.session.execute(
            update(EventSlot)
            .where(EventSlot.id.in_(placement.slot_ids), EventSlot.workshop_id.is_(None))
            .values(workshop_id=placement.workshop_id, run_index=placement.run_index)
            .execution_options(synchronize_session="fetch")
        )
        if result.rowcount != len(set(placement.slot_ids)):
            raise PlacementConflict(
                "A slot was taken while this placement was being checked; try again.",
                fields={"violations": [{"code": "slot_taken", "message": "taken meanwhile",
                                        "slot_ids": list(placement.slot_ids)}]},
            )
    db.session.flush()


def run_slots(first: EventSlot, count: int) -> list[EventSlot]:
    """`first` and the slots after it in its room, `count` in all (fewer at the room's last slot).
    Whether they are consecutive is for the validator to judge."""
    return list(db.session.scalars(
        select(EventSlot)
        .where(EventSlot.location_id == first.location_id, EventSlot.start >= first.start)
        .order_by(EventSlot.start, EventSlot.id)
        .limit(count)
    ))


def _lock_convention_of(workshop_id: int) -> None:
    lock_convention(db.session.scalar(select(Workshop.convention_id).where(Workshop.id == workshop_id)))


def assign_slot(actor, workshop_id: int, event_slot_id: int, run_index: int | None = None) -> PlacedRun:
    _lock_convention_of(workshop_id)  # before the workshop, its runs and its hosts are read
    workshop, convention = require_editable(actor, workshop_id)  # admin, owner or co-host
    first = db.session.get(EventSlot, event_slot_id)
    if first is None:
        raise ValidationFailed("Unknown slot.", fields={"event_slot_id": f"unknown: {event_slot_id}"})
    placed = {r.run_index for r in placed_runs([workshop.id]).get(workshop.id, [])}
    if run_index is None:
        free = [i for i in range(workshop.runs) if i not in placed]
        if not free:
            raise Conflict(f"All {workshop.runs} run(s) are placed already.", code="all_runs_placed")
        run_index = free[0]
    elif run_index >= workshop.runs:
        raise ValidationFailed(
            f"This workshop has {workshop.runs} run(s).", fields={"run_index": f"must be below {workshop.runs}"}
        )
    elif run_index in placed:
        raise Conflict(
            f"Run {run_index + 1} is placed already; unassign it first.", code="run_already_placed",
            fields={"run_index": run_index},
        )
    if first.convention_id != workshop.convention_id:
        candidate = Placement(workshop.id, run_index, (first.id,))
    else:
        lock_slots(convention.id, [first.id])
        slots = run_slots(first, workshop.duration_slots)
        lock_slots(convention.id, [s.id for s in slots])
        candidate = Placement(workshop.id, run_index, tuple(s.id for s in slots))
    found = check_placement(convention.id, [candidate])
    if found:
        raise PlacementConflict(
            f"This placement breaks {len(found)} rule(s): " + "; ".join(v.message for v in found),
            fields={"violations": [violation_json(v) for v in found]},
        )
    apply_placements(convention.id, [candidate])
    return next(r for r in placed_runs([workshop.id])[workshop.id] if r.run_index == run_index)


def unplace_run(workshop: Workshop, run_index: int, reason: str) -> list[int]:
    """Free a run's slots; its registered and waitlisted attendees go back to `interested`
    and the registered are told. Returns the freed slot ids."""
    slots = list(db.session.scalars(
        select(EventSlot).where(EventSlot.workshop_id == workshop.id, EventSlot.run_index == run_index)
        .with_for_update()
    ))
    slot_ids = [s.id for s in slots]
    for slot in slots:
        slot.workshop_id = None
        slot.run_index = None
    if not slot_ids:
        return []
    affected = db.session.execute(
        select(Selection, User).join(User, User.id == Selection.user_id).where(
            Selection.workshop_id == workshop.id, Selection.event_slot_id.in_(slot_ids),
            Selection.status.in_(("registered", "waitlisted")),
        )
    ).all()
    for selection, user in affected:
        was = selection.status
        selection.status = "interested"
        selection.event_slot_id = None
        selection.queued_at = None
        if was == "registered":
            send_mail(
                user.email,
                f"'{workshop.title}' moved",
                f"The run of '{workshop.title}' you registered for was taken off the schedule ({reason}). "
                "You are kept as interested; register again once a new time is set.",
            )
    db.session.flush()
    return slot_ids


def unassign_slot(actor, workshop_id: int, slot_id: int) -> tuple[list[int], WorkshopView]:
    """Take the run holding `slot_id` off the schedule; the freed slot ids and the workshop now."""
    _lock_convention_of(workshop_id)
    workshop, convention = require_editable(actor, workshop_id)  # admin, owner or co-host
    slot = db.session.get(EventSlot, slot_id, populate_existing=True)
    if slot is None or slot.workshop_id != workshop.id:
        raise NotFound(f"Workshop {workshop_id} is not placed in slot {slot_id}.", fields={"slot_id": slot_id})
    freed = unplace_run(workshop, slot.run_index, "it was unscheduled")
    return freed, views_of([workshop])[0]


def run_attendance(actor, workshop_id: int, slot_id: int) -> tuple[int, int]:
    """(registered, waiting) on the run holding `slot_id`: the people unplacing that run would affect,
    counted for whoever may unplace it, so a page can say so before it happens."""
    workshop, _ = require_editable(actor, workshop_id)
    slot = db.session.get(EventSlot, slot_id)
    if slot is None or slot.workshop_id != workshop.id:
        raise NotFound(f"Workshop {workshop_id} is not placed in slot {slot_id}.", fields={"slot_id": slot_id})
    run_slots = select(EventSlot.id).where(EventSlot.workshop_id == workshop.id, EventSlot.run_index == slot.run_index)
    counted = dict(db.session.execute(
        select(Selection.status, func.count()).where(
            Selection.workshop_id == workshop.id, Selection.event_slot_id.in_(run_slots),
            Selection.status.in_(("registered", "waitlisted")),
        ).group_by(Selection.status)
    ).all())
    return counted.get("registered", 0), counted.get("waitlisted", 0)


def workshop_runs(actor, workshop_id: int) -> list[PlacedRun]:
    workshop, _ = load_workshop(actor, workshop_id)
    return views_of([workshop])[0].runs


@dataclass
class Schedule:
    convention: Convention
    locations: list[Location]
    slots: list  # rows with id, location_id, start, end, workshop_id, run_index
    workshops: dict[int, Workshop]  # the placed ones the actor may see
    tracks: list[Track] = field(default_factory=list)  # the convention's, for the grid's colours and filter


_SLOT_COLUMNS = (EventSlot.id, EventSlot.location_id, EventSlot.start, EventSlot.end, EventSlot.workshop_id,
                 EventSlot.run_index)


def slot_starts(actor, convention_id: int) -> tuple[Convention, list[tuple[datetime, int]]]:
    """The convention and each distinct slot start with its number of slots: enough to list the grid's days
    and choose one before reading any workshop."""
    convention = load(actor, Convention, convention_id)
    starts = db.session.execute(
        select(EventSlot.start, func.count()).where(EventSlot.convention_id == convention_id)
        .group_by(EventSlot.start).order_by(EventSlot.start)
    ).all()
    return convention, [(start, count) for start, count in starts]


def convention_schedule(actor, convention_id: int, between: tuple[datetime, datetime] | None = None) -> Schedule:
    """Rooms, slots and the visible workshop in each: four queries whatever the size. With `between`,
    only the slots starting in that window and their workshops (one day of a large grid)."""
    convention = load(actor, Convention, convention_id)
    locations = list(db.session.scalars(
        select(Location).where(Location.convention_id == convention_id).order_by(Location.name, Location.id)
    ))
    in_window = [EventSlot.convention_id == convention_id]
    if between is not None:
        in_window += [EventSlot.start >= between[0], EventSlot.start < between[1]]
    # plain rows, not ORM objects: the grid only reads them, and a large convention has thousands
    slots = list(db.session.execute(
        select(*_SLOT_COLUMNS).where(*in_window).order_by(EventSlot.start, EventSlot.location_id)
    ))
    workshops = {}
    if any(s.workshop_id is not None for s in slots):
        placed = select(EventSlot.workshop_id).where(*in_window)
        # A subquery and joins, not lists of a thousand ids: the driver parses every placeholder of a query.
        for w in db.session.scalars(
            select(Workshop).where(Workshop.id.in_(placed)).options(
                joinedload(Workshop.host), subqueryload(Workshop.cohosts),
            )
        ).unique():
            if w.can_view(actor):
                workshops[w.id] = w
    return Schedule(convention, locations, slots, workshops, tracks_by_convention([convention_id])[convention_id])


def slot_schedule(actor, convention_id: int, slot_id: int) -> Schedule:
    """One block of the grid, as `convention_schedule` would show it, without reading the whole grid:
    the slot alone, or, when it holds a workshop run, every slot of that run and its workshop.
    NotFound when the slot is not in this convention."""
    convention = load(actor, Convention, convention_id)
    slot = db.session.execute(
        select(*_SLOT_COLUMNS).where(EventSlot.id == slot_id, EventSlot.convention_id == convention_id)
    ).first()
    if slot is None:
        raise NotFound(f"No event slot {slot_id} in convention {convention_id}.", fields={"id": slot_id})
    slots = [slot]
    workshops = {}
    if slot.workshop_id is not None:
        slots = list(db.session.execute(
            select(*_SLOT_COLUMNS)
            .where(EventSlot.location_id == slot.location_id, EventSlot.workshop_id == slot.workshop_id,
                   EventSlot.run_index == slot.run_index)
            .order_by(EventSlot.start)
        ))
        workshop = db.session.scalars(
            select(Workshop).where(Workshop.id == slot.workshop_id)
            .options(joinedload(Workshop.host), subqueryload(Workshop.cohosts))
        ).first()
        if workshop is not None and workshop.can_view(actor):
            workshops[workshop.id] = workshop
    location = db.session.get(Location, slot.location_id)
    return Schedule(convention, [location], slots, workshops)


def hosts_of_hidden_runs(convention_id: int) -> set[int]:
    """Hosts and co-hosts of placed workshops that are not published: the only non-admins who see
    more of the grid than everyone else does."""
    hidden = (
        select(EventSlot.workshop_id).join(Workshop, Workshop.id == EventSlot.workshop_id)
        .where(EventSlot.convention_id == convention_id, ~Workshop.visible_to(None))
    )
    owners = db.session.scalars(select(Workshop.host_id).where(Workshop.id.in_(hidden)))
    cohosts = db.session.scalars(
        select(workshop_cohosts.c.user_id).where(workshop_cohosts.c.workshop_id.in_(hidden))
    )
    return set(owners) | set(cohosts)
