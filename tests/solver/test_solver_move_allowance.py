"""The move allowance after an edit: each forced move (a current run that breaks a rule of
the edited problem on its own) buys one voluntary move at the low weight
(`Weights.allowed_move`); moves beyond twice the forced ones cost `Weights.move`."""
from __future__ import annotations

import random
import time
from dataclasses import replace

from solver_factory import FRIDAY_9AM, HOUR, busy_convention, problem, workshop

from solver import Interest, Placement, SolveParams, attendee_conflicts, solve, violations
from solver.greedy import greedy_schedule
from solver.instance import Weights, build_instance
from solver.local import LocalSearch
from solver.model import build_model
from solver.objective import move_cost, objective_value
from ortools.sat.python import cp_model

PARAMS = SolveParams(time_limit_seconds=2, num_workers=1, explain=False)


def _forced_one_edit():
    """Rooms 1 and 2, three hours. F (host 1) at 9:00 and P (host 2) at 10:00 in room 1;
    20 attendees want both (pair weight 200: below a full move, above an allowed one).
    Edit: host 1 can only come at 10:00, so F must move (forced) and lands beside P
    unless P moves too."""
    fixed, popular, other = workshop(1, hosts=(1,)), workshop(2, hosts=(2,)), workshop(3, hosts=(3,))
    interests = tuple(Interest(a, w, 1) for a in range(20) for w in (1, 2))
    base = problem([fixed, popular, other], rooms={1: 20, 2: 20}, slots_per_room=3, interests=interests)
    current = (Placement(1, 0, (100,)), Placement(2, 0, (101,)), Placement(3, 0, (202,)))
    assert violations(base, current) == []
    edited = replace(base, current=current,
                     availability={1: ((FRIDAY_9AM + HOUR, FRIDAY_9AM + 2 * HOUR),)})
    return edited


def test_forced_moves_are_the_current_runs_that_no_longer_fit_on_their_own():
    edited = _forced_one_edit()
    assert build_instance(edited, Weights()).forced_moves == 1
    # a room closing forces every run it held
    closed = replace(edited, availability={},
                     slots=tuple(s for s in edited.slots if s.location_id != 1),
                     locations=tuple(loc for loc in edited.locations if loc.id != 1))
    assert build_instance(closed, Weights()).forced_moves == 2
    assert build_instance(replace(edited, availability={}), Weights()).forced_moves == 0


def test_moves_within_the_allowance_cost_the_allowed_weight_and_the_rest_the_full_one():
    edited = _forced_one_edit()
    weights = Weights(move=1000, allowed_move=50, move_allowance=2)
    instance = build_instance(edited, weights)  # one forced move: two moves allowed
    option = lambda w, slot: next(o for o in instance.reports[w].options if o.slot_ids[0] == slot)  # noqa: E731
    one = {(1, 0): option(1, 201), (2, 0): option(2, 101), (3, 0): option(3, 202)}
    two = {(1, 0): option(1, 201), (2, 0): option(2, 100), (3, 0): option(3, 202)}
    three = {(1, 0): option(1, 201), (2, 0): option(2, 100), (3, 0): option(3, 200)}
    assert [move_cost(instance, a, weights) for a in (one, two, three)] == [50, 100, 1100]
    # without forced moves every move costs the full weight
    plain = build_instance(replace(edited, availability={}), weights)
    assert move_cost(plain, two, weights) == 2000


def test_a_forced_move_buys_one_voluntary_move_that_removes_a_clash():
    edited = _forced_one_edit()
    solution = solve(edited, PARAMS)
    assert violations(edited, solution) == []
    assert len(solution.assignments) == 3
    assert attendee_conflicts(edited, solution.assignments) == 0
    moved = {p.workshop_id for p in solution.assignments if p not in edited.current}
    assert moved == {1, 2}  # the forced one and one voluntary move
    # without the allowance a move costs more than the clash: P stays, the clash too
    strict = solve(edited, replace(PARAMS, weights=Weights(move_allowance=0)))
    assert violations(edited, strict) == []
    assert {p.workshop_id for p in strict.assignments if p not in edited.current} == {1}
    assert attendee_conflicts(edited, strict.assignments) == 20


def test_the_model_prices_moves_exactly_like_the_objective():
    edited = _forced_one_edit()
    weights = Weights()
    instance = build_instance(edited, weights)
    built = build_model(instance, weights, hint=greedy_schedule(instance))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    chosen = {key: option for key, pairs in built.choices.items() for option, var in pairs
              if solver.value(var)}
    assert solver.objective_value == objective_value(instance, chosen, weights)
    # the hint is complete and consistent, so its objective is the Python one too
    hint = greedy_schedule(instance)
    assert built.hinted_objective() == objective_value(instance, hint, weights)


def test_local_search_deltas_follow_the_allowance_exactly():
    # a busy convention whose re-solve forces moves (a host loses the morning): every
    # annealing step's delta must add up to the objective's change
    p = busy_convention(seed=4, workshops=40, rooms=3, slots_per_room=12, attendees=200)
    first = greedy_schedule(build_instance(p, Weights()))
    current = tuple(Placement(w, i, o.slot_ids) for (w, i), o in first.items())
    hosts = sorted({h for w in p.workshops for h in w.host_ids})
    availability = {h: ((FRIDAY_9AM + 6 * HOUR, FRIDAY_9AM + 12 * HOUR),) for h in hosts[:4]}
    edited = replace(p, current=current, availability=availability)
    weights = Weights(move=1000, allowed_move=50, move_allowance=2)
    instance = build_instance(edited, weights)
    assert instance.forced_moves > 0
    start = greedy_schedule(instance)
    search = LocalSearch(instance, weights, start)
    rng = random.Random(1)
    keys = [k for k in search.assign if len(instance.options[k]) > 1]
    total = 0
    for _ in range(3000):
        delta = search._random_step(rng.choice(keys), rng, 400.0)
        total += delta or 0
    assert objective_value(instance, search.assign, weights) - objective_value(instance, start, weights) == total
    result = search.run(time.monotonic() + 5, rng)
    assert violations(edited, [Placement(w, i, o.slot_ids) for (w, i), o in result.items()]) == []


def test_the_first_local_search_holds_the_allowance_back_while_runs_wait_for_room():
    # moves that the local search buys cheaply before the neighbourhoods place the runs left
    # out would leave none of the allowance for making room and for conflicts afterwards
    from solver.engine import _holding_allowance

    edited = _forced_one_edit()
    weights = Weights()
    instance = build_instance(edited, weights)
    option = lambda w, slot: next(o for o in instance.reports[w].options if o.slot_ids[0] == slot)  # noqa: E731
    waiting = {(2, 0): option(2, 101), (3, 0): option(3, 202)}  # F has a place but is left out
    assert _holding_allowance(instance, weights, waiting).move_allowance == 0
    complete = {**waiting, (1, 0): option(1, 201)}
    assert _holding_allowance(instance, weights, complete) == weights
    # nothing forced: the weights stay as they are
    plain = build_instance(replace(edited, availability={}), weights)
    assert _holding_allowance(plain, weights, waiting) == weights
