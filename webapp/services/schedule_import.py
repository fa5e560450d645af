"""Importing a published schedule (services/schedule_files.py reads the file) into a new or an existing
convention, in the caller's one transaction.

What it makes: rooms (matched by name); the days' slots, every room alike, on the finest grid the
file's starts and durations fall on (from each day's first start to its last end); tracks (by name);
each person as a host account without a password (matched by email when the file has one, else by the
file's person id, which becomes an address under `.invalid`; people with a real address get an
invitation mail); each event as a workshop of its track, held to the rooms its track used, with all its
persons as host and co-hosts. With `keep_placements`, each event is placed where it was published.
Importing the same file again changes nothing: events are matched by guid (or id) through
`imported_events`. Everything is checked before anything is written, so a bad file writes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import Conflict
from ..extensions import db
from ..models import Convention, EventSlot, ImportedEvent, Location, Track, User, UserRole, Workshop
from ..models.accounts import EMAIL_MAX, NAME_MAX
from ..models.conventions import TITLE_MAX
from ..models.exchange import SOURCE_KEY_MAX
from ..models.tracks import DEFAULT_COLOUR
from .accounts import create_user, normalise_email, send_invitation
from .conventions import admin_convention
from .collector import collector_paused
from .permissions import require_admin
from .published_schedule import finest_grid, slug_text
from .schedule_files import EventEntry, PersonEntry, ScheduleFile, ScheduleFileError, read_schedule_file

DEFAULT_CAPACITY = 100  # the formats carry no room sizes (pretalx's JSON sometimes does)
PLACEHOLDER_DOMAIN = "import.invalid"  # RFC 2606: never delivered


@dataclass
class ImportReport:
    convention_id: int
    created_convention: bool
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"convention_id": self.convention_id, "created_convention": self.created_convention,
                "counts": dict(sorted(self.counts.items())), "skipped": self.skipped, "notes": self.notes}


def slot_minutes(file: ScheduleFile) -> int:
    """The finest grid every published start (minutes after local midnight) and duration falls on."""
    zone = ZoneInfo(file.timezone)
    return finest_grid((event.start.astimezone(zone), event.minutes) for event in file.events)


def _day_windows(file: ScheduleFile) -> dict[date, tuple[datetime, datetime]]:
    """Every day that has events gets slots over one daily window: from the earliest time of day any
    event starts to the latest any ends (past midnight when a night runs long), so every day's grid
    has the same rows, as the published schedules draw them."""
    zone = ZoneInfo(file.timezone)
    days: set[date] = set()
    first, last = None, None
    for event in file.events:
        local = event.start.astimezone(zone)
        days.add(local.date())
        begin = local.hour * 60 + local.minute
        first = begin if first is None else min(first, begin)
        last = begin + event.minutes if last is None else max(last, begin + event.minutes)
    windows = {}
    for day in days:
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        windows[day] = (midnight + timedelta(minutes=first), midnight + timedelta(minutes=last))
    return windows


def _overlaps(file: ScheduleFile) -> list[str]:
    by_room = defaultdict(list)
    for event in file.events:
        by_room[event.room].append(event)
    found = []
    for room, events in by_room.items():
        events.sort(key=lambda e: e.start)
        latest: EventEntry | None = None
        for event in events:
            if latest is not None and event.start < latest.start + timedelta(minutes=latest.minutes):
                found.append(f"{room}: '{latest.title}' ({latest.where}) and '{event.title}' ({event.where}) overlap "
                             f"at {event.start.isoformat()}")
            if latest is None or event.start + timedelta(minutes=event.minutes) > latest.start + timedelta(minutes=latest.minutes):
                latest = event
    return found


def _placeholder_email(person: PersonEntry, short: str) -> str:
    local = slug_text(person.key.replace(":", "-"))[:50] or "person"
    return f"{local}@{short[:60]}.{PLACEHOLDER_DOMAIN}"[:EMAIL_MAX]


class _People:
    """Host accounts by the file's person key: found by email, or made without a password."""

    def __init__(self, short: str, report: ImportReport, convention_name: str):
        self.short, self.report, self.convention_name = short, report, convention_name
        self.by_key: dict[str, User] = {}
        self.invite: list[User] = []

    def load(self, persons: list[PersonEntry]) -> None:
        emails = {p.key: normalise_email(p.email) if p.email else _placeholder_email(p, self.short) for p in persons}
        found = {u.email: u for u in db.session.scalars(
            select(User).where(User.email.in_(set(emails.values()) or {""})).options(selectinload(User.role_rows)))}
        for person in persons:
            if person.key in self.by_key:
                continue
            email = emails[person.key]
            user = found.get(email)
            if user is None:
                user = create_user(email, None, person.name[:NAME_MAX], {"host"}, flush=False)
                found[email] = user
                self.report.counts["hosts_created"] += 1
                if person.email:
                    self.invite.append(user)
            elif not user.has_role("host"):
                user.role_rows.append(UserRole(role="host"))
                self.report.counts["hosts_given_host_role"] += 1
            self.by_key[person.key] = user


def _check_inside(convention: Convention, file: ScheduleFile) -> None:
    zone = ZoneInfo(convention.timezone)
    outside = [e for e in file.events if not convention.start_date <= e.start.astimezone(zone).date() <= convention.end_date]
    if outside:
        raise ScheduleFileError(
            f"{len(outside)} event(s) fall outside the convention's dates ({convention.start_date} to "
            f"{convention.end_date}), the first at {outside[0].start.isoformat()} ({outside[0].where}).")


def import_schedule(actor, file: ScheduleFile, *, convention_id: int | None = None,
                    keep_placements: bool = False) -> ImportReport:
    require_admin(actor)
    if keep_placements:
        overlapping = _overlaps(file)
        if overlapping:
            raise ScheduleFileError(f"{len(overlapping)} pair(s) of events overlap in one room, so their places "
                                    "cannot be kept.", problems=overlapping[:50])
    step = slot_minutes(file)
    windows = _day_windows(file)
    if convention_id is None:
        days = sorted(windows) or [date.today()]
        convention = Convention(name=file.title[:TITLE_MAX], start_date=days[0], end_date=days[-1],
                                timezone=file.timezone, status="draft")
        db.session.add(convention)
        db.session.flush()
        created = True
    else:
        convention = admin_convention(actor, convention_id)
        convention = db.session.get(Convention, convention.id, with_for_update=True)
        if convention.status == "closed":
            raise Conflict("The convention is closed; nothing can be imported into it.", code="convention_closed")
        _check_inside(convention, file)
        created = False
    report = ImportReport(convention.id, created)
    report.skipped.extend(file.skipped)
    report.notes.append(f"Slots are {step} minutes long: the finest grid the file's times fall on.")
    short = slug_text(file.title)[:40] or f"convention_{convention.id}"

    # rooms that hold events, in the file's order; slots for every day from its first start to its last end
    used_rooms = [name for name in file.rooms if any(e.room == name for e in file.events)]
    for name in file.rooms:
        if name not in used_rooms:
            report.skipped.append(f"room '{name}': no event takes place in it")
    rooms = {loc.name: loc for loc in db.session.scalars(select(Location).where(Location.convention_id == convention.id))}
    for name in used_rooms:
        if name not in rooms:
            capacity = file.room_capacities.get(name, DEFAULT_CAPACITY)
            rooms[name] = Location(convention_id=convention.id, name=name[:TITLE_MAX], capacity=capacity)
            db.session.add(rooms[name])
            report.counts["rooms_created"] += 1
    if report.counts.get("rooms_created") and not file.room_capacities:
        report.notes.append(f"The file gives no room sizes: new rooms seat {DEFAULT_CAPACITY}; change them in the "
                            "convention's rooms.")
    db.session.flush()
    slots = {(s.location_id, s.start): s for s in db.session.scalars(
        select(EventSlot).where(EventSlot.convention_id == convention.id))}
    used_ids = {rooms[name].id for name in used_rooms}
    other_grid = sorted({rooms_by_id.name for s in slots.values() if s.location_id in used_ids
                         and s.end - s.start != timedelta(minutes=step)
                         for rooms_by_id in [db.session.get(Location, s.location_id)]})
    if other_grid:
        raise ScheduleFileError(f"These rooms already have slots that are not {step} minutes long, which the file's "
                                f"times need: {', '.join(other_grid)}.")
    # the slots are written last, in one batch that already holds the placements
    wanted_slots: list[tuple[int, datetime]] = []
    for day, (first, last) in sorted(windows.items()):
        for name in used_rooms:
            location_id = rooms[name].id
            moment = first
            while moment < last:
                start = moment.astimezone(timezone.utc)
                if (location_id, start) not in slots:
                    wanted_slots.append((location_id, start))
                moment += timedelta(minutes=step)
    new_slots = set(wanted_slots)

    # tracks, and the rooms each one used
    tracks = {t.name: t for t in db.session.scalars(select(Track).where(Track.convention_id == convention.id))}
    for name, colour in file.tracks.items():
        if name not in tracks:
            tracks[name] = Track(convention_id=convention.id, name=name[:TITLE_MAX], colour=colour or DEFAULT_COLOUR)
            db.session.add(tracks[name])
            report.counts["tracks_created"] += 1
    track_rooms: dict[str, list[str]] = defaultdict(list)
    for event in file.events:
        if event.track and event.room not in track_rooms[event.track]:
            track_rooms[event.track].append(event.room)

    people = _People(short, report, convention.name)
    people.load([p for e in file.events for p in e.persons])
    programme = None
    if any(not e.persons for e in file.events):
        programme_person = PersonEntry(f"programme:{short}", f"{file.title[:80]} programme", None)
        people.load([programme_person])
        programme = people.by_key[programme_person.key]
        report.notes.append(f"Events without a speaker are hosted by the account '{programme.display_name}'.")
    db.session.flush()

    known = {row.source_key: row for row in db.session.scalars(
        select(ImportedEvent).where(ImportedEvent.convention_id == convention.id))}
    existing = {w.id: w for w in db.session.scalars(
        select(Workshop).where(Workshop.id.in_({row.workshop_id for row in known.values()} or {0}))
        .options(selectinload(Workshop.cohosts), selectinload(Workshop.allowed_locations)))}
    placed_runs = {workshop_id for (workshop_id,) in db.session.execute(
        select(EventSlot.workshop_id).where(EventSlot.convention_id == convention.id,
                                            EventSlot.workshop_id.is_not(None)).distinct())}
    placements: list[tuple[Workshop, EventEntry]] = []
    for event in file.events:
        key = event.key[:SOURCE_KEY_MAX]
        hosts = [people.by_key[p.key] for p in event.persons] or [programme]
        hosts = list(dict.fromkeys(hosts))  # a person listed twice is one host
        duration = event.minutes // step
        allowed = [rooms[name] for name in track_rooms[event.track]] if event.track else []
        values = {"title": event.title[:TITLE_MAX], "description": event.description[:10_000],
                  "duration_slots": duration, "track": tracks[event.track] if event.track else None}
        row = known.get(key)
        workshop = existing.get(row.workshop_id) if row else None
        if workshop is None:
            workshop = Workshop(convention_id=convention.id, host=hosts[0], max_attendees=rooms[event.room].capacity,
                                runs=1, priority=1, status="published", **values)
            workshop.cohosts = hosts[1:]
            workshop.allowed_locations = allowed
            db.session.add(workshop)
            db.session.add(ImportedEvent(convention_id=convention.id, source_key=key, workshop=workshop))
            report.counts["workshops_created"] += 1
        else:
            changed = False
            for name, value in values.items():
                if getattr(workshop, name) != value:
                    setattr(workshop, name, value)
                    changed = True
            if [u.id for u in workshop.cohosts] != [u.id for u in hosts[1:]] or workshop.host_id != hosts[0].id:
                workshop.host, workshop.cohosts = hosts[0], hosts[1:]
                changed = True
            if {loc.id for loc in workshop.allowed_locations} != {loc.id for loc in allowed}:
                workshop.allowed_locations = allowed
                changed = True
            report.counts["workshops_updated" if changed else "workshops_unchanged"] += 1
        if keep_placements and (workshop.id is None or workshop.id not in placed_runs):
            placements.append((workshop, event))
    db.session.flush()

    placed_at: dict[tuple[int, datetime], int] = {}
    for workshop, event in placements:
        location = rooms[event.room]
        needed = [(location.id, (event.start + timedelta(minutes=i * step)).astimezone(timezone.utc))
                  for i in range(workshop.duration_slots)]
        free = all(key in new_slots or (key in slots and slots[key].workshop_id in (None, workshop.id))
                   for key in needed) and not any(key in placed_at for key in needed)
        if not free:
            report.skipped.append(f"{event.where} '{event.title}': its published place in {event.room} is taken "
                                  "or has no slots; it stays unplaced")
            continue
        for key in needed:
            placed_at[key] = workshop.id
        report.counts["runs_placed"] += 1
    for key, workshop_id in placed_at.items():
        if key in slots:
            slots[key].workshop_id, slots[key].run_index = workshop_id, 0
    db.session.add_all([
        EventSlot(convention_id=convention.id, location_id=location_id, start=start, end=start + timedelta(minutes=step),
                  workshop_id=placed_at.get((location_id, start)),
                  run_index=0 if (location_id, start) in placed_at else None)
        for location_id, start in wanted_slots])
    report.counts["slots_created"] = len(wanted_slots)
    db.session.flush()
    for user in people.invite:
        send_invitation(user, convention.name)
    report.counts["invitations_sent"] = len(people.invite)
    return report


def import_schedule_file(actor, raw: bytes, *, convention_id: int | None = None, keep_placements: bool = False,
                         timezone_name: str | None = None) -> ImportReport:
    """Read and import a file: who may comes first, then the file's problems, then the writing."""
    require_admin(actor)
    if convention_id is not None:  # a file without a time zone is read in the convention's
        timezone_name = timezone_name or admin_convention(actor, convention_id).timezone
    with collector_paused():
        file = read_schedule_file(raw, timezone_name)
        return import_schedule(actor, file, convention_id=convention_id, keep_placements=keep_placements)
