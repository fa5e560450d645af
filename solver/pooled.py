"""Placing as many runs as possible when the greedy leaves some out: rooms that are
interchangeable form one pool, and CP-SAT decides only when each run starts and in which
pool; rooms are handed out afterwards.

Rooms are interchangeable when they have the same slots (same times) and every workshop
that may use one may use all of them (same seats, equipment and allowed-room rules: the
same static options). A pool of R such rooms holds any set of runs of which at most R
overlap at any moment (cumulative), and such a set can always be given rooms by taking
the runs in start order, each into a room free by then (interval partitioning). So the
model has one optional interval per (run, pool) instead of one Boolean per (run, room,
start): about 800 intervals for FOSDEM instead of millions of options, and CP-SAT proves
the most runs placeable there in seconds (a 99.98 % full FOSDEM variant included).

It models rooms, hosts and runs of one workshop. Problems with pool equipment or
prerequisites, or with runs whose windows differ in length, are left to the other
phases (`NOT_APPLICABLE`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .control import StopWatcher
from .domains import Option, RunKey
from .instance import Instance, Weights


@dataclass(frozen=True)
class PoolResult:
    assignment: dict[RunKey, Option] | None  # None: no schedule (not applicable, or none found)
    status: str
    # the model's best bound on the placement term (runs left out x their weight)
    placement_bound: int = 0
    searched: bool = True  # CP-SAT ran (its time counts on the solve's clock)


NOT_APPLICABLE = PoolResult(None, "not applicable", searched=False)


def _room_pools(instance: Instance) -> dict[int, tuple]:
    """Location -> pool key: its slot times and which shared option tuples include it."""
    times: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for slot in instance.problem.slots:
        times[slot.location_id].append((slot.start, slot.end))
    users: dict[int, set[int]] = defaultdict(set)
    seen: dict[int, tuple] = {}
    for key in instance.runs:
        options = instance.options[key]
        if id(options) in seen or key in instance.pinned:
            continue
        seen[id(options)] = options
        for location in {o.location_id for o in options}:
            users[location].add(id(options))
    return {
        location.id: (tuple(sorted(times[location.id])), frozenset(users[location.id]))
        for location in instance.problem.locations
    }


def applicable(instance: Instance) -> bool:
    if instance.problem.equipment_pools or any(w.equipment for w in instance.workshops.values()):
        return False
    return not any(w.prerequisite_ids or w.teaches_ids for w in instance.workshops.values())


def pooled_placement(instance: Instance, weights: Weights, hint: dict[RunKey, Option],
                     solver: cp_model.CpSolver, should_stop=None) -> PoolResult:
    """`solver` comes configured (time or work limit, workers, seed) by the engine."""
    if not applicable(instance):
        return NOT_APPLICABLE
    pool_of = _room_pools(instance)
    rooms_in: dict[tuple, list[int]] = defaultdict(list)
    for location_id, pool in pool_of.items():
        rooms_in[pool].append(location_id)
    model = cp_model.CpModel()
    # per run: (pool, {start: option of the pool's first room}, length, presence, start var)
    choices: dict[RunKey, list[tuple[tuple, dict[int, list[Option]], cp_model.IntVar, cp_model.IntVar]]] = {}
    by_pool: dict[tuple, list] = defaultdict(list)
    by_resource: dict[tuple[str, int], list] = defaultdict(list)
    placed_terms = []
    shapes: dict[int, tuple] = {}  # per shared options tuple: its places by pool and start
    for key in instance.runs:
        workshop = instance.workshops[key[0]]
        resources = [("host", h) for h in workshop.host_ids] + [("workshop", workshop.id)]
        if key in instance.pinned:
            option = instance.pinned[key]
            interval = model.new_fixed_size_interval_var(option.start, option.end - option.start, f"pin_{key}")
            by_pool[pool_of[option.location_id]].append(interval)
            for resource in resources:
                by_resource[resource].append(interval)
            continue
        shape = shapes.get(id(instance.options[key]))
        if shape is None:
            shape = shapes[id(instance.options[key])] = _by_pool_and_start(instance.options[key], pool_of)
        grouped, lengths = shape
        if not grouped:
            continue
        if len(lengths) != 1:
            return NOT_APPLICABLE
        length = next(iter(lengths))
        hinted = hint.get(key)
        presences = []
        choices[key] = []
        for pool, starts in grouped.items():
            present = model.new_bool_var(f"in_{key}_{len(presences)}")
            start = model.new_int_var_from_domain(cp_model.Domain.from_values(sorted(starts)), f"start_{key}_{len(presences)}")
            interval = model.new_optional_fixed_size_interval_var(start, length, present, f"run_{key}_{len(presences)}")
            by_pool[pool].append(interval)
            for resource in resources:
                by_resource[resource].append(interval)
            if hinted is not None and pool_of[hinted.location_id] == pool:
                model.add_hint(present, 1)
                model.add_hint(start, hinted.start)
            else:
                model.add_hint(present, 0)
                model.add_hint(start, min(starts))
            presences.append(present)
            choices[key].append((pool, starts, present, start))
        model.add_at_most_one(presences)
        weight = max(1, workshop.priority)
        placed_terms.extend((weight, p) for p in presences)
    for pool, intervals in by_pool.items():
        if len(intervals) > len(rooms_in[pool]):
            model.add_cumulative(intervals, [1] * len(intervals), len(rooms_in[pool]))
    for intervals in by_resource.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    model.maximize(sum(w * p for w, p in placed_terms))
    with StopWatcher(solver, should_stop):
        status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PoolResult(None, solver.status_name(status))
    total_weight = sum(max(1, instance.workshops[k[0]].priority) for k in instance.runs if k not in instance.pinned)
    bound = int(round(solver.best_objective_bound))
    placement_bound = weights.placement * max(0, total_weight - bound)
    chosen = {
        key: (pool, starts, solver.value(start))
        for key, entries in choices.items()
        for pool, starts, present, start in entries
        if solver.value(present)
    }
    return PoolResult(_give_rooms(instance, chosen), solver.status_name(status), placement_bound)


def _by_pool_and_start(options, pool_of) -> tuple[dict[tuple, dict[int, list[Option]]], set[int]]:
    grouped: dict[tuple, dict[int, list[Option]]] = defaultdict(lambda: defaultdict(list))
    lengths = set()
    for option in options:
        grouped[pool_of[option.location_id]][option.start].append(option)
        lengths.add(option.end - option.start)
    return grouped, lengths


def _give_rooms(instance: Instance, chosen) -> dict[RunKey, Option]:
    """Interval partitioning per pool: in start order, each run takes a room of its pool
    that is free from its start (pinned runs keep theirs)."""
    assignment: dict[RunKey, Option] = dict(instance.pinned)
    room_free_at: dict[int, int] = {}
    busy_rooms: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key, option in instance.pinned.items():
        busy_rooms[option.location_id].append((option.start, option.end))
    for key, (pool, starts, start) in sorted(chosen.items(), key=lambda item: (item[1][2], item[0])):
        for option in starts[start]:
            room = option.location_id
            if room_free_at.get(room, -1) <= option.start and not any(
                s < option.end and option.start < e for s, e in busy_rooms[room]
            ):
                assignment[key] = option
                room_free_at[room] = option.end
                break
    return assignment
