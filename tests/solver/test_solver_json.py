"""Versioned JSON forms round-trip exactly, int keys included."""
from __future__ import annotations

import json

import pytest
from solver_factory import FRIDAY_9AM, HOUR, problem, workshop

from solver import (
    FormatError,
    Interest,
    Names,
    Placement,
    Solution,
    Unplaced,
    problem_from_json,
    problem_to_json,
    solution_from_json,
    solution_to_json,
)


def rich_problem():
    return problem(
        [
            workshop(1, hosts=(1, 2), equipment=((9, 2),), prerequisite_ids=(50,), runs=2),
            workshop(2, hosts=(3,), teaches_ids=(50,), allowed_location_ids=(2,), duration_slots=2, priority=4),
        ],
        rooms={1: 20, 2: 30},
        equipment={2: ((9, 1),)},
        availability={1: ((FRIDAY_9AM, FRIDAY_9AM + 2 * HOUR),)},
        equipment_pools={9: 3},
        interests=(Interest(7, 1, 1), Interest(7, 2, 2)),
        pinned=(Placement(2, 0, (200, 201)),),
        current=(Placement(1, 0, (100,)),),
        names=Names(hosts={1: "Ana"}, locations={2: "Room B"}, equipment={9: "projector"}, capabilities={50: "knots"}),
        consecutive_gap_minutes=5,
    )


def test_problem_round_trips_through_json_text():
    original = rich_problem()
    text = json.dumps(problem_to_json(original))
    restored = problem_from_json(json.loads(text))
    assert restored == original
    assert restored.availability[1][0] == (FRIDAY_9AM, FRIDAY_9AM + 2 * HOUR)
    assert restored.names.hosts[1] == "Ana"


def test_solution_round_trips_through_json_text():
    original = Solution(
        status="feasible",
        assignments=(Placement(1, 0, (100, 101)),),
        unplaced=(Unplaced(2, None, ("no room seats 9",)), Unplaced(3, 1, ("busy",))),
        objective=12.0,
        bound=10.0,
        stats={"placed_runs": 1},
    )
    restored = solution_from_json(json.loads(json.dumps(solution_to_json(original))))
    assert restored == original


@pytest.mark.parametrize(
    "document, message",
    [
        ({"format": "slotwise-problem", "version": 2}, "unsupported slotwise-problem version 2"),
        ({"format": "something-else", "version": 1}, "expected format 'slotwise-problem'"),
        ([], "expected a JSON object"),
        ({"format": "slotwise-problem", "version": 1, "slots": [{"id": 1}]}, "malformed"),
    ],
)
def test_problem_reader_rejects_what_it_cannot_read(document, message):
    with pytest.raises(FormatError, match=message):
        problem_from_json(document)


def test_solution_reader_rejects_unknown_version():
    document = solution_to_json(Solution("optimal", ()))
    document["version"] = 99
    with pytest.raises(FormatError, match="version 99"):
        solution_from_json(document)
