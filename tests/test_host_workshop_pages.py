"""The host's whole-workshop pages through the test client (issue 12 items 6 and 7): proposing and editing
every field, refusals beside their inputs with nothing written, the "can never fit" partial, cancelling
after a confirm step, why a workshop was left out, and one run's attendee list as CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.models import EventSlot, OutboxMessage, ScheduleRun, ScheduleRunUnplaced, Workshop

from . import factories as f
from .test_destructive_pages import page_text
from .factories_hosts import room_slots, workshop_world
from .test_host_pages import sign_in


def words(response) -> str:
    """What a person reads: the page's text without its tags, runs of white space as one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).replace(" )", ")").split())


@pytest.fixture
def world(app, make_user):
    return workshop_world(make_user)


def form_of(world, **changes) -> MultiDict:
    data = MultiDict({
        "convention_id": str(world["con"].id), "title": "SMD for beginners", "description": "Tiny parts",
        "max_attendees": "8", "duration_slots": "2", "runs": "1", "priority": "4", "track_id": str(world["track"].id),
        f"equipment-{world['irons'].id}": "3", "cohost_emails": "ana@example.org",
    })
    data.setlist("location_ids", [str(world["hall"].id), str(world["nook"].id)])
    data.setlist("prerequisite_ids", [str(world["basics"].id)])
    data.setlist("teaches_ids", [str(world["smd"].id)])
    for key, value in changes.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def test_propose_with_every_field(client, world):
    sign_in(client, world["host"])
    page = words(client.get(f"/host/workshops/new?convention_id={world['con'].id}"))
    assert "Soldering iron (4 to share)" in page and "Nook (8 seats)" in page and "Skills it teaches" in page

    response = client.post("/host/workshops", data=form_of(world))

    assert response.status_code == 302
    ws = db.session.scalar(sa.select(Workshop))
    assert (ws.title, ws.max_attendees, ws.duration_slots, ws.priority, ws.track_id) == (
        "SMD for beginners", 8, 2, 4, world["track"].id)
    assert sorted(loc.id for loc in ws.allowed_locations) == sorted([world["hall"].id, world["nook"].id])
    assert [c.id for c in ws.prerequisites] == [world["basics"].id] and [c.id for c in ws.teaches] == [world["smd"].id]
    assert [(e.equipment_id, e.quantity) for e in ws.equipment] == [(world["irons"].id, 3)]
    assert [u.id for u in ws.cohosts] == [world["ana"].id]
    edit = page_text(client.get(f"/host/workshops/{ws.id}/edit"))
    assert 'value="ana@example.org"' in edit and f'value="{world["nook"].id}" checked' in edit
    irons = f'name="equipment-{world["irons"].id}"'
    assert f'{irons} type="number" min="0" max="10000" inputmode="numeric" value="3"' in edit


@pytest.mark.parametrize("changes, field, message", [
    ({"cohost_emails": "ana@example.org, ghost@example.org"}, "cohost_emails",
     "no account uses ghost@example.org: a co-host signs up first, then you add them"),
    ({"equipment-{irons}": "-2"}, "equipment-{irons}", "greater than or equal to 1"),
    ({"equipment-{irons}": "lots"}, "equipment-{irons}", "Enter a whole number."),
    ({"priority": "11"}, "priority", "less than or equal to 10"),
])
def test_a_refusal_sits_beside_its_input_keeps_what_was_typed_and_writes_nothing(client, world, changes, field,
                                                                                 message):
    sign_in(client, world["host"])
    changes = {k.format(irons=world["irons"].id): v for k, v in changes.items()}

    response = client.post("/host/workshops", data=form_of(world, **changes))

    assert response.status_code == 422
    page = page_text(response)
    field = field.format(irons=world["irons"].id)
    error = page[page.index(f'id="{field}-error"'):]
    assert message in error[:error.index("</p>")]
    assert f'value="{world["basics"].id}" checked' in page and 'value="SMD for beginners"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)) == 0


def test_the_feasibility_partial_says_what_can_never_fit(client, world, make_user):
    sign_in(client, world["host"])

    fine = page_text(client.post("/host/workshops/feasibility", data=form_of(world, max_attendees="9"),
                                  headers={"HX-Request": "true"}))
    assert "Nothing rules it out: some room and time could hold it" in fine  # 9 seats fit the Hall
    assert "never" not in fine
    never = page_text(client.post("/host/workshops/feasibility", data=form_of(
        world, max_attendees="9", location_ids=[str(world["nook"].id)])))
    assert "can never be placed" in never and "no allowed room seats 9 (largest: Nook, 8 seats)" in never
    long = page_text(client.post("/host/workshops/feasibility", data=form_of(world, duration_slots="4")))
    assert "no 4 consecutive slots in any suitable allowed room" in long
    short = page_text(client.post("/host/workshops/feasibility", data=form_of(world, **{
        f"equipment-{world['irons'].id}": "5"})))
    assert "no room has a Soldering iron and the pool holds 4, needed 5" in short
    blank = page_text(client.post("/host/workshops/feasibility", data=form_of(world, max_attendees="")))
    assert "never" not in blank and "Nothing rules it out" not in blank  # nothing to judge yet

    client.post("/sign-out")
    sign_in(client, make_user())
    assert client.post("/host/workshops/feasibility", data=form_of(world)).status_code == 403


def test_edit_every_field_and_the_saved_workshop_is_judged_on_arrival(client, world):
    ws = f.workshop(world["con"], world["host"], title="Knots", max_attendees=5, allowed=[world["nook"]],
                    cohosts=[world["ana"]])
    db.session.commit()
    sign_in(client, world["host"])

    assert "can never be placed" not in page_text(client.get(f"/host/workshops/{ws.id}/edit"))
    response = client.post(f"/host/workshops/{ws.id}/edit", data=form_of(
        world, title="Knots", max_attendees="12", location_ids=[str(world["nook"].id)], cohost_emails="",
        prerequisite_ids=[], teaches_ids=[str(world["basics"].id)], **{f"equipment-{world['irons'].id}": ""}))

    assert response.status_code == 302
    db.session.expire_all()
    ws = db.session.get(Workshop, ws.id)
    assert (ws.max_attendees, ws.priority, ws.cohosts, ws.prerequisites, ws.equipment) == (12, 4, [], [], [])
    assert [c.id for c in ws.teaches] == [world["basics"].id]
    listing = page_text(client.get(response.headers["Location"]))
    assert "Workshop 'Knots' saved." in listing
    assert "As it stands 'Knots' can never be placed: no allowed room seats 12 (largest: Nook, 8 seats)." in listing
    edit = page_text(client.get(f"/host/workshops/{ws.id}/edit"))
    assert "can never be placed" in edit and "no allowed room seats 12 (largest: Nook, 8 seats)" in edit


def test_cancel_asks_first_saying_who_is_affected(client, world, make_user):
    slots = room_slots(world["hall"])
    ws = f.workshop(world["con"], world["host"], title="Knots", cohosts=[world["ana"]])
    f.place(ws, slots[:1])
    for status in ("registered", "registered", "waitlisted"):
        f.selection(make_user(), ws, status, slot=slots[0])
    db.session.commit()

    sign_in(client, world["ana"])  # a co-host edits, but only the owner cancels
    assert "Cancel the workshop" not in page_text(client.get(f"/host/workshops/{ws.id}/edit"))
    assert client.get(f"/host/workshops/{ws.id}/cancel").status_code == 403
    assert client.post(f"/host/workshops/{ws.id}/cancel").status_code == 403
    client.post("/sign-out")
    sign_in(client, world["host"])
    edit = page_text(client.get(f"/host/workshops/{ws.id}/edit"))
    assert f'href="/host/workshops/{ws.id}/cancel"' in edit

    asked = page_text(client.get(f"/host/workshops/{ws.id}/cancel"))
    assert ("2 registered attendees lose their seat and 1 person on the waitlist loses their place; each is told "
            "by mail. Its 1 run on the schedule is taken off.") in asked
    assert db.session.get(Workshop, ws.id).status == "published"

    done = client.post(f"/host/workshops/{ws.id}/cancel", follow_redirects=True)
    assert "Workshop 'Knots' cancelled. 3 people were mailed." in page_text(done)
    db.session.expire_all()
    assert db.session.get(Workshop, ws.id).status == "cancelled"
    assert db.session.get(EventSlot, slots[0].id).workshop_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3
    again = client.post(f"/host/workshops/{ws.id}/cancel", follow_redirects=True)
    assert "This workshop is cancelled." in page_text(again)


def test_the_host_sees_why_it_was_left_out_and_downloads_each_runs_attendees(client, world, make_user):
    slots = room_slots(world["hall"])
    ws = f.workshop(world["con"], world["host"], title="Knots", runs=2)
    f.place(ws, slots[:1], 0)
    f.selection(make_user(name="Ann Attendee", email="ann@example.org"), ws, "registered", slot=slots[0])
    run = ScheduleRun(convention_id=world["con"].id, status="accepted",
                      finished_at=datetime(2027, 4, 20, 8, 0, tzinfo=timezone.utc))
    run.unplaced = [ScheduleRunUnplaced(workshop_id=ws.id, run_index=1,
                                        reasons=["host Hana Host is busy with 'Origami' at Sat 11:00"])]
    db.session.add(run)
    db.session.commit()
    sign_in(client, world["host"])

    for url in ("/host/workshops", f"/host/workshops/{ws.id}/edit"):
        page = words(client.get(url))
        assert ("Why some runs are not on the schedule (auto-schedule of Tue 20 Apr 10:00) Run 2: host Hana Host is "
                "busy with 'Origami' at Sat 11:00") in page, url
        assert f'href="/host/workshops/{ws.id}/runs/1/attendees.csv"' in page_text(client.get(url)), url

    attendees = page_text(client.get(f"/host/workshops/{ws.id}/attendees"))
    assert f'href="/host/workshops/{ws.id}/runs/1/attendees.csv"' in attendees
    response = client.get(f"/host/workshops/{ws.id}/runs/1/attendees.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="attendees-{ws.id}-run-1.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1:] == [["2027-05-01 11:00", "Hall", "Ann Attendee", "ann@example.org", "registered", ""]]
    assert client.get(f"/host/workshops/{ws.id}/runs/2/attendees.csv").status_code == 404
    client.post("/sign-out")
    sign_in(client, make_user(roles=("host",)))
    assert client.get(f"/host/workshops/{ws.id}/runs/1/attendees.csv").status_code == 403
