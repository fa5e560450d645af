"""Reading a published schedule file: frab/pentabarf schedule.xml, or frab/pretalx schedule.json.

Both become one neutral `ScheduleFile`. Nothing here touches the database. XML is parsed with
defusedxml: a file that declares a DTD or entities is refused (no external entities, no expansion
bombs). Every problem names where it is: the line and column of malformed XML or JSON, or the path
of the element (`day[2]/room[Janson]/event[8967]`) that is wrong.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from xml.etree.ElementTree import Element, ParseError
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import ValidationFailed

DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")
CLOCK = re.compile(r"^([0-2]?\d):([0-5]\d)(?::([0-5]\d))?$")
XML_VERSION = re.compile(rb"""^\s*<\?xml\s+version\s*=\s*["']([^"']*)["']""")
KNOWN_XML_VERSIONS = (b"1.0", b"1.1")  # expat reads any other as 1.0 without a word


class ScheduleFileError(ValidationFailed):
    code = "invalid_schedule_file"

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message, fields={"file": message, **({"problems": problems} if problems else {})})


@dataclass
class PersonEntry:
    key: str  # what identifies the person across imports: their email, else the file's id/code/guid/name
    name: str
    email: str | None


@dataclass
class EventEntry:
    key: str  # "guid:<guid>", else "id:<id>"
    guid: str | None
    title: str
    description: str
    track: str | None
    room: str
    start: datetime  # aware
    minutes: int
    persons: list[PersonEntry]
    where: str  # the element's path, for messages


@dataclass
class ScheduleFile:
    title: str
    timezone: str | None
    rooms: list[str] = field(default_factory=list)  # in the order the file declares them
    room_capacities: dict[str, int] = field(default_factory=dict)
    tracks: dict[str, str | None] = field(default_factory=dict)  # name -> colour
    events: list[EventEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what was left out and why, for the report


def read_schedule_file(raw: bytes, default_timezone: str | None = None) -> ScheduleFile:
    text_start = raw.lstrip()[:1]
    if text_start == b"<":
        return _read_xml(raw, default_timezone)
    if text_start == b"{":
        return _read_json(raw, default_timezone)
    raise ScheduleFileError("This is neither a frab schedule.xml nor a schedule.json file.")


# -- shared --------------------------------------------------------------------------------------------


def _minutes(text: str | None, where: str) -> int:
    match = DURATION.match((text or "").strip())
    if not match:
        raise ScheduleFileError(f"{where}: the duration '{text}' is not HH:MM.")
    return int(match[1]) * 60 + int(match[2]) + (1 if match[3] and int(match[3]) >= 30 else 0)


def _clock(text: str | None, where: str) -> time:
    match = CLOCK.match((text or "").strip())
    if not match or int(match[1]) > 23:
        raise ScheduleFileError(f"{where}: the start '{text}' is not HH:MM.")
    return time(int(match[1]), int(match[2]))


def _zone(name: str | None, where: str):
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleFileError(f"{where}: '{name}' is not a known time zone.") from None
    return name


def _zone_for_offset(moment: datetime) -> str | None:
    """An IANA name for a fixed offset ('Etc/GMT-1' is UTC+01:00), when the file gives offsets only."""
    offset = moment.utcoffset()
    if offset is None or offset.total_seconds() % 3600:
        return None
    hours = int(offset.total_seconds() // 3600)
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def _moment(text: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleFileError(f"{where}: the date '{text}' is not an ISO date and time.") from None
    if value.tzinfo is None:
        raise ScheduleFileError(f"{where}: the date '{text}' has no offset from UTC.")
    return value


def _person_key(email: str | None, ids: list, name: str) -> str:
    if email:
        return "email:" + email.strip().lower()
    for kind, value in ids:
        if value not in (None, ""):
            return f"{kind}:{value}"
    return "name:" + " ".join(name.lower().split())


def _finish(file: ScheduleFile, events: list[EventEntry]) -> ScheduleFile:
    seen: dict[str, str] = {}
    for event in events:
        if event.key in seen:
            raise ScheduleFileError(f"{event.where}: the event's {event.key.split(':')[0]} is also used by "
                                    f"{seen[event.key]}; every event needs its own.")
        seen[event.key] = event.where
        if event.minutes <= 0:
            file.skipped.append(f"{event.where} '{event.title}': it has no duration")
        elif event.minutes > 24 * 60:
            file.skipped.append(f"{event.where} '{event.title}': it is longer than a day")
        elif not event.title:
            file.skipped.append(f"{event.where}: it has no title")
        else:
            file.events.append(event)
        for person in list(event.persons):
            if not person.name:
                event.persons.remove(person)
                file.skipped.append(f"{event.where}: a person without a name ({person.key}) was left out")
        if event.track and event.track not in file.tracks:
            file.tracks[event.track] = None
    return file


# -- XML -----------------------------------------------------------------------------------------------


def _text(element: Element, name: str) -> str:
    found = element.find(name)
    return (found.text or "").strip() if found is not None else ""


def _read_xml(raw: bytes, default_timezone: str | None) -> ScheduleFile:
    declared = XML_VERSION.match(raw[:200])
    if declared and declared[1] not in KNOWN_XML_VERSIONS:
        raise ScheduleFileError(f"The XML declaration at line 1 names version "
                                f"'{declared[1].decode(errors='replace')}', which is unknown: a schedule.xml is XML 1.0.")
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except ParseError as error:
        line, column = error.position
        raise ScheduleFileError(f"The XML is malformed at line {line}, column {column + 1}: "
                                f"{str(error).split(':')[0]}.") from None
    except DefusedXmlException as error:
        raise ScheduleFileError(f"The XML declares a DTD or entities, which are not accepted ({type(error).__name__}).") from None
    if root.tag != "schedule":
        raise ScheduleFileError(f"Not a frab schedule.xml: the root element is <{root.tag}>, not <schedule>.")
    conference = root.find("conference")
    if conference is None:
        raise ScheduleFileError("schedule: there is no <conference> element.")
    zone_name = _zone(_text(conference, "time_zone_name"), "schedule/conference/time_zone_name")
    file = ScheduleFile(title=_text(conference, "title") or _text(conference, "acronym") or "Imported schedule",
                        timezone=zone_name)
    for track in conference.findall("track"):
        name = (track.get("name") or track.text or "").strip()
        if name:
            colour = (track.get("color") or "").lower()
            file.tracks[name] = colour if re.match(r"^#[0-9a-f]{6}$", colour) else None
    day_change = _clock(_text(conference, "day_change") or "00:00", "schedule/conference/day_change")
    events = []
    days = root.findall("day")
    if not days:
        raise ScheduleFileError("schedule: there is no <day> element.")
    for day_number, day in enumerate(days, 1):
        where_day = f"day[{day.get('index') or day_number}]"
        try:
            day_date = date.fromisoformat((day.get("date") or "").strip())
        except ValueError:
            raise ScheduleFileError(f"{where_day}: the date '{day.get('date')}' is not YYYY-MM-DD.") from None
        for room in day.findall("room"):
            room_name = (room.get("name") or "").strip()
            if not room_name:
                raise ScheduleFileError(f"{where_day}/room: a room without a name.")
            if room_name not in file.rooms:
                file.rooms.append(room_name)
            for element in room.findall("event"):
                events.append(_xml_event(element, f"{where_day}/room[{room_name}]", room_name, day_date, day_change))
    if file.timezone is None:  # the file's own zone, else the importer's choice, else the events' offset
        aware = [e.start for e in events if e.start.tzinfo is not None]
        file.timezone = (_zone(default_timezone, "timezone") or (_zone_for_offset(aware[0]) if aware else None)
                         or "UTC")
    zone = ZoneInfo(file.timezone)
    for event in events:
        if event.start.tzinfo is None:  # wall-clock only: the convention's time zone says when
            event.start = event.start.replace(tzinfo=zone)
    return _finish(file, events)


def _xml_event(element: Element, where_room: str, room_name: str, day_date: date, day_change: time) -> EventEntry:
    event_id = (element.get("id") or "").strip()
    guid = (element.get("guid") or "").strip() or None
    where = f"{where_room}/event[{event_id or guid or '?'}]"
    said_room = _text(element, "room")
    if said_room and said_room != room_name:
        raise ScheduleFileError(f"{where}: the event names the room '{said_room}', which is not the room "
                                f"'{room_name}' it is listed in.")
    if not guid and not event_id:
        raise ScheduleFileError(f"{where}: the event has neither a guid nor an id.")
    date_text = _text(element, "date")
    if date_text:
        start = _moment(date_text, where + "/date")
    else:
        clock = _clock(_text(element, "start"), where + "/start")
        start = datetime.combine(day_date + timedelta(days=1 if clock < day_change else 0), clock)
    persons = []
    for person in element.iter("person"):
        name = (person.text or "").strip()
        email = (person.get("email") or "").strip() or None
        persons.append(PersonEntry(_person_key(email, [("guid", person.get("guid")), ("id", person.get("id"))], name),
                                   name, email))
    abstract, description = _text(element, "abstract"), _text(element, "description")
    return EventEntry(
        key=f"guid:{guid}" if guid else f"id:{event_id}", guid=guid, title=_text(element, "title"),
        description="\n\n".join(part for part in dict.fromkeys((abstract, description)) if part),
        track=_text(element, "track") or None, room=room_name, start=start,
        minutes=_minutes(_text(element, "duration"), where + "/duration"), persons=persons, where=where)


# -- JSON ----------------------------------------------------------------------------------------------


def _read_json(raw: bytes, default_timezone: str | None) -> ScheduleFile:
    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        raise ScheduleFileError("The JSON is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise ScheduleFileError(f"The JSON is malformed at line {error.lineno}, column {error.colno}: {error.msg}.") from None
    conference = document.get("schedule", {}).get("conference") if isinstance(document, dict) else None
    if not isinstance(conference, dict):
        raise ScheduleFileError("Not a frab schedule.json: there is no schedule.conference object.")
    zone_name = _zone(conference.get("time_zone_name"), "schedule.conference.time_zone_name")
    file = ScheduleFile(title=str(conference.get("title") or conference.get("acronym") or "Imported schedule"),
                        timezone=zone_name or _zone(default_timezone, "timezone") or "UTC")
    declared = conference.get("rooms")
    for index, room in enumerate(declared if isinstance(declared, list) else []):
        name = str(room.get("name", "")).strip() if isinstance(room, dict) else ""
        if not name:
            raise ScheduleFileError(f"schedule.conference.rooms[{index}]: a room without a name.")
        file.rooms.append(name)
        if isinstance(room.get("capacity"), int) and room["capacity"] > 0:
            file.room_capacities[name] = room["capacity"]
    for track in conference.get("tracks") or []:
        if isinstance(track, dict) and track.get("name"):
            colour = str(track.get("color") or "").lower()
            file.tracks[str(track["name"])] = colour if re.match(r"^#[0-9a-f]{6}$", colour) else None
    days = conference.get("days")
    if not isinstance(days, list) or not days:
        raise ScheduleFileError("schedule.conference.days: there are no days.")
    events = []
    for day_index, day in enumerate(days):
        where_day = f"schedule.conference.days[{day_index}]"
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            raise ScheduleFileError(f"{where_day}.rooms: not an object of rooms.")
        for room_name, room_events in rooms.items():
            if declared is not None and room_name not in file.rooms:
                raise ScheduleFileError(f"{where_day}.rooms['{room_name}']: this room is not declared in "
                                        f"schedule.conference.rooms.")
            if room_name not in file.rooms:
                file.rooms.append(room_name)
            for event_index, event in enumerate(room_events if isinstance(room_events, list) else []):
                events.append(_json_event(event, f"{where_day}.rooms['{room_name}'][{event_index}]", room_name))
    return _finish(file, events)


def _json_event(event, where: str, room_name: str) -> EventEntry:
    if not isinstance(event, dict):
        raise ScheduleFileError(f"{where}: not an event object.")
    guid = str(event.get("guid") or "").strip() or None
    event_id = event.get("id")
    if not guid and event_id in (None, ""):
        raise ScheduleFileError(f"{where}: the event has neither a guid nor an id.")
    where = f"{where} (event {event_id or guid})"
    said_room = str(event.get("room") or "").strip()
    if said_room and said_room != room_name:
        raise ScheduleFileError(f"{where}: the event names the room '{said_room}', which is not the room "
                                f"'{room_name}' it is listed in.")
    if not event.get("date"):
        raise ScheduleFileError(f"{where}: the event has no date.")
    persons = []
    for person in event.get("persons") or []:
        if not isinstance(person, dict):
            continue
        name = str(person.get("name") or person.get("public_name") or "").strip()
        email = str(person.get("email") or "").strip() or None
        ids = [("guid", person.get("guid")), ("code", person.get("code")), ("id", person.get("id"))]
        persons.append(PersonEntry(_person_key(email, ids, name), name, email))
    abstract, description = str(event.get("abstract") or "").strip(), str(event.get("description") or "").strip()
    return EventEntry(
        key=f"guid:{guid}" if guid else f"id:{event_id}", guid=guid, title=str(event.get("title") or "").strip(),
        description="\n\n".join(p for p in dict.fromkeys((abstract, description)) if p),
        track=str(event.get("track") or "").strip() or None, room=room_name,
        start=_moment(str(event["date"]), where + ".date"), minutes=_minutes(str(event.get("duration") or ""), where + ".duration"),
        persons=persons, where=where)
