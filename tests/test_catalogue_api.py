"""Capabilities and equipment over JSON: permissions, unique names, deleting what workshops use."""
import pytest

from webapp.extensions import db
from webapp.models import Capability, Equipment, LocationEquipment, Workshop, WorkshopEquipment

from . import factories as f
from .query_count import count_queries
from .factories_conventions import (  # noqa: F401  (people is a fixture)
    ACTORS, assert_error, assert_refused, count_rows, headers_for, people,
)


@pytest.fixture
def con(app):
    row = f.convention()
    db.session.commit()
    return row


# capabilities ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_capability_permission_matrix(client, people, auth_headers, actor, method):
    existing = f.capability(name="Soldering")
    db.session.commit()
    url = "/api/capabilities" if method == "POST" else f"/api/capabilities/{existing.id}"
    body = {"POST": {"name": "Knitting"}, "PUT": {"description": "Hot iron"}, "DELETE": None}[method]
    response = client.open(url, method=method, json=body, headers=headers_for(actor, people, auth_headers))
    if actor == "admin":
        assert response.status_code == {"POST": 201, "PUT": 200, "DELETE": 204}[method], response.get_json()
    else:
        assert_refused(response, actor)
        assert count_rows(Capability) == 1 and db.session.get(Capability, existing.id).description == ""


def test_capabilities_are_created_listed_searched_and_changed(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    created = client.post("/api/capabilities", json={"name": "Soldering", "description": "Hot iron"}, headers=admin)
    assert created.status_code == 201
    body = created.get_json()
    assert (body["name"], body["description"]) == ("Soldering", "Hot iron")
    for name in ("Knitting", "Sewing", "Solar power"):
        client.post("/api/capabilities", json={"name": name}, headers=admin)
    listed = client.get("/api/capabilities").get_json()  # anyone reads the catalogue
    assert listed["total"] == 4 and [c["name"] for c in listed["items"]] == ["Knitting", "Sewing", "Solar power",
                                                                                 "Soldering"]
    assert [c["name"] for c in client.get("/api/capabilities?q=sol").get_json()["items"]] == ["Solar power",
                                                                                            "Soldering"]
    assert client.get("/api/capabilities?q=100%25").get_json()["total"] == 0  # % is literal text
    page = client.get("/api/capabilities?limit=1&offset=3").get_json()
    assert page["total"] == 4 and [c["name"] for c in page["items"]] == ["Soldering"]
    renamed = client.put(f"/api/capabilities/{body['id']}", json={"name": "Soldering SMD"}, headers=admin).get_json()
    assert (renamed["name"], renamed["description"]) == ("Soldering SMD", "Hot iron")


def test_capability_names_are_unique(client, people, auth_headers):
    f.capability(name="Soldering")
    knitting = f.capability(name="Knitting")
    db.session.commit()
    admin = auth_headers(people["admin"])
    assert_error(client.post("/api/capabilities", json={"name": "soldering"}, headers=admin), 409,
                 "capability_name_taken")
    assert_error(client.put(f"/api/capabilities/{knitting.id}", json={"name": "Soldering"}, headers=admin), 409)
    assert count_rows(Capability) == 2 and db.session.get(Capability, knitting.id).name == "Knitting"


def test_deleting_a_capability_workshops_use_needs_cascade(client, people, auth_headers, con):
    admin = auth_headers(people["admin"])
    soldering, unused = f.capability(name="Soldering"), f.capability(name="Unused")
    teaching = f.workshop(con, people["host"], title="Solder 101", teaches=[soldering])
    requiring = f.workshop(con, people["host"], title="Synths", prerequisites=[soldering])
    db.session.commit()
    soldering_id, teaching_id, requiring_id = soldering.id, teaching.id, requiring.id
    assert client.delete(f"/api/capabilities/{unused.id}", headers=admin).status_code == 204
    error = assert_error(client.delete(f"/api/capabilities/{soldering_id}", headers=admin), 409, "capability_in_use")
    assert error["fields"]["workshop_ids"] == [teaching_id, requiring_id] and "Synths" in error["message"]
    assert db.session.get(Capability, soldering_id) is not None

    assert client.delete(f"/api/capabilities/{soldering_id}?cascade=true", headers=admin).status_code == 204
    assert db.session.get(Capability, soldering_id) is None
    assert db.session.get(Workshop, teaching_id).teaches == []
    assert db.session.get(Workshop, requiring_id).prerequisites == []


@pytest.mark.parametrize("body,field", [
    ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"name": 5}, "name"), ({}, "name"),
    ({"name": "A", "description": "d" * 10_001}, "description"), ({"name": "A", "level": 3}, "level"),
])
def test_invalid_capabilities_are_422(client, people, auth_headers, body, field):
    response = client.post("/api/capabilities", json=body, headers=auth_headers(people["admin"]))
    assert field in assert_error(response, 422, "validation_failed")["fields"]
    assert count_rows(Capability) == 0


def test_unknown_capability_ids_are_404(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    assert_error(client.put("/api/capabilities/4242", json={"name": "X"}, headers=admin), 404)
    assert_error(client.delete("/api/capabilities/4242", headers=admin), 404)
    assert_error(client.delete("/api/capabilities/99999999999999999999", headers=admin), 404)
    assert_error(client.post("/api/capabilities", data=b"{", content_type="application/json", headers=admin), 400)


# equipment ------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_equipment_permission_matrix(client, people, auth_headers, con, actor, method):
    existing = f.equipment(con, name="Projector", quantity=2)
    db.session.commit()
    url = "/api/equipment" if method == "POST" else f"/api/equipment/{existing.id}"
    body = {"POST": {"convention_id": con.id, "name": "Oven", "quantity": 1}, "PUT": {"quantity": 5},
            "DELETE": None}[method]
    response = client.open(url, method=method, json=body, headers=headers_for(actor, people, auth_headers))
    if actor == "admin":
        assert response.status_code == {"POST": 201, "PUT": 200, "DELETE": 204}[method], response.get_json()
    else:
        assert_refused(response, actor)
        assert count_rows(Equipment) == 1 and db.session.get(Equipment, existing.id).quantity == 2


def test_equipment_is_created_listed_by_convention_and_changed(client, people, auth_headers, con):
    other = f.convention(name="Other")
    draft = f.convention(name="Secret", status="draft")
    f.equipment(other, name="Projector")
    f.equipment(draft, name="Prototype")
    db.session.commit()
    admin = auth_headers(people["admin"])
    created = client.post("/api/equipment", json={"convention_id": con.id, "name": "Projector", "quantity": 3},
                          headers=admin)
    assert created.status_code == 201
    body = created.get_json()
    assert (body["convention_id"], body["name"], body["quantity"]) == (con.id, "Projector", 3)
    mine = client.get(f"/api/equipment?convention_id={con.id}").get_json()
    assert mine == {"items": [body], "total": 1}
    everyone = client.get("/api/equipment").get_json()
    assert {e["name"] for e in everyone["items"]} == {"Projector"} and everyone["total"] == 2  # no draft's items
    assert client.get("/api/equipment", headers=admin).get_json()["total"] == 3
    assert client.get("/api/equipment?q=proto", headers=admin).get_json()["items"][0]["name"] == "Prototype"
    changed = client.put(f"/api/equipment/{body['id']}", json={"quantity": 0, "name": "Beamer"}, headers=admin)
    assert (changed.get_json()["quantity"], changed.get_json()["name"]) == (0, "Beamer")
    assert_error(client.get("/api/equipment?convention_id=4242"), 404)


def test_equipment_names_are_unique_per_convention(client, people, auth_headers, con):
    f.equipment(con, name="Projector")
    oven = f.equipment(con, name="Oven")
    other = f.convention(name="Other")
    db.session.commit()
    admin = auth_headers(people["admin"])
    assert_error(client.post("/api/equipment", json={"convention_id": con.id, "name": "PROJECTOR"}, headers=admin),
                 409, "equipment_name_taken")
    assert_error(client.put(f"/api/equipment/{oven.id}", json={"name": "Projector"}, headers=admin), 409)
    elsewhere = client.post("/api/equipment", json={"convention_id": other.id, "name": "Projector"}, headers=admin)
    assert elsewhere.status_code == 201
    assert count_rows(Equipment) == 3


@pytest.mark.parametrize("change,field", [
    ({"quantity": -1}, "quantity"), ({"quantity": "2"}, "quantity"), ({"name": " "}, "name"),
    ({"convention_id": None}, "convention_id"), ({"convention_id": 4242}, "convention_id"),
    ({"convention_id": 2**40}, "convention_id"), ({"colour": "red"}, "colour"),
])
def test_invalid_equipment_is_422(client, people, auth_headers, con, change, field):
    body = {"convention_id": con.id, "name": "Projector", "quantity": 1, **change}
    response = client.post("/api/equipment", json=body, headers=auth_headers(people["admin"]))
    assert field in assert_error(response, 422, "validation_failed")["fields"]
    assert count_rows(Equipment) == 0


def test_equipment_cannot_move_to_another_convention(client, people, auth_headers, con):
    item = f.equipment(con)
    other = f.convention(name="Other")
    db.session.commit()
    response = client.put(f"/api/equipment/{item.id}", json={"convention_id": other.id},
                          headers=auth_headers(people["admin"]))
    assert "convention_id" in assert_error(response, 422)["fields"]
    assert db.session.get(Equipment, item.id).convention_id == con.id


def test_deleting_equipment_in_use_needs_cascade(client, people, auth_headers, con):
    admin = auth_headers(people["admin"])
    projector, spare = f.equipment(con, name="Projector"), f.equipment(con, name="Spare")
    f.location(con, equipment={projector.id: 1})
    f.workshop(con, people["host"], needs={projector.id: 1})
    db.session.commit()
    projector_id = projector.id
    assert client.delete(f"/api/equipment/{spare.id}", headers=admin).status_code == 204
    error = assert_error(client.delete(f"/api/equipment/{projector_id}", headers=admin), 409, "equipment_in_use")
    assert error["fields"] == {"workshops": 1, "locations": 1, "cascade": "true deletes it and takes it from them"}
    assert client.delete(f"/api/equipment/{projector_id}?cascade=true", headers=admin).status_code == 204
    assert db.session.get(Equipment, projector_id) is None
    assert count_rows(WorkshopEquipment) == 0 and count_rows(LocationEquipment) == 0
    assert_error(client.delete(f"/api/equipment/{projector_id}", headers=admin), 404)


# query counts ---------------------------------------------------------------------------------


def test_catalogue_lists_run_a_constant_number_of_queries(client, people, auth_headers, con):
    admin = auth_headers(people["admin"])
    f.capability(name="Cap 0")
    f.equipment(con, name="Item 0")
    db.session.commit()
    urls = ("/api/capabilities", "/api/equipment", f"/api/equipment?convention_id={con.id}")
    few = []
    for url in urls:
        with count_queries() as statements:
            assert client.get(url, headers=admin).get_json()["total"] == 1
        few.append(len(statements))
    host = people["host"]
    for i in range(1, 25):
        cap = f.capability(name=f"Cap {i}")
        item = f.equipment(con, name=f"Item {i}")
        f.workshop(con, host, title=f"W{i}", teaches=[cap], needs={item.id: 1})
    db.session.commit()
    for url, expected in zip(urls, few):
        with count_queries() as statements:
            assert client.get(url, headers=admin).get_json()["total"] == 25
        assert len(statements) == expected, url
