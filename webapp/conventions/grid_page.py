"""The schedule page's day tables, rendered once per schedule version and marked per viewer afterwards.

A day of the large demo is 60 rooms x 8 rows, about 480 blocks: laying it out and rendering it is most
of the page's time, yet it changes only when the schedule does. So each server process keeps the
rendered tables per (convention, version, day, room and track filter, audience, what the viewer may
do) in the same versioned cache as the JSON grid (services/schedule_grid.py decides the audience), cut
into pieces at every cell and every row's time. A request then only re-renders the few pieces that are
its own: the viewer's registered runs and hosted workshops, the "now" row, a cell being placed or
refused, and puts its form token where the placeholder stands. Hosts of an unpublished placed workshop
and every write (POST) get their tables built fresh, never stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask import get_template_attribute, render_template, request
from markupsafe import Markup

from ..services import placement
from ..services.schedule_grid import audience_of
from ..services.versioned_cache import app_cache
from .grid import Cell, Day, ShownTrack, build_grid, now_row, track_rooms

CUT, SEP = "\x1e", "\x1f"  # around each piece a viewer may change: CUT key SEP markup CUT
TOKEN = "\x1dform-token\x1d"  # stands for the viewer's CSRF token in the stored markup
PAGE_CACHE_ENTRIES = 48  # per process; every day of the large demo for an admin is about 1 MB of markup


@dataclass(frozen=True)
class Room:
    id: int
    name: str
    capacity: int


@dataclass
class Tables:
    rooms: list[Room]  # every room of the convention (the filter offers them)
    tracks: list[ShownTrack]  # every track of the convention
    shown_rooms: list[Room]
    shown_tracks: list[ShownTrack]  # the tracks with a block on the days shown (the legend)
    days: list[Day]
    pieces: list[str] = field(default_factory=list)
    at: dict[str, int] = field(default_factory=dict)  # piece key -> index in pieces
    cells: dict[int, Cell] = field(default_factory=dict)  # first slot id -> its cell, as stored
    by_workshop: dict[int, list[int]] = field(default_factory=dict)  # workshop id -> first slot ids


def _cut(markup: str, tables: Tables) -> None:
    pieces = markup.split(CUT)
    for i in range(1, len(pieces), 2):
        key, piece = pieces[i].split(SEP, 1)
        tables.at[key] = i
        pieces[i] = piece
    tables.pieces = pieces


def _lay_out(convention_id: int, reader, between, room_ids: list[int], track_ids: list[int],
             render_context: dict) -> Tables:
    schedule = placement.convention_schedule(reader, convention_id, between=between)
    rooms = {loc.id for loc in schedule.locations} & set(room_ids) or None
    tracks = {t.id for t in schedule.tracks} & set(track_ids) or None
    if tracks is not None:  # a track filter shows the rooms its runs are in
        rooms = (rooms if rooms is not None else {loc.id for loc in schedule.locations}) & track_rooms(schedule, tracks)
    days = build_grid(schedule, room_ids=rooms, track_ids=tracks)
    all_rooms = [Room(loc.id, loc.name, loc.capacity) for loc in schedule.locations]
    all_tracks = [ShownTrack(t.id, t.name, t.colour) for t in schedule.tracks]
    shown = {c.workshop.track.id for d in days for row in d.rows for c in row.cells
             if c and c.workshop is not None and c.workshop.track is not None}
    tables = Tables(all_rooms, all_tracks, [r for r in all_rooms if rooms is None or r.id in rooms],
                    [t for t in all_tracks if t.id in shown], days)
    for day in days:
        for row in day.rows:
            for cell in row.cells:
                if cell:
                    tables.cells[cell.slot.id] = cell
                    if cell.workshop is not None:
                        tables.by_workshop.setdefault(cell.workshop.id, []).append(cell.slot.id)
    markup = render_template("conventions/_grid_days.html", days=days, shown_rooms=tables.shown_rooms,
                             cut=CUT, sep=SEP, **{**render_context, "form_token": TOKEN})
    _cut(markup, tables)
    return tables


def grid_tables(actor, convention_id: int, *, chosen: str, between: tuple[datetime, datetime] | None,
                room_ids: list[int], track_ids: list[int], mode: str, render_context: dict) -> Tables:
    """The tables of the chosen day(s) as this audience sees them, from the cache on a read.
    mode: what the viewer may do, which changes every cell ("admin", "placer" or "reader")."""
    audience = audience_of(actor, convention_id)

    def lay_out():
        return _lay_out(convention_id, audience.reader if audience.name else actor, between, room_ids, track_ids,
                        render_context)

    if audience.name is None or request.method != "GET":
        return lay_out()
    key = (*audience.key, "page", chosen, tuple(room_ids), tuple(track_ids), audience.name, mode)
    return app_cache("schedule-page", PAGE_CACHE_ENTRIES).cached(key, audience.version, lay_out)


def assemble(tables: Tables, *, mine: frozenset[int], hosting: frozenset[int], now: datetime,
             touched: set[int], form_token: str, cell_context: dict) -> tuple[Markup, list[Day]]:
    """The stored tables with this viewer's pieces rendered again: their runs (`mine`: first slot ids),
    their workshops (`hosting`), the "now" row and the `touched` cells (picked, refused, asking first).
    Returns the markup and the days as this viewer sees them (their cells marked)."""
    pieces = list(tables.pieces)
    days = tables.days
    changed: dict[int, Cell] = {}
    for slot_id in mine:
        if slot_id in tables.cells:
            changed[slot_id] = tables.cells[slot_id]
    for workshop_id in hosting:
        for slot_id in tables.by_workshop.get(workshop_id, ()):
            changed[slot_id] = tables.cells[slot_id]
    for slot_id in touched:
        if slot_id in tables.cells:
            changed[slot_id] = tables.cells[slot_id]
    if changed:
        marked = {}
        for slot_id, cell in changed.items():
            seen = cell.workshop is not None
            marked[slot_id] = replace(cell, mine=seen and slot_id in mine,
                                      hosting=seen and cell.workshop.id in hosting)
            pieces[tables.at[f"c{slot_id}"]] = render_template("conventions/_cell.html", cell=marked[slot_id],
                                                               **cell_context)
        days = [_with_cells(day, marked) for day in days]
    found = now_row(days, now)
    if found is not None:
        row = replace(days[found[0]].rows[found[1]], now=True)
        pieces[tables.at[f"r{found[0]}.{found[1]}"]] = get_template_attribute(
            "conventions/_grid_days.html", "row_head")(row)
        days = list(days)
        rows = list(days[found[0]].rows)
        rows[found[1]] = row
        days[found[0]] = replace(days[found[0]], rows=rows)
    return Markup("".join(pieces).replace(TOKEN, form_token)), days


def _with_cells(day: Day, marked: dict[int, Cell]) -> Day:
    if not any(cell and cell.slot.id in marked for row in day.rows for cell in row.cells):
        return day
    rows = [replace(row, cells=[marked.get(cell.slot.id, cell) if cell else cell for cell in row.cells])
            for row in day.rows]
    return replace(day, rows=rows)


def day_dates(starts, zone) -> list[date]:
    return sorted({start.astimezone(zone).date() for start, _ in starts})
