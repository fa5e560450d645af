"""Each hard rule in a tiny problem: the solver keeps it, and the validator catches a
hand-made schedule that breaks it."""
from __future__ import annotations

import pytest
from solver_factory import FRIDAY_9AM, HOUR, problem, room_grid, workshop

from solver import Placement, Problem, SolveParams, solve, violations

QUICK = SolveParams(time_limit_seconds=5, num_workers=1)


def codes(found) -> set[str]:
    return {v.code for v in found}


def placed(solution) -> dict[int, list[Placement]]:
    by_workshop: dict[int, list[Placement]] = {}
    for placement in solution.assignments:
        by_workshop.setdefault(placement.workshop_id, []).append(placement)
    return by_workshop


def span(p: Problem, placement: Placement) -> tuple[int, int]:
    slots = {s.id: s for s in p.slots}
    chosen = [slots[i] for i in placement.slot_ids]
    return min(s.start for s in chosen), max(s.end for s in chosen)


# -- rule 1: one run per slot; multi-slot runs on consecutive slots of one room -----------

def test_one_room_one_slot_holds_one_of_two_workshops():
    p = problem([workshop(1, hosts=(1,)), workshop(2, hosts=(2,))], slots_per_room=1)
    solution = solve(p, QUICK)
    assert len(solution.assignments) == 1
    assert violations(p, solution) == []
    assert [u.workshop_id for u in solution.unplaced] == [
        ({1, 2} - {solution.assignments[0].workshop_id}).pop()
    ]


def test_validator_catches_a_shared_slot():
    p = problem([workshop(1, hosts=(1,)), workshop(2, hosts=(2,))], slots_per_room=1)
    found = violations(p, [Placement(1, 0, (100,)), Placement(2, 0, (100,))])
    assert codes(found) == {"slot_taken"}
    assert found[0].workshop_id == 2 and found[0].slot_ids == (100,)


def test_two_slot_run_takes_consecutive_slots_of_one_room():
    p = problem([workshop(1, duration_slots=2)], rooms={1: 20, 2: 20}, slots_per_room=2)
    solution = solve(p, QUICK)
    (run,) = solution.assignments
    assert sorted(run.slot_ids) in ([100, 101], [200, 201])
    assert violations(p, solution) == []


def test_gap_longer_than_allowed_breaks_consecutiveness():
    locations, slots = room_grid({1: 20}, 2, gap_minutes=30)
    p = Problem(slots=slots, locations=locations, workshops=(workshop(1, duration_slots=2),),
                consecutive_gap_minutes=15)
    solution = solve(p, QUICK)
    assert solution.assignments == ()
    assert "no 2 consecutive slots" in solution.unplaced[0].reasons[0]
    assert codes(violations(p, [Placement(1, 0, (100, 101))])) == {"not_consecutive"}


def test_short_gap_within_the_parameter_still_counts_as_consecutive():
    locations, slots = room_grid({1: 20}, 2, gap_minutes=10)
    p = Problem(slots=slots, locations=locations, workshops=(workshop(1, duration_slots=2),))
    solution = solve(p, QUICK)
    assert [a.slot_ids for a in solution.assignments] == [(100, 101)]


def test_validator_catches_rooms_mixed_skipped_slots_and_wrong_length():
    p = problem([workshop(1, duration_slots=2)], rooms={1: 20, 2: 20}, slots_per_room=3)
    assert codes(violations(p, [Placement(1, 0, (100, 201))])) == {"not_consecutive"}
    assert codes(violations(p, [Placement(1, 0, (100, 102))])) == {"not_consecutive"}
    assert codes(violations(p, [Placement(1, 0, (100,))])) == {"wrong_duration"}
    assert codes(violations(p, [Placement(1, 0, (100, 999))])) == {"unknown_slot"}


# -- rule 2: hosts in one place at a time, only within their windows ----------------------

def test_shared_cohost_never_in_two_rooms_at_once():
    p = problem(
        [workshop(1, hosts=(1, 2)), workshop(2, hosts=(3, 2))], rooms={1: 20, 2: 20}, slots_per_room=1
    )
    solution = solve(p, QUICK)
    assert len(solution.assignments) == 1  # one hour, one co-host: only one can run
    assert violations(p, solution) == []
    found = violations(p, [Placement(1, 0, (100,)), Placement(2, 0, (200,))])
    assert codes(found) == {"host_double_booked"}


def test_overlap_is_by_real_time_across_rooms_with_different_grids():
    # room 2's slots are offset by half an hour, so they overlap room 1's
    locations_a, slots_a = room_grid({1: 20}, 2)
    locations_b, slots_b = room_grid({2: 20}, 2, start=FRIDAY_9AM + 30)
    p = Problem(slots=slots_a + slots_b, locations=locations_a + locations_b,
                workshops=(workshop(1, hosts=(7,)), workshop(2, hosts=(7,))))
    solution = solve(p, QUICK)
    assert len(solution.assignments) == 2
    assert violations(p, solution) == []
    first, second = (span(p, a) for a in solution.assignments)
    assert first[1] <= second[0] or second[1] <= first[0]
    assert codes(violations(p, [Placement(1, 0, (100,)), Placement(2, 0, (200,))])) == {
        "host_double_booked"
    }


def test_host_only_within_availability_window():
    window = ((FRIDAY_9AM + 2 * HOUR, FRIDAY_9AM + 4 * HOUR),)
    p = problem([workshop(1, hosts=(5,), duration_slots=2)], slots_per_room=4,
                availability={5: window})
    solution = solve(p, QUICK)
    assert [a.slot_ids for a in solution.assignments] == [(102, 103)]
    assert codes(violations(p, [Placement(1, 0, (101, 102))])) == {"host_unavailable"}


def test_run_may_span_two_touching_windows():
    windows = ((FRIDAY_9AM, FRIDAY_9AM + HOUR), (FRIDAY_9AM + HOUR, FRIDAY_9AM + 2 * HOUR))
    p = problem([workshop(1, hosts=(5,), duration_slots=2)], slots_per_room=3,
                availability={5: windows})
    solution = solve(p, QUICK)
    assert [a.slot_ids for a in solution.assignments] == [(100, 101)]
    assert violations(p, solution) == []


# -- rule 3: capacity and allowed locations ---------------------------------------------

def test_room_must_seat_max_attendees_and_be_allowed():
    p = problem(
        [workshop(1, hosts=(1,), seats=30), workshop(2, hosts=(2,), allowed_location_ids=(3,))],
        rooms={1: 20, 2: 40, 3: 40}, slots_per_room=1,
    )
    solution = solve(p, QUICK)
    rooms = {a.workshop_id: a.slot_ids[0] // 100 for a in solution.assignments}
    assert rooms == {1: 2, 2: 3}
    assert codes(violations(p, [Placement(1, 0, (100,))])) == {"room_too_small"}
    assert codes(violations(p, [Placement(2, 0, (200,))])) == {"location_not_allowed"}


# -- rule 4: equipment from the room first, then the pool, at every moment -----------------

def test_pool_is_shared_over_time_and_rooms():
    p = problem(
        [workshop(i, hosts=(i,), equipment=((9, 1),)) for i in (1, 2, 3)],
        rooms={1: 20, 2: 20, 3: 20}, slots_per_room=2, equipment_pools={9: 1},
    )
    solution = solve(p, QUICK)
    assert len(solution.assignments) == 2  # one projector, two hours
    assert violations(p, solution) == []
    starts = {span(p, a)[0] for a in solution.assignments}
    assert len(starts) == 2
    found = violations(p, [Placement(1, 0, (100,)), Placement(2, 0, (200,))])
    assert codes(found) == {"equipment_short"}


def test_fixed_room_equipment_is_used_before_the_pool():
    p = problem(
        [workshop(1, hosts=(1,), equipment=((9, 2),)), workshop(2, hosts=(2,), equipment=((9, 1),))],
        rooms={1: 20, 2: 20}, slots_per_room=1, equipment_pools={9: 1},
        equipment={1: ((9, 1),)},
    )
    solution = solve(p, QUICK)
    # room 1 has one projector: workshop 1 takes it plus the pool's one, so workshop 2
    # (in room 2 at the same hour) finds the pool empty
    assert len(solution.assignments) == 1
    assert violations(p, solution) == []
    assert codes(violations(p, [Placement(1, 0, (100,)), Placement(2, 0, (200,))])) == {
        "equipment_short"
    }
    assert violations(p, [Placement(1, 0, (100,))]) == []


# -- rule 5: prerequisites ---------------------------------------------------------------

def test_teacher_run_ends_before_first_learner_run():
    p = problem(
        [workshop(1, hosts=(1,), prerequisite_ids=(50,), runs=2), workshop(2, hosts=(2,), teaches_ids=(50,))],
        rooms={1: 20, 2: 20}, slots_per_room=3,
    )
    solution = solve(p, QUICK)
    assert violations(p, solution) == []
    runs = placed(solution)
    assert len(runs[1]) == 2 and len(runs[2]) == 1
    teacher_end = span(p, runs[2][0])[1]
    assert all(span(p, r)[0] >= teacher_end for r in runs[1])
    found = violations(p, [Placement(1, 0, (100,)), Placement(2, 0, (201,))])
    assert codes(found) == {"prerequisite_order"}


def test_unplaced_teacher_imposes_nothing():
    # the teacher needs 99 seats, so it is left out; the learner still goes in slot one
    p = problem(
        [workshop(1, hosts=(1,), prerequisite_ids=(50,)), workshop(2, hosts=(2,), seats=99, teaches_ids=(50,))],
        slots_per_room=1,
    )
    solution = solve(p, QUICK)
    assert [a.workshop_id for a in solution.assignments] == [1]
    assert violations(p, [Placement(1, 0, (100,))]) == []


def test_any_of_several_teachers_suffices():
    p = problem(
        [
            workshop(1, hosts=(1,), prerequisite_ids=(50,)),
            workshop(2, hosts=(2,), teaches_ids=(50,)),
            workshop(3, hosts=(3,), teaches_ids=(50,)),
        ],
        rooms={1: 20, 2: 20}, slots_per_room=2,
    )
    # teacher 2 before the learner, teacher 3 alongside it: still valid
    assert violations(p, [Placement(2, 0, (100,)), Placement(1, 0, (101,)), Placement(3, 0, (201,))]) == []
    solution = solve(p, QUICK)
    assert len(solution.assignments) == 3
    assert violations(p, solution) == []


# -- rule 6: pins, runs of one workshop ---------------------------------------------------

def test_pinned_run_stays_exactly():
    pin = Placement(1, 0, (102,))
    p = problem([workshop(1), workshop(2)], slots_per_room=3, pinned=(pin,))
    solution = solve(p, QUICK)
    assert pin in solution.assignments
    assert violations(p, solution) == []
    assert codes(violations(p, [Placement(1, 0, (100,))])) == {"pin_moved"}


def test_invalid_pins_make_the_problem_infeasible_with_the_reason():
    p = problem([workshop(1, seats=99)], slots_per_room=1, pinned=(Placement(1, 0, (100,)),))
    solution = solve(p, QUICK)
    assert solution.status == "infeasible"
    assert "seats 20" in solution.unplaced[0].reasons[0]


def test_runs_of_one_workshop_never_overlap_and_come_in_order():
    p = problem([workshop(1, runs=3, hosts=(1,)), ], rooms={1: 20, 2: 20, 3: 20}, slots_per_room=3)
    solution = solve(p, QUICK)
    runs = sorted(solution.assignments, key=lambda a: a.run_index)
    assert [r.run_index for r in runs] == [0, 1, 2]
    starts = [span(p, r)[0] for r in runs]
    assert starts == sorted(set(starts))
    found = violations(p, [Placement(1, 0, (100,)), Placement(1, 1, (200,))])
    assert "runs_overlap" in codes(found)


def test_runs_of_one_workshop_overlap_even_with_different_hosts_is_caught():
    p = problem([workshop(1, runs=2, hosts=())], rooms={1: 20, 2: 20}, slots_per_room=1)
    solution = solve(p, QUICK)
    assert len(solution.assignments) == 1
    assert codes(violations(p, [Placement(1, 0, (100,)), Placement(1, 1, (200,))])) == {"runs_overlap"}


@pytest.mark.parametrize("bad_index", [2, -1])
def test_validator_rejects_runs_that_do_not_exist(bad_index):
    p = problem([workshop(1, runs=2)], slots_per_room=3)
    assert codes(violations(p, [Placement(1, bad_index, (100,))])) == {"unknown_run"}
