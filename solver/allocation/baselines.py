"""The simple rules Slotwise's allocation is measured against, on the same wishes and the same lottery.

- first come, first served: everyone clicks their wishes in rank order, and the clicks of all people
  arrive interleaved in a random order (a registration rush);
- EMF's lottery: round k draws every rank-k ticket of the people without a win yet, in lottery order;
  a win cancels the person's other tickets (one workshop per person);
- random serial dictatorship: people in lottery order each take their best remaining wishes at once.
"""
from __future__ import annotations

import random

from .draft import lottery_order
from .index import ProblemIndex
from .problem import Allocation, AllocationProblem
from .state import Seating


def first_come_first_served(problem: AllocationProblem, seed: int = 0) -> Allocation:
    index = ProblemIndex(problem)
    seating = Seating(index)
    clicks = [person for person in index.people for _ in index.wishes[person]]
    random.Random(seed).shuffle(clicks)  # who clicks when; each person's clicks go in rank order
    next_wish = dict.fromkeys(index.people, 0)
    for person in clicks:
        wish = index.wishes[person][next_wish[person]]
        next_wish[person] += 1
        seating.try_wish(person, wish.workshop_id)
    return seating.allocation(lottery_order(index, seed), seed, "first_come")


def emf_lottery(problem: AllocationProblem, seed: int = 0) -> Allocation:
    index = ProblemIndex(problem)
    seating = Seating(index)
    lottery = lottery_order(index, seed)
    depth = max((len(wishes) for wishes in index.wishes.values()), default=0)
    for position in range(depth):
        for person in lottery:
            if seating.granted(person) == 0 and position < len(index.wishes[person]):
                seating.try_wish(person, index.wishes[person][position].workshop_id)
    return seating.allocation(lottery, seed, "emf_lottery")


def random_serial_dictatorship(problem: AllocationProblem, seed: int = 0) -> Allocation:
    index = ProblemIndex(problem)
    seating = Seating(index)
    lottery = lottery_order(index, seed)
    for person in lottery:
        for wish in index.wishes[person]:
            seating.try_wish(person, wish.workshop_id)
    return seating.allocation(lottery, seed, "serial_dictatorship")


BASELINES = {
    "first_come": first_come_first_served,
    "emf_lottery": emf_lottery,
    "serial_dictatorship": random_serial_dictatorship,
}
