"""Every JSON body and query parameter the API accepts, broken one field at a time as an admin: never a 500,
and nothing written by a refused request.

The bodies come from /api/openapi.json itself, so an endpoint added later is covered without editing this file.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from webapp.extensions import db

from . import factories as f

pytestmark = pytest.mark.usefixtures("stop_embedded_worker")

WRONG_VALUES = [None, "", "x" * 5000, -1, 0, 2**31, 2**63, 1.5, True, [], {}, [{"a": 1}], {"id": "1"}, "2027-13-45",
                "25:99", "\x00", "<script>", "NaN"]
REFUSED = {400, 401, 403, 404, 409, 413, 422}


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _operations(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                yield path, method, _resolve(spec, body)


def _fill(path: str, ids: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        return str(ids.get(name, ids["id"]))
    return re.sub(r"\{([^}]+)\}", value, path)


WRITTEN_IN_THE_BACKGROUND = {"schedule_run_unplaced"}  # an accepted auto-schedule's worker writes it meanwhile


def _table_counts() -> dict[str, int]:
    db.session.expire_all()
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in WRITTEN_IN_THE_BACKGROUND}


@pytest.fixture
def world(app, make_user, auth_headers):
    admin = make_user(roles=("admin", "host"))
    host = make_user(roles=("host",))
    con = f.convention()
    room = f.location(con, capacity=30)
    slot = f.slots(room, count=2)[0]
    workshop = f.workshop(con, host)
    skill = f.capability()
    item = f.equipment(con, quantity=2)
    db.session.commit()
    ids = {"id": con.id, "convention_id": con.id, "location_id": room.id, "slot_id": slot.id,
           "workshop_id": workshop.id, "capability_id": skill.id, "equipment_id": item.id, "user_id": host.id,
           "run_id": 1, "selection_id": 1, "token": "x"}
    return auth_headers(admin), ids


def test_every_body_field_broken_one_at_a_time_is_refused_cleanly(client, world):
    headers, ids = world
    spec = client.get("/api/openapi.json").get_json()
    operations = list(_operations(spec))
    assert len(operations) >= 30  # the spec really lists the write endpoints
    tried = 0
    failures = []
    for path, method, schema in operations:
        url = _fill(path, ids)
        fields = list(schema.get("properties", {}))
        bodies = [[], "text", 7, {"unknown_field": 1}]
        bodies += [{field: wrong} for field in fields for wrong in WRONG_VALUES]
        for body in bodies:
            before = _table_counts()
            response = client.open(url, method=method.upper(), json=body, headers=headers)
            tried += 1
            if response.status_code in REFUSED:
                error = response.get_json()["error"]
                after = _table_counts()
                if not (error["code"] and error["message"]) or after != before:
                    grown = sorted(name for name in after if after[name] != before[name])
                    failures.append(f"{method.upper()} {url} {body!r}: refused ({response.status_code}) but wrote {grown}")
            elif response.status_code >= 300:
                failures.append(f"{method.upper()} {url} {str(body)[:80]!r}: {response.status_code}")
    assert failures == [], "\n".join(failures)
    assert tried > 500


WRONG_QUERY_VALUES = ["", "abc", "-1", "0", "99999999999999999999", "1.5", "true", "maybe", "2027-13-45", "%00",
                      "x" * 3000]


def test_every_query_parameter_broken_one_at_a_time_reads_cleanly(client, world):
    """GETs only: a bad filter is a 4xx in the error shape (or ignored), never a 500."""
    headers, ids = world
    spec = client.get("/api/openapi.json").get_json()
    failures, tried = [], 0
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        names = [p["name"] for p in (operation or {}).get("parameters", []) if p.get("in") == "query"]
        for name in names:
            for wrong in WRONG_QUERY_VALUES:
                response = client.get(_fill(path, ids), query_string={name: wrong}, headers=headers)
                tried += 1
                if response.status_code >= 500 or (response.status_code >= 400 and "error" not in response.get_json()):
                    failures.append(f"GET {path}?{name}={wrong[:20]}: {response.status_code}")
    assert failures == [], "\n".join(failures)
    assert tried > 200
