"""Re-solving after a small edit keeps most of the schedule; pins always stay."""
from __future__ import annotations

from dataclasses import replace

from solver_factory import busy_convention, workshop

from solver import Placement, SolveParams, greedy_solution, solve, violations

PARAMS = SolveParams(time_limit_seconds=2, num_workers=2, explain=False)


def kept(before, after) -> int:
    old = {(a.workshop_id, a.slot_ids) for a in before.assignments}
    return sum((a.workshop_id, a.slot_ids) in old for a in after.assignments)


def test_resolve_after_adding_a_workshop_keeps_most_placements():
    original = busy_convention(seed=3, workshops=24, rooms=3, slots_per_room=10, attendees=60)
    first = solve(original, PARAMS)
    assert len(first.assignments) == 24
    edited = replace(
        original,
        workshops=original.workshops + (workshop(99, hosts=(999,)),),
        current=first.assignments,
    )
    second = solve(edited, PARAMS)
    assert violations(edited, second) == []
    assert len(second.assignments) == 25
    assert kept(first, second) >= 22  # at most two of the old talks moved


def test_without_current_schedule_the_same_edit_may_move_anything():
    # the stability term is what keeps placements: with weight zero nothing holds them
    original = busy_convention(seed=3, workshops=24, rooms=3, slots_per_room=10, attendees=60)
    first = solve(original, PARAMS)
    edited = replace(original, workshops=original.workshops + (workshop(99, hosts=(999,)),),
                     current=first.assignments)
    unweighted = solve(edited, replace(PARAMS, weights=replace(PARAMS.weights, move=0)))
    weighted = solve(edited, PARAMS)
    assert kept(first, weighted) >= kept(first, unweighted)


def test_pins_survive_a_resolve_that_would_prefer_to_move_them():
    original = busy_convention(seed=5, workshops=12, rooms=2, slots_per_room=8, attendees=40)
    pins = (Placement(1, 0, (100,)), Placement(2, 0, (200,)))  # same hour, popular or not
    pinned = replace(original, pinned=pins)
    solution = solve(pinned, PARAMS)
    assert set(pins) <= set(solution.assignments)
    assert violations(pinned, solution) == []


def test_neighbourhood_search_lowers_conflicts_below_the_greedy():
    # 60 talks is above the size solved as one neighbourhood, so this exercises the
    # time-swap and conflict-cluster neighbourhoods
    # (annealing off: otherwise neighbourhoods stop once every talk is placed)
    p = busy_convention(seed=4, workshops=60, rooms=4, slots_per_room=15, attendees=300)
    solution = solve(p, SolveParams(time_limit_seconds=4, num_workers=2, explain=False,
                                    full_model_max_options=0, anneal=False))
    assert violations(p, solution) == []
    assert len(solution.assignments) == 60
    assert solution.stats["neighbourhood_improvements"] > 0
    assert solution.stats["attendee_conflicts"] < solution.stats["greedy_attendee_conflicts"]


def test_annealing_lowers_conflicts_below_the_local_search_and_keeps_every_talk():
    p = busy_convention(seed=4, workshops=60, rooms=4, slots_per_room=15, attendees=300)
    reports = []
    solution = solve(p, SolveParams(time_limit_seconds=4, num_workers=1, explain=False,
                                    full_model_max_options=0), on_progress=reports.append)
    assert violations(p, solution) == []
    assert len(solution.assignments) == 60
    assert solution.stats["annealing_seconds"] > 0
    assert solution.stats["source"] in ("annealing", "local search")
    # the local search after the greedy is reported second; annealing went below it
    assert solution.objective < reports[1].objective


def test_a_resolve_with_nothing_forced_does_not_trade_places_for_small_conflict_savings():
    # the current schedule is the greedy one, which the search improves by moving talks
    # when nothing holds them (as in the test above); the default move weight outweighs
    # savings of that size (the whole schedule's conflict weight is a few hundred)
    p = busy_convention(seed=4, workshops=60, rooms=4, slots_per_room=15, attendees=300)
    again = replace(p, current=greedy_solution(p).assignments)
    params = SolveParams(time_limit_seconds=4, num_workers=2, explain=False, full_model_max_options=0)
    free_moves = solve(again, replace(params, weights=replace(params.weights, move=0)))
    default = solve(again, params)
    assert violations(again, free_moves) == [] and violations(again, default) == []
    old = {(a.workshop_id, a.slot_ids) for a in again.current}
    assert {(a.workshop_id, a.slot_ids) for a in free_moves.assignments} != old
    assert {(a.workshop_id, a.slot_ids) for a in default.assignments} == old
