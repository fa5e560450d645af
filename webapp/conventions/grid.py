"""The schedule grid's layout: rooms as columns, one row per slot start, a table per local day.

A workshop run is one block spanning the rows its slots cover (a `rowspan`), so two runs side by
side in a room never read as one, and a room whose slots are longer than another's spans several
rows instead of leaving holes. Pure layout: it reads the `Schedule` it is given and touches no database.
What a block shows of its workshop is copied into plain values (`Shown`), so a laid-out day can be kept
and rendered again after the request that read it has ended.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

COVERED = False  # a row position taken by a block that started in an earlier row: no <td> at all


@dataclass(frozen=True)
class ShownTrack:
    id: int
    name: str
    colour: str  # "#rrggbb" as the admin chose it


@dataclass(frozen=True)
class Shown:
    """What a block shows of its workshop."""
    id: int
    title: str
    runs: int
    host_names: tuple[str, ...]
    track: ShownTrack | None

    @classmethod
    def of(cls, workshop, tracks: dict) -> Shown:
        return cls(workshop.id, workshop.title, workshop.runs,
                   (workshop.host.display_name, *(u.display_name for u in workshop.cohosts)),
                   tracks.get(workshop.track_id))


@dataclass
class Cell:
    slots: list  # one slot, or the consecutive slots of one run
    local_start: datetime
    local_end: datetime
    workshop: Shown | None  # the placed workshop, when the viewer may see it
    slot_count: int = 1  # slots of one run merged into this block
    rowspan: int = 1
    mine: bool = False  # the viewer is registered for this run
    hosting: bool = False  # the viewer hosts this workshop
    other_track: bool = False  # a run of a track the grid is not filtered to: shown as taken, untitled

    @property
    def slot(self):
        return self.slots[0]

    @property
    def host_names(self) -> tuple[str, ...]:
        return () if self.workshop is None else self.workshop.host_names


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


def track_rooms(schedule, track_ids: set[int]) -> set[int]:
    """The rooms holding a run of one of these tracks in `schedule` (what a track filter shows)."""
    return {s.location_id for s in schedule.slots if s.workshop_id in schedule.workshops
            and schedule.workshops[s.workshop_id].track_id in track_ids}


def build_grid(schedule, *, room_ids: set[int] | None = None, track_ids: set[int] | None = None,
               mine: frozenset[int] = frozenset(), hosting: frozenset[int] = frozenset(),
               now: datetime | None = None) -> list[Day]:
    """The days of `schedule` laid out for the page.

    room_ids: the rooms to show (None: all); track_ids: the tracks whose runs are shown (None: all; the
    others' blocks are only marked taken); mine: first-slot ids of the runs the viewer is registered
    for; hosting: ids of the workshops the viewer hosts; now: the instant to mark, if inside a day."""
    zone = ZoneInfo(schedule.convention.timezone)
    tracks = {t.id: ShownTrack(t.id, t.name, t.colour) for t in getattr(schedule, "tracks", ())}
    shown = {w.id: Shown.of(w, tracks) for w in schedule.workshops.values()}
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
        workshop = shown.get(first.workshop_id)
        other = (track_ids is not None and workshop is not None
                 and (workshop.track is None or workshop.track.id not in track_ids))
        day.rows[top].cells[column] = Cell(
            block.slots, local_start, last.end.astimezone(zone), None if other else workshop,
            slot_count=len(block.slots), rowspan=span, other_track=other,
            mine=first.id in mine and not other, hosting=workshop is not None and workshop.id in hosting and not other,
        )
        for covered in range(top + 1, top + span):
            day.rows[covered].cells[column] = COVERED
    laid_out = list(days.values())
    if now is not None:
        found = now_row(laid_out, now)
        if found is not None:
            laid_out[found[0]].rows[found[1]].now = True
    return laid_out


def now_row(days: list[Day], now: datetime) -> tuple[int, int] | None:
    """(day, row) of the last row starting at or before `now`, when `now` falls on a day of the grid."""
    for d, day in enumerate(days):
        if not day.rows or day.end is None or now >= day.end:
            continue
        if now.astimezone(day.rows[0].local_start.tzinfo).date() != day.day:
            continue
        started = [r for r, row in enumerate(day.rows) if row.local_start <= now]
        return (d, started[-1]) if started else None
    return None


# track colours ----------------------------------------------------------------------------------

INK, MUTED, WHITE = "#1d2430", "#5b6576", "#ffffff"  # the stylesheet's --ink and --muted, and the page


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` (0 to 1) of `other` mixed in."""
    channels = (round(int(colour[i:i + 2], 16) * (1 - share) + int(other[i:i + 2], 16) * share) for i in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in channels)


def track_colours(colour: str) -> tuple[str, str]:
    """(edge, background) for a track's blocks from the colour its admin chose, whatever it is: the edge
    darkened until it stands out from white (3:1, as a shape must), the background so light that the
    block's text (ink and the muted grey) keeps 4.5:1 on it."""
    edge = _mix(colour, WHITE, 0)  # as "#rrggbb" built here: nothing but hex digits reaches the stylesheet
    for step in range(1, 11):
        if contrast(edge, WHITE) >= 3:
            break
        edge = _mix(colour, "#000000", step / 10)
    for share in (0.86, 0.9, 0.93, 0.96, 1.0):
        background = _mix(colour, WHITE, share)
        if contrast(background, MUTED) >= 4.5 and contrast(background, INK) >= 4.5:
            break
    return edge, background
