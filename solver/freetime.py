"""Free-time lists for the first schedule: which places of a run are still open, for all of
its places at once.

The greedy used to walk a run's places one by one, asking each whether its slots and its
people were free; late in a FOSDEM-sized grid (870 talks, 35 rooms, 5-minute slots) that
was millions of Python checks. Here every slot of the convention sits in one array (by
room, then time), so "are the slots of this place free" is two look-ups in a running sum,
and "are its hosts free" a binary search in each host's sorted busy intervals, both with
numpy over every place of the run together. Pool equipment and the prerequisite order
are still checked in Python, only for the place about to be taken.
"""
from __future__ import annotations

from bisect import insort
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .domains import Option, slots_by_location
from .problem import Problem


@dataclass(frozen=True)
class Places:
    """A run's places in the greedy's preferred order (smallest adequate room, then
    earliest), as arrays: first slot position, one past the last, start, end, and the
    index of its time span in `spans` (for attendee-conflict costs)."""

    options: tuple[Option, ...]
    location: np.ndarray
    first: np.ndarray
    stop: np.ndarray
    start: np.ndarray
    end: np.ndarray
    span_of: np.ndarray
    spans: list[tuple[int, int]]


class FreeTime:
    """Taken slots and busy people of a partial schedule, queried for many places at once."""

    def __init__(self, problem: Problem, capacity: dict[int, int], pack_rooms: bool = False):
        self.capacity = capacity
        # False: among rooms of one size, the earliest start anywhere (spreads runs over
        # the rooms). True: fill one room before the next (first fit decreasing over
        # rooms), which leaves free time in few rooms rather than a sliver in each; for a
        # grid too small for every run
        self.pack_rooms = pack_rooms
        self.position: dict[int, int] = {}
        for slots in slots_by_location(problem).values():
            for slot in slots:
                self.position[slot.id] = len(self.position)
        self.taken = np.zeros(len(self.position), dtype=np.int64)
        self._running: np.ndarray | None = None
        self.busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        self._places: dict[int, tuple[Sequence[Option], Places]] = {}

    def places(self, options: Sequence[Option]) -> Places:
        """Arrays for `options`; shared option tuples share one `Places`."""
        cached = self._places.get(id(options))
        if cached is not None and cached[0] is options:
            return cached[1]
        if self.pack_rooms:
            ordered = sorted(options, key=lambda o: (self.capacity.get(o.location_id, 0), o.location_id, o.start))
        else:
            ordered = sorted(options, key=lambda o: (self.capacity.get(o.location_id, 0), o.start))
        first = np.fromiter((self.position[o.slot_ids[0]] for o in ordered), dtype=np.int64, count=len(ordered))
        length = np.fromiter((len(o.slot_ids) for o in ordered), dtype=np.int64, count=len(ordered))
        start = np.fromiter((o.start for o in ordered), dtype=np.int64, count=len(ordered))
        end = np.fromiter((o.end for o in ordered), dtype=np.int64, count=len(ordered))
        location = np.fromiter((o.location_id for o in ordered), dtype=np.int64, count=len(ordered))
        if len(ordered):
            pairs = np.stack([start, end], axis=1)
            unique, span_of = np.unique(pairs, axis=0, return_inverse=True)
            spans = [(int(a), int(b)) for a, b in unique]
        else:
            span_of, spans = np.zeros(0, dtype=np.int64), []
        places = Places(tuple(ordered), location, first, first + length, start, end, np.asarray(span_of).reshape(-1), spans)
        self._places[id(options)] = (options, places)
        return places

    def open_places(self, places: Places, resources) -> np.ndarray:
        """Mask of the places whose slots are all free and whose people are all free."""
        if self._running is None:
            self._running = np.concatenate(([0], np.cumsum(self.taken)))
        mask = self._running[places.stop] == self._running[places.first]
        for resource in resources:
            intervals = self.busy.get(resource)
            if not intervals:
                continue
            busy_start = np.fromiter((s for s, _ in intervals), dtype=np.int64, count=len(intervals))
            busy_end = np.fromiter((e for _, e in intervals), dtype=np.int64, count=len(intervals))
            # the first busy interval ending after the place starts is the only one that
            # can overlap it (intervals of one person never overlap each other)
            after = np.searchsorted(busy_end, places.start, side="right")
            clipped = np.minimum(after, len(intervals) - 1)
            mask &= ~((after < len(intervals)) & (busy_start[clipped] < places.end))
        return mask

    def take(self, option: Option, resources) -> None:
        for slot in option.slot_ids:
            self.taken[self.position[slot]] = 1
        self._running = None
        for resource in resources:
            insort(self.busy[resource], (option.start, option.end))
