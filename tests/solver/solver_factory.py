"""Tiny problems for the solver tests: a day of hourly slots in a few rooms."""
from __future__ import annotations

from solver import Location, Problem, Slot, Workshop

# 2026-06-05 09:00 UTC in minutes since the epoch: a Friday morning
FRIDAY_9AM = 29_677_500
HOUR = 60


def room_grid(rooms: dict[int, int], slots_per_room: int, slot_minutes: int = HOUR,
              gap_minutes: int = 0, start: int = FRIDAY_9AM, equipment=None):
    """Locations with the given capacities and `slots_per_room` back-to-back slots each.
    Slot ids are location_id * 100 + position, so tests can name them."""
    locations = tuple(
        Location(room_id, capacity, tuple((equipment or {}).get(room_id, ())))
        for room_id, capacity in rooms.items()
    )
    slots = tuple(
        Slot(
            room_id * 100 + position,
            room_id,
            start + position * (slot_minutes + gap_minutes),
            start + position * (slot_minutes + gap_minutes) + slot_minutes,
        )
        for room_id in rooms
        for position in range(slots_per_room)
    )
    return locations, slots


def workshop(id: int, hosts=(1,), seats: int = 10, **fields) -> Workshop:
    return Workshop(id=id, host_ids=tuple(hosts), max_attendees=seats, title=f"W{id}", **fields)


def problem(workshops, rooms=None, slots_per_room: int = 4, equipment=None, **fields) -> Problem:
    locations, slots = room_grid(rooms or {1: 20}, slots_per_room, equipment=equipment)
    return Problem(slots=slots, locations=locations, workshops=tuple(workshops), **fields)


def busy_convention(seed: int, workshops: int = 40, rooms: int = 4, slots_per_room: int = 10,
                    attendees: int = 200) -> Problem:
    """A unit-talk convention with many interests: enough conflict weight that the search
    keeps improving for a while (used to test progress and cancellation)."""
    import random

    from solver import Interest

    rng = random.Random(seed)
    talks = [workshop(i, hosts=(100 + rng.randrange(workshops // 2),)) for i in range(1, workshops + 1)]
    interests = tuple(
        Interest(a, w, rank)
        for a in range(attendees)
        for rank, w in enumerate(rng.sample(range(1, workshops + 1), 5), start=1)
    )
    return problem(talks, rooms={r: 50 for r in range(1, rooms + 1)},
                   slots_per_room=slots_per_room, interests=interests)
