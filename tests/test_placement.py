"""Placing runs by hand: every rule broken on purpose, all broken rules in one answer, who may place,
unassigning, the schedule grid and concurrent assigns of one slot."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from solver.problem import Placement
from webapp.extensions import db
from webapp.models import EventSlot, OutboxMessage, Selection
from webapp.services.placement import check_placement

from . import factories as f
from .query_count import count_queries


@pytest.fixture
def as_admin(auth_headers, admin):
    return auth_headers(admin)


def assign(client, headers, ws, slot, **extra):
    return client.post(f"/api/workshops/{ws.id}/assign-slot", json={"event_slot_id": slot.id, **extra},
                       headers=headers)


def violation_codes(response) -> list[str]:
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "placement_conflict"
    return sorted(v["code"] for v in error["fields"]["violations"])


def held(slot) -> tuple:
    row = db.session.get(EventSlot, slot.id)
    db.session.refresh(row)
    return row.workshop_id, row.run_index


# -- the happy path -------------------------------------------------------------------------


def test_assign_places_a_multi_slot_run_on_consecutive_slots(client, as_admin, host):
    con = f.convention()
    room = f.location(con)
    s = f.slots(room, count=4, gap=10)  # a 10 min changeover still counts as consecutive
    ws = f.workshop(con, host, duration_slots=2, runs=2)
    response = assign(client, as_admin, ws, s[1])
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "run_index": 0, "event_slot_ids": [s[1].id, s[2].id], "location_id": room.id,
        "start": s[1].start.isoformat(), "end": s[2].end.isoformat(),
        "seats": 10, "registered": 0, "seats_left": 10,
    }
    assert [held(x) for x in s] == [(None, None), (ws.id, 0), (ws.id, 0), (None, None)]
    data = client.get(f"/api/workshops/{ws.id}").get_json()
    assert data["unplaced_runs"] == 1 and data["placed_runs"][0]["event_slot_ids"] == [s[1].id, s[2].id]


def test_run_index_defaults_to_the_first_unplaced_run(client, as_admin, host):
    con = f.convention()
    s = f.slots(f.location(con), count=6)
    ws = f.workshop(con, host, runs=3)
    f.place(ws, [s[0]], run_index=0)
    f.place(ws, [s[4]], run_index=2)
    assert assign(client, as_admin, ws, s[2]).get_json()["run_index"] == 1
    error = assign(client, as_admin, ws, s[3]).get_json()["error"]
    assert error["code"] == "all_runs_placed"


def test_run_index_given(client, as_admin, host):
    con = f.convention()
    s = f.slots(f.location(con), count=4)
    ws = f.workshop(con, host, runs=2)
    assert assign(client, as_admin, ws, s[2], run_index=1).get_json()["run_index"] == 1
    assert assign(client, as_admin, ws, s[0], run_index=1).get_json()["error"]["code"] == "run_already_placed"
    response = assign(client, as_admin, ws, s[0], run_index=2)
    assert response.status_code == 422 and "run_index" in response.get_json()["error"]["fields"]
    assert held(s[0]) == (None, None)


# -- each rule broken on purpose ------------------------------------------------------------


def test_slot_of_another_convention(client, as_admin, host):
    con, other = f.convention(), f.convention(name="Other")
    f.slots(f.location(con), count=1)
    (foreign,) = f.slots(f.location(other), count=1)
    ws = f.workshop(con, host)
    assert violation_codes(assign(client, as_admin, ws, foreign)) == ["wrong_convention"]
    assert held(foreign) == (None, None)


def test_slot_taken(client, as_admin, host, make_user):
    con = f.convention()
    (slot,) = f.slots(f.location(con), count=1)
    f.place(f.workshop(con, make_user(roles=("host",)), title="First"), [slot])
    ws = f.workshop(con, host, title="Second")
    response = assign(client, as_admin, ws, slot)
    assert violation_codes(response) == ["slot_taken"]
    assert "'First'" in response.get_json()["error"]["message"]


def test_slot_taken_by_the_same_workshops_other_run(client, as_admin, host):
    con = f.convention()
    (slot,) = f.slots(f.location(con), count=1)
    ws = f.workshop(con, host, runs=2)
    f.place(ws, [slot], run_index=0)
    assert "slot_taken" in violation_codes(assign(client, as_admin, ws, slot))


def test_multi_slot_run_needs_consecutive_slots(client, as_admin, host):
    con = f.convention()
    s = f.slots(f.location(con), count=2, gap=30)  # 30 min apart: more than the allowed changeover
    ws = f.workshop(con, host, duration_slots=2)
    assert violation_codes(assign(client, as_admin, ws, s[0])) == ["not_consecutive"]
    assert held(s[0]) == (None, None)


def test_multi_slot_run_at_the_rooms_last_slot_is_too_short(client, as_admin, host):
    con = f.convention()
    s = f.slots(f.location(con), count=3)
    ws = f.workshop(con, host, duration_slots=2)
    assert violation_codes(assign(client, as_admin, ws, s[2])) == ["wrong_duration"]


def test_multi_slot_run_over_a_taken_second_slot(client, as_admin, host, make_user):
    con = f.convention()
    s = f.slots(f.location(con), count=2)
    f.place(f.workshop(con, make_user(roles=("host",)), title="Blocker"), [s[1]])
    ws = f.workshop(con, host, duration_slots=2)
    assert violation_codes(assign(client, as_admin, ws, s[0])) == ["slot_taken"]
    assert held(s[0]) == (None, None)


def test_host_double_booked(client, as_admin, host):
    con = f.convention()
    (a,) = f.slots(f.location(con, name="A"), count=1)
    (b,) = f.slots(f.location(con, name="B"), count=1, start=f.T0 + timedelta(minutes=30))
    f.place(f.workshop(con, host, title="One"), [a])
    ws = f.workshop(con, host, title="Two")
    response = assign(client, as_admin, ws, b)
    assert violation_codes(response) == ["host_double_booked"]
    assert "Ana" in response.get_json()["error"]["message"]


def test_cohost_double_booked(client, as_admin, host, make_user):
    con = f.convention()
    cohost = make_user(roles=("host",), name="Cy")
    (a,) = f.slots(f.location(con, name="A"), count=1)
    (b,) = f.slots(f.location(con, name="B"), count=1)
    f.place(f.workshop(con, make_user(roles=("host",)), title="One", cohosts=[cohost]), [a])
    ws = f.workshop(con, host, title="Two", cohosts=[cohost])
    response = assign(client, as_admin, ws, b)
    assert violation_codes(response) == ["host_double_booked"]
    assert "Cy" in response.get_json()["error"]["message"]


def test_host_not_available(client, as_admin, host):
    con = f.convention()
    s = f.slots(f.location(con), count=4)
    f.availability(host, con, f.T0, hours=2)  # 09:00-11:00
    ws = f.workshop(con, host)
    assert violation_codes(assign(client, as_admin, ws, s[2])) == ["host_unavailable"]
    assert assign(client, as_admin, ws, s[1]).status_code == 201


def test_cohost_not_available(client, as_admin, host, make_user):
    con = f.convention()
    cohost = make_user(roles=("host",))
    s = f.slots(f.location(con), count=2)
    f.availability(cohost, con, f.T0 + timedelta(hours=1), hours=1)
    ws = f.workshop(con, host, cohosts=[cohost])
    assert violation_codes(assign(client, as_admin, ws, s[0])) == ["host_unavailable"]
    assert assign(client, as_admin, ws, s[1]).status_code == 201


def test_host_without_windows_is_always_available(client, as_admin, host):
    con = f.convention()
    s = f.slots(f.location(con), count=1, start=f.T0 + timedelta(hours=12))
    assert assign(client, as_admin, f.workshop(con, host), s[0]).status_code == 201


def test_room_too_small(client, as_admin, host):
    con = f.convention()
    (slot,) = f.slots(f.location(con, capacity=8), count=1)
    assert violation_codes(assign(client, as_admin, f.workshop(con, host, max_attendees=9), slot)) == ["room_too_small"]
    assert assign(client, as_admin, f.workshop(con, host, title="Fits", max_attendees=8), slot).status_code == 201


def test_location_not_allowed(client, as_admin, host):
    con = f.convention()
    kitchen, hall = f.location(con, name="Kitchen"), f.location(con, name="Hall")
    (in_hall,) = f.slots(hall, count=1)
    (in_kitchen,) = f.slots(kitchen, count=1)
    ws = f.workshop(con, host, allowed=[kitchen])
    assert violation_codes(assign(client, as_admin, ws, in_hall)) == ["location_not_allowed"]
    assert assign(client, as_admin, ws, in_kitchen).status_code == 201


def test_equipment_missing_from_room_and_short_in_pool(client, as_admin, host, make_user):
    con = f.convention()
    projector = f.equipment(con, quantity=1)
    a, b = f.location(con, name="A"), f.location(con, name="B")
    fixed = f.location(con, name="C", equipment={projector.id: 1})
    (slot_a,), (slot_b,), (slot_c,) = f.slots(a, count=1), f.slots(b, count=1), f.slots(fixed, count=1)
    other = make_user(roles=("host",))
    f.place(f.workshop(con, other, title="Uses pool", needs={projector.id: 1}), [slot_a])
    ws = f.workshop(con, host, needs={projector.id: 1})
    response = assign(client, as_admin, ws, slot_b)
    assert violation_codes(response) == ["equipment_short"]
    assert "Projector" in response.get_json()["error"]["message"]
    # the room that has one fixed needs nothing from the pool
    assert assign(client, as_admin, ws, slot_c).status_code == 201


def test_equipment_from_the_pool_at_another_time_is_fine(client, as_admin, host, make_user):
    con = f.convention()
    projector = f.equipment(con, quantity=1)
    s = f.slots(f.location(con), count=2)
    f.place(f.workshop(con, make_user(roles=("host",)), title="Early", needs={projector.id: 1}), [s[0]])
    assert assign(client, as_admin, f.workshop(con, host, needs={projector.id: 1}), s[1]).status_code == 201


def test_prerequisite_taught_only_later(client, as_admin, host, make_user):
    con = f.convention()
    soldering = f.capability()
    s = f.slots(f.location(con), count=3)
    f.place(f.workshop(con, make_user(roles=("host",)), title="Solder 101", teaches=[soldering]), [s[1]])
    learner = f.workshop(con, host, title="Synths", prerequisites=[soldering])
    response = assign(client, as_admin, learner, s[0])
    assert violation_codes(response) == ["prerequisite_order"]
    assert "Soldering" in response.get_json()["error"]["message"]
    assert assign(client, as_admin, learner, s[2]).status_code == 201


def test_teaching_after_a_workshop_that_needs_it(client, as_admin, host, make_user):
    con = f.convention()
    soldering = f.capability()
    s = f.slots(f.location(con), count=2)
    learner = f.workshop(con, make_user(roles=("host",)), title="Synths", prerequisites=[soldering])
    f.place(learner, [s[0]])
    teacher = f.workshop(con, host, title="Solder 101", teaches=[soldering])
    response = assign(client, as_admin, teacher, s[1])
    assert violation_codes(response) == ["prerequisite_order"]
    assert response.get_json()["error"]["fields"]["violations"][0]["workshop_id"] == learner.id


def test_two_runs_of_one_workshop_at_once(client, as_admin, host):
    con = f.convention()
    (a,) = f.slots(f.location(con, name="A"), count=1)
    (b,) = f.slots(f.location(con, name="B"), count=1)
    ws = f.workshop(con, host, runs=2)
    f.place(ws, [a], run_index=0)
    assert "runs_overlap" in violation_codes(assign(client, as_admin, ws, b))


def test_shape_and_slot_rules_are_listed_together(client, as_admin, host, make_user):
    # The validator judges the rules of rooms, hosts, equipment and order only on a well-formed
    # run; a run whose slots are not consecutive gets its shape violations only.
    con = f.convention()
    first, second = f.slots(f.location(con, capacity=5), count=2, gap=45)
    f.place(f.workshop(con, make_user(roles=("host",)), title="Holder"), [second])
    ws = f.workshop(con, host, max_attendees=20, duration_slots=2)
    assert violation_codes(assign(client, as_admin, ws, first)) == ["not_consecutive", "slot_taken"]
    assert held(first) == (None, None)


def test_every_broken_rule_on_a_well_formed_run(client, as_admin, host, make_user):
    con = f.convention()
    projector = f.equipment(con, quantity=0)
    soldering = f.capability()
    kitchen, small = f.location(con, name="Kitchen"), f.location(con, name="Small", capacity=5)
    (busy,) = f.slots(kitchen, count=1)
    first, second = f.slots(small, count=2)
    f.place(f.workshop(con, host, title="Busy"), [busy])
    f.place(f.workshop(con, make_user(roles=("host",)), title="Later teacher", teaches=[soldering]),
            f.slots(kitchen, count=1, start=f.T0 + timedelta(hours=5)))
    f.availability(host, con, f.T0 + timedelta(hours=6), hours=2)
    ws = f.workshop(con, host, title="Everything wrong", max_attendees=20, duration_slots=2, allowed=[kitchen],
                    needs={projector.id: 1}, prerequisites=[soldering])
    f.place(f.workshop(con, make_user(roles=("host",)), title="Holder"), [second])
    response = assign(client, as_admin, ws, first)
    assert violation_codes(response) == sorted([
        "slot_taken", "room_too_small", "location_not_allowed", "host_unavailable", "host_double_booked",
        "equipment_short", "prerequisite_order",
    ])
    error = response.get_json()["error"]
    assert all(v["message"] for v in error["fields"]["violations"])
    assert held(first) == (None, None)


# -- bad input ------------------------------------------------------------------------------


def test_bad_assign_bodies(client, as_admin, host):
    con = f.convention()
    ws = f.workshop(con, host)
    url = f"/api/workshops/{ws.id}/assign-slot"
    assert client.post(url, data=b"{x", content_type="application/json", headers=as_admin).status_code == 400
    for body, field in [({}, "event_slot_id"), ({"event_slot_id": "1"}, "event_slot_id"),
                        ({"event_slot_id": 0}, "event_slot_id"), ({"event_slot_id": 1, "run_index": -1}, "run_index"),
                        ({"event_slot_id": 1, "x": 1}, "x")]:
        response = client.post(url, json=body, headers=as_admin)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], body
    response = client.post(url, json={"event_slot_id": 4242}, headers=as_admin)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"event_slot_id": "unknown: 4242"}
    assert client.post("/api/workshops/999/assign-slot", json={"event_slot_id": 1}, headers=as_admin).status_code == 404


def test_cancelled_workshop_and_closed_convention_refuse_placement(client, as_admin, host):
    con = f.convention()
    (slot,) = f.slots(f.location(con), count=1)
    ws = f.workshop(con, host)
    ws.status = "cancelled"
    db.session.flush()
    assert assign(client, as_admin, ws, slot).get_json()["error"]["code"] == "workshop_cancelled"
    closed = f.convention(name="Closed", status="closed")
    (closed_slot,) = f.slots(f.location(closed), count=1)
    response = assign(client, as_admin, f.workshop(closed, host), closed_slot)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "convention_closed"


# -- who may place --------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [(None, 401), ("attendee", 403), ("other_host", 403), ("cohost", 201),
                                        ("host", 201), ("admin", 201)])
def test_who_may_assign_and_unassign(client, auth_headers, make_user, host, admin, who, status):
    people = {"attendee": make_user(), "other_host": make_user(roles=("host",)),
              "cohost": make_user(roles=("host",)), "host": host, "admin": admin}
    con = f.convention()
    s = f.slots(f.location(con), count=2)
    ws = f.workshop(con, host, runs=2, cohosts=[people["cohost"]])
    f.place(ws, [s[1]], run_index=1)
    headers = auth_headers(people[who]) if who else {}
    assert assign(client, headers, ws, s[0]).status_code == status
    assert held(s[0]) == ((ws.id, 0) if status == 201 else (None, None))
    unassign_status = 200 if status == 201 else status
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/{s[1].id}", headers=headers).status_code == unassign_status
    assert held(s[1]) == ((None, None) if status == 201 else (ws.id, 1))


# -- unassign -------------------------------------------------------------------------------


def test_unassign_frees_the_whole_run_and_tells_the_registered(client, as_admin, host, make_user):
    con = f.convention()
    s = f.slots(f.location(con), count=3)
    ws = f.workshop(con, host, duration_slots=2, runs=2)
    f.place(ws, s[:2], run_index=0)
    f.place(ws, [s[2]], run_index=1)  # a second run's slot: stays
    registered = make_user(email="reg@example.org")
    waiting = make_user(email="wait@example.org")
    f.selection(registered, ws, status="registered", slot=s[0])
    f.selection(waiting, ws, status="waitlisted", slot=s[0])
    response = client.delete(f"/api/workshops/{ws.id}/unassign-slot/{s[1].id}", headers=as_admin)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert sorted(data["freed_slot_ids"]) == [s[0].id, s[1].id]
    assert [r["run_index"] for r in data["workshop"]["placed_runs"]] == [1]
    assert [held(x) for x in s] == [(None, None), (None, None), (ws.id, 1)]
    rows = db.session.execute(sa.select(Selection.user_id, Selection.status, Selection.event_slot_id)).all()
    assert sorted(rows) == sorted([(registered.id, "interested", None), (waiting.id, "interested", None)])
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == ["reg@example.org"]


def test_unassign_a_slot_the_workshop_does_not_hold_is_404(client, as_admin, host, make_user):
    con = f.convention()
    s = f.slots(f.location(con), count=2)
    ws = f.workshop(con, host)
    f.place(f.workshop(con, make_user(roles=("host",)), title="Other"), [s[0]])
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/{s[0].id}", headers=as_admin).status_code == 404
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/{s[1].id}", headers=as_admin).status_code == 404
    assert client.delete(f"/api/workshops/{ws.id}/unassign-slot/9999", headers=as_admin).status_code == 404
    assert held(s[0])[0] is not None


# -- the shared check, as auto-schedule's accept uses it ------------------------------------


def test_check_placement_judges_a_whole_proposal(app, host, make_user):
    con = f.convention()
    s = f.slots(f.location(con, capacity=10), count=2)
    one = f.workshop(con, host, title="One")
    two = f.workshop(con, make_user(roles=("host",)), title="Two", max_attendees=50)
    f.place(one, [s[0]])
    db.session.flush()
    proposal = [Placement(one.id, 0, (s[1].id,)), Placement(two.id, 0, (s[0].id,))]
    assert [v.code for v in check_placement(con.id, proposal, replace_current=True)] == ["room_too_small"]
    # judged against the current schedule instead, moving `one` is fine but `two` clashes nowhere else
    assert sorted(v.code for v in check_placement(con.id, [Placement(two.id, 0, (s[0].id,))])) == [
        "room_too_small", "slot_taken"]


# -- the schedule grid ----------------------------------------------------------------------


def test_schedule_grid(client, host, make_user):
    con = f.convention()
    a, b = f.location(con, name="A"), f.location(con, name="B")
    a_slots = f.slots(a, count=2)
    (b_slot,) = f.slots(b, count=1, start=f.T0 + timedelta(hours=1))
    ws = f.workshop(con, host, title="Knots", cohosts=[make_user(roles=("host",), name="Cy")])
    hidden = f.workshop(con, host, title="Secret")
    hidden.status = "draft"
    f.place(ws, [a_slots[1]])
    f.place(hidden, [b_slot])
    data = client.get(f"/api/conventions/{con.id}/schedule").get_json()
    assert [loc["name"] for loc in data["locations"]] == ["A", "B"]
    assert [row["start"] for row in data["rows"]] == [a_slots[0].start.isoformat(), a_slots[1].start.isoformat()]
    first, second = data["rows"]
    assert first["cells"][1] is None and first["cells"][0]["taken"] is False
    cell = second["cells"][0]
    assert (cell["event_slot_id"], cell["workshop_id"], cell["run_index"]) == (a_slots[1].id, ws.id, 0)
    assert cell["workshop"]["hosts"] == ["Ana", "Cy"]
    secret = second["cells"][1]
    assert secret["taken"] is True and secret["workshop"] is None  # a draft's title stays private


def test_schedule_of_a_draft_convention_is_admins_only(client, as_admin):
    con = f.convention(status="draft")
    assert client.get(f"/api/conventions/{con.id}/schedule").status_code == 404
    assert client.get(f"/api/conventions/{con.id}/schedule", headers=as_admin).status_code == 200
    assert client.get("/api/conventions/999/schedule").status_code == 404


def _fill(con, host_user, cohost, count, day):
    room = f.location(con, name=f"Room {day}")
    for i, slot in enumerate(f.slots(room, count=count, start=f.T0.replace(day=day, hour=8))):
        f.place(f.workshop(con, host_user, title=f"W{day}-{i}", cohosts=[cohost]), [slot])


def test_schedule_query_count_does_not_grow(app, client, make_user, host, as_admin):
    con = f.convention()
    other = make_user(roles=("host",))
    _fill(con, host, other, 2, day=1)
    db.session.commit()
    with count_queries() as few:
        assert client.get(f"/api/conventions/{con.id}/schedule", headers=as_admin).status_code == 200
    _fill(con, other, host, 10, day=2)
    _fill(con, make_user(roles=("host",)), make_user(roles=("host",)), 5, day=3)
    db.session.commit()
    with count_queries() as many:
        data = client.get(f"/api/conventions/{con.id}/schedule", headers=as_admin).get_json()
    assert sum(1 for row in data["rows"] for cell in row["cells"] if cell and cell["workshop"]) == 17
    assert many.count == few.count


# -- two assigns of one slot at once --------------------------------------------------------


def test_concurrent_assigns_of_one_slot_cannot_both_win(app, client, auth_headers, host, admin, make_user):
    con = f.convention()
    (slot,) = f.slots(f.location(con), count=1)
    first = f.workshop(con, host, title="First")
    second = f.workshop(con, make_user(roles=("host",)), title="Second")
    headers = auth_headers(admin)
    ids, slot_id = [first.id, second.id], slot.id
    db.session.commit()
    barrier = threading.Barrier(2)
    results = {}

    def attempt(workshop_id):
        barrier.wait()
        results[workshop_id] = client.post(f"/api/workshops/{workshop_id}/assign-slot",
                                           json={"event_slot_id": slot_id}, headers=headers)

    threads = [threading.Thread(target=attempt, args=(workshop_id,)) for workshop_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [201, 409], {k: r.get_json() for k, r in results.items()}
    winner = next(k for k, r in results.items() if r.status_code == 201)
    assert held(slot) == (winner, 0)


# -- edits of a placed workshop stay within the rules ---------------------------------------


def test_edit_that_would_break_a_placed_run_is_refused(client, as_admin, host, make_user):
    con = f.convention()
    busy = make_user(roles=("host",), name="Busy")
    (a,) = f.slots(f.location(con, name="A", capacity=10), count=1)
    (b,) = f.slots(f.location(con, name="B"), count=1)
    ws = f.workshop(con, host, max_attendees=10)
    f.place(ws, [a])
    f.place(f.workshop(con, busy, title="Elsewhere"), [b])
    f.availability(host, con, f.T0 + timedelta(hours=5))  # the run breaks this already: not the edit's doing
    url = f"/api/workshops/{ws.id}"
    response = client.put(url, json={"max_attendees": 11, "title": "Bigger"}, headers=as_admin)
    assert violation_codes(response) == ["room_too_small"]
    response = client.put(url, json={"cohost_ids": [busy.id]}, headers=as_admin)
    assert violation_codes(response) == ["host_double_booked"]
    db.session.expire_all()
    assert (ws.max_attendees, ws.title, ws.cohosts) == (10, "Knots", [])
    # a change that adds no violation goes through, though the old one stays
    ok = client.put(url, json={"max_attendees": 9, "title": "Smaller"}, headers=as_admin)
    assert ok.status_code == 200 and ok.get_json()["placed_runs"][0]["event_slot_ids"] == [a.id]


def test_equipment_change_of_a_placed_workshop_is_checked(client, as_admin, host):
    con = f.convention()
    saw = f.equipment(con, name="Saw", quantity=1)
    (slot,) = f.slots(f.location(con), count=1)
    ws = f.workshop(con, host)
    f.place(ws, [slot])
    url = f"/api/workshops/{ws.id}/equipment"
    response = client.put(url, json={"equipment": [{"equipment_id": saw.id, "quantity": 2}]}, headers=as_admin)
    assert violation_codes(response) == ["equipment_short"]
    assert client.put(url, json={"equipment": [{"equipment_id": saw.id, "quantity": 1}]},
                      headers=as_admin).status_code == 200
