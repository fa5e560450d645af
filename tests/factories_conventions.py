"""Helpers shared by the convention, location, slot and catalogue API tests."""
from __future__ import annotations


import pytest
import sqlalchemy as sa

from webapp.extensions import db

ACTORS = ("anonymous", "attendee", "host", "admin")
EXPECTED = {"anonymous": 401, "attendee": 403, "host": 403}


@pytest.fixture
def people(make_user):
    return {
        "attendee": make_user(roles=("attendee",)),
        "host": make_user(roles=("host",)),
        "admin": make_user(roles=("admin",)),
    }


def headers_for(actor, people, auth_headers) -> dict:
    return {} if actor == "anonymous" else auth_headers(people[actor])


def count_rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def assert_refused(response, actor):
    """401 for anonymous, 403 for attendees and hosts, in the error shape."""
    assert response.status_code == EXPECTED[actor], response.get_json()
    assert response.get_json()["error"]["code"] == ("unauthorized" if actor == "anonymous" else "forbidden")


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
