"""The independent checker: does a (partial) schedule break a hard rule?

Shares no code with the model or the greedy on purpose; consecutiveness, time overlaps,
availability and equipment are all re-derived here from the plain problem, so a bug in
one cannot hide behind the same bug in the other. Leaving a workshop out is never a
violation: a partial schedule is valid.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .problem import Placement, Problem, Solution


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    workshop_id: int | None = None
    run_index: int | None = None
    slot_ids: tuple[int, ...] = ()




class _Checker:
    def __init__(self, problem: Problem, placements: list[Placement]):
        self.problem = problem
        self.placements = placements
        self.slots = {s.id: s for s in problem.slots}
        self.locations = {loc.id: loc for loc in problem.locations}
        self.workshops = {w.id: w for w in problem.workshops}
        self.found: list[Violation] = []
        # placement index -> (location, start, end), only for well-formed placements
        self.spans: dict[int, tuple[int, int, int]] = {}
        self._room_orders: dict[int, dict[int, int]] | None = None

    def clock(self, minutes: int) -> str:
        return self.problem.clock(minutes, with_date=True)

    def report(self, code: str, message: str, placement: Placement | None = None) -> None:
        if placement is None:
            self.found.append(Violation(code, message))
        else:
            self.found.append(
                Violation(code, message, placement.workshop_id, placement.run_index, placement.slot_ids)
            )

    def name(self, placement: Placement) -> str:
        workshop = self.workshops.get(placement.workshop_id)
        title = f"'{workshop.title}'" if workshop and workshop.title else f"workshop #{placement.workshop_id}"
        return f"{title} run {placement.run_index + 1}"

    # -- shape of each placement ------------------------------------------------------

    def check_shapes(self) -> None:
        seen_runs = set()
        for index, placement in enumerate(self.placements):
            workshop = self.workshops.get(placement.workshop_id)
            if workshop is None:
                self.report("unknown_workshop", f"workshop #{placement.workshop_id} does not exist", placement)
                continue
            if not 0 <= placement.run_index < workshop.runs or (placement.workshop_id, placement.run_index) in seen_runs:
                self.report(
                    "unknown_run",
                    f"{self.name(placement)} is not a distinct run ({workshop.runs} run(s) planned)",
                    placement,
                )
                continue
            seen_runs.add((placement.workshop_id, placement.run_index))
            missing = [s for s in placement.slot_ids if s not in self.slots]
            if missing or not placement.slot_ids:
                self.report("unknown_slot", f"{self.name(placement)} uses unknown slot(s) {missing}", placement)
                continue
            if len(placement.slot_ids) != workshop.duration_slots:
                self.report(
                    "wrong_duration",
                    f"{self.name(placement)} takes {len(placement.slot_ids)} slot(s) but lasts "
                    f"{workshop.duration_slots}",
                    placement,
                )
            if self.check_consecutive(placement):
                slots = sorted((self.slots[s] for s in placement.slot_ids), key=lambda s: s.start)
                self.spans[index] = (slots[0].location_id, slots[0].start, slots[-1].end)

    def room_order(self, location_id: int) -> dict[int, int]:
        """Slot id -> its position in the room's day, built once per room (not once per placement)."""
        if self._room_orders is None:
            by_room: dict[int, list] = {}
            for slot in self.problem.slots:
                by_room.setdefault(slot.location_id, []).append(slot)
            self._room_orders = {
                room: {slot.id: position for position, slot in enumerate(sorted(
                    room_slots, key=lambda s: (s.start, s.end, s.id)))}
                for room, room_slots in by_room.items()
            }
        return self._room_orders[location_id]

    def check_consecutive(self, placement: Placement) -> bool:
        slots = sorted((self.slots[s] for s in placement.slot_ids), key=lambda s: s.start)
        rooms = {s.location_id for s in slots}
        if len(rooms) > 1:
            self.report("not_consecutive", f"{self.name(placement)} spreads over several locations", placement)
            return False
        order = self.room_order(slots[0].location_id)
        positions = [order[s.id] for s in slots]
        gap = self.problem.consecutive_gap_minutes
        for (before, after), (p, q) in zip(zip(slots, slots[1:]), zip(positions, positions[1:])):
            pause = after.start - before.end
            if q != p + 1 or pause < 0 or pause > gap:
                self.report(
                    "not_consecutive",
                    f"{self.name(placement)}: slots at {self.clock(before.start)} and "
                    f"{self.clock(after.start)} are not consecutive (gap {pause} min, at most {gap})",
                    placement,
                )
                return False
        return True

    # -- rules on single placements ---------------------------------------------------

    def check_rooms(self) -> None:
        for index, (room_id, start, end) in self.spans.items():
            placement = self.placements[index]
            workshop = self.workshops[placement.workshop_id]
            room = self.locations.get(room_id)
            label = self.problem.location_label(room_id)
            if room is None:
                self.report("unknown_location", f"{label} does not exist", placement)
                continue
            if room.capacity < workshop.max_attendees:
                self.report(
                    "room_too_small",
                    f"{label} seats {room.capacity}, {self.name(placement)} needs {workshop.max_attendees}",
                    placement,
                )
            if workshop.allowed_location_ids and room_id not in workshop.allowed_location_ids:
                self.report("location_not_allowed", f"{self.name(placement)} may not use {label}", placement)

    def check_availability(self) -> None:
        for index, (_, start, end) in self.spans.items():
            placement = self.placements[index]
            for host in self.workshops[placement.workshop_id].host_ids:
                windows = self.problem.availability.get(host)
                if windows is None:
                    continue
                if not _inside_union(windows, start, end):
                    self.report(
                        "host_unavailable",
                        f"{self.problem.host_label(host)} is not available {self.clock(start)} - "
                        f"{self.clock(end)} for {self.name(placement)}",
                        placement,
                    )

    # -- rules between placements -----------------------------------------------------

    def check_slot_sharing(self) -> None:
        holders = defaultdict(list)
        for placement in self.placements:
            for slot in placement.slot_ids:
                holders[slot].append(placement)
        for slot, sharing in holders.items():
            for later in sharing[1:]:
                self.report(
                    "slot_taken",
                    f"slot {slot} ({self.problem.location_label(self.slots[slot].location_id)}, "
                    f"{self.clock(self.slots[slot].start)}) is taken by {self.name(sharing[0])}, "
                    f"so {self.name(later)} cannot use it" if slot in self.slots else
                    f"slot {slot} is used twice",
                    later,
                )

    def check_overlaps(self) -> None:
        items = sorted(self.spans.items(), key=lambda kv: kv[1][1])
        for i, (a_index, (_, a_start, a_end)) in enumerate(items):
            a = self.placements[a_index]
            a_hosts = set(self.workshops[a.workshop_id].host_ids)
            for b_index, (_, b_start, b_end) in items[i + 1 :]:
                if b_start >= a_end:
                    break
                b = self.placements[b_index]
                if a.workshop_id == b.workshop_id:
                    self.report("runs_overlap", f"{self.name(a)} and {self.name(b)} overlap in time", b)
                for host in sorted(a_hosts & set(self.workshops[b.workshop_id].host_ids)):
                    self.report(
                        "host_double_booked",
                        f"{self.problem.host_label(host)} would be at {self.name(a)} and "
                        f"{self.name(b)} at once ({self.clock(b_start)})",
                        b,
                    )

    def check_equipment(self) -> None:
        pools = self.problem.equipment_pools
        borrowing = defaultdict(list)  # item -> (start, end, quantity from pool, placement)
        for index, (room_id, start, end) in self.spans.items():
            placement = self.placements[index]
            room = self.locations.get(room_id)
            fixed = dict(room.equipment) if room else {}
            for item, quantity in self.workshops[placement.workshop_id].equipment:
                from_pool = max(0, quantity - fixed.get(item, 0))
                if from_pool:
                    borrowing[item].append((start, end, from_pool, placement))
        for item, uses in borrowing.items():
            for moment, _, _, placement in uses:
                in_use = sum(q for s, e, q, _ in uses if s <= moment < e)
                if in_use > pools.get(item, 0):
                    self.report(
                        "equipment_short",
                        f"{in_use} {self.problem.equipment_label(item)} needed from the pool at "
                        f"{self.clock(moment)}, the pool holds {pools.get(item, 0)}",
                        placement,
                    )

    def check_prerequisites(self) -> None:
        first_start: dict[int, int] = {}
        first_placement: dict[int, Placement] = {}
        ends: dict[int, list[int]] = defaultdict(list)
        for index, (_, start, end) in self.spans.items():
            placement = self.placements[index]
            ends[placement.workshop_id].append(end)
            if placement.workshop_id not in first_start or start < first_start[placement.workshop_id]:
                first_start[placement.workshop_id] = start
                first_placement[placement.workshop_id] = placement
        for learner_id, start in first_start.items():
            learner = self.workshops[learner_id]
            for capability in learner.prerequisite_ids:
                teachers = [
                    w.id for w in self.problem.workshops
                    if capability in w.teaches_ids and w.id != learner_id and ends.get(w.id)
                ]
                if teachers and not any(e <= start for t in teachers for e in ends[t]):
                    self.report(
                        "prerequisite_order",
                        f"{self.name(first_placement[learner_id])} needs "
                        f"{self.problem.capability_label(capability)}, but no run of "
                        f"{', '.join(self.problem.workshop_label(t) for t in teachers)} "
                        f"ends before it starts",
                        first_placement[learner_id],
                    )

    def check_pins(self) -> None:
        given = {(p.workshop_id, p.run_index): tuple(p.slot_ids) for p in self.placements}
        for pin in self.problem.pinned:
            if given.get((pin.workshop_id, pin.run_index)) != tuple(pin.slot_ids):
                self.report(
                    "pin_moved",
                    f"{self.name(pin)} is pinned to slot(s) {list(pin.slot_ids)}",
                    pin,
                )


def _inside_union(windows, start: int, end: int) -> bool:
    """True when [start, end) lies inside the union of the windows."""
    cursor = start
    for window_start, window_end in sorted(windows):
        if window_start <= cursor < window_end:
            cursor = window_end
            if cursor >= end:
                return True
    return cursor >= end


def violations(problem: Problem, solution_or_assignments: Solution | Iterable[Placement]) -> list[Violation]:
    if isinstance(solution_or_assignments, Solution):
        placements = list(solution_or_assignments.assignments)
    else:
        placements = list(solution_or_assignments)
    checker = _Checker(problem, placements)
    checker.check_shapes()
    checker.check_slot_sharing()
    checker.check_rooms()
    checker.check_availability()
    checker.check_overlaps()
    checker.check_equipment()
    checker.check_prerequisites()
    checker.check_pins()
    return checker.found
