"""Where each workshop run could ever go, before any competition with other workshops.

Filtering here is what keeps the model small: a start slot survives only when its room
is allowed and seats enough, the room's fixed equipment plus the whole pool could cover
the needs, the next `duration_slots` slots of that room are consecutive, and every host's
availability covers the whole run. The stage counts are kept so `explain` can say which
filter emptied a workshop's domain.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from .problem import Location, Problem, Slot, Workshop

RunKey = tuple[int, int]  # (workshop_id, run_index)


class Option(NamedTuple):
    """One way to hold one run: consecutive slots of one location. A named tuple rather
    than a dataclass: a FOSDEM-sized grid builds a hundred thousand of them, and a tuple
    is made several times faster."""

    slot_ids: tuple[int, ...]
    location_id: int
    start: int
    end: int
    pool_need: tuple[tuple[int, int], ...]  # equipment taken from the convention pool


@dataclass(frozen=True)
class DomainReport:
    """What survived each static filter for one workshop (used by explanations)."""

    allowed_location_ids: tuple[int, ...]
    seating_location_ids: tuple[int, ...]
    equipped_location_ids: tuple[int, ...]
    consecutive_options: tuple[Option, ...]
    options: tuple[Option, ...]  # also inside every host's availability


def slots_by_location(problem: Problem) -> dict[int, list[Slot]]:
    grouped: dict[int, list[Slot]] = defaultdict(list)
    for slot in problem.slots:
        grouped[slot.location_id].append(slot)
    for slots in grouped.values():
        slots.sort(key=lambda s: (s.start, s.end, s.id))
    return grouped


def window_firsts(slots: list[Slot], length: int, gap_minutes: int) -> list[int]:
    """The positions where a run of `length` slots may begin, in time order: each slot of
    it starts within the gap after the previous one ends."""
    if length < 1 or len(slots) < length:
        return []
    # breaks_before[i]: how many adjacent pairs among slots[0..i] are not consecutive
    breaks_before = [0]
    for prev, nxt in zip(slots, slots[1:]):
        joined = 0 <= nxt.start - prev.end <= gap_minutes
        breaks_before.append(breaks_before[-1] + (0 if joined else 1))
    return [
        first for first in range(len(slots) - length + 1)
        if breaks_before[first + length - 1] == breaks_before[first]
    ]


def merged_windows(windows) -> list[tuple[int, int]]:
    """Union of availability windows; touching windows merge so a run may span them."""
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def host_is_available(availability: dict, host_id: int, start: int, end: int) -> bool:
    windows = availability.get(host_id)
    if windows is None:
        return True  # a host who gave no windows is always available
    return any(a <= start and end <= b for a, b in windows)


def pool_need(workshop: Workshop, location: Location) -> tuple[tuple[int, int], ...]:
    fixed = dict(location.equipment)
    needs = []
    for item, quantity in workshop.equipment:
        missing = quantity - min(quantity, fixed.get(item, 0))
        if missing > 0:
            needs.append((item, missing))
    return tuple(needs)


def pool_could_cover(problem: Problem, needs) -> bool:
    return all(qty <= problem.equipment_pools.get(item, 0) for item, qty in needs)


def option_for_slots(problem: Problem, workshop: Workshop, slots: tuple[Slot, ...]) -> Option:
    location = {loc.id: loc for loc in problem.locations}.get(slots[0].location_id)
    needs = pool_need(workshop, location) if location else tuple(workshop.equipment)
    return Option(
        slot_ids=tuple(s.id for s in slots),
        location_id=slots[0].location_id,
        start=slots[0].start,
        end=slots[-1].end,
        pool_need=needs,
    )


class DomainBuilder:
    """Computes static domains once per problem; cheap to query per workshop."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.locations = {loc.id: loc for loc in problem.locations}
        self.slots = {slot.id: slot for slot in problem.slots}
        self.by_location = slots_by_location(problem)
        self.availability = {
            host: merged_windows(windows) for host, windows in problem.availability.items()
        }
        self._windows_cache: dict[tuple[int, int], list[int]] = {}
        self._option_cache: dict[tuple, list[Option]] = {}
        # workshops with the same rooms, length and equipment share one tuple of places:
        # a FOSDEM-sized grid has millions of (run, place) pairs but only a few such tuples
        self._consecutive_cache: dict[tuple, tuple[Option, ...]] = {}

    def window_options(self, location_id: int, length: int, needs) -> list[Option]:
        """Options shared by every workshop of that length and pool need (saves memory)."""
        key = (location_id, length, needs)
        if key not in self._option_cache:
            slots = self.by_location.get(location_id, [])
            ids = [slot.id for slot in slots]
            self._option_cache[key] = [
                Option(
                    slot_ids=tuple(ids[first : first + length]),
                    location_id=location_id,
                    start=slots[first].start,
                    end=slots[first + length - 1].end,
                    pool_need=needs,
                )
                for first in self._firsts(location_id, length)
            ]
        return self._option_cache[key]

    def _firsts(self, location_id: int, length: int) -> list[int]:
        key = (location_id, length)
        if key not in self._windows_cache:
            self._windows_cache[key] = window_firsts(
                self.by_location.get(location_id, []), length, self.problem.consecutive_gap_minutes
            )
        return self._windows_cache[key]

    def report(self, workshop: Workshop) -> DomainReport:
        if workshop.allowed_location_ids:
            allowed = [i for i in workshop.allowed_location_ids if i in self.locations]
        else:
            allowed = [loc.id for loc in self.problem.locations]
        seating = [i for i in allowed if self.locations[i].capacity >= workshop.max_attendees]
        equipped = [
            i
            for i in seating
            if pool_could_cover(self.problem, pool_need(workshop, self.locations[i]))
        ]
        shape = (tuple(equipped), workshop.duration_slots, workshop.equipment)
        consecutive = self._consecutive_cache.get(shape)
        if consecutive is None:
            gathered: list[Option] = []
            for location_id in equipped:
                needs = pool_need(workshop, self.locations[location_id])
                gathered.extend(self.window_options(location_id, workshop.duration_slots, needs))
            consecutive = self._consecutive_cache[shape] = tuple(gathered)
        limited_hosts = [h for h in workshop.host_ids if h in self.availability]
        if limited_hosts:
            available = [
                option
                for option in consecutive
                if all(
                    host_is_available(self.availability, host, option.start, option.end)
                    for host in limited_hosts
                )
            ]
        else:
            available = consecutive
        return DomainReport(
            allowed_location_ids=tuple(allowed),
            seating_location_ids=tuple(seating),
            equipped_location_ids=tuple(equipped),
            consecutive_options=tuple(consecutive),
            options=tuple(available),
        )

    def pinned_option(self, workshop: Workshop, slot_ids: tuple[int, ...]) -> Option | None:
        slots = tuple(self.slots[i] for i in slot_ids if i in self.slots)
        if not slots or len(slots) != len(slot_ids):
            return None
        return option_for_slots(self.problem, workshop, slots)
