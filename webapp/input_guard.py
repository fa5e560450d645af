"""Rules for every input, checked before any route (and so before authentication) runs.

- Text may not contain a NUL character (U+0000): PostgreSQL's text type cannot store it (a name with one was a
  500 there) and SQLite stored it silently. Checked on the query string, form fields and JSON body, so no form,
  schema or service needs to.
- A JSON body may nest at most MAX_JSON_DEPTH arrays and objects: Python's parser recurses once per level, so
  100,000 `[` were a RecursionError (a 500 and a logged traceback per request) in whatever parsed it first.
"""
from __future__ import annotations

import re

from flask import Flask, current_app, request
from flask_login import current_user

from .errors import Malformed, ValidationFailed

MESSAGE = "contains a NUL character (\\u0000), which no text can hold"
MAX_JSON_DEPTH = 32  # the deepest body the API reads nests 3 levels
# a string is one token, so brackets inside it do not count; an unterminated one is parse_body's to report
_JSON_NESTING_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[][{}]')


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


def json_nesting_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text opens more than `limit` arrays or objects inside each other, read without parsing it."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # nearly every body: no need to follow the nesting
        return False
    depth = 0
    for token in _JSON_NESTING_TOKEN.finditer(raw):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False


def reject_deep_json() -> None:
    if request.is_json and json_nesting_exceeds(request.get_data(cache=True)):
        raise Malformed(f"The JSON body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep.",
                        code="json_too_deep")


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
    app.before_request(reject_deep_json)  # first: the NUL check below parses the body
    app.before_request(reject_nul_characters)
