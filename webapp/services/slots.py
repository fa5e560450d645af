"""Event slots: time slots in a room, one by one or in bulk, and unplacing the workshops they hold."""
from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Convention, EventSlot, Location, User, Workshop
from . import placement
from ..models.types import MAX_ID
from .access import load
from .lookup import get_or_404
from .conventions import admin_convention, convention_window, local_midnight

MAX_BULK_SLOTS = 20_000


@dataclass(frozen=True)
class Skipped:
    location_id: int
    start: datetime
    end: datetime
    reason: str


# unplacing ------------------------------------------------------------------------------------


def unplace_runs(runs: set[tuple[int, int]], reason: str) -> list[int]:
    """Free every slot of the given (workshop_id, run_index) runs, through placement's one rule:
    attendees registered for (or queued on) such a run go back to plain interest with no slot, and
    the registered are told why. Returns the ids of the freed slots."""
    freed: list[int] = []
    for workshop_id, run_index in sorted(runs):
        workshop = db.session.get(Workshop, workshop_id)
        freed += placement.unplace_run(workshop, run_index, reason)
    return freed


# reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedSlot:
    slot: EventSlot
    workshop_visible: bool  # False when free, or when the workshop in it is hidden from the reader


def list_slots(
    actor: User | None, convention_id: int, *, limit: int, offset: int, location_id: int | None = None,
    day: date | None = None, available: bool | None = None,
) -> tuple[list[ListedSlot], int]:
    """A page of the convention's slots; a slot held by a workshop the actor may not see shows as
    taken, without naming the workshop (as the grid shows it)."""
    convention = load(actor, Convention, convention_id)
    visible = and_(Workshop.id == EventSlot.workshop_id, Workshop.visible_to(actor))
    query = (select(EventSlot, Workshop.id.label("visible_workshop_id")).outerjoin(Workshop, visible)
             .where(EventSlot.convention_id == convention.id))
    if location_id is not None:
        query = query.where(EventSlot.location_id == location_id)
    if day is not None:
        query = query.where(
            EventSlot.start >= local_midnight(convention, day),
            EventSlot.start < local_midnight(convention, day + timedelta(days=1)),
        )
    if available is True:
        query = query.where(EventSlot.workshop_id.is_(None))
    elif available is False:
        query = query.where(EventSlot.workshop_id.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(EventSlot.start, EventSlot.location_id, EventSlot.id).limit(limit).offset(offset)
    ).all()
    return [ListedSlot(slot, shown is not None) for slot, shown in rows], total


def placed_workshop(actor: User | None, slot_id: int) -> tuple[Workshop, int, list[int]]:
    """The workshop placed in a slot, its run index and the slots of that run (in time order)."""
    slot = get_or_404(EventSlot, slot_id, "event slot")
    load(actor, Convention, slot.convention_id)
    if slot.workshop_id is None:
        raise NotFound(f"Slot {slot_id} is free: no workshop is placed in it.", code="slot_free",
                       fields={"id": slot_id})
    workshop = db.session.get(Workshop, slot.workshop_id)
    if not workshop.can_view(actor):
        raise NotFound(f"No published workshop is placed in slot {slot_id}.", code="slot_free",
                       fields={"id": slot_id})
    run_slot_ids = list(db.session.scalars(
        select(EventSlot.id).where(EventSlot.workshop_id == workshop.id, EventSlot.run_index == slot.run_index)
        .order_by(EventSlot.start)
    ))
    return workshop, slot.run_index, run_slot_ids


# writing one slot -----------------------------------------------------------------------------


def _slot_in(convention_id: int, slot_id: int) -> EventSlot:
    row = None
    if 0 < slot_id <= MAX_ID:
        row = db.session.scalar(
            select(EventSlot).where(EventSlot.id == slot_id, EventSlot.convention_id == convention_id)
        )
    if row is None:
        raise NotFound(f"No event slot {slot_id} in convention {convention_id}.", fields={"id": slot_id})
    return row


def _locked_locations(convention_id: int, location_ids: list[int], field: str) -> dict[int, Location]:
    """The rooms, locked (on PostgreSQL) so that two writers cannot both squeeze a slot into one gap."""
    rows = db.session.scalars(
        select(Location).where(Location.id.in_(set(location_ids)), Location.convention_id == convention_id)
        .order_by(Location.id).with_for_update()
    ).all()
    found = {row.id: row for row in rows}
    unknown = sorted(set(location_ids) - set(found))
    if unknown:
        raise ValidationFailed(
            "Some locations are not locations of this convention.",
            fields={field: f"unknown: {', '.join(map(str, unknown))}"},
        )
    return found


def _check_inside(convention: Convention, start: datetime, end: datetime) -> None:
    begin, finish = convention_window(convention)
    if start < begin or end > finish:
        span = f"{convention.start_date.isoformat()} to {convention.end_date.isoformat()} ({convention.timezone})"
        raise ValidationFailed(
            f"The slot must lie within the convention's dates, {span}.",
            fields={"start" if start < begin else "end": f"outside {span}"},
        )


def _check_no_overlap(location: Location, start: datetime, end: datetime, exclude_id: int | None = None) -> None:
    query = select(EventSlot).where(
        EventSlot.location_id == location.id, EventSlot.start < end, EventSlot.end > start
    )
    if exclude_id is not None:
        query = query.where(EventSlot.id != exclude_id)
    other = db.session.scalars(query.order_by(EventSlot.start).limit(1)).first()
    if other is not None:
        raise Conflict(
            f"'{location.name}' has slot {other.id} from {other.start:%Y-%m-%d %H:%M} to {other.end:%H:%M} UTC, "
            "which overlaps this one.",
            code="slot_overlap",
            fields={"slot_id": other.id},
        )


def _flush_slots() -> None:
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent writer took the same start in the same room
        db.session.rollback()
        raise Conflict("Another slot starts at that time in that location.", code="slot_overlap") from None


def create_slot(actor: User | None, convention_id: int, *, location_id: int, start: datetime,
                end: datetime) -> EventSlot:
    convention = admin_convention(actor, convention_id)
    location = _locked_locations(convention.id, [location_id], "location_id")[location_id]
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    _check_inside(convention, start, end)
    _check_no_overlap(location, start, end)
    row = EventSlot(convention_id=convention.id, location_id=location.id, start=start, end=end)
    db.session.add(row)
    _flush_slots()
    return row


def _refuse_placed(slot: EventSlot, doing: str) -> None:
    workshop = db.session.get(Workshop, slot.workshop_id)
    raise Conflict(
        f"The slot holds the workshop '{workshop.title}'; {doing} the slot unplaces that run.",
        code="slot_in_use",
        fields={"workshop_id": workshop.id, "cascade": "true unplaces the run first"},
    )


def update_slot(actor: User | None, convention_id: int, slot_id: int, *, location_id: int | None = None,
                start: datetime | None = None, end: datetime | None = None, cascade: bool = False) -> EventSlot:
    convention = admin_convention(actor, convention_id)
    slot = _slot_in(convention.id, slot_id)
    new_location_id = location_id if location_id is not None else slot.location_id
    new_start = start.astimezone(timezone.utc) if start is not None else slot.start
    new_end = end.astimezone(timezone.utc) if end is not None else slot.end
    if (new_location_id, new_start, new_end) == (slot.location_id, slot.start, slot.end):
        return slot
    if new_end <= new_start:
        raise ValidationFailed("The slot must end after it starts.", fields={"end": "must be after start"})
    location = _locked_locations(convention.id, [new_location_id], "location_id")[new_location_id]
    _check_inside(convention, new_start, new_end)
    _check_no_overlap(location, new_start, new_end, exclude_id=slot.id)
    if slot.workshop_id is not None:
        if not cascade:
            _refuse_placed(slot, "changing")
        unplace_runs({(slot.workshop_id, slot.run_index)}, "its time slot was changed")
    slot.location_id, slot.start, slot.end = new_location_id, new_start, new_end
    _flush_slots()
    return slot


def delete_slot(actor: User | None, convention_id: int, slot_id: int, cascade: bool = False) -> None:
    convention = admin_convention(actor, convention_id)
    slot = _slot_in(convention.id, slot_id)
    if slot.workshop_id is not None:
        if not cascade:
            _refuse_placed(slot, "deleting")
        unplace_runs({(slot.workshop_id, slot.run_index)}, "its time slot was removed")
    db.session.delete(slot)
    db.session.flush()


# bulk -----------------------------------------------------------------------------------------


def _wall_clock(day: date, text: str, zone: ZoneInfo) -> datetime:
    """A local "HH:MM" on `day` (24:00 = the next midnight) as an aware UTC instant.

    zoneinfo resolves the ambiguous hour of an autumn change to its first occurrence and a time
    skipped in spring to the offset before the change, as PEP 495 prescribes.
    """
    if text == "24:00":
        day, text = day + timedelta(days=1), "00:00"
    hours, minutes = map(int, text.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(timezone.utc)


def _candidate_times(days: list[date], time_ranges: list[dict], slot_minutes: int, gap_minutes: int,
                     zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Each range's ends are local wall-clock times; the slots in between last real minutes, so a
    range across a DST change yields as many slots as fit in the time that really passes."""
    length, gap = timedelta(minutes=slot_minutes), timedelta(minutes=gap_minutes)
    times: set[tuple[datetime, datetime]] = set()
    for day in days:
        for time_range in time_ranges:
            cursor = _wall_clock(day, time_range["start"], zone)
            finish = _wall_clock(day, time_range["end"], zone)
            while cursor + length <= finish:
                times.add((cursor, cursor + length))
                cursor += length + gap
                if len(times) > MAX_BULK_SLOTS:
                    raise ValidationFailed(f"That would make more than {MAX_BULK_SLOTS} slots; split the request.",
                                           fields={"days": "too many slots"})
    return sorted(times)


def bulk_create_slots(
    actor: User | None, convention_id: int, *, days: list[date], time_ranges: list[dict], slot_minutes: int,
    gap_minutes: int, location_ids: list[int],
) -> tuple[list[EventSlot], list[Skipped]]:
    """Every slot of days x time ranges x locations, in one transaction.

    Running it again creates nothing: a slot identical to an existing one is skipped as existing;
    one that overlaps another slot of its room, or falls outside the convention, is skipped with
    the reason.
    """
    convention = admin_convention(actor, convention_id)
    wanted_days = sorted(set(days))
    outside = [d for d in wanted_days if not convention.start_date <= d <= convention.end_date]
    if len(outside) == len(wanted_days):
        raise ValidationFailed(
            f"Every day is outside the convention ({convention.start_date.isoformat()} to "
            f"{convention.end_date.isoformat()}).",
            fields={"days": f"outside the convention: {', '.join(d.isoformat() for d in outside)}"},
        )
    room_ids = list(dict.fromkeys(location_ids))
    _locked_locations(convention.id, room_ids, "location_ids")
    times = _candidate_times(wanted_days, time_ranges, slot_minutes, gap_minutes, ZoneInfo(convention.timezone))
    if len(times) * len(room_ids) > MAX_BULK_SLOTS:
        raise ValidationFailed(f"That would make more than {MAX_BULK_SLOTS} slots; split the request.",
                               fields={"location_ids": "too many slots"})
    if not times:
        raise ValidationFailed("No slot of that length fits in the time ranges.",
                               fields={"slot_minutes": "longer than every time range"})

    # Existing slots of these rooms around the requested span, in one query.
    taken: dict[int, list[tuple[datetime, datetime, int | None]]] = defaultdict(list)
    for slot in db.session.scalars(
        select(EventSlot).where(
            EventSlot.location_id.in_(room_ids), EventSlot.start < times[-1][1], EventSlot.end > times[0][0]
        ).order_by(EventSlot.start)
    ):
        taken[slot.location_id].append((slot.start, slot.end, slot.id))

    begin, finish = convention_window(convention)
    created: list[EventSlot] = []
    skipped: list[Skipped] = []
    for room_id in room_ids:
        intervals = taken[room_id]  # sorted by start, not overlapping one another
        for start, end in times:
            reason = None
            if start < begin or end > finish:
                reason = "outside the convention's dates"
            else:
                index = bisect_left(intervals, (end,))  # the last slot starting before `end`...
                if index > 0 and intervals[index - 1][1] > start:  # ...is the only one that could overlap
                    other_start, other_end, other_id = intervals[index - 1]
                    if other_id is None:
                        reason = "overlaps another slot of this request"
                    elif (other_start, other_end) == (start, end):
                        reason = f"exists (slot {other_id})"
                    else:
                        reason = (f"overlaps slot {other_id} ({other_start:%Y-%m-%d %H:%M}-"
                                  f"{other_end:%H:%M} UTC)")
            if reason:
                skipped.append(Skipped(room_id, start, end, reason))
                continue
            row = EventSlot(convention_id=convention.id, location_id=room_id, start=start, end=end)
            db.session.add(row)
            created.append(row)
            insort(intervals, (start, end, None))
    _flush_slots()
    return created, skipped
