"""Submitted HTML forms turned into the JSON API's own pydantic schemas, so validation is written once.

A form sends only strings; these functions give each schema the shapes it expects (lists for
repeated inputs, nested dicts for time ranges and equipment) and validate it in lax mode, so
"30" becomes 30 and "2027-05-01" a date, exactly as the API's schema would judge the JSON.
Errors come back keyed by the form's input names, ready to be shown beside the inputs.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from ..catalogue.schemas import CapabilityIn, EquipmentIn
from ..forms import FORM_ERROR, FormErrors, field_message
from ..workshops.schemas import AssignSlotIn
from .schemas import BulkSlotsIn, ConventionIn, Id, LocationIn

MAX_TIME_RANGES = 4


class PlaceIn(AssignSlotIn):
    """The grid's place form: the API's assign-slot body plus the workshop its URL names."""

    workshop_id: Id


FRIENDLY_PATTERNS = {
    "registration_fee": "a sum such as 0, 12 or 12.50",
    "time_ranges": "times look like 09:00 (an end may be 24:00)",
}


def _message(item: dict) -> str:
    """The shared message, with regular expressions replaced by what a person should type."""
    if item["type"] == "string_pattern_mismatch" and item["loc"]:
        return FRIENDLY_PATTERNS.get(str(item["loc"][0]), "not in the expected format")
    if item["type"] == "too_short" and item["loc"] and str(item["loc"][0]) in ("days", "time_ranges", "location_ids"):
        return "Choose at least one."
    return field_message(item)


def validation_errors(error: ValidationError, names: list[str], rename=None) -> FormErrors:
    """Pydantic errors keyed by input name; a model-level error goes to the first input it names."""
    errors = FormErrors()
    for item in error.errors():
        loc = tuple(item["loc"])
        key = rename(loc) if rename else ".".join(str(p) for p in loc)
        if key == "time_ranges" and len(loc) >= 3:  # say which row of the ranges is wrong
            errors.setdefault(key, f"range {loc[1] + 1}, {loc[2]}: {_message(item)}")
            continue
        if not key:
            text = _message(item)
            named = [(text.index(n), n) for n in names if n in text]
            key = min(named)[1] if named else FORM_ERROR  # the input the message speaks of first
        errors.setdefault(key, _message(item))
    return errors


def _validate(schema: type[BaseModel], data: dict, names: list[str], rename=None):
    try:
        return schema.model_validate(data, strict=False), FormErrors()
    except ValidationError as exc:
        return None, validation_errors(exc, names, rename)


def _text(form: MultiDict, name: str) -> str | None:
    """The input's text, or None when it was left empty (the schema's default, or 'required')."""
    value = form.get(name, "")
    return value if value.strip() else None


def _present(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


# conventions ----------------------------------------------------------------------------------

CONVENTION_FIELDS = ["name", "description", "start_date", "end_date", "timezone", "registration_fee",
                     "payment_instructions", "status"]


def parse_convention(form: MultiDict) -> tuple[ConventionIn | None, FormErrors]:
    data = _present({name: _text(form, name) for name in CONVENTION_FIELDS})
    for free_text in ("description", "payment_instructions"):
        if free_text in data:
            data[free_text] = form.get(free_text, "")
    if "timezone" in data:
        data["timezone"] = data["timezone"].strip()
    return _validate(ConventionIn, data, CONVENTION_FIELDS)


# locations ------------------------------------------------------------------------------------

LOCATION_FIELDS = ["name", "capacity", "equipment"]


def parse_location(form: MultiDict, equipment_ids: list[int]) -> tuple[LocationIn | None, FormErrors]:
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
    return _validate(LocationIn, data, LOCATION_FIELDS, rename)


# equipment and capabilities -------------------------------------------------------------------

EQUIPMENT_FIELDS = ["name", "quantity"]
CAPABILITY_FIELDS = ["name", "description"]


def parse_equipment(form: MultiDict, convention_id: int) -> tuple[EquipmentIn | None, FormErrors]:
    data = _present({"name": _text(form, "name"), "quantity": _text(form, "quantity")})
    data["convention_id"] = convention_id
    return _validate(EquipmentIn, data, EQUIPMENT_FIELDS)


def parse_capability(form: MultiDict) -> tuple[CapabilityIn | None, FormErrors]:
    data = _present({"name": _text(form, "name")})
    data["description"] = form.get("description", "")
    return _validate(CapabilityIn, data, CAPABILITY_FIELDS)


# bulk slots -----------------------------------------------------------------------------------

BULK_FIELDS = ["days", "time_ranges", "slot_minutes", "gap_minutes", "location_ids"]


def parse_bulk_slots(form: MultiDict) -> tuple[BulkSlotsIn | None, FormErrors]:
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

    return _validate(BulkSlotsIn, data, BULK_FIELDS, rename)


def parse_place(form: MultiDict, slot_id: int) -> tuple[PlaceIn | None, FormErrors]:
    data = _present({"workshop_id": _text(form, "workshop_id")})
    data["event_slot_id"] = slot_id
    return _validate(PlaceIn, data, ["workshop_id"])
