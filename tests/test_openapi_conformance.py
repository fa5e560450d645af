"""schemathesis over /api/openapi.json: every operation, as anonymous and as an admin, answers without a 500 and
exactly as the document says (status, content type, body schema).

Bounded and repeatable: derandomised Hypothesis (the examples are the same on every run), a few examples per
operation and actor, half of them aimed at real rows so the handlers get past their 404s. Left out: logout (it
ends the admin's token) and changing one's own roles (the admin would stop being one). The admin is the actor,
never the target, of the user operations, and gets a fresh token for every example (a password change may
end the old ones). Deleting operations run last, so the rows are there for the rest.
"""
from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from webapp.extensions import db
from webapp.models import CapabilityRequest, Track, HostApplication, ScheduleRun
from webapp.services.accounts import issue_api_token

from . import factories as f

pytestmark = [pytest.mark.db, pytest.mark.usefixtures("stop_embedded_worker")]

EXAMPLES_PER_OPERATION = 4  # per actor; more finds little more and slows the suite
LEFT_OUT = {("POST", "/api/auth/logout"), ("PUT", "/api/users/{user_id}/roles")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SETTINGS = hypothesis.settings(
    derandomize=True, database=None, deadline=None, max_examples=EXAMPLES_PER_OPERATION,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck), print_blob=False,
)


@pytest.fixture
def world(app, make_user):
    """One row of every kind an operation can name, so that real ids reach the handlers."""
    host = make_user(roles=("host",), name="Ana")
    attendee = make_user(name="Bo")
    admin = make_user(roles=("admin", "host"), name="Root")
    con = f.convention()
    room = f.location(con, capacity=30)
    slots = f.slots(room, count=4)
    skill = f.capability()
    item = f.equipment(con, quantity=2)
    track = Track(convention_id=con.id, name="Knots", colour="#336699")
    workshop = f.workshop(con, host, teaches=[skill])
    f.place(workshop, slots[:1])
    f.registration(attendee, con)
    selection = f.selection(attendee, workshop, slot=slots[0], status="registered")
    window = f.availability(host, con, f.T0)
    application = HostApplication(user_id=attendee.id, convention_id=con.id, motivation="I teach knots")
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="succeeded")
    asked = CapabilityRequest(user_id=attendee.id, capability_id=skill.id, note="I solder at home")
    db.session.add_all([application, run, track, asked])
    db.session.commit()
    ids = {"convention_id": con.id, "location_id": room.id, "slot_id": slots[1].id, "workshop_id": workshop.id,
           "capability_id": skill.id, "equipment_id": item.id, "user_id": host.id, "run_id": run.id,
           "selection_id": selection.id, "availability_id": window.id, "application_id": application.id,
           "track_id": track.id, "request_id": asked.id}
    return admin, ids


def _operations(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in LEFT_OUT]
    return sorted(operations, key=lambda op: op.method.upper() == "DELETE")  # stable: spec order otherwise


def _cases(operation, ids: dict):
    names = [p.name for p in operation.path_parameters]
    real = {name: ids[name] for name in names if name in ids}
    missing = sorted(set(names) - set(real))
    assert not missing, f"{operation.path}: no real row for {missing}; add one to `world`"
    strategies = [operation.as_strategy(), operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)]
    if real:
        strategies.append(operation.as_strategy(path_parameters=real))
    return st.one_of(strategies)


def test_every_operation_answers_as_documented_for_anonymous_and_admin(app, client, world):
    admin, ids = world
    spec = client.get("/api/openapi.json").get_json()
    operations = _operations(schemathesis.openapi.from_dict(spec))
    documented = sum(len(methods) for methods in spec["paths"].values())
    assert len(operations) == documented - len(LEFT_OUT) > 70  # the whole document, not a part of it
    tried: list[str] = []

    for operation in operations:
        for actor in ("anonymous", "admin"):
            @SETTINGS
            @hypothesis.given(case=_cases(operation, ids))
            def answers_as_documented(case):
                if case.path_parameters.get("user_id") == admin.id:
                    case.path_parameters["user_id"] = ids["user_id"]
                # schemathesis' WSGI transport reads bodies as sent: ask for them uncompressed
                # (compression itself is tested in test_grid_page.py)
                headers = {"Accept-Encoding": "identity"}
                if actor == "admin":
                    headers["Authorization"] = f"Bearer {issue_api_token(admin)[0]}"
                    db.session.commit()
                response = case.call(app=app, session=client, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
                tried.append(f"{operation.method.upper()} {operation.path}")

            answers_as_documented()
    assert len(set(tried)) == len(operations)
