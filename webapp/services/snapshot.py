"""A convention's data as the solver's plain Problem: the one translation from rows to solver input.

Used by manual placement checks (the validator) and by auto-schedule (the model), so both judge
a schedule on the same facts.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from solver.problem import Interest, Location as SolverLocation, Names, Placement, Problem, Slot, Workshop as SolverWorkshop

from ..extensions import db
from .workshops import workshop_load_options
from ..models import (
    Capability, Convention, Equipment, EventSlot, HostAvailability, Location, Selection, User, Workshop,
)

DEFAULT_INTEREST_RANK = 3  # interest shown without a rank counts as a mild wish


def epoch_minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def current_placements(slots) -> list[Placement]:
    """The placed runs, from the slots that hold a workshop (slots of one run in time order)."""
    runs: dict[tuple[int, int], list] = defaultdict(list)
    for slot in slots:
        if slot.workshop_id is not None:
            runs[(slot.workshop_id, slot.run_index)].append(slot)
    return [
        Placement(workshop_id, run_index, tuple(s.id for s in sorted(members, key=lambda s: s.start)))
        for (workshop_id, run_index), members in sorted(runs.items())
    ]


def build_problem(convention_id: int, *, pinned_workshop_ids: set[int] | None = None,
                  include_interests: bool = True) -> Problem:
    """Snapshot one convention. Placed runs are the `current` schedule; those of
    `pinned_workshop_ids` are also pinned where they are."""
    # plain rows: a snapshot only reads the slots, and a large convention has thousands
    slots = db.session.execute(
        select(EventSlot.id, EventSlot.location_id, EventSlot.start, EventSlot.end, EventSlot.workshop_id,
               EventSlot.run_index)
        .where(EventSlot.convention_id == convention_id).order_by(EventSlot.location_id, EventSlot.start)
    ).all()
    locations = db.session.scalars(select(Location).where(Location.convention_id == convention_id)).all()
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.convention_id == convention_id, Workshop.status != "cancelled")
        .options(*workshop_load_options())
    ).all()
    host_ids = {h for w in workshops for h in w.host_ids()}
    windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in db.session.scalars(
        select(HostAvailability).where(HostAvailability.convention_id == convention_id)
    ):
        if row.user_id in host_ids:
            windows[row.user_id].append((epoch_minutes(row.start), epoch_minutes(row.end)))
    pools = {
        e.id: e.quantity
        for e in db.session.scalars(select(Equipment).where(Equipment.convention_id == convention_id))
    }
    interests: list[Interest] = []
    workshop_ids = {w.id for w in workshops}
    if include_interests and workshop_ids:
        for user_id, workshop_id, rank in db.session.execute(
            select(Selection.user_id, Selection.workshop_id, Selection.rank).where(
                Selection.workshop_id.in_(workshop_ids), Selection.status != "cancelled"
            )
        ):
            interests.append(Interest(user_id, workshop_id, rank or DEFAULT_INTEREST_RANK))
    current = [p for p in current_placements(list(slots)) if p.workshop_id in workshop_ids]
    pinned = [p for p in current if pinned_workshop_ids and p.workshop_id in pinned_workshop_ids]
    capability_ids = {c.id for w in workshops for c in (*w.prerequisites, *w.teaches)}
    convention = db.session.get(Convention, convention_id)
    names = Names(
        timezone=convention.timezone if convention else "UTC",
        hosts=dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(host_ids))).all())
        if host_ids else {},
        locations={loc.id: loc.name for loc in locations},
        equipment=dict(db.session.execute(
            select(Equipment.id, Equipment.name).where(Equipment.convention_id == convention_id)
        ).all()),
        capabilities=dict(db.session.execute(
            select(Capability.id, Capability.name).where(Capability.id.in_(capability_ids))
        ).all()) if capability_ids else {},
    )
    return Problem(
        slots=tuple(Slot(s.id, s.location_id, epoch_minutes(s.start), epoch_minutes(s.end)) for s in slots),
        locations=tuple(
            SolverLocation(loc.id, loc.capacity, tuple((e.equipment_id, e.quantity) for e in loc.equipment))
            for loc in locations
        ),
        workshops=tuple(
            SolverWorkshop(
                id=w.id,
                host_ids=tuple(w.host_ids()),
                max_attendees=w.max_attendees,
                duration_slots=w.duration_slots,
                runs=w.runs,
                priority=w.priority,
                equipment=tuple((e.equipment_id, e.quantity) for e in w.equipment),
                prerequisite_ids=tuple(c.id for c in w.prerequisites),
                teaches_ids=tuple(c.id for c in w.teaches),
                allowed_location_ids=tuple(loc.id for loc in w.allowed_locations),
                title=w.title,
            )
            for w in workshops
        ),
        availability={host: tuple(sorted(ws)) for host, ws in windows.items()},
        equipment_pools=pools,
        interests=tuple(interests),
        pinned=tuple(pinned),
        current=tuple(current),
        names=names,
    )


