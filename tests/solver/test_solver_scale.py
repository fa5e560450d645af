"""Real conference scale (issue 15): FOSDEM 2019 placed whole, the overload variant placed
to its computed maximum and proven so, the search ending when nothing can be better, a
reason for each run left out, and tracks kept apart and together."""
from __future__ import annotations

import pytest
from solver_factory import problem, workshop

from benchmarks.generate_real import real_problem
from solver import Placement, SolveParams, Weights, build_instance, problem_from_json, problem_to_json, solve, \
    violations
from solver.capacity import capacity
from solver.pooled import pooled_placement
from ortools.sat.python import cp_model

FOSDEM = "/work/shared/realdata/fosdem2019.json"
NO_TRACKS = Weights(track_overlap=0, track_rooms=0)


@pytest.fixture(scope="module")
def fosdem():
    return real_problem(FOSDEM, any_room=True)


@pytest.fixture(scope="module")
def fosdem_overload():
    return real_problem(FOSDEM, any_room=True, drop_room_share=0.2, cut_minutes_per_day=120)


def test_every_fosdem_talk_is_placed_in_any_room_with_no_rule_broken(fosdem):
    solution = solve(fosdem, SolveParams(time_limit_seconds=2, explain=False, weights=NO_TRACKS))
    assert len(solution.assignments) == len(fosdem.workshops) == 775
    assert violations(fosdem, solution) == []
    # nothing left to improve without tracks or interests: proven, not searched to the limit
    assert solution.status == "optimal"


def test_tracks_keep_fosdem_devrooms_apart_in_time_and_together_in_rooms(fosdem):
    plain = solve(fosdem, SolveParams(time_limit_seconds=2, explain=False, weights=NO_TRACKS))
    tracked = solve(fosdem, SolveParams(time_limit_seconds=2, explain=False))
    assert len(tracked.assignments) == 775 and violations(fosdem, tracked) == []
    assert plain.stats["same_track_overlaps"] > 1000
    assert tracked.stats["same_track_overlaps"] <= plain.stats["same_track_overlaps"] // 10
    assert tracked.stats["track_rooms_per_day"] < plain.stats["track_rooms_per_day"] / 2


@pytest.mark.parametrize("reproducible", [False, True])
def test_the_overload_variant_gets_its_computed_maximum_and_stops(fosdem_overload, reproducible):
    instance = build_instance(fosdem_overload, Weights())
    limits = capacity(instance, Weights())
    assert limits.excess > 0 and limits.must_leave_out > 0
    maximum = len(instance.runs) - limits.must_leave_out
    params = (SolveParams(work_limit=60, time_limit_seconds=600, weights=NO_TRACKS) if reproducible
              else SolveParams(time_limit_seconds=60, weights=NO_TRACKS))
    solution = solve(fosdem_overload, params)
    assert len(solution.assignments) == maximum
    assert violations(fosdem_overload, solution) == []
    # the capacity bound proves it: the search ends there, not at its limit
    assert solution.status == "optimal"
    assert solution.bound == solution.objective == solution.stats["lower_bound"]
    # every run left out has a reason of its own: its length and what would make space
    assert len(solution.unplaced) == limits.must_leave_out
    for entry in solution.unplaced:
        text = " ".join(entry.reasons)
        assert "no time was left" not in text
        length = fosdem_overload.workshops[entry.workshop_id - 1].duration_slots * 5
        assert f"this one takes {length} minutes" in text


def test_a_run_longer_than_any_day_left_out_alone_ends_the_search_as_optimal():
    talks = [workshop(1, hosts=(1,), duration_slots=5)] + [workshop(i, hosts=(i,)) for i in range(2, 6)]
    p = problem(talks, rooms={1: 20, 2: 20}, slots_per_room=4)
    solution = solve(p, SolveParams(time_limit_seconds=600))
    assert solution.status == "optimal"
    assert {a.workshop_id for a in solution.assignments} == {2, 3, 4, 5}
    assert solution.stats["statically_impossible_runs"] == 1
    assert solution.bound == solution.objective
    (entry,) = solution.unplaced
    assert entry.reasons == ("no 5 consecutive slots in any suitable room",)


def test_a_grid_too_small_leaves_out_the_longest_and_says_what_would_make_space():
    # one room, four hours; a three-hour workshop and four one-hour ones: 7 hours for 4
    talks = [workshop(1, hosts=(1,), duration_slots=3)] + [workshop(i, hosts=(i,)) for i in range(2, 6)]
    p = problem(talks, rooms={1: 20}, slots_per_room=4)
    solution = solve(p, SolveParams(time_limit_seconds=600, explain_time_limit_seconds=0))
    assert solution.status == "optimal"
    assert {a.workshop_id for a in solution.assignments} == {2, 3, 4, 5}
    (entry,) = solution.unplaced
    text = " | ".join(entry.reasons)
    assert "the closest to free is location #1 at Fri 09:00" in text
    assert "at least 1 must stay out (lowest priority first, then the longest); this one takes 180 minutes" in text


def test_a_lower_priority_run_goes_before_a_longer_important_one():
    talks = [workshop(1, hosts=(1,), duration_slots=3, priority=5)] + [workshop(i, hosts=(i,)) for i in range(2, 6)]
    p = problem(talks, rooms={1: 20}, slots_per_room=4)
    solution = solve(p, SolveParams(time_limit_seconds=600))
    assert solution.status == "optimal"
    assert 1 in {a.workshop_id for a in solution.assignments}
    assert len(solution.assignments) == 2


def test_pooled_rooms_place_every_run_and_hand_out_rooms_without_clashes():
    # three equal rooms, two hours: six talks with two shared speakers fit only if each
    # speaker's talks go to different hours; the pool model decides hours, rooms follow
    talks = [workshop(1, hosts=(1,)), workshop(2, hosts=(1,)), workshop(3, hosts=(2,)),
             workshop(4, hosts=(2,)), workshop(5, hosts=(3,)), workshop(6, hosts=(4,))]
    p = problem(talks, rooms={1: 20, 2: 20, 3: 20}, slots_per_room=2)
    instance = build_instance(p, Weights())
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10
    result = pooled_placement(instance, Weights(), {}, solver)
    assert result.status == "OPTIMAL"
    placements = [Placement(k[0], k[1], o.slot_ids) for k, o in result.assignment.items()]
    assert len(placements) == 6 and violations(p, placements) == []
    assert result.placement_bound == 0


def test_pooled_rooms_leave_problems_with_pool_equipment_to_the_other_phases():
    p = problem([workshop(1, equipment=((9, 1),))], equipment_pools={9: 1})
    result = pooled_placement(build_instance(p, Weights()), Weights(), {}, cp_model.CpSolver())
    assert result.assignment is None and not result.searched


def test_same_track_talks_take_different_hours_in_one_room():
    talks = [workshop(1, hosts=(1,), track=7), workshop(2, hosts=(2,), track=7), workshop(3, hosts=(3,))]
    p = problem(talks, rooms={1: 20, 2: 20}, slots_per_room=2)
    solution = solve(p, SolveParams(time_limit_seconds=5))
    placed = {a.workshop_id: a.slot_ids[0] for a in solution.assignments}
    track_slots = [placed[1], placed[2]]
    assert track_slots[0] % 100 != track_slots[1] % 100  # different hours
    assert track_slots[0] // 100 == track_slots[1] // 100  # one room
    assert solution.stats["same_track_overlaps"] == 0


def test_without_track_weights_the_same_talks_may_overlap():
    talks = [workshop(1, hosts=(1,), track=7), workshop(2, hosts=(2,), track=7)]
    p = problem(talks, rooms={1: 20, 2: 20}, slots_per_room=2)
    solution = solve(p, SolveParams(time_limit_seconds=5, weights=NO_TRACKS))
    assert solution.stats["same_track_overlaps"] == 1  # both at the first hour, rooms 1 and 2


def test_track_survives_json_and_old_documents_load_without_one():
    p = problem([workshop(1, track=3), workshop(2)])
    document = problem_to_json(p)
    assert [w.track for w in problem_from_json(document).workshops] == [3, None]
    for entry in document["workshops"]:
        del entry["track"]
    assert [w.track for w in problem_from_json(document).workshops] == [None, None]
