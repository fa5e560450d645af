"""A published schedule written as frab's schedule.xml and schedule.json (shared/formats/README.md).

What apps rely on beyond the schemas: `<version>` before `<conference>`; every day with index, date,
start and end (with offsets); start and duration as zero-padded HH:MM; abstract, track and type present
even when empty; a stable UUID guid and positive integer id per event; numeric person ids.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from .links import external_url, id_link_maker
from .published_schedule import PublishedRun, PublishedSchedule, acronym, day_change, slug_text

GENERATOR = "Slotwise"
EVENT_TYPE = "workshop"
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def hh_mm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(schedule: PublishedSchedule):
    """(index, date, start, end, runs of that day) for every day of the convention, in local time."""
    convention = schedule.convention
    zone = ZoneInfo(convention.timezone)
    change = day_change(schedule, zone)
    by_day: dict = defaultdict(list)
    for run in schedule.runs:
        local_day = (run.start.astimezone(zone) - change).date()
        by_day[min(max(local_day, convention.start_date), convention.end_date)].append(run)
    count = (convention.end_date - convention.start_date).days + 1
    for index in range(count):
        day = convention.start_date + timedelta(days=index)
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + change
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone) + change
        runs = by_day.get(day, [])
        if runs:  # the day's own hours: where the apps start and end its grid
            start, end = min(r.start for r in runs), max(r.end for r in runs)
        yield index + 1, day, start.astimezone(zone), end.astimezone(zone), runs


def _workshop_url():
    return id_link_maker(external_url, "workshop_pages.detail", "workshop_id")


def _event_fields(run: PublishedRun, zone: ZoneInfo, short: str, workshop_url) -> dict:
    local = run.start.astimezone(zone)
    title_slug = slug_text(run.title)[:60].strip("_")
    return {
        "id": run.event_id,
        "guid": run.guid,
        "date": local.isoformat(),
        "start": local.strftime("%H:%M"),
        "duration": hh_mm(run.minutes),
        "room": run.room.name,
        "slug": f"{short}-{run.event_id}" + (f"-{title_slug}" if title_slug else ""),
        "url": workshop_url(run.workshop_id),
        "title": run.title,
        "subtitle": "",
        "track": run.track or "",
        "type": EVENT_TYPE,
        "language": "",
        "abstract": run.description,
        "description": "",
        "persons": [{"id": p.id, "public_name": p.name} for p in run.persons],
    }


def _conference_fields(schedule: PublishedSchedule) -> dict:
    convention = schedule.convention
    return {
        "acronym": acronym(convention),
        "title": convention.name,
        "start": convention.start_date.isoformat(),
        "end": convention.end_date.isoformat(),
        "daysCount": (convention.end_date - convention.start_date).days + 1,
        "timeslot_duration": hh_mm(schedule.slot_minutes),
        "time_zone_name": convention.timezone,
        "url": external_url("workshop_pages.browse", convention_id=convention.id),
    }


def _start(name: str, attributes: dict[str, str]) -> str:
    """An element's name and attributes, values escaped as XML wants (quoteattr also keeps tabs and line breaks)."""
    return name + "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())


def _open(element: str, /, **attributes: str) -> str:
    return f"<{_start(element, attributes)}>"


def _tag(element: str, text: str | None = None, /, **attributes: str) -> str:
    """A whole element as text, its text escaped; empty without text."""
    start = _start(element, attributes)
    return f"<{start}>{escape(text)}</{element}>" if text else f"<{start}/>"


EVENT_TEXTS = ("date", "start", "duration", "room", "slug", "title", "subtitle", "track", "type", "language",
               "abstract", "description")


def schedule_xml(schedule: PublishedSchedule) -> bytes:
    """Written as text, element by element (indented two spaces a level): building an element tree of FOSDEM's
    13,000 elements and serialising it took most of the export's time."""
    convention = schedule.convention
    zone = ZoneInfo(convention.timezone)
    conference = _conference_fields(schedule)
    out = [XML_DECLARATION + "<schedule>", "  " + _tag("generator", name=GENERATOR),
           "  " + _tag("version", str(convention.schedule_version)), "  <conference>"]
    out += ["    " + _tag(name, conference[name]) for name in ("acronym", "title", "start", "end")]
    out.append("    " + _tag("days", str(conference["daysCount"])))
    out += ["    " + _tag(name, conference[name]) for name in ("timeslot_duration", "time_zone_name", "url")]
    out += ["    " + _tag("track", track.name, name=track.name, color=track.colour) for track in schedule.tracks]
    out.append("  </conference>")
    short = conference["acronym"]
    workshop_url = _workshop_url()
    for index, day, start, end, runs in _days(schedule):
        out.append("  " + _open("day", index=str(index), date=day.isoformat(), start=start.isoformat(),
                                end=end.isoformat()))
        by_room: dict = defaultdict(list)
        for run in runs:
            by_room[run.room.id].append(run)
        for room in schedule.rooms:
            events = by_room.get(room.id, [])
            if not events:
                out.append("    " + _tag("room", name=room.name, guid=room.guid))
                continue
            out.append("    " + _open("room", name=room.name, guid=room.guid))
            for run in events:
                fields = _event_fields(run, zone, short, workshop_url)
                out.append("      " + _open("event", id=str(fields["id"]), guid=fields["guid"]))
                out += ["        " + _tag(name, str(fields[name])) for name in EVENT_TEXTS]
                if fields["persons"]:
                    out.append("        <persons>")
                    out += ["          " + _tag("person", person["public_name"], id=str(person["id"]))
                            for person in fields["persons"]]
                    out.append("        </persons>")
                else:
                    out.append("        <persons/>")
                out += ["        <links/>", "        " + _tag("url", fields["url"]), "      </event>"]
            out.append("    </room>")
        out.append("  </day>")
    out.append("</schedule>\n")
    return "\n".join(out).encode()


def schedule_document(schedule: PublishedSchedule) -> dict:
    zone = ZoneInfo(schedule.convention.timezone)
    conference = _conference_fields(schedule)
    short = conference["acronym"]
    workshop_url = _workshop_url()
    days = []
    for index, day, start, end, runs in _days(schedule):
        rooms: dict[str, list] = {room.name: [] for room in schedule.rooms}
        for run in runs:
            event = _event_fields(run, zone, short, workshop_url)
            event["links"] = []
            rooms[run.room.name].append(event)
        days.append({"index": index, "date": day.isoformat(), "day_start": start.isoformat(),
                     "day_end": end.isoformat(), "rooms": rooms})
    conference["tracks"] = [{"name": t.name, "color": t.colour} for t in schedule.tracks]
    conference["rooms"] = [{"name": r.name, "guid": r.guid, "capacity": r.capacity} for r in schedule.rooms]
    conference["days"] = days
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR},
        "schedule": {"version": str(schedule.convention.schedule_version), "conference": conference},
    }


def schedule_json(schedule: PublishedSchedule) -> bytes:
    return json.dumps(schedule_document(schedule), ensure_ascii=False, indent=1).encode()
