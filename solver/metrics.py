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
