"""Schedule quality figures reported in solution stats and benchmarks."""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Iterable

from .problem import Placement, Problem


def attendee_conflicts(problem: Problem, assignments: Iterable[Placement]) -> int:
    """Attendee pairs of interests that cannot both be attended: both workshops are placed
    and every run of one overlaps every run of the other."""
    slot_times = {s.id: (s.start, s.end) for s in problem.slots}
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for placement in assignments:
        times = [slot_times[s] for s in placement.slot_ids if s in slot_times]
        if times:
            spans[placement.workshop_id].append((min(t[0] for t in times), max(t[1] for t in times)))

    clash_cache: dict[tuple[int, int], bool] = {}

    def clash(a: int, b: int) -> bool:
        if (a, b) not in clash_cache:
            clash_cache[(a, b)] = all(
                sa < eb and sb < ea for sa, ea in spans[a] for sb, eb in spans[b]
            )
        return clash_cache[(a, b)]

    wanted: dict[int, set[int]] = defaultdict(set)
    for interest in problem.interests:
        if interest.workshop_id in spans:
            wanted[interest.attendee_id].add(interest.workshop_id)
    return sum(
        1
        for workshops in wanted.values()
        for a, b in combinations(sorted(workshops), 2)
        if clash(a, b)
    )


def _spans(problem: Problem, assignments: Iterable[Placement]) -> list[tuple[int, int, int, int]]:
    """(workshop, start, end, location) per placed run."""
    slot_times = {s.id: (s.start, s.end, s.location_id) for s in problem.slots}
    spans = []
    for placement in assignments:
        times = [slot_times[s] for s in placement.slot_ids if s in slot_times]
        if times:
            spans.append((placement.workshop_id, min(t[0] for t in times), max(t[1] for t in times), times[0][2]))
    return spans


def same_track_overlaps(problem: Problem, assignments: Iterable[Placement]) -> int:
    """Pairs of runs of one track (different workshops) that overlap in time."""
    track_of = {w.id: w.track for w in problem.workshops if w.track is not None}
    by_track: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for workshop_id, start, end, _ in _spans(problem, assignments):
        if workshop_id in track_of:
            by_track[track_of[workshop_id]].append((start, end, workshop_id))
    total = 0
    for runs in by_track.values():
        runs.sort()
        for index, (start, end, workshop_id) in enumerate(runs):
            for later_start, _, other in runs[index + 1:]:
                if later_start >= end:
                    break
                total += other != workshop_id
    return total


def track_rooms_per_day(problem: Problem, assignments: Iterable[Placement]) -> float:
    """Rooms a track uses on a day (UTC), averaged over the tracks' days."""
    track_of = {w.id: w.track for w in problem.workshops if w.track is not None}
    rooms: dict[tuple[int, int], set[int]] = defaultdict(set)
    for workshop_id, start, _, location in _spans(problem, assignments):
        if workshop_id in track_of:
            rooms[(track_of[workshop_id], start // (24 * 60))].add(location)
    return round(sum(len(r) for r in rooms.values()) / len(rooms), 2) if rooms else 0.0
