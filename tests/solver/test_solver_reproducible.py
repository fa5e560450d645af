"""Reproducible runs: with a work limit, a seed gives the same schedule under any load."""
from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager

from click.testing import CliRunner
from solver_factory import busy_convention

from solver import SolveParams, problem_to_json, solve, violations
from solver.cli import solve_command

# more than 40 workshops: not solved as one neighbourhood, so every clocked phase runs
# (local search, the one model on two CP-SAT workers, annealing, the last local search)
CONVENTION = busy_convention(seed=11, workshops=48, rooms=4, slots_per_room=14, attendees=300)


def _solve(seed: int, work_limit: float = 4.0):
    return solve(CONVENTION, SolveParams(time_limit_seconds=120, work_limit=work_limit,
                                         num_workers=2, seed=seed, explain=False))


@contextmanager
def busy_machine():
    """Three processes spinning on the two cores: every phase gets less done per second."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def test_same_seed_and_work_limit_give_the_same_schedule_on_a_busy_machine():
    quiet = _solve(seed=5)
    assert quiet.stats["reproducible"] is True
    assert quiet.stats["annealing_seconds"] > 0 and quiet.stats["local_search_seconds"] > 0
    assert violations(CONVENTION, quiet) == []
    with busy_machine():
        busy = _solve(seed=5)
    assert busy.stats["reproducible"] is True
    assert busy.assignments == quiet.assignments
    assert busy.objective == quiet.objective
    assert busy.stats["work_used"] == quiet.stats["work_used"]
    # the same work took different wall time, which is the point
    assert busy.stats["total_seconds"] != quiet.stats["total_seconds"]


def test_another_seed_searches_differently():
    first, second = _solve(seed=1, work_limit=1.0), _solve(seed=2, work_limit=1.0)
    assert first.assignments != second.assignments
    assert violations(CONVENTION, first) == [] and violations(CONVENTION, second) == []


def test_the_time_limit_still_stops_a_long_work_limit_and_says_it_is_not_reproducible():
    solution = solve(CONVENTION, SolveParams(time_limit_seconds=1.0, work_limit=10_000,
                                             num_workers=1, seed=3, explain=False))
    assert solution.stats["reproducible"] is False
    assert solution.stats["work_used"] < 10_000
    assert len(solution.assignments) == 48
    assert violations(CONVENTION, solution) == []


def test_wall_clock_runs_do_not_claim_to_be_reproducible():
    solution = solve(CONVENTION, SolveParams(time_limit_seconds=1.0, num_workers=1, explain=False))
    assert solution.stats["reproducible"] is False
    assert solution.stats["work_used"] is None


def test_cli_work_limit_prints_the_same_schedule_twice(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_to_json(CONVENTION)))
    arguments = [str(path), "--work-limit", "1", "--seed", "4", "--workers", "2", "--quiet"]
    outputs = [CliRunner().invoke(solve_command, arguments) for _ in range(2)]
    assert [o.exit_code for o in outputs] == [0, 0], outputs[0].output
    documents = [json.loads(o.stdout) for o in outputs]
    assert documents[0]["assignments"] == documents[1]["assignments"]
    assert documents[0]["stats"]["reproducible"] is True
    assert documents[0]["stats"]["work_used"] == documents[1]["stats"]["work_used"]
