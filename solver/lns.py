"""Large-neighbourhood search: re-solve a few workshops at a time with the rest fixed.

One model holding every attendee pair of a large convention is too big to build (the
pairs grow with the square of the workshops), but a neighbourhood is small: a pair with
one fixed side is only a coefficient on the free side's options. Neighbourhood kinds
take turns:

* time swap: free every workshop running at a few random time points and let them trade
  places among those points (the move that removes attendee conflicts);
* time windows: two or three stretches of about three slot starts; every run touching
  them may move anywhere inside them (the trade multi-slot runs need);
* conflict cluster: a workshop in a heavy clash, its clashing partners
  and the runs left out, each with every start that the fixed runs leave open;
* make room (every other turn while runs are left out): one such run, the placed
  workshops standing in the way of its least blocked place (slot holders, its hosts'
  runs, users of a pool that would run short, learners starting too early), everything
  running at that time and its prerequisite partners; when it places the run, the same
  workshops are re-solved once more for the attendee conflicts the placement added.

The number of workshops freed adapts: it grows while CP-SAT proves neighbourhoods optimal
in under half their time and shrinks when it runs out of time. A neighbourhood's answer
is accepted only when it lowers the whole objective (recomputed in Python, since a model
may leave light attendee pairs out); fixed runs that share pool equipment or
prerequisites with free ones are included as pinned runs so that those rules stay exact.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Callable

from ortools.sat.python import cp_model

from . import clock as work
from .clock import Clock, WallClock
from .control import StopWatcher
from .domains import Option, RunKey
from .greedy import Occupancy
from .local import local_search
from .instance import Instance, Weights
from .model import build_model
from .objective import objective_value, overlap


@dataclass
class SearchBudget:
    deadline: float  # on `clock`
    num_workers: int
    seed: int
    clock: Clock = field(default_factory=WallClock)
    max_free_workshops: int = 40
    max_options_per_run: int = 300
    neighbourhood_seconds: float = 2.0
    max_conflict_literals: int = 20_000
    # after each neighbourhood that improved, moves and swaps in Python for at most this long
    local_seconds: float = 1.0
    # stop as soon as every run that has any place is placed (annealing takes over)
    until_placed: bool = False


@dataclass
class LnsStats:
    neighbourhoods: int = 0
    improvements: int = 0
    local_improvements: int = 0
    # a neighbourhood freeing every workshop with all its options was solved to optimality
    proven_optimal: bool = False


def _time_swap(instance: Instance, current: dict[RunKey, Option], rng: random.Random, budget: SearchBudget):
    points = rng.sample(instance.time_points, min(len(instance.time_points), rng.randint(2, 4)))
    chosen = set(points)
    free = {
        key[0]
        for key, option in current.items()
        if any(option.start <= p < option.end for p in chosen) and key not in instance.pinned
    }
    free = set(rng.sample(sorted(free), min(len(free), budget.max_free_workshops)))

    def allowed(option: Option) -> bool:
        return option.start in chosen

    return free, allowed


def _time_windows(instance: Instance, current: dict[RunKey, Option], rng: random.Random,
                  budget: SearchBudget):
    """Two or three random stretches of about three slot starts: free every run touching
    them and let them move anywhere inside the stretches (multi-slot runs need room to
    trade places that the single points of the time swap do not give)."""
    points = instance.time_points
    windows = []
    for _ in range(rng.randint(2, 3)):
        first = rng.randrange(len(points))
        last = min(len(points) - 1, first + 3)
        end = max((o.end for o in current.values() if o.start == points[last]), default=points[last] + 1)
        windows.append((points[first], end))
    free = {
        key[0]
        for key, option in current.items()
        if any(option.start < end and start < option.end for start, end in windows)
        and key not in instance.pinned
    }
    free = set(rng.sample(sorted(free), min(len(free), budget.max_free_workshops)))

    def allowed(option: Option) -> bool:
        return any(start <= option.start and option.end <= end for start, end in windows)

    return free, allowed


def _conflict_cluster(instance: Instance, current: dict[RunKey, Option], rng: random.Random,
                      budget: SearchBudget):
    clashes: dict[int, float] = {}
    by_workshop: dict[int, list[Option]] = {}
    for (workshop_id, _), option in current.items():
        by_workshop.setdefault(workshop_id, []).append(option)
    pair_clash = []
    for (a, b), weight in instance.pair_weights.items():
        if a in by_workshop and b in by_workshop:
            shared = sum(overlap(x, y) for x in by_workshop[a] for y in by_workshop[b])
            if shared:
                pair_clash.append((weight * shared, a, b))
                clashes[a] = clashes.get(a, 0) + weight * shared
                clashes[b] = clashes.get(b, 0) + weight * shared
    if not clashes:
        return set(), lambda option: True
    seeds = sorted(clashes)
    centre = rng.choices(seeds, weights=[clashes[s] for s in seeds])[0]
    partners = sorted(
        ((w, b if a == centre else a) for w, a, b in pair_clash if centre in (a, b)), reverse=True
    )
    free = {centre} | {p for _, p in partners[: budget.max_free_workshops // 4]}
    # neighbours in time of the centre free rooms for the swap
    centre_spans = by_workshop[centre]
    same_time = [
        w for w, options in by_workshop.items()
        if any(o.start < c.end and c.start < o.end for o in options for c in centre_spans)
    ]
    rng.shuffle(same_time)
    free.update(same_time[: budget.max_free_workshops // 4])
    free = {w for w in free if not any(k[0] == w for k in instance.pinned)}
    return free, lambda option: True


def blockers(instance: Instance, current: dict[RunKey, Option], target: int, place: Option,
              index: "PlacedIndex") -> set[int]:
    """The placed workshops that stand in the way of `target` at `place`: holders of its
    slots, its hosts' overlapping runs, the users of a pool that would run short, and
    learners (teachers) that start too early (end too late) for the prerequisite rule."""
    workshop = instance.workshops[target]
    blocking = {index.slot_holder[s][0] for s in place.slot_ids if s in index.slot_holder}
    for host in workshop.host_ids:
        blocking.update(w for s, e, w in index.host_runs.get(host, ()) if s < place.end and place.start < e)
    for item, quantity in place.pool_need:
        users = [(s, e, q, w) for s, e, q, w in index.pool_runs.get(item, ())
                 if s < place.end and place.start < e]
        points = {place.start} | {s for s, _, _, _ in users if s > place.start}
        pool = instance.problem.equipment_pools.get(item, 0)
        if any(sum(q for s, e, q, _ in users if s <= p < e) + quantity > pool for p in points):
            blocking.update(w for _, _, _, w in users)
    for capability in workshop.teaches_ids:
        for learner in instance.learners.get(capability, ()):
            first = index.first_start.get(learner)
            if learner != target and first is not None and first < place.end:
                blocking.add(learner)
    for teachers in instance.prerequisite_teachers(workshop):
        ends = [e for t in teachers for e in index.ends.get(t, ())]
        if ends and min(ends) > place.start:
            blocking.update(t for t in teachers if t in index.ends)
    blocking.discard(target)
    return blocking


class PlacedIndex:
    """Look-ups over the current schedule for `blockers`."""

    def __init__(self, instance: Instance, current: dict[RunKey, Option]):
        self.slot_holder: dict[int, RunKey] = {}
        self.host_runs: dict[int, list[tuple[int, int, int]]] = {}
        self.pool_runs: dict[int, list[tuple[int, int, int, int]]] = {}
        self.first_start: dict[int, int] = {}
        self.ends: dict[int, list[int]] = {}
        for key, option in current.items():
            for slot in option.slot_ids:
                self.slot_holder[slot] = key
            for host in instance.workshops[key[0]].host_ids:
                self.host_runs.setdefault(host, []).append((option.start, option.end, key[0]))
            for item, quantity in option.pool_need:
                self.pool_runs.setdefault(item, []).append((option.start, option.end, quantity, key[0]))
            self.first_start[key[0]] = min(self.first_start.get(key[0], option.start), option.start)
            self.ends.setdefault(key[0], []).append(option.end)


def _make_room(instance: Instance, current: dict[RunKey, Option], rng: random.Random,
               budget: SearchBudget):
    """For a run left out: pick one of its places that the fewest placed workshops stand
    in the way of (slot, host, pool, prerequisite order), free those, everything else
    running at that time and its hosts' other workshops, so the run can be squeezed in."""
    waiting = sorted({k[0] for k in instance.runs if k not in current and instance.reports[k[0]].options})
    if not waiting:
        return set(), lambda option: True
    target = rng.choice(waiting)
    options = instance.reports[target].options
    sample = rng.sample(options, min(len(options), 400))
    index = PlacedIndex(instance, current)
    scored = sorted(((len(b), rng.random(), b, o) for o in sample
                     for b in [blockers(instance, current, target, o, index)]),
                    key=lambda t: t[:2])
    # among the least blocked places, a random one (the very best may be a dead end)
    _, _, blocking, place = scored[min(len(scored) - 1, int(rng.random() ** 2 * min(len(scored), 6)))]
    hosts = set(instance.workshops[target].host_ids)
    free = {target} | blocking
    around = [
        key[0] for key, option in current.items()
        if key[0] not in free and ((option.start < place.end and place.start < option.end)
                                   or hosts & set(instance.workshops[key[0]].host_ids))
    ]
    rng.shuffle(around)
    free.update(around[: max(0, budget.max_free_workshops - len(free))])
    # its teachers and learners, which may have to move for the order rule
    workshop = instance.workshops[target]
    for group in instance.prerequisite_teachers(workshop):
        free.update(group)
    for capability in workshop.teaches_ids:
        free.update(instance.learners.get(capability, ()))
    free = {w for w in free if not any(k[0] == w for k in instance.pinned)}
    return free, lambda option: True


def _related_fixed(instance: Instance, free: set[int], fixed: dict[RunKey, Option],
                   free_items: set[int]) -> dict[RunKey, Option]:
    """Fixed runs that must sit in the model for pool and prerequisite rules to stay exact."""
    related_workshops: set[int] = set()
    for workshop_id in free:
        workshop = instance.workshops[workshop_id]
        for group in instance.prerequisite_teachers(workshop):
            related_workshops.update(group)
        for capability in workshop.teaches_ids:
            related_workshops.update(instance.learners.get(capability, ()))
    for learner in list(related_workshops):
        for group in instance.prerequisite_teachers(instance.workshops[learner]):
            related_workshops.update(group)
    return {
        key: option
        for key, option in fixed.items()
        if key[0] in related_workshops or any(item in free_items for item, _ in option.pool_need)
    }


def _neighbourhood_model(instance: Instance, current: dict[RunKey, Option], free: set[int],
                         allowed: Callable[[Option], bool], rng: random.Random, budget: SearchBudget,
                         weights: Weights):
    fixed = {key: option for key, option in current.items() if key[0] not in free}
    occupancy = Occupancy(instance)
    for key, option in fixed.items():
        occupancy.place(key, option)
    runs: list[RunKey] = []
    options: dict[RunKey, list[Option]] = {}
    pinned: dict[RunKey, Option] = {}
    free_items: set[int] = set()
    for workshop_id in sorted(free):
        candidates = [
            o for o in instance.reports[workshop_id].options
            if allowed(o) and occupancy.fits((workshop_id, 0), o, check_prerequisites=False)
        ]
        if len(candidates) > budget.max_options_per_run:
            candidates = rng.sample(candidates, budget.max_options_per_run)
        for index in range(instance.workshops[workshop_id].runs):
            key = (workshop_id, index)
            runs.append(key)
            if key in instance.pinned:
                pinned[key] = instance.pinned[key]
                options[key] = [instance.pinned[key]]
                continue
            mine = list(candidates)
            if key in current and current[key] not in mine:
                mine.append(current[key])
            # the other runs' current places too, so runs may swap indices in time order
            for other in range(instance.workshops[workshop_id].runs):
                held = current.get((workshop_id, other))
                if held is not None and held not in mine and (workshop_id, other) not in instance.pinned:
                    mine.append(held)
            options[key] = mine
            for option in mine:
                free_items.update(item for item, _ in option.pool_need)
    inside = _related_fixed(instance, free, fixed, free_items)
    for key, option in inside.items():
        runs.append(key)
        options[key] = [option]
        pinned[key] = option
    context = {key: option for key, option in fixed.items() if key not in inside}
    sub = replace(instance, runs=runs, options=options, pinned=pinned)
    hint = {key: current[key] for key in runs if key in current}
    built = build_model(sub, weights, hint=hint, max_conflict_literals=budget.max_conflict_literals,
                        context=context)
    return built


def improve_by_neighbourhoods(
    instance: Instance,
    start: dict[RunKey, Option],
    weights: Weights,
    budget: SearchBudget,
    should_stop: Callable[[], bool] | None = None,
    on_improvement: Callable[[dict[RunKey, Option], int], None] | None = None,
) -> tuple[dict[RunKey, Option], LnsStats]:
    """Returns the improved assignment; `on_improvement(assignment, delta)` after each gain."""
    rng = random.Random(budget.seed)
    current = dict(start)
    current_value = objective_value(instance, current, weights)
    stats = LnsStats()
    turn = 0
    # neighbourhood size adapts: grow while CP-SAT proves them optimal quickly, shrink when
    # it runs out of time (dense attendee pairs at M made 40 workshops too many)
    size = float(budget.max_free_workshops)
    polish: set[int] = set()
    clock = budget.clock
    while clock.now() < budget.deadline - 0.05:
        if should_stop is not None and should_stop():
            break
        small = len(instance.workshops) <= budget.max_free_workshops
        waiting = len(current) < len(instance.runs) and any(
            instance.reports[k[0]].options for k in instance.runs if k not in current
        )
        if budget.until_placed and not waiting and not polish and not small:
            break
        if small:
            # everything fits in one neighbourhood: solve it whole
            free, allowed = set(instance.workshops), (lambda option: True)
            kind = None
        elif polish:
            # a make-room answer is accepted for the run it places, often with many
            # attendee conflicts the 2 s left unsolved: the same workshops once more
            free, allowed, kind, polish = polish, (lambda option: True), "polish", set()
            turn -= 1
        else:
            kind = KINDS[(turn // 2 if waiting else turn) % len(KINDS)]
            if waiting and turn % 2 == 0:
                # placing a run outweighs any conflict saving: every other turn tries it
                kind = _make_room
            sized = budget if kind is _make_room else replace(budget, max_free_workshops=round(size))
            free, allowed = kind(instance, current, rng, sized)
        turn += 1
        unplaced = sorted({k[0] for k in instance.runs if k not in current and instance.reports[k[0]].options})
        free |= set(rng.sample(unplaced, min(len(unplaced), 5)))
        if not free:
            continue
        stats.neighbourhoods += 1
        built = _neighbourhood_model(instance, current, free, allowed, rng, budget, weights)
        clock.charge(work.SECONDS_PER_MODEL_VARIABLE * len(built.model.proto.variables))
        hinted = built.hinted_objective()
        solver = cp_model.CpSolver()
        solver.parameters.random_seed = budget.seed + stats.neighbourhoods
        solver.parameters.symmetry_level = 0
        # measured at L: presolve probing alone took over 4 s of a make-room neighbourhood
        # (16 000 options), so it returned nothing within its 2 s
        solver.parameters.cp_model_probing_level = 0
        clock.limit_search(solver.parameters,
                           max(0.05, min(budget.neighbourhood_seconds, budget.deadline - clock.now())),
                           budget.num_workers)
        with StopWatcher(solver, should_stop):
            status = solver.solve(built.model)
        spent = clock.account_search(solver)
        if not small and kind in (_time_swap, _time_windows, _conflict_cluster):
            if status == cp_model.OPTIMAL and spent < 0.5 * budget.neighbourhood_seconds:
                size = min(2 * budget.max_free_workshops, size * 1.15)
            elif status != cp_model.OPTIMAL:
                size = max(10, size * 0.85)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        whole = small and built.conflict_pairs_modelled == len(instance.pair_weights) and all(
            len(built.choices[k]) == len(instance.options[k]) for k in built.choices if k in instance.options
        )
        # the model counts every run of a workshop in its conflict coefficients, never more
        # than the Python objective (which divides by the runs placed): its optimum is a
        # lower bound, and proves optimality when the schedule kept reaches it
        optimum = solver.objective_value if status == cp_model.OPTIMAL and whole else None
        if solver.objective_value >= hinted - 0.5:
            if optimum is not None and current_value <= optimum + 0.5:
                stats.proven_optimal = True
                break
            continue
        candidate = dict(current)
        for key, pairs in built.choices.items():
            if key[0] not in free:
                continue
            chosen = next((option for option, var in pairs if solver.value(var)), None)
            if chosen is None:
                candidate.pop(key, None)
            else:
                candidate[key] = chosen
        # the model may leave light attendee pairs out: judge by the whole objective
        value = objective_value(instance, candidate, weights)
        clock.charge(work.SECONDS_PER_PAIR * len(instance.pair_weights))
        if value >= current_value:
            continue
        delta, current, current_value = value - current_value, candidate, value
        if kind is _make_room:
            polish = set(free)
        stats.improvements += 1
        if on_improvement is not None:
            on_improvement(current, delta)
        if optimum is not None and current_value <= optimum + 0.5:
            stats.proven_optimal = True
        if budget.local_seconds > 0 and not small:
            # the neighbourhood's changes often open single moves and swaps elsewhere
            polished = local_search(instance, weights, current,
                                    min(budget.deadline, clock.now() + budget.local_seconds),
                                    budget.seed + stats.neighbourhoods, should_stop, clock)
            value = objective_value(instance, polished, weights)
            clock.charge(work.SECONDS_PER_PAIR * len(instance.pair_weights))
            if value < current_value:
                delta, current, current_value = value - current_value, polished, value
                stats.local_improvements += 1
                if on_improvement is not None:
                    on_improvement(current, delta)
        if stats.proven_optimal:
            break
    return current, stats


KINDS = [_time_swap, _time_windows, _conflict_cluster]
