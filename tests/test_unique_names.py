"""Names unique without regard to case are so for all of Unicode, on SQLite (whose lower() folds only ASCII) and
PostgreSQL alike: a duplicate is a 409 in the error shape, also when requests race, and a friendly page message."""
from __future__ import annotations

import html
import threading

import pytest
import sqlalchemy as sa

from webapp.errors import Conflict
from webapp.extensions import db
from webapp.models import Capability, Equipment, Location, Track
from webapp.models.names import name_key
from webapp.services.unique_names import flush_keeping_names_unique

from . import factories as f
from .conftest import PASSWORD

pytestmark = pytest.mark.db


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def admin_headers(admin, auth_headers):
    return auth_headers(admin)


@pytest.fixture
def con(app):
    row = f.convention()
    db.session.commit()
    return row


def _kinds(con):
    return {  # what, create URL, body for a name, the code of a taken name
        "capability": ("/api/capabilities", lambda name: {"name": name}, "capability_name_taken", Capability),
        "equipment": ("/api/equipment", lambda name: {"convention_id": con.id, "name": name, "quantity": 1},
                      "equipment_name_taken", Equipment),
        "location": (f"/api/conventions/{con.id}/locations", lambda name: {"name": name, "capacity": 10},
                     "location_name_taken", Location),
        "track": (f"/api/conventions/{con.id}/tracks", lambda name: {"name": name}, "track_name_taken", Track),
    }


@pytest.mark.parametrize("kind,name,twin", [
    ("capability", "Élan", "élan"), ("equipment", "Écran", "ÉCRAN"), ("location", "Ägypten", "ägypten"),
    ("capability", "Straße", "STRASSE"), ("location", "Salle É", "salle e\u0301"),
    ("track", "Économie", "ÉCONOMIE"), ("track", "Straße", "strasse"),
])
def test_a_name_differing_only_in_case_is_a_409_in_the_error_shape(client, con, admin_headers, kind, name, twin):
    url, body, code, model = _kinds(con)[kind]
    assert client.post(url, json=body(name), headers=admin_headers).status_code == 201
    for again in (name, twin):
        response = client.post(url, json=body(again), headers=admin_headers)
        assert response.status_code == 409, response.data[:300]
        error = response.get_json()["error"]
        assert error["code"] == code and name in error["message"] and "name" in error["fields"]
    assert _count(model) == 1


@pytest.mark.parametrize("kind", ["capability", "equipment", "location", "track"])
def test_renaming_onto_another_name_is_a_409_and_changing_only_the_case_is_allowed(client, con, admin_headers, kind):
    url, body, code, model = _kinds(con)[kind]
    first = client.post(url, json=body("Élan"), headers=admin_headers).get_json()
    second = client.post(url, json=body("Other"), headers=admin_headers).get_json()
    item_url = {"capability": "/api/capabilities/{}", "equipment": "/api/equipment/{}",
                "location": f"/api/conventions/{con.id}/locations/{{}}", "track": "/api/tracks/{}"}[kind]
    refused = client.put(item_url.format(second["id"]), json={"name": "ÉLAN"}, headers=admin_headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == code
    recased = client.put(item_url.format(first["id"]), json={"name": "élan"}, headers=admin_headers)
    assert recased.status_code == 200 and recased.get_json()["name"] == "élan"
    db.session.expire_all()
    assert db.session.get(model, second["id"]).name == "Other"


def test_the_same_name_in_two_conventions_is_allowed(client, con, admin_headers):
    other = f.convention(name="Other fest")
    db.session.commit()
    for convention in (con, other):
        assert client.post(f"/api/conventions/{convention.id}/locations", json={"name": "Ägypten", "capacity": 5},
                           headers=admin_headers).status_code == 201
        assert client.post("/api/equipment", json={"convention_id": convention.id, "name": "Écran", "quantity": 1},
                           headers=admin_headers).status_code == 201


def test_a_name_taken_behind_the_check_is_refused_by_the_table_as_a_conflict(app):
    """What a parallel request meets when it inserts between our check and our flush: the unique key."""
    f.capability(name="Élan")
    db.session.commit()
    db.session.add(Capability(name="élan", description=""))  # no check: as if the check ran before the other commit
    taken = Conflict("taken", code="capability_name_taken")
    with pytest.raises(Conflict) as refused:
        flush_keeping_names_unique(taken)
    assert refused.value is taken
    db.session.rollback()
    assert _count(Capability) == 1


def test_racing_creations_of_one_name_give_one_201_and_409s(app, admin, auth_headers):
    token = auth_headers(admin)
    names = ["Élan", "élan", "ÉLAN", "Élan", "e\u0301lan", "élan"]
    barrier = threading.Barrier(len(names))
    results: list = [None] * len(names)

    def work(index, name):
        client = app.test_client()  # no app context in this thread: the request makes its own
        try:
            barrier.wait(timeout=30)
            results[index] = client.post("/api/capabilities", json={"name": name}, headers=token).status_code
        except Exception as exc:  # recorded, so the assertion below shows it
            results[index] = repr(exc)

    threads = [threading.Thread(target=work, args=(i, name)) for i, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results, key=str) == [201] + [409] * (len(names) - 1), results
    assert _count(Capability) == 1


def test_the_model_keeps_the_key_with_the_name(app):
    row = f.capability(name="Élan")
    assert row.name_key == name_key("ÉLAN") == name_key("e\u0301lan") != name_key("Elan")
    row.name = "Knots"
    assert row.name_key == name_key("knots")


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_pages_say_a_name_is_taken_in_words(client, admin, con):
    assert client.post("/sign-in", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    assert client.post("/capabilities", data={"name": "Élan", "description": ""}).status_code == 302
    page = client.post("/capabilities", data={"name": "élan", "description": ""})
    assert page.status_code == 409 and "There is already a capability named 'Élan'" in _text(page)
    assert client.post(f"/conventions/{con.id}/locations", data={"name": "Ägypten", "capacity": "5"}).status_code < 400
    page = client.post(f"/conventions/{con.id}/locations", data={"name": "ÄGYPTEN", "capacity": "5"})
    assert page.status_code == 409 and "already has a room named 'Ägypten'" in _text(page)
    assert client.post(f"/conventions/{con.id}/equipment", data={"name": "Écran", "quantity": "1"}).status_code < 400
    page = client.post(f"/conventions/{con.id}/equipment", data={"name": "écran", "quantity": "1"})
    assert page.status_code == 409 and "already has equipment named 'Écran'" in _text(page)
    assert (_count(Capability), _count(Location), _count(Equipment)) == (1, 1, 1)
