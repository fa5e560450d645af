"""The catalogue: capabilities (named skills) and each convention's equipment pools."""
from __future__ import annotations

from sqlalchemy import func, select

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import Capability, Convention, Equipment, LocationEquipment, User, Workshop, WorkshopEquipment
from ..models.workshops import workshop_prerequisites, workshop_teaches
from ..models.types import MAX_ID
from .access import load
from .lookup import get_or_404, require_name_free
from .permissions import require_admin


# capabilities ---------------------------------------------------------------------------------


def list_capabilities(actor: User | None, limit: int, offset: int, q: str | None = None) -> tuple[list[Capability], int]:
    query = select(Capability)
    if q:
        query = query.where(func.lower(Capability.name).contains(q.lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Capability.name, Capability.id).limit(limit).offset(offset)).all()
    return list(rows), total


def _check_capability_name_free(name: str, exclude_id: int | None = None) -> None:
    query = select(Capability.id).where(func.lower(Capability.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Capability.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Conflict(f"A capability named '{name}' exists already.", code="capability_name_taken",
                       fields={"name": "taken"})


def create_capability(actor: User | None, *, name: str, description: str) -> Capability:
    require_admin(actor)
    _check_capability_name_free(name)
    row = Capability(name=name, description=description)
    db.session.add(row)
    db.session.flush()
    return row


def update_capability(actor: User | None, capability_id: int, *, name: str | None = None,
                      description: str | None = None) -> Capability:
    require_admin(actor)
    row = get_or_404(Capability, capability_id, "capability")
    if name is not None and name != row.name:
        _check_capability_name_free(name, exclude_id=row.id)
        row.name = name
    if description is not None:
        row.description = description
    db.session.flush()
    return row


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


def _check_equipment_name_free(convention_id: int, name: str, exclude_id: int | None = None) -> None:
    require_name_free(Equipment, convention_id, name, code="equipment_name_taken", what="equipment",
                      exclude_id=exclude_id)


def create_equipment(actor: User | None, *, convention_id: int, name: str, quantity: int) -> Equipment:
    require_admin(actor)
    if not 0 < convention_id <= MAX_ID or db.session.get(Convention, convention_id) is None:
        raise ValidationFailed("No such convention.", fields={"convention_id": f"unknown: {convention_id}"})
    _check_equipment_name_free(convention_id, name)
    row = Equipment(convention_id=convention_id, name=name, quantity=quantity)
    db.session.add(row)
    db.session.flush()
    return row


def update_equipment(actor: User | None, equipment_id: int, *, name: str | None = None,
                     quantity: int | None = None) -> Equipment:
    require_admin(actor)
    row = get_or_404(Equipment, equipment_id, "equipment")
    if name is not None and name != row.name:
        _check_equipment_name_free(row.convention_id, name, exclude_id=row.id)
        row.name = name
    if quantity is not None:
        row.quantity = quantity
    db.session.flush()
    return row


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
