"""A convention's data as the solver's plain Problem: the one translation from rows to solver input.

Used by manual placement checks (the validator) and by auto-schedule (the model), so both judge
a schedule on the same facts.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select

from solver.problem import Interest, Location as SolverLocation, Names, Placement, Problem, Slot, Workshop as SolverWorkshop

from ..extensions import db
from ..models import (
    Capability, Convention, Equipment, EventSlot, HostAvailability, Location, LocationEquipment, Selection, User,
    Workshop, WorkshopEquipment,
)
from ..models.workshops import workshop_cohosts, workshop_locations, workshop_prerequisites, workshop_teaches

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


def _grouped(rows) -> dict[int, list]:
    """(key, value) rows as key -> values, in the rows' order."""
    grouped: dict[int, list] = defaultdict(list)
    for key, *value in rows:
        grouped[key].append(value[0] if len(value) == 1 else tuple(value))
    return grouped


def build_problem(convention_id: int, *, pinned_workshop_ids: set[int] | None = None,
                  include_interests: bool = True, also_host_ids: frozenset[int] = frozenset(),
                  with_workshops: bool = True) -> Problem:
    """Snapshot one convention. Placed runs are the `current` schedule; those of
    `pinned_workshop_ids` are also pinned where they are. The availability of `also_host_ids` is
    read too (hosts of a workshop not yet saved), as it is for every host of the workshops.
    `with_workshops=False` leaves the workshops (and so placements and interests) out: the rooms,
    slots, equipment and availability one workshop is judged against on its own.

    Plain rows, not ORM objects, one query per table: every manual placement takes a snapshot, and at
    FOSDEM's size (775 talks, 7,920 slots) building the objects and their collections was most of its time.
    Every query is ordered: the same data gives the same Problem, so a reproducible run repeats itself."""
    slots = db.session.execute(
        select(EventSlot.id, EventSlot.location_id, EventSlot.start, EventSlot.end, EventSlot.workshop_id,
               EventSlot.run_index)
        .where(EventSlot.convention_id == convention_id).order_by(EventSlot.location_id, EventSlot.start, EventSlot.id)
    ).all()
    locations = db.session.execute(
        select(Location.id, Location.name, Location.capacity).where(Location.convention_id == convention_id)
        .order_by(Location.id)
    ).all()
    fixed = _grouped(db.session.execute(
        select(LocationEquipment.location_id, LocationEquipment.equipment_id, LocationEquipment.quantity)
        .join(Location, Location.id == LocationEquipment.location_id).where(Location.convention_id == convention_id)
        .order_by(LocationEquipment.location_id, LocationEquipment.equipment_id)
    ))
    active = (Workshop.convention_id == convention_id, Workshop.status != "cancelled", sa.true() if with_workshops
              else sa.false())
    workshops = db.session.execute(
        select(Workshop.id, Workshop.host_id, Workshop.title, Workshop.max_attendees, Workshop.duration_slots,
               Workshop.runs, Workshop.priority, Workshop.track_id).where(*active).order_by(Workshop.id)
    ).all()
    ids_of_active = select(Workshop.id).where(*active)

    def links(table, column):
        return _grouped(db.session.execute(
            select(table.c.workshop_id, column).where(table.c.workshop_id.in_(ids_of_active))
            .order_by(table.c.workshop_id, column)
        ))

    cohosts = links(workshop_cohosts, workshop_cohosts.c.user_id)
    prerequisites = links(workshop_prerequisites, workshop_prerequisites.c.capability_id)
    teaches = links(workshop_teaches, workshop_teaches.c.capability_id)
    allowed = links(workshop_locations, workshop_locations.c.location_id)
    needs = _grouped(db.session.execute(
        select(WorkshopEquipment.workshop_id, WorkshopEquipment.equipment_id, WorkshopEquipment.quantity)
        .where(WorkshopEquipment.workshop_id.in_(ids_of_active))
        .order_by(WorkshopEquipment.workshop_id, WorkshopEquipment.equipment_id)
    ))
    hosts_of = {w.id: [w.host_id] + [u for u in cohosts.get(w.id, []) if u != w.host_id] for w in workshops}
    host_ids = {h for hosts in hosts_of.values() for h in hosts} | set(also_host_ids)
    windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for user_id, start, end in db.session.execute(
        select(HostAvailability.user_id, HostAvailability.start, HostAvailability.end)
        .where(HostAvailability.convention_id == convention_id)
        .order_by(HostAvailability.user_id, HostAvailability.start, HostAvailability.end)
    ):
        if user_id in host_ids:
            windows[user_id].append((epoch_minutes(start), epoch_minutes(end)))
    items = db.session.execute(
        select(Equipment.id, Equipment.name, Equipment.quantity).where(Equipment.convention_id == convention_id)
        .order_by(Equipment.id)
    ).all()
    interests: list[Interest] = []
    workshop_ids = {w.id for w in workshops}
    if include_interests and workshop_ids:
        for user_id, workshop_id, rank in db.session.execute(
            select(Selection.user_id, Selection.workshop_id, Selection.rank).where(
                Selection.workshop_id.in_(ids_of_active), Selection.status != "cancelled"
            ).order_by(Selection.user_id, Selection.workshop_id)
        ):
            interests.append(Interest(user_id, workshop_id, rank or DEFAULT_INTEREST_RANK))
    current = [p for p in current_placements(list(slots)) if p.workshop_id in workshop_ids]
    pinned = [p for p in current if pinned_workshop_ids and p.workshop_id in pinned_workshop_ids]
    capability_ids = {c for links_of in (prerequisites, teaches) for ids in links_of.values() for c in ids}
    zone = db.session.scalar(select(Convention.timezone).where(Convention.id == convention_id))
    names = Names(
        timezone=zone or "UTC",
        hosts=dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(host_ids))).all())
        if host_ids else {},
        locations={loc.id: loc.name for loc in locations},
        equipment={item.id: item.name for item in items},
        capabilities=dict(db.session.execute(
            select(Capability.id, Capability.name).where(Capability.id.in_(capability_ids))
        ).all()) if capability_ids else {},
    )
    return Problem(
        slots=tuple(Slot(s.id, s.location_id, epoch_minutes(s.start), epoch_minutes(s.end)) for s in slots),
        locations=tuple(
            SolverLocation(loc.id, loc.capacity, tuple(fixed.get(loc.id, ()))) for loc in locations
        ),
        workshops=tuple(
            SolverWorkshop(
                id=w.id,
                host_ids=tuple(hosts_of[w.id]),
                max_attendees=w.max_attendees,
                duration_slots=w.duration_slots,
                runs=w.runs,
                priority=w.priority,
                equipment=tuple(needs.get(w.id, ())),
                prerequisite_ids=tuple(prerequisites.get(w.id, ())),
                teaches_ids=tuple(teaches.get(w.id, ())),
                allowed_location_ids=tuple(allowed.get(w.id, ())),
                title=w.title,
                track=w.track_id,
            )
            for w in workshops
        ),
        availability={host: tuple(sorted(ws)) for host, ws in windows.items()},
        equipment_pools={item.id: item.quantity for item in items},
        interests=tuple(interests),
        pinned=tuple(pinned),
        current=tuple(current),
        names=names,
    )
