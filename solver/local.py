"""Local search in Python between CP-SAT neighbourhoods: move one run, or swap two.

Cheap and exact moves that CP-SAT neighbourhoods find slowly on big grids:

* insert: a run left out goes to its cheapest place that fits;
* move: a placed run goes to the cheapest place that fits, when that lowers the objective;
* eject: a run takes a cheaper place held by one other run, which moves to its own
  cheapest place that fits (the first run's old place included, so this covers swaps).

Every change is checked against the hard rules (slots, hosts, runs of one workshop,
pool equipment, prerequisite order) and its objective delta (attendee conflicts and
moves against the current schedule) is computed exactly, so the objective never rises.
"""
from __future__ import annotations

import random
import time
from collections import defaultdict

import numpy as np

from . import clock as work
from .clock import Clock, WallClock
from .domains import Option, RunKey
from .greedy import normalise_run_order, overlaps, prerequisites_hold
from .instance import Instance, Weights, move_penalty
from .objective import conflict_coefficient


class LocalSearch:
    def __init__(self, instance: Instance, weights: Weights, assignment: dict[RunKey, Option],
                 clock: Clock | None = None):
        self.instance = instance
        self.weights = weights
        # deadlines are read off this clock; every evaluation charges it its work
        self.clock = clock or WallClock()
        self.assign: dict[RunKey, Option] = {}
        # every run's place as arrays, and per workshop its partners' run indices with
        # the pair coefficient: conflict costs are a few numpy operations
        self.index = {key: number for number, key in enumerate(instance.runs)}
        self.starts = np.zeros(len(instance.runs), dtype=np.int64)
        self.ends = np.zeros(len(instance.runs), dtype=np.int64)
        self.placed = np.zeros(len(instance.runs), dtype=bool)
        self._no_partners = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        self._span_arrays: dict[RunKey, tuple[np.ndarray, np.ndarray]] = {}
        self.by_workshop: dict[int, dict[RunKey, Option]] = defaultdict(dict)
        self.slot_holder: dict[int, RunKey] = {}
        self.busy: dict[tuple[str, int], dict[RunKey, tuple[int, int]]] = defaultdict(dict)
        self.pool_use: dict[int, dict[RunKey, tuple[int, int, int]]] = defaultdict(dict)
        self._spans: dict[RunKey, dict[tuple[int, int], list[Option]]] = {}
        self._by_slots: dict[int, dict[tuple[int, ...], Option]] = {}
        # current starts not kept, per workshop and in all: the move term is a convex
        # function of the total (the move allowance), so deltas need the global count
        self._moved: dict[int, int] = {}
        self._moved_total = 0
        for workshop_id, starts in instance.current_starts.items():
            if workshop_id in instance.workshops:
                self._moved[workshop_id] = len(starts)
                self._moved_total += len(starts)
        for key, option in assignment.items():
            self._place(key, option)
        self._index_partners()

    def _index_partners(self) -> None:
        """Partners and coefficients for the runs placed now. Moves and swaps keep every
        workshop's placed-run count, so the coefficients hold until a run is inserted."""
        instance, weights = self.instance, self.weights
        placed_runs = {w: len(runs) for w, runs in self.by_workshop.items() if runs}
        self.partners: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if weights.conflict > 0:
            for a, b in instance.pair_weights:
                coefficient = conflict_coefficient(instance, weights, a, b,
                                                   placed_runs.get(a), placed_runs.get(b))
                self.partners[a].append((b, coefficient))
                self.partners[b].append((a, coefficient))
        runs_of: dict[int, list[int]] = defaultdict(list)
        for key, number in self.index.items():
            runs_of[key[0]].append(number)
        self.partner_index: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for workshop_id, partners in self.partners.items():
            numbers = [n for partner, _ in partners for n in runs_of[partner]]
            coefficients = [c for partner, c in partners for _ in runs_of[partner]]
            self.partner_index[workshop_id] = (np.asarray(numbers, dtype=np.int64),
                                               np.asarray(coefficients, dtype=np.int64))

    # -- state -------------------------------------------------------------------------

    def _resources(self, workshop_id: int) -> list[tuple[str, int]]:
        workshop = self.instance.workshops[workshop_id]
        return [("host", h) for h in workshop.host_ids] + [("workshop", workshop_id)]

    def _place(self, key: RunKey, option: Option) -> None:
        self.assign[key] = option
        number = self.index[key]
        self.starts[number], self.ends[number], self.placed[number] = option.start, option.end, True
        self.by_workshop[key[0]][key] = option
        for slot in option.slot_ids:
            self.slot_holder[slot] = key
        for resource in self._resources(key[0]):
            self.busy[resource][key] = (option.start, option.end)
        for item, quantity in option.pool_need:
            self.pool_use[item][key] = (option.start, option.end, quantity)
        self._recount_moves(key[0])

    def _remove(self, key: RunKey) -> Option:
        option = self.assign.pop(key)
        self.placed[self.index[key]] = False
        del self.by_workshop[key[0]][key]
        for slot in option.slot_ids:
            if self.slot_holder.get(slot) == key:
                del self.slot_holder[slot]
        for resource in self._resources(key[0]):
            self.busy[resource].pop(key, None)
        for item, _ in option.pool_need:
            self.pool_use[item].pop(key, None)
        self._recount_moves(key[0])
        return option

    def fits(self, key: RunKey, option: Option) -> bool:
        """Whether `key` may stand at `option` given every other placed run (`key` itself
        is expected to be removed first)."""
        self.clock.charge(work.SECONDS_PER_FIT_CHECK)
        if any(slot in self.slot_holder for slot in option.slot_ids):
            return False
        for resource in self._resources(key[0]):
            for s, e in self.busy[resource].values():
                if s < option.end and option.start < e:
                    return False
        pools = self.instance.problem.equipment_pools
        for item, quantity in option.pool_need:
            usage = [u for u in self.pool_use[item].values() if overlaps(u[0], u[1], option.start, option.end)]
            points = {option.start} | {u[0] for u in usage if u[0] > option.start}
            for point in points:
                if sum(q for s, e, q in usage if s <= point < e) + quantity > pools.get(item, 0):
                    return False
        affected = self.instance.prerequisite_affected(key[0])
        if affected:
            def runs_of(workshop_id: int) -> list[Option]:
                mine = list(self.by_workshop.get(workshop_id, {}).values())
                return mine + [option] if workshop_id == key[0] else mine

            if not all(prerequisites_hold(self.instance, runs_of, w) for w in affected):
                return False
        return True

    # -- costs -------------------------------------------------------------------------

    def _partner_runs(self, workshop_id: int, skip: RunKey | None = None):
        numbers, coefficients = self.partner_index.get(workshop_id, self._no_partners)
        mask = self.placed[numbers]
        if skip is not None and skip in self.index:
            mask &= numbers != self.index[skip]
        chosen = numbers[mask]
        return self.starts[chosen], self.ends[chosen], coefficients[mask]

    def _span_costs(self, key: RunKey, partner_runs) -> np.ndarray:
        """Conflict cost of each of `key`'s spans (in `_spans_of` order)."""
        cache_key = self._cache_key(key)
        if cache_key not in self._span_arrays:
            spans = list(self._spans_of(key))
            self._span_arrays[cache_key] = (np.asarray([a for a, _ in spans], dtype=np.int64)[:, None],
                                            np.asarray([b for _, b in spans], dtype=np.int64)[:, None])
        s, e = self._span_arrays[cache_key]
        p_start, p_end, p_coef = partner_runs
        self.clock.charge(work.SECONDS_PER_COST_CALL + work.SECONDS_PER_SPAN_CELL * len(s) * len(p_start))
        if not len(p_start) or not len(s):
            return np.zeros(len(s), dtype=np.int64)
        return ((s < p_end[None, :]) & (p_start[None, :] < e)).astype(np.int64) @ p_coef

    def _conflict(self, workshop_id: int, option: Option, skip=()) -> int:
        numbers, coefficients = self.partner_index.get(workshop_id, self._no_partners)
        if not len(numbers):
            return 0
        self.clock.charge(work.SECONDS_PER_COST_CALL + work.SECONDS_PER_SPAN_CELL * len(numbers))
        hidden = [self.index[k] for k in skip if k in self.assign]
        for number in hidden:
            self.placed[number] = False
        mask = self.placed[numbers] & (self.starts[numbers] < option.end) & (option.start < self.ends[numbers])
        for number in hidden:
            self.placed[number] = True
        return int(coefficients[mask].sum())

    def _count_moved(self, workshop_id: int) -> int:
        current = self.instance.current_starts.get(workshop_id)
        if not current:
            return 0
        held = {o.slot_ids[0] for o in self.by_workshop.get(workshop_id, {}).values()}
        return sum(1 for start in current if start not in held)

    def _recount_moves(self, workshop_id: int) -> None:
        if workshop_id in self._moved:
            count = self._count_moved(workshop_id)
            self._moved_total += count - self._moved[workshop_id]
            self._moved[workshop_id] = count

    def _moves_of(self, workshop_id: int) -> int:
        """The whole move term, with `workshop_id`'s runs as they stand in `by_workshop`
        now (possibly a trial place) and every other workshop's as last placed; 0 for a
        workshop without current starts. Compare values of the same workshop only."""
        if self.weights.move <= 0 or workshop_id not in self._moved:
            return 0  # (a workshop without current starts leaves the term as it is)
        moved = self._moved_total + self._count_moved(workshop_id) - self._moved[workshop_id]
        return move_penalty(self.instance, self.weights, moved)

    def _cache_key(self, key: RunKey):
        # unpinned runs hold their workshop's options, often the very tuple other
        # workshops of the same rooms, length and pool need share
        if key in self.instance.pinned:
            return key
        return id(self.instance.reports[key[0]].options)

    def _spans_of(self, key: RunKey) -> dict[tuple[int, int], list[Option]]:
        cache_key = self._cache_key(key)
        if cache_key not in self._spans:
            grouped: dict[tuple[int, int], list[Option]] = {}
            for option in self.instance.options[key]:
                grouped.setdefault((option.start, option.end), []).append(option)
            self._spans[cache_key] = grouped
        return self._spans[cache_key]

    def _option_at(self, key: RunKey, slot_ids: tuple[int, ...]) -> Option | None:
        workshop_id = key[0]
        # per shared options tuple, not per workshop: one dict for all FOSDEM talks of a length
        options = self.instance.reports[workshop_id].options
        if id(options) not in self._by_slots:
            self._by_slots[id(options)] = {o.slot_ids: o for o in options}
        return self._by_slots[id(options)].get(slot_ids)

    # -- steps -------------------------------------------------------------------------

    def _best_relocation(self, key: RunKey, base: int | None) -> tuple[int, Option] | None:
        """The cheapest place that fits for `key` (removed), if cheaper than `base`.
        Returns (cost, option); cost counts conflicts and moves."""
        workshop_id = key[0]
        spans = self._spans_of(key)
        span_list = list(spans)
        costs = self._span_costs(key, self._partner_runs(workshop_id))
        order = np.argsort(costs, kind="stable")
        moving = bool(self.instance.current_starts.get(workshop_id)) and self.weights.move > 0
        # a place can save at most one move (its start being a current start): a floor
        floor = max(0, self._moves_of(workshop_id) - self.weights.move) if moving else 0
        best: tuple[int, Option] | None = None
        for index in order:
            cost = int(costs[index])
            if base is not None and cost + floor >= base:
                break
            if best is not None and cost + floor >= best[0]:
                break
            for option in spans[span_list[index]]:
                if not self.fits(key, option):
                    continue
                total = cost
                if moving:
                    self.by_workshop[workshop_id][key] = option
                    total += self._moves_of(workshop_id)
                    del self.by_workshop[workshop_id][key]
                if (base is None or total < base) and (best is None or total < best[0]):
                    best = (total, option)
                if not moving:
                    break
        return best

    def try_insert(self, key: RunKey) -> bool:
        found = self._best_relocation(key, None)
        if found is None:
            return False
        self._place(key, found[1])
        return True

    def try_move(self, key: RunKey) -> int:
        """Move `key` to a cheaper place; returns the objective change (0: no move)."""
        workshop_id = key[0]
        option = self.assign[key]
        before = self._conflict(workshop_id, option) + self._moves_of(workshop_id)
        self._remove(key)
        found = self._best_relocation(key, before)
        if found is None:
            self._place(key, option)
            return 0
        self._place(key, found[1])
        return found[0] - before

    def _coefficient(self, a: int, b: int) -> int:
        return next((c for p, c in self.partners.get(a, ()) if p == b), 0)

    def _cost_of(self, keys: list[RunKey]) -> int:
        """The objective terms that depend on where `keys` stand: their conflicts with
        every other run and with each other, and their workshops' moves."""
        skip = set(keys)
        total = sum(self._conflict(k[0], self.assign[k], skip) for k in keys)
        for i, k1 in enumerate(keys):
            for k2 in keys[i + 1:]:
                a, b = self.assign[k1], self.assign[k2]
                if k1[0] != k2[0] and a.start < b.end and b.start < a.end:
                    total += self._coefficient(k1[0], k2[0])
        return total + (move_penalty(self.instance, self.weights, self._moved_total)
                        if self.weights.move > 0 else 0)

    def try_eject(self, key: RunKey, rng: random.Random, spans_tried: int = 4) -> int:
        """Take one of `key`'s cheaper places from the single run holding it, which then
        goes to its own cheapest place that fits (its old place included: a swap)."""
        workshop_id = key[0]
        option = self.assign[key]
        spans = self._spans_of(key)
        span_list = list(spans)
        costs = self._span_costs(key, self._partner_runs(workshop_id))
        here = self._conflict(workshop_id, option)
        cheaper = [span_list[i] for i in np.argsort(costs, kind="stable") if costs[i] < here]
        for span in cheaper[:spans_tried]:
            candidates = list(spans[span])
            rng.shuffle(candidates)
            for target in candidates[:3]:
                holders = {self.slot_holder[s] for s in target.slot_ids if s in self.slot_holder}
                if len(holders) != 1:
                    continue
                other = holders.pop()
                if other == key or other[0] == workshop_id or other in self.instance.pinned:
                    continue
                before = self._cost_of([key, other])
                theirs = self._remove(other)
                self._remove(key)
                if self.fits(key, target):
                    self._place(key, target)
                    found = self._best_relocation(other, None)
                    if found is not None:
                        self._place(other, found[1])
                        delta = self._cost_of([key, other]) - before
                        if delta < 0:
                            return delta
                        self._remove(other)
                    self._remove(key)
                self._place(key, option)
                self._place(other, theirs)
        return 0

    def run(self, deadline: float, rng: random.Random, should_stop=None) -> dict[RunKey, Option]:
        """Insert left-out runs, then move and swap until no step helps, time is up or
        `should_stop()` (polled every 0.2 s) says so."""
        instance = self.instance
        next_poll = [time.monotonic() + 0.2]

        def out_of_time() -> bool:
            if self.clock.now() >= deadline:
                return True
            if should_stop is not None and time.monotonic() >= next_poll[0]:
                next_poll[0] = time.monotonic() + 0.2
                return bool(should_stop())
            return False

        inserted = False
        for key in instance.runs:
            if out_of_time():
                break
            if key not in self.assign and key not in instance.pinned and instance.options[key]:
                inserted = self.try_insert(key) or inserted
        if inserted:
            self._index_partners()
        improved = True
        while improved and not out_of_time():
            improved = False
            keys = [k for k in self.assign if k not in instance.pinned]
            rng.shuffle(keys)
            for key in keys:
                if out_of_time():
                    break
                if key not in self.assign:
                    continue
                if self.try_move(key) < 0 or self.try_eject(key, rng) < 0:
                    improved = True
        return normalise_run_order(instance, self.assign)


    # -- annealing ---------------------------------------------------------------------

    def _random_step(self, key: RunKey, rng: random.Random, temperature: float) -> int | None:
        """One simulated-annealing step: `key` to a random place of its own (a move when
        the place is free, a swap when one run of the same length holds exactly it),
        accepted when it does not raise the objective or, if it does, with probability
        exp(-delta / temperature). Returns the change made, or None."""
        option = self.assign[key]
        target = rng.choice(self.instance.options[key])
        if target is option:
            return None
        holders = {self.slot_holder[s] for s in target.slot_ids if s in self.slot_holder}
        holders.discard(key)
        if not holders:
            before = self._cost_of([key])
            self._remove(key)
            if not self.fits(key, target):
                self._place(key, option)
                return None
            self._place(key, target)
            delta = self._cost_of([key]) - before
            if delta <= 0 or rng.random() < np.exp(-delta / temperature):
                return delta
            self._remove(key)
            self._place(key, option)
            return None
        if len(holders) != 1:
            return None
        other = holders.pop()
        if other[0] == key[0] or other in self.instance.pinned:
            return None
        theirs = self.assign[other]
        if theirs.slot_ids != target.slot_ids:
            return None
        back = self._option_at(other, option.slot_ids)
        if back is None:
            return None
        before = self._cost_of([key, other])
        self._remove(other)
        self._remove(key)
        if self.fits(key, target):
            self._place(key, target)
            if self.fits(other, back):
                self._place(other, back)
                delta = self._cost_of([key, other]) - before
                if delta <= 0 or rng.random() < np.exp(-delta / temperature):
                    return delta
                self._remove(other)
            self._remove(key)
        self._place(key, option)
        self._place(other, theirs)
        return None

    def anneal(self, deadline: float, rng: random.Random, should_stop=None,
               on_best=None, report_every: float = 1.0) -> dict[RunKey, Option]:
        """Simulated annealing over moves and swaps of placed runs (never unplacing one),
        cooling geometrically until `deadline`; returns the best schedule seen.
        `on_best(assignment)` receives the best so far at most every `report_every` s."""
        instance = self.instance
        keys = [k for k in self.assign if k not in instance.pinned and len(instance.options[k]) > 1]
        best = dict(self.assign)
        if not keys:
            return normalise_run_order(instance, best)
        # starting temperature: a fraction of the typical cost of a run's conflicts
        sample = [self._conflict(k[0], self.assign[k]) for k in rng.sample(keys, min(len(keys), 50))]
        scale = max(1.0, float(np.mean([c for c in sample if c] or [1.0])))
        # measured at M tight/mixed (20 s from the local optimum): starting at 0.03, 0.1,
        # 0.3, 1 and 3 times that scale ended at 285/235, 268/213 (30 s), 267/224,
        # 259/215 and 258/233 attendee conflicts; single runs, so 0.3 is a middle choice
        hot, cold = 0.3 * scale, 0.002 * scale
        # the temperature follows the clock (seconds, or counted work for reproducible runs);
        # reports go out by wall time, which changes nothing in the search
        started = self.clock.now()
        span = max(1e-3, deadline - started)
        value = best_value = reported_value = 0
        steps = 0
        temperature = hot
        next_report = time.monotonic() + report_every
        while True:
            if steps % 200 == 0:
                now = self.clock.now()
                if now >= deadline or (should_stop is not None and should_stop()):
                    break
                temperature = hot * (cold / hot) ** ((now - started) / span)
                wall = time.monotonic()
                if on_best is not None and wall >= next_report and best_value < reported_value:
                    on_best(normalise_run_order(instance, best))
                    reported_value, next_report = best_value, wall + report_every
            steps += 1
            self.clock.charge(work.SECONDS_PER_FIT_CHECK)
            delta = self._random_step(rng.choice(keys), rng, temperature)
            if delta is None:
                continue
            value += delta
            if value < best_value:
                best_value = value
                best = dict(self.assign)
        self.steps = steps
        return normalise_run_order(instance, best)


def local_search(instance: Instance, weights: Weights, assignment: dict[RunKey, Option],
                 deadline: float, seed: int = 0, should_stop=None,
                 clock: Clock | None = None) -> dict[RunKey, Option]:
    """Moves and swaps until a local optimum or `deadline` on `clock` (default: seconds
    from now)."""
    return LocalSearch(instance, weights, assignment, clock).run(deadline, random.Random(seed), should_stop)


def anneal(instance: Instance, weights: Weights, assignment: dict[RunKey, Option],
           deadline: float, seed: int = 0, should_stop=None, on_best=None,
           clock: Clock | None = None) -> dict[RunKey, Option]:
    return LocalSearch(instance, weights, assignment, clock).anneal(deadline, random.Random(seed), should_stop,
                                                                    on_best)
