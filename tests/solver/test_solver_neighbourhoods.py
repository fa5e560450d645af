"""The neighbourhood search's make-room move: which placed workshops stand in the way of
a left-out run at a given place."""
from __future__ import annotations

from solver_factory import problem, workshop

from solver.instance import Weights, build_instance
from solver.lns import blockers, PlacedIndex


def option_at(instance, workshop_id: int, slot_id: int):
    return next(o for o in instance.reports[workshop_id].options if o.slot_ids[0] == slot_id)


def test_blockers_are_the_slot_holder_and_the_hosts_other_run():
    # rooms 1 and 2, four hours; the target (host 7) wants room 1 at 9:00
    holder = workshop(1, hosts=(1,))
    host_busy = workshop(2, hosts=(7,))
    elsewhere = workshop(3, hosts=(3,))
    target = workshop(4, hosts=(7,))
    p = problem([holder, host_busy, elsewhere, target], rooms={1: 20, 2: 20})
    instance = build_instance(p, Weights())
    current = {(1, 0): option_at(instance, 1, 100), (2, 0): option_at(instance, 2, 200),
               (3, 0): option_at(instance, 3, 201)}
    index = PlacedIndex(instance, current)
    assert blockers(instance, current, 4, option_at(instance, 4, 100), index) == {1, 2}
    # at 10:00 in room 1 only workshop 3's room-2 hour is near, and it blocks nothing
    assert blockers(instance, current, 4, option_at(instance, 4, 101), index) == set()


def test_a_teacher_is_blocked_by_learners_that_start_before_it_ends():
    teacher = workshop(1, hosts=(1,), teaches_ids=(50,))
    early = workshop(2, hosts=(2,), prerequisite_ids=(50,))
    late = workshop(3, hosts=(3,), prerequisite_ids=(50,))
    p = problem([teacher, early, late], slots_per_room=4)
    instance = build_instance(p, Weights())
    current = {(2, 0): option_at(instance, 2, 101), (3, 0): option_at(instance, 3, 103)}
    index = PlacedIndex(instance, current)
    # at 9:00 the teacher ends before both learners start
    assert blockers(instance, current, 1, option_at(instance, 1, 100), index) == set()
    # at 11:00 it holds no one's slot but ends after the 10:00 learner starts
    assert blockers(instance, current, 1, option_at(instance, 1, 102), index) == {2}


def test_a_pool_short_at_that_time_blocks_through_its_users():
    users = [workshop(i, hosts=(i,), equipment=((9, 1),)) for i in (1, 2)]
    target = workshop(3, hosts=(3,), equipment=((9, 1),))
    p = problem([*users, target], rooms={1: 20, 2: 20, 3: 20}, equipment_pools={9: 2})
    instance = build_instance(p, Weights())
    current = {(1, 0): option_at(instance, 1, 100), (2, 0): option_at(instance, 2, 200)}
    index = PlacedIndex(instance, current)
    assert blockers(instance, current, 3, option_at(instance, 3, 300), index) == {1, 2}
    assert blockers(instance, current, 3, option_at(instance, 3, 301), index) == set()
