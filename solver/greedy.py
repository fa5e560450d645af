"""First-fit greedy: the model's complete hint, the always-valid fallback, and the
benchmark baseline.

Order: pinned runs, then higher priority (a teacher counts with the highest priority of
its learners), teachers before learners, fewest possible start times (in steps of 8, up
to 40), longest runs, busiest hosts, fewest candidate rooms. The conflict-aware variant picks, among the
feasible starts of a run, the one adding the least attendee-conflict weight.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .domains import Option, RunKey
from .freetime import FreeTime, Places
from .instance import Instance
from .objective import MINUTES_PER_DAY


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

    def resources(self, workshop_id: int) -> list[tuple[str, int]]:
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
                for resource in self.resources(key[0])
            ) and (not option.pool_need or self._pool_fits(option))
            self._span_answers[span_key] = free
        if not free:
            return False
        return not check_prerequisites or self._prerequisites_hold(key, option)

    def needs_python_check(self, key: RunKey) -> bool:
        """Whether a place with free slots and free people may still break a rule (pool
        equipment, prerequisite order) for this run."""
        return bool(self.instance.problem.equipment_pools or self.instance.prerequisite_affected(key[0]))

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
        for resource in self.resources(key[0]):
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
    # (distinct starts, distinct rooms) per options tuple: workshops of one shape share it
    shape: dict[int, tuple[int, int]] = {}

    def counts(options) -> tuple[int, int]:
        if id(options) not in shape:
            shape[id(options)] = (len({o.start for o in options}), len({o.location_id for o in options}))
        return shape[id(options)]

    def key(workshop_id: int):
        workshop = instance.workshops[workshop_id]
        report = instance.reports[workshop_id]
        teaches_needed = any(c in required for c in workshop.teaches_ids)
        # most constrained first: few distinct start times per run (sparse host windows)
        # go before flexible workshops; coarse steps so length and hosts still count.
        # Measured at L tight: 845 -> 853 of 854 runs placed (seed 1), 825 -> 837 of 837 (seed 2)
        starts = counts(report.options)[0] // max(1, workshop.runs)
        return (
            -priority[workshop_id],
            not teaches_needed,
            min(starts, 40) // 8,
            -workshop.duration_slots,
            -max((host_load[h] for h in workshop.host_ids), default=0),
            counts(report.options)[1],
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


def greedy_schedule(instance: Instance, conflict_aware: bool = True,
                    deferred: frozenset[int] = frozenset(),
                    keep_track_rooms: bool = True, pack_rooms: bool = False) -> dict[RunKey, Option]:
    """First fit over free-time lists (see `freetime`). `deferred` workshops go last,
    whatever their rank: when the grid cannot hold everything, the capacity bound names
    the runs to leave out (`capacity.expendable`), and placing the others first packs
    them without the gaps a late long talk cannot use."""
    occupancy = Occupancy(instance)
    free = FreeTime(instance.problem, instance.location_capacity, pack_rooms=pack_rooms or bool(deferred))
    costs = ConflictCost(instance) if conflict_aware else None
    # (track, day) -> rooms holding it, so that a track's next run joins them
    track_rooms: dict[tuple[int, int], set[int]] | None = defaultdict(set) if keep_track_rooms else None

    def take(key: RunKey, option: Option) -> None:
        occupancy.place(key, option)
        free.take(option, occupancy.resources(key[0]))
        if costs is not None:
            costs.record(key[0], option)
        track = instance.workshops[key[0]].track
        if track_rooms is not None and track is not None:
            track_rooms[(track, option.start // MINUTES_PER_DAY)].add(option.location_id)

    for key, option in instance.pinned.items():
        take(key, option)
    # a re-solve starts by keeping whatever of the current schedule still fits
    for key, option in sorted(instance.current_options.items()):
        if occupancy.fits(key, option):
            take(key, option)
    order = workshop_order(instance)
    order = [w for w in order if w not in deferred] + [w for w in order if w in deferred]
    for workshop_id in order:
        places = free.places(instance.reports[workshop_id].options)
        for index in instance.unpinned_run_indices(workshop_id):
            key = (workshop_id, index)
            if key in occupancy.placed:
                continue
            track = instance.workshops[workshop_id].track
            held = None
            if track_rooms is not None and track is not None:
                held = {(room, day) for (t, day), rooms in track_rooms.items() if t == track for room in rooms}
            choice = _first_fit(occupancy, free, costs, key, places, held)
            if choice is not None:
                take(key, choice)
    return normalise_run_order(instance, occupancy.placed)


def _first_fit(occupancy: Occupancy, free: FreeTime, costs: "ConflictCost | None", key: RunKey,
               places: Places, track_held: set[tuple[int, int]] | None = None) -> Option | None:
    """The open place adding the least conflict weight (attendees, tracks), then in a room
    its track already holds that day, then the smallest room, then the earliest; pool
    equipment and prerequisite order checked for that one only."""
    open_mask = free.open_places(places, occupancy.resources(key[0]))
    candidates = np.flatnonzero(open_mask)
    if len(candidates) == 0:
        return None
    if track_held:
        held = np.fromiter((room * 100_000 + day for room, day in track_held), dtype=np.int64)
        at = places.location[candidates] * 100_000 + places.start[candidates] // MINUTES_PER_DAY
        candidates = candidates[np.argsort(~np.isin(at, held), kind="stable")]
    if costs is not None and costs.penalties.get(key[0]):
        span_cost = np.asarray(list(costs.costs(key[0], places.spans).values()))
        candidates = candidates[np.argsort(span_cost[places.span_of[candidates]], kind="stable")]
    needs_check = occupancy.needs_python_check(key)
    for index in candidates:
        option = places.options[index]
        if not needs_check or occupancy.fits(key, option):
            return option
    return None


def normalise_run_order(instance: Instance, placed: dict[RunKey, Option]) -> dict[RunKey, Option]:
    """Give placed unpinned runs the lowest free indices in time order (the model's
    symmetry breaking expects exactly this shape)."""
    result = {key: option for key, option in placed.items() if key in instance.pinned}
    by_workshop: dict[int, list[Option]] = defaultdict(list)
    for key, option in placed.items():
        if key not in instance.pinned:
            by_workshop[key[0]].append(option)
    for workshop_id in instance.workshops:
        chosen = sorted(by_workshop.get(workshop_id, ()), key=lambda o: o.start)
        free_indices = instance.unpinned_run_indices(workshop_id)
        for index, option in zip(free_indices, chosen):
            result[(workshop_id, index)] = option
    return result
