"""Slotwise's scheduling engine: pure Python + OR-Tools CP-SAT, no Flask, no database.

Typical use (the worker):

    problem = problem_from_json(document)
    solution = solve(problem, SolveParams(time_limit_seconds=30), on_progress=..., should_stop=...)
    document = solution_to_json(solution)

`violations(problem, placements)` checks any schedule (a proposal, a manual assignment)
against the hard rules without the solver.
"""
from .engine import ProgressInfo, SolveParams, solve
from .greedy import greedy_schedule
from .instance import Weights, build_instance
from .jsonio import (
    FormatError,
    problem_from_json,
    problem_to_json,
    solution_from_json,
    solution_to_json,
)
from .metrics import attendee_conflicts
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
from .validate import Violation, violations


def greedy_solution(problem: Problem, conflict_aware: bool = True) -> Solution:
    """The greedy schedule alone, as a Solution (a baseline, and a quick proposal)."""
    assignment = greedy_schedule(build_instance(problem, Weights()), conflict_aware=conflict_aware)
    placements = tuple(
        Placement(key[0], key[1], option.slot_ids) for key, option in sorted(assignment.items())
    )
    return Solution(
        status="feasible",
        assignments=placements,
        stats={"placed_runs": len(placements), "attendee_conflicts": attendee_conflicts(problem, placements)},
    )


__all__ = [
    "FormatError",
    "Interest",
    "Location",
    "Names",
    "Placement",
    "Problem",
    "ProgressInfo",
    "Slot",
    "Solution",
    "SolveParams",
    "Unplaced",
    "Violation",
    "Weights",
    "Workshop",
    "attendee_conflicts",
    "greedy_solution",
    "problem_from_json",
    "problem_to_json",
    "solution_from_json",
    "solution_to_json",
    "solve",
    "violations",
]
