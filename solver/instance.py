"""The problem pre-digested for the greedy and the model: runs, their options, pins,
attendee pair weights and who teaches what. Built once per solve."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from .domains import DomainBuilder, DomainReport, Option, RunKey
from .problem import Problem, Workshop


@dataclass(frozen=True)
class Weights:
    """Objective weights. Placement dominates so that no conflict saving costs a run."""

    placement: int = 100_000  # per unit of priority, per placed run
    conflict: int = 1  # multiplies the attendee pair weights below
    # per start of the current schedule that no run keeps. Measured on tight re-solves
    # (M tight seed 2, 20 s each): at 50 a move paid for itself with a little attendee
    # conflict weight, so host-loses-a-day moved 17 runs for 6 forced and duration-grows
    # 19 for 1; at 1000, 9 and 3, same runs placed, conflicts 384 and 378 (388 before the edit)
    move: int = 1000
    # Move allowance after an edit: the first `move_allowance` x (forced moves) moves cost
    # `allowed_move` each instead of `move`. A forced move is a current run that breaks a
    # rule of the edited problem on its own (it must move whatever the solver does), so a
    # re-solve may spend about one voluntary move per forced one on attendee conflicts
    # (the target: at most twice the forced moves). Without forced moves (or with
    # move_allowance 0) every move costs `move`, as before.
    allowed_move: int = 50
    move_allowance: int = 2
    # Tracks (Workshop.track). Two runs of one track at the same time cost `track_overlap`
    # like an attendee pair of that weight (so it also scales with `conflict`): the
    # greedy, local search, neighbourhoods and the model all avoid it. Each room a track
    # uses on a day beyond its first costs `track_rooms` (judged by the objective; the
    # greedy puts a track's runs into the rooms it already holds that day).
    track_overlap: int = 10
    track_rooms: int = 2
    rank_levels: int = 5  # rank 1 counts rank_levels, rank >= rank_levels counts 1


def rank_weight(rank: int, levels: int) -> int:
    return max(1, levels + 1 - max(1, rank))


@dataclass
class Instance:
    problem: Problem
    workshops: dict[int, Workshop]
    runs: list[RunKey]
    options: dict[RunKey, list[Option]]
    pinned: dict[RunKey, Option]
    reports: dict[int, DomainReport]
    # Sum over attendees interested in both of rank weights, plus `Weights.track_overlap`
    # for two workshops of one track; keys are (a, b) with a < b.
    pair_weights: dict[tuple[int, int], int]
    # capability -> workshops teaching it
    teachers: dict[int, list[int]]
    # workshop -> start slot ids it held in the current schedule
    current_starts: dict[int, set[int]]
    location_capacity: dict[int, int] = field(default_factory=dict)
    # capability -> workshops requiring it
    learners: dict[int, list[int]] = field(default_factory=dict)
    # every distinct slot start, sorted (neighbourhoods pick times among them; the model ties
    # its clash literals to them)
    time_points: list[int] = field(default_factory=list)
    # the current schedule's runs that are still statically possible (repair starts here)
    current_options: dict[RunKey, Option] = field(default_factory=dict)
    # current runs that break a rule of the edited problem on their own (their place is not
    # among their statically possible ones, or their run index no longer exists)
    forced_moves: int = 0

    def unpinned_run_indices(self, workshop_id: int) -> list[int]:
        runs = self.workshops[workshop_id].runs
        return [i for i in range(runs) if (workshop_id, i) not in self.pinned]

    def prerequisite_affected(self, workshop_id: int) -> set[int]:
        """Workshops whose prerequisite rule may change when this one gets a run."""
        workshop = self.workshops[workshop_id]
        affected = {workshop_id} if self.prerequisite_teachers(workshop) else set()
        for capability in workshop.teaches_ids:
            for other in self.learners.get(capability, ()):
                if other != workshop_id:
                    affected.add(other)
        return affected

    def prerequisite_teachers(self, workshop: Workshop) -> list[list[int]]:
        """For each required capability someone else teaches, the workshops teaching it."""
        groups = []
        for capability in workshop.prerequisite_ids:
            teachers = [t for t in self.teachers.get(capability, []) if t != workshop.id]
            if teachers:
                groups.append(teachers)
        return groups


def pair_weights(problem: Problem, weights: Weights) -> dict[tuple[int, int], int]:
    by_attendee: dict[int, dict[int, int]] = defaultdict(dict)
    for interest in problem.interests:
        ranks = by_attendee[interest.attendee_id]
        # the best rank counts if an attendee listed a workshop twice
        ranks[interest.workshop_id] = min(interest.rank, ranks.get(interest.workshop_id, interest.rank))
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for ranks in by_attendee.values():
        for (a, ra), (b, rb) in combinations(sorted(ranks.items()), 2):
            totals[(a, b)] += rank_weight(ra, weights.rank_levels) + rank_weight(rb, weights.rank_levels)
    if weights.track_overlap > 0:
        by_track: dict[int, list[int]] = defaultdict(list)
        for workshop in problem.workshops:
            if workshop.track is not None:
                by_track[workshop.track].append(workshop.id)
        for members in by_track.values():
            for a, b in combinations(sorted(members), 2):
                totals[(a, b)] += weights.track_overlap
    return dict(totals)


def build_instance(problem: Problem, weights: Weights) -> Instance:
    builder = DomainBuilder(problem)
    workshops = {w.id: w for w in problem.workshops}
    pinned: dict[RunKey, Option] = {}
    for placement in problem.pinned:
        workshop = workshops.get(placement.workshop_id)
        if workshop is None:
            continue
        option = builder.pinned_option(workshop, placement.slot_ids)
        if option is not None:
            pinned[(placement.workshop_id, placement.run_index)] = option
    runs: list[RunKey] = []
    options: dict[RunKey, list[Option]] = {}
    reports: dict[int, DomainReport] = {}
    for workshop in problem.workshops:
        report = builder.report(workshop)
        reports[workshop.id] = report
        for index in range(workshop.runs):
            key = (workshop.id, index)
            runs.append(key)
            # unpinned runs share their workshop's tuple (never copied: see DomainBuilder)
            options[key] = (pinned[key],) if key in pinned else report.options
    teachers: dict[int, list[int]] = defaultdict(list)
    for workshop in problem.workshops:
        for capability in workshop.teaches_ids:
            teachers[capability].append(workshop.id)
    learners: dict[int, list[int]] = defaultdict(list)
    for workshop in problem.workshops:
        for capability in workshop.prerequisite_ids:
            learners[capability].append(workshop.id)
    current_starts: dict[int, set[int]] = defaultdict(set)
    current_options: dict[RunKey, Option] = {}
    forced_moves = 0
    by_slots: dict[int, dict[tuple[int, ...], Option]] = {}  # per shared options tuple
    for placement in problem.current:
        if placement.slot_ids:
            current_starts[placement.workshop_id].add(placement.slot_ids[0])
        key = (placement.workshop_id, placement.run_index)
        if key in options and key not in pinned:
            shared = reports[placement.workshop_id].options
            if id(shared) not in by_slots:
                by_slots[id(shared)] = {o.slot_ids: o for o in shared}
            possible = by_slots[id(shared)]
            if tuple(placement.slot_ids) in possible:
                current_options[key] = possible[tuple(placement.slot_ids)]
        if placement.workshop_id in workshops and key not in pinned and key not in current_options:
            forced_moves += 1
    return Instance(
        problem=problem,
        workshops=workshops,
        runs=runs,
        options=options,
        pinned=pinned,
        reports=reports,
        pair_weights=pair_weights(problem, weights),
        teachers=dict(teachers),
        current_starts=dict(current_starts),
        location_capacity={loc.id: loc.capacity for loc in problem.locations},
        learners=dict(learners),
        time_points=sorted({slot.start for slot in problem.slots}),
        current_options=current_options,
        forced_moves=forced_moves,
    )


def move_prices(instance: Instance, weights: Weights) -> tuple[int, int]:
    """(allowance, cheap price): the first `allowance` moves (`weights.move_allowance` x the
    forced moves) cost the cheap price, never more than `weights.move`, every later one
    `weights.move`."""
    return max(0, weights.move_allowance) * instance.forced_moves, min(weights.allowed_move, weights.move)


def move_penalty(instance: Instance, weights: Weights, moved: int) -> int:
    """The stability term for `moved` current starts not kept (see `move_prices`); convex in
    `moved`."""
    if weights.move <= 0 or moved <= 0:
        return 0
    allowance, price = move_prices(instance, weights)
    cheap = min(moved, allowance)
    return cheap * price + (moved - cheap) * weights.move
