"""The problem indexed once for the mechanisms: runs by workshop, each person's wishes by rank.

Wishes that cannot be honoured at all (a workshop with no placed run, a second wish for the same workshop,
a party that no run seats) are left out here and listed in `skipped`, with the reason, so a caller can
report them instead of failing.
"""
from __future__ import annotations

from dataclasses import dataclass

from .problem import AllocationProblem, Run, Wish


@dataclass(frozen=True)
class Skipped:
    wish: Wish
    reason: str


class ProblemIndex:
    def __init__(self, problem: AllocationProblem) -> None:
        self.problem = problem
        self.runs: dict[int, Run] = {run.id: run for run in problem.runs}
        self.runs_of: dict[int, tuple[Run, ...]] = {}
        for run in sorted(problem.runs, key=lambda r: (r.workshop_id, r.start, r.id)):
            self.runs_of.setdefault(run.workshop_id, ())
            self.runs_of[run.workshop_id] += (run,)
        self.max_workshops: dict[int, int | None] = {p.id: p.max_workshops for p in problem.people}
        self.holds: dict[int, frozenset[int]] = {p.id: frozenset(p.holds) for p in problem.people}
        self.attending: dict[int, tuple[Run, ...]] = {
            p.id: tuple(self.runs[r] for r in p.attending if r in self.runs) for p in problem.people if p.attending}
        self.skipped: list[Skipped] = []
        wishes: dict[int, list[Wish]] = {}
        seen: set[tuple[int, int]] = set()
        for wish in sorted(problem.wishes, key=lambda w: (w.person, w.rank, w.workshop_id)):
            reason = self._unusable(wish, seen)
            if reason:
                self.skipped.append(Skipped(wish, reason))
                continue
            seen.add((wish.person, wish.workshop_id))
            wishes.setdefault(wish.person, []).append(wish)
        self.wishes: dict[int, tuple[Wish, ...]] = {person: tuple(ws) for person, ws in wishes.items()}  # best first
        self.people: tuple[int, ...] = tuple(sorted(self.wishes))
        # person -> workshop -> rank position (0 = best), to compare two of a person's wishes
        self.position: dict[int, dict[int, int]] = {
            person: {wish.workshop_id: i for i, wish in enumerate(wishes)} for person, wishes in self.wishes.items()
        }
        self.wishers: dict[int, set[int]] = {}
        for person, wishes in self.wishes.items():
            for wish in wishes:
                self.wishers.setdefault(wish.workshop_id, set()).add(person)
        self.party: dict[tuple[int, int], int] = {
            (w.person, w.workshop_id): w.party_size for ws in self.wishes.values() for w in ws
        }

    def _unusable(self, wish: Wish, seen: set[tuple[int, int]]) -> str:
        runs = self.runs_of.get(wish.workshop_id, ())
        if not runs:
            return "the workshop has no placed run"
        if (wish.person, wish.workshop_id) in seen:
            return "a second wish for the same workshop"
        if wish.party_size < 1:
            return "a party needs at least one seat"
        if all(run.seats < wish.party_size for run in runs):
            return "no run of the workshop has that many seats free"
        return ""

    def limit(self, person: int) -> int:
        """How many of their wishes a person can still be given."""
        limit = self.max_workshops.get(person)
        wished = len(self.wishes.get(person, ()))
        return wished if limit is None else max(0, min(limit - len(self.attending_of(person)), wished))

    def attending_of(self, person: int) -> tuple[Run, ...]:
        return self.attending.get(person, ())

    def holds_of(self, person: int) -> frozenset[int]:
        return self.holds.get(person, frozenset())


def overlap(a: Run, b: Run) -> bool:
    return a.start < b.end and b.start < a.end


def schedule_fits(runs: list[Run], holds: frozenset[int], context: tuple[Run, ...] = ()) -> bool:
    """A person's runs hold together: none overlap (each other or `context`, places they had already), and
    every prerequisite is held or taught by an earlier run."""
    for i, run in enumerate(runs):
        for other in runs[i + 1:] + list(context):
            if overlap(run, other) or run.workshop_id == other.workshop_id:
                return False
        for capability in run.requires:
            if capability not in holds and not any(
                capability in other.teaches and other.end <= run.start for other in (*runs, *context) if other is not run
            ):
                return False
    return True
