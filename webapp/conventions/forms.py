"""The organisers' forms whose shape is not one input per field: these give the API's schema the
shapes it expects (lists for repeated inputs, nested dicts for time ranges and equipment) and
validate through `forms.validate_form`, which raises FormInvalid keyed by the form's input names.
"""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from ..catalogue.schemas import CapabilityIn, EquipmentIn
from ..forms import validate_form
from ..workshops.schemas import AssignSlotIn
from .schemas import BulkSlotsIn, ConventionIn, Id, LocationIn

MAX_TIME_RANGES = 4


class PlaceIn(AssignSlotIn):
    """The grid's place form: the API's assign-slot body plus the workshop its URL names."""

    workshop_id: Id


def _text(form: MultiDict, name: str) -> str | None:
    """The input's text, or None when it was left empty (the schema's default, or 'required')."""
    value = form.get(name, "")
    return value if value.strip() else None


def _present(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


# conventions ----------------------------------------------------------------------------------

CONVENTION_FIELDS = ["name", "description", "start_date", "end_date", "timezone", "registration_fee",
                     "payment_instructions", "status"]


def parse_convention(form: MultiDict) -> ConventionIn:
    data = _present({name: _text(form, name) for name in CONVENTION_FIELDS})
    for free_text in ("description", "payment_instructions"):
        if free_text in data:
            data[free_text] = form.get(free_text, "")
    if "timezone" in data:
        data["timezone"] = data["timezone"].strip()
    return validate_form(ConventionIn, data, CONVENTION_FIELDS)


# locations ------------------------------------------------------------------------------------

LOCATION_FIELDS = ["name", "capacity", "equipment"]


def parse_location(form: MultiDict, equipment_ids: list[int]) -> LocationIn:
    """Fixed equipment arrives as one quantity input per item of the pool, `equipment-<id>`;
    empty or 0 means the room does not have it."""
    items, order = [], []
    for equipment_id in equipment_ids:
        raw = (form.get(f"equipment-{equipment_id}") or "").strip()
        if raw in ("", "0"):
            continue
        items.append({"equipment_id": equipment_id, "quantity": raw})
        order.append(equipment_id)

    def rename(loc: tuple) -> str:
        if len(loc) >= 2 and loc[0] == "equipment" and isinstance(loc[1], int) and loc[1] < len(order):
            return f"equipment-{order[loc[1]]}"
        return ".".join(str(p) for p in loc)

    data = _present({"name": _text(form, "name"), "capacity": _text(form, "capacity")})
    data["equipment"] = items
    return validate_form(LocationIn, data, LOCATION_FIELDS, rename)


# equipment and capabilities -------------------------------------------------------------------

EQUIPMENT_FIELDS = ["name", "quantity"]
CAPABILITY_FIELDS = ["name", "description"]


def parse_equipment(form: MultiDict, convention_id: int) -> EquipmentIn:
    data = _present({"name": _text(form, "name"), "quantity": _text(form, "quantity")})
    data["convention_id"] = convention_id
    return validate_form(EquipmentIn, data, EQUIPMENT_FIELDS)


def parse_capability(form: MultiDict) -> CapabilityIn:
    data = _present({"name": _text(form, "name")})
    data["description"] = form.get("description", "")
    return validate_form(CapabilityIn, data, CAPABILITY_FIELDS)


# bulk slots -----------------------------------------------------------------------------------

BULK_FIELDS = ["days", "time_ranges", "slot_minutes", "gap_minutes", "location_ids"]


def parse_bulk_slots(form: MultiDict) -> BulkSlotsIn:
    """Days and rooms are checkboxes; time ranges are rows of start/end inputs (empty rows ignored)."""
    starts, ends = form.getlist("range_start"), form.getlist("range_end")
    ranges: list[dict[str, Any]] = []
    for start, end in zip(starts[:MAX_TIME_RANGES], ends[:MAX_TIME_RANGES]):
        if start.strip() or end.strip():
            ranges.append({"start": start.strip(), "end": end.strip()})
    data = _present({"slot_minutes": _text(form, "slot_minutes"), "gap_minutes": _text(form, "gap_minutes")})
    data["days"] = form.getlist("days")
    data["time_ranges"] = ranges
    data["location_ids"] = form.getlist("location_ids")

    def rename(loc: tuple) -> str:
        # every problem with a time range is shown under the ranges, every day/room problem under its list
        return str(loc[0]) if loc else ""

    return validate_form(BulkSlotsIn, data, BULK_FIELDS, rename)


def parse_place(form: MultiDict, slot_id: int) -> PlaceIn:
    data = _present({"workshop_id": _text(form, "workshop_id")})
    data["event_slot_id"] = slot_id
    return validate_form(PlaceIn, data, ["workshop_id"])
