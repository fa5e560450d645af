"""Independent checks of exported schedule files: two XML Schema validators, two JSON Schema validators,
two iCalendar parsers (shared/formats/README.md names them), and the exports read back as plain events."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import icalendar
import ics
import jsonschema
import xmlschema
from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
XSD = DATA / "schedule.xml.xsd"
JSON_SCHEMA = DATA / "schedule.schema.json"


def assert_valid_xml(body: bytes) -> None:
    xmlschema.XMLSchema(str(XSD)).validate(body.decode())
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(body)
    assert schema.validate(document), schema.error_log.last_error


def assert_valid_json(body: bytes, tmp_path: Path) -> None:
    document = json.loads(body)
    validator = jsonschema.Draft6Validator(json.loads(JSON_SCHEMA.read_text()),
                                           format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    exported = tmp_path / "schedule.json"
    exported.write_bytes(body)
    checked = subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--schemafile", str(JSON_SCHEMA),
                              str(exported)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def xml_events(body: bytes) -> list[dict]:
    """Every event of a schedule.xml as {guid, id, title, room, date, duration, track, persons}."""
    events = []
    for event in etree.fromstring(body).iter("event"):
        events.append({"guid": event.get("guid"), "id": int(event.get("id")), "title": event.findtext("title"),
                       "room": event.findtext("room"), "date": datetime.fromisoformat(event.findtext("date")),
                       "start": event.findtext("start"), "duration": event.findtext("duration"),
                       "track": event.findtext("track"), "persons": [p.text for p in event.iter("person")]})
    return events


def json_events(body: bytes) -> list[dict]:
    events = []
    for day in json.loads(body)["schedule"]["conference"]["days"]:
        for room, room_events in day["rooms"].items():
            for event in room_events:
                assert event["room"] == room
                events.append({"guid": event["guid"], "id": event["id"], "title": event["title"], "room": room,
                               "date": datetime.fromisoformat(event["date"]), "start": event["start"],
                               "duration": event["duration"], "track": event["track"],
                               "persons": [p["public_name"] for p in event["persons"]]})
    return events


def calendar_events(body: bytes) -> list[dict]:
    """The events as both parsers read them; asserts that they agree on each."""
    first = icalendar.Calendar.from_ical(body)
    read = [{"uid": str(e["UID"]), "start": e.decoded("DTSTART"), "end": e.decoded("DTEND"),
             "summary": str(e["SUMMARY"]), "location": str(e["LOCATION"]), "sequence": int(e["SEQUENCE"]),
             "stamp": e.decoded("DTSTAMP")} for e in first.walk("VEVENT")]
    second = {e.uid: e for e in ics.Calendar(body.decode()).events}
    assert len(second) == len(read)
    for event in read:
        other = second[event["uid"]]
        assert other.begin.datetime == event["start"] and other.end.datetime == event["end"]
        assert other.name == event["summary"] and other.location == event["location"]
    return read
