"""Slotwise's allocation on small hand-made cases: each shows one behaviour and fails without it."""
from __future__ import annotations

from solver.allocation import (
    Allocation, AllocationProblem, Assignment, Person, Run, Wish, allocate, emf_lottery, figures, repaired, violations,
)
from solver.allocation.index import ProblemIndex


def _runs_of(allocation, person):
    return sorted(a.run_id for a in allocation.assignments if a.person == person)


def test_a_swap_both_people_prefer_is_made():
    problem = AllocationProblem(
        runs=(Run(1, 10, 1, 0, 60), Run(2, 20, 1, 0, 60)),
        wishes=(Wish(1, 20, 1), Wish(1, 10, 2), Wish(2, 10, 1), Wish(2, 20, 2)),
    )
    crossed = Allocation((Assignment(1, 1), Assignment(2, 2)))
    assert figures(problem, crossed)["swap_pairs"] == 1
    fixed = repaired(problem, crossed)
    assert _runs_of(fixed, 1) == [2] and _runs_of(fixed, 2) == [1]
    assert figures(problem, fixed)["swap_pairs"] == 0


def test_a_person_at_their_maximum_upgrades_to_a_free_seat_they_rank_higher():
    problem = AllocationProblem(
        runs=(Run(1, 10, 1, 0, 60), Run(2, 20, 1, 120, 180)),
        wishes=(Wish(1, 10, 1), Wish(1, 20, 2)),
        people=(Person(1, max_workshops=1),),
    )
    assert _runs_of(repaired(problem, Allocation((Assignment(1, 2),))), 1) == [1]


def test_a_party_gets_all_its_seats_in_one_run_or_none():
    problem = AllocationProblem(
        runs=(Run(1, 10, 2, 0, 60), Run(2, 10, 2, 120, 180)),
        wishes=(Wish(1, 10, 1, party_size=3), Wish(2, 10, 1, party_size=2), Wish(3, 10, 1, party_size=2)),
    )
    for seed in range(5):
        allocation = allocate(problem, seed)
        assert violations(problem, allocation) == []
        assert sorted((a.person, a.party_size) for a in allocation.assignments) == [(2, 2), (3, 2)]
    assert [s.reason for s in ProblemIndex(problem).skipped] == ["no run of the workshop has that many seats free"]


def test_a_party_too_big_for_the_last_seats_does_not_block_a_smaller_wish():
    problem = AllocationProblem(runs=(Run(1, 10, 3, 0, 60),),
                                wishes=(Wish(1, 10, 1, party_size=2), Wish(2, 10, 1, party_size=2), Wish(3, 10, 1)))
    allocation = allocate(problem, seed=0)
    assert sum(a.party_size for a in allocation.assignments) == 3
    assert 3 in {a.person for a in allocation.assignments}


def test_a_prerequisite_taught_by_another_wish_earlier_is_granted_with_it():
    problem = AllocationProblem(
        runs=(Run(1, 10, 5, 120, 180, requires=(7,)), Run(2, 20, 5, 0, 60, teaches=(7,))),
        wishes=(Wish(1, 10, 1), Wish(1, 20, 2)),
    )
    ours, emf = allocate(problem, seed=0), emf_lottery(problem, seed=0)
    assert _runs_of(ours, 1) == [1, 2] and violations(problem, ours) == []
    assert figures(problem, ours)["share_with_first_wish"] == 1.0
    assert figures(problem, emf)["share_with_first_wish"] == 0.0  # one win: the teaching run alone


def test_a_prerequisite_taught_only_later_is_not_enough():
    problem = AllocationProblem(
        runs=(Run(1, 10, 5, 0, 60, requires=(7,)), Run(2, 20, 5, 120, 180, teaches=(7,))),
        wishes=(Wish(1, 10, 1), Wish(1, 20, 2)),
    )
    assert _runs_of(allocate(problem, seed=0), 1) == [2]
    broken = Allocation((Assignment(1, 1), Assignment(1, 2)))
    assert violations(problem, broken) == ["person 1 lacks capability 7 for run 1"]


def test_wishes_for_workshops_without_a_run_are_skipped_and_counted():
    problem = AllocationProblem(runs=(Run(1, 10, 1, 0, 60),), wishes=(Wish(1, 99, 1), Wish(1, 10, 2)))
    allocation = allocate(problem, seed=0)
    assert _runs_of(allocation, 1) == [1]
    assert allocation.stats["skipped_wishes"] == 1


def test_waitlists_put_the_worse_off_first_and_skip_those_who_could_not_attend():
    problem = AllocationProblem(
        runs=(Run(1, 10, 1, 0, 60), Run(2, 20, 1, 120, 180), Run(3, 30, 1, 0, 60)),
        # person 1 is given 10 and 20; 2 and 3 want 10 too; 3 also has 30, which clashes with 10
        wishes=(Wish(1, 10, 1), Wish(1, 20, 2), Wish(2, 10, 1), Wish(3, 30, 1), Wish(3, 10, 2), Wish(4, 20, 1),
                Wish(4, 10, 2)),
    )
    allocation = allocate(problem, seed=0)
    holder_of = {a.run_id: a.person for a in allocation.assignments}
    waiting = {w.run_id: w.people for w in allocation.waitlists}
    assert violations(problem, allocation) == []
    for run_id, people in waiting.items():
        assert holder_of[run_id] not in people
        granted = [len(_runs_of(allocation, person)) for person in people]
        assert granted == sorted(granted)
    if holder_of.get(3) == 3:
        assert 3 not in waiting.get(1, ())  # run 1 clashes with the run 3 holds


def test_different_seeds_draw_different_lotteries_on_a_contested_run():
    problem = AllocationProblem(runs=(Run(1, 10, 1, 0, 60),), wishes=tuple(Wish(p, 10, 1) for p in range(1, 21)))
    winners = {allocate(problem, seed).assignments[0].person for seed in range(10)}
    assert len(winners) > 1
    assert allocate(problem, 4) == allocate(problem, 4)


def test_the_checker_names_every_broken_rule():
    problem = AllocationProblem(
        runs=(Run(1, 10, 1, 0, 60), Run(2, 20, 3, 30, 90)),
        wishes=(Wish(1, 10, 1), Wish(1, 20, 2), Wish(2, 10, 1), Wish(3, 20, 1, party_size=2)),
        people=(Person(1, max_workshops=1),),
    )
    bad = Allocation((Assignment(1, 1), Assignment(1, 2), Assignment(2, 1), Assignment(3, 2, party_size=1)))
    assert violations(problem, bad) == [
        "person 3's party of 2 gets 1 seat(s) in run 2",
        "run 1 has 2 people for 1 seats",
        "person 1 has 2 workshops, more than their maximum of 1",
        "person 1 is in runs 1 and 2, which overlap",
    ]


def test_places_held_from_before_count_against_overlaps_and_the_maximum():
    problem = AllocationProblem(
        runs=(Run(1, 10, 5, 0, 60), Run(2, 20, 5, 0, 60), Run(3, 30, 5, 120, 180), Run(4, 40, 5, 240, 300)),
        wishes=(Wish(1, 20, 1), Wish(1, 30, 2), Wish(1, 40, 3)),
        people=(Person(1, max_workshops=2, attending=(1,)),),  # already in run 1, 10:00-11:00
    )
    allocation = allocate(problem, seed=0)
    assert _runs_of(allocation, 1) == [3]  # not run 2 (clashes with run 1), and one more makes two
    assert violations(problem, allocation) == []
    clash = Allocation((Assignment(1, 2),))
    assert violations(problem, clash) == ["person 1 is in runs 2 and 1, which overlap"]
