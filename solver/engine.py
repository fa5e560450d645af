"""`solve()`: greedy hint, CP-SAT search with progress and cancellation, explanations.

The greedy schedule is always computed first and is always a valid answer, so a search
that is cancelled, runs out of time or finds nothing better still returns it.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ortools.sat.python import cp_model

from .domains import Option, RunKey
from .explain import explain_unplaced
from .greedy import greedy_schedule
from .instance import Instance, Weights, build_instance
from .metrics import attendee_conflicts
from .model import BuiltModel, build_model
from .problem import Placement, Problem, Solution, Unplaced
from .validate import violations


@dataclass(frozen=True)
class SolveParams:
    time_limit_seconds: float = 30.0
    num_workers: int = 2
    seed: int = 0
    weights: Weights = field(default_factory=Weights)
    # Beyond this many (run, start) options the per-run domains are thinned (the greedy's
    # choice always kept) so that large conventions still build in seconds.
    max_options: int = 250_000
    max_conflict_literals: int = 200_000
    explain: bool = True
    explain_time_limit_seconds: float = 10.0
    log_search: bool = False


@dataclass(frozen=True)
class ProgressInfo:
    objective: float
    bound: float | None
    placed_runs: int
    elapsed_seconds: float


def _placements(assignment: dict[RunKey, Option]) -> tuple[Placement, ...]:
    return tuple(
        Placement(key[0], key[1], option.slot_ids) for key, option in sorted(assignment.items())
    )


def thin_options(instance: Instance, hint: dict[RunKey, Option], max_total: int) -> Instance:
    """Keep, per workshop, its hinted options plus a spread over distinct time spans,
    smallest adequate rooms first, until the whole model holds about `max_total`."""
    total = sum(len(options) for options in instance.options.values())
    if total <= max_total:
        return instance
    per_run = max(8, max_total // max(1, len(instance.runs)))
    capacity = instance.location_capacity
    options = dict(instance.options)
    for workshop_id, report in instance.reports.items():
        keep = [o for (w, _), o in hint.items() if w == workshop_id]
        by_span: dict[tuple[int, int], list[Option]] = {}
        for option in sorted(report.options, key=lambda o: capacity.get(o.location_id, 0)):
            by_span.setdefault((option.start, option.end), []).append(option)
        depth = 0
        while len(keep) < per_run and any(len(group) > depth for group in by_span.values()):
            for group in by_span.values():
                if depth < len(group) and group[depth] not in keep:
                    keep.append(group[depth])
            depth += 1
        for index in instance.unpinned_run_indices(workshop_id):
            options[(workshop_id, index)] = keep
    return replace(instance, options=options)


class _ProgressReporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, built: BuiltModel, started: float, on_progress, should_stop):
        super().__init__()
        self._built = built
        self._started = started
        self._on_progress = on_progress
        self._should_stop = should_stop
        self.first_solution_seconds: float | None = None
        self.solutions = 0

    def on_solution_callback(self) -> None:
        elapsed = time.monotonic() - self._started
        self.solutions += 1
        if self.first_solution_seconds is None:
            self.first_solution_seconds = elapsed
        if self._on_progress is not None:
            placed = sum(self.value(v) for v in self._built.placed.values())
            self._on_progress(
                ProgressInfo(self.objective_value, self.best_objective_bound, placed, elapsed)
            )
        if self._should_stop is not None and self._should_stop():
            self.stop_search()


class _StopWatcher:
    """Polls `should_stop` every 0.2 s from a thread, since CP-SAT may go long stretches
    without a new solution (and so without a callback)."""

    def __init__(self, solver: cp_model.CpSolver, should_stop):
        self._solver = solver
        self._should_stop = should_stop
        self._done = threading.Event()
        self.stopped = False
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(0.2):
            if self._should_stop():
                self.stopped = True
                self._solver.stop_search()
                return

    def __enter__(self):
        if self._should_stop is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()


def _configure(solver: cp_model.CpSolver, params: SolveParams, time_limit: float, large: bool):
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = max(1, params.num_workers)
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = params.log_search
    # With interchangeable rooms, symmetry presolve rewrites the model so that the
    # complete greedy hint no longer fits it; the hint matters more than the symmetry.
    solver.parameters.symmetry_level = 0
    if large:
        # probing alone can take the whole budget on big room/slot grids
        solver.parameters.cp_model_probing_level = 0


def _pin_failure(problem: Problem, instance: Instance, pin_errors) -> Solution:
    messages = tuple(v.message for v in pin_errors)
    unplaced = tuple(
        Unplaced(w.id, None, ("pinned placements break hard rules: " + "; ".join(messages),))
        for w in problem.workshops
    )
    return Solution(
        status="infeasible",
        assignments=(),
        unplaced=unplaced,
        stats={"pin_violations": list(messages)},
    )


def solve(
    problem: Problem,
    params: SolveParams = SolveParams(),
    on_progress: Callable[[ProgressInfo], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    started = time.monotonic()
    pin_errors = violations(problem, problem.pinned)
    full_instance = build_instance(problem, params.weights)
    if pin_errors:
        return _pin_failure(problem, full_instance, pin_errors)
    greedy = greedy_schedule(full_instance, conflict_aware=True)
    greedy_seconds = time.monotonic() - started
    instance = thin_options(full_instance, greedy, params.max_options)
    built = build_model(instance, params.weights, hint=greedy,
                        max_conflict_literals=params.max_conflict_literals)
    build_seconds = time.monotonic() - started - greedy_seconds
    greedy_objective = built.hinted_objective()
    if on_progress is not None:
        on_progress(
            ProgressInfo(greedy_objective, None, len(greedy), time.monotonic() - started)
        )

    best = greedy
    status = "feasible"
    objective, bound = greedy_objective, None
    solver = cp_model.CpSolver()
    option_count = sum(len(o) for o in instance.options.values())
    remaining = params.time_limit_seconds - (time.monotonic() - started)
    _configure(solver, params, remaining, large=option_count > 20_000)
    reporter = _ProgressReporter(built, started, on_progress, should_stop)
    cancelled = should_stop is not None and should_stop()
    cp_status = cp_model.UNKNOWN
    searched = False
    if not cancelled and remaining > 0:
        searched = True
        with _StopWatcher(solver, should_stop) as watcher:
            cp_status = solver.solve(built.model, reporter)
        cancelled = watcher.stopped or (should_stop is not None and should_stop())
        if cp_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = {
                key: option
                for key, pairs in built.choices.items()
                for option, var in pairs
                if solver.value(var)
            }
            if solver.objective_value <= greedy_objective:
                best = found
                objective = solver.objective_value
            bound = solver.best_objective_bound
            status = "optimal" if cp_status == cp_model.OPTIMAL else "feasible"
        elif cp_status == cp_model.INFEASIBLE:
            # cannot happen with valid pins, since the greedy schedule is a solution
            status = "infeasible"
    if cancelled:
        status = "cancelled"
    solve_seconds = time.monotonic() - started - greedy_seconds - build_seconds

    assignments = _placements(best)
    unplaced: tuple[Unplaced, ...] = ()
    explain_seconds = 0.0
    if params.explain:
        explain_started = time.monotonic()
        unplaced = explain_unplaced(
            full_instance, best, params.weights, time_limit_seconds=params.explain_time_limit_seconds
        )
        explain_seconds = time.monotonic() - explain_started
    stats = {
        "greedy_seconds": round(greedy_seconds, 4),
        "build_seconds": round(build_seconds, 4),
        "solve_seconds": round(solve_seconds, 4),
        "explain_seconds": round(explain_seconds, 4),
        "first_solution_seconds": round(
            reporter.first_solution_seconds or greedy_seconds + build_seconds, 4
        ),
        "cp_status": solver.status_name(cp_status) if searched else "NOT_RUN",
        "source": "cp-sat" if best is not greedy else "greedy",
        "greedy_objective": greedy_objective,
        "placed_runs": len(best),
        "total_runs": len(instance.runs),
        "attendee_conflicts": attendee_conflicts(problem, assignments),
        "greedy_attendee_conflicts": attendee_conflicts(problem, _placements(greedy)),
        "options": option_count,
        "options_before_thinning": sum(len(o) for o in full_instance.options.values()),
        "conflict_pairs_modelled": built.conflict_pairs_modelled,
        "conflict_pairs_total": built.conflict_pairs_total,
        "branches": solver.num_branches if searched else 0,
        "search_conflicts": solver.num_conflicts if searched else 0,
        "solutions_found": reporter.solutions,
    }
    return Solution(status, assignments, unplaced, objective, bound, stats)
