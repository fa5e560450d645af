"""Exports on small conventions: who sees what (drafts and unpublished workshops never), stable guids,
iCalendar SEQUENCE raised when a run moves, personal feeds at rotatable secret addresses, CSV for organisers
(admins everything, hosts their own), and conditional requests."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from webapp.extensions import db
from webapp.models import Track

from . import factories as f
from .conftest import PASSWORD
from .exchange_checks import assert_valid_json, assert_valid_xml, calendar_events, json_events, xml_events
from .factories_attending import at, run


@pytest.fixture
def fest(make_user):
    """An open convention in Berlin: two rooms, a published placed workshop with a co-host and a track, a draft
    placed workshop, and an attendee registered for the published one."""
    host = make_user(roles=("host",), name="Ana")
    cohost = make_user(roles=("host",), name="Bo")
    attendee = make_user(name="Cy")
    con = f.convention(name="Maker Fest", tz="Europe/Berlin")
    hall, lab = f.location(con, "Hall", capacity=50), f.location(con, "Lab", capacity=8)
    track = Track(convention_id=con.id, name="Metal", colour="#aa5500")
    db.session.add(track)
    db.session.flush()
    knots = f.workshop(con, host, title="Knots", max_attendees=20, cohosts=[cohost])
    knots.track_id = track.id
    knots.description = "Tie =things"
    hidden = f.workshop(con, host, title="Secret plans")
    hidden.status = "draft"
    knots_slots = run(knots, hall, at(1))
    run(hidden, lab, at(1))
    spare = f.slots(lab, count=1, start=at(3))
    f.registration(attendee, con)
    f.selection(attendee, knots, status="registered", slot=knots_slots[0])
    db.session.commit()
    return {"con": con, "host": host, "cohost": cohost, "attendee": attendee, "knots": knots, "hidden": hidden,
            "hall": hall, "lab": lab, "spare": spare[0], "knots_slots": knots_slots}


def sign_in(client, user) -> None:
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_public_exports_show_published_runs_only_and_validate(client, fest, tmp_path):
    con = fest["con"]
    xml = client.get(f"/conventions/{con.id}/schedule.xml")
    assert xml.status_code == 200 and xml.content_type.startswith("application/xml")
    events = xml_events(xml.data)
    assert [(e["title"], e["room"], e["start"], e["duration"], e["track"], e["persons"]) for e in events] == [
        ("Knots", "Hall", "12:00", "01:00", "Metal", ["Ana", "Bo"])]  # 10:00 UTC is 12:00 in Berlin in May
    assert events[0]["date"].isoformat() == "2027-05-01T12:00:00+02:00"
    assert_valid_xml(xml.data)
    body = client.get(f"/conventions/{con.id}/schedule.json").data
    assert [e["title"] for e in json_events(body)] == ["Knots"]
    assert_valid_json(body, tmp_path)
    calendar = calendar_events(client.get(f"/conventions/{con.id}/schedule.ics").data)
    assert [(e["summary"], e["location"]) for e in calendar] == [("Knots", "Hall")]
    assert b"Secret plans" not in xml.data + body


def test_a_draft_conventions_files_are_not_found(client, fest):
    con = f.convention(status="draft")
    room = f.location(con)
    db.session.commit()
    for path in ("schedule.xml", "schedule.json", "schedule.ics", f"locations/{room.id}/schedule.ics"):
        assert client.get(f"/conventions/{con.id}/{path}").status_code == 404
    assert client.get(f"/conventions/{fest['con'].id}/locations/{room.id}/schedule.ics").status_code == 404


def test_guids_are_uuids_that_stay_with_their_run(client, fest, make_app):
    con = fest["con"]
    first = xml_events(client.get(f"/conventions/{con.id}/schedule.xml").data)[0]
    assert uuid.UUID(first["guid"]).version == 5
    f.place(fest["knots"], [fest["spare"]], run_index=0)  # a move (the old slot freed below) changes the version
    for slot in fest["knots_slots"]:
        slot.workshop_id, slot.run_index = None, None
    db.session.commit()
    moved = xml_events(client.get(f"/conventions/{con.id}/schedule.xml").data)[0]
    assert (moved["guid"], moved["id"]) == (first["guid"], first["id"]) and moved["room"] == "Lab"
    # another server of the same installation (same secret key, its own cache) gives the same guid
    other = xml_events(make_app().test_client().get(f"/conventions/{con.id}/schedule.xml").data)[0]
    assert other["guid"] == first["guid"]
    elsewhere = make_app(SLOTWISE_EXPORT_NAMESPACE=str(uuid.uuid4())).test_client()
    assert xml_events(elsewhere.get(f"/conventions/{con.id}/schedule.xml").data)[0]["guid"] != first["guid"]


def test_sequence_rises_when_a_run_moves_and_uid_stays(client, fest):
    url = f"/conventions/{fest['con'].id}/schedule.ics"
    before = calendar_events(client.get(url).data)[0]
    assert before["sequence"] == 0 and before["stamp"].utcoffset() == timedelta(0)
    assert calendar_events(client.get(url).data)[0]["sequence"] == 0  # nothing moved
    fest["knots"].title = "Knots!"  # a change that is not a move
    db.session.commit()
    assert calendar_events(client.get(url).data)[0]["sequence"] == 0
    for slot in fest["knots_slots"]:
        slot.workshop_id, slot.run_index = None, None
    f.place(fest["knots"], [fest["spare"]])
    db.session.commit()
    after = calendar_events(client.get(url).data)[0]
    assert (after["uid"], after["sequence"], after["location"]) == (before["uid"], 1, "Lab")
    assert after["start"] == before["start"] + timedelta(hours=2)  # the spare Lab slot is at 12:00 UTC


def test_conditional_requests_get_304_until_the_schedule_changes(client, fest):
    url = f"/conventions/{fest['con'].id}/schedule.json"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, no-cache" and first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    fest["knots"].title = "Knots, again"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Knots, again" in changed.data
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_personal_feed_lists_registered_and_hosted_runs_and_rotates(client, fest, auth_headers):
    attendee, host = fest["attendee"], fest["host"]
    assert client.get("/api/users/me/calendar-feed", headers=auth_headers(attendee)).get_json() == {
        "url": None, "webcal_url": None}
    made = client.post("/api/users/me/calendar-feed", headers=auth_headers(attendee))
    assert made.status_code == 201
    urls = made.get_json()
    assert urls["webcal_url"].startswith("webcal://") and urls["webcal_url"][9:] == urls["url"].split("://")[1]
    path = "/" + urls["url"].split("/", 3)[3]
    events = calendar_events(client.get(path).data)
    assert [(e["summary"], e["location"]) for e in events] == [("Knots", "Hall")]
    rotated = client.post("/api/users/me/calendar-feed", headers=auth_headers(attendee)).get_json()
    assert rotated["url"] != urls["url"]
    assert client.get(path).status_code == 404
    host_feed = client.post("/api/users/me/calendar-feed", headers=auth_headers(host)).get_json()
    hosted = calendar_events(client.get("/" + host_feed["url"].split("/", 3)[3]).data)
    assert [e["summary"] for e in hosted] == ["Knots"]  # the draft "Secret plans" is in no calendar
    assert client.get("/calendar/not-a-secret.ics").status_code == 404
    assert client.get("/api/users/me/calendar-feed").status_code == 401


def test_the_calendar_page_makes_and_replaces_the_address(client, fest):
    sign_in(client, fest["attendee"])
    page = client.get("/calendar").get_data(as_text=True)
    assert "Make my calendar address" in page and "webcal://" not in page
    client.post("/calendar")
    page = client.get("/calendar").get_data(as_text=True)
    assert "webcal://" in page and "Replace the address" in page


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.content_type == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_schedule_csv_for_admins_and_hosts_own_runs(client, fest, make_user, auth_headers):
    con = fest["con"]
    admin = make_user(roles=("admin",))
    rows = read_csv(client.get(f"/api/conventions/{con.id}/schedule.csv", headers=auth_headers(admin)))
    assert rows[0] == ["run", "room", "start", "end", "hosts", "track", "seats", "registered", "status"]
    assert rows[1:] == [["Knots", "Hall", "2027-05-01 12:00", "2027-05-01 13:00", "Ana; Bo", "Metal", "20", "1",
                         "published"],
                        ["Secret plans", "Lab", "2027-05-01 12:00", "2027-05-01 13:00", "Ana", "", "8", "0", "draft"]]
    other_host = make_user(roles=("host",))
    assert read_csv(client.get(f"/api/conventions/{con.id}/schedule.csv", headers=auth_headers(other_host)))[1:] == []
    cohost_rows = read_csv(client.get(f"/api/conventions/{con.id}/schedule.csv", headers=auth_headers(fest["cohost"])))
    assert [r[0] for r in cohost_rows[1:]] == ["Knots"]
    assert client.get(f"/api/conventions/{con.id}/schedule.csv", headers=auth_headers(fest["attendee"])).status_code == 403
    assert client.get(f"/api/conventions/{con.id}/schedule.csv").status_code == 401


def test_registrations_and_attendees_csv_follow_the_list_rules(client, fest, make_user, auth_headers):
    con, attendee = fest["con"], fest["attendee"]
    attendee.display_name = "=HYPERLINK(1)"  # a formula a spreadsheet must not run
    db.session.commit()
    admin = make_user(roles=("admin",))
    rows = read_csv(client.get(f"/api/conventions/{con.id}/registrations.csv", headers=auth_headers(admin)))
    assert rows[0] == ["name", "email", "status", "payment_reference", "registered_at"]
    assert rows[1][:3] == ["'=HYPERLINK(1)", attendee.email, "registered"]
    attendees = read_csv(client.get(f"/api/workshops/{fest['knots'].id}/attendees.csv",
                                    headers=auth_headers(fest["host"])))
    assert attendees[1:] == [["2027-05-01 12:00", "Hall", "'=HYPERLINK(1)", attendee.email, "registered", ""]]
    stranger = make_user(roles=("host",))
    assert client.get(f"/api/workshops/{fest['knots'].id}/attendees.csv",
                      headers=auth_headers(stranger)).status_code == 403
    for outsider in (attendee, fest["host"]):  # registrations: admins only
        assert client.get(f"/api/conventions/{con.id}/registrations.csv",
                          headers=auth_headers(outsider)).status_code == 403


def test_exports_are_linked_where_people_look(client, fest):
    con = fest["con"]
    page = client.get(f"/conventions/{con.id}/workshops").get_data(as_text=True)
    for path in ("schedule.xml", "schedule.json", "schedule.ics"):
        assert f"/conventions/{con.id}/{path}" in page
    assert "webcal://" in page
    sign_in(client, fest["attendee"])
    assert 'href="/calendar"' in client.get("/my/schedule").get_data(as_text=True)


def test_organisers_find_the_csv_files_and_the_import(client, fest, make_user):
    admin = make_user(roles=("admin",))
    sign_in(client, admin)
    con = fest["con"]
    detail = client.get(f"/conventions/{con.id}").get_data(as_text=True)
    assert f"/api/conventions/{con.id}/schedule.csv" in detail and f"/api/conventions/{con.id}/registrations.csv" in detail
    assert "/conventions/import" in client.get("/conventions").get_data(as_text=True)
    attendees = client.get(f"/host/workshops/{fest['knots'].id}/attendees").get_data(as_text=True)
    assert f"/api/workshops/{fest['knots'].id}/attendees.csv" in attendees
