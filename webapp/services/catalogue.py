"""The catalogue: capabilities (named skills) and each convention's equipment pools."""
from __future__ import annotations

from sqlalchemy import func, select

from ..errors import Conflict
from ..extensions import db
from ..models import Capability, Convention, Equipment, LocationEquipment, User, Workshop, WorkshopEquipment
from ..models.workshops import workshop_prerequisites, workshop_teaches
from .access import find_visible, load
from .lookup import get_or_404
from .permissions import require_admin
from .unique_names import UniqueName, update_named_row


# capabilities ---------------------------------------------------------------------------------


def list_capabilities(actor: User | None, limit: int, offset: int, q: str | None = None) -> tuple[list[Capability], int]:
    query = select(Capability)
    if q:
        query = query.where(func.lower(Capability.name).contains(q.lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Capability.name, Capability.id).limit(limit).offset(offset)).all()
    return list(rows), total


CAPABILITY_NAME = UniqueName(Capability, "capability_name_taken", "There is already a capability named", scope=None)


def create_capability(actor: User | None, *, name: str, description: str) -> Capability:
    require_admin(actor)
    return CAPABILITY_NAME.add(Capability(name=name, description=description))


def update_capability(actor: User | None, capability_id: int, *, name: str | None = None,
                      description: str | None = None) -> Capability:
    return update_named_row(actor, CAPABILITY_NAME, capability_id, "capability", name=name, description=description)


def delete_capability(actor: User | None, capability_id: int, cascade: bool = False) -> None:
    """Refuses while workshops require or teach it, unless `cascade` (they then simply lose it)."""
    require_admin(actor)
    row = get_or_404(Capability, capability_id, "capability")
    if not cascade:
        users = select(workshop_prerequisites.c.workshop_id).where(
            workshop_prerequisites.c.capability_id == row.id
        ).union(
            select(workshop_teaches.c.workshop_id).where(workshop_teaches.c.capability_id == row.id)
        ).subquery()
        titles = db.session.execute(
            select(Workshop.id, Workshop.title).where(Workshop.id.in_(select(users.c.workshop_id)))
            .order_by(Workshop.id).limit(20)
        ).all()
        if titles:
            raise Conflict(
                f"Workshops require or teach '{row.name}': "
                + ", ".join(f"'{t}'" for _, t in titles)
                + ". Deleting it removes it from them.",
                code="capability_in_use",
                fields={"workshop_ids": [i for i, _ in titles], "cascade": "true deletes it and removes it from them"},
            )
    db.session.delete(row)  # association rows and attendees' holdings go by the database's cascades
    db.session.flush()


# equipment ------------------------------------------------------------------------------------


def list_equipment(actor: User | None, limit: int, offset: int, convention_id: int | None = None,
                   q: str | None = None) -> tuple[list[Equipment], int]:
    query = select(Equipment)
    if convention_id is not None:
        load(actor, Convention, convention_id)
        query = query.where(Equipment.convention_id == convention_id)
    else:
        query = query.where(Equipment.convention_id.in_(select(Convention.id).where(Convention.visible_to(actor))))
    if q:
        query = query.where(func.lower(Equipment.name).contains(q.lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Equipment.convention_id, Equipment.name, Equipment.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


EQUIPMENT_NAME = UniqueName(Equipment, "equipment_name_taken", "This convention already has equipment named")


def create_equipment(actor: User | None, *, convention_id: int, name: str, quantity: int) -> Equipment:
    admin = require_admin(actor)
    find_visible(admin, Convention, convention_id, "convention_id")
    return EQUIPMENT_NAME.add(Equipment(convention_id=convention_id, name=name, quantity=quantity))


def update_equipment(actor: User | None, equipment_id: int, *, name: str | None = None,
                     quantity: int | None = None) -> Equipment:
    return update_named_row(actor, EQUIPMENT_NAME, equipment_id, "equipment", name=name, quantity=quantity)


def _equipment_usage(row: Equipment) -> tuple[int, int]:
    needed_by = db.session.scalar(
        select(func.count()).select_from(WorkshopEquipment).where(WorkshopEquipment.equipment_id == row.id)
    ) or 0
    fixed_in = db.session.scalar(
        select(func.count()).select_from(LocationEquipment).where(LocationEquipment.equipment_id == row.id)
    ) or 0
    return needed_by, fixed_in


def equipment_usage(actor: User | None, equipment_id: int) -> tuple[int, int]:
    """(workshops that need it, rooms it is fixed in): what deleting the item takes it from."""
    require_admin(actor)
    return _equipment_usage(get_or_404(Equipment, equipment_id, "equipment"))


def delete_equipment(actor: User | None, equipment_id: int, cascade: bool = False) -> None:
    """Refuses while workshops need it or rooms have it fixed, unless `cascade`."""
    require_admin(actor)
    row = get_or_404(Equipment, equipment_id, "equipment")
    if not cascade:
        needed_by, fixed_in = _equipment_usage(row)
        if needed_by or fixed_in:
            raise Conflict(
                f"'{row.name}' is needed by {needed_by} workshop(s) and fixed in {fixed_in} room(s). "
                "Deleting it takes it from them.",
                code="equipment_in_use",
                fields={"workshops": needed_by, "locations": fixed_in,
                        "cascade": "true deletes it and takes it from them"},
            )
    db.session.delete(row)
    db.session.flush()
