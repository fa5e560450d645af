"""Moves and swaps in Python (solver/local.py): they lower the objective and break no rule."""
from __future__ import annotations


from hypothesis import HealthCheck, given, settings
from solver_factory import problem, workshop
from test_solver_properties import small_problems

from solver import Interest, Placement, attendee_conflicts, violations
from solver.greedy import greedy_schedule
from solver.instance import Weights, build_instance
from solver.local import local_search
from solver.objective import conflict_cost, objective_value


def option_at(instance, workshop_id: int, slot_id: int):
    return next(o for o in instance.reports[workshop_id].options if o.slot_ids[0] == slot_id)


def placements(assignment):
    return [Placement(w, i, o.slot_ids) for (w, i), o in assignment.items()]


def both_wanted(a: int, b: int, attendees: range):
    return tuple(Interest(x, w, 1) for x in attendees for w in (a, b))


def test_a_clashing_run_moves_to_a_free_hour():
    p = problem([workshop(1, hosts=(1,)), workshop(2, hosts=(2,))], rooms={1: 20, 2: 20},
                slots_per_room=2, interests=both_wanted(1, 2, range(5)))
    instance = build_instance(p, Weights())
    clashing = {(1, 0): option_at(instance, 1, 100), (2, 0): option_at(instance, 2, 200)}
    assert conflict_cost(instance, clashing, Weights()) > 0
    result = local_search(instance, Weights(), clashing, 5)
    assert conflict_cost(instance, result, Weights()) == 0
    assert len(result) == 2
    assert violations(p, placements(result)) == []


def test_on_a_full_grid_two_runs_trade_places():
    # two rooms, two hours, four talks: 1+2 and 3+4 share attendees and start side by side;
    # no place is free, so only a trade (1 with 3) removes both clashes
    talks = [workshop(i, hosts=(i,)) for i in (1, 2, 3, 4)]
    p = problem(talks, rooms={1: 20, 2: 20}, slots_per_room=2,
                interests=both_wanted(1, 2, range(5)) + both_wanted(3, 4, range(5, 10)))
    instance = build_instance(p, Weights())
    start = {(1, 0): option_at(instance, 1, 100), (2, 0): option_at(instance, 2, 200),
             (3, 0): option_at(instance, 3, 101), (4, 0): option_at(instance, 4, 201)}
    assert conflict_cost(instance, start, Weights()) > 0
    result = local_search(instance, Weights(), start, 5)
    assert conflict_cost(instance, result, Weights()) == 0
    assert len(result) == 4
    assert violations(p, placements(result)) == []


def test_a_pinned_run_stays_and_the_host_trades_hours_between_their_own_talks():
    # talk 1 is pinned at 9:00; talk 2 clashes with it for attendees; the only other hour
    # for talk 2 is its host's other talk (3), so 2 and 3 must trade, not double-book host 2
    p = problem([workshop(1, hosts=(1,)), workshop(2, hosts=(2,)), workshop(3, hosts=(2,))],
                rooms={1: 20, 2: 20}, slots_per_room=2, interests=both_wanted(1, 2, range(5)),
                pinned=(Placement(1, 0, (100,)),))
    instance = build_instance(p, Weights())
    start = {(1, 0): option_at(instance, 1, 100), (2, 0): option_at(instance, 2, 200),
             (3, 0): option_at(instance, 3, 201)}
    result = local_search(instance, Weights(), start, 5)
    assert violations(p, placements(result)) == []
    assert result[(1, 0)].slot_ids == (100,)
    assert result[(2, 0)].start > result[(1, 0)].start
    assert conflict_cost(instance, result, Weights()) == 0


def test_a_left_out_run_is_inserted_where_it_fits():
    p = problem([workshop(1, hosts=(1,)), workshop(2, hosts=(2,))], rooms={1: 20}, slots_per_room=2)
    instance = build_instance(p, Weights())
    result = local_search(instance, Weights(), {(1, 0): option_at(instance, 1, 100)}, 5)
    assert set(result) == {(1, 0), (2, 0)}
    assert violations(p, placements(result)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_local_search_breaks_no_rule_and_never_raises_the_objective(p):
    instance = build_instance(p, Weights())
    for conflict_aware in (False, True):
        start = greedy_schedule(instance, conflict_aware=conflict_aware)
        result = local_search(instance, Weights(), start, 5)
        assert violations(p, placements(result)) == []
        assert objective_value(instance, result, Weights()) <= objective_value(instance, start, Weights())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_local_search_from_a_current_schedule_counts_moves_and_breaks_no_rule(p):
    from dataclasses import replace

    first = greedy_schedule(build_instance(p, Weights()), conflict_aware=False)
    edited = replace(p, current=tuple(placements(first)), workshops=p.workshops[::-1])
    instance = build_instance(edited, Weights())
    start = greedy_schedule(instance)
    result = local_search(instance, Weights(), start, 5)
    assert violations(edited, placements(result)) == []
    assert objective_value(instance, result, Weights()) <= objective_value(instance, start, Weights())


def test_a_workshop_with_a_run_left_out_counts_its_remaining_clashes_in_full():
    # workshop 1 has two runs; with both placed, a clash of one of them with talk 2 costs
    # half the pair weight (attendees can take the other run); with one run left out,
    # the remaining run's clash costs all of it, as attendee_conflicts counts it
    p = problem([workshop(1, hosts=(1,), runs=2), workshop(2, hosts=(2,))], rooms={1: 20, 2: 20},
                slots_per_room=2, interests=both_wanted(1, 2, range(5)))
    instance = build_instance(p, Weights())
    weight = instance.pair_weights[(1, 2)]
    both = {(1, 0): option_at(instance, 1, 100), (1, 1): option_at(instance, 1, 101),
            (2, 0): option_at(instance, 2, 200)}
    assert conflict_cost(instance, both, Weights()) == weight // 2
    one = {(1, 0): option_at(instance, 1, 100), (2, 0): option_at(instance, 2, 200)}
    assert conflict_cost(instance, one, Weights()) == weight
    assert attendee_conflicts(p, placements(one)) == 5
