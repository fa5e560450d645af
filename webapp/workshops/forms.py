"""Submitted forms parsed into the JSON API's own pydantic schemas, so validation is written once.

A form sends only strings. `parse_form` drops blank optional inputs (the schema's default then
applies, exactly as when a JSON body leaves the key out), reports blank required ones as "Fill
this in.", and validates the rest in lax mode, so "12" becomes 12 as the API's schema judges 12.
Errors come back keyed by input name, to be shown beside the inputs.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from ..forms import FormErrors, validation_errors

def parse_form(schema: type[BaseModel], form, names: Iterable[str], *, required: Iterable[str] = (),
               extra: dict[str, Any] | None = None) -> tuple[BaseModel | None, FormErrors]:
    """(validated schema, {}) or (None, errors). `required` names inputs that may not be blank
    even where the schema would accept leaving them out (an edit form's fields)."""
    data: dict[str, Any] = {}
    errors = FormErrors()
    for name in names:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
        elif name in required:
            errors[name] = "Fill this in."
    data.update(extra or {})
    try:
        parsed = schema.model_validate(data, strict=False)
    except ValidationError as error:
        for key, message in validation_errors(error).items():
            errors.setdefault(key, message)
        return None, errors
    if errors:
        return None, errors
    return parsed, errors


def local_datetime(value: str, zone: str) -> datetime | None:
    """An <input type="datetime-local"> value read in the convention's time zone; None when unreadable."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return None
    return naive.replace(tzinfo=ZoneInfo(zone))
