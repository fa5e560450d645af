"""The published schedule of a convention, as every export reads it (frab XML/JSON, iCalendar, CSV).

Public exports show a non-draft convention's published workshops that are placed, run by run; a run is
the consecutive slots a workshop holds with one run index. Each run has two stable identities that
apps keep favourites and reminders by: a UUID `guid` (the imported event's own guid for an imported
workshop's first run; otherwise uuid5 of the installation's namespace and the run) and a positive
integer `event_id`.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import db
from ..models import Convention, EventSlot, ImportedEvent, Location, Track, User, Workshop
from ..models.workshops import workshop_cohosts
from .access import load

RUNS_PER_WORKSHOP_ID = 100  # event ids: workshop id × 100 + run index (a workshop has at most 20 runs)
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class Room:
    id: int
    name: str
    capacity: int
    guid: str


@dataclass(frozen=True)
class PublishedRun:
    workshop_id: int
    run_index: int
    event_id: int
    guid: str
    title: str
    description: str
    track: str | None
    room: Room
    start: datetime  # aware, UTC
    end: datetime
    persons: tuple[Person, ...]  # the host first, then the co-hosts
    max_attendees: int

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class PublishedSchedule:
    convention: Convention
    rooms: list[Room]  # in the order the convention's grid shows them
    tracks: list[Track]
    runs: list[PublishedRun]  # by start, then room order
    slot_minutes: int  # the finest grid the runs fall on


def export_namespace() -> uuid.UUID:
    """The installation's namespace for run guids: configured, or derived from the secret key (so every
    server of one installation agrees without sharing a file)."""
    configured = current_app.config.get("SLOTWISE_EXPORT_NAMESPACE")
    if configured:
        return uuid.UUID(configured)
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"slotwise-export-namespace", hashlib.sha256)
    return uuid.UUID(bytes=digest.digest()[:16], version=4)


def run_guid(namespace: uuid.UUID, workshop_id: int, run_index: int, imported_guid: str | None = None) -> str:
    if imported_guid and run_index == 0:
        return imported_guid.lower()
    return str(uuid.uuid5(namespace, f"run:{workshop_id}:{run_index}"))


def event_id(workshop_id: int, run_index: int) -> int:
    return workshop_id * RUNS_PER_WORKSHOP_ID + run_index


def finest_grid(times) -> int:
    """The finest grid that (aware start, minutes) pairs fall on, start times read in their own zone: the
    slot length an import makes and an export announces; 60 when there are none."""
    step = 0
    for start, minutes in times:
        step = math.gcd(step, math.gcd(start.hour * 60 + start.minute, minutes))
    return step or 60


def visible_convention_for_export(convention_id: int) -> Convention:
    """Public files are what a reader who is not signed in may see: never a draft (404, as an unknown id)."""
    return load(None, Convention, convention_id)


def published_schedule(convention_id: int, *, location_id: int | None = None,
                       workshop_ids: set[int] | None = None) -> PublishedSchedule:
    """The public schedule (one room's, or only some workshops' when asked): 404 for drafts and unknown ids."""
    convention = visible_convention_for_export(convention_id)
    namespace = export_namespace()
    locations = list(db.session.scalars(
        select(Location).where(Location.convention_id == convention_id).order_by(Location.name, Location.id)))
    rooms = {loc.id: Room(loc.id, loc.name, loc.capacity, str(uuid.uuid5(namespace, f"room:{loc.id}")))
             for loc in locations}
    if location_id is not None and location_id not in rooms:
        raise NotFound(f"No location {location_id} in convention {convention_id}.", fields={"id": location_id})
    query = (select(EventSlot.workshop_id, EventSlot.run_index, EventSlot.location_id,
                    func.min(EventSlot.start), func.max(EventSlot.end))
             .join(Workshop, Workshop.id == EventSlot.workshop_id)
             .where(EventSlot.convention_id == convention_id, Workshop.status == "published")
             .group_by(EventSlot.workshop_id, EventSlot.run_index, EventSlot.location_id))
    if location_id is not None:
        query = query.where(EventSlot.location_id == location_id)
    if workshop_ids is not None:
        query = query.where(EventSlot.workshop_id.in_(workshop_ids or {0}))
    placed = db.session.execute(query).all()
    workshops, persons = _published_workshops({row[0] for row in placed})
    imported = dict(db.session.execute(
        select(ImportedEvent.workshop_id, ImportedEvent.source_key).where(ImportedEvent.convention_id == convention_id)
    ).all())
    order = {room_id: i for i, room_id in enumerate(rooms)}
    runs = []
    for workshop_id, run_index, room_id, start, end in placed:
        title, description, track, max_attendees = workshops[workshop_id]
        source = imported.get(workshop_id)
        runs.append(PublishedRun(
            workshop_id, run_index, event_id(workshop_id, run_index),
            run_guid(namespace, workshop_id, run_index, source if source and UUID_TEXT.match(source) else None),
            title, description, track, rooms[room_id], start, end, persons[workshop_id], max_attendees))
    runs.sort(key=lambda r: (r.start, order[r.room.id], r.event_id))
    tracks = list(db.session.scalars(
        select(Track).where(Track.convention_id == convention_id).order_by(func.lower(Track.name), Track.id)))
    zone = ZoneInfo(convention.timezone)
    shown_rooms = [rooms[location_id]] if location_id is not None else list(rooms.values())
    return PublishedSchedule(convention, shown_rooms, tracks, runs, finest_grid(
        (r.start.astimezone(zone), r.minutes) for r in runs))


def _published_workshops(ids: set[int]) -> tuple[dict[int, tuple], dict[int, tuple[Person, ...]]]:
    """{id: (title, description, track name, max attendees)} and {id: persons, the host first} of the placed
    workshops, read as plain rows: the query above keeps only published ones of a visible convention (what
    `Workshop.can_view(None)` allows), and 775 workshops with their hosts loaded as objects took longer than
    writing the whole file."""
    wanted = ids or {0}
    workshops = {row[0]: tuple(row[1:]) for row in db.session.execute(
        select(Workshop.id, Workshop.title, Workshop.description, Track.name, Workshop.max_attendees)
        .outerjoin(Track, Track.id == Workshop.track_id).where(Workshop.id.in_(wanted)))}
    persons: dict[int, list[Person]] = {workshop_id: [] for workshop_id in workshops}
    for workshop_id, user_id, name in db.session.execute(
            select(Workshop.id, User.id, User.display_name).join(User, User.id == Workshop.host_id)
            .where(Workshop.id.in_(wanted))):
        persons[workshop_id].append(Person(user_id, name))
    for workshop_id, user_id, name in db.session.execute(
            select(workshop_cohosts.c.workshop_id, User.id, User.display_name)
            .join(User, User.id == workshop_cohosts.c.user_id)
            .join(Workshop, Workshop.id == workshop_cohosts.c.workshop_id)
            .where(workshop_cohosts.c.workshop_id.in_(wanted), User.id != Workshop.host_id)):
        persons[workshop_id].append(Person(user_id, name))
    return workshops, {workshop_id: tuple(found) for workshop_id, found in persons.items()}


def day_change(schedule: PublishedSchedule, zone) -> timedelta:
    """Where one convention day ends and the next begins, as an offset from local midnight: 04:00 when
    something starts in the small hours (a congress's late talks belong to the evening before), else 00:00."""
    if any(run.start.astimezone(zone).hour < 4 for run in schedule.runs):
        return timedelta(hours=4)
    return timedelta(0)


def slug_text(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def acronym(convention: Convention) -> str:
    """Lower-case letters, digits and underscores, at least four: what both frab schemas accept."""
    text = slug_text(convention.name)[:40].strip("_")
    return text if len(text) >= 4 else f"{text}_{convention.id:03d}".lstrip("_")
