"""First-fit greedy: the model's complete hint, the always-valid fallback, and the
benchmark baseline.

Order: pinned runs, then higher priority (a teacher counts with the highest priority of
its learners), teachers before learners, fewest possible start times (in steps of 8, up
to 40), longest runs, busiest hosts, fewest candidate rooms. The conflict-aware variant picks, among the
feasible starts of a run, the one adding the least attendee-conflict weight.
"""
from __future__ import annotations

import heapq
from collections import defaultdict

import numpy as np

from .domains import Option, RunKey
from .instance import Instance


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


class Occupancy:
    """What a partial schedule already uses: slots, people's hours, pool equipment."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.placed: dict[RunKey, Option] = {}
        self.by_workshop: dict[int, list[Option]] = defaultdict(list)
        self.slot_holder: dict[int, RunKey] = {}
        self.busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        self.pool_use: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        # the same time span recurs in every room: remember people and pool answers per
        # span until the next placement changes them
        self._span_answers: dict[tuple, bool] = {}

    def _resources(self, workshop_id: int) -> list[tuple[str, int]]:
        workshop = self.instance.workshops[workshop_id]
        # runs of one workshop never overlap: the workshop is a resource like a host
        return [("host", h) for h in workshop.host_ids] + [("workshop", workshop_id)]

    def _pool_fits(self, option: Option) -> bool:
        pools = self.instance.problem.equipment_pools
        for item, quantity in option.pool_need:
            usage = [u for u in self.pool_use[item] if overlaps(u[0], u[1], option.start, option.end)]
            # peak concurrent usage happens at the start of some interval
            points = {option.start} | {u[0] for u in usage if u[0] > option.start}
            for point in points:
                used = sum(q for s, e, q in usage if s <= point < e)
                if used + quantity > pools.get(item, 0):
                    return False
        return True

    def fits(self, key: RunKey, option: Option, check_prerequisites: bool = True) -> bool:
        if any(slot in self.slot_holder for slot in option.slot_ids):
            return False
        span_key = (key[0], option.start, option.end, option.pool_need)
        free = self._span_answers.get(span_key)
        if free is None:
            free = all(
                not any(overlaps(s, e, option.start, option.end) for s, e in self.busy[resource])
                for resource in self._resources(key[0])
            ) and (not option.pool_need or self._pool_fits(option))
            self._span_answers[span_key] = free
        if not free:
            return False
        return not check_prerequisites or self._prerequisites_hold(key, option)

    def _prerequisites_hold(self, key: RunKey, option: Option) -> bool:
        affected = self.instance.prerequisite_affected(key[0])
        if not affected:
            return True
        def runs_of(workshop_id: int) -> list[Option]:
            extra = [option] if workshop_id == key[0] else []
            return self.by_workshop.get(workshop_id, []) + extra

        return all(prerequisites_hold(self.instance, runs_of, w) for w in affected)

    def place(self, key: RunKey, option: Option) -> None:
        self._span_answers.clear()
        self.placed[key] = option
        self.by_workshop[key[0]].append(option)
        for slot in option.slot_ids:
            self.slot_holder[slot] = key
        for resource in self._resources(key[0]):
            self.busy[resource].append((option.start, option.end))
        for item, quantity in option.pool_need:
            self.pool_use[item].append((option.start, option.end, quantity))


def prerequisites_hold(instance: Instance, runs_of, workshop_id: int) -> bool:
    """Rule 5 for one requiring workshop; `runs_of(workshop_id)` lists placed options."""
    starts = [o.start for o in runs_of(workshop_id)]
    if not starts:
        return True
    first_start = min(starts)
    for teacher_ids in instance.prerequisite_teachers(instance.workshops[workshop_id]):
        teacher_ends = [o.end for t in teacher_ids for o in runs_of(t)]
        if teacher_ends and min(teacher_ends) > first_start:
            return False
    return True


def effective_priorities(instance: Instance) -> dict[int, int]:
    """A teacher must end before its learners start, so it is as urgent as the most
    urgent workshop that learns from it (transitively): placed after a priority-3 learner
    took the first morning, a priority-1 teacher often has no place left."""
    priority = {w.id: max(1, w.priority) for w in instance.workshops.values()}
    changed = True
    while changed:
        changed = False
        for workshop in instance.workshops.values():
            for capability in workshop.teaches_ids:
                for learner in instance.learners.get(capability, ()):
                    if learner != workshop.id and priority[learner] > priority[workshop.id]:
                        priority[workshop.id] = priority[learner]
                        changed = True
    return priority


def workshop_order(instance: Instance) -> list[int]:
    host_load: dict[int, int] = defaultdict(int)
    for workshop in instance.workshops.values():
        for host in workshop.host_ids:
            host_load[host] += workshop.runs * workshop.duration_slots
    required = {c for w in instance.workshops.values() for c in w.prerequisite_ids}
    priority = effective_priorities(instance)

    def key(workshop_id: int):
        workshop = instance.workshops[workshop_id]
        report = instance.reports[workshop_id]
        teaches_needed = any(c in required for c in workshop.teaches_ids)
        # most constrained first: few distinct start times per run (sparse host windows)
        # go before flexible workshops; coarse steps so length and hosts still count.
        # Measured at L tight: 845 -> 853 of 854 runs placed (seed 1), 825 -> 837 of 837 (seed 2)
        starts = len({o.start for o in report.options}) // max(1, workshop.runs)
        return (
            -priority[workshop_id],
            not teaches_needed,
            min(starts, 40) // 8,
            -workshop.duration_slots,
            -max((host_load[h] for h in workshop.host_ids), default=0),
            len({o.location_id for o in report.options}),
            workshop_id,
        )

    return sorted(instance.workshops, key=key)


class ConflictCost:
    """Attendee-conflict weight a run would add, given the runs placed so far.

    Each placed run leaves a penalty interval on every partner workshop (one sharing
    interested attendees); the cost of a candidate span is the weight of the penalty
    intervals it overlaps, computed for all spans of a workshop at once with numpy.
    """

    def __init__(self, instance: Instance):
        self.instance = instance
        self.partners: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (a, b), weight in instance.pair_weights.items():
            self.partners[a].append((b, weight))
            self.partners[b].append((a, weight))
        self.penalties: dict[int, list[tuple[int, int, float]]] = defaultdict(list)

    def record(self, workshop_id: int, option: Option) -> None:
        runs_here = self.instance.workshops[workshop_id].runs
        for partner, weight in self.partners.get(workshop_id, ()):
            share = weight / (runs_here * self.instance.workshops[partner].runs)
            self.penalties[partner].append((option.start, option.end, share))

    def costs(self, workshop_id: int, spans: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
        penalties = self.penalties.get(workshop_id)
        if not penalties or not spans:
            return {span: 0.0 for span in spans}
        starts, ends = np.array(spans, dtype=np.int64).T
        p_start, p_end, p_weight = (np.array(column) for column in zip(*penalties))
        overlapping = (starts[:, None] < p_end[None, :]) & (p_start[None, :] < ends[:, None])
        totals = overlapping.astype(np.float64) @ p_weight.astype(np.float64)
        return dict(zip(spans, totals.tolist()))


def greedy_schedule(instance: Instance, conflict_aware: bool = True) -> dict[RunKey, Option]:
    occupancy = Occupancy(instance)
    costs = ConflictCost(instance) if conflict_aware else None
    for key, option in instance.pinned.items():
        occupancy.place(key, option)
        if costs is not None:
            costs.record(key[0], option)
    # a re-solve starts by keeping whatever of the current schedule still fits
    for key, option in sorted(instance.current_options.items()):
        if occupancy.fits(key, option):
            occupancy.place(key, option)
            if costs is not None:
                costs.record(key[0], option)
    ordering = _CandidateOrder(instance)
    for workshop_id in workshop_order(instance):
        ordered, by_span = ordering.candidates(workshop_id)
        for index in instance.unpinned_run_indices(workshop_id):
            key = (workshop_id, index)
            if key in occupancy.placed:
                continue
            if costs is None:
                ranked = iter(ordered)
            else:
                cost_by_span = costs.costs(workshop_id, list(by_span))
                buckets: dict[float, list[list[Option]]] = defaultdict(list)
                for span, options in by_span.items():
                    buckets[cost_by_span[span]].append(options)
                # cheapest conflict cost first; within one cost, smallest room then time
                ranked = (
                    option
                    for cost in sorted(buckets)
                    for option in heapq.merge(*buckets[cost], key=ordering.room_then_time)
                )
            choice = next((o for o in ranked if occupancy.fits(key, o)), None)
            if choice is not None:
                occupancy.place(key, choice)
                if costs is not None:
                    costs.record(workshop_id, choice)
    return normalise_run_order(instance, occupancy.placed)


class _CandidateOrder:
    """A workshop's options, smallest adequate room first then earliest (best fit keeps
    big rooms for big workshops), also grouped by time span. Workshops with the same
    rooms, length and equipment and no host windows share one ordering: sorting a
    million options per workshop was most of the greedy's time on large conventions."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.capacity = instance.location_capacity
        self._cache: dict[tuple, tuple[list[Option], dict[tuple[int, int], list[Option]]]] = {}

    def room_then_time(self, option: Option) -> tuple[int, int]:
        return (self.capacity.get(option.location_id, 0), option.start)

    def candidates(self, workshop_id: int):
        workshop = self.instance.workshops[workshop_id]
        report = self.instance.reports[workshop_id]
        limited = any(h in self.instance.problem.availability for h in workshop.host_ids)
        key = None if limited else (report.equipped_location_ids, workshop.duration_slots, workshop.equipment)
        if key is not None and key in self._cache:
            return self._cache[key]
        ordered = sorted(report.options, key=self.room_then_time)
        by_span: dict[tuple[int, int], list[Option]] = {}
        for option in ordered:
            by_span.setdefault((option.start, option.end), []).append(option)
        if key is not None:
            self._cache[key] = (ordered, by_span)
        return ordered, by_span


def normalise_run_order(instance: Instance, placed: dict[RunKey, Option]) -> dict[RunKey, Option]:
    """Give placed unpinned runs the lowest free indices in time order (the model's
    symmetry breaking expects exactly this shape)."""
    result = {key: option for key, option in placed.items() if key in instance.pinned}
    for workshop_id in instance.workshops:
        free_indices = instance.unpinned_run_indices(workshop_id)
        chosen = sorted(
            (o for (w, i), o in placed.items() if w == workshop_id and (w, i) not in instance.pinned),
            key=lambda o: o.start,
        )
        for index, option in zip(free_indices, chosen):
            result[(workshop_id, index)] = option
    return result
