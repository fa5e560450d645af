"""Workshops over JSON: create, read, filter, change, cancel; who may do what; bad input; query counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import EventSlot, OutboxMessage, Selection, Workshop

from . import factories as f
from .query_count import count_queries


def _body(con, **extra) -> dict:
    return {"convention_id": con.id, "title": "Knots", "max_attendees": 12, **extra}


def _error(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


@pytest.fixture
def people(make_user):
    return {
        "attendee": make_user(name="Att"),
        "host": make_user(roles=("host",), name="Ana"),
        "other_host": make_user(roles=("host",), name="Bo"),
        "admin": make_user(roles=("admin",), name="Root"),
    }


# -- create ---------------------------------------------------------------------------------


def test_host_creates_a_workshop_for_self_with_every_field(app, client, auth_headers, people, make_user):
    con = f.convention()
    room = f.location(con)
    saw = f.equipment(con, name="Saw", quantity=3)
    knots, rope = f.capability("Knots"), f.capability("Rope")
    cohost = people["other_host"]
    body = _body(con, description="Tie things", cohost_ids=[cohost.id], location_ids=[room.id], duration_slots=2,
                 runs=3, priority=5, prerequisite_ids=[rope.id], teaches_ids=[knots.id],
                 equipment=[{"equipment_id": saw.id, "quantity": 2}])
    response = client.post("/api/workshops", json=body, headers=auth_headers(people["host"]))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["host_id"] == people["host"].id and data["cohost_ids"] == [cohost.id]
    assert [(h["id"], h["role"]) for h in data["hosts"]] == [(people["host"].id, "host"), (cohost.id, "cohost")]
    assert data["location_ids"] == [room.id] and data["prerequisite_ids"] == [rope.id]
    assert data["teaches_ids"] == [knots.id] and data["equipment"] == [{"equipment_id": saw.id, "quantity": 2}]
    assert (data["duration_slots"], data["runs"], data["priority"]) == (2, 3, 5)
    assert data["placed_runs"] == [] and data["unplaced_runs"] == 3
    assert data["counts"] == {"interested": 0, "registered": 0, "waitlisted": 0}
    row = db.session.get(Workshop, data["id"])
    assert row.title == "Knots" and [e.quantity for e in row.equipment] == [2]


def test_admin_creates_for_a_host_but_not_for_a_non_host(client, auth_headers, people):
    con = f.convention()
    ok = client.post("/api/workshops", json=_body(con, host_id=people["host"].id), headers=auth_headers(people["admin"]))
    assert ok.status_code == 201 and ok.get_json()["host_id"] == people["host"].id
    bad = client.post("/api/workshops", json=_body(con, host_id=people["attendee"].id),
                      headers=auth_headers(people["admin"]))
    assert "host_id" in _error(bad, 422)["fields"]


@pytest.mark.parametrize("who,status", [(None, 401), ("attendee", 403), ("host", 201), ("admin", 201)])
def test_who_may_create(client, auth_headers, people, who, status):
    con = f.convention()
    headers = auth_headers(people[who]) if who else {}
    assert client.post("/api/workshops", json=_body(con), headers=headers).status_code == status


def test_host_cannot_create_for_another_host(client, auth_headers, people):
    con = f.convention()
    response = client.post("/api/workshops", json=_body(con, host_id=people["other_host"].id),
                           headers=auth_headers(people["host"]))
    _error(response, 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)) == 0


def test_unknown_and_foreign_ids_are_422_naming_them(client, auth_headers, people):
    con, other = f.convention(), f.convention(name="Other")
    foreign_room = f.location(other)
    foreign_item = f.equipment(other)
    real = f.capability()
    body = _body(con, prerequisite_ids=[real.id, 9001, 9002], teaches_ids=[9003], location_ids=[foreign_room.id],
                 cohost_ids=[people["attendee"].id], equipment=[{"equipment_id": foreign_item.id, "quantity": 1}])
    error = _error(client.post("/api/workshops", json=body, headers=auth_headers(people["host"])), 422)
    assert error["fields"]["prerequisite_ids"] == "unknown: 9001, 9002"
    assert error["fields"]["teaches_ids"] == "unknown: 9003"
    assert str(foreign_room.id) in error["fields"]["location_ids"]
    assert str(foreign_item.id) in error["fields"]["equipment"]
    assert error["fields"]["cohost_ids"] == f"not hosts: {people['attendee'].id}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)) == 0


def test_unknown_cohost_and_unknown_convention(client, auth_headers, people):
    con = f.convention()
    error = _error(client.post("/api/workshops", json=_body(con, cohost_ids=[424242]),
                               headers=auth_headers(people["host"])), 422)
    assert error["fields"]["cohost_ids"] == "unknown: 424242"
    error = _error(client.post("/api/workshops", json={**_body(con), "convention_id": 777},
                               headers=auth_headers(people["host"])), 422)
    assert error["fields"]["convention_id"] == "unknown: 777"


def test_admin_may_be_a_cohost(client, auth_headers, people):
    con = f.convention()
    response = client.post("/api/workshops", json=_body(con, cohost_ids=[people["admin"].id]),
                           headers=auth_headers(people["host"]))
    assert response.status_code == 201 and response.get_json()["cohost_ids"] == [people["admin"].id]


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "d" * 10_001}, "description"),
        ({"max_attendees": 0}, "max_attendees"),
        ({"max_attendees": "12"}, "max_attendees"),
        ({"duration_slots": 289}, "duration_slots"),
        ({"duration_slots": 0}, "duration_slots"),
        ({"runs": 21}, "runs"),
        ({"priority": 11}, "priority"),
        ({"prerequisite_ids": "1"}, "prerequisite_ids"),
        ({"equipment": [{"equipment_id": 1, "quantity": 0}]}, "equipment.0.quantity"),
        ({"status": "cancelled"}, "status"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_invalid_fields_are_422(client, auth_headers, people, extra, field):
    con = f.convention()
    error = _error(client.post("/api/workshops", json=_body(con, **extra), headers=auth_headers(people["host"])), 422)
    assert field in error["fields"]


@pytest.mark.parametrize("raw", [b"{nope", b"[]", b"null"])
def test_malformed_bodies_are_400(client, auth_headers, people, raw):
    headers = auth_headers(people["host"])
    assert client.post("/api/workshops", data=raw, content_type="application/json", headers=headers).status_code == 400
    ws = f.workshop(f.convention(), people["host"])
    assert client.put(f"/api/workshops/{ws.id}", data=raw, content_type="application/json",
                      headers=headers).status_code == 400


def test_closed_convention_refuses_changes(client, auth_headers, people):
    con = f.convention(status="closed")
    ws = f.workshop(con, people["host"])
    headers = auth_headers(people["admin"])
    assert _error(client.post("/api/workshops", json=_body(con), headers=headers), 409)["code"] == "convention_closed"
    assert client.put(f"/api/workshops/{ws.id}", json={"title": "New"}, headers=headers).status_code == 409
    assert client.delete(f"/api/workshops/{ws.id}", headers=headers).status_code == 409
    assert client.put(f"/api/workshops/{ws.id}/prerequisites", json={"capability_ids": []},
                      headers=headers).status_code == 409
    db.session.refresh(ws)
    assert ws.title == "Knots" and ws.status == "published"


def test_draft_convention_is_hidden_from_hosts(client, auth_headers, people):
    con = f.convention(status="draft")
    error = _error(client.post("/api/workshops", json=_body(con), headers=auth_headers(people["host"])), 422)
    assert "convention_id" in error["fields"]
    assert client.post("/api/workshops", json=_body(con), headers=auth_headers(people["admin"])).status_code == 201


# -- read -----------------------------------------------------------------------------------


def test_get_shows_placed_runs_and_counts(client, people, make_user):
    con = f.convention()
    room = f.location(con)
    first, second, third, fourth = f.slots(room, count=4)
    ws = f.workshop(con, people["host"], duration_slots=2, runs=2)
    f.place(ws, [third, fourth], run_index=1)
    f.selection(make_user(), ws, status="registered", slot=third)
    f.selection(make_user(), ws, status="interested")
    f.selection(make_user(), ws, status="cancelled")
    data = client.get(f"/api/workshops/{ws.id}").get_json()
    assert data["placed_runs"] == [{
        "run_index": 1, "event_slot_ids": [third.id, fourth.id], "location_id": room.id,
        "start": third.start.isoformat(), "end": fourth.end.isoformat(),
        "seats": min(10, room.capacity), "registered": 1, "seats_left": min(10, room.capacity) - 1,
    }]
    assert data["unplaced_runs"] == 1
    assert data["counts"] == {"interested": 1, "registered": 1, "waitlisted": 0}
    slots = client.get(f"/api/workshops/{ws.id}/slots").get_json()
    assert slots["total"] == 1 and slots["items"][0]["event_slot_ids"] == [third.id, fourth.id]
    assert slots["items"][0]["registered"] == 1


def test_unknown_workshop_is_404(client):
    assert _error(client.get("/api/workshops/999"), 404)["code"] == "not_found"


def test_drafts_are_seen_by_their_hosts_and_admins_only(client, auth_headers, people):
    con = f.convention()
    ws = f.workshop(con, people["host"], title="Secret")
    ws.status = "draft"
    db.session.flush()
    assert client.get(f"/api/workshops/{ws.id}").status_code == 404
    assert client.get(f"/api/workshops/{ws.id}", headers=auth_headers(people["other_host"])).status_code == 404
    assert client.get(f"/api/workshops/{ws.id}", headers=auth_headers(people["host"])).status_code == 200
    assert client.get(f"/api/workshops/{ws.id}", headers=auth_headers(people["admin"])).status_code == 200
    assert client.get("/api/workshops").get_json()["total"] == 0
    assert client.get("/api/workshops", headers=auth_headers(people["host"])).get_json()["total"] == 1


def test_list_filters(client, people, auth_headers):
    con, other = f.convention(), f.convention(name="Other")
    room = f.location(con)
    (slot,) = f.slots(room, count=1)
    saw = f.equipment(con, name="Saw")
    knots, rope = f.capability("Knots"), f.capability("Rope")
    a = f.workshop(con, people["host"], title="Sailing knots", teaches=[knots])
    b = f.workshop(con, people["other_host"], title="Weaving", needs={saw.id: 1}, prerequisites=[knots],
                   cohosts=[people["host"]])
    c = f.workshop(con, people["other_host"], title="Rope art", prerequisites=[rope])
    d = f.workshop(other, people["host"], title="Elsewhere")
    b.description = "Baskets with KNOTS"
    f.place(c, [slot])
    db.session.flush()

    def ids(query):
        data = client.get(f"/api/workshops?{query}").get_json()
        assert data["total"] == len(data["items"]), data
        return {w["id"] for w in data["items"]}

    assert ids("") == {a.id, b.id, c.id, d.id}
    assert ids(f"convention_id={con.id}") == {a.id, b.id, c.id}
    assert ids("q=knots") == {a.id, b.id}
    assert ids(f"host_id={people['host'].id}") == {a.id, b.id, d.id}
    assert ids(f"capability_id={knots.id}") == {a.id, b.id}
    assert ids(f"equipment_id={saw.id}") == {b.id}
    assert ids("available_slots_only=true") == {a.id, b.id, d.id}
    d.status = "draft"
    db.session.flush()
    assert ids("status=draft") == set()
    admin = auth_headers(people["admin"])
    assert {w["id"] for w in client.get("/api/workshops?status=draft", headers=admin).get_json()["items"]} == {d.id}
    d.status = "published"
    db.session.flush()
    page = client.get("/api/workshops?limit=2&offset=2").get_json()
    assert page["total"] == 4 and [w["id"] for w in page["items"]] == [c.id, d.id]


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("offset=-1", "offset"), ("host_id=abc", "host_id"),
                                         ("status=gone", "status"), ("nonsense=1", "nonsense")])
def test_bad_list_parameters_are_422(client, query, field):
    assert field in _error(client.get(f"/api/workshops?{query}"), 422)["fields"]


def _fill(con, host, cohost, room, count, day):
    """`count` placed workshops with a co-host, a capability, equipment and an allowed room each."""
    for i in range(count):
        cap = f.capability(f"Cap {room.name} {i}")
        item = f.equipment(con, name=f"Item {room.name} {i}")
        ws = f.workshop(con, host, title=f"W {room.name} {i}", teaches=[cap], needs={item.id: 1},
                        cohosts=[cohost], allowed=[room])
        f.place(ws, f.slots(room, count=1, start=f.T0.replace(day=day, hour=8 + i)))


def test_list_query_count_does_not_grow(app, client, people, auth_headers):
    con = f.convention()
    headers = auth_headers(people["admin"])
    _fill(con, people["host"], people["other_host"], f.location(con, name="Small"), 2, day=1)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/api/workshops", headers=headers).get_json()["total"] == 2
    _fill(con, people["other_host"], people["host"], f.location(con, name="Big"), 12, day=2)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/api/workshops", headers=headers).get_json()["total"] == 14
    assert many.count == few.count


# -- change ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [(None, 401), ("attendee", 403), ("other_host", 403), ("cohost", 200),
                                        ("host", 200), ("admin", 200)])
def test_who_may_edit(client, auth_headers, people, make_user, who, status):
    cohost = make_user(roles=("host",))
    people = {**people, "cohost": cohost}
    ws = f.workshop(f.convention(), people["host"], cohosts=[cohost])
    headers = auth_headers(people[who]) if who else {}
    response = client.put(f"/api/workshops/{ws.id}", json={"title": "Renamed"}, headers=headers)
    assert response.status_code == status
    db.session.refresh(ws)
    assert (ws.title == "Renamed") == (status == 200)
    response = client.put(f"/api/workshops/{ws.id}/prerequisites", json={"capability_ids": []}, headers=headers)
    assert response.status_code == status
    response = client.put(f"/api/workshops/{ws.id}/equipment", json={"equipment": []}, headers=headers)
    assert response.status_code == status


@pytest.mark.parametrize("who,status", [(None, 401), ("attendee", 403), ("other_host", 403), ("cohost", 403),
                                        ("host", 204), ("admin", 204)])
def test_who_may_delete(client, auth_headers, people, make_user, who, status):
    cohost = make_user(roles=("host",))
    people = {**people, "cohost": cohost}
    ws = f.workshop(f.convention(), people["host"], cohosts=[cohost])
    headers = auth_headers(people[who]) if who else {}
    assert client.delete(f"/api/workshops/{ws.id}", headers=headers).status_code == status
    db.session.refresh(ws)
    assert (ws.status == "cancelled") == (status == 204)


def test_update_replaces_lists_and_checks_ids(client, auth_headers, people):
    con = f.convention()
    room_a, room_b = f.location(con, name="A"), f.location(con, name="B")
    knots = f.capability("Knots")
    ws = f.workshop(con, people["host"], allowed=[room_a])
    headers = auth_headers(people["host"])
    response = client.put(f"/api/workshops/{ws.id}", json={"location_ids": [room_b.id], "teaches_ids": [knots.id],
                                                           "max_attendees": 5, "status": "draft"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["location_ids"] == [room_b.id] and data["teaches_ids"] == [knots.id]
    assert data["max_attendees"] == 5 and data["status"] == "draft"
    error = _error(client.put(f"/api/workshops/{ws.id}", json={"teaches_ids": [knots.id, 55], "title": "Changed"},
                              headers=headers), 422)
    assert error["fields"] == {"teaches_ids": "unknown: 55"}
    db.session.refresh(ws)
    assert ws.title == "Knots"
    assert "convention_id" in _error(client.put(f"/api/workshops/{ws.id}", json={"convention_id": con.id},
                                                headers=headers), 422)["fields"]


def test_only_admin_hands_a_workshop_to_another_host(client, auth_headers, people):
    ws = f.workshop(f.convention(), people["host"])
    body = {"host_id": people["other_host"].id}
    assert client.put(f"/api/workshops/{ws.id}", json=body, headers=auth_headers(people["host"])).status_code == 403
    response = client.put(f"/api/workshops/{ws.id}", json=body, headers=auth_headers(people["admin"]))
    assert response.status_code == 200 and response.get_json()["host_id"] == people["other_host"].id


def test_prerequisites_and_equipment_endpoints(client, auth_headers, people):
    con = f.convention()
    saw, glue = f.equipment(con, name="Saw"), f.equipment(con, name="Glue")
    rope, knots = f.capability("Rope"), f.capability("Knots")
    ws = f.workshop(con, people["host"], needs={saw.id: 1}, prerequisites=[rope])
    headers = auth_headers(people["host"])
    data = client.put(f"/api/workshops/{ws.id}/prerequisites", json={"capability_ids": [knots.id]},
                      headers=headers).get_json()
    assert data["prerequisite_ids"] == [knots.id]
    data = client.put(f"/api/workshops/{ws.id}/equipment", json={"equipment": [
        {"equipment_id": saw.id, "quantity": 3}, {"equipment_id": glue.id, "quantity": 1}]}, headers=headers).get_json()
    assert sorted((e["equipment_id"], e["quantity"]) for e in data["equipment"]) == [(saw.id, 3), (glue.id, 1)]
    error = _error(client.put(f"/api/workshops/{ws.id}/prerequisites", json={"capability_ids": [8, 9]},
                              headers=headers), 422)
    assert error["fields"] == {"prerequisite_ids": "unknown: 8, 9"}
    error = _error(client.put(f"/api/workshops/{ws.id}/equipment", json={"equipment": [
        {"equipment_id": saw.id}, {"equipment_id": saw.id}]}, headers=headers), 422)
    assert "equipment" in error["fields"]
    assert client.put("/api/workshops/999/equipment", json={"equipment": []}, headers=headers).status_code == 404


def test_fewer_runs_or_new_length_unplaces_runs_and_tells_the_registered(client, auth_headers, people, make_user):
    con = f.convention()
    room = f.location(con)
    s = f.slots(room, count=4)
    ws = f.workshop(con, people["host"], runs=2)
    f.place(ws, [s[0]], run_index=0)
    f.place(ws, [s[2]], run_index=1)
    late = make_user(email="late@example.org")
    f.selection(late, ws, status="registered", slot=s[2])
    headers = auth_headers(people["host"])
    data = client.put(f"/api/workshops/{ws.id}", json={"runs": 1}, headers=headers).get_json()
    assert [r["run_index"] for r in data["placed_runs"]] == [0]
    assert db.session.get(EventSlot, s[2].id).workshop_id is None
    selection = db.session.scalar(sa.select(Selection).where(Selection.user_id == late.id))
    assert (selection.status, selection.event_slot_id) == ("interested", None)
    assert db.session.scalar(sa.select(OutboxMessage.recipient)) == "late@example.org"
    data = client.put(f"/api/workshops/{ws.id}", json={"duration_slots": 2}, headers=headers).get_json()
    assert data["placed_runs"] == [] and data["duration_slots"] == 2
    assert db.session.get(EventSlot, s[0].id).workshop_id is None


# -- delete ---------------------------------------------------------------------------------


def test_delete_frees_slots_and_cancels_selections(client, auth_headers, people, make_user):
    con = f.convention()
    s = f.slots(f.location(con), count=3)
    ws = f.workshop(con, people["host"], duration_slots=2)
    keep = f.workshop(con, people["other_host"], title="Keep")
    f.place(ws, s[:2])
    f.place(keep, [s[2]])
    reg = make_user(email="reg@example.org")
    f.selection(reg, ws, status="registered", slot=s[0])
    f.selection(make_user(), ws, status="interested")
    other_sel = f.selection(make_user(), keep, status="registered", slot=s[2])
    assert client.delete(f"/api/workshops/{ws.id}", headers=auth_headers(people["host"])).status_code == 204
    slots = {row.id: row for row in db.session.scalars(sa.select(EventSlot))}
    assert [(slots[x.id].workshop_id, slots[x.id].run_index) for x in s[:2]] == [(None, None), (None, None)]
    assert slots[s[2].id].workshop_id == keep.id
    statuses = db.session.scalars(sa.select(Selection.status).where(Selection.workshop_id == ws.id)).all()
    assert statuses == ["cancelled", "cancelled"]
    assert db.session.get(Selection, other_sel.id).status == "registered"
    assert db.session.scalar(sa.select(OutboxMessage.recipient)) == "reg@example.org"
    assert client.get(f"/api/workshops/{ws.id}").status_code == 404
    assert client.delete(f"/api/workshops/{ws.id}", headers=auth_headers(people["host"])).status_code == 409


def test_raising_max_attendees_promotes_the_waitlist_in_order(client, make_user, auth_headers):
    from datetime import timedelta

    from webapp.models import Selection, utcnow

    host = make_user(roles=("host",))
    con = f.convention()
    room = f.location(con, capacity=30)
    slot = f.slots(room, count=1)[0]
    workshop = f.workshop(con, host, max_attendees=1)
    f.place(workshop, [slot])
    seated, first_waiting, second_waiting = make_user(), make_user(), make_user()
    f.selection(seated, workshop, status="registered", slot=slot)
    for minutes, person in ((1, first_waiting), (2, second_waiting)):
        row = f.selection(person, workshop, status="waitlisted", slot=slot)
        row.queued_at = utcnow() + timedelta(minutes=minutes)
    db.session.commit()
    response = client.put(f"/api/workshops/{workshop.id}", json={"max_attendees": 2}, headers=auth_headers(host))
    assert response.status_code == 200, response.get_json()
    statuses = {s.user_id: s.status for s in db.session.scalars(sa.select(Selection))}
    assert statuses == {seated.id: "registered", first_waiting.id: "registered", second_waiting.id: "waitlisted"}


def test_seats_are_counted_per_run(client, people, make_user):
    """A full run in a small room and an empty one in a big room: each run says what it has left."""
    con = f.convention()
    small, big = f.location(con, name="Small", capacity=2), f.location(con, name="Big", capacity=50)
    (early,) = f.slots(small, count=1)
    (late,) = f.slots(big, count=1, start=f.T0 + timedelta(hours=3))
    ws = f.workshop(con, people["host"], max_attendees=10, runs=2)
    f.place(ws, [early], run_index=0)
    f.place(ws, [late], run_index=1)
    for _ in range(2):
        f.selection(make_user(), ws, status="registered", slot=early)
    f.selection(make_user(), ws, status="registered", slot=late)
    runs = client.get(f"/api/workshops/{ws.id}").get_json()["placed_runs"]
    assert [(r["seats"], r["registered"], r["seats_left"]) for r in runs] == [(2, 2, 0), (10, 1, 9)]
    listed = client.get(f"/api/workshops?convention_id={con.id}").get_json()["items"][0]["placed_runs"]
    assert [r["seats_left"] for r in listed] == [0, 9]
    page = client.get(f"/conventions/{con.id}/workshops").get_data(as_text=True)
    assert "(0 left)" in page and "(9 left)" in page and "9 of 12" in page
