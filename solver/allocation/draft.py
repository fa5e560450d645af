"""Slotwise's seat allocation: a seeded draft by rank, then repairs until nothing can be improved.

1. Draft. A lottery (the seed) orders the people. In each round every person still taking part gets at
   most one more seat: the round first tries everyone's first wish, then everyone's second wish for
   those still without a seat this round, and so on. Round one is therefore EMF's round-by-rank lottery,
   with the same chances, and nobody gets a second seat before everyone has had a go at a first. The
   order snakes (reversed each round), so whoever drew last picks first next round.
   A wish whose prerequisite the person can learn in another of their wishes, at an earlier run, is
   granted together with that run (EMF's one-win rule makes that impossible there).
2. Repairs, until none applies: fill (a free seat goes to anyone who wants it and can take it), upgrade
   (a person trades a seat for a free one they rank higher) and swap (two people who each prefer the
   other's seat trade). Each step either fills a seat or improves someone's ranks without harming
   anyone, so it ends, and at the end nobody waits for a seat they could take and no pair would both
   gain by swapping.

Deterministic: the same problem and seed give the same allocation.
"""
from __future__ import annotations

import random
from typing import Callable, Iterator

from .index import ProblemIndex
from .problem import Allocation, AllocationProblem, Run
from .state import Seating

MECHANISM = "draft"


def lottery_order(index: ProblemIndex, seed: int) -> list[int]:
    """The people who wished for something, in the seed's random order (shared by every mechanism)."""
    order = list(index.people)
    random.Random(seed).shuffle(order)
    return order


def allocate(problem: AllocationProblem, seed: int = 0,
             should_stop: Callable[[], bool] = lambda: False,
             on_progress: Callable[[str, int], None] = lambda phase, done: None) -> Allocation:
    index = ProblemIndex(problem)
    lottery = lottery_order(index, seed)
    seating = Seating(index)
    rounds = _draft(index, seating, lottery, should_stop, on_progress)
    repairs = _repair(index, seating, lottery, should_stop, on_progress)
    stats = {"rounds": rounds, **repairs, "skipped_wishes": len(index.skipped)}
    return seating.allocation(lottery, seed, MECHANISM, stats)


def repaired(problem: AllocationProblem, allocation: Allocation, seed: int = 0) -> Allocation:
    """Any valid allocation after the repairs: free seats filled, upgrades and swaps made."""
    index = ProblemIndex(problem)
    seating = Seating.of(index, allocation)
    lottery = lottery_order(index, seed)
    counts = _repair(index, seating, lottery, lambda: False, lambda phase, done: None)
    return seating.allocation(lottery, seed, f"{allocation.mechanism}+repair", counts)


def _draft(index, seating: Seating, lottery: list[int], should_stop, on_progress) -> int:
    active = [person for person in lottery if index.limit(person) > 0]
    rounds = 0
    while active and not should_stop():
        order = active if rounds % 2 == 0 else active[::-1]
        served: set[int] = set()
        waiting, position = order, 0
        while waiting:
            still_waiting = []
            for person in waiting:
                workshop_id = index.wishes[person][position].workshop_id
                if seating.try_wish(person, workshop_id) or _take_with_teacher(index, seating, person, workshop_id):
                    served.add(person)
                elif position + 1 < len(index.wishes[person]):
                    still_waiting.append(person)
            waiting, position = still_waiting, position + 1
        rounds += 1
        on_progress("draft", rounds)
        active = [person for person in active if person in served and seating.has_room(person)]
    return rounds


def _take_with_teacher(index: ProblemIndex, seating: Seating, person: int, workshop_id: int) -> bool:
    """Grant a wish together with another wished run that teaches its missing prerequisite first."""
    if workshop_id in seating.held[person] or len(seating.held[person]) + 2 > index.limit(person):
        return False
    need = seating.party(person, workshop_id)
    for run in index.runs_of[workshop_id]:
        if not run.requires or seating.seats_left[run.id] < need:
            continue
        for wish in index.wishes[person]:
            if wish.workshop_id in seating.held[person] or wish.workshop_id == workshop_id:
                continue
            for teacher in index.runs_of[wish.workshop_id]:
                if (teacher.end <= run.start and set(teacher.teaches) & set(run.requires)
                        and seating.seats_left[teacher.id] >= wish.party_size
                        and seating.fits(person, teacher) and seating.fits(person, run, extra=(teacher,))):
                    seating.take(person, teacher)
                    seating.take(person, run)
                    return True
    return False


def _repair(index, seating: Seating, lottery: list[int], should_stop, on_progress) -> dict[str, int]:
    counts = {"filled": 0, "upgraded": 0, "swapped": 0}
    changed = True
    while changed and not should_stop():
        changed = False
        for person in lottery:
            for wish in index.wishes[person]:
                if seating.try_wish(person, wish.workshop_id):
                    counts["filled"] += 1
                    changed = True
        for person in lottery:
            if _upgrade(index, seating, person):
                counts["upgraded"] += 1
                changed = True
        for person in lottery:
            while _swap(index, seating, person):
                counts["swapped"] += 1
                changed = True
        on_progress("repair", sum(counts.values()))
    return counts


def _upgrade(index: ProblemIndex, seating: Seating, person: int) -> bool:
    """Trade a held seat for a free one in a wish ranked higher; the best such trade first."""
    position = index.position[person]
    held = sorted(seating.held[person].values(), key=lambda run: -position[run.workshop_id])  # worst first
    for wish in index.wishes[person]:
        if wish.workshop_id in seating.held[person]:
            continue
        for given in held:
            if position[given.workshop_id] < position[wish.workshop_id]:
                break
            for run in index.runs_of[wish.workshop_id]:
                if seating.seats_left[run.id] >= wish.party_size and seating.fits(person, run, without=given):
                    seating.release(person, given)
                    seating.take(person, run)
                    return True
    return False


def swaps(index: ProblemIndex, seating: Seating, person: int) -> Iterator[tuple[Run, int, Run]]:
    """Every seat exchange (given, partner, received) that `person` and `partner` would both rather make."""
    position = index.position[person]
    for given in list(seating.held[person].values()):
        for wish in index.wishes[person]:
            if position[wish.workshop_id] >= position[given.workshop_id]:
                break
            if wish.workshop_id in seating.held[person]:
                continue
            for received in index.runs_of[wish.workshop_id]:
                for partner in sorted(seating.occupants[received.id].keys() & index.wishers[given.workshop_id]):
                    if both_gain(index, seating, person, given, partner, received):
                        yield given, partner, received


def both_gain(index, seating: Seating, person: int, given: Run, partner: int, received: Run) -> bool:
    partner_position = index.position[partner]
    wanted = partner_position.get(given.workshop_id)
    if wanted is None or wanted >= partner_position[received.workshop_id] or given.workshop_id in seating.held[partner]:
        return False
    party_given = seating.occupants[given.id][person]
    party_wanted = index.party[(partner, given.workshop_id)]
    party_received = index.party[(person, received.workshop_id)]
    return (seating.seats_left[given.id] + party_given >= party_wanted
            and seating.seats_left[received.id] + seating.occupants[received.id][partner] >= party_received
            and seating.fits(person, received, without=given)
            and seating.fits(partner, given, without=received))


def _swap(index: ProblemIndex, seating: Seating, person: int) -> bool:
    found = next(swaps(index, seating, person), None)
    if found is None:
        return False
    given, partner, received = found
    seating.release(person, given)
    seating.release(partner, received)
    seating.take(person, received)
    seating.take(partner, given)
    return True
