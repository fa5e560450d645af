"""Locations (rooms) of a convention, with the equipment fixed in them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Convention, Equipment, EventSlot, Location, LocationEquipment, Selection, User, Workshop
from .access import load
from .conventions import admin_convention
from .slots import unplace_runs
from .unique_names import UniqueName
from ..models.types import MAX_ID



def _with_equipment():
    return selectinload(Location.equipment).selectinload(LocationEquipment.item)


def _location_in(convention_id: int, location_id: int) -> Location:
    row = None
    if 0 < location_id <= MAX_ID:
        row = db.session.scalar(
            select(Location).where(Location.id == location_id, Location.convention_id == convention_id)
            .options(_with_equipment())
        )
    if row is None:
        raise NotFound(f"No location {location_id} in convention {convention_id}.", fields={"id": location_id})
    return row


def list_locations(actor: User | None, convention_id: int, limit: int, offset: int) -> tuple[list[Location], int]:
    load(actor, Convention, convention_id)
    total = db.session.scalar(
        select(func.count()).select_from(Location).where(Location.convention_id == convention_id)
    ) or 0
    rows = db.session.scalars(
        select(Location).where(Location.convention_id == convention_id).options(_with_equipment())
        .order_by(Location.name, Location.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def get_location(actor: User | None, convention_id: int, location_id: int) -> Location:
    load(actor, Convention, convention_id)
    return _location_in(convention_id, location_id)


LOCATION_NAME = UniqueName(Location, "location_name_taken", "This convention already has a room named")


def _checked_equipment(convention_id: int, items: list[dict]) -> dict[int, int]:
    """{equipment_id: quantity}; every id must be equipment of this convention, each named once."""
    wanted: dict[int, int] = {}
    repeated: set[int] = set()
    for item in items:
        if item["equipment_id"] in wanted:
            repeated.add(item["equipment_id"])
        wanted[item["equipment_id"]] = item["quantity"]
    if repeated:
        raise ValidationFailed("Name each piece of equipment once.",
                               fields={"equipment": f"repeated: {', '.join(map(str, sorted(repeated)))}"})
    if wanted:
        known = set(db.session.scalars(
            select(Equipment.id).where(Equipment.id.in_(wanted), Equipment.convention_id == convention_id)
        ))
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise ValidationFailed(
                "Some equipment is not equipment of this convention.",
                fields={"equipment": f"unknown: {', '.join(map(str, unknown))}"},
            )
    return wanted


def _set_equipment(row: Location, wanted: dict[int, int]) -> None:
    current = {e.equipment_id: e for e in row.equipment}
    for equipment_id, link in current.items():
        if equipment_id not in wanted:
            row.equipment.remove(link)
    for equipment_id, quantity in wanted.items():
        if equipment_id in current:
            current[equipment_id].quantity = quantity
        else:
            row.equipment.append(LocationEquipment(equipment_id=equipment_id, quantity=quantity))


def create_location(actor: User | None, convention_id: int, *, name: str, capacity: int,
                    equipment: list[dict]) -> Location:
    admin_convention(actor, convention_id)
    wanted = _checked_equipment(convention_id, equipment)
    LOCATION_NAME.require_free(name, convention_id)
    row = Location(convention_id=convention_id, name=name, capacity=capacity)
    db.session.add(row)
    _set_equipment(row, wanted)
    LOCATION_NAME.flush(row)
    return _reloaded(row)


def update_location(actor: User | None, convention_id: int, location_id: int, *, name: str | None = None,
                    capacity: int | None = None, equipment: list[dict] | None = None) -> Location:
    admin_convention(actor, convention_id)
    row = _location_in(convention_id, location_id)
    if equipment is not None:
        wanted = _checked_equipment(convention_id, equipment)
    LOCATION_NAME.rename(row, name)
    if capacity is not None:
        row.capacity = capacity
    if equipment is not None:
        _set_equipment(row, wanted)
    LOCATION_NAME.flush(row)
    return _reloaded(row)


def _reloaded(row: Location) -> Location:
    """The row with its equipment (and their names) loaded fresh, for rendering."""
    location_id, convention_id = row.id, row.convention_id
    db.session.expire(row)
    return _location_in(convention_id, location_id)


def _placed_in(row: Location) -> list:
    """(workshop_id, run_index, title) of every run placed in the room."""
    return db.session.execute(
        select(EventSlot.workshop_id, EventSlot.run_index, Workshop.title)
        .join(Workshop, Workshop.id == EventSlot.workshop_id)
        .where(EventSlot.location_id == row.id).distinct()
        .order_by(EventSlot.workshop_id, EventSlot.run_index)
    ).all()


@dataclass(frozen=True)
class DeletionImpact:
    """What deleting a room takes with it, for a page to say before it happens."""

    name: str
    slots: int
    placed_titles: list[str]
    registered: int  # people registered for runs in the room, who lose their seat


def location_deletion_impact(actor: User | None, convention_id: int, location_id: int) -> DeletionImpact:
    admin_convention(actor, convention_id)
    row = _location_in(convention_id, location_id)
    room_slots = select(EventSlot.id).where(EventSlot.location_id == row.id)
    slot_count = db.session.scalar(select(func.count()).select_from(room_slots.subquery())) or 0
    registered = db.session.scalar(select(func.count()).select_from(Selection).where(
        Selection.event_slot_id.in_(room_slots), Selection.status == "registered")) or 0
    titles = sorted({title for _, _, title in _placed_in(row)})
    return DeletionImpact(row.name, slot_count, titles, registered)


def delete_location(actor: User | None, convention_id: int, location_id: int, cascade: bool = False) -> None:
    """Refuses while workshops are placed in the room, unless `cascade`: then they are unplaced first."""
    admin_convention(actor, convention_id)
    row = _location_in(convention_id, location_id)
    placed = _placed_in(row)
    if placed and not cascade:
        titles = sorted({(w, t) for w, _, t in placed})
        raise Conflict(
            f"Workshops are placed in '{row.name}': " + ", ".join(f"'{t}'" for _, t in titles)
            + ". Deleting the room unplaces them.",
            code="location_in_use",
            fields={"workshop_ids": [w for w, _ in titles], "cascade": "true deletes the room and unplaces them"},
        )
    unplace_runs({(w, r) for w, r, _ in placed}, f"its room '{row.name}' was removed")
    db.session.execute(delete(EventSlot).where(EventSlot.location_id == row.id))
    db.session.delete(row)
    db.session.flush()
