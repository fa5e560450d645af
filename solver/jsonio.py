"""Versioned JSON forms of `Problem` and `Solution`.

JSON object keys are strings, so every id-keyed mapping is converted back to int keys on
load; a worker that passes a problem through Celery gets the same `Problem` back.
"""
from __future__ import annotations

from typing import Any

from .problem import (
    Interest,
    Location,
    Names,
    Placement,
    Problem,
    Slot,
    Solution,
    Unplaced,
    Workshop,
)

PROBLEM_FORMAT = "slotwise-problem"
SOLUTION_FORMAT = "slotwise-solution"
SUPPORTED_VERSION = 1


class FormatError(ValueError):
    """The JSON document is not a problem or solution this version can read."""


def _check_header(document: Any, expected_format: str) -> None:
    if not isinstance(document, dict):
        raise FormatError(f"expected a JSON object with format '{expected_format}'")
    found = document.get("format")
    if found != expected_format:
        raise FormatError(f"expected format '{expected_format}', found {found!r}")
    version = document.get("version")
    if version != SUPPORTED_VERSION:
        raise FormatError(
            f"unsupported {expected_format} version {version!r}; this solver reads version "
            f"{SUPPORTED_VERSION}"
        )


def _needs_to_json(needs) -> list[dict]:
    return [{"equipment_id": item, "quantity": quantity} for item, quantity in needs]


def _needs_from_json(items) -> tuple[tuple[int, int], ...]:
    return tuple((int(item["equipment_id"]), int(item["quantity"])) for item in items or ())


def _int_keys(mapping) -> dict[int, Any]:
    return {int(key): value for key, value in (mapping or {}).items()}


def _placement_to_json(placement: Placement) -> dict:
    return {
        "workshop_id": placement.workshop_id,
        "run_index": placement.run_index,
        "slot_ids": list(placement.slot_ids),
    }


def _placement_from_json(item: dict) -> Placement:
    return Placement(
        int(item["workshop_id"]), int(item["run_index"]), tuple(int(s) for s in item["slot_ids"])
    )


def problem_to_json(problem: Problem) -> dict:
    names = problem.names
    return {
        "format": PROBLEM_FORMAT,
        "version": SUPPORTED_VERSION,
        "consecutive_gap_minutes": problem.consecutive_gap_minutes,
        "slots": [
            {"id": s.id, "location_id": s.location_id, "start": s.start, "end": s.end}
            for s in problem.slots
        ],
        "locations": [
            {"id": loc.id, "capacity": loc.capacity, "equipment": _needs_to_json(loc.equipment)}
            for loc in problem.locations
        ],
        "workshops": [
            {
                "id": w.id,
                "title": w.title,
                "host_ids": list(w.host_ids),
                "max_attendees": w.max_attendees,
                "duration_slots": w.duration_slots,
                "runs": w.runs,
                "priority": w.priority,
                "equipment": _needs_to_json(w.equipment),
                "prerequisite_ids": list(w.prerequisite_ids),
                "teaches_ids": list(w.teaches_ids),
                "allowed_location_ids": list(w.allowed_location_ids),
                "track": w.track,
            }
            for w in problem.workshops
        ],
        "availability": {
            str(host): [[start, end] for start, end in windows]
            for host, windows in problem.availability.items()
        },
        "equipment_pools": {str(item): qty for item, qty in problem.equipment_pools.items()},
        "interests": [
            {"attendee_id": i.attendee_id, "workshop_id": i.workshop_id, "rank": i.rank}
            for i in problem.interests
        ],
        "pinned": [_placement_to_json(p) for p in problem.pinned],
        "current": [_placement_to_json(p) for p in problem.current],
        "names": {
            "hosts": {str(k): v for k, v in names.hosts.items()},
            "locations": {str(k): v for k, v in names.locations.items()},
            "equipment": {str(k): v for k, v in names.equipment.items()},
            "capabilities": {str(k): v for k, v in names.capabilities.items()},
            "timezone": names.timezone,
        },
    }


def problem_from_json(document: dict) -> Problem:
    _check_header(document, PROBLEM_FORMAT)
    try:
        names = document.get("names") or {}
        return Problem(
            slots=tuple(
                Slot(int(s["id"]), int(s["location_id"]), int(s["start"]), int(s["end"]))
                for s in document.get("slots", ())
            ),
            locations=tuple(
                Location(int(loc["id"]), int(loc["capacity"]), _needs_from_json(loc.get("equipment")))
                for loc in document.get("locations", ())
            ),
            workshops=tuple(
                Workshop(
                    id=int(w["id"]),
                    title=str(w.get("title", "")),
                    host_ids=tuple(int(h) for h in w.get("host_ids", ())),
                    max_attendees=int(w.get("max_attendees", 0)),
                    duration_slots=int(w.get("duration_slots", 1)),
                    runs=int(w.get("runs", 1)),
                    priority=int(w.get("priority", 1)),
                    equipment=_needs_from_json(w.get("equipment")),
                    prerequisite_ids=tuple(int(c) for c in w.get("prerequisite_ids", ())),
                    teaches_ids=tuple(int(c) for c in w.get("teaches_ids", ())),
                    allowed_location_ids=tuple(int(c) for c in w.get("allowed_location_ids", ())),
                    track=None if w.get("track") is None else int(w["track"]),
                )
                for w in document.get("workshops", ())
            ),
            availability={
                host: tuple((int(a), int(b)) for a, b in windows)
                for host, windows in _int_keys(document.get("availability")).items()
            },
            equipment_pools={k: int(v) for k, v in _int_keys(document.get("equipment_pools")).items()},
            interests=tuple(
                Interest(int(i["attendee_id"]), int(i["workshop_id"]), int(i.get("rank", 1)))
                for i in document.get("interests", ())
            ),
            pinned=tuple(_placement_from_json(p) for p in document.get("pinned", ())),
            current=tuple(_placement_from_json(p) for p in document.get("current", ())),
            names=Names(
                hosts=_int_keys(names.get("hosts")),
                locations=_int_keys(names.get("locations")),
                equipment=_int_keys(names.get("equipment")),
                capabilities=_int_keys(names.get("capabilities")),
                timezone=str(names.get("timezone") or "UTC"),
            ),
            consecutive_gap_minutes=int(document.get("consecutive_gap_minutes", 15)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"malformed slotwise-problem: {error!r}") from error


def solution_to_json(solution: Solution) -> dict:
    return {
        "format": SOLUTION_FORMAT,
        "version": SUPPORTED_VERSION,
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "assignments": [_placement_to_json(p) for p in solution.assignments],
        "unplaced": [
            {"workshop_id": u.workshop_id, "run_index": u.run_index, "reasons": list(u.reasons)}
            for u in solution.unplaced
        ],
        "stats": dict(solution.stats),
    }


def solution_from_json(document: dict) -> Solution:
    _check_header(document, SOLUTION_FORMAT)
    try:
        return Solution(
            status=str(document["status"]),
            assignments=tuple(_placement_from_json(p) for p in document.get("assignments", ())),
            unplaced=tuple(
                Unplaced(
                    int(u["workshop_id"]),
                    None if u.get("run_index") is None else int(u["run_index"]),
                    tuple(str(r) for r in u.get("reasons", ())),
                )
                for u in document.get("unplaced", ())
            ),
            objective=document.get("objective"),
            bound=document.get("bound"),
            stats=dict(document.get("stats") or {}),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"malformed slotwise-solution: {error!r}") from error
