"""Locations over JSON: fixed equipment of the same convention, unique names, deleting with placed workshops."""
import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import EventSlot, Location, LocationEquipment, OutboxMessage, Selection

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


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_permission_matrix_for_writes(client, people, auth_headers, con, actor, method):
    room = f.location(con, name="Room A")
    db.session.commit()
    base = f"/api/conventions/{con.id}/locations"
    url = base if method == "POST" else f"{base}/{room.id}"
    body = {"POST": {"name": "Room B", "capacity": 10}, "PUT": {"capacity": 99}, "DELETE": None}[method]
    response = client.open(url, method=method, json=body, headers=headers_for(actor, people, auth_headers))
    if actor == "admin":
        assert response.status_code == {"POST": 201, "PUT": 200, "DELETE": 204}[method], response.get_json()
    else:
        assert_refused(response, actor)
        assert count_rows(Location) == 1 and db.session.get(Location, room.id).capacity == 30


def test_admin_creates_a_room_with_fixed_equipment_anyone_reads_it(client, people, auth_headers, con):
    projector = f.equipment(con, name="Projector", quantity=3)
    oven = f.equipment(con, name="Oven", quantity=1)
    db.session.commit()
    admin = auth_headers(people["admin"])
    body = {"name": "Kitchen", "capacity": 12,
            "equipment": [{"equipment_id": oven.id, "quantity": 2}, {"equipment_id": projector.id}]}
    created = client.post(f"/api/conventions/{con.id}/locations", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    room = created.get_json()
    assert room["convention_id"] == con.id and room["capacity"] == 12
    assert {(e["equipment_id"], e["name"], e["quantity"]) for e in room["equipment"]} == {
        (oven.id, "Oven", 2), (projector.id, "Projector", 1)
    }
    assert client.get(f"/api/conventions/{con.id}/locations/{room['id']}").get_json() == room
    listed = client.get(f"/api/conventions/{con.id}/locations").get_json()
    assert listed["total"] == 1 and listed["items"] == [room]


def test_update_replaces_equipment_and_renames(client, people, auth_headers, con):
    projector = f.equipment(con, name="Projector")
    oven = f.equipment(con, name="Oven")
    room = f.location(con, name="Room A", equipment={projector.id: 1})
    db.session.commit()
    admin = auth_headers(people["admin"])
    url = f"/api/conventions/{con.id}/locations/{room.id}"
    changed = client.put(url, json={"name": "Kitchen", "equipment": [{"equipment_id": oven.id, "quantity": 4}]},
                         headers=admin).get_json()
    assert changed["name"] == "Kitchen" and changed["capacity"] == 30
    assert [(e["equipment_id"], e["quantity"]) for e in changed["equipment"]] == [(oven.id, 4)]
    # equipment left out stays as it is
    same = client.put(url, json={"capacity": 5}, headers=admin).get_json()
    assert same["capacity"] == 5 and [e["equipment_id"] for e in same["equipment"]] == [oven.id]
    cleared = client.put(url, json={"equipment": []}, headers=admin).get_json()
    assert cleared["equipment"] == [] and count_rows(LocationEquipment) == 0


def test_equipment_of_another_convention_or_unknown_is_422_naming_ids(client, people, auth_headers, con):
    other = f.convention(name="Other")
    foreign = f.equipment(other, name="Foreign projector")
    db.session.commit()
    admin = auth_headers(people["admin"])
    body = {"name": "Room", "capacity": 5,
            "equipment": [{"equipment_id": foreign.id}, {"equipment_id": 987654}]}
    error = assert_error(client.post(f"/api/conventions/{con.id}/locations", json=body, headers=admin), 422)
    assert error["fields"]["equipment"] == f"unknown: {foreign.id}, 987654"
    twice = {"name": "Room", "capacity": 5, "equipment": [{"equipment_id": foreign.id}, {"equipment_id": foreign.id}]}
    assert "repeated" in assert_error(
        client.post(f"/api/conventions/{con.id}/locations", json=twice, headers=admin), 422)["fields"]["equipment"]
    assert count_rows(Location) == 0


def test_names_are_unique_within_a_convention(client, people, auth_headers, con):
    f.location(con, name="Room A")
    room_b = f.location(con, name="Room B")
    other = f.convention(name="Other")
    db.session.commit()
    admin = auth_headers(people["admin"])
    taken = client.post(f"/api/conventions/{con.id}/locations", json={"name": "room a", "capacity": 1}, headers=admin)
    assert_error(taken, 409, "location_name_taken")
    rename = client.put(f"/api/conventions/{con.id}/locations/{room_b.id}", json={"name": "Room A"}, headers=admin)
    assert_error(rename, 409, "location_name_taken")
    elsewhere = client.post(f"/api/conventions/{other.id}/locations", json={"name": "Room A", "capacity": 1},
                            headers=admin)
    assert elsewhere.status_code == 201
    assert count_rows(Location) == 3 and db.session.get(Location, room_b.id).name == "Room B"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "R", "capacity": -1}, "capacity"),
        ({"name": "R", "capacity": "10"}, "capacity"),
        ({"name": "R", "capacity": 1.5}, "capacity"),
        ({"name": " ", "capacity": 1}, "name"),
        ({"capacity": 1}, "name"),
        ({"name": "R", "capacity": 1, "equipment": [{"equipment_id": 0}]}, "equipment.0.equipment_id"),
        ({"name": "R", "capacity": 1, "equipment": [{"equipment_id": 1, "quantity": 0}]}, "equipment.0.quantity"),
        ({"name": "R", "capacity": 1, "equipment": [{"equipment_id": 2**40}]}, "equipment.0.equipment_id"),
        ({"name": "R", "capacity": 1, "seats": 3}, "seats"),
    ],
)
def test_invalid_locations_are_422(client, people, auth_headers, con, body, field):
    response = client.post(f"/api/conventions/{con.id}/locations", json=body, headers=auth_headers(people["admin"]))
    assert field in assert_error(response, 422, "validation_failed")["fields"]
    assert count_rows(Location) == 0


def test_unknown_ids_in_the_url_are_404(client, people, auth_headers, con):
    other = f.convention(name="Other")
    elsewhere = f.location(other, name="Elsewhere")
    db.session.commit()
    admin = auth_headers(people["admin"])
    assert_error(client.get(f"/api/conventions/{con.id}/locations/{elsewhere.id}"), 404)
    assert_error(client.put(f"/api/conventions/{con.id}/locations/{elsewhere.id}", json={"capacity": 1},
                            headers=admin), 404)
    assert_error(client.delete(f"/api/conventions/{con.id}/locations/{elsewhere.id}", headers=admin), 404)
    assert_error(client.get("/api/conventions/4242/locations"), 404)
    assert_error(client.post("/api/conventions/4242/locations", json={"name": "R", "capacity": 1}, headers=admin), 404)
    assert_error(client.get(f"/api/conventions/{con.id}/locations/99999999999999999999"), 404)
    assert db.session.get(Location, elsewhere.id).capacity == 30


def test_delete_with_placed_workshops_is_409_unless_cascade(client, people, auth_headers, con):
    admin = auth_headers(people["admin"])
    room = f.location(con, name="Room A")
    other_room = f.location(con, name="Room B")
    first, second, third = f.slots(room, count=3)
    kept = f.slots(other_room, count=1)[0]
    knots = f.workshop(con, people["host"], title="Knots", duration_slots=2)
    f.place(knots, [first, second])
    elsewhere = f.workshop(con, people["host"], title="Elsewhere")
    f.place(elsewhere, [kept])
    registered = f.selection(people["attendee"], knots, status="registered", slot=first)
    waiting = f.selection(people["admin"], knots, status="waitlisted", slot=first)
    stays = f.selection(people["host"], elsewhere, status="registered", slot=kept)
    db.session.commit()
    room_id = room.id
    url = f"/api/conventions/{con.id}/locations/{room_id}"

    error = assert_error(client.delete(url, headers=admin), 409, "location_in_use")
    assert "Knots" in error["message"] and error["fields"]["workshop_ids"] == [knots.id]
    assert count_rows(EventSlot) == 4 and db.session.get(Selection, registered.id).status == "registered"

    assert client.delete(url + "?cascade=true", headers=admin).status_code == 204
    assert db.session.get(Location, room_id) is None
    assert {s.id for s in db.session.scalars(db.select(EventSlot))} == {kept.id}
    for selection_id in (registered.id, waiting.id):
        row = db.session.get(Selection, selection_id)
        assert (row.status, row.event_slot_id, row.queued_at) == ("interested", None, None)
    told = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.subject.contains("Knots")))
    assert list(told) == [people["attendee"].email]
    untouched = db.session.get(Selection, stays.id)
    assert (untouched.status, untouched.event_slot_id) == ("registered", kept.id)
    assert db.session.get(EventSlot, kept.id).workshop_id == elsewhere.id


def test_delete_an_unused_room_takes_its_free_slots(client, people, auth_headers, con):
    room = f.location(con)
    f.slots(room, count=3)
    db.session.commit()
    response = client.delete(f"/api/conventions/{con.id}/locations/{room.id}", headers=auth_headers(people["admin"]))
    assert response.status_code == 204
    assert count_rows(Location) == 0 and count_rows(EventSlot) == 0


def test_listing_locations_runs_a_constant_number_of_queries(client, people, auth_headers, con):
    admin = auth_headers(people["admin"])
    kinds = [f.equipment(con, name=f"Item {i}") for i in range(3)]
    f.location(con, name="Room 0", equipment={kinds[0].id: 1})
    db.session.commit()
    with count_queries() as few:
        assert client.get(f"/api/conventions/{con.id}/locations", headers=admin).get_json()["total"] == 1
    for i in range(1, 25):
        f.location(con, name=f"Room {i}", equipment={k.id: i for k in kinds[: 1 + i % 3]})
    db.session.commit()
    with count_queries() as many:
        listed = client.get(f"/api/conventions/{con.id}/locations", headers=admin).get_json()
    assert listed["total"] == 25 and all(e["name"].startswith("Item") for r in listed["items"] for e in r["equipment"])
    assert len(many) == len(few), (few, many)
