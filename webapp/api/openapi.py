"""/api/openapi.json, generated from the same pydantic schemas that validate requests."""
from __future__ import annotations

import re

from flask import jsonify

from . import bp
from .routing import ROUTE_DOCS

JSON = "application/json"
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]+)>")
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message"],
        }
    },
}


def _without_null(prop: dict) -> dict:
    """A query parameter is left out rather than sent as null: `X | None` documents as plain X."""
    kinds = [kind for kind in prop.get("anyOf", ()) if kind != {"type": "null"}]
    if len(kinds) != 1 or len(kinds) == len(prop["anyOf"]):
        return prop
    plain = {key: value for key, value in prop.items() if key != "anyOf" and not (key == "default" and value is None)}
    return {**kinds[0], **plain}


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(r"{\1}", rule)


class SchemaNameClash(RuntimeError):
    """Two different schemas under one name: one of them would document the other's endpoints."""


def build_spec() -> dict:
    components: dict[str, dict] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict] = {}

    def add_component(name: str, schema: dict) -> None:
        if components.setdefault(name, schema) != schema:
            raise SchemaNameClash(f"two different schemas are named {name}; rename one of them")

    def ref(model) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            add_component(name, sub)
        add_component(model.__name__, schema)
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def form_schema(model) -> dict:
        """A form's (multipart) fields: a field left out takes its default, as a query parameter; none is null."""
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            add_component(name, sub)
        schema["properties"] = {name: _without_null(prop) for name, prop in schema.get("properties", {}).items()}
        return schema

    def query_parameters(model) -> list[dict]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            add_component(name, sub)
        required = set(schema.get("required", ()))
        return [{"name": name, "in": "query", "required": name in required, "schema": _without_null(prop)}
                for name, prop in schema.get("properties", {}).items()]

    for doc in ROUTE_DOCS:
        path = openapi_path(doc.rule)
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
            for name in _CONVERTER.findall(doc.rule)
        ]
        for method in doc.methods:
            operation: dict = {
                "summary": doc.summary,
                "tags": doc.tags,
                "parameters": list(params),
                "responses": {
                    str(doc.status): {
                        "description": "success",
                        **({"content": {"application/json": {"schema": ref(doc.response)}}} if doc.response else {}),
                    },
                    "default": {
                        "description": "error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
            if doc.query:
                operation["parameters"] += query_parameters(doc.query)
            if doc.body:
                operation["requestBody"] = {
                    "required": True,
                    "content": {doc.body_media: {"schema": ref(doc.body) if doc.body_media == JSON
                                                 else form_schema(doc.body)}},
                }
            if doc.auth:
                operation["security"] = [{"bearer": []}, {"session": []}]
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Slotwise API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
