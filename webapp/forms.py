"""Shared by every page that takes a form: errors keyed by input name, and a service's refusal shown
beside the inputs. Forms are parsed into the JSON API's own pydantic schemas (see each feature's
forms.py), so validation is written once."""
from __future__ import annotations

from typing import Iterable

from pydantic import ValidationError

from .errors import DomainError

FORM_ERROR = "_form"  # what belongs to no single input


class FormErrors(dict):
    """{input name: message}; FORM_ERROR holds the message for the whole form."""

    status = 422

    @property
    def general(self) -> str | None:
        return self.get(FORM_ERROR)


def field_message(item: dict) -> str:
    """Pydantic's message for one error, in words a person filling a form expects."""
    if item["type"] == "missing":
        return "Fill this in."
    if item["type"] in ("int_parsing", "int_from_float"):
        return "Enter a whole number."
    if item["type"] == "too_short" and isinstance(item.get("input"), list):
        return "Choose at least one."
    return item["msg"].removeprefix("Value error, ")


def validation_errors(error: ValidationError) -> FormErrors:
    errors = FormErrors()
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or FORM_ERROR
        errors.setdefault(key, field_message(item))
    return errors


def domain_errors(error: DomainError, names: Iterable[str] = ()) -> FormErrors:
    """A service's refusal: its message for the form, its field notes beside matching inputs."""
    errors = FormErrors({FORM_ERROR: error.message})
    errors.status = error.status
    names = set(names)
    for name, problem in (error.fields or {}).items():
        if name in names and isinstance(problem, str):
            errors[name] = problem
    return errors
