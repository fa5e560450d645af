"""The greedy placement on its own (it is the model's hint and the benchmark baseline):
the order it places workshops in decides whether tight ones fit at all."""
from __future__ import annotations

from solver_factory import FRIDAY_9AM, HOUR, problem, workshop

from solver import greedy_solution, violations


def test_a_teacher_is_placed_before_its_higher_priority_learner():
    # one room, two hours: the priority-3 learner must leave the first hour to its teacher
    teacher = workshop(1, hosts=(1,), priority=1, teaches_ids=(50,))
    learner = workshop(2, hosts=(2,), priority=3, prerequisite_ids=(50,))
    p = problem([learner, teacher], slots_per_room=2)
    for conflict_aware in (True, False):
        solution = greedy_solution(p, conflict_aware=conflict_aware)
        assert violations(p, solution) == []
        assert {a.workshop_id: a.slot_ids for a in solution.assignments} == {1: (100,), 2: (101,)}


def test_a_workshop_with_one_possible_hour_goes_before_a_flexible_one():
    # workshop 2's host is there only in the first hour; workshop 1 could go any hour of
    # ten but would take the first (smallest room, earliest) if placed first
    flexible = workshop(1, hosts=(1,))
    narrow = workshop(2, hosts=(2,))
    p = problem([flexible, narrow], slots_per_room=10,
                availability={2: ((FRIDAY_9AM, FRIDAY_9AM + HOUR),)})
    solution = greedy_solution(p)
    assert violations(p, solution) == []
    assert len(solution.assignments) == 2
    assert {a.workshop_id: a.slot_ids for a in solution.assignments}[2] == (100,)
