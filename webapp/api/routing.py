"""Declaring a JSON route once: its body schema validates input and documents the endpoint."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ValidationError

from ..errors import Malformed, ValidationFailed
from ..schemas import PartialUpdate
from ..extensions import db


@dataclass
class RouteDoc:
    rule: str
    methods: list[str]
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    tags: list[str] = field(default_factory=list)
    body_media: str = "application/json"  # the body's media type; "multipart/form-data" for a file upload


ROUTE_DOCS: list[RouteDoc] = []


def api_route(
    bp: Blueprint,
    rule: str,
    methods: list[str],
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = True,
    tag: str | None = None,
    body_media: str = "application/json",
):
    """Register a JSON route; a write request commits once, after the service succeeded."""

    def decorator(view: Callable[..., Any]):
        prefix = bp.url_prefix or ""
        ROUTE_DOCS.append(
            RouteDoc(prefix + rule, methods, summary, body, query, response, status, auth, [tag] if tag else [],
                     body_media)
        )

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            result = view(*args, **kwargs)
            if request.method != "GET":
                db.session.commit()
            if isinstance(result, tuple) or not isinstance(result, (dict, list)):
                return result
            return jsonify(result), status

        bp.add_url_rule(rule, view_func=wrapper, methods=methods)
        return wrapper

    return decorator


def _field_errors(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


def parse_body(schema: type[BaseModel]) -> BaseModel:
    """The request's JSON body validated by `schema`; 400 when it is not JSON, 422 when invalid."""
    raw = request.get_data(cache=True)
    if not request.is_json:
        raise Malformed("Send a JSON body with Content-Type: application/json.")
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"The body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Malformed("The body must be a JSON object.")
    try:
        # JSON mode: strict types, yet ISO strings still become dates and datetimes
        parsed = schema.model_validate_json(raw)
    except ValidationError as exc:
        raise ValidationFailed("Some fields are invalid.", fields=_field_errors(exc)) from None
    if isinstance(parsed, PartialUpdate):
        nulls = sorted(name for name in parsed.model_fields_set - parsed.nullable if getattr(parsed, name) is None)
        if nulls:
            raise ValidationFailed("Some fields are invalid.", fields={
                name: "may not be null; leave the field out to keep its value" for name in nulls})
    return parsed


def parse_optional_body(schema: type[BaseModel]) -> BaseModel:
    """As `parse_body`, but an empty body means every field's default (an action with optional details)."""
    if not request.get_data(cache=True).strip():
        return schema()
    return parse_body(schema)


def parse_query(schema: type[BaseModel]) -> BaseModel:
    try:
        return schema.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise ValidationFailed("Some query parameters are invalid.", fields=_field_errors(exc)) from None


def listing(items: list[dict], total: int) -> dict:
    return {"items": items, "total": total}
