"""Conventions over JSON: who may read and write them, validation, drafts, deleting with and without cascade."""
from datetime import date

import pytest

from webapp.extensions import db
from webapp.models import Convention, EventSlot, Location, Workshop

from . import factories as f
from .query_count import count_queries
from .factories_conventions import (  # noqa: F401  (people is a fixture)
    ACTORS, assert_error, assert_refused, count_rows, headers_for, people,
)

BODY = {
    "name": "Makerfest 2027", "description": "Soldering and knots", "start_date": "2027-05-01",
    "end_date": "2027-05-03", "timezone": "Europe/Berlin", "registration_fee": "12.5", "status": "open",
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_permission_matrix_for_writes(client, people, auth_headers, actor, method):
    existing = f.convention(name="Existing")
    db.session.commit()
    url = "/api/conventions" if method == "POST" else f"/api/conventions/{existing.id}"
    body = {"POST": BODY, "PUT": {"name": "Renamed"}, "DELETE": None}[method]
    response = client.open(url, method=method, json=body, headers=headers_for(actor, people, auth_headers))
    if actor == "admin":
        assert response.status_code == {"POST": 201, "PUT": 200, "DELETE": 204}[method], response.get_json()
    else:
        assert_refused(response, actor)
        # nothing written
        assert count_rows(Convention) == 1
        assert db.session.get(Convention, existing.id).name == "Existing"


def test_admin_creates_reads_and_changes_a_convention(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    created = client.post("/api/conventions", json=BODY, headers=admin)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["registration_fee"] == "12.50"
    assert (body["start_date"], body["end_date"], body["timezone"]) == ("2027-05-01", "2027-05-03", "Europe/Berlin")
    row = db.session.get(Convention, body["id"])
    assert row.name == "Makerfest 2027" and str(row.registration_fee) == "12.50"

    read = client.get(f"/api/conventions/{body['id']}").get_json()
    assert read == body

    changed = client.put(f"/api/conventions/{body['id']}", json={"registration_fee": "0", "status": "closed"},
                         headers=admin)
    assert changed.status_code == 200
    assert changed.get_json()["registration_fee"] == "0.00" and changed.get_json()["status"] == "closed"
    assert changed.get_json()["name"] == "Makerfest 2027"  # untouched fields stay


def test_defaults_make_a_free_draft_in_utc(client, people, auth_headers):
    response = client.post("/api/conventions", json={"name": "Tiny", "start_date": "2027-01-01",
                                                     "end_date": "2027-01-01"}, headers=auth_headers(people["admin"]))
    body = response.get_json()
    assert (body["status"], body["timezone"], body["registration_fee"]) == ("draft", "UTC", "0.00")


def test_list_pages_searches_and_filters(client, people, auth_headers):
    for i, status in enumerate(["open", "open", "closed", "draft"]):
        f.convention(name=f"Fest {i}", status=status, start=date(2027, 5, 1 + i))
    f.convention(name="Knotcon", status="open")
    db.session.commit()
    anonymous = client.get("/api/conventions").get_json()
    assert anonymous["total"] == 4
    assert "Fest 3" not in {c["name"] for c in anonymous["items"]}
    admin = auth_headers(people["admin"])
    assert client.get("/api/conventions", headers=admin).get_json()["total"] == 5
    page = client.get("/api/conventions?limit=2&offset=1", headers=admin).get_json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert [c["name"] for c in client.get("/api/conventions?q=KNOT").get_json()["items"]] == ["Knotcon"]
    closed = client.get("/api/conventions?status=closed").get_json()
    assert [c["name"] for c in closed["items"]] == ["Fest 2"]
    assert client.get("/api/conventions?status=draft").get_json()["total"] == 0
    assert client.get("/api/conventions?status=draft", headers=admin).get_json()["total"] == 1
    assert_error(client.get("/api/conventions?status=nope"), 422)
    assert_error(client.get("/api/conventions?limit=0"), 422)
    assert_error(client.get("/api/conventions?limit=abc"), 422)
    assert_error(client.get("/api/conventions?colour=red"), 422)


@pytest.mark.parametrize("actor", ["anonymous", "attendee", "host"])
def test_drafts_are_not_found_except_for_admins(client, people, auth_headers, actor):
    draft = f.convention(status="draft")
    f.location(draft)
    db.session.commit()
    headers = headers_for(actor, people, auth_headers)
    for url in (f"/api/conventions/{draft.id}", f"/api/conventions/{draft.id}/locations",
                f"/api/conventions/{draft.id}/event-slots", f"/api/event-slots?convention_id={draft.id}",
                f"/api/equipment?convention_id={draft.id}"):
        assert_error(client.get(url, headers=headers), 404, "not_found")
    admin = auth_headers(people["admin"])
    assert client.get(f"/api/conventions/{draft.id}", headers=admin).status_code == 200
    assert client.get(f"/api/conventions/{draft.id}/locations", headers=admin).get_json()["total"] == 1


@pytest.mark.parametrize(
    "change,field",
    [
        ({"end_date": "2027-04-30"}, "body"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"registration_fee": "-1"}, "registration_fee"),
        ({"registration_fee": "1.234"}, "registration_fee"),
        ({"registration_fee": 12}, "registration_fee"),
        ({"registration_fee": "123456789"}, "registration_fee"),
        ({"status": "archived"}, "status"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"start_date": "01/05/2027"}, "start_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"end_date": "2029-01-01"}, "body"),
        ({"organiser": "me"}, "organiser"),
    ],
)
def test_invalid_conventions_are_422_naming_the_field(client, people, auth_headers, change, field):
    response = client.post("/api/conventions", json={**BODY, **change}, headers=auth_headers(people["admin"]))
    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"], error
    assert count_rows(Convention) == 0


def test_malformed_bodies_are_400_and_write_nothing(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    assert_error(client.post("/api/conventions", data=b"{nope", content_type="application/json", headers=admin), 400)
    assert_error(client.post("/api/conventions", data=b"[1]", content_type="application/json", headers=admin), 400)
    assert_error(client.post("/api/conventions", data="name=x", headers=admin), 400)
    assert count_rows(Convention) == 0


def test_unknown_and_absurd_ids_are_404(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    assert_error(client.get("/api/conventions/12345"), 404, "not_found")
    assert_error(client.get("/api/conventions/99999999999999999999999"), 404)
    assert_error(client.put("/api/conventions/12345", json={"name": "X"}, headers=admin), 404)
    assert_error(client.delete("/api/conventions/99999999999999999999999", headers=admin), 404)


def test_update_refuses_dates_that_would_strand_slots(client, people, auth_headers):
    con = f.convention(tz="UTC")  # 2027-05-01 .. 2027-05-03
    f.slots(f.location(con), count=1)  # 2027-05-01 09:00 UTC
    db.session.commit()
    admin = auth_headers(people["admin"])
    moved = client.put(f"/api/conventions/{con.id}", json={"start_date": "2027-05-02"}, headers=admin)
    assert_error(moved, 409, "slots_outside_dates")
    # 09:00 UTC is 19:00 in Sydney on the same day: still inside
    assert client.put(f"/api/conventions/{con.id}", json={"timezone": "Australia/Sydney"},
                      headers=admin).status_code == 200
    # but in Honolulu it is 23:00 the evening before the first day
    assert_error(client.put(f"/api/conventions/{con.id}", json={"timezone": "Pacific/Honolulu"}, headers=admin), 409)
    backwards = client.put(f"/api/conventions/{con.id}", json={"end_date": "2027-04-01"}, headers=admin)
    assert "end_date" in assert_error(backwards, 422)["fields"]
    row = db.session.get(Convention, con.id)
    assert (row.start_date, row.end_date, row.timezone) == (date(2027, 5, 1), date(2027, 5, 3), "Australia/Sydney")


def test_delete_refuses_with_registrations_or_placed_workshops_unless_cascade(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    empty = f.convention(name="Empty")
    with_registration = f.convention(name="Registered")
    f.registration(people["attendee"], with_registration)
    placed = f.convention(name="Placed")
    room = f.location(placed)
    slot_rows = f.slots(room, count=2)
    workshop = f.workshop(placed, people["host"])
    f.place(workshop, slot_rows[:1])
    db.session.commit()
    placed_id, room_id, workshop_id = placed.id, room.id, workshop.id

    assert client.delete(f"/api/conventions/{empty.id}", headers=admin).status_code == 204
    error = assert_error(client.delete(f"/api/conventions/{with_registration.id}", headers=admin), 409,
                         "convention_in_use")
    assert error["fields"]["registrations"] == 1
    error = assert_error(client.delete(f"/api/conventions/{placed_id}", headers=admin), 409, "convention_in_use")
    assert error["fields"]["placed_workshops"] == 1
    assert db.session.get(Convention, placed_id) is not None and count_rows(EventSlot) == 2

    assert_error(client.delete(f"/api/conventions/{placed_id}?cascade=maybe", headers=admin), 422)
    assert client.delete(f"/api/conventions/{placed_id}?cascade=true", headers=admin).status_code == 204
    assert db.session.get(Convention, placed_id) is None
    assert db.session.get(Location, room_id) is None and db.session.get(Workshop, workshop_id) is None
    assert count_rows(EventSlot) == 0
    assert client.delete(f"/api/conventions/{with_registration.id}?cascade=true", headers=admin).status_code == 204
    assert count_rows(Convention) == 0


def test_listing_conventions_runs_a_constant_number_of_queries(client, people, auth_headers):
    admin = auth_headers(people["admin"])
    f.convention(name="Only one")
    db.session.commit()
    with count_queries() as few:
        assert client.get("/api/conventions", headers=admin).get_json()["total"] == 1
    for i in range(30):
        f.convention(name=f"Con {i}", status=("draft", "open", "closed")[i % 3])
    db.session.commit()
    with count_queries() as many:
        assert client.get("/api/conventions", headers=admin).get_json()["total"] == 31
    assert len(many) == len(few), (few, many)
