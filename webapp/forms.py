"""The one way a submitted form becomes a validated schema, and how its errors read.

Forms are parsed into the JSON API's own pydantic schemas, so validation is written once. A form
sends only strings: `parse_form` drops blank optional inputs (the schema's default then applies,
exactly as when a JSON body leaves the key out), reports blank required ones as "Fill this in.",
and validates in lax mode, so "12" becomes 12 as the API's schema judges 12. A feature whose form
has another shape (repeated inputs, rows of inputs) builds the dict itself and calls
`validate_form`. Either way a refusal is a `FormInvalid` whose errors are keyed by input name, in
the same words on every page; `pages.page_action` shows them beside the inputs.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from pydantic import BaseModel, ValidationError

from .errors import DomainError, ValidationFailed

FORM_ERROR = "_form"  # what belongs to no single input

# regular expressions replaced by what a person should type
FRIENDLY_PATTERNS = {
    "registration_fee": "a sum such as 0, 12 or 12.50",
    "time_ranges": "times look like 09:00 (an end may be 24:00)",
    "colour": "a colour such as #ff8800",
}
CHOICE_LISTS = ("days", "time_ranges", "location_ids")  # checkbox groups and rows: "choose at least one"
ROW_LABELS = {"time_ranges": "range"}  # errors inside a row say which row


class FormErrors(dict):
    """{input name: message}; FORM_ERROR holds the message for the whole form."""

    status = 422
    code = "validation_failed"
    details: dict = {}  # a service's refusal's own fields, as it gave them (lists of violations, ids)

    @property
    def general(self) -> str | None:
        return self.get(FORM_ERROR)

    @property
    def message(self) -> str:
        """All of it in one sentence, for a place that shows no inputs (an action button's block)."""
        if self.general:
            return self.general
        text = "; ".join(f"{name}: {problem}" for name, problem in self.items())
        return f"That did not work: {text}." if text else "That did not work."


class FormInvalid(ValidationFailed):
    """A submitted form its schema refused; `errors` are keyed by input name."""

    def __init__(self, errors: FormErrors, message: str = "Some fields need another look."):
        super().__init__(message, fields={k: v for k, v in errors.items() if k != FORM_ERROR})
        self.errors = errors


def field_message(item: dict) -> str:
    """Pydantic's message for one error, in words a person filling a form expects."""
    loc = item.get("loc") or ()
    if item["type"] == "missing":
        return "Fill this in."
    if item["type"] in ("int_parsing", "int_from_float"):
        return "Enter a whole number."
    if item["type"] == "string_pattern_mismatch" and loc:
        return FRIENDLY_PATTERNS.get(str(loc[0]), "not in the expected format")
    if item["type"] == "too_short" and (isinstance(item.get("input"), list) or (loc and loc[0] in CHOICE_LISTS)):
        return "Choose at least one."
    return item["msg"].removeprefix("Value error, ")


def _dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def validation_errors(error: ValidationError, names: Iterable[str] = (),
                      rename: Callable[[tuple], str] | None = None) -> FormErrors:
    """Pydantic errors keyed by input name (`rename` maps a location to one); an error of the whole
    model goes to the first of `names` its message speaks of."""
    names = list(names)
    errors = FormErrors()
    for item in error.errors():
        loc = tuple(item["loc"])
        key = (rename or _dotted)(loc)
        message = field_message(item)
        if key in ROW_LABELS and len(loc) >= 3 and isinstance(loc[1], int):
            message = f"{ROW_LABELS[key]} {loc[1] + 1}, {loc[2]}: {message}"
        if not key:
            named = [(message.index(n), n) for n in names if n in message]
            key = min(named)[1] if named else FORM_ERROR
        errors.setdefault(key, message)
    return errors


def validate_form(schema: type[BaseModel], data: dict[str, Any], names: Iterable[str] = (),
                  rename: Callable[[tuple], str] | None = None, *, message: str | None = None) -> BaseModel:
    """`data` (built from a form) validated by the API's `schema` in lax mode; FormInvalid when refused."""
    try:
        return schema.model_validate(data, strict=False)
    except ValidationError as error:
        errors = validation_errors(error, names, rename)
        raise (FormInvalid(errors, message) if message else FormInvalid(errors)) from None


def parse_form(schema: type[BaseModel], form, names: Iterable[str], *, required: Iterable[str] = (),
               extra: dict[str, Any] | None = None, message: str | None = None) -> BaseModel:
    """The inputs `names` of `form` (plus `extra`) validated by `schema`; FormInvalid when refused.
    `required` names inputs that may not be blank even where the schema would accept leaving them
    out (an edit form's fields)."""
    names = list(names)
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
        parsed = validate_form(schema, data, names, message=message)
    except FormInvalid as refused:
        for key, problem in refused.errors.items():
            errors.setdefault(key, problem)
        raise FormInvalid(errors, refused.message) from None
    if errors:
        raise FormInvalid(errors, message or "Some fields need another look.")
    return parsed


def domain_errors(error: DomainError, names: Iterable[str] = ()) -> FormErrors:
    """A service's refusal: its message for the form, its field notes beside matching inputs."""
    if isinstance(error, FormInvalid):
        return error.errors
    errors = FormErrors({FORM_ERROR: error.message})
    errors.status, errors.code, errors.details = error.status, error.code, error.fields or {}
    names = set(names)
    for name, problem in (error.fields or {}).items():
        if name in names and isinstance(problem, str):
            errors[name] = problem
    return errors
