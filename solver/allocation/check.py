"""The independent checker: the hard rules of any allocation, verified from the problem alone.

It shares no code with the mechanisms (not even their index), so a mistake there cannot hide here.
"""
from __future__ import annotations

from collections import defaultdict

from .problem import Allocation, AllocationProblem


def violations(problem: AllocationProblem, allocation: Allocation) -> list[str]:
    runs = {run.id: run for run in problem.runs}
    wished = {(w.person, w.workshop_id): w for w in problem.wishes}
    people = {p.id: p for p in problem.people}
    found: list[str] = []
    seats_taken: dict[int, int] = defaultdict(int)
    runs_of_person: dict[int, list] = defaultdict(list)
    for assignment in allocation.assignments:
        run = runs.get(assignment.run_id)
        if run is None:
            found.append(f"person {assignment.person} is given run {assignment.run_id}, which does not exist")
            continue
        wish = wished.get((assignment.person, run.workshop_id))
        if wish is None:
            found.append(f"person {assignment.person} is given run {run.id} of a workshop they did not wish for")
        elif assignment.party_size != wish.party_size:
            found.append(f"person {assignment.person}'s party of {wish.party_size} gets {assignment.party_size} "
                         f"seat(s) in run {run.id}")
        seats_taken[run.id] += assignment.party_size
        runs_of_person[assignment.person].append(run)
    for run_id, taken in sorted(seats_taken.items()):
        if taken > runs[run_id].seats:
            found.append(f"run {run_id} has {taken} people for {runs[run_id].seats} seats")
    for person, held in sorted(runs_of_person.items()):
        info = people.get(person)
        before = [runs[r] for r in (info.attending if info is not None else ()) if r in runs]
        found.extend(_person_violations(person, held, before, info))
    for waitlist in allocation.waitlists:
        run = runs.get(waitlist.run_id)
        if run is None:
            found.append(f"a waitlist for run {waitlist.run_id}, which does not exist")
            continue
        if len(set(waitlist.people)) != len(waitlist.people):
            found.append(f"someone waits twice for run {run.id}")
        for person in waitlist.people:
            if (person, run.workshop_id) not in wished:
                found.append(f"person {person} waits for run {run.id} of a workshop they did not wish for")
            if any(held.workshop_id == run.workshop_id for held in runs_of_person.get(person, ())):
                found.append(f"person {person} waits for run {run.id} of a workshop they already have a seat in")
    return found


def _person_violations(person: int, held: list, before: list, info) -> list[str]:
    """The rules for the runs given to one person; `before` are places they had already (context only)."""
    found = []
    limit = info.max_workshops if info is not None else None
    if limit is not None and len(held) + len(before) > limit:
        found.append(f"person {person} has {len(held) + len(before)} workshops, more than their maximum of {limit}")
    holds = set(info.holds) if info is not None else set()
    everything = held + before
    for i, run in enumerate(held):
        for other in held[i + 1:] + before:
            if run.workshop_id == other.workshop_id:
                found.append(f"person {person} has two runs of workshop {run.workshop_id}")
            elif run.start < other.end and other.start < run.end:
                found.append(f"person {person} is in runs {run.id} and {other.id}, which overlap")
        for capability in run.requires:
            taught_before = any(capability in o.teaches and o.end <= run.start for o in everything if o is not run)
            if capability not in holds and not taught_before:
                found.append(f"person {person} lacks capability {capability} for run {run.id}")
    return found
