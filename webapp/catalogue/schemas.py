"""Request and response schemas for capabilities and equipment, and their JSON rendering."""
from __future__ import annotations

from pydantic import Field

from ..conventions.schemas import Description, Id, Name
from ..models import Capability, Equipment
from ..schemas import PageQuery, PartialUpdate, Schema, SearchText


class CapabilityQuery(PageQuery):
    q: SearchText | None = None


class CapabilityIn(Schema):
    name: Name
    description: Description = ""


class CapabilityUpdateIn(PartialUpdate):
    name: Name | None = None
    description: Description | None = None


class CapabilityOut(Schema):
    id: int
    name: str
    description: str


class CapabilityList(Schema):
    items: list[CapabilityOut]
    total: int


def capability_json(row: Capability) -> dict:
    return {"id": row.id, "name": row.name, "description": row.description}


class EquipmentQuery(PageQuery):
    convention_id: Id | None = None
    q: SearchText | None = None


class EquipmentIn(Schema):
    convention_id: Id
    name: Name
    quantity: int = Field(0, ge=0, le=1_000_000, description="the pool that moves between rooms")


class EquipmentUpdateIn(PartialUpdate):
    name: Name | None = None
    quantity: int | None = Field(None, ge=0, le=1_000_000)


class EquipmentOut(Schema):
    id: int
    convention_id: int
    name: str
    quantity: int


class EquipmentList(Schema):
    items: list[EquipmentOut]
    total: int


def equipment_json(row: Equipment) -> dict:
    return {"id": row.id, "convention_id": row.convention_id, "name": row.name, "quantity": row.quantity}
