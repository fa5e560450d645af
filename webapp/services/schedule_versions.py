"""`Convention.schedule_version`: a counter that moves whenever the schedule or its workshops change.

What is cached per version: the grid (rooms, slots, the workshop in each slot with its title,
status and hosts' names, the convention's status and time zone; services/schedule_grid.py) and
the workshops as lists show them (everything but selection counts; services/workshop_listing.py). The bump
happens in a session event, in the same transaction as the change, so no service can forget it
and a cached grid is never newer or older than its version. Bulk UPDATE statements bypass the
session's bookkeeping; the one that writes placements calls `bump()` itself.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from ..models.types import utcnow
from ..models import Capability, Convention, Equipment, EventSlot, Location, Track, User, Workshop, WorkshopEquipment
from ..models.workshops import workshop_cohosts, workshop_prerequisites, workshop_teaches


def bump(session: Session, convention_ids) -> None:
    ids = sorted(set(convention_ids))
    if ids:
        # Core, not ORM: this also runs inside a flush. Sorted ids: locks are always taken in one order.
        table = Convention.__table__
        session.connection().execute(
            update(table).where(table.c.id.in_(ids))
            .values(schedule_version=table.c.schedule_version + 1, schedule_changed_at=utcnow())
        )


@dataclass(frozen=True)
class ConventionVersion:
    status: str
    version: int
    cache_key: tuple  # (id, creation time): SQLite may give a deleted convention's id to a new one


def version_of(session: Session, convention_id: int) -> ConventionVersion | None:
    """The convention's status and schedule version read from the database now; None when it does not exist."""
    row = session.execute(
        select(Convention.status, Convention.schedule_version, Convention.created_at).where(Convention.id == convention_id)
    ).first()
    if row is None:
        return None
    return ConventionVersion(row.status, row.schedule_version, (convention_id, row.created_at.timestamp()))


def _conventions_hosted_by(session: Session, user_ids: list[int]) -> set[int]:
    cohosted = select(workshop_cohosts.c.workshop_id).where(workshop_cohosts.c.user_id.in_(user_ids))
    with session.no_autoflush:
        return set(session.scalars(
            select(Workshop.convention_id).where(or_(Workshop.host_id.in_(user_ids), Workshop.id.in_(cohosted)))
            .distinct()
        ))


def _conventions_linking(session: Session, capability_ids: list[int]) -> set[int]:
    linked = select(workshop_prerequisites.c.workshop_id).where(
        workshop_prerequisites.c.capability_id.in_(capability_ids)
    ).union(select(workshop_teaches.c.workshop_id).where(workshop_teaches.c.capability_id.in_(capability_ids)))
    with session.no_autoflush:
        return set(session.scalars(select(Workshop.convention_id).where(Workshop.id.in_(linked)).distinct()))


def _changed_conventions(session: Session) -> set[int]:
    """Conventions whose cached reads this flush changes. Deleting a user, a capability or an item
    changes workshops through the database's ON DELETE CASCADE, which the session never sees."""
    changed: set[int] = set()
    hosts_changed: list[int] = []
    deleted_capabilities: list[int] = []
    # each of these walks the whole identity map: read once, not once per object (an accept dirties thousands)
    new, deleted, dirty = session.new, session.deleted, session.dirty
    for obj in list(new) + list(deleted) + list(dirty):
        if obj in dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, (EventSlot, Location, Track, Workshop)):
            changed.add(obj.convention_id)
            history = inspect(obj).attrs.convention_id.history
            changed.update(history.deleted or ())  # moved to another convention: both grids change
        elif isinstance(obj, WorkshopEquipment):
            with session.no_autoflush:
                workshop = obj.workshop or session.get(Workshop, obj.workshop_id)
            if workshop is not None:
                changed.add(workshop.convention_id)
        elif isinstance(obj, Convention):
            if obj not in new and obj not in deleted:
                changed.add(obj.id)
        elif isinstance(obj, Equipment) and obj in deleted:
            changed.add(obj.convention_id)
        elif isinstance(obj, Capability) and obj in deleted:
            deleted_capabilities.append(obj.id)
        elif isinstance(obj, User) and obj not in new and (
                obj in deleted or inspect(obj).attrs.display_name.history.has_changes()):
            hosts_changed.append(obj.id)
    if hosts_changed:
        changed |= _conventions_hosted_by(session, hosts_changed)
    if deleted_capabilities:
        changed |= _conventions_linking(session, deleted_capabilities)
    changed.discard(None)
    return changed


@event.listens_for(Session, "before_flush")
def _bump_changed_schedules(session: Session, flush_context, instances) -> None:
    changed = _changed_conventions(session)
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Convention)}
    bump(session, changed - deleted)
