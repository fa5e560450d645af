"""Reasons for workshops left out: one per static cause, and competition found by the
solver."""
from __future__ import annotations

from solver_factory import FRIDAY_9AM, HOUR, problem, workshop

from solver import Names, Placement, SolveParams, solve

QUICK = SolveParams(time_limit_seconds=5, num_workers=1)
NAMES = Names(
    hosts={1: "Ana", 2: "Bo"},
    locations={1: "Hall A", 2: "Room B"},
    equipment={9: "projector"},
)


def reasons_for(solution, workshop_id: int) -> str:
    (entry,) = [u for u in solution.unplaced if u.workshop_id == workshop_id]
    return " | ".join(entry.reasons)


def test_no_room_big_enough_names_the_largest():
    p = problem([workshop(1, seats=120)], rooms={1: 80, 2: 30}, names=NAMES)
    assert reasons_for(solve(p, QUICK), 1) == "no room seats 120 (largest: Hall A, 80 seats)"


def test_allowed_rooms_too_small_says_allowed():
    p = problem([workshop(1, seats=50, allowed_location_ids=(2,))], rooms={1: 80, 2: 30}, names=NAMES)
    assert reasons_for(solve(p, QUICK), 1) == "no allowed room seats 50 (largest: Room B, 30 seats)"


def test_equipment_missing_everywhere():
    p = problem([workshop(1, equipment=((9, 3),))], rooms={1: 20, 2: 20},
                equipment_pools={9: 2}, names=NAMES)
    assert reasons_for(solve(p, QUICK), 1) == "no room has a projector and the pool holds 2, needed 3"


def test_no_consecutive_slots_long_enough():
    p = problem([workshop(1, duration_slots=3)], rooms={1: 20, 2: 20}, slots_per_room=2)
    assert reasons_for(solve(p, QUICK), 1) == "no 3 consecutive slots in any suitable room"


def test_host_windows_meet_no_slot():
    evening = ((FRIDAY_9AM + 10 * HOUR, FRIDAY_9AM + 12 * HOUR),)
    p = problem([workshop(1, hosts=(1,))], slots_per_room=4, availability={1: evening}, names=NAMES)
    reason = reasons_for(solve(p, QUICK), 1)
    assert reason.startswith("host Ana's availability windows (Fri 19:00-Fri 21:00) meet no 1")


def test_hosts_never_free_together():
    p = problem(
        [workshop(1, hosts=(1, 2))], slots_per_room=4, names=NAMES,
        availability={1: ((FRIDAY_9AM, FRIDAY_9AM + HOUR),), 2: ((FRIDAY_9AM + 2 * HOUR, FRIDAY_9AM + 3 * HOUR),)},
    )
    assert reasons_for(solve(p, QUICK), 1) == (
        "host Ana and host Bo are never available at the same time for a suitable room"
    )


def test_competition_names_the_workshops_holding_the_places():
    # One room, two hours; three one-hour workshops with different hosts: the lowest
    # priority one is left out, and the explanation names the two that hold the hours.
    p = problem(
        [workshop(1, hosts=(1,), priority=3), workshop(2, hosts=(2,), priority=2), workshop(3, hosts=(3,))],
        slots_per_room=2, names=NAMES,
    )
    solution = solve(p, QUICK)
    assert {a.workshop_id for a in solution.assignments} == {1, 2}
    competition, overfull = reasons_for(solution, 3).split(" | ")
    assert competition == (
        "2 possible place(s) exist but every one is in use; rooms taken: "
        "Hall A at Fri 09:00 by 'W1' (priority 3), Hall A at Fri 10:00 by 'W2' (priority 2)"
    )
    # three hours of workshops for two hours of room: the grid itself is too small
    assert overfull == (
        "the rooms cannot hold every workshop: together they need 3 hours but the rooms offer 2 hours, "
        "so at least 1 must stay out (lowest priority first, then the longest); this one takes 60 minutes. "
        "Days longer by 60 minutes in every room, or one more room, would make space"
    )


def test_competition_for_a_host_names_the_other_workshop():
    pin = Placement(1, 0, (100,))
    p = problem(
        [workshop(1, hosts=(1,)), workshop(2, hosts=(1,))],
        rooms={1: 20, 2: 20}, slots_per_room=1, pinned=(pin,), names=NAMES,
    )
    solution = solve(p, QUICK)
    assert solution.assignments == (pin,)
    reason = reasons_for(solution, 2)
    assert "host Ana is busy with 'W1' at Fri 09:00" in reason
    assert "Room B" not in reason  # room B was free; only the host blocked it


def test_missing_second_run_is_reported_by_run_index():
    p = problem([workshop(1, runs=2, hosts=(1,))], rooms={1: 20}, slots_per_room=1)
    solution = solve(p, QUICK)
    assert [(u.workshop_id, u.run_index) for u in solution.unplaced] == [(1, 1)]
    assert "its own run 1" in solution.unplaced[0].reasons[0]


def test_a_competitor_with_two_runs_is_named_once_per_reason():
    from solver.explain import _summarise
    from solver.problem import Names, Problem

    problem = Problem(slots=(), locations=(), workshops=(), names=Names())
    phrase = "it must end before 'Synths', which requires what it teaches"
    parts = _summarise(problem, [("order", 1, phrase), ("order", 1, phrase), ("room", 1, "Hall A at Fri 09:00 by 'X'")])
    assert parts == ["rooms taken: Hall A at Fri 09:00 by 'X'", phrase]
