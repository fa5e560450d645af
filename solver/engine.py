"""`solve()`: the phases of a solve, with progress, cancellation and explanations.

1. greedy over free-time lists: the first proposal, always valid, so a search that is
   cancelled, runs out of time or finds nothing better still returns it;
2. local search (moves and swaps in Python);
3. pooled rooms (CP-SAT, most runs placed) when runs with a place are still left out;
4. the one CP-SAT model (small conventions), then large-neighbourhood search, then
   simulated annealing with a last local search, for attendee and track conflicts.

Any phase that reaches the lower bound (`capacity.py`, raised by the pooled model) ends the
solve with status "optimal".
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ortools.sat.python import cp_model

from . import clock as work
from .capacity import capacity
from .clock import Clock, WallClock, WorkClock
from .domains import Option, RunKey
from .explain import explain_unplaced
from .greedy import greedy_schedule
from .instance import Instance, Weights, build_instance
from .metrics import attendee_conflicts, same_track_overlaps, track_rooms_per_day
from .control import StopWatcher
from .lns import SearchBudget, improve_by_neighbourhoods
from .local import anneal, local_search
from .model import BuiltModel, build_model
from .objective import objective_value
from .pooled import pooled_placement
from .problem import Placement, Problem, Solution, Unplaced
from .validate import violations


@dataclass(frozen=True)
class SolveParams:
    time_limit_seconds: float = 30.0
    num_workers: int = 2
    seed: int = 0
    weights: Weights = field(default_factory=Weights)
    # Beyond this many (run, start) options the one model's domains are thinned (the
    # greedy's choice always kept); only matters if raised above full_model_max_options.
    max_options: int = 250_000
    # Clash literals the one model may hold; lighter attendee pairs are left out.
    max_conflict_literals: int = 30_000
    # the same for each neighbourhood's model (smaller: a neighbourhood must solve in ~2 s)
    neighbourhood_conflict_literals: int = 20_000
    # Above this many options the one-model phase is skipped for neighbourhood search.
    full_model_max_options: int = 20_000
    # Share of the time (at most full_model_max_seconds) the one-model phase gets before
    # neighbourhood search takes over, unless it proves optimality first: measured, the one
    # model mainly places runs; attendee conflicts fall much faster by neighbourhoods.
    full_model_share: float = 0.3
    full_model_max_seconds: float = 5.0
    # share of the time (at most pooled_max_seconds) the pooled-rooms placement model gets
    # when the greedy leaves runs out (see pooled.py)
    pooled_share: float = 0.5
    pooled_max_seconds: float = 30.0
    # share of the time the first local search (moves and swaps after the greedy) may take
    local_share: float = 0.1
    # share of the time left after it that neighbourhoods may take while runs are left
    # out; annealing gets the rest (and all of it when every run is placed)
    neighbourhood_share: float = 0.5
    # False: neighbourhoods take all the time, as before annealing existed
    anneal: bool = True
    explain: bool = True
    explain_time_limit_seconds: float = 10.0
    log_search: bool = False
    # Reproducible runs: budget every phase by counted work (about a second each, see
    # solver/clock.py) instead of seconds, so the same problem, seed and work limit give
    # the same schedule under any load. time_limit_seconds then only stops a solve that
    # runs far slower than expected (stats["reproducible"] says whether it did).
    work_limit: float | None = None


@dataclass(frozen=True)
class ProgressInfo:
    objective: float
    bound: float | None
    placed_runs: int
    elapsed_seconds: float
    # the improved schedule itself, for live previews and benchmarks
    placements: tuple[Placement, ...] = ()
    # work counted so far, when the solve is budgeted by work (SolveParams.work_limit)
    work_used: float | None = None


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


def _configure(solver: cp_model.CpSolver, params: SolveParams, clock: Clock,
               time_limit: float, large: bool):
    clock.limit_search(solver.parameters, time_limit, params.num_workers)
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = params.log_search
    # With interchangeable rooms, symmetry presolve rewrites the model so that the
    # complete greedy hint no longer fits it; the hint matters more than the symmetry.
    solver.parameters.symmetry_level = 0
    if large:
        # probing alone can take the whole budget on big room/slot grids
        solver.parameters.cp_model_probing_level = 0


def _holding_allowance(instance: Instance, weights: Weights, assignment: dict[RunKey, Option]) -> Weights:
    """The weights for the first local search: while runs with a place are left out after
    an edit, every move costs the full weight there, so the cheap moves of the allowance
    are left for making room (neighbourhoods) and for conflicts once runs are placed."""
    waiting = any(key not in assignment and instance.options[key] for key in instance.runs)
    return replace(weights, move_allowance=0) if waiting and instance.forced_moves else weights


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
    """Schedule `problem`. Never raises for a hard problem: runs that cannot be placed are
    listed in `unplaced` with reasons; invalid pins give status "infeasible"."""
    started = time.monotonic()
    if params.work_limit is None:
        clock: Clock = WallClock()
        deadline = params.time_limit_seconds
    else:
        clock = WorkClock(params.time_limit_seconds)
        deadline = params.work_limit
    weights = params.weights
    pin_errors = violations(problem, problem.pinned)
    instance = build_instance(problem, weights)
    if pin_errors:
        return _pin_failure(problem, instance, pin_errors)
    limits = capacity(instance, weights)
    run = _Run(instance, weights, started, on_progress, clock, limits.lower_bound)

    greedy = greedy_schedule(instance, conflict_aware=True, deferred=limits.expendable,
                             keep_track_rooms=weights.track_rooms > 0,
                             pack_rooms=limits.nearly_full)
    option_count = sum(len(o) for o in instance.options.values())
    # building and the greedy work once per distinct tuple of places (workshops of one
    # shape share theirs), no longer once per (run, place)
    distinct = {id(o): len(o) for o in instance.options.values()}
    clock.charge(work.SECONDS_PER_OPTION * sum(distinct.values()))
    run.offer(greedy, "greedy")
    stats: dict[str, object] = {"greedy_seconds": round(time.monotonic() - started, 4)}
    stopped = lambda: should_stop is not None and should_stop()  # noqa: E731

    if not run.proven_optimal and not stopped():
        # moves and swaps in Python: most of the easy conflict savings in a fraction of a
        # second, before CP-SAT looks for the harder ones
        local_started = time.monotonic()
        local_deadline = min(deadline, clock.now() + max(0.5, deadline * params.local_share))
        run.offer(local_search(instance, _holding_allowance(instance, weights, run.best), run.best,
                               local_deadline, params.seed, should_stop, clock),
                  "local search")
        stats["local_search_seconds"] = round(time.monotonic() - local_started, 4)

    if not run.proven_optimal and not stopped() and _runs_waiting(instance, run.best):
        _pooled_phase(run, params, deadline, should_stop, stats)

    use_full_model = option_count <= params.full_model_max_options
    exact_model = False
    if use_full_model and not run.proven_optimal and not stopped():
        exact_model = _full_model_phase(run, params, deadline, should_stop, stats)
    if not run.proven_optimal and not stopped():
        _neighbourhood_phase(run, params, deadline, should_stop, stats)
    if params.anneal and not run.proven_optimal and not stopped():
        _annealing_phase(run, params, deadline, should_stop, stats)

    status = "optimal" if run.proven_optimal else "feasible"
    if stopped():
        status = "cancelled"
    best = run.best
    # Belt and braces: a proposal must never break a rule. Should the search ever return
    # one that does, fall back to the greedy schedule (valid by construction).
    if violations(problem, _placements(best)):
        stats["fell_back_to_greedy"] = True
        best = greedy
    assignments = _placements(best)
    unplaced: tuple[Unplaced, ...] = ()
    explain_started = time.monotonic()
    if params.explain:
        # a cancelled run should answer at once: static reasons only, no focused solves
        unplaced = explain_unplaced(
            instance, best, weights,
            time_limit_seconds=0.0 if status == "cancelled" else params.explain_time_limit_seconds,
            reproducible=clock.reproducible, limits=limits,
        )
    stats.update(
        {
            "explain_seconds": round(time.monotonic() - explain_started, 4),
            "total_seconds": round(time.monotonic() - started, 4),
            "first_solution_seconds": round(run.first_solution_seconds, 4),
            "source": run.source,
            "placed_runs": len(best),
            "total_runs": len(instance.runs),
            "attendee_conflicts": attendee_conflicts(problem, assignments),
            "greedy_attendee_conflicts": attendee_conflicts(problem, _placements(greedy)),
            "same_track_overlaps": same_track_overlaps(problem, assignments),
            "track_rooms_per_day": track_rooms_per_day(problem, assignments),
            "greedy_objective": objective_value(instance, greedy, weights),
            "options": option_count,
            "conflict_pairs": len(instance.pair_weights),
            "lower_bound": run.lower_bound,
            "statically_impossible_runs": len(limits.impossible),
            "must_leave_out": limits.must_leave_out,
            "work_used": round(clock.used, 4) if clock.reproducible else None,
            "reproducible": clock.reproducible and not clock.cut_short and status != "cancelled",
        }
    )
    objective = objective_value(instance, best, weights)
    bound = run.bound if exact_model or run.bound_is_relaxation else None
    bound = run.lower_bound if bound is None else max(bound, run.lower_bound)
    if run.proven_optimal and best is run.best:
        bound = objective
    return Solution(status, assignments, unplaced, objective, bound, stats)


class _Run:
    """The best schedule so far, across greedy, full model and neighbourhoods."""

    def __init__(self, instance: Instance, weights: Weights, started: float, on_progress,
                 clock: Clock, lower_bound: int = 0):
        self.clock = clock
        # no schedule beats this (see capacity): reaching it ends the search
        self.lower_bound = lower_bound
        self.instance = instance
        self.weights = weights
        self.started = started
        self.on_progress = on_progress
        self.best: dict[RunKey, Option] = {}
        self.objective: float | None = None
        self.bound: float | None = None
        self.bound_is_relaxation = False
        self.proven_optimal = False
        self.source = "none"
        self.first_solution_seconds = 0.0

    def raise_lower_bound(self, bound: int) -> None:
        self.lower_bound = max(self.lower_bound, bound)
        if self.objective is not None and self.objective <= self.lower_bound:
            self.proven_optimal = True

    def offer(self, assignment: dict[RunKey, Option], source: str, objective: float | None = None) -> bool:
        if objective is None:
            objective = objective_value(self.instance, assignment, self.weights)
        if self.objective is not None and objective >= self.objective:
            return False
        if self.objective is None:
            self.first_solution_seconds = time.monotonic() - self.started
        self.best, self.objective, self.source = dict(assignment), objective, source
        if objective <= self.lower_bound:
            # every term (runs left out, conflicts, moves) is at least its bound: nothing can
            # beat this, so stop searching (FOSDEM without interests, or with one talk longer
            # than any day, searched its whole time limit for nothing)
            self.proven_optimal = True
        if self.on_progress is not None:
            self.on_progress(
                ProgressInfo(objective, self.bound, len(assignment),
                             time.monotonic() - self.started, _placements(assignment),
                             self.clock.used if self.clock.reproducible else None)
            )
        return True


class _FullModelReporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, built: BuiltModel, run: _Run, exact: bool, should_stop):
        super().__init__()
        self._built, self._run, self._exact, self._should_stop = built, run, exact, should_stop

    def on_solution_callback(self) -> None:
        assignment = {
            key: option for key, pairs in self._built.choices.items() for option, var in pairs
            if self.value(var)
        }
        if self._run.bound_is_relaxation:
            self._run.bound = max(0.0, self.best_objective_bound)
        # judged by the Python objective: the model's conflict coefficients assume every
        # run placed, which is lower when a workshop has runs left out
        self._run.offer(assignment, "cp-sat")
        if self._should_stop is not None and self._should_stop():
            self.stop_search()


def _full_model_phase(run: _Run, params: SolveParams, deadline: float, should_stop, stats) -> bool:
    """One model of everything. Returns whether it holds every attendee pair (then its
    optimum is the true optimum)."""
    build_started = time.monotonic()
    instance = thin_options(run.instance, run.best, params.max_options)
    thinned = instance is not run.instance
    built = build_model(instance, run.weights, hint=run.best,
                        max_conflict_literals=params.max_conflict_literals)
    exact = built.conflict_pairs_modelled == built.conflict_pairs_total and not thinned
    # Leaving pairs out only lowers the objective, so the bound is still a lower bound,
    # unless thinning removed options.
    run.bound_is_relaxation = not thinned
    stats["build_seconds"] = round(time.monotonic() - build_started, 4)
    stats["conflict_pairs_modelled"] = built.conflict_pairs_modelled
    run.clock.charge(work.SECONDS_PER_MODEL_VARIABLE * len(built.model.proto.variables))
    remaining = deadline - run.clock.now()
    # CP-SAT alone improves attendee conflicts slowly; unless it proves optimality
    # within its share, neighbourhood search gets the rest of the time
    share_seconds = min(remaining * params.full_model_share, params.full_model_max_seconds)
    solver = cp_model.CpSolver()
    _configure(solver, params, run.clock, share_seconds,
               large=sum(len(o) for o in instance.options.values()) > 20_000)
    reporter = _FullModelReporter(built, run, exact, should_stop)
    with StopWatcher(solver, should_stop):
        status = solver.solve(built.model, reporter)
    run.clock.account_search(solver)
    stats["cp_status"] = solver.status_name(status)
    stats["full_model_seconds"] = round(solver.wall_time, 4)
    stats["branches"] = solver.num_branches
    stats["search_conflicts"] = solver.num_conflicts
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and run.bound_is_relaxation:
        # every cost term is non-negative, so 0 is a bound CP-SAT may not have reached yet
        run.bound = max(0.0, solver.best_objective_bound)
    # the model's optimum is a lower bound of the Python objective (see the reporter):
    # it proves the best schedule optimal when that schedule reaches it
    run.proven_optimal = (exact and status == cp_model.OPTIMAL
                          and run.objective is not None and run.objective <= solver.objective_value + 0.5)
    return exact


def _runs_waiting(instance: Instance, assignment: dict[RunKey, Option]) -> bool:
    return any(key not in assignment and instance.options[key] for key in instance.runs)


def _pooled_phase(run: _Run, params: SolveParams, deadline: float, should_stop, stats) -> None:
    """The most runs placeable, with interchangeable rooms pooled (see pooled.py)."""
    remaining = deadline - run.clock.now()
    seconds = min(remaining * params.pooled_share, params.pooled_max_seconds)
    if seconds < 0.05:
        return
    started = time.monotonic()

    solver = cp_model.CpSolver()
    # the pooled model's deterministic time runs about 8x slower against the wall clock
    # than the calibrated 2.7 (measured on FOSDEM overload: 0.11 units in about 2.5 s of
    # quiet-machine time), so a work budget is scaled down and its use scaled up
    slowdown = work.POOLED_DETERMINISTIC_SLOWDOWN if run.clock.reproducible else 1.0
    _configure(solver, params, run.clock, seconds / slowdown, large=True)
    result = pooled_placement(run.instance, run.weights, run.best, solver, should_stop)
    if result.searched:
        spent = run.clock.account_search(solver)
        run.clock.charge(spent * (slowdown - 1))
    stats["pooled_seconds"] = round(time.monotonic() - started, 4)
    stats["pooled_status"] = result.status
    if result.assignment is None:
        return
    run.raise_lower_bound(result.placement_bound)
    run.offer(result.assignment, "pooled rooms")
    # the pooled schedule may leave a run out that still fits a room freed by the
    # interval partitioning; local search inserts it and lowers conflicts again
    if _runs_waiting(run.instance, run.best) and not run.proven_optimal:
        run.offer(local_search(run.instance, run.weights, run.best,
                               min(deadline, run.clock.now() + 0.5), params.seed, should_stop, run.clock),
                  "local search")


def _small(run: _Run) -> bool:
    """Few enough workshops for one neighbourhood holding them all (proves optimality)."""
    return len(run.instance.workshops) <= SearchBudget.max_free_workshops


def _neighbourhood_phase(run: _Run, params: SolveParams, deadline: float, should_stop, stats) -> None:
    clock = run.clock
    if deadline - clock.now() < 0.2:
        return
    handing_over = params.anneal and not _small(run)
    if handing_over:
        # neighbourhoods mainly place runs left out (make room); once every run with a
        # place is in, or after their share of the time, annealing takes over
        deadline = clock.now() + (deadline - clock.now()) * params.neighbourhood_share
    budget = SearchBudget(deadline=deadline, num_workers=params.num_workers, seed=params.seed,
                          clock=clock, until_placed=handing_over,
                          max_conflict_literals=params.neighbourhood_conflict_literals)
    current_objective = [run.objective]

    def improved(assignment, delta):
        current_objective[0] += delta
        run.offer(assignment, "neighbourhood search", current_objective[0])

    started = time.monotonic()
    _, lns_stats = improve_by_neighbourhoods(
        run.instance, run.best, run.weights, budget, should_stop=should_stop, on_improvement=improved
    )
    stats["neighbourhood_seconds"] = round(time.monotonic() - started, 4)
    stats["neighbourhoods"] = lns_stats.neighbourhoods
    stats["neighbourhood_improvements"] = lns_stats.improvements
    stats["local_search_improvements"] = lns_stats.local_improvements
    run.proven_optimal = run.proven_optimal or lns_stats.proven_optimal


def _annealing_phase(run: _Run, params: SolveParams, deadline: float, should_stop, stats) -> None:
    """Simulated annealing over moves and swaps until shortly before the deadline, then
    a last local search (which also inserts any run that now fits)."""
    clock = run.clock
    if _small(run) or deadline - clock.now() < 0.5:
        return
    started = time.monotonic()
    reserve = min(1.0, 0.05 * deadline)
    best = anneal(run.instance, run.weights, run.best, deadline - reserve, params.seed, should_stop,
                  on_best=lambda assignment: run.offer(assignment, "annealing"), clock=clock)
    run.offer(best, "annealing")
    if not (should_stop is not None and should_stop()):
        run.offer(local_search(run.instance, run.weights, run.best, deadline, params.seed, should_stop, clock),
                  "local search")
    stats["annealing_seconds"] = round(time.monotonic() - started, 4)
