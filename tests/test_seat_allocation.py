"""Seat allocation in the web app (issue 16): the seat setting, wishes, allocation runs through the embedded
worker, the review's result, accept (hard rules, waitlists, mails, then first come), reject and the 409s."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from solver.allocation import allocate, figures
from solver.allocation.jsonio import problem_from_json
from webapp.extensions import db
from webapp.models import Convention, OutboxMessage, ScheduleRun, Selection
from webapp.services import wishes
from webapp.services.attending import runs_of_workshops

from . import factories as f
from .scheduling_helpers import wait_for_run
from .test_attendee_pages import sign_in, sign_out

pytestmark = pytest.mark.usefixtures("stop_embedded_worker")


@pytest.fixture
def admin_headers(make_user, auth_headers):
    return auth_headers(make_user(roles=("admin",), name="Root"))


@pytest.fixture
def world(make_user):
    """Berlin time; 'Forge' (2 seats) and 'Loom' (2 seats) at 09:00 UTC at the same time, 'Kiln' (3 seats) at 10:00
    and 'Draft' unplaced; six registered attendees."""
    con = f.convention(tz="Europe/Berlin")
    con.seat_mode, con.max_party_size = "allocation", 3
    host = make_user(roles=("host",), name="Host")
    room_a, room_b = f.location(con, "Hall A", capacity=30), f.location(con, "Hall B", capacity=30)
    a_slots, b_slots = f.slots(room_a, count=2), f.slots(room_b, count=2)
    forge = f.workshop(con, host, "Forge", max_attendees=2)
    loom = f.workshop(con, host, "Loom", max_attendees=2)
    kiln = f.workshop(con, host, "Kiln", max_attendees=3)
    draft = f.workshop(con, host, "Draft", max_attendees=5)
    f.place(forge, a_slots[:1])
    f.place(loom, b_slots[:1])
    f.place(kiln, a_slots[1:2])
    people = [make_user(name=f"Person {i}") for i in range(6)]
    for person in people:
        f.registration(person, con)
    db.session.commit()
    return {"con": con, "forge": forge, "loom": loom, "kiln": kiln, "draft": draft, "people": people,
            "host": host, "slots": a_slots + b_slots}


def _wish(client, headers, con, items, max_workshops=None):
    return client.put(f"/api/conventions/{con.id}/my-wishes",
                      json={"items": [{"workshop_id": w.id, "party_size": p} for w, p in items],
                            "max_workshops": max_workshops}, headers=headers)


def _wait(client, headers, run_id) -> dict:
    return wait_for_run(client, headers, run_id, {"succeeded", "failed", "cancelled"}, runs="allocation-runs")


def _everyone_wishes(client, auth_headers, world):
    forge, loom, kiln = world["forge"], world["loom"], world["kiln"]
    for i, person in enumerate(world["people"]):
        first, second = (forge, loom) if i % 2 == 0 else (loom, forge)
        response = _wish(client, auth_headers(person), world["con"], [(first, 1), (kiln, 1), (second, 1)])
        assert response.status_code == 200, response.get_json()


def _run(client, admin_headers, con, seed=5) -> dict:
    queued = client.post(f"/api/conventions/{con.id}/seat-allocation", json={"seed": seed}, headers=admin_headers)
    assert queued.status_code == 202, queued.get_json()
    run = _wait(client, admin_headers, queued.get_json()["run_id"])
    assert run["status"] == "succeeded", run["error_message"]
    return run


def _seats_and_places():
    """Seats taken per run (a party counts its seats), and each person's registered and waitlisted runs."""
    taken, mine = defaultdict(int), defaultdict(list)
    for row in db.session.scalars(sa.select(Selection).where(Selection.status.in_(("registered", "waitlisted")))):
        if row.status == "registered":
            taken[row.event_slot_id] += row.party_size
        mine[row.user_id].append(row.event_slot_id)
    return taken, mine


def test_allocation_runs_in_the_worker_and_accept_gives_seats_waitlists_and_mails(client, auth_headers, admin_headers,
                                                                                  world):
    con, forge, loom, kiln = world["con"], world["forge"], world["loom"], world["kiln"]
    _everyone_wishes(client, auth_headers, world)
    run = _run(client, admin_headers, con, seed=11)
    assert run["seed"] == 11
    assert set(run["baselines"]) == {"first_come", "emf_lottery", "serial_dictatorship"}
    assert run["figures"]["people_wishing"] == 6 and run["figures"]["swap_pairs"] == 0
    # 2 + 2 + 3 seats for six people, Forge and Loom at the same time: everyone can hold at most two
    assert len(run["assignments"]) == 7 and run["figures"]["share_with_a_wish"] == 1.0
    assert sum(len(w["user_ids"]) for w in run["waitlists"]) >= 1

    accepted = client.post(f"/api/allocation-runs/{run['id']}/accept", headers=admin_headers)
    assert accepted.status_code == 200, accepted.get_json()
    body = accepted.get_json()
    assert body["registered"] == 7 and body["seat_mode"] == "first_come" and body["people"] == 6
    runs = runs_of_workshops([forge.id, loom.id, kiln.id])
    taken, places = _seats_and_places()
    for slot_id, seats in taken.items():  # no run over its seats
        workshop = {forge.id: forge, loom.id: loom, kiln.id: kiln}[runs[slot_id].workshop_id]
        assert seats <= runs[slot_id].seats(workshop)
    for slot_ids in places.values():  # nobody in two overlapping runs, registered or waiting
        held = [runs[s] for s in slot_ids]
        assert not any(a.overlaps(b) for i, a in enumerate(held) for b in held[i + 1:])
    # waitlists in the allocation's order
    for waitlist in run["waitlists"]:
        queue = db.session.scalars(sa.select(Selection.user_id).where(
            Selection.event_slot_id == waitlist["event_slot_id"], Selection.status == "waitlisted")
            .order_by(Selection.queued_at, Selection.id)).all()
        assert queue == [u for u in waitlist["user_ids"] if u in queue]
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.subject.like("Your seats at%"))).all()
    assert len(mails) == 6
    assert all("11:00" in m.body or "10:00" in m.body for m in mails)  # Berlin time (UTC+2), never UTC's 09:00 alone
    assert any("'Kiln': Sat 01 May 12:00–13:00, Hall A" in m.body for m in mails)
    assert db.session.get(Convention, con.id, populate_existing=True).seat_mode == "first_come"
    assert client.get(f"/api/allocation-runs/{run['id']}", headers=admin_headers).get_json()["status"] == "accepted"
    assert client.post(f"/api/allocation-runs/{run['id']}/accept", headers=admin_headers).status_code == 409


def test_the_export_repeats_the_run_offline(client, auth_headers, admin_headers, world):
    _everyone_wishes(client, auth_headers, world)
    run = _run(client, admin_headers, world["con"], seed=4)
    export = client.get(f"/api/conventions/{world['con'].id}/seat-allocation/wishes", headers=admin_headers)
    assert export.status_code == 200
    document = export.get_json()
    assert document["format"] == "slotwise-wishes"
    assert {w["person"] for w in document["wishes"]} == set(range(1, 7))  # opaque ids, not user ids
    problem = problem_from_json(document)
    offline = allocate(problem, 4)
    assert figures(problem, offline) == run["figures"]
    assert sorted((a.run_id, a.party_size) for a in offline.assignments) == sorted(
        (a["event_slot_id"], a["party_size"]) for a in run["assignments"])
    page = client.get(f"/conventions/{world['con'].id}/seat-allocation/wishes.json", headers=admin_headers)
    assert page.status_code == 200 and "attachment" in page.headers["Content-Disposition"]


def test_direct_registration_is_refused_until_the_allocation_is_accepted(client, auth_headers, world):
    person, forge = world["people"][0], world["forge"]
    slot = world["slots"][0]
    refused = client.post(f"/api/workshops/{forge.id}/register", json={"event_slot_id": slot.id},
                          headers=auth_headers(person))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "seats_by_allocation"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection)) == 0
    world["con"].seat_mode = "first_come"
    db.session.commit()
    assert client.post(f"/api/workshops/{forge.id}/register", json={"event_slot_id": slot.id},
                       headers=auth_headers(person)).status_code in (200, 201)


def test_wishes_are_frozen_while_an_allocation_runs_or_waits_for_review(client, auth_headers, admin, world):
    con, person = world["con"], world["people"][0]
    headers = auth_headers(person)
    assert _wish(client, headers, con, [(world["forge"], 1)]).status_code == 200
    run = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="running", kind="allocation",
                      parameters={"seed": 1}, heartbeat_at=f.T0.replace(year=2100))
    db.session.add(run)
    db.session.commit()
    for response in (
        _wish(client, headers, con, [(world["kiln"], 1)]),
        client.post(f"/api/workshops/{world['kiln'].id}/show-interest", json={"rank": 2}, headers=headers),
    ):
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "allocation_running"
    selection = db.session.scalar(sa.select(Selection).where(Selection.user_id == person.id))
    cancel = client.delete(f"/api/attendees/selections/{selection.id}", headers=headers)
    assert cancel.status_code == 409
    run.status = "succeeded"
    db.session.commit()
    assert _wish(client, headers, con, [(world["kiln"], 1)]).status_code == 409
    run.status = "rejected"
    db.session.commit()
    changed = _wish(client, headers, con, [(world["kiln"], 1)])
    assert changed.status_code == 200 and [i["title"] for i in changed.get_json()["items"]] == ["Kiln"]


def test_accept_after_the_schedule_changed_answers_409_and_applies_nothing(client, auth_headers, admin_headers, world):
    _everyone_wishes(client, auth_headers, world)
    run = _run(client, admin_headers, world["con"])
    world["kiln"].max_attendees = 1  # the schedule's version moves
    db.session.commit()
    refused = client.post(f"/api/allocation-runs/{run['id']}/accept", headers=admin_headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "allocation_outdated"
    db.session.expire_all()
    assert db.session.get(ScheduleRun, run["id"]).status == "succeeded"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection).where(Selection.status != "interested")) == 0
    assert db.session.get(Convention, world["con"].id).seat_mode == "allocation"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.subject.like("Your seats%"))) == 0


def test_reject_changes_nothing_and_opens_the_wishes_again(client, auth_headers, admin_headers, world):
    _everyone_wishes(client, auth_headers, world)
    run = _run(client, admin_headers, world["con"])
    rejected = client.post(f"/api/allocation-runs/{run['id']}/reject", headers=admin_headers)
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Selection).where(Selection.status != "interested")) == 0
    assert db.session.get(Convention, world["con"].id, populate_existing=True).seat_mode == "allocation"
    assert _wish(client, auth_headers(world["people"][0]), world["con"], [(world["kiln"], 1)]).status_code == 200


def test_wishes_for_cancelled_and_unplaced_workshops_are_reported_and_skipped(client, auth_headers, admin_headers,
                                                                               world):
    con, person = world["con"], world["people"][0]
    assert _wish(client, auth_headers(person), con, [(world["draft"], 1), (world["forge"], 1), (world["loom"], 1)]
                 ).status_code == 200
    world["loom"].status = "cancelled"
    db.session.commit()
    run = _run(client, admin_headers, con)
    reasons = {s["workshop_id"]: s["reason"] for s in run["skipped"]}
    assert reasons == {world["draft"].id: "the workshop has no time in the schedule",
                       world["loom"].id: "the workshop is cancelled"}
    assert [(a["user_id"], a["workshop_id"]) for a in run["assignments"]] == [(person.id, world["forge"].id)]
    page = client.get(f"/allocation-runs/{run['id']}", headers=admin_headers)
    assert page.status_code == 200 and b"the workshop is cancelled" in page.data


def test_a_party_gets_all_its_seats_in_one_run_or_none(client, auth_headers, admin_headers, world):
    con, kiln = world["con"], world["kiln"]  # Kiln: 3 seats
    parent, other, third = world["people"][:3]
    assert _wish(client, auth_headers(parent), con, [(kiln, 3)]).status_code == 200
    assert _wish(client, auth_headers(other), con, [(kiln, 1)]).status_code == 200
    too_big = _wish(client, auth_headers(third), con, [(kiln, 4)])
    assert too_big.status_code == 422
    run = _run(client, admin_headers, con, seed=2)
    given = {a["user_id"]: a["party_size"] for a in run["assignments"]}
    assert given in ({parent.id: 3}, {other.id: 1})
    assert client.post(f"/api/allocation-runs/{run['id']}/accept", headers=admin_headers).status_code == 200
    taken, _ = _seats_and_places()
    assert sum(taken.values()) == sum(given.values()) <= 3


def test_a_persons_maximum_is_kept(client, auth_headers, admin_headers, world):
    con, person = world["con"], world["people"][0]
    assert _wish(client, auth_headers(person), con, [(world["forge"], 1), (world["kiln"], 1)], max_workshops=1
                 ).status_code == 200
    run = _run(client, admin_headers, con)
    assert [a["workshop_id"] for a in run["assignments"]] == [world["forge"].id]


def test_one_active_run_per_convention_across_kinds_and_kinds_stay_apart(client, admin_headers, admin, world):
    con = world["con"]
    busy = ScheduleRun(convention_id=con.id, requested_by_id=admin.id, status="running", kind="schedule",
                       heartbeat_at=f.T0.replace(year=2100))
    db.session.add(busy)
    db.session.commit()
    refused = client.post(f"/api/conventions/{con.id}/seat-allocation", json={"seed": 1}, headers=admin_headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "schedule_run_active"
    busy.status = "failed"
    db.session.commit()
    run = _run(client, admin_headers, con)
    assert client.get(f"/api/schedule-runs/{run['id']}", headers=admin_headers).status_code == 404
    assert client.post(f"/api/schedule-runs/{run['id']}/accept", headers=admin_headers).status_code == 404
    assert client.get(f"/api/allocation-runs/{busy.id}", headers=admin_headers).status_code == 404
    listed = client.get(f"/api/conventions/{con.id}/schedule-runs", headers=admin_headers).get_json()
    assert [r["id"] for r in listed["items"]] == [busy.id]


def test_seat_settings_are_for_admins_and_allocation_needs_the_mode(client, auth_headers, admin_headers, world):
    con = world["con"]
    attendee = auth_headers(world["people"][0])
    assert client.put(f"/api/conventions/{con.id}/seat-settings", json={"seat_mode": "first_come"},
                      headers=attendee).status_code == 403
    changed = client.put(f"/api/conventions/{con.id}/seat-settings",
                         json={"seat_mode": "first_come", "max_party_size": 2}, headers=admin_headers)
    assert changed.status_code == 200 and changed.get_json()["seat_mode"] == "first_come"
    refused = client.post(f"/api/conventions/{con.id}/seat-allocation", json={}, headers=admin_headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_allocation_mode"
    assert _wish(client, attendee, con, [(world["kiln"], 1)]).status_code == 409
    bad = client.put(f"/api/conventions/{con.id}/seat-settings", json={"seat_mode": "raffle"}, headers=admin_headers)
    assert bad.status_code == 422


def test_wish_list_reorders_and_removes_with_ranks_kept_whole(app, world):
    con, person = world["con"], world["people"][0]
    for workshop in (world["forge"], world["loom"], world["kiln"]):
        wishes.add_wish(person, workshop.id)
    db.session.commit()
    listed = wishes.my_wishes(person, con.id).wishes
    assert [(w.workshop.title, w.rank) for w in listed] == [("Forge", 1), ("Loom", 2), ("Kiln", 3)]
    wishes.move_wish(person, listed[2].selection.id, "up")
    wishes.move_wish(person, listed[0].selection.id, "down")
    assert [w.workshop.title for w in wishes.my_wishes(person, con.id).wishes] == ["Kiln", "Forge", "Loom"]
    wishes.remove_wish(person, listed[2].selection.id)
    assert [(w.workshop.title, w.rank) for w in wishes.my_wishes(person, con.id).wishes] == [("Forge", 1), ("Loom", 2)]
    with pytest.raises(Exception) as refused:
        wishes.set_party(person, listed[0].selection.id, 4)
    assert getattr(refused.value, "status", None) == 422
    db.session.rollback()


def test_a_waitlisted_party_moves_up_whole_and_nobody_passes_it(client, auth_headers, world):
    con, kiln = world["con"], world["kiln"]  # Kiln: 3 seats, first come now
    con.seat_mode = "first_come"
    slot = world["slots"][1]
    ana, ben, cleo, dan = world["people"][:4]
    for order, (person, party, status) in enumerate(((ana, 2, "registered"), (ben, 1, "registered"),
                                                     (cleo, 2, "waitlisted"), (dan, 1, "waitlisted"))):
        row = f.selection(person, kiln, status=status, slot=slot)
        row.party_size, row.queued_at = party, f.T0 + timedelta(minutes=order)
    db.session.commit()
    ben_row = db.session.scalar(sa.select(Selection).where(Selection.user_id == ben.id))
    assert client.delete(f"/api/attendees/selections/{ben_row.id}", headers=auth_headers(ben)).status_code == 200
    states = dict(db.session.execute(sa.select(Selection.user_id, Selection.status)).all())
    assert states[cleo.id] == "waitlisted" and states[dan.id] == "waitlisted"  # one seat: Cleo's two do not fit
    ana_row = db.session.scalar(sa.select(Selection).where(Selection.user_id == ana.id))
    assert client.delete(f"/api/attendees/selections/{ana_row.id}", headers=auth_headers(ana)).status_code == 200
    states = dict(db.session.execute(sa.select(Selection.user_id, Selection.status)).all())
    assert states[cleo.id] == "registered" and states[dan.id] == "registered"  # three seats: Cleo's party, then Dan
    taken, _ = _seats_and_places()
    assert taken[slot.id] == 3


def test_pages_say_why_nothing_was_applied_and_show_frozen_wishes(client, auth_headers, admin_headers, admin, world):
    _everyone_wishes(client, auth_headers, world)
    run = _run(client, admin_headers, world["con"])
    world["kiln"].max_attendees = 1  # the schedule changes after the run
    db.session.commit()
    sign_in(client, admin)
    refused = client.post(f"/allocation-runs/{run['id']}/accept", follow_redirects=True)
    assert refused.status_code == 200 and b"The schedule changed since this allocation ran" in refused.data
    assert db.session.get(ScheduleRun, run["id"], populate_existing=True).status == "succeeded"
    sign_out(client)
    sign_in(client, world["people"][0])
    page = client.get(f"/conventions/{world['con'].id}/my-wishes")
    assert b'id="wishes-frozen"' in page.data and b"Move" not in page.data  # no buttons while it waits
    person_wish = db.session.scalar(sa.select(Selection).where(Selection.user_id == world["people"][0].id))
    moved = client.post(f"/conventions/{world['con'].id}/my-wishes/{person_wish.id}/down", headers={"HX-Request": "true"})
    assert moved.status_code == 409 and b"wishes cannot change" in moved.data


def test_a_queued_allocation_can_be_cancelled(client, admin_headers, admin, world):
    run = ScheduleRun(convention_id=world["con"].id, requested_by_id=admin.id, status="queued", kind="allocation",
                      parameters={"seed": 1})
    db.session.add(run)
    db.session.commit()
    cancelled = client.post(f"/api/allocation-runs/{run.id}/cancel", headers=admin_headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"/api/allocation-runs/{run.id}/accept", headers=admin_headers).status_code == 409
