"""FOSDEM 2019 in and out: `slotwise import` of its published schedule.xml keeping every talk where it was,
then the exports. Every event's title, room, start, duration, track and persons survive the round trip
through schedule.xml and schedule.json; the files validate against the shared schemas with two validators
each; the calendars parse with two parsers; importing the file again changes nothing.

The import runs once for the module, into a database of its own (it takes seconds: 775 talks, 7,920 slots).
"""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from webapp import MIGRATIONS_DIR, create_app
from webapp.cli import import_command
from webapp.extensions import db
from webapp.models import Convention, EventSlot, Location, Track, User, Workshop
from webapp.services.accounts import create_user
from webapp.services.schedule_versions import bump

from .conftest import base_config
from .exchange_checks import DATA, assert_valid_json, assert_valid_xml, calendar_events, json_events, xml_events
from .scheduling_helpers import wait_for_run

FOSDEM = DATA / "fosdem2019_schedule.xml"
BRUSSELS = ZoneInfo("Europe/Brussels")


def published_events() -> list[dict]:
    """The file's own events, read plainly (not through the importer) for comparison. Titles and names are
    compared without surrounding white space, which the import drops ("25 Years of FreeBSD ")."""
    root = ElementTree.parse(FOSDEM).getroot()
    events = []
    for day in root.iter("day"):
        for room in day.iter("room"):
            for event in room.iter("event"):
                clock = datetime.strptime(event.findtext("start"), "%H:%M").time()
                events.append({
                    "title": event.findtext("title").strip(), "room": room.get("name"),
                    "date": datetime.combine(datetime.fromisoformat(day.get("date")).date(), clock, tzinfo=BRUSSELS),
                    "duration": event.findtext("duration"), "track": event.findtext("track") or "",
                    "persons": [p.text.strip() for p in event.iter("person")]})
    return events


def comparable(events: list[dict], no_speaker: str) -> Counter:
    return Counter((e["title"], e["room"], e["date"].astimezone(BRUSSELS).isoformat(), e["duration"], e["track"],
                    tuple(e["persons"]) if e["persons"] != [no_speaker] else ()) for e in events)


@pytest.fixture(scope="module")
def fosdem(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fosdem")
    app = create_app(base_config(f"sqlite:///{folder / 'fosdem.db'}", ""))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        db.session.commit()
        result = app.test_cli_runner().invoke(import_command, [str(FOSDEM), "--keep-placements",
                                                               "--timezone", "Europe/Brussels"])
        assert result.exit_code == 0, result.output
        convention = db.session.scalar(sa.select(Convention))
        assert convention.status == "draft"  # nothing is public before an admin has looked
        convention.status = "open"
        create_user("admin@example.org", "correct horse battery", "Admin", {"admin"})
        db.session.commit()
        yield {"app": app, "id": convention.id, "output": result.output}
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def exported(fosdem):
    client = fosdem["app"].test_client()
    files = {}
    for kind in ("xml", "json", "ics"):
        response = client.get(f"/conventions/{fosdem['id']}/schedule.{kind}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        files[kind] = response
    return files


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_import_makes_the_published_convention(fosdem):
    with fosdem["app"].app_context():
        convention = db.session.get(Convention, fosdem["id"])
        assert (convention.name, convention.timezone) == ("FOSDEM 2019", "Europe/Brussels")
        assert (convention.start_date.isoformat(), convention.end_date.isoformat()) == ("2019-02-02", "2019-02-03")
        assert (count(Location), count(Track), count(Workshop), count(EventSlot)) == (33, 62, 775, 33 * 2 * 120)
        slot_lengths = set(db.session.execute(sa.select(EventSlot.start, EventSlot.end)).all())
        assert {end - start for start, end in slot_lengths} == {timedelta(minutes=5)}
        assert count(User) == 729 + 1 + 1  # the speakers, the programme account for talks without one, the admin
        assert db.session.scalar(sa.select(sa.func.count()).where(User.password_hash.is_(None))) == 730
        placed = db.session.scalar(sa.select(sa.func.count(sa.distinct(EventSlot.workshop_id))))
        assert placed == 775
        # a track's talks may use only the rooms that track used: each devroom is its own
        for workshop in db.session.scalars(sa.select(Workshop).limit(50)):
            assert workshop.track is not None
            assert workshop.allowed_locations, workshop.title
    assert '"runs_placed": 775' in fosdem["output"] and "H.2111" in fosdem["output"]  # the empty room, reported


def test_every_event_survives_the_round_trip_through_xml_and_json(fosdem, exported):
    original = published_events()
    no_speaker = "FOSDEM 2019 programme"
    expected = comparable(original, no_speaker)
    assert len(original) == 775
    for events in (xml_events(exported["xml"].data), json_events(exported["json"].data)):
        assert len(events) == 775
        assert comparable(events, no_speaker) == expected
        assert all(e["start"] == e["date"].strftime("%H:%M") for e in events)


def test_the_exports_validate_against_the_shared_schemas(exported, tmp_path):
    assert_valid_xml(exported["xml"].data)
    assert_valid_json(exported["json"].data, tmp_path)


def test_events_have_stable_unique_guids_and_ids_and_days_have_bounds(fosdem, exported):
    xml, json_ = xml_events(exported["xml"].data), json_events(exported["json"].data)
    assert len({e["guid"] for e in xml}) == len({e["id"] for e in xml}) == 775
    assert all(uuid.UUID(e["guid"]) and e["id"] > 0 for e in xml)
    assert {(e["guid"], e["id"]) for e in xml} == {(e["guid"], e["id"]) for e in json_}
    again = fosdem["app"].test_client().get(f"/conventions/{fosdem['id']}/schedule.xml").data
    assert xml_events(again) == xml
    root = ElementTree.fromstring(exported["xml"].data)
    assert [child.tag for child in root][:3] == ["generator", "version", "conference"]
    days = root.findall("day")
    assert [(d.get("index"), d.get("date")) for d in days] == [("1", "2019-02-02"), ("2", "2019-02-03")]
    assert [d.get("start") for d in days] == ["2019-02-02T09:30:00+01:00", "2019-02-03T09:00:00+01:00"]
    assert all(d.get("end").endswith("+01:00") for d in days)


def test_the_convention_calendar_has_every_run_with_its_room(exported):
    events = calendar_events(exported["ics"].data)
    assert len(events) == 775
    assert all(e["location"] for e in events) and len({e["uid"] for e in events}) == 775
    welcome = next(e for e in events if e["summary"] == "Welcome to FOSDEM 2019")
    assert welcome["start"] == datetime(2019, 2, 2, 9, 30, tzinfo=BRUSSELS)
    assert welcome["end"] - welcome["start"] == timedelta(minutes=25) and welcome["location"] == "Janson"


def test_a_room_calendar_has_that_rooms_runs_only(fosdem):
    client = fosdem["app"].test_client()
    with fosdem["app"].app_context():
        janson = db.session.scalar(sa.select(Location).where(Location.name == "Janson"))
    events = calendar_events(client.get(f"/conventions/{fosdem['id']}/locations/{janson.id}/schedule.ics").data)
    in_janson = [e for e in published_events() if e["room"] == "Janson"]
    assert len(events) == len(in_janson) > 10
    assert {e["location"] for e in events} == {"Janson"}


def test_exports_are_cached_per_schedule_version_with_etag_and_last_modified(fosdem, exported):
    client = fosdem["app"].test_client()
    url = f"/conventions/{fosdem['id']}/schedule.xml"
    etag = exported["xml"].headers["ETag"]
    assert exported["xml"].headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": exported["xml"].headers["Last-Modified"]}).status_code == 304
    assert exported["json"].headers["ETag"] != etag


def test_importing_the_same_file_again_changes_nothing(fosdem, exported):
    app = fosdem["app"]
    with app.app_context():
        before = db.session.get(Convention, fosdem["id"]).schedule_version
        counts = [count(m) for m in (Location, Track, Workshop, EventSlot, User)]
        result = app.test_cli_runner().invoke(import_command, [str(FOSDEM), "--keep-placements",
                                                               "--convention-id", str(fosdem["id"])])
        assert result.exit_code == 0, result.output
        assert '"workshops_unchanged": 775' in result.output and '"slots_created": 0' in result.output
        db.session.expire_all()
        assert [count(m) for m in (Location, Track, Workshop, EventSlot, User)] == counts
        assert db.session.get(Convention, fosdem["id"]).schedule_version == before
    again = app.test_client().get(f"/conventions/{fosdem['id']}/schedule.xml",
                                  headers={"If-None-Match": exported["xml"].headers["ETag"]})
    assert again.status_code == 304


def test_the_imported_convention_auto_schedules_from_scratch_and_exports_again(fosdem, tmp_path):
    """Last in the module: it takes every talk off the grid and lets the solver place them again."""
    app = fosdem["app"]
    client = app.test_client()
    with app.app_context():
        db.session.execute(sa.update(EventSlot).values(workshop_id=None, run_index=None))
        bump(db.session, [fosdem["id"]])  # a bulk UPDATE: the session's bookkeeping does not see it
        db.session.commit()
    token = client.post("/api/auth/token", json={"email": "admin@example.org", "password": "correct horse battery"})
    admin = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    try:
        queued = client.post(f"/api/conventions/{fosdem['id']}/auto-schedule", json={"time_limit_seconds": 20},
                             headers=admin)
        assert queued.status_code == 202, queued.get_json()
        run = wait_for_run(client, admin, queued.get_json()["run_id"], {"succeeded", "failed", "infeasible"},
                           timeout=240)
        assert run["status"] == "succeeded", run.get("error") or run["unplaced"][:3]
        # measured here: 769 of 775 placed in 60 s on a loaded machine (the solver's own work: issue 14 asks
        # only that the imported convention schedules and exports); every one left out comes with a reason
        assert len(run["unplaced"]) <= 775 // 50 and all(u["reasons"] for u in run["unplaced"])
        accepted = client.post(f"/api/schedule-runs/{run['id']}/accept", headers=admin)
        assert accepted.status_code == 200, accepted.get_json()
    finally:
        worker = app.extensions.get("slotwise_embedded_worker")
        if worker is not None:
            worker.stop(timeout=30)
    body = client.get(f"/conventions/{fosdem['id']}/schedule.xml").data
    assert_valid_xml(body)
    events = xml_events(body)
    assert len(events) == 775 - len(run["unplaced"])
    track_rooms = {}
    for event in published_events():
        track_rooms.setdefault(event["track"], set()).add(event["room"])
    assert all(e["room"] in track_rooms[e["track"]] for e in events)  # each talk stayed in its track's rooms
    assert Counter(e["title"] for e in events) <= Counter(e["title"] for e in published_events())
