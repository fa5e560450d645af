"""/api/openapi.json describes every JSON endpoint the app serves, with the schemas that validate it."""
import pytest

from webapp.api.openapi import openapi_path


def test_spec_covers_every_api_route(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    served = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    assert served == documented
    assert len(served) >= 13


def test_request_bodies_reference_real_schemas(client):
    spec = client.get("/api/openapi.json").get_json()
    register = spec["paths"]["/api/users/register"]["post"]
    ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"email", "password", "display_name"}


def _response_schema(spec: dict, path: str, method: str, status: str) -> str:
    content = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
    return content["schema"]["$ref"].rsplit("/", 1)[1]


def test_every_endpoint_documents_its_own_response_schema(client):
    """`RunOut` named both a placed run and an auto-schedule run, `ScheduleOut` both the grid and an attendee's
    schedule: whichever came last documented the other's endpoints."""
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert _response_schema(spec, "/api/workshops/{workshop_id}/assign-slot", "post", "201") == "PlacedRunOut"
    assert _response_schema(spec, "/api/workshops/{workshop_id}/slots", "get", "200") == "PlacedRunList"
    assert _response_schema(spec, "/api/conventions/{convention_id}/schedule", "get", "200") == "ScheduleGridOut"
    assert _response_schema(spec, "/api/attendees/schedule", "get", "200") == "AttendeeScheduleOut"
    assert _response_schema(spec, "/api/schedule-runs/{run_id}", "get", "200") == "ScheduleRunOut"
    assert _response_schema(spec, "/api/conventions/{convention_id}/schedule-runs", "get", "200") == "ScheduleRunList"
    assert {"event_slot_ids", "seats_left"} <= set(schemas["PlacedRunOut"]["properties"])
    assert schemas["WorkshopOut"]["properties"]["placed_runs"]["items"]["$ref"].endswith("/PlacedRunOut")
    assert {"rows", "locations"} <= set(schemas["ScheduleGridOut"]["properties"])
    assert {"status", "assignments", "diff"} <= set(schemas["ScheduleRunOut"]["properties"])


def test_two_schemas_with_one_name_stop_the_document_being_built(app):
    from webapp.api import openapi, routing
    from webapp.schemas import Schema

    def model(field: str):
        return type("TwinOut", (Schema,), {"__annotations__": {field: int}})

    routing.ROUTE_DOCS.append(routing.RouteDoc("/api/twin-a", ["GET"], "a", response=model("a")))
    routing.ROUTE_DOCS.append(routing.RouteDoc("/api/twin-b", ["GET"], "b", response=model("b")))
    try:
        with pytest.raises(openapi.SchemaNameClash):
            openapi.build_spec()
    finally:
        del routing.ROUTE_DOCS[-2:]


def _query_parameters(spec: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in spec["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def test_list_paging_and_required_query_parameters_are_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    assert set(_query_parameters(spec, "/api/users")) == {"limit", "offset", "q"}
    assert set(_query_parameters(spec, "/api/outbox")) == {"limit", "offset"}
    runs = _query_parameters(spec, "/api/conventions/{convention_id}/schedule-runs")
    assert set(runs) == {"limit", "offset"} and runs["offset"]["schema"]["maximum"] == 2**31 - 1
    slots = _query_parameters(spec, "/api/event-slots")
    assert slots["convention_id"]["required"] is True and slots["location_id"]["required"] is False
    assert slots["location_id"]["schema"]["type"] == "integer"  # absent, never null, in a query string


def test_the_import_documents_its_multipart_body_with_the_file(client):
    spec = client.get("/api/openapi.json").get_json()
    body = spec["paths"]["/api/conventions/import"]["post"]["requestBody"]
    assert body["required"] is True and list(body["content"]) == ["multipart/form-data"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"] == {**schema["properties"]["file"], "type": "string", "format": "binary"}
    assert schema["properties"]["convention_id"]["type"] == "integer"  # a form field is left out, never null
    assert schema["properties"]["keep_placements"] == {"default": False, "title": "Keep Placements",
                                                       "type": "boolean"}
