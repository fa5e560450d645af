"""First-fit greedy: the model's complete hint, the always-valid fallback, and the
benchmark baseline.

Order: pinned runs, then higher priority, teachers before learners, longest runs,
busiest hosts, fewest candidate rooms. The conflict-aware variant picks, among the
feasible starts of a run, the one adding the least attendee-conflict weight.
"""
from __future__ import annotations

from collections import defaultdict

from .domains import Option, RunKey
from .instance import Instance


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


class Occupancy:
    """What a partial schedule already uses: slots, people's hours, pool equipment."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.placed: dict[RunKey, Option] = {}
        self.slot_holder: dict[int, RunKey] = {}
        self.busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        self.pool_use: dict[int, list[tuple[int, int, int]]] = defaultdict(list)

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

    def fits(self, key: RunKey, option: Option) -> bool:
        if any(slot in self.slot_holder for slot in option.slot_ids):
            return False
        for resource in self._resources(key[0]):
            if any(overlaps(s, e, option.start, option.end) for s, e in self.busy[resource]):
                return False
        if option.pool_need and not self._pool_fits(option):
            return False
        return self._prerequisites_hold(key, option)

    def _prerequisites_hold(self, key: RunKey, option: Option) -> bool:
        affected = self.instance.prerequisite_affected(key[0])
        if not affected:
            return True
        trial = dict(self.placed)
        trial[key] = option
        return all(prerequisites_hold(self.instance, trial, w) for w in affected)

    def place(self, key: RunKey, option: Option) -> None:
        self.placed[key] = option
        for slot in option.slot_ids:
            self.slot_holder[slot] = key
        for resource in self._resources(key[0]):
            self.busy[resource].append((option.start, option.end))
        for item, quantity in option.pool_need:
            self.pool_use[item].append((option.start, option.end, quantity))


def prerequisites_hold(instance: Instance, placed: dict[RunKey, Option], workshop_id: int) -> bool:
    """Rule 5 on a set of placed runs, for one requiring workshop."""
    starts = [o.start for (w, _), o in placed.items() if w == workshop_id]
    if not starts:
        return True
    first_start = min(starts)
    for teacher_ids in instance.prerequisite_teachers(instance.workshops[workshop_id]):
        teacher_ends = [o.end for (w, _), o in placed.items() if w in teacher_ids]
        if teacher_ends and min(teacher_ends) > first_start:
            return False
    return True


def workshop_order(instance: Instance) -> list[int]:
    host_load: dict[int, int] = defaultdict(int)
    for workshop in instance.workshops.values():
        for host in workshop.host_ids:
            host_load[host] += workshop.runs * workshop.duration_slots
    required = {c for w in instance.workshops.values() for c in w.prerequisite_ids}

    def key(workshop_id: int):
        workshop = instance.workshops[workshop_id]
        rooms = {o.location_id for o in instance.reports[workshop_id].options}
        teaches_needed = any(c in required for c in workshop.teaches_ids)
        return (
            -workshop.priority,
            not teaches_needed,
            -workshop.duration_slots,
            -max((host_load[h] for h in workshop.host_ids), default=0),
            len(rooms),
            workshop_id,
        )

    return sorted(instance.workshops, key=key)


class ConflictCost:
    """Attendee-conflict weight a run would add, given the runs placed so far."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.partners: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (a, b), weight in instance.pair_weights.items():
            self.partners[a].append((b, weight))
            self.partners[b].append((a, weight))

    def cost(self, occupancy: Occupancy, workshop_id: int, start: int, end: int) -> float:
        runs_here = self.instance.workshops[workshop_id].runs
        total = 0.0
        for partner, weight in self.partners.get(workshop_id, ()):
            partner_runs = self.instance.workshops[partner].runs
            for run in range(partner_runs):
                option = occupancy.placed.get((partner, run))
                if option is not None and overlaps(start, end, option.start, option.end):
                    total += weight / (runs_here * partner_runs)
        return total


def greedy_schedule(instance: Instance, conflict_aware: bool = True) -> dict[RunKey, Option]:
    occupancy = Occupancy(instance)
    for key, option in instance.pinned.items():
        occupancy.place(key, option)
    capacity = instance.location_capacity
    costs = ConflictCost(instance) if conflict_aware else None
    for workshop_id in workshop_order(instance):
        for index in instance.unpinned_run_indices(workshop_id):
            key = (workshop_id, index)
            # best fit: smallest adequate room first keeps big rooms for big workshops
            candidates = sorted(
                instance.options[key], key=lambda o: (capacity.get(o.location_id, 0), o.start)
            )
            choice = None
            if costs is None:
                choice = next((o for o in candidates if occupancy.fits(key, o)), None)
            else:
                cost_by_time: dict[tuple[int, int], float] = {}
                best = None
                for option in candidates:
                    span = (option.start, option.end)
                    if span not in cost_by_time:
                        cost_by_time[span] = costs.cost(occupancy, workshop_id, *span)
                    if best is not None and cost_by_time[span] >= best[0]:
                        continue
                    if occupancy.fits(key, option):
                        best = (cost_by_time[span], option)
                        if best[0] == 0:
                            break
                choice = best[1] if best else None
            if choice is not None:
                occupancy.place(key, choice)
    return normalise_run_order(instance, occupancy.placed)


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
