"""One rule for every input: text may not contain a NUL character (U+0000).

PostgreSQL's text type cannot store it (a name with one was a 500 there) and SQLite stored it silently. Checked
before any route runs, on the query string, form fields and JSON body, so no form, schema or service needs to.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

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


def _may_hold_nul(raw: bytes) -> bool:
    # how a NUL arrives: percent-encoded (query, form), escaped (JSON) or as the byte itself
    return b"\x00" in raw or b"%00" in raw or b"\\u0000" in raw


def reject_nul_characters() -> None:
    # the raw bytes first: a full walk of every value would cost each request about a millisecond
    fields = {}
    if _may_hold_nul(request.query_string):
        fields.update((name.replace("\x00", ""), MESSAGE) for name, value in request.args.items(multi=True)
                      if "\x00" in name or "\x00" in value)
    if request.mimetype == "multipart/form-data" or (request.content_length and _may_hold_nul(request.get_data(cache=True))):
        fields.update((name.replace("\x00", ""), MESSAGE) for name, value in request.form.items(multi=True)
                      if "\x00" in name or "\x00" in value)
        if request.is_json:
            found = _nul_at(request.get_json(silent=True))  # malformed JSON stays parse_body's to report
            if found:
                fields[found] = MESSAGE
    if fields:
        raise ValidationFailed("Text cannot contain NUL characters.", fields=fields)


def allow_large_body(view):
    """Mark a view that takes uploads larger than SLOTWISE_MAX_BODY_BYTES (a schedule file to import):
    SLOTWISE_MAX_IMPORT_BYTES applies to it instead. Decorate the view itself, under its route decorator."""
    view.allows_large_body = True
    return view


def apply_body_limit() -> None:
    # before anything reads the body, which is where werkzeug enforces the limit (413); only admins import,
    # so nobody else may make the server take in a large body first and refuse it afterwards
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "allows_large_body", False) and current_user.is_authenticated and current_user.is_admin:
        request.max_content_length = current_app.config["SLOTWISE_MAX_IMPORT_BYTES"]


def register_input_guard(app: Flask) -> None:
    app.before_request(reject_nul_characters)
