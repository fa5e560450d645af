"""`slotwise allocate WISHES.json --seed S`: repeat a seat allocation offline, or check one."""
from __future__ import annotations

import json
import sys

import click

from ..jsonio import FormatError
from .baselines import BASELINES
from .check import violations
from .draft import allocate
from .figures import figures
from .index import ProblemIndex
from .jsonio import allocation_from_json, allocation_to_json, problem_from_json


def _load(file, reader):
    try:
        return reader(json.load(file))
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{file.name} is not JSON: {error}") from error
    except FormatError as error:
        raise click.ClickException(f"{file.name}: {error}") from error


@click.command("allocate")
@click.argument("wishes_file", metavar="WISHES.json", type=click.File("r"))
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="The lottery's seed: the same wishes and seed give the same allocation.")
@click.option("--compare", is_flag=True, help="Add the figures of first come first served, EMF's lottery and "
                                               "random serial dictatorship on the same wishes and seed.")
@click.option("--check", "check_file", metavar="ALLOCATION.json", type=click.File("r"), default=None,
              help="Do not allocate: list the hard rules ALLOCATION.json breaks (exit status 1 if any).")
def allocate_command(wishes_file, seed: int, compare: bool, check_file) -> None:
    """Allocate the seats of WISHES.json (an admin's wishes export) and print the allocation as JSON."""
    problem = _load(wishes_file, problem_from_json)
    if check_file is not None:
        broken = violations(problem, _load(check_file, allocation_from_json))
        json.dump({"violations": broken}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        if broken:
            sys.exit(1)
        return
    allocation = allocate(problem, seed)
    document = allocation_to_json(allocation, ProblemIndex(problem).skipped)
    document["figures"] = figures(problem, allocation)
    if compare:
        document["baselines"] = {name: figures(problem, rule(problem, seed)) for name, rule in BASELINES.items()}
    document["violations"] = violations(problem, allocation)
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
