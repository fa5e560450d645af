"""The objective of a whole schedule, computed in Python with every attendee pair.

The CP-SAT models may leave light pairs out (full model) or see only a neighbourhood
(large-neighbourhood search); this is the single yardstick used to compare their answers
with the greedy's and to report progress.

The terms, all at least 0, lower is better (weights in `instance.Weights`):

| term | cost | also modelled in |
| --- | --- | --- |
| placement | `placement` x priority per run left out | model, pooled, greedy order, local insert |
| conflicts | per overlapping run pair of two workshops sharing attendees or a track: pair weight x `conflict` / run pairs | model, greedy, local search, neighbourhoods |
| moves | current starts not kept: `allowed_move` within the allowance, then `move` | model, local search |
| track rooms | `track_rooms` per room a track uses on a day beyond its first | greedy (room choice) only |

`conflicts` divides by the runs placed; the CP-SAT models assume every run placed (a
lower coefficient, so their bounds stay bounds). `metrics.attendee_conflicts` counts
something else: attendees' clashing pairs of interests, for people to read.
"""
from __future__ import annotations

from collections import defaultdict

from .domains import Option, RunKey
from .instance import Instance, Weights, move_penalty

MINUTES_PER_DAY = 24 * 60


def overlap(a: Option, b: Option) -> int:
    """1 when the two runs overlap in time (an attendee cannot attend both), else 0."""
    return int(a.start < b.end and b.start < a.end)


def conflict_coefficient(instance: Instance, weights: Weights, a: int, b: int,
                         runs_a: int | None = None, runs_b: int | None = None) -> int:
    """Cost of one overlapping run pair of workshops a and b: the pair weight divided by
    the number of run pairs (an attendee may pick another run). `runs_a`/`runs_b` are the
    runs actually placed; by default every run (the CP-SAT models' assumption, never
    above the placed-run coefficient, so their bounds stay lower bounds)."""
    runs = (runs_a or instance.workshops[a].runs) * (runs_b or instance.workshops[b].runs)
    return max(1, round(instance.pair_weights[(a, b)] * weights.conflict / runs))


def conflict_cost(instance: Instance, assignment: dict[RunKey, Option], weights: Weights) -> int:
    if weights.conflict <= 0:
        return 0
    by_workshop: dict[int, list[Option]] = defaultdict(list)
    for (workshop_id, _), option in assignment.items():
        by_workshop[workshop_id].append(option)
    total = 0
    for a, b in instance.pair_weights:
        if a in by_workshop and b in by_workshop:
            shared = sum(overlap(x, y) for x in by_workshop[a] for y in by_workshop[b])
            if shared:
                # divided by the runs placed: when a run is left out, its attendees lose
                # that alternative (and attendee_conflicts counts a clash with every
                # remaining run as a conflict)
                total += shared * conflict_coefficient(instance, weights, a, b,
                                                       len(by_workshop[a]), len(by_workshop[b]))
    return total


def placement_cost(instance: Instance, assignment: dict[RunKey, Option], weights: Weights) -> int:
    return sum(
        weights.placement * max(1, instance.workshops[key[0]].priority)
        for key in instance.runs
        if key not in assignment
    )


def moved_starts(instance: Instance, assignment: dict[RunKey, Option]) -> int:
    """Current starts that no run of the same workshop keeps."""
    starts: dict[int, set[int]] = defaultdict(set)
    for (workshop_id, _), option in assignment.items():
        starts[workshop_id].add(option.slot_ids[0])
    moved = sum(
        1
        for workshop_id, current in instance.current_starts.items()
        if workshop_id in instance.workshops
        for start in current
        if start not in starts.get(workshop_id, ())
    )
    return moved


def move_cost(instance: Instance, assignment: dict[RunKey, Option], weights: Weights) -> int:
    """The stability term: moves within the allowance cost `weights.allowed_move`, the
    rest `weights.move` (see `move_penalty`)."""
    if weights.move <= 0:
        return 0
    return move_penalty(instance, weights, moved_starts(instance, assignment))


def extra_track_rooms(instance: Instance, assignment: dict[RunKey, Option]) -> int:
    """Rooms each track uses on each day beyond its first, summed (days in UTC)."""
    rooms: dict[tuple[int, int], set[int]] = defaultdict(set)
    for (workshop_id, _), option in assignment.items():
        track = instance.workshops[workshop_id].track
        if track is not None:
            rooms[(track, option.start // MINUTES_PER_DAY)].add(option.location_id)
    return sum(len(used) - 1 for used in rooms.values())


def track_room_cost(instance: Instance, assignment: dict[RunKey, Option], weights: Weights) -> int:
    if weights.track_rooms <= 0:
        return 0
    return weights.track_rooms * extra_track_rooms(instance, assignment)


def objective_value(instance: Instance, assignment: dict[RunKey, Option], weights: Weights) -> int:
    return (
        placement_cost(instance, assignment, weights)
        + conflict_cost(instance, assignment, weights)
        + move_cost(instance, assignment, weights)
        + track_room_cost(instance, assignment, weights)
    )
