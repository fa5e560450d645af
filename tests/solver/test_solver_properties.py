"""Random small conventions: whatever the solver or the greedy proposes breaks no rule."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_factory import FRIDAY_9AM, HOUR, room_grid

from solver import (
    Interest,
    Problem,
    SolveParams,
    Workshop,
    greedy_solution,
    solve,
    violations,
)


@st.composite
def small_problems(draw) -> Problem:
    room_count = draw(st.integers(1, 3))
    slots_per_room = draw(st.integers(1, 4))
    rooms = {r: draw(st.sampled_from([10, 20, 40])) for r in range(1, room_count + 1)}
    fixed = {r: ((9, draw(st.integers(0, 1))),) for r in rooms}
    locations, slots = room_grid(rooms, slots_per_room, gap_minutes=draw(st.sampled_from([0, 10, 30])),
                                 equipment=fixed)
    workshops = []
    count = draw(st.integers(1, 6))
    for number in range(1, count + 1):
        hosts = tuple(sorted(draw(st.sets(st.integers(1, 3), min_size=1, max_size=2))))
        workshops.append(
            Workshop(
                id=number,
                host_ids=hosts,
                max_attendees=draw(st.sampled_from([5, 15, 30])),
                duration_slots=draw(st.integers(1, 2)),
                runs=draw(st.integers(1, 2)),
                priority=draw(st.integers(1, 3)),
                equipment=((9, draw(st.integers(1, 2))),) if draw(st.booleans()) else (),
                prerequisite_ids=(50,) if draw(st.booleans()) else (),
                teaches_ids=(50,) if draw(st.booleans()) else (),
                allowed_location_ids=tuple(sorted(draw(st.sets(st.sampled_from(sorted(rooms)), max_size=2)))),
            )
        )
    availability = {}
    for host in (1, 2, 3):
        if draw(st.booleans()):
            begin = FRIDAY_9AM + draw(st.integers(0, 3)) * HOUR
            availability[host] = ((begin, begin + draw(st.integers(1, 3)) * HOUR),)
    interests = tuple(
        Interest(attendee, workshop_id, rank)
        for attendee in range(draw(st.integers(0, 4)))
        for rank, workshop_id in enumerate(
            draw(st.lists(st.integers(1, count), min_size=0, max_size=3, unique=True)), start=1
        )
    )
    return Problem(
        slots=slots,
        locations=locations,
        workshops=tuple(workshops),
        availability=availability,
        equipment_pools={9: draw(st.integers(0, 2))},
        interests=interests,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_greedy_schedules_break_no_rule(problem):
    for conflict_aware in (False, True):
        assert violations(problem, greedy_solution(problem, conflict_aware)) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_solver_schedules_break_no_rule_and_place_at_least_the_greedy(problem):
    solution = solve(problem, SolveParams(time_limit_seconds=2, num_workers=1, explain_time_limit_seconds=2))
    assert violations(problem, solution) == []
    priority = {w.id: w.priority for w in problem.workshops}
    solver_weight = sum(priority[a.workshop_id] for a in solution.assignments)
    greedy_weight = sum(priority[a.workshop_id] for a in greedy_solution(problem).assignments)
    assert solver_weight >= greedy_weight
    placed_runs = {(a.workshop_id, a.run_index) for a in solution.assignments}
    for entry in solution.unplaced:
        assert entry.reasons and all(reason for reason in entry.reasons)
        missing = [entry.run_index] if entry.run_index is not None else [0]
        assert all((entry.workshop_id, run) not in placed_runs for run in missing)
    explained = {(u.workshop_id, u.run_index) for u in solution.unplaced}
    for w in problem.workshops:
        runs_placed = sum(1 for a in solution.assignments if a.workshop_id == w.id)
        if runs_placed == 0:
            assert (w.id, None) in explained


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_neighbourhood_search_alone_breaks_no_rule_and_never_loses_to_the_greedy(problem):
    # full_model_max_options=0 skips the one-model phase, as on large conventions
    params = SolveParams(time_limit_seconds=1, num_workers=1, explain=False, full_model_max_options=0)
    solution = solve(problem, params)
    assert violations(problem, solution) == []
    assert solution.objective <= solution.stats["greedy_objective"]
