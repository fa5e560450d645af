"""Destructive actions on pages ask first and say what they take with them (items 4 and 5 of issue 12):
unplacing a run with attendees, deleting a room or equipment; and refusals say what the page's own
control does, never "?cascade=true"."""
from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Equipment, EventSlot, Location, OutboxMessage, Selection

from . import factories as f
from .test_host_pages import sign_in

HX = {"HX-Request": "true"}


def page_text(response) -> str:
    """The page's text with runs of white space as one space, as a person reads it."""
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


@pytest.fixture
def placed(make_user):
    """Knots placed in Room A's first two slots (one run), two registered and one waiting."""
    con = f.convention(name="Makerfest")
    room = f.location(con, name="Room A", capacity=30)
    slots = f.slots(room, count=3)
    host = make_user(roles=("host",), name="Hana")
    knots = f.workshop(con, host, title="Knots", duration_slots=2)
    f.place(knots, slots[:2])
    for status in ("registered", "registered", "waitlisted"):
        f.selection(make_user(), knots, status, slot=slots[0])
    db.session.commit()
    return con, room, slots, knots


def test_unplacing_a_run_with_attendees_says_how_many_first(client, admin, placed):
    con, room, slots, knots = placed
    sign_in(client, admin)
    url = f"/conventions/{con.id}/schedule/slots/{slots[0].id}/unassign"

    asked = client.post(url, headers=HX)
    assert asked.status_code == 200
    assert asked.headers["HX-Retarget"] == f"#slot-{slots[0].id}"  # only the cell turns into the question
    text = page_text(asked)
    assert "2 registered attendees lose their seat and are mailed; 1 person on the waitlist loses their place." in text
    assert "Unplace anyway" in text
    assert db.session.get(EventSlot, slots[0].id).workshop_id == knots.id  # nothing happened yet

    done = client.post(url, headers=HX, data={"confirmed": "1"})
    assert done.status_code == 200 and "Unplaced: 2 slot(s) freed." in page_text(done)
    assert db.session.get(EventSlot, slots[0].id).workshop_id is None
    assert set(db.session.scalars(sa.select(Selection.status))) == {"interested"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2


def test_unplacing_a_run_nobody_attends_happens_at_once(client, admin, make_user):
    con = f.convention()
    slots = f.slots(f.location(con), count=1)
    f.place(f.workshop(con, make_user(roles=("host",))), slots)
    db.session.commit()
    sign_in(client, admin)
    done = client.post(f"/conventions/{con.id}/schedule/slots/{slots[0].id}/unassign", headers=HX)
    assert "Unplaced: 1 slot(s) freed." in page_text(done)


def test_deleting_a_room_with_placed_runs_asks_then_unplaces(client, admin, placed):
    con, room, slots, knots = placed
    room_id = room.id
    sign_in(client, admin)
    url = f"/conventions/{con.id}/locations/{room_id}/delete"
    asked = page_text(client.post(url, headers=HX))
    assert "Delete the room 'Room A' and its 3 slots?" in asked
    assert "Placed here, and unplaced with it: Knots (2 registered attendees lose their seat and are mailed)." in asked
    assert db.session.get(Location, room_id) is not None

    # a plain confirmation without the cascade (a run placed after the question) is refused in people's words
    refused = page_text(client.post(url, headers=HX, data={"confirmed": "1"}))
    assert "Workshops are placed in 'Room A': 'Knots'. Deleting the room unplaces them." in refused
    assert "cascade" not in refused

    client.post(url, headers=HX, data={"confirmed": "1", "cascade": "on"})
    assert db.session.scalar(sa.select(Location).filter_by(id=room_id)) is None


def test_deleting_equipment_in_use_asks_and_says_what_loses_it(client, admin, make_user):
    con = f.convention()
    saw = f.equipment(con, "Saw", quantity=2)
    f.location(con, name="Workshop", equipment={saw.id: 1})
    f.workshop(con, make_user(roles=("host",)), needs={saw.id: 1})
    db.session.commit()
    sign_in(client, admin)
    saw_id = saw.id
    url = f"/conventions/{con.id}/equipment/{saw_id}/delete"
    asked = page_text(client.post(url, headers=HX))
    assert "Delete 'Saw'? It is taken from the 1 workshop that needs it and the 1 room it is fixed in." in asked
    assert db.session.get(Equipment, saw_id) is not None
    client.post(url, headers=HX, data={"confirmed": "1", "cascade": "on"})
    assert db.session.scalar(sa.select(Equipment).filter_by(id=saw_id)) is None


def test_api_refusals_keep_the_cascade_hint_in_fields_not_the_message(client, auth_headers, admin, placed):
    con, room, slots, knots = placed
    response = client.delete(f"/api/conventions/{con.id}/locations/{room.id}", headers=auth_headers(admin))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert "?cascade" not in error["message"] and "cascade" in error["fields"]
    response = client.delete(f"/api/conventions/{con.id}/event-slots/{slots[0].id}", headers=auth_headers(admin))
    error = response.get_json()["error"]
    assert error["message"] == "The slot holds the workshop 'Knots'; deleting the slot unplaces that run."
