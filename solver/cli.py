"""`slotwise solve PROBLEM.json`: solve offline, print the solution JSON to stdout."""
from __future__ import annotations

import json
import sys

import click

from .engine import ProgressInfo, SolveParams, solve
from .jsonio import FormatError, problem_from_json, solution_to_json


def _print_progress(info: ProgressInfo) -> None:
    bound = "-" if info.bound is None else f"{info.bound:.0f}"
    click.echo(
        f"[{info.elapsed_seconds:7.2f}s] objective {info.objective:.0f} bound {bound} "
        f"placed runs {info.placed_runs}",
        err=True,
    )


@click.command("solve")
@click.argument("problem_file", metavar="PROBLEM.json", type=click.File("r"))
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0), default=None,
              help="Seconds for the search [default: 30; with --work-limit, a safety limit "
                   "of 4 x the work limit + 10]. Explaining the runs left out comes after it and "
                   "takes at most 10 s more.")
@click.option("--work-limit", "work_limit", type=click.FloatRange(min=0), default=None,
              help="Budget counted work instead of seconds (a unit is about a second): the same "
                   "problem, seed and work limit print the same schedule on any machine.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="CP-SAT search workers.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--quiet", is_flag=True, help="Do not print progress to stderr.")
def solve_command(problem_file, time_limit: float | None, work_limit: float | None, workers: int, seed: int,
                  quiet: bool) -> None:
    """Schedule the workshops of PROBLEM.json and print the solution as JSON."""
    try:
        problem = problem_from_json(json.load(problem_file))
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{problem_file.name} is not JSON: {error}") from error
    except FormatError as error:
        raise click.ClickException(str(error)) from error
    if time_limit is None:
        time_limit = 30.0 if work_limit is None else 4 * work_limit + 10
    params = SolveParams(time_limit_seconds=time_limit, work_limit=work_limit, num_workers=workers, seed=seed)
    solution = solve(problem, params, on_progress=None if quiet else _print_progress)
    json.dump(solution_to_json(solution), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    solve_command()
