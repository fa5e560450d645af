"""iCalendar (RFC 5545) of published runs, written with the `icalendar` library, and personal feeds.

Times are written in UTC (no VTIMEZONE needed); every event has a stable UID (the run's guid), a
LOCATION (its room), DTSTAMP in UTC, and a SEQUENCE that rises each time the run has moved since a
calendar last showed it (calendar_run_states remembers where that was). A personal feed lives at a
secret address the person can rotate; rotating makes the old address answer 404.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from icalendar import Calendar, Event
from sqlalchemy import or_, select

from ..errors import NotFound
from ..extensions import db
from ..models import CalendarFeed, CalendarRunState, Convention, EventSlot, Selection, User, Workshop, utcnow
from ..models.workshops import workshop_cohosts
from .links import external_url, id_link_maker
from .permissions import require_signed_in
from .published_schedule import PublishedRun, published_schedule

PRODID = "-//Slotwise//Convention schedule//EN"
UID_DOMAIN = "slotwise"


def run_sequences(runs: list[PublishedRun]) -> dict[tuple[int, int], int]:
    """Each run's SEQUENCE: raised (and remembered) when it is not where calendars last saw it."""
    keys = {(r.workshop_id, r.run_index) for r in runs}
    if not keys:
        return {}
    states = {(s.workshop_id, s.run_index): s for s in db.session.scalars(
        select(CalendarRunState).where(CalendarRunState.workshop_id.in_({k[0] for k in keys})))}
    sequences = {}
    for run in runs:
        key = (run.workshop_id, run.run_index)
        state = states.get(key)
        if state is None:
            state = CalendarRunState(workshop_id=run.workshop_id, run_index=run.run_index, location_id=run.room.id,
                                     start=run.start, end=run.end, sequence=0)
            db.session.add(state)
            states[key] = state
        elif (state.location_id, state.start, state.end) != (run.room.id, run.start, run.end):
            state.location_id, state.start, state.end = run.room.id, run.start, run.end
            state.sequence += 1
        sequences[key] = state.sequence
    db.session.flush()
    return sequences


def calendar_ics(name: str, runs: list[PublishedRun], stamp: datetime) -> bytes:
    sequences = run_sequences(runs)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    workshop_url = id_link_maker(external_url, "workshop_pages.detail", "workshop_id")
    for run in runs:
        event = Event()
        event.add("uid", f"{run.guid}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", run.start)
        event.add("dtend", run.end)
        event.add("sequence", sequences[(run.workshop_id, run.run_index)])
        event.add("summary", run.title)
        event.add("location", run.room.name)
        hosts = ", ".join(p.name for p in run.persons)
        event.add("description", f"With {hosts}.\n\n{run.description}".strip())
        if run.track:
            event.add("categories", [run.track])
        event.add("url", workshop_url(run.workshop_id))
        calendar.add_component(event)
    return calendar.to_ical()


def convention_calendar(convention_id: int, location_id: int | None = None) -> bytes:
    schedule = published_schedule(convention_id, location_id=location_id)
    convention = schedule.convention
    name = convention.name if location_id is None else f"{convention.name}: {schedule.rooms[0].name}"
    stamp = convention.schedule_changed_at or convention.created_at
    return calendar_ics(name, schedule.runs, stamp)


# personal feeds --------------------------------------------------------------------------------


def calendar_feed(actor) -> CalendarFeed | None:
    user = require_signed_in(actor)
    return db.session.get(CalendarFeed, user.id)


def rotate_calendar_feed(actor) -> CalendarFeed:
    """A new secret address (the first one, or one replacing the old, which then stops working)."""
    user = require_signed_in(actor)
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.secret = secrets.token_urlsafe(32)
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def feed_urls(feed: CalendarFeed) -> dict[str, str]:
    url = external_url("exchange.personal_calendar", secret=feed.secret)
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def _personal_runs(user: User) -> list[PublishedRun]:
    """The runs the person is registered for and the runs they host, of conventions that are not drafts."""
    registered = set(db.session.execute(
        select(EventSlot.workshop_id, EventSlot.run_index).join(Selection, Selection.event_slot_id == EventSlot.id)
        .where(Selection.user_id == user.id, Selection.status == "registered")).all())
    cohosted = select(workshop_cohosts.c.workshop_id).where(workshop_cohosts.c.user_id == user.id)
    hosted = set(db.session.scalars(
        select(Workshop.id).where(or_(Workshop.host_id == user.id, Workshop.id.in_(cohosted)))))
    wanted = hosted | {workshop_id for workshop_id, _ in registered}
    if not wanted:
        return []
    conventions = set(db.session.scalars(
        select(Workshop.convention_id).join(Convention, Convention.id == Workshop.convention_id)
        .where(Workshop.id.in_(wanted), Convention.status != "draft").distinct()))
    runs = []
    for convention_id in sorted(conventions):
        for run in published_schedule(convention_id, workshop_ids=wanted).runs:
            if run.workshop_id in hosted or (run.workshop_id, run.run_index) in registered:
                runs.append(run)
    return sorted(runs, key=lambda r: (r.start, r.event_id))


def personal_calendar(secret: str) -> bytes:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.secret == secret)) if secret else None
    user = db.session.get(User, feed.user_id) if feed is not None else None
    if user is None or not user.is_active:
        raise NotFound("No such calendar; its address may have been replaced by a new one.")
    runs = _personal_runs(user)
    return calendar_ics(f"Slotwise: {user.display_name}", runs, utcnow())
