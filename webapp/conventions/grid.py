"""The schedule grid's layout: rooms as columns, one row per slot start, a table per local day.

A workshop run is one block spanning the rows its slots cover (a `rowspan`), so two runs side by
side in a room never read as one, and a room whose slots are longer than another's spans several
rows instead of leaving holes. Pure layout: it reads the `Schedule` it is given and touches no database.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

COVERED = False  # a row position taken by a block that started in an earlier row: no <td> at all


@dataclass
class Cell:
    slots: list  # one slot, or the consecutive slots of one run
    local_start: datetime
    local_end: datetime
    workshop: object | None  # the placed workshop, when the viewer may see it
    slot_count: int = 1  # slots of one run merged into this block
    rowspan: int = 1
    mine: bool = False  # the viewer is registered for this run
    hosting: bool = False  # the viewer hosts this workshop

    @property
    def slot(self):
        return self.slots[0]

    @property
    def host_names(self) -> list[str]:
        if self.workshop is None:
            return []
        return [self.workshop.host.display_name] + [u.display_name for u in self.workshop.cohosts]


@dataclass
class Row:
    local_start: datetime
    cells: list
    now: bool = False


@dataclass
class Day:
    day: date
    rows: list[Row] = field(default_factory=list)
    end: datetime | None = None  # when the day's last slot ends


@dataclass
class _Block:
    slots: list

    @property
    def first(self):
        return self.slots[0]


def _blocks(slots) -> list[_Block]:
    """Consecutive slots of one room holding the same run, merged; every other slot alone."""
    blocks: list[_Block] = []
    last_in_room: dict[int, _Block] = {}
    for slot in slots:  # ordered by start
        before = last_in_room.get(slot.location_id)
        if (before is not None and slot.workshop_id is not None
                and (before.slots[-1].workshop_id, before.slots[-1].run_index) == (slot.workshop_id, slot.run_index)):
            before.slots.append(slot)
            continue
        block = _Block([slot])
        blocks.append(block)
        last_in_room[slot.location_id] = block
    return blocks


def build_grid(schedule, *, room_ids: set[int] | None = None, mine: frozenset[int] = frozenset(),
               hosting: frozenset[int] = frozenset(), now: datetime | None = None) -> list[Day]:
    """The days of `schedule` laid out for the page.

    room_ids: the rooms to show (None: all); mine: first-slot ids of the runs the viewer is registered
    for; hosting: ids of the workshops the viewer hosts; now: the instant to mark, if inside a day."""
    zone = ZoneInfo(schedule.convention.timezone)
    rooms = [loc for loc in schedule.locations if room_ids is None or loc.id in room_ids]
    columns = {loc.id: i for i, loc in enumerate(rooms)}
    slots = [s for s in schedule.slots if s.location_id in columns]
    starts_by_day: dict[date, list[datetime]] = {}
    for start in sorted({s.start for s in slots}):
        starts_by_day.setdefault(start.astimezone(zone).date(), []).append(start)
    days: dict[date, Day] = {}
    for day, starts in starts_by_day.items():
        days[day] = Day(day, [Row(start.astimezone(zone), [None] * len(columns)) for start in starts])
    for block in _blocks(slots):
        first, last = block.first, block.slots[-1]
        local_start = first.start.astimezone(zone)
        day = days[local_start.date()]
        starts = starts_by_day[day.day]
        top = bisect_left(starts, first.start)
        span = max(1, bisect_left(starts, last.end) - top)
        day.end = last.end if day.end is None else max(day.end, last.end)
        column = columns[first.location_id]
        workshop = schedule.workshops.get(first.workshop_id)
        day.rows[top].cells[column] = Cell(
            block.slots, local_start, last.end.astimezone(zone), workshop, slot_count=len(block.slots), rowspan=span,
            mine=first.id in mine, hosting=workshop is not None and workshop.id in hosting,
        )
        for covered in range(top + 1, top + span):
            day.rows[covered].cells[column] = COVERED
    if now is not None:
        _mark_now(days, now, zone)
    return list(days.values())


def _mark_now(days: dict[date, Day], now: datetime, zone: ZoneInfo) -> None:
    """Mark the last row starting at or before `now`, when `now` falls on a day of the grid."""
    day = days.get(now.astimezone(zone).date())
    if day is None or day.end is None or now >= day.end:
        return
    started = [row for row in day.rows if row.local_start <= now]
    if started:
        started[-1].now = True
