"""A mutable allocation in progress: seats left per run and what each person holds.

Every mechanism (Slotwise's draft and the baselines) builds its answer through this one class, so they
all obey the same hard rules; the independent checker (`check.py`) verifies the result without it.
"""
from __future__ import annotations

from .index import ProblemIndex, overlap, schedule_fits
from .problem import Allocation, Assignment, Run, Waitlist


class Seating:
    def __init__(self, index: ProblemIndex) -> None:
        self.index = index
        self.seats_left: dict[int, int] = {run_id: run.seats for run_id, run in index.runs.items()}
        self.held: dict[int, dict[int, Run]] = {person: {} for person in index.people}  # person -> workshop -> run
        self.occupants: dict[int, dict[int, int]] = {run_id: {} for run_id in index.runs}  # run -> person -> seats
        self.limits: dict[int, int] = {person: index.limit(person) for person in index.people}

    @classmethod
    def of(cls, index: ProblemIndex, allocation: Allocation) -> "Seating":
        seating = cls(index)
        for assignment in allocation.assignments:
            seating.take(assignment.person, index.runs[assignment.run_id])
        return seating

    def party(self, person: int, workshop_id: int) -> int:
        return self.index.party[(person, workshop_id)]

    def has_room(self, person: int) -> bool:
        return len(self.held[person]) < self.limits[person]

    def fits(self, person: int, run: Run, without: Run | None = None, extra: tuple[Run, ...] = ()) -> bool:
        """Whether the person could hold `run` (seats aside), after giving up `without`."""
        attending = self.index.attending_of(person)
        if without is not None:  # giving a run up may take away a prerequisite: check everything
            runs = [r for r in self.held[person].values() if r is not without] + [*extra, run]
            return schedule_fits(runs, self.index.holds_of(person), attending)
        # adding a run cannot break the others, so only the new run needs checking
        others = [*self.held[person].values(), *extra, *attending]
        return all(not overlap(run, other) and run.workshop_id != other.workshop_id for other in others) and all(
            capability in self.index.holds_of(person)
            or any(capability in other.teaches and other.end <= run.start for other in others)
            for capability in run.requires)

    def open_run(self, person: int, workshop_id: int) -> Run | None:
        """The run of a wished workshop the person can take now (most seats left first), or None."""
        if workshop_id in self.held[person] or not self.has_room(person):
            return None
        need = self.party(person, workshop_id)
        best = None
        for run in self.index.runs_of[workshop_id]:
            if self.seats_left[run.id] >= need and self.fits(person, run):
                if best is None or self.seats_left[run.id] > self.seats_left[best.id]:
                    best = run
        return best

    def take(self, person: int, run: Run) -> None:
        need = self.party(person, run.workshop_id)
        self.seats_left[run.id] -= need
        self.occupants[run.id][person] = need
        self.held[person][run.workshop_id] = run

    def release(self, person: int, run: Run) -> None:
        self.seats_left[run.id] += self.occupants[run.id].pop(person)
        del self.held[person][run.workshop_id]

    def try_wish(self, person: int, workshop_id: int) -> bool:
        run = self.open_run(person, workshop_id)
        if run is None:
            return False
        self.take(person, run)
        return True

    def granted(self, person: int) -> int:
        return len(self.held[person])

    def waitlists(self, lottery: list[int]) -> tuple[Waitlist, ...]:
        """Everyone still wanting a workshop waits on one full run of it they could attend.

        Only full runs: a run with a free seat the person could take would have been given. A person waits
        on runs that overlap neither their seats nor each other, and not beyond their own maximum. The worse
        off wait first (fewest wishes granted), then the more wanted wish, then the lottery.
        """
        place = {person: i for i, person in enumerate(lottery)}
        queues: dict[int, list[tuple[int, int, int, int]]] = {}
        for person in lottery:
            if not self.has_room(person):
                continue
            waiting: list[Run] = []
            for position, wish in enumerate(self.index.wishes[person]):
                if wish.workshop_id in self.held[person]:
                    continue
                candidates = [
                    run for run in self.index.runs_of[wish.workshop_id]
                    if run.seats >= wish.party_size > self.seats_left[run.id]
                    and self.fits(person, run, extra=tuple(waiting))
                ]
                if not candidates:
                    continue
                run = min(candidates, key=lambda r: (len(queues.get(r.id, ())), r.id))
                waiting.append(run)
                queues.setdefault(run.id, []).append((self.granted(person), position, place[person], person))
        return tuple(
            Waitlist(run_id, tuple(entry[-1] for entry in sorted(entries)))
            for run_id, entries in sorted(queues.items())
        )

    def allocation(self, lottery: list[int], seed: int, mechanism: str, stats: dict | None = None) -> Allocation:
        assignments = tuple(
            Assignment(person, run.id, self.occupants[run.id][person])
            for person in sorted(self.held) for run in sorted(self.held[person].values(), key=lambda r: r.id)
        )
        return Allocation(assignments, self.waitlists(lottery), seed, mechanism, dict(stats or {}))
