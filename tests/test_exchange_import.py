"""Importing schedule files over the API and the admins' page: pretalx JSON and frab XML, into a new or an
existing convention, idempotent; bad files get an error naming the line or path and write nothing; XML
entities are refused; imports may be large while every other request keeps the usual body limit."""
from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from webapp.extensions import db
from webapp.models import Convention, EventSlot, ImportedEvent, Location, OutboxMessage, Track, User, Workshop

from . import factories as f
from .conftest import PASSWORD
from .exchange_checks import DATA

PRETALX = DATA / "example-pretalx-democon.json"
CONGRESS = DATA / "31c3_schedule.xml"

SMALL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <version>1</version>
  <conference><acronym>tiny</acronym><title>Tiny Con</title><time_zone_name>Europe/Berlin</time_zone_name></conference>
  <day index="1" date="2027-05-01">
    <room name="Hall">
      <event id="1" guid="0b9c4f8e-58a1-4c55-9e3b-000000000001">
        <start>10:00</start><duration>00:30</duration><room>Hall</room><title>Knots</title><track>Ropes</track>
        <persons><person id="7" email="Ana@Example.org">Ana</person><person id="8">Bo</person></persons>
      </event>
      <event id="2" guid="0b9c4f8e-58a1-4c55-9e3b-000000000002">
        <start>{second_start}</start><duration>00:45</duration><room>{second_room}</room><title>Splices</title>
        <track>Ropes</track><persons><person id="8">Bo</person></persons>
      </event>
    </room>
  </day>
</schedule>
"""


def small(second_start="10:30", second_room="Hall") -> bytes:
    return SMALL_XML.format(second_start=second_start, second_room=second_room).encode()


def upload(client, headers, content: bytes, name="schedule.xml", path="/api/conventions/import", **fields):
    # encoded here, in memory: the test client would spool a large body to a temporary file it never closes
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), name),
                                       **{k: str(v) for k, v in fields.items()}})
    return client.post(path, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Convention, Location, EventSlot, Track, Workshop, User, ImportedEvent))


@pytest.fixture
def admin_headers(make_user, auth_headers):
    return auth_headers(make_user(roles=("admin",)))


def test_a_small_frab_file_becomes_a_convention_with_hosts_invited_by_mail(client, admin_headers):
    response = upload(client, admin_headers, small(), keep_placements="true")
    assert response.status_code == 201, response.get_json()
    report = response.get_json()["report"]
    assert report["counts"] == {"hosts_created": 2, "invitations_sent": 1, "rooms_created": 1, "runs_placed": 2,
                                "slots_created": 5, "tracks_created": 1, "workshops_created": 2}
    con = db.session.get(Convention, response.get_json()["convention_id"])
    assert (con.name, con.timezone, con.status) == ("Tiny Con", "Europe/Berlin", "draft")
    knots = db.session.scalar(sa.select(Workshop).where(Workshop.title == "Knots"))
    assert knots.host.email == "ana@example.org" and knots.host.password_hash is None
    assert [u.display_name for u in knots.cohosts] == ["Bo"] and knots.track.name == "Ropes"
    assert knots.duration_slots == 2 and [loc.name for loc in knots.allowed_locations] == ["Hall"]
    mail = db.session.scalar(sa.select(OutboxMessage))
    assert mail.recipient == "ana@example.org" and "/password-reset/" in mail.body and "Tiny Con" in mail.subject
    placed = db.session.scalars(sa.select(EventSlot).where(EventSlot.workshop_id == knots.id)).all()
    assert [s.start.hour for s in placed] == [8, 8]  # 10:00 in Berlin, May


def test_importing_again_changes_nothing_and_matches_people_by_email(client, admin_headers):
    first = upload(client, admin_headers, small(), keep_placements="true").get_json()
    before = counts()
    version = db.session.get(Convention, first["convention_id"]).schedule_version
    again = upload(client, admin_headers, small(), keep_placements="true", convention_id=first["convention_id"])
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["report"]["counts"] == {"invitations_sent": 0, "slots_created": 0,
                                                    "workshops_unchanged": 2}
    assert counts() == before
    assert db.session.get(Convention, first["convention_id"]).schedule_version == version


def test_a_pretalx_json_export_imports_with_its_guids(client, admin_headers):
    response = upload(client, admin_headers, PRETALX.read_bytes(), name="schedule.json", keep_placements="1")
    assert response.status_code == 201, response.get_json()
    document = json.loads(PRETALX.read_text())
    events = [e for day in document["schedule"]["conference"]["days"] for room in day["rooms"].values() for e in room]
    report = response.get_json()["report"]
    assert report["counts"]["workshops_created"] + len(report["skipped"]) >= len(events)
    keys = set(db.session.scalars(sa.select(ImportedEvent.source_key)))
    assert {f"guid:{e['guid']}" for e in events} >= keys and len(keys) == report["counts"]["workshops_created"]


def test_a_frab_file_whose_guids_are_not_uuids_still_imports_and_exports_uuids(client, admin_headers):
    response = upload(client, admin_headers, CONGRESS.read_bytes(), keep_placements="1")
    assert response.status_code == 201, response.get_json()
    report = response.get_json()["report"]
    assert report["counts"]["workshops_created"] == 138
    con = db.session.get(Convention, response.get_json()["convention_id"])
    assert con.timezone == "Etc/GMT-1"  # the file gives offsets (+01:00) only


@pytest.mark.parametrize("content, where", [
    (b"<schedule><conference><title>x</title></conference><day date='2027-05-01'><room name='A'>",
     "line 1, column"),
    (b"<schedule>\n<conference>\n<title>x</conference>", "line 3"),
    (b"<calendar/>", "root element is <calendar>"),
    (b'{"schedule": {"conference": {"title": "x", "days": [}}}', "line 1, column"),
    (b'{"hello": 1}', "no schedule.conference"),
    (b"just text", "neither a frab schedule.xml"),
    (b"<?xml version='2.0'?>\n<schedule><conference><title>x</title></conference></schedule>",
     "line 1 names version '2.0', which is unknown"),
])
def test_malformed_files_are_refused_naming_where(client, admin_headers, content, where):
    before = counts()
    response = upload(client, admin_headers, content)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_schedule_file" and where in error["message"], error
    assert counts() == before


def test_an_event_in_an_undeclared_room_is_refused(client, admin_headers):
    before = counts()
    error = upload(client, admin_headers, small(second_room="Cellar")).get_json()["error"]
    assert "day[1]/room[Hall]/event[2]" in error["message"] and "Cellar" in error["message"]
    document = json.loads(PRETALX.read_text())
    day = document["schedule"]["conference"]["days"][0]
    day["rooms"]["Ghost Room"] = day["rooms"].pop(next(iter(day["rooms"])))
    for event in day["rooms"]["Ghost Room"]:
        event["room"] = "Ghost Room"
    error = upload(client, admin_headers, json.dumps(document).encode(), name="s.json").get_json()["error"]
    assert "rooms['Ghost Room']" in error["message"] and "not declared" in error["message"]
    assert counts() == before


def test_overlapping_events_are_listed_when_placements_are_kept(client, admin_headers):
    before = counts()
    response = upload(client, admin_headers, small(second_start="10:15"), keep_placements="true")
    error = response.get_json()["error"]
    assert response.status_code == 422 and "overlap" in error["message"]
    assert error["fields"]["problems"] == [
        "Hall: 'Knots' (day[1]/room[Hall]/event[1]) and 'Splices' (day[1]/room[Hall]/event[2]) overlap at "
        "2027-05-01T10:15:00+02:00"]
    assert counts() == before
    assert upload(client, admin_headers, small(second_start="10:15")).status_code == 201  # without places: fine


def test_xml_entities_and_dtds_are_refused(client, admin_headers):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<schedule><conference><title>&lol2;</title></conference></schedule>")
    external = (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                b"<schedule><conference><title>&xxe;</title></conference></schedule>")
    before = counts()
    for content in (bomb, external):
        error = upload(client, admin_headers, content).get_json()["error"]
        assert "DTD or entities" in error["message"]
    assert counts() == before


def test_an_existing_convention_must_hold_the_files_dates(client, admin_headers):
    con = f.convention(start=__import__("datetime").date(2030, 1, 1))
    db.session.commit()
    error = upload(client, admin_headers, small(), convention_id=con.id).get_json()["error"]
    assert "outside the convention's dates" in error["message"]


def test_only_admins_import(client, make_user, auth_headers):
    host = make_user(roles=("host",))
    assert upload(client, auth_headers(host), small()).status_code == 403
    assert upload(client, {}, small()).status_code == 401
    missing = client.post("/api/conventions/import", data={}, headers=auth_headers(make_user(roles=("admin",))),
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["error"]["fields"] == {"file": "missing"}


def test_imports_may_be_large_while_other_requests_keep_the_usual_limit(make_app, make_user):
    app = make_app(MAX_CONTENT_LENGTH=10_000, SLOTWISE_MAX_IMPORT_BYTES=3_000_000)
    client = app.test_client()
    with app.app_context():
        admin = make_user(roles=("admin",))
        token = client.post("/api/auth/token", json={"email": admin.email, "password": PASSWORD}).get_json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        con = f.convention()
        db.session.commit()
        padding = b"<!-- " + b"x" * 1_500_000 + b" -->"
        big = small().replace(b"<schedule>", b"<schedule>" + padding, 1)
        assert upload(client, headers, big).status_code == 201
        too_big = upload(client, headers, big + b"x" * 2_000_000)
        assert too_big.status_code == 413 and too_big.get_json()["error"]["code"] == "body_too_large"
        other = client.put(f"/api/conventions/{con.id}", json={"description": "x" * 20_000}, headers=headers)
        assert other.status_code == 413
        host = make_user(roles=("host",))
        token = client.post("/api/auth/token", json={"email": host.email, "password": PASSWORD}).get_json()
        assert upload(client, {"Authorization": f"Bearer {token['access_token']}"}, big).status_code == 413


def test_the_import_page_uploads_and_reports(client, make_user):
    admin = make_user(roles=("admin",))
    assert client.post("/sign-in", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    assert "Schedule file" in client.get("/conventions/import").get_data(as_text=True)
    page = client.post("/conventions/import", data={"file": (io.BytesIO(small()), "s.xml"), "keep_placements": "1"},
                       content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 201 and "Workshops created: 2" in text and "a new convention" in text
    bad = client.post("/conventions/import", data={"file": (io.BytesIO(b"<oops"), "s.xml")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "malformed at line 1" in bad.get_data(as_text=True)
    assert "Nothing was imported" in bad.get_data(as_text=True)
    attendee = make_user()
    client.post("/sign-out")
    client.post("/sign-in", data={"email": attendee.email, "password": PASSWORD})
    assert client.get("/conventions/import").status_code == 403
