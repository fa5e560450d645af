"""CSV files for organisers: a convention's schedule and a workshop's attendees (its registrations are
services/registration_export.py's).

Admins get everything; a host gets the schedule rows of the workshops they host and their own workshops'
attendees (the same rules as the JSON lists, which these files read through). Times are the convention's local wall-clock time. A cell that a spreadsheet would
run as a formula (starting with =, +, - or @) is written with a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import EventSlot, Location, Selection, Workshop
from ..models.workshops import run_seats
from .attending import hosted_workshop_ids, workshop_attendees
from ..models import Convention
from .access import load
from .permissions import require_signed_in
from .registration_export import spreadsheet_cell
from .workshops import placed_runs

PAGE = 500
LOCAL_TIME = "%Y-%m-%d %H:%M"
def _cell(value) -> str:
    return spreadsheet_cell("" if value is None else str(value))


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _all_pages(fetch):
    offset, total = 0, 1
    while offset < total:
        items, total = fetch(PAGE, offset)
        yield from items
        offset += PAGE


def schedule_csv(actor, convention_id: int) -> str:
    user = require_signed_in(actor)
    convention = load(user, Convention, convention_id)
    if not (user.is_admin or user.has_role("host")):
        raise Forbidden("Only admins and hosts download the schedule as CSV.")
    zone = ZoneInfo(convention.timezone)
    query = (select(EventSlot.workshop_id, EventSlot.run_index, Location.name, Location.capacity,
                    func.min(EventSlot.id), func.min(EventSlot.start), func.max(EventSlot.end))
             .join(Location, Location.id == EventSlot.location_id)
             .where(EventSlot.convention_id == convention.id, EventSlot.workshop_id.is_not(None))
             .group_by(EventSlot.workshop_id, EventSlot.run_index, Location.name, Location.capacity))
    if not user.is_admin:
        query = query.where(EventSlot.workshop_id.in_(hosted_workshop_ids(user.id, convention.id)))
    runs = db.session.execute(query).all()
    workshops = {w.id: w for w in db.session.scalars(
        select(Workshop).where(Workshop.id.in_({r[0] for r in runs} or {0}))
        .options(selectinload(Workshop.host), selectinload(Workshop.cohosts), selectinload(Workshop.track)))}
    registered = dict(db.session.execute(
        select(Selection.event_slot_id, func.count()).where(
            Selection.workshop_id.in_(workshops or {0}), Selection.status == "registered")
        .group_by(Selection.event_slot_id)).all())
    rows = []
    for workshop_id, run_index, room, capacity, first_slot_id, start, end in sorted(runs, key=lambda r: (r[5], r[2])):
        w = workshops[workshop_id]
        hosts = [w.host.display_name] + [u.display_name for u in w.cohosts if u.id != w.host_id]
        title = w.title if w.runs == 1 else f"{w.title} (run {run_index + 1} of {w.runs})"
        rows.append([title, room, start.astimezone(zone).strftime(LOCAL_TIME), end.astimezone(zone).strftime(LOCAL_TIME),
                     "; ".join(hosts), w.track.name if w.track else "", run_seats(w.max_attendees, capacity),
                     registered.get(first_slot_id, 0), w.status])
    return _csv(["run", "room", "start", "end", "hosts", "track", "seats", "registered", "status"], rows)


def attendees_csv(actor, workshop_id: int, run_index: int | None = None) -> str:
    """The workshop's attendees, run by run; with `run_index`, that placed run's alone (404 when it is not
    placed). Who may read them is `workshop_attendees`' rule: the workshop's hosts and admins."""
    people = list(_all_pages(lambda limit, offset: workshop_attendees(actor, workshop_id, limit, offset)))
    workshop = db.session.get(Workshop, workshop_id)
    if run_index is not None:
        run = next((r for r in placed_runs([workshop_id]).get(workshop_id, []) if r.run_index == run_index), None)
        if run is None:
            raise NotFound(f"Run {run_index + 1} of '{workshop.title}' is not on the schedule.",
                           fields={"run_index": run_index})
        people = [p for p in people if p.selection.event_slot_id == run.slots[0].id]
    convention = load(actor, Convention, workshop.convention_id)
    zone = ZoneInfo(convention.timezone)
    slots = {s.id: s for s in db.session.scalars(
        select(EventSlot).where(EventSlot.id.in_({p.selection.event_slot_id for p in people} - {None} or {0}))
        .options(selectinload(EventSlot.location)))}
    rows = []
    for person in people:
        slot = slots.get(person.selection.event_slot_id)
        rows.append([slot.start.astimezone(zone).strftime(LOCAL_TIME) if slot else "",
                     slot.location.name if slot else "", person.user.display_name, person.user.email,
                     person.selection.status, person.waitlist_position or ""])
    return _csv(["run start", "room", "name", "email", "status", "waitlist position"], rows)
