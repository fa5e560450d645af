"""The host's whole-workshop form (propose and edit): its inputs read into the JSON API's own schemas.

Repeated inputs (rooms, prerequisites, skills taught: checkboxes) and one quantity input per piece of
equipment (`equipment-<id>`, blank or 0 = not needed) become the lists the API takes; co-hosts are
typed as email addresses (the services resolve them). Errors come back keyed by the input they belong
to. What the values mean and whether they are allowed is the services' and schemas' call.
"""
from __future__ import annotations

import re
from typing import Any

from ..forms import FormErrors, FormInvalid, parse_form

SCALARS = ["title", "description", "max_attendees", "duration_slots", "runs", "priority", "track_id"]
CHOICES = ["location_ids", "prerequisite_ids", "teaches_ids"]  # checkbox groups
EQUIPMENT_PREFIX = "equipment-"
FIELDS = ["convention_id", *SCALARS, *CHOICES, "cohost_emails", "equipment"]  # where a service's notes may go


def equipment_input(equipment_id: int) -> str:
    return f"{EQUIPMENT_PREFIX}{equipment_id}"


def emails_of(text: str) -> list[str]:
    """The addresses typed in the co-hosts input: separated by commas, semicolons, spaces or lines."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def _equipment_rows(form) -> list[tuple[str, str]]:
    """(input name, typed quantity) of every piece of equipment asked for, in the form's order."""
    rows = []
    for name, raw in form.items():
        if name.startswith(EQUIPMENT_PREFIX) and name[len(EQUIPMENT_PREFIX):].isdigit():
            value = (raw or "").strip()
            if value not in ("", "0"):
                rows.append((name, value))
    return rows


def _lists(form) -> dict[str, Any]:
    rows = _equipment_rows(form)
    return {
        **{name: [v for v in form.getlist(name) if v.strip()] for name in CHOICES},
        "equipment": [{"equipment_id": name[len(EQUIPMENT_PREFIX):], "quantity": value} for name, value in rows],
    }


def _input_of(key: str, rows: list[tuple[str, str]]) -> str:
    """The input an error of the parsed data belongs to ("equipment.1.quantity" -> "equipment-7")."""
    parts = key.split(".")
    if parts[0] == "equipment" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
        return rows[int(parts[1])][0]
    return parts[0]


def parse_workshop_form(schema, form, *, with_convention: bool, required=(), extra=None):
    """The form as `schema` (WorkshopCreateIn or WorkshopUpdateIn) and the co-hosts' addresses."""
    names = (["convention_id"] if with_convention else []) + SCALARS
    rows = _equipment_rows(form)
    try:
        data = parse_form(schema, form, names, required=required, extra={**_lists(form), **(extra or {})})
    except FormInvalid as refused:
        errors = FormErrors()
        for key, problem in refused.errors.items():
            errors.setdefault(_input_of(key, rows), problem)
        raise FormInvalid(errors, refused.message) from None
    return data, emails_of(form.get("cohost_emails", ""))


def values_of_form(form) -> dict[str, Any]:
    """What was typed, to show again beside the errors."""
    values: dict[str, Any] = {name: form.get(name, "") for name in ["convention_id", *SCALARS, "cohost_emails"]}
    for name in CHOICES:
        values[name] = set(form.getlist(name))
    values["equipment"] = {name[len(EQUIPMENT_PREFIX):]: value for name, value in _equipment_rows(form)}
    return values


def values_of_workshop(workshop) -> dict[str, Any]:
    """A saved workshop as the form's values."""
    values: dict[str, Any] = {name: getattr(workshop, name) for name in SCALARS}
    values["convention_id"] = workshop.convention_id
    values["location_ids"] = {str(loc.id) for loc in workshop.allowed_locations}
    values["prerequisite_ids"] = {str(c.id) for c in workshop.prerequisites}
    values["teaches_ids"] = {str(c.id) for c in workshop.teaches}
    values["equipment"] = {str(e.equipment_id): str(e.quantity) for e in workshop.equipment}
    values["cohost_emails"] = ", ".join(u.email for u in workshop.cohosts if u.id != workshop.host_id)
    return values
