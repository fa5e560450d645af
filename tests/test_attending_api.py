"""Attending: interest, registration for a run (convention registration, prerequisites, clashes,
capacity and the waitlist), selections, the workshop's attendee list, schedules and capabilities."""
import pytest
import sqlalchemy as sa

from webapp.errors import Conflict
from webapp.extensions import db
from webapp.models import OutboxMessage, Selection

from . import factories as f
from .query_count import count_queries
from . import factories_attending as fa


def _assert_error(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def _selection(user, ws):
    db.session.expire_all()
    return db.session.scalar(sa.select(Selection).where(Selection.user_id == user.id, Selection.workshop_id == ws.id))


@pytest.fixture
def world(make_user):
    """An open convention, a room of 30, a host with a 2-seat workshop placed twice (run 0 at 9:00
    for 2 slots, run 1 at 14:00), and a helper to make registered attendees."""
    host = make_user(roles=("host",), name="Hana")
    con = f.convention()
    room = f.location(con, name="Room A", capacity=30)
    ws = f.workshop(con, host, title="Knots", max_attendees=2, duration_slots=2, runs=2)
    run0 = fa.run(ws, room, fa.at(0), slots=2, run_index=0)
    run1 = fa.run(ws, room, fa.at(5), slots=2, run_index=1)

    def attendee(status="registered", name=None):
        user = make_user(name=name)
        f.registration(user, con, status=status)
        return user

    class World:
        pass

    w = World()
    w.host, w.con, w.room, w.ws, w.run0, w.run1, w.attendee = host, con, room, ws, run0, run1, attendee
    return w


def _register(client, headers, ws, slot):
    return client.post(f"/api/workshops/{ws.id}/register", json={"event_slot_id": slot.id}, headers=headers)


# interest -------------------------------------------------------------------------------------


def test_interest_needs_a_live_convention_registration(client, make_user, auth_headers, world):
    stranger, paying = make_user(), world.attendee(status="pending_payment")
    url = f"/api/workshops/{world.ws.id}/show-interest"
    _assert_error(client.post(url, json={}), 401)
    assert _assert_error(client.post(url, json={}, headers=auth_headers(stranger)), 409)["code"] \
        == "convention_registration_required"
    first = client.post(url, json={"rank": 2}, headers=auth_headers(paying))
    assert first.status_code == 201
    body = first.get_json()
    assert (body["status"], body["rank"], body["event_slot_id"], body["workshop_title"]) == ("interested", 2, None, "Knots")
    again = client.post(url, json={"rank": 1}, headers=auth_headers(paying))
    assert again.status_code == 200 and again.get_json()["id"] == body["id"] and again.get_json()["rank"] == 1
    assert _selection(stranger, world.ws) is None


def test_interest_works_before_any_slot_exists(client, make_user, auth_headers, world):
    unplaced = f.workshop(world.con, world.host, title="Later")
    user = world.attendee()
    response = client.post(f"/api/workshops/{unplaced.id}/show-interest", json={}, headers=auth_headers(user))
    assert response.status_code == 201 and response.get_json()["rank"] is None


@pytest.mark.parametrize("body,field", [({"rank": 0}, "rank"), ({"rank": 11}, "rank"), ({"rank": "1"}, "rank"),
                                        ({"rank": 1, "x": 1}, "x")])
def test_interest_rejects_bad_bodies(client, auth_headers, world, body, field):
    user = world.attendee()
    error = _assert_error(client.post(f"/api/workshops/{world.ws.id}/show-interest", json=body, headers=auth_headers(user)), 422)
    assert field in error["fields"]
    assert _selection(user, world.ws) is None


def test_interest_in_hidden_or_unknown_workshops(client, make_user, auth_headers, world):
    user = world.attendee()
    draft = f.workshop(world.con, world.host, title="Secret")
    draft.status = "draft"
    _assert_error(client.post(f"/api/workshops/{draft.id}/show-interest", json={}, headers=auth_headers(user)), 404)
    _assert_error(client.post("/api/workshops/987654/show-interest", json={}, headers=auth_headers(user)), 404)
    _assert_error(client.post(f"/api/workshops/{world.ws.id}/show-interest", data=b"{", content_type="application/json",
                       headers=auth_headers(user)), 400)


# registering for a run ------------------------------------------------------------------------


def test_register_takes_a_seat(client, auth_headers, world):
    user = world.attendee()
    f.selection(user, world.ws, status="interested", rank=3)
    response = _register(client, auth_headers(user), world.ws, world.run0[0])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["event_slot_id"], body["rank"], body["waitlist_position"]) \
        == ("registered", world.run0[0].id, 3, None)
    again = _register(client, auth_headers(user), world.ws, world.run0[0])
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert _assert_error(_register(client, auth_headers(user), world.ws, world.run1[0]), 409)["code"] == "already_registered"


@pytest.mark.parametrize("status", ["pending_payment", "signed_up", "cancelled", None])
def test_register_needs_a_completed_convention_registration(client, make_user, auth_headers, world, status):
    user = world.attendee(status=status) if status else make_user()
    error = _assert_error(_register(client, auth_headers(user), world.ws, world.run0[0]), 409)
    assert error["code"] == "convention_registration_required"
    assert _selection(user, world.ws) is None


def test_register_checks_the_slot(client, auth_headers, world):
    user = world.attendee()
    other = f.workshop(world.con, world.host, title="Other")
    other_slot = fa.run(other, world.room, fa.at(10))[0]
    free_slot = f.slots(world.room, count=1, start=fa.at(20))[0]
    headers = auth_headers(user)
    assert _assert_error(_register(client, headers, world.ws, world.run0[1]), 422)["fields"]["event_slot_id"] \
        == f"not the first slot of a run (use {world.run0[0].id})"
    assert "not a slot of workshop" in _assert_error(_register(client, headers, world.ws, other_slot), 422)["fields"]["event_slot_id"]
    assert "not a slot of workshop" in _assert_error(_register(client, headers, world.ws, free_slot), 422)["fields"]["event_slot_id"]
    response = client.post(f"/api/workshops/{world.ws.id}/register", json={"event_slot_id": 99999}, headers=headers)
    assert _assert_error(response, 422)["fields"] == {"event_slot_id": "unknown: 99999"}
    for body in ({}, {"event_slot_id": "1"}, {"event_slot_id": 0}, {"event_slot_id": None}):
        assert "event_slot_id" in _assert_error(
            client.post(f"/api/workshops/{world.ws.id}/register", json=body, headers=headers), 422)["fields"]
    _assert_error(client.post("/api/workshops/424242/register", json={"event_slot_id": world.run0[0].id}, headers=headers), 404)
    _assert_error(client.post(f"/api/workshops/{world.ws.id}/register", json={"event_slot_id": world.run0[0].id}), 401)
    assert _selection(user, world.ws) is None


def test_closed_convention_or_cancelled_workshop_takes_no_registrations(client, auth_headers, world):
    user = world.attendee()
    world.ws.status = "cancelled"
    # a cancelled workshop is hidden from attendees: not found, exactly as GET /api/workshops/{id} says
    assert _assert_error(_register(client, auth_headers(user), world.ws, world.run0[0]), 404)["code"] == "not_found"
    # its host still sees it, and is told why it takes no registrations
    assert _assert_error(_register(client, auth_headers(world.host), world.ws, world.run0[0]), 409)["code"] == "workshop_not_published"
    world.ws.status = "published"
    world.con.status = "closed"
    assert _assert_error(_register(client, auth_headers(user), world.ws, world.run0[0]), 409)["code"] == "convention_not_open"


def test_capacity_is_the_smaller_of_workshop_and_room(client, make_user, auth_headers, world):
    small = f.location(world.con, name="Closet", capacity=1)
    roomy = f.workshop(world.con, world.host, title="Big", max_attendees=10)
    slot = fa.run(roomy, small, fa.at(0))[0]
    first, second = world.attendee(), world.attendee()
    assert _register(client, auth_headers(first), roomy, slot).get_json()["status"] == "registered"
    response = _register(client, auth_headers(second), roomy, slot)
    assert response.status_code == 201
    assert (response.get_json()["status"], response.get_json()["waitlist_position"]) == ("waitlisted", 1)


def test_waitlist_order_and_promotion_on_cancel(client, auth_headers, world):
    people = [world.attendee(name=f"P{i}") for i in range(5)]
    statuses = [_register(client, auth_headers(p), world.ws, world.run0[0]).get_json() for p in people]
    assert [s["status"] for s in statuses] == ["registered", "registered", "waitlisted", "waitlisted", "waitlisted"]
    assert [s["waitlist_position"] for s in statuses[2:]] == [1, 2, 3]
    leaving = statuses[1]["id"]
    response = client.delete(f"/api/attendees/selections/{leaving}", headers=auth_headers(people[1]))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert _selection(people[2], world.ws).status == "registered"
    assert [_selection(p, world.ws).status for p in people[3:]] == ["waitlisted", "waitlisted"]
    mail = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.recipient for m in mail] == [people[2].email] and "Knots" in mail[0].subject
    listed = client.get("/api/attendees/selections", headers=auth_headers(people[4])).get_json()
    assert listed["items"][0]["waitlist_position"] == 2
    # cancelling a waitlist place promotes nobody and sends nothing
    client.delete(f"/api/attendees/selections/{statuses[3]['id']}", headers=auth_headers(people[3]))
    assert _selection(people[4], world.ws).status == "waitlisted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    # a cancelled selection re-registers at the back of the queue
    again = _register(client, auth_headers(people[1]), world.ws, world.run0[0]).get_json()
    assert (again["status"], again["waitlist_position"]) == ("waitlisted", 2)


def test_cancel_and_promotion_happen_in_one_transaction(client, auth_headers, world, monkeypatch):
    seated, other, waiting = world.attendee(), world.attendee(), world.attendee()
    mine = f.selection(seated, world.ws, status="registered", slot=world.run0[0])
    f.selection(other, world.ws, status="registered", slot=world.run0[0])
    f.selection(waiting, world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(-1)

    def failing_mail(*args, **kwargs):
        raise Conflict("mail is down", code="mail_down")

    monkeypatch.setattr("webapp.services.attending.send_mail", failing_mail)
    _assert_error(client.delete(f"/api/attendees/selections/{mine.id}", headers=auth_headers(seated)), 409)
    # the failure after the seat was freed and given away rolled both back
    assert _selection(seated, world.ws).status == "registered"
    assert _selection(waiting, world.ws).status == "waitlisted"


def test_freed_seat_fills_from_the_waitlist_before_a_newcomer(client, auth_headers, world):
    waiting, newcomer = world.attendee(), world.attendee()
    f.selection(waiting, world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(-1)
    # two free seats (capacity went up, say) and one person waiting: both get a seat
    assert _register(client, auth_headers(newcomer), world.ws, world.run0[0]).get_json()["status"] == "registered"
    assert _selection(waiting, world.ws).status == "registered"


# prerequisites and clashes --------------------------------------------------------------------


def test_prerequisites(client, make_user, auth_headers, world):
    soldering, wiring = f.capability("Soldering"), f.capability("Wiring")
    teach = f.workshop(world.con, world.host, title="Solder 101", teaches=[soldering], max_attendees=5)
    synth = f.workshop(world.con, world.host, title="Synths", prerequisites=[soldering], max_attendees=5)
    late_teach = f.workshop(world.con, world.host, title="Late solder", teaches=[soldering], max_attendees=5)
    early = fa.run(teach, world.room, fa.at(10))[0]
    synth_run = fa.run(synth, world.room, fa.at(11))[0]
    late = fa.run(late_teach, world.room, fa.at(12))[0]
    missing, declared, learner, late_learner = (world.attendee() for _ in range(4))
    fa.hold(declared, soldering)
    fa.hold(missing, wiring)

    error = _assert_error(_register(client, auth_headers(missing), synth, synth_run), 409)
    assert error["code"] == "missing_prerequisites" and "Soldering" in error["message"]
    assert error["fields"] == {"prerequisite_ids": f"missing: {soldering.id} (Soldering)",
                               "missing_capability_ids": [soldering.id]}
    assert _register(client, auth_headers(declared), synth, synth_run).get_json()["status"] == "registered"
    assert _register(client, auth_headers(learner), teach, early).status_code == 201
    assert _register(client, auth_headers(learner), synth, synth_run).get_json()["status"] == "registered"
    # a teaching run AFTER the one that needs it does not count
    assert _register(client, auth_headers(late_learner), late_teach, late).status_code == 201
    assert _assert_error(_register(client, auth_headers(late_learner), synth, synth_run), 409)["code"] == "missing_prerequisites"


def test_time_clash_names_the_other_workshop(client, auth_headers, world):
    other = f.workshop(world.con, world.host, title="Macrame", max_attendees=5)
    room_b = f.location(world.con, name="Room B")
    overlapping = fa.run(other, room_b, fa.at(1))[0]  # 10:00, inside Knots' 9:00-11:00
    back_to_back = f.workshop(world.con, world.host, title="Weaving", max_attendees=5)
    after = fa.run(back_to_back, room_b, fa.at(2))[0]  # 11:00, right after
    user = world.attendee()
    assert _register(client, auth_headers(user), world.ws, world.run0[0]).status_code == 201
    error = _assert_error(_register(client, auth_headers(user), other, overlapping), 409)
    assert error["code"] == "time_clash" and "Knots" in error["message"]
    assert _register(client, auth_headers(user), back_to_back, after).status_code == 201


def test_a_waitlist_place_also_blocks_overlapping_runs(client, auth_headers, world):
    for _ in range(2):
        f.selection(world.attendee(), world.ws, status="registered", slot=world.run0[0])
    other = f.workshop(world.con, world.host, title="Macrame", max_attendees=5)
    overlapping = fa.run(other, f.location(world.con, name="Room B"), fa.at(0))[0]
    user = world.attendee()
    assert _register(client, auth_headers(user), world.ws, world.run0[0]).get_json()["status"] == "waitlisted"
    assert _assert_error(_register(client, auth_headers(user), other, overlapping), 409)["code"] == "time_clash"


# selections -----------------------------------------------------------------------------------


def test_selection_create_list_update_delete(client, make_user, auth_headers, world):
    user = world.attendee()
    other_ws = f.workshop(world.con, world.host, title="Loops")
    second_con = f.convention(name="Second")
    f.registration(user, second_con)
    far_ws = f.workshop(second_con, world.host, title="Far")
    headers = auth_headers(user)
    interest = client.post("/api/attendees/selections", json={"workshop_id": other_ws.id, "rank": 4}, headers=headers)
    assert interest.status_code == 201 and interest.get_json()["status"] == "interested"
    seat = client.post("/api/attendees/selections", json={"workshop_id": world.ws.id, "event_slot_id": world.run0[0].id},
                       headers=headers)
    assert seat.status_code == 201 and seat.get_json()["status"] == "registered"
    client.post("/api/attendees/selections", json={"workshop_id": far_ws.id}, headers=headers)

    listed = client.get("/api/attendees/selections", headers=headers).get_json()
    assert listed["total"] == 3
    only_con = client.get(f"/api/attendees/selections?convention_id={world.con.id}", headers=headers).get_json()
    assert {i["workshop_title"] for i in only_con["items"]} == {"Loops", "Knots"}
    registered = client.get("/api/attendees/selections?status=registered", headers=headers).get_json()
    assert [i["workshop_title"] for i in registered["items"]] == ["Knots"]

    sid = interest.get_json()["id"]
    changed = client.put(f"/api/attendees/selections/{sid}", json={"rank": 1}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["rank"] == 1
    cleared = client.put(f"/api/attendees/selections/{sid}", json={"rank": None}, headers=headers)
    assert cleared.get_json()["rank"] is None
    moved = client.put(f"/api/attendees/selections/{seat.get_json()['id']}", json={"event_slot_id": world.run1[0].id},
                       headers=headers)
    assert moved.status_code == 200 and moved.get_json()["event_slot_id"] == world.run1[0].id
    assert moved.get_json()["status"] == "registered"
    gone = client.delete(f"/api/attendees/selections/{sid}", headers=headers)
    assert gone.status_code == 200 and gone.get_json()["status"] == "cancelled"
    assert client.delete(f"/api/attendees/selections/{sid}", headers=headers).status_code == 200


def test_selection_bad_input(client, auth_headers, world):
    user = world.attendee()
    headers = auth_headers(user)
    assert _assert_error(client.post("/api/attendees/selections", json={"workshop_id": 999999}, headers=headers),
                  422)["fields"] == {"workshop_id": "unknown: 999999"}
    assert "workshop_id" in _assert_error(client.post("/api/attendees/selections", json={}, headers=headers), 422)["fields"]
    _assert_error(client.post("/api/attendees/selections", data=b"[]", content_type="application/json", headers=headers), 400)
    assert "status" in _assert_error(client.get("/api/attendees/selections?status=maybe", headers=headers), 422)["fields"]
    assert "convention_id" in _assert_error(client.get("/api/attendees/selections?convention_id=x", headers=headers),
                                     422)["fields"]
    _assert_error(client.put("/api/attendees/selections/31337", json={"rank": 1}, headers=headers), 404)
    _assert_error(client.delete("/api/attendees/selections/31337", headers=headers), 404)
    _assert_error(client.get("/api/attendees/selections"), 401)


def test_moving_to_a_full_run_keeps_the_seat(client, auth_headers, world):
    for _ in range(2):
        f.selection(world.attendee(), world.ws, status="registered", slot=world.run1[0])
    user = world.attendee()
    mine = f.selection(user, world.ws, status="registered", slot=world.run0[0])
    error = _assert_error(client.put(f"/api/attendees/selections/{mine.id}", json={"event_slot_id": world.run1[0].id},
                              headers=auth_headers(user)), 409)
    assert error["code"] == "run_full"
    assert _selection(user, world.ws).event_slot_id == world.run0[0].id


def test_rank_and_run_change_together(client, auth_headers, world):
    user = world.attendee()
    mine = f.selection(user, world.ws, status="registered", slot=world.run0[0], rank=5)
    body = client.put(f"/api/attendees/selections/{mine.id}", json={"rank": 2, "event_slot_id": world.run1[0].id},
                      headers=auth_headers(user)).get_json()
    assert (body["rank"], body["event_slot_id"], body["status"]) == (2, world.run1[0].id, "registered")
    interest = f.selection(user, f.workshop(world.con, world.host, title="Other"), status="interested", rank=4)
    other_run = fa.run(db.session.get(type(world.ws), interest.workshop_id), world.room, fa.at(20))[0]
    body = client.put(f"/api/attendees/selections/{interest.id}", json={"rank": 1, "event_slot_id": other_run.id},
                      headers=auth_headers(user)).get_json()
    assert (body["rank"], body["event_slot_id"], body["status"]) == (1, other_run.id, "registered")


def test_moving_frees_the_old_seat_for_the_waitlist(client, auth_headers, world):
    user, other, waiting = world.attendee(), world.attendee(), world.attendee()
    mine = f.selection(user, world.ws, status="registered", slot=world.run0[0])
    f.selection(other, world.ws, status="registered", slot=world.run0[0])
    f.selection(waiting, world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(-1)
    response = client.put(f"/api/attendees/selections/{mine.id}", json={"event_slot_id": world.run1[0].id},
                          headers=auth_headers(user))
    assert response.status_code == 200, response.get_json()
    assert _selection(waiting, world.ws).status == "registered"


def test_selection_write_permissions(client, make_user, auth_headers, world):
    owner, other_attendee = world.attendee(), world.attendee()
    other_host, admin = make_user(roles=("host",)), make_user(roles=("admin",))
    row = f.selection(owner, world.ws, status="registered", slot=world.run0[0], rank=2)
    url = f"/api/attendees/selections/{row.id}"
    _assert_error(client.put(url, json={"rank": 1}), 401)
    _assert_error(client.delete(url), 401)
    for intruder in (other_attendee, world.host, other_host):
        _assert_error(client.put(url, json={"rank": 1}, headers=auth_headers(intruder)), 403)
        _assert_error(client.delete(url, headers=auth_headers(intruder)), 403)
    assert _selection(owner, world.ws).rank == 2 and _selection(owner, world.ws).status == "registered"
    assert client.put(url, json={"rank": 5}, headers=auth_headers(admin)).get_json()["rank"] == 5
    assert client.delete(url, headers=auth_headers(admin)).get_json()["status"] == "cancelled"


@pytest.mark.parametrize("who,registered,expected", [
    ("anonymous", False, 401),
    ("attendee", False, 409),
    ("attendee", True, 201),
    ("workshop_host", True, 201),
    ("other_host", True, 201),
    ("admin", False, 409),
    ("admin", True, 201),
])
@pytest.mark.parametrize("action", ["show-interest", "register", "selections"])
def test_who_may_show_interest_and_register(client, make_user, auth_headers, world, who, registered, expected, action):
    """Anyone signed in with a convention registration may; roles change nothing, not even admin."""
    roles = {"attendee": ("attendee",), "workshop_host": ("host",), "other_host": ("host",), "admin": ("admin",)}
    user = None if who == "anonymous" else (world.host if who == "workshop_host" else make_user(roles=roles[who]))
    if user is not None and registered:
        f.registration(user, world.con)
    headers = auth_headers(user) if user is not None else {}
    slot = world.run0[0].id
    url, body = {
        "show-interest": (f"/api/workshops/{world.ws.id}/show-interest", {"rank": 1}),
        "register": (f"/api/workshops/{world.ws.id}/register", {"event_slot_id": slot}),
        "selections": ("/api/attendees/selections", {"workshop_id": world.ws.id, "event_slot_id": slot}),
    }[action]
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == expected, response.get_json()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Selection))
    assert count == (1 if expected == 201 else 0)


def test_promote_waitlisted_fills_seats_after_capacity_grows(app, make_user, world):
    from webapp.services.attending import promote_waitlisted

    seated = [world.attendee() for _ in range(2)]
    for person in seated:
        f.selection(person, world.ws, status="registered", slot=world.run0[0])
    waiting = [world.attendee() for _ in range(3)]
    for i, person in enumerate(waiting):
        f.selection(person, world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(-10 + i)
    world.ws.max_attendees = 4
    promoted = promote_waitlisted(world.ws.id)
    db.session.commit()
    assert [s.user_id for s in promoted] == [waiting[0].id, waiting[1].id]
    assert [_selection(p, world.ws).status for p in waiting] == ["registered", "registered", "waitlisted"]


# the workshop's attendees ---------------------------------------------------------------------


def test_workshop_attendees_in_order_and_who_may_see_them(client, make_user, auth_headers, world):
    cohost, other_host, admin = make_user(roles=("host",)), make_user(roles=("host",)), make_user(roles=("admin",))
    world.ws.cohosts = [cohost]
    people = [world.attendee(name=f"A{i}") for i in range(5)]
    f.selection(people[0], world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(-1)
    f.selection(people[1], world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(-2)
    f.selection(people[2], world.ws, status="registered", slot=world.run1[0]).queued_at = fa.at(-3)
    f.selection(people[3], world.ws, status="registered", slot=world.run0[0]).queued_at = fa.at(-3)
    f.selection(people[4], world.ws, status="interested")
    url = f"/api/workshops/{world.ws.id}/attendees"
    body = client.get(url, headers=auth_headers(world.host)).get_json()
    assert body["total"] == 4
    assert [(i["display_name"], i["status"], i["waitlist_position"]) for i in body["items"]] == [
        ("A3", "registered", None), ("A1", "waitlisted", 1), ("A0", "waitlisted", 2), ("A2", "registered", None)]
    assert client.get(url, headers=auth_headers(cohost)).status_code == 200
    assert client.get(url, headers=auth_headers(admin)).get_json()["total"] == 4
    _assert_error(client.get(url, headers=auth_headers(other_host)), 403)
    _assert_error(client.get(url, headers=auth_headers(people[0])), 403)
    _assert_error(client.get(url), 401)
    _assert_error(client.get("/api/workshops/777777/attendees", headers=auth_headers(admin)), 404)


# schedule and capabilities --------------------------------------------------------------------


def test_schedule_lists_registered_runs_in_time_order(client, auth_headers, world):
    user = world.attendee()
    early_ws = f.workshop(world.con, world.host, title="Dawn")
    room_b = f.location(world.con, name="Room B")
    early = fa.run(early_ws, room_b, fa.at(-2))[0]
    waiting_ws = f.workshop(world.con, world.host, title="Queue")
    queued = fa.run(waiting_ws, room_b, fa.at(8))[0]
    f.selection(user, world.ws, status="registered", slot=world.run1[0])
    f.selection(user, early_ws, status="registered", slot=early)
    f.selection(user, waiting_ws, status="waitlisted", slot=queued)
    body = client.get("/api/attendees/schedule", headers=auth_headers(user)).get_json()
    assert [i["workshop_title"] for i in body["items"]] == ["Dawn", "Knots"]
    knots = body["items"][1]
    assert knots["start"] == fa.at(5).isoformat() and knots["end"] == fa.at(7).isoformat()
    assert (knots["location_name"], knots["event_slot_ids"]) == ("Room A", [s.id for s in world.run1])
    other = client.get(f"/api/attendees/schedule?convention_id={world.con.id + 1000}", headers=auth_headers(user))
    assert other.get_json()["items"] == []
    _assert_error(client.get("/api/attendees/schedule"), 401)


def test_capabilities_declared_and_granted(client, make_user, auth_headers, world):
    soldering, knots_cap = f.capability("Soldering"), f.capability("Knotting")
    world.ws.teaches = [knots_cap]
    user, other, admin = world.attendee(), world.attendee(), make_user(roles=("admin",))
    fa.hold(user, soldering)
    f.selection(user, world.ws, status="registered", slot=world.run0[0])
    body = client.get(f"/api/attendees/{user.id}/capabilities", headers=auth_headers(user)).get_json()
    assert [(i["name"], i["source"], i["granted_by_workshop_id"]) for i in body["items"]] == [
        ("Knotting", "granted", world.ws.id), ("Soldering", "declared", None)]
    assert body["items"][0]["earned_at"] == fa.at(2).isoformat()
    assert client.get(f"/api/attendees/{user.id}/capabilities", headers=auth_headers(admin)).get_json()["total"] == 2
    _assert_error(client.get(f"/api/attendees/{user.id}/capabilities", headers=auth_headers(other)), 403)
    _assert_error(client.get(f"/api/attendees/{user.id}/capabilities"), 401)
    _assert_error(client.get("/api/attendees/999999/capabilities", headers=auth_headers(admin)), 404)


# queries do not grow with rows ----------------------------------------------------------------




def test_attending_lists_use_a_constant_number_of_queries(client, make_user, auth_headers, world):
    me = world.attendee()
    teach_cap = f.capability("Knotting")
    headers, host_headers = auth_headers(me), auth_headers(world.host)
    room_b = f.location(world.con, name="Room B", capacity=100)

    def add(start, count):
        for i in range(start, start + count):
            ws = f.workshop(world.con, world.host, title=f"W{i}", max_attendees=1, teaches=[teach_cap])
            slot = fa.run(ws, room_b, fa.at(30 + i))[0]
            f.selection(me, ws, status="registered", slot=slot)
            queued = f.selection(world.attendee(), ws, status="waitlisted", slot=slot)
            queued.queued_at = fa.at(i)
        for _ in range(count):
            f.selection(world.attendee(), world.ws, status="waitlisted", slot=world.run0[0]).queued_at = fa.at(1)

    urls = [("/api/attendees/selections", headers), ("/api/attendees/schedule", headers),
            (f"/api/attendees/{me.id}/capabilities", headers), (f"/api/workshops/{world.ws.id}/attendees", host_headers)]

    def counts():
        result = []
        for url, h in urls:
            with count_queries() as counter:
                response = client.get(url, headers=h)
            assert response.status_code == 200, response.get_json()
            result.append(counter.count)
        return result

    add(0, 1)
    few = counts()
    add(1, 9)
    many = counts()
    assert client.get("/api/attendees/selections", headers=headers).get_json()["total"] == 10
    assert len(client.get("/api/attendees/schedule", headers=headers).get_json()["items"]) == 10
    assert client.get(f"/api/workshops/{world.ws.id}/attendees", headers=host_headers).get_json()["total"] == 10
    assert many == few
