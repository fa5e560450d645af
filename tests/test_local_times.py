"""Times people read are in the convention's zone and a human format (item 11 of issue 12): every message
and mail a Europe/Berlin convention produces about a moment is rendered, and none shows UTC or ISO."""
from __future__ import annotations

import re

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import OutboxMessage

from . import factories as f

ISO_OR_UTC = re.compile(r"\+00:00|\bUTC\b|\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_messages_and_mails_use_the_conventions_zone(client, auth_headers, make_user, admin):
    con = f.convention(name="Makerfest", tz="Europe/Berlin")  # May: UTC+2, so 09:00 UTC reads 11:00
    room = f.location(con, name="Hall", capacity=1)
    other_room = f.location(con, name="Annex", capacity=10)
    first = f.slots(room, count=1)[0]
    beside = f.slots(other_room, count=1)[0]
    host = make_user(roles=("host",), name="Hana")
    knots = f.workshop(con, host, title="Knots", max_attendees=1)
    sailing = f.workshop(con, host, title="Sailing", max_attendees=10)
    f.place(knots, [first])
    f.place(sailing, [beside])
    ann, bo = make_user(name="Ann"), make_user(name="Bo")
    for person in (ann, bo):
        f.registration(person, con)
    db.session.commit()
    messages = []

    def say(response, status):
        assert response.status_code == status, response.get_json()
        error = response.get_json()["error"]
        messages.append(error["message"])
        messages.extend(str(v) for v in error["fields"].values())
        return error["message"]

    assert client.post(f"/api/workshops/{knots.id}/register", json={"event_slot_id": first.id},
                       headers=auth_headers(ann)).status_code in (200, 201)
    clash = say(client.post(f"/api/workshops/{sailing.id}/register", json={"event_slot_id": beside.id},
                            headers=auth_headers(ann)), 409)
    assert "(Sat 01 May 11:00–12:00)" in clash

    # Bo waits; Ann cancels; Bo is mailed his seat with the local time
    client.post(f"/api/workshops/{knots.id}/register", json={"event_slot_id": first.id}, headers=auth_headers(bo))
    mine = client.get("/api/attendees/selections", headers=auth_headers(ann)).get_json()["items"]
    knots_selection = next(s for s in mine if s["workshop_id"] == knots.id)
    assert client.delete(f"/api/attendees/selections/{knots_selection['id']}",
                         headers=auth_headers(ann)).status_code in (200, 204)
    seat_mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == bo.email))
    assert "Sat 01 May 11:00–12:00" in seat_mail.body

    overlap = say(client.post(f"/api/conventions/{con.id}/event-slots", headers=auth_headers(admin), json={
        "location_id": room.id, "start": "2027-05-01T11:30:00+02:00", "end": "2027-05-01T12:30:00+02:00"}), 409)
    assert "Sat 01 May 11:00–12:00" in overlap

    bulk = client.post(f"/api/conventions/{con.id}/bulk-slots", headers=auth_headers(admin), json={
        "days": ["2027-05-01"], "time_ranges": [{"start": "11:30", "end": "12:30"}], "slot_minutes": 60,
        "gap_minutes": 0, "location_ids": [room.id]})
    assert bulk.status_code in (200, 201), bulk.get_json()
    reasons = [s["reason"] for s in bulk.get_json()["skipped"]]
    assert reasons and "Sat 01 May 11:00–12:00" in reasons[0]
    messages.extend(reasons)

    say(client.post("/api/hosts/availability", headers=auth_headers(host), json={
        "convention_id": con.id, "start": "2027-06-01T09:00:00+02:00", "end": "2027-06-01T10:00:00+02:00"}), 422)
    assert any("Sat 01 May 00:00" in m for m in messages)

    mails = [m.subject + "\n" + m.body for m in db.session.scalars(sa.select(OutboxMessage))]
    assert mails and messages
    for text in messages + mails:
        assert not ISO_OR_UTC.search(text), text
