"""How fair an allocation is, in the figures issue 16 asks for (the same for Slotwise and the baselines)."""
from __future__ import annotations

import math

from .draft import swaps
from .index import ProblemIndex
from .problem import Allocation, AllocationProblem
from .state import Seating


def figures(problem: AllocationProblem, allocation: Allocation) -> dict[str, float | int]:
    index = ProblemIndex(problem)
    seating = Seating.of(index, allocation)
    people = index.people
    granted = sorted(seating.granted(person) for person in people)
    tenth = granted[:max(1, math.ceil(len(granted) / 10))] if granted else [0]
    wanting = len(people) or 1
    return {
        "people_wishing": len(people),
        "share_with_a_wish": sum(1 for n in granted if n) / wanting,
        "share_with_first_wish": sum(
            1 for person in people if index.wishes[person][0].workshop_id in seating.held[person]) / wanting,
        "mean_wishes_granted": sum(granted) / wanting,
        "seats_filled": sum(a.party_size for a in allocation.assignments),
        "seats": sum(run.seats for run in problem.runs),
        "worst_tenth_mean": sum(tenth) / len(tenth),
        "swap_pairs": len(swap_pairs(index, seating)),
        "waiting_beside_free_seat": len(waiting_beside_free_seat(index, seating)),
    }


def swap_pairs(index: ProblemIndex, seating: Seating) -> set[frozenset[int]]:
    """Every pair of people who would both be better off exchanging one seat each."""
    return {frozenset((person, partner)) for person in index.people for _, partner, _ in swaps(index, seating, person)}


def waiting_beside_free_seat(index: ProblemIndex, seating: Seating) -> set[int]:
    """People left without a wished seat although a run of it has room for them and fits their day."""
    return {person for person in index.people
            if any(seating.open_run(person, wish.workshop_id) is not None for wish in index.wishes[person])}
