"""One rule for every input: text may not contain a NUL character (U+0000).

PostgreSQL's text type cannot store it (a name with one was a 500 there) and SQLite stored it silently. Checked
before any route runs, on the query string, form fields and JSON body, so no form, schema or service needs to.
"""
from __future__ import annotations

from flask import Flask, request

from .errors import ValidationFailed

MESSAGE = "contains a NUL character (\\u0000), which no text can hold"


def _nul_at(value, path: str = "") -> str | None:
    """Where in a JSON document a key or string holds a NUL character, or None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if "\x00" in where:
            return where.replace("\x00", "")
        found = _nul_at(item, where)
        if found:
            return found
    return None


def reject_nul_characters() -> None:
    fields = {}
    for values in (request.args, request.form):  # form is empty for a JSON body
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                fields[name.replace("\x00", "")] = MESSAGE
    if request.is_json:
        found = _nul_at(request.get_json(silent=True))  # malformed JSON stays parse_body's to report
        if found:
            fields[found] = MESSAGE
    if fields:
        raise ValidationFailed("Text cannot contain NUL characters.", fields=fields)


def register_input_guard(app: Flask) -> None:
    app.before_request(reject_nul_characters)
