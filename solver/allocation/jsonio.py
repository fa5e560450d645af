"""The wishes export (`slotwise-wishes`, version 1) and the allocation's JSON.

People are opaque integers; times are integer minutes since the Unix epoch (UTC), as in the solver's
problem format. A document that is not a wishes export raises `FormatError` with a readable message.
"""
from __future__ import annotations

from typing import Any

from ..jsonio import FormatError, _check_header
from .problem import Allocation, AllocationProblem, Assignment, Person, Run, Waitlist, Wish

WISHES_FORMAT = "slotwise-wishes"


def problem_to_json(problem: AllocationProblem) -> dict[str, Any]:
    return {
        "format": WISHES_FORMAT,
        "version": 1,
        "runs": [{"id": r.id, "workshop_id": r.workshop_id, "seats": r.seats, "start": r.start, "end": r.end,
                  "requires": list(r.requires), "teaches": list(r.teaches)} for r in problem.runs],
        "people": [{"id": p.id, "max_workshops": p.max_workshops, "holds": list(p.holds),
                    "attending": list(p.attending)} for p in problem.people],
        "wishes": [{"person": w.person, "workshop_id": w.workshop_id, "rank": w.rank, "party_size": w.party_size}
                   for w in problem.wishes],
    }


def _ints(values) -> tuple[int, ...]:
    if not isinstance(values, list):
        raise TypeError("expected a list of ids")
    return tuple(_int(v) for v in values)


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, found {value!r}")
    return value


def _read(items, what: str, build):
    if not isinstance(items, list):
        raise FormatError(f"'{what}' must be a list")
    records = []
    for position, item in enumerate(items):
        try:
            records.append(build(item))
        except (KeyError, TypeError, AttributeError) as error:
            raise FormatError(f"{what}[{position}]: {error if not isinstance(error, KeyError) else f'missing {error}'}")
    return tuple(records)


def problem_from_json(document: Any) -> AllocationProblem:
    _check_header(document, WISHES_FORMAT)
    runs = _read(document.get("runs", []), "runs", lambda r: Run(
        _int(r["id"]), _int(r["workshop_id"]), _int(r["seats"]), _int(r["start"]), _int(r["end"]),
        _ints(r.get("requires", [])), _ints(r.get("teaches", []))))
    people = _read(document.get("people", []), "people", lambda p: Person(
        _int(p["id"]), None if p.get("max_workshops") is None else _int(p["max_workshops"]), _ints(p.get("holds", [])),
        _ints(p.get("attending", []))))
    wishes = _read(document.get("wishes", []), "wishes", lambda w: Wish(
        _int(w["person"]), _int(w["workshop_id"]), _int(w["rank"]), _int(w.get("party_size", 1))))
    if len({r.id for r in runs}) != len(runs):
        raise FormatError("two runs share an id")
    if len({p.id for p in people}) != len(people):
        raise FormatError("two people share an id")
    return AllocationProblem(runs, wishes, people)


def allocation_to_json(allocation: Allocation, skipped=()) -> dict[str, Any]:
    return {
        "format": "slotwise-allocation",
        "version": 1,
        "mechanism": allocation.mechanism,
        "seed": allocation.seed,
        "assignments": [{"person": a.person, "run_id": a.run_id, "party_size": a.party_size}
                        for a in allocation.assignments],
        "waitlists": [{"run_id": w.run_id, "people": list(w.people)} for w in allocation.waitlists],
        "skipped": [{"person": s.wish.person, "workshop_id": s.wish.workshop_id, "reason": s.reason} for s in skipped],
        "stats": allocation.stats,
    }


def allocation_from_json(document: Any) -> Allocation:
    """An allocation document (as `allocation_to_json` writes it), for the checker."""
    if not isinstance(document, dict) or document.get("format") != "slotwise-allocation":
        raise FormatError("expected a JSON object with format 'slotwise-allocation'")
    assignments = _read(document.get("assignments", []), "assignments", lambda a: Assignment(
        _int(a["person"]), _int(a["run_id"]), _int(a.get("party_size", 1))))
    waitlists = _read(document.get("waitlists", []), "waitlists", lambda w: Waitlist(
        _int(w["run_id"]), _ints(w["people"])))
    return Allocation(assignments, waitlists, document.get("seed", 0), str(document.get("mechanism", "")))
