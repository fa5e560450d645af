"""The offline command, progress reports and cancellation."""
from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from solver_factory import busy_convention, problem, workshop

from solver import Interest, SolveParams, Weights, problem_to_json, solution_from_json, solve, violations
from solver.cli import solve_command


def test_cli_prints_a_valid_solution_and_progress(tmp_path):
    p = problem([workshop(1), workshop(2), workshop(3, seats=99)], slots_per_room=2)
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_to_json(p)))
    result = CliRunner().invoke(solve_command, [str(path), "--time-limit", "3", "--workers", "1"])
    assert result.exit_code == 0, result.output
    solution = solution_from_json(json.loads(result.stdout))
    assert len(solution.assignments) == 2
    assert violations(p, solution) == []
    assert [u.workshop_id for u in solution.unplaced] == [3]
    assert "objective" in result.stderr


def test_cli_rejects_an_unknown_version(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({"format": "slotwise-problem", "version": 7}))
    result = CliRunner().invoke(solve_command, [str(path)])
    assert result.exit_code != 0
    assert "unsupported slotwise-problem version 7" in result.output


def test_progress_reports_improving_objectives():
    reports = []
    p = busy_convention(seed=1, workshops=20, rooms=2, slots_per_room=10, attendees=80)
    solution = solve(p, SolveParams(time_limit_seconds=3, num_workers=1, explain=False),
                     on_progress=reports.append)
    assert reports, "the greedy schedule alone is reported"
    objectives = [r.objective for r in reports]
    assert objectives[1:] == sorted(objectives[1:], reverse=True)  # CP-SAT only improves
    assert reports[-1].objective == solution.objective
    assert reports[0].placed_runs == 20


@pytest.mark.parametrize("full_model_max_options", [20_000, 0], ids=["one model", "neighbourhoods"])
def test_should_stop_cancels_a_long_search_and_keeps_a_valid_schedule(full_model_max_options):
    p = busy_convention(seed=2, workshops=60, rooms=4, slots_per_room=15, attendees=400)
    started = time.monotonic()
    solution = solve(
        p,
        SolveParams(time_limit_seconds=120, num_workers=2, explain=False,
                    full_model_max_options=full_model_max_options),
        should_stop=lambda: time.monotonic() - started > 1.0,
    )
    assert solution.status == "cancelled"
    assert time.monotonic() - started < 60  # far below the 120 s limit
    assert len(solution.assignments) == 60
    assert violations(p, solution) == []


def test_small_problem_is_solved_to_proven_optimality():
    # one room, two hours, three talks: one talk must stay out, and the two wanted by
    # the same attendee can sit in different hours, so the optimum costs one placement
    p = problem([workshop(1, hosts=(1,)), workshop(2, hosts=(2,)), workshop(3, hosts=(3,))],
                slots_per_room=2, interests=(Interest(1, 1, 1), Interest(1, 2, 1)))
    solution = solve(p, SolveParams(time_limit_seconds=10, num_workers=1))
    assert solution.status == "optimal"
    assert solution.objective == Weights().placement
    assert solution.bound == solution.objective
    assert solution.stats["attendee_conflicts"] == 0


def test_a_schedule_that_cannot_be_beaten_ends_the_search_at_once():
    """Every run placed, no interests to clash, nothing placed before: objective 0, the least there is.
    (FOSDEM 2019 without interests searched its whole time limit after such a first proposal.)"""
    talks = [workshop(i, hosts=(i % 7 + 1,)) for i in range(1, 61)]
    p = problem(talks, rooms={1: 20, 2: 20, 3: 20, 4: 20}, slots_per_room=20)
    # without the one-model phase (too big for it at FOSDEM's size), which would prove it by itself here
    solution = solve(p, SolveParams(time_limit_seconds=20, num_workers=1, full_model_max_options=0))
    assert violations(p, solution) == []
    assert len(solution.assignments) == 60
    assert solution.status == "optimal" and solution.objective == 0 and solution.bound == 0
    assert solution.stats.get("neighbourhoods", 0) == 0 and "annealing_seconds" not in solution.stats
