"""Workshops: who may see and change them, their catalogue links, and what happens when one goes away.

Deleting a workshop is a soft delete: its status becomes `cancelled`, its slots are freed and
its selections cancelled (selections cascade away with a workshop row, so a hard delete could
not keep them as `cancelled`). Changing `duration_slots` unplaces every placed run (the slots
it holds no longer have the right length); lowering `runs` unplaces the runs whose index no
longer exists. Either way the attendees registered for an unplaced run are told by mail.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, Forbidden, ValidationFailed
from ..extensions import db
from ..models import Capability, Convention, Equipment, EventSlot, Location, Selection, User, Workshop, WorkshopEquipment
from ..models.workshops import run_seats, workshop_teaches, workshop_prerequisites
from .access import find_visible, load, require_access
from .accounts import normalise_email
from .mail import send_mail
from .permissions import require_signed_in
from .tracks import checked_track_id

UNSET = object()


# -- reading ------------------------------------------------------------------------------


@dataclass
class PlacedRun:
    run_index: int
    slots: list[EventSlot]
    seats: int
    registered: int = 0  # filled by views_of

    @property
    def location_id(self) -> int:
        return self.slots[0].location_id

    @property
    def start(self):
        return self.slots[0].start

    @property
    def end(self):
        return self.slots[-1].end


@dataclass
class WorkshopView:
    """A workshop with its placed runs and selection counts, loaded in bulk."""

    workshop: Workshop
    runs: list[PlacedRun] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def registered_per_run(self) -> dict[int, int]:
        """Registrations by the run's first slot id."""
        return {run.slots[0].id: run.registered for run in self.runs}


def placed_runs(workshop_ids: list[int]) -> dict[int, list[PlacedRun]]:
    """Placed runs of many workshops in one query, runs in index order, slots in time order."""
    if not workshop_ids:
        return {}
    grouped: dict[tuple[int, int], list[EventSlot]] = defaultdict(list)
    seats: dict[tuple[int, int], int] = {}
    for slot, capacity, max_attendees in db.session.execute(
        select(EventSlot, Location.capacity, Workshop.max_attendees)
        .join(Location, Location.id == EventSlot.location_id).join(Workshop, Workshop.id == EventSlot.workshop_id)
        .where(EventSlot.workshop_id.in_(workshop_ids)).order_by(EventSlot.start)
    ):
        key = (slot.workshop_id, slot.run_index)
        grouped[key].append(slot)
        seats.setdefault(key, run_seats(max_attendees, capacity))  # the run's room is its first slot's
    result: dict[int, list[PlacedRun]] = defaultdict(list)
    for (workshop_id, run_index), slots in sorted(grouped.items()):
        result[workshop_id].append(PlacedRun(run_index, slots, seats[(workshop_id, run_index)]))
    return result


def selection_counts(workshop_ids: list[int]) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """Seats per workshop and status, and seats registered per run (keyed by the run's first slot); a party
    counts its seats."""
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"interested": 0, "registered": 0, "waitlisted": 0}
    )
    registered_per_run: dict[int, int] = {}
    if workshop_ids:
        for workshop_id, status, slot_id, number in db.session.execute(
            select(Selection.workshop_id, Selection.status, Selection.event_slot_id, func.sum(Selection.party_size))
            .where(Selection.workshop_id.in_(workshop_ids), Selection.status != "cancelled")
            .group_by(Selection.workshop_id, Selection.status, Selection.event_slot_id)
        ):
            counts[workshop_id][status] += number
            if status == "registered" and slot_id is not None:
                registered_per_run[slot_id] = number
    return counts, registered_per_run


def views_of(workshops: list[Workshop]) -> list[WorkshopView]:
    ids = [w.id for w in workshops]
    runs = placed_runs(ids)
    counts, registered_per_run = selection_counts(ids)
    for workshop_runs in runs.values():
        for run in workshop_runs:
            run.registered = registered_per_run.get(run.slots[0].id, 0)
    return [WorkshopView(w, runs.get(w.id, []), dict(counts[w.id])) for w in workshops]


def _load_options():
    """Every collection a workshop shows or is judged by: one query per collection, not one per workshop."""
    return (
        selectinload(Workshop.host),
        selectinload(Workshop.cohosts),
        selectinload(Workshop.allowed_locations),
        selectinload(Workshop.prerequisites),
        selectinload(Workshop.teaches),
        selectinload(Workshop.equipment),
    )


def _listing_query(
    actor, *, convention_id: int | None = None, q: str | None = None,
    host_id: int | None = None, capability_id: int | None = None, equipment_id: int | None = None,
    available_slots_only: bool = False, status: str | None = None, track_id: int | None = None,
):
    """The workshops this actor may see that match every filter given, unordered."""
    query = select(Workshop).where(Workshop.visible_to(actor))
    if convention_id is not None:
        query = query.where(Workshop.convention_id == convention_id)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Workshop.title).like(pattern), func.lower(Workshop.description).like(pattern)))
    if host_id is not None:
        query = query.where(Workshop.hosted_by(host_id))
    if capability_id is not None:
        query = query.where(or_(
            exists().where(workshop_prerequisites.c.workshop_id == Workshop.id,
                           workshop_prerequisites.c.capability_id == capability_id),
            exists().where(workshop_teaches.c.workshop_id == Workshop.id,
                           workshop_teaches.c.capability_id == capability_id),
        ))
    if equipment_id is not None:
        query = query.where(exists().where(
            WorkshopEquipment.workshop_id == Workshop.id, WorkshopEquipment.equipment_id == equipment_id
        ))
    if available_slots_only:
        placed = (
            select(func.count(func.distinct(EventSlot.run_index)))
            .where(EventSlot.workshop_id == Workshop.id)
            .scalar_subquery()
        )
        query = query.where(placed < Workshop.runs, Workshop.status != "cancelled")
    if status is not None:
        query = query.where(Workshop.status == status)
    if track_id is not None:
        query = query.where(Workshop.track_id == track_id)
    return query


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def list_workshops(actor, *, limit: int, offset: int, **filters) -> tuple[list[WorkshopView], int]:
    """A page of matching workshops (in id order) with their runs and counts, and the number matching."""
    query = _listing_query(actor, **filters)
    rows = db.session.scalars(
        query.options(*_load_options()).order_by(Workshop.id).limit(limit).offset(offset)
    ).all()
    return views_of(list(rows)), _count(query)


def list_workshop_ids(actor, *, limit: int, offset: int, **filters) -> tuple[list[int], int]:
    """The same page as `list_workshops`, ids only."""
    query = _listing_query(actor, **filters)
    ids = db.session.scalars(
        query.with_only_columns(Workshop.id).order_by(Workshop.id).limit(limit).offset(offset)
    ).all()
    return list(ids), _count(query)


def load_for_display(workshop_ids: list[int]) -> list[WorkshopView]:
    """These workshops with everything a listing shows, in the order given."""
    rows = {w.id: w for w in db.session.scalars(
        select(Workshop).where(Workshop.id.in_(workshop_ids)).options(*_load_options())
    )}
    return views_of([rows[i] for i in workshop_ids if i in rows])


def load_workshop(actor, workshop_id: int) -> tuple[Workshop, Convention]:
    """The workshop when the actor may see it; 404 otherwise (a hidden one is not revealed)."""
    workshop = load(actor, Workshop, workshop_id)
    return workshop, workshop.convention


def get_workshop(actor, workshop_id: int) -> WorkshopView:
    workshop, _ = load_workshop(actor, workshop_id)
    return views_of([workshop])[0]


def require_editable(actor, workshop_id: int, *, delete: bool = False) -> tuple[Workshop, Convention]:
    """Load, check access, check state: owner/co-host/admin edit, owner/admin delete, closed is frozen."""
    user = require_signed_in(actor)
    workshop = load(user, Workshop, workshop_id)
    # Changes to one convention's workshops and schedule are made one after another (a row
    # lock on PostgreSQL), and judged on the state after the wait.
    convention = db.session.get(Convention, workshop.convention_id, with_for_update=True, populate_existing=True)
    db.session.refresh(workshop)
    require_access(user, workshop, "delete" if delete else "edit",
                   refusal="Only the workshop's host" + ("" if delete else " or a co-host") + " or an admin may do this.")
    if convention.status == "closed":
        raise Conflict("The convention is closed; its workshops can no longer change.", code="convention_closed")
    if workshop.status == "cancelled":
        raise Conflict("This workshop is cancelled.", code="workshop_cancelled")
    return workshop, convention


# -- checking references ------------------------------------------------------------------


def _unknown(ids, found) -> str:
    return "unknown: " + ", ".join(str(i) for i in sorted(set(ids) - set(found)))


def _duplicates(ids) -> list[int]:
    seen, twice = set(), set()
    for i in ids:
        (twice if i in seen else seen).add(i)
    return sorted(twice)


class _Refs:
    """Collects every bad reference of a body, so one 422 names them all."""

    def __init__(self):
        self.fields: dict[str, str] = {}

    def capabilities(self, name: str, ids: list[int]) -> list[Capability]:
        if _duplicates(ids):
            self.fields[name] = "repeated: " + ", ".join(map(str, _duplicates(ids)))
            return []
        rows = db.session.scalars(select(Capability).where(Capability.id.in_(ids))).all() if ids else []
        if len(rows) != len(set(ids)):
            self.fields[name] = _unknown(ids, [r.id for r in rows])
        return sorted(rows, key=lambda r: ids.index(r.id))

    def locations(self, convention_id: int, ids: list[int]) -> list[Location]:
        if _duplicates(ids):
            self.fields["location_ids"] = "repeated: " + ", ".join(map(str, _duplicates(ids)))
            return []
        rows = db.session.scalars(
            select(Location).where(Location.id.in_(ids), Location.convention_id == convention_id)
        ).all() if ids else []
        if len(rows) != len(set(ids)):
            self.fields["location_ids"] = _unknown(ids, [r.id for r in rows]) + " (in this convention)"
        return sorted(rows, key=lambda r: ids.index(r.id))

    def equipment(self, convention_id: int, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
        ids = [i for i, _ in items]
        if _duplicates(ids):
            self.fields["equipment"] = "repeated equipment_id: " + ", ".join(map(str, _duplicates(ids)))
            return []
        found = db.session.scalars(
            select(Equipment.id).where(Equipment.id.in_(ids), Equipment.convention_id == convention_id)
        ).all() if ids else []
        if len(found) != len(set(ids)):
            self.fields["equipment"] = _unknown(ids, found) + " (in this convention)"
        return items

    def cohosts(self, ids: list[int], host_id: int | None, field: str = "cohost_ids") -> list[User]:
        """Co-hosts by id: every one a host, none of them the owner. `field` says which input named them
        (`cohost_emails`: a form's addresses, and the refusals name the addresses)."""
        if _duplicates(ids):
            self.fields[field] = "repeated: " + ", ".join(map(str, _duplicates(ids)))
            return []
        rows = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
        if len(rows) != len(set(ids)):
            self.fields[field] = _unknown(ids, [r.id for r in rows])
            return []
        by_email = field == "cohost_emails"
        not_hosts = sorted(u.email if by_email else u.id for u in rows if not u.may_host)
        if not_hosts:
            self.fields[field] = (", ".join(map(str, not_hosts)) + (" is" if len(not_hosts) == 1 else " are")
                                  + " not a host yet: only hosts can co-host (they can apply to host first)"
                                  if by_email else "not hosts: " + ", ".join(map(str, not_hosts)))
        elif host_id is not None and host_id in ids:
            owner = next(u for u in rows if u.id == host_id)
            self.fields[field] = f"{owner.email} is the workshop's host already" if by_email \
                else f"{host_id} is the host already"
        return sorted(rows, key=lambda r: ids.index(r.id))

    def cohosts_by_email(self, emails: list[str], host_id: int | None) -> list[User]:
        """Co-hosts named by their email addresses (as a form names them); an address with no account,
        or given twice, is refused beside the `cohost_emails` input."""
        wanted = [normalise_email(e) for e in emails if e.strip()]
        twice = sorted({e for e in wanted if wanted.count(e) > 1})
        if twice:
            self.fields["cohost_emails"] = "given twice: " + ", ".join(twice)
            return []
        ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(wanted))).all()) \
            if wanted else {}
        unknown = [e for e in wanted if e not in ids]
        if unknown:
            self.fields["cohost_emails"] = ("no account uses " + ", ".join(unknown)
                                            + ": a co-host signs up first, then you add them")
            return []
        return self.cohosts([ids[e] for e in wanted], host_id, "cohost_emails")

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed("Some of the people, rooms, skills or equipment named cannot be used; "
                                   "each one's note says why.", fields=self.fields)


def _host_for(actor: User, host_id: int | None, refs: _Refs) -> int:
    if host_id is None or host_id == actor.id:
        if not actor.may_host:
            raise Forbidden("Only hosts create workshops; apply to host first.")
        return actor.id
    if not actor.is_admin:
        raise Forbidden("Only an admin may create or move a workshop for another host.")
    user = db.session.get(User, host_id)
    if user is None:
        refs.fields["host_id"] = f"unknown: {host_id}"
    elif not user.has_role("host"):
        refs.fields["host_id"] = f"user {host_id} is not a host"
    return host_id


def _set_equipment(workshop: Workshop, items: list[tuple[int, int]]) -> None:
    wanted = dict(items)
    for row in list(workshop.equipment):
        if row.equipment_id not in wanted:
            workshop.equipment.remove(row)
        else:
            row.quantity = wanted.pop(row.equipment_id)
    for equipment_id, quantity in items:
        if equipment_id in wanted:
            workshop.equipment.append(WorkshopEquipment(equipment_id=equipment_id, quantity=quantity))


# -- writing ------------------------------------------------------------------------------


def create_workshop(
    actor, *, convention_id: int, title: str, max_attendees: int, host_id: int | None = None,
    cohost_ids: list[int] = (), location_ids: list[int] = (), description: str = "", duration_slots: int = 1,
    runs: int = 1, priority: int = 1, prerequisite_ids: list[int] = (), teaches_ids: list[int] = (),
    equipment: list[tuple[int, int]] = (), status: str = "published", track_id: int | None = None,
    cohost_emails: list[str] | None = None,
) -> WorkshopView:
    """`cohost_emails` (a form's way of naming co-hosts), when given, stands in for `cohost_ids`."""
    user = require_signed_in(actor)
    if not user.may_host:
        raise Forbidden("Only hosts create workshops; apply to host first.")
    refs = _Refs()
    convention = find_visible(user, Convention, convention_id, "convention_id")
    if convention.status == "closed":
        raise Conflict("The convention is closed; no new workshops.", code="convention_closed")
    owner_id = _host_for(user, host_id, refs)
    if cohost_emails is not None:
        cohosts = refs.cohosts_by_email(list(cohost_emails), owner_id)
    else:
        cohosts = refs.cohosts(list(cohost_ids), owner_id)
    locations = refs.locations(convention_id, list(location_ids))
    prerequisites = refs.capabilities("prerequisite_ids", list(prerequisite_ids))
    teaches = refs.capabilities("teaches_ids", list(teaches_ids))
    items = refs.equipment(convention_id, list(equipment))
    refs.raise_if_any()
    workshop = Workshop(
        convention_id=convention_id, host_id=owner_id, title=title, description=description,
        max_attendees=max_attendees, duration_slots=duration_slots, runs=runs, priority=priority, status=status,
        track_id=checked_track_id(convention_id, track_id),
    )
    workshop.cohosts = cohosts
    workshop.allowed_locations = locations
    workshop.prerequisites = prerequisites
    workshop.teaches = teaches
    db.session.add(workshop)
    _set_equipment(workshop, items)
    db.session.flush()
    return views_of([workshop])[0]


def update_workshop(actor, workshop_id: int, **changes) -> WorkshopView:
    """Partial update; only the keys given change. See the module doc for duration/runs changes.
    `cohost_emails` (a form's way of naming co-hosts) stands in for `cohost_ids`."""
    workshop, convention = require_editable(actor, workshop_id)
    refs = _Refs()
    if "host_id" in changes and changes["host_id"] != workshop.host_id:
        if not actor.is_admin:
            raise Forbidden("Only an admin may hand a workshop to another host.")
        _host_for(actor, changes["host_id"], refs)
    new_host = changes.get("host_id", workshop.host_id)
    if "cohost_emails" in changes:
        cohosts = refs.cohosts_by_email(changes.pop("cohost_emails"), new_host)
        changes["cohost_ids"] = [u.id for u in cohosts]
    elif "cohost_ids" in changes:
        cohosts = refs.cohosts(changes["cohost_ids"], new_host)
    elif new_host in [u.id for u in workshop.cohosts]:
        refs.fields["host_id"] = f"{new_host} is a co-host; remove them from cohost_ids"
    if "location_ids" in changes:
        locations = refs.locations(convention.id, changes["location_ids"])
    if "prerequisite_ids" in changes:
        prerequisites = refs.capabilities("prerequisite_ids", changes["prerequisite_ids"])
    if "teaches_ids" in changes:
        teaches = refs.capabilities("teaches_ids", changes["teaches_ids"])
    if "equipment" in changes:
        items = refs.equipment(convention.id, changes["equipment"])
    refs.raise_if_any()

    from .placement import placement_violations, unplace_run  # placement imports this module

    before = placement_violations(workshop)
    seats_before = workshop.max_attendees
    if "track_id" in changes:
        changes["track_id"] = checked_track_id(convention.id, changes["track_id"])
    for name in ("title", "description", "max_attendees", "priority", "status", "host_id", "track_id"):
        if name in changes:
            setattr(workshop, name, changes[name])
    if "cohost_ids" in changes:
        workshop.cohosts = cohosts
    if "location_ids" in changes:
        workshop.allowed_locations = locations
    if "prerequisite_ids" in changes:
        workshop.prerequisites = prerequisites
    if "teaches_ids" in changes:
        workshop.teaches = teaches
    if "equipment" in changes:
        _set_equipment(workshop, items)

    if "duration_slots" in changes and changes["duration_slots"] != workshop.duration_slots:
        workshop.duration_slots = changes["duration_slots"]
        for run in placed_runs([workshop.id]).get(workshop.id, []):
            unplace_run(workshop, run.run_index, "its length changed")
    if "runs" in changes and changes["runs"] != workshop.runs:
        workshop.runs = changes["runs"]
        for run in placed_runs([workshop.id]).get(workshop.id, []):
            if run.run_index >= workshop.runs:
                unplace_run(workshop, run.run_index, "it has fewer runs now")
    db.session.flush()
    # The runs still placed must not break a rule they kept before (a bigger max_attendees,
    # a new co-host who is busy, equipment the pool lacks...): refuse, the caller unassigns first.
    broken = _new_violations(before, placement_violations(workshop))
    if broken:
        from .placement import PlacementConflict, violation_json

        raise PlacementConflict(
            "The placed runs would break rules after this change; unassign them first: "
            + "; ".join(v.message for v in broken),
            fields={"violations": [violation_json(v) for v in broken]},
        )
    if workshop.max_attendees > seats_before:
        from .attending import promote_waitlisted  # attending imports this module

        promote_waitlisted(workshop.id)  # new seats go to the people already waiting, in order
    return views_of([workshop])[0]


def _new_violations(before, after):
    """Violations in `after` not in `before`, matched on what they are about (messages hold titles)."""
    seen = defaultdict(int)
    for v in before:
        seen[(v.code, v.workshop_id, v.run_index, tuple(v.slot_ids))] += 1
    fresh = []
    for v in after:
        key = (v.code, v.workshop_id, v.run_index, tuple(v.slot_ids))
        if seen[key]:
            seen[key] -= 1
        else:
            fresh.append(v)
    return fresh


def set_prerequisites(actor, workshop_id: int, capability_ids: list[int]) -> WorkshopView:
    return update_workshop(actor, workshop_id, prerequisite_ids=capability_ids)


def set_equipment(actor, workshop_id: int, equipment: list[tuple[int, int]]) -> WorkshopView:
    return update_workshop(actor, workshop_id, equipment=equipment)


@dataclass(frozen=True)
class CancellationImpact:
    """What cancelling a workshop takes with it: said before it happens."""

    registered: int  # people who lose their seat and are mailed
    waitlisted: int  # people who lose their place in a queue and are mailed
    placed_runs: int  # runs taken off the schedule


def cancellation_impact(actor, workshop_id: int) -> tuple[Workshop, CancellationImpact]:
    """The workshop and what cancelling it would do, for the one who may cancel it (nothing changes)."""
    workshop, _ = require_editable(actor, workshop_id, delete=True)
    counts, _ = selection_counts([workshop.id])
    runs = placed_runs([workshop.id]).get(workshop.id, [])
    return workshop, CancellationImpact(counts[workshop.id]["registered"], counts[workshop.id]["waitlisted"], len(runs))


def delete_workshop(actor, workshop_id: int) -> None:
    """Cancel the workshop: free its slots, cancel its selections, tell the registered."""
    workshop, _ = require_editable(actor, workshop_id, delete=True)
    registered = db.session.scalars(
        select(User).join(Selection, Selection.user_id == User.id).where(
            Selection.workshop_id == workshop.id, Selection.status.in_(("registered", "waitlisted"))
        )
    ).all()
    for slot in db.session.scalars(
        select(EventSlot).where(EventSlot.workshop_id == workshop.id).with_for_update()
    ):
        slot.workshop_id = None
        slot.run_index = None
    for selection in db.session.scalars(select(Selection).where(Selection.workshop_id == workshop.id)):
        selection.status = "cancelled"
        selection.event_slot_id = None
        selection.queued_at = None
    workshop.status = "cancelled"
    for user in registered:
        send_mail(
            user.email,
            f"'{workshop.title}' is cancelled",
            f"The workshop '{workshop.title}' you signed up for has been cancelled; your place is released.",
        )
    db.session.flush()


def my_workshops(actor, limit: int, offset: int) -> tuple[list[WorkshopView], int]:
    user = require_signed_in(actor)
    if not user.may_host:
        raise Forbidden("This needs the host role.")
    query = select(Workshop).where(Workshop.hosted_by(user.id))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(*_load_options()).order_by(Workshop.convention_id, Workshop.id).limit(limit).offset(offset)
    ).all()
    return views_of(list(rows)), total
