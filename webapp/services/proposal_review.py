"""Reviewing a proposal of a thousand runs: its changes described for people, by day, filtered and paged,
and its quality in words.

A proposal is described against the schedule as it is now while it waits for a decision. On accept
that description is stored on the run (`applied_changes`), because afterwards the schedule *is* the
proposal and comparing them again would show nothing changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..models import Convention, EventSlot, Location, ScheduleRun, Workshop
from .schedule_versions import version_of
from .scheduling import proposal_diff
from .versioned_cache import app_cache

CHANGE_KINDS = ("added", "moved", "removed")
FILTERS = ("changes", "added", "moved", "removed", "unplaced", "unchanged", "all")
PAGE_SIZE = 100


def describe_changes(run: ScheduleRun) -> list[dict]:
    """Every run of the proposal against the current schedule, as plain JSON-able entries: kind, title,
    run number, where before and after (room and local time), and the local day it lands on."""
    convention = db.session.get(Convention, run.convention_id)
    zone = ZoneInfo(convention.timezone)
    diff = proposal_diff(run)
    slots = {row.id: row for row in db.session.execute(
        select(EventSlot.id, EventSlot.location_id, EventSlot.start, EventSlot.end)
        .where(EventSlot.convention_id == run.convention_id))}
    rooms = dict(db.session.execute(
        select(Location.id, Location.name).where(Location.convention_id == run.convention_id)).all())
    titles = dict(db.session.execute(
        select(Workshop.id, Workshop.title).where(Workshop.convention_id == run.convention_id)).all())

    def place(ids):
        if not ids or any(i not in slots for i in ids):
            return None, None
        first, last = slots[ids[0]], slots[ids[-1]]
        start, end = first.start.astimezone(zone), last.end.astimezone(zone)
        return f"{rooms.get(first.location_id, '?')}, {start:%a %d %b %H:%M}–{end:%H:%M}", start

    entries = []
    for kind, group in diff.items():
        for e in group:
            before, before_start = place(e["from_event_slot_ids"])
            after, after_start = place(e["to_event_slot_ids"])
            when = after_start or before_start
            entries.append({
                "kind": kind, "workshop_id": e["workshop_id"], "run_label": e["run_index"] + 1,
                "title": titles.get(e["workshop_id"], f"#{e['workshop_id']}"), "before": before, "after": after,
                "day": when.date().isoformat() if when else None, "start": when.isoformat() if when else "",
            })
    return entries


def _current_changes(run: ScheduleRun) -> list[dict]:
    """describe_changes, kept while the convention's schedule version stands (a run's proposal never changes,
    and the version moves with every change to slots, rooms, placements and workshops), so paging and
    filtering a thousand-run review does not compare it again."""
    found = version_of(db.session, run.convention_id)
    return app_cache("proposal-review").cached((*found.cache_key, run.id), found.version,
                                               lambda: describe_changes(run))


def unplaced_entries(run: ScheduleRun) -> list[dict]:
    titles = dict(db.session.execute(
        select(Workshop.id, Workshop.title).where(Workshop.convention_id == run.convention_id)).all())
    return [{"kind": "unplaced", "workshop_id": u.workshop_id, "title": titles.get(u.workshop_id, f"#{u.workshop_id}"),
             "run_label": None if u.run_index is None else u.run_index + 1, "reasons": list(u.reasons)}
            for u in run.unplaced]


def record_changes(run: ScheduleRun) -> None:
    """Keep what accepting `run` changes, described against the schedule it replaces; call before applying."""
    run.applied_changes = {"entries": [e for e in describe_changes(run) if e["kind"] in CHANGE_KINDS]}


@dataclass
class ReviewPage:
    counts: dict[str, int]
    show: str
    days: list[tuple[date | None, list[dict]]]  # the page's entries grouped by the day they land on
    page: int
    pages: int
    total: int  # entries under this filter
    recorded: bool  # read from the record kept on accept, not compared with today's schedule


def review_page(run: ScheduleRun, show: str = "changes", page: int = 1, page_size: int = PAGE_SIZE) -> ReviewPage:
    """One page of the run's changes under a filter: changes first (added, moved, removed), by day and time."""
    show = show if show in FILTERS else "changes"
    recorded = run.applied_changes is not None
    entries = run.applied_changes["entries"] if recorded else _current_changes(run)
    unplaced = unplaced_entries(run)
    counts = {kind: 0 for kind in (*CHANGE_KINDS, "unchanged")}
    for e in entries:
        counts[e["kind"]] += 1
    counts["unplaced"] = len(unplaced)
    if show == "unplaced":
        chosen = unplaced
    else:
        kinds = {"changes": CHANGE_KINDS, "all": (*CHANGE_KINDS, "unchanged")}.get(show, (show,))
        rank = {kind: i for i, kind in enumerate(CHANGE_KINDS + ("unchanged",))}
        chosen = sorted((e for e in entries if e["kind"] in kinds),
                        key=lambda e: (e["kind"] == "unchanged", e["day"] or "9999", e["start"], rank[e["kind"]],
                                       e["title"], e["run_label"]))
    pages = max(1, -(-len(chosen) // page_size))
    page = min(max(1, page), pages)
    shown = chosen[(page - 1) * page_size: page * page_size]
    days: list[tuple[date | None, list[dict]]] = []
    for entry in shown:
        day = date.fromisoformat(entry["day"]) if entry.get("day") else None
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(entry)
    return ReviewPage(counts, show, days, page, pages, len(chosen), recorded)


def quality_in_words(run: ScheduleRun) -> list[str]:
    """How good the proposal is, as sentences an organiser can weigh."""
    stats = run.stats or {}
    lines = []
    placed, total = stats.get("placed_runs"), stats.get("total_runs")
    if placed is not None and total:
        left = total - placed
        lines.append(f"Places {placed:,} of {total:,} workshop runs"
                     + (f"; {left:,} could not be placed (reasons below)." if left else ", every one."))
    clashes = stats.get("attendee_conflicts")
    if clashes is not None:
        said = f"{clashes:,} attendee clash{'es' if clashes != 1 else ''} (two wished-for workshops at the same time)"
        comparisons = []
        before = stats.get("current_attendee_conflicts")
        if stats.get("current_placed_runs") == 0:
            comparisons.append("none in the schedule before, which placed nothing")
        elif before is not None:
            comparisons.append(f"{before:,} in the schedule before")
        first = stats.get("greedy_attendee_conflicts")
        if first is not None:
            comparisons.append(f"{first:,} in the solver's first proposal")
        lines.append(said + (f", against {' and '.join(comparisons)}." if comparisons else "."))
    return lines
