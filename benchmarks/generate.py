"""Reproducible benchmark conventions for the solver, by size, family and seed.

Every instance is generated around a *planted* schedule: runs are first laid out on the
room/slot grid, and hosts, availability, equipment pools and prerequisites are then derived
so that the planted schedule satisfies every hard rule. So each run is placeable, and a
solver that leaves one out is at fault.

Families:
  unit   unit-length talks (30-minute slots, like PyCon): interests drive the quality
  mixed  1-3 slot runs, repeated runs, equipment with pools, prerequisites, track rooms
  tight  like mixed, but more than 90% of room-slots used and hosts available only in
         the half-days of their planted runs

    python benchmarks/generate.py --size M --family mixed --seed 1 > m-mixed-1.json
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver import (  # noqa: E402  (after the path tweak that lets this run as a script)
    Interest,
    Location,
    Names,
    Placement,
    Problem,
    Slot,
    Workshop,
    problem_to_json,
)

FIRST_DAY = 29_677_500 - 9 * 60  # 2026-06-05 00:00 UTC in epoch minutes
DAY_START_HOUR = 9


@dataclass(frozen=True)
class Size:
    runs: int
    rooms: int
    days: int
    slots_per_day: int
    attendees: int
    interests_per_attendee: int


SIZES = {
    "S": Size(runs=50, rooms=5, days=2, slots_per_day=8, attendees=300, interests_per_attendee=5),
    "M": Size(runs=200, rooms=16, days=3, slots_per_day=10, attendees=2000, interests_per_attendee=5),
    "L": Size(runs=900, rooms=40, days=4, slots_per_day=12, attendees=5000, interests_per_attendee=5),
}
FAMILIES = ("unit", "mixed", "tight")
CAPACITIES = [(30, 5), (50, 4), (80, 3), (120, 2), (250, 1)]  # (seats, relative frequency)
EQUIPMENT = {1: "projector", 2: "kitchen kit", 3: "3D printer"}


@dataclass
class Block:
    """One planted run: `length` consecutive slots of a room on a day."""

    room: int
    day: int
    first: int
    length: int


class Grid:
    def __init__(self, rooms: int, days: int, slots_per_day: int, slot_minutes: int, gap_minutes: int):
        self.rooms, self.days, self.slots_per_day = rooms, days, slots_per_day
        self.slot_minutes, self.gap_minutes = slot_minutes, gap_minutes
        self.taken: set[tuple[int, int, int]] = set()

    def slot_id(self, room: int, day: int, position: int) -> int:
        return (room * self.days + day) * self.slots_per_day + position + 1

    def start(self, day: int, position: int) -> int:
        return FIRST_DAY + day * 1440 + DAY_START_HOUR * 60 + position * (self.slot_minutes + self.gap_minutes)

    def span(self, block: Block) -> tuple[int, int]:
        return (
            self.start(block.day, block.first),
            self.start(block.day, block.first + block.length - 1) + self.slot_minutes,
        )

    def free(self, block: Block) -> bool:
        return block.first + block.length <= self.slots_per_day and all(
            (block.room, block.day, block.first + i) not in self.taken for i in range(block.length)
        )

    def take(self, block: Block) -> None:
        for i in range(block.length):
            self.taken.add((block.room, block.day, block.first + i))

    def slots(self) -> tuple[Slot, ...]:
        return tuple(
            Slot(self.slot_id(r, d, p), r + 1, self.start(d, p), self.start(d, p) + self.slot_minutes)
            for r in range(self.rooms)
            for d in range(self.days)
            for p in range(self.slots_per_day)
        )


def _duration(rng: random.Random, family: str) -> int:
    if family == "unit":
        return 1
    return rng.choices([1, 2, 3], weights=[5, 3, 2])[0]


def _plant_scattered(rng: random.Random, grid: Grid, family: str, runs: int) -> list[Block]:
    blocks = []
    attempts = 0
    while len(blocks) < runs and attempts < runs * 200:
        attempts += 1
        block = Block(rng.randrange(grid.rooms), rng.randrange(grid.days),
                      rng.randrange(grid.slots_per_day), _duration(rng, family))
        if grid.free(block):
            grid.take(block)
            blocks.append(block)
    return blocks


def _plant_packed(rng: random.Random, grid: Grid, family: str, fill: float) -> list[Block]:
    """Fill every room-day left to right, then drop blocks until about `fill` is used."""
    blocks = []
    for room in range(grid.rooms):
        for day in range(grid.days):
            position = 0
            while position < grid.slots_per_day:
                length = min(_duration(rng, family), grid.slots_per_day - position)
                blocks.append(Block(room, day, position, length))
                position += length
    total = grid.rooms * grid.days * grid.slots_per_day
    rng.shuffle(blocks)
    used = total
    kept = []
    for block in blocks:
        if used - block.length >= fill * total and rng.random() < 0.5:
            used -= block.length
        else:
            kept.append(block)
    for block in kept:
        grid.take(block)
    return kept


def _group_runs(rng: random.Random, grid: Grid, blocks: list[Block], family: str) -> list[list[Block]]:
    """Most workshops run once; in mixed/tight about one in six runs twice (same length,
    different times)."""
    rng.shuffle(blocks)
    groups: list[list[Block]] = []
    waiting: dict[int, Block] = {}
    for block in blocks:
        partner = waiting.get(block.length)
        if family != "unit" and partner is not None:
            a, b = grid.span(partner), grid.span(block)
            if a[1] <= b[0] or b[1] <= a[0]:
                groups.append(sorted([partner, block], key=lambda x: grid.span(x)))
                del waiting[block.length]
                continue
        if family != "unit" and rng.random() < 0.2 and block.length not in waiting:
            waiting[block.length] = block
        else:
            groups.append([block])
    groups.extend([b] for b in waiting.values())
    return groups


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _assign_hosts(rng: random.Random, grid: Grid, groups: list[list[Block]]) -> list[tuple[int, ...]]:
    """Hosts free at every planted run; about 40% of hosts give two or more workshops."""
    busy: dict[int, list[tuple[int, int]]] = {}
    next_host = 1
    result = []
    for group in groups:
        spans = [grid.span(b) for b in group]

        def free(host: int) -> bool:
            return not any(_overlaps(s, t) for s in spans for t in busy[host])

        hosts = []
        wanted = 2 if rng.random() < 0.15 else 1
        candidates = rng.sample(sorted(busy), min(len(busy), 6))
        for host in candidates:
            if len(hosts) < wanted and rng.random() < 0.6 and free(host):
                hosts.append(host)
        while len(hosts) < wanted:
            busy[next_host] = []
            hosts.append(next_host)
            next_host += 1
        for host in hosts:
            busy[host].extend(spans)
        result.append(tuple(hosts))
    return result


def generate(size_name: str, family: str, seed: int) -> Problem:
    return generate_with_plan(size_name, family, seed)[0]


def generate_with_plan(size_name: str, family: str, seed: int) -> tuple[Problem, tuple[Placement, ...]]:
    """The problem and the planted schedule it was built around (valid by construction)."""
    if family not in FAMILIES or size_name not in SIZES:
        raise ValueError(f"unknown size {size_name!r} or family {family!r}")
    rng = random.Random(f"{size_name}-{family}-{seed}")
    size = SIZES[size_name]
    if family == "unit":
        grid = Grid(size.rooms, size.days, size.slots_per_day, slot_minutes=30, gap_minutes=0)
        blocks = _plant_scattered(rng, grid, family, size.runs)
    elif family == "mixed":
        grid = Grid(size.rooms, size.days, size.slots_per_day, slot_minutes=60, gap_minutes=10)
        blocks = _plant_scattered(rng, grid, family, size.runs)
    else:
        # as many rooms as keep the planned runs above 90% of the room-slots
        rooms = max(2, round(size.runs * 1.55 / (0.93 * size.days * size.slots_per_day)))
        grid = Grid(rooms, size.days, size.slots_per_day, slot_minutes=60, gap_minutes=10)
        blocks = _plant_packed(rng, grid, family, fill=0.93)

    capacities = [rng.choices([c for c, _ in CAPACITIES], [w for _, w in CAPACITIES])[0] for _ in range(grid.rooms)]
    fixed_equipment = {
        room: ((1, 1),) if family != "unit" and rng.random() < 0.5 else () for room in range(grid.rooms)
    }
    locations = tuple(
        Location(room + 1, capacities[room], fixed_equipment[room]) for room in range(grid.rooms)
    )
    groups = _group_runs(rng, grid, blocks, family)
    host_sets = _assign_hosts(rng, grid, groups)

    workshops = []
    pool_use: list[tuple[tuple[int, int], int, int]] = []  # (span, item, qty)
    for number, (group, hosts) in enumerate(zip(groups, host_sets), start=1):
        smallest_room = min(capacities[b.room] for b in group)
        seats = max(5, int(smallest_room * rng.uniform(0.4, 1.0)))
        equipment = []
        if family != "unit":
            for item in EQUIPMENT:
                if rng.random() < (0.35 if item == 1 else 0.1):
                    equipment.append((item, 1 if item != 1 or rng.random() < 0.8 else 2))
        for block in group:
            fixed = dict(fixed_equipment[block.room])
            for item, quantity in equipment:
                if quantity > fixed.get(item, 0):
                    pool_use.append((grid.span(block), item, quantity - fixed.get(item, 0)))
        allowed = ()
        if family != "unit" and rng.random() < 0.2:
            planted_rooms = {b.room + 1 for b in group}
            extra = set(rng.sample(range(1, grid.rooms + 1), min(grid.rooms, 2)))
            allowed = tuple(sorted(planted_rooms | extra))
        workshops.append(
            Workshop(
                id=number,
                title=f"{family} workshop {number}",
                host_ids=hosts,
                max_attendees=seats,
                duration_slots=group[0].length,
                runs=len(group),
                priority=rng.choices([1, 2, 3], weights=[85, 10, 5])[0],
                equipment=tuple(equipment),
                allowed_location_ids=allowed,
            )
        )

    workshops = _add_prerequisites(rng, grid, groups, workshops, family)
    pools = {}
    for item in EQUIPMENT:
        uses = [(span, qty) for span, i, qty in pool_use if i == item]
        peak = max((sum(q for s, q in uses if s[0] <= span[0] < s[1]) for span, _ in uses), default=0)
        pools[item] = peak + (0 if family == "tight" else 1)
    availability = _availability(rng, grid, groups, host_sets, family)
    interests = _interests(rng, len(workshops), size)
    plan = tuple(
        Placement(number, index, tuple(grid.slot_id(b.room, b.day, b.first + i) for i in range(b.length)))
        for number, group in enumerate(groups, start=1)
        for index, b in enumerate(sorted(group, key=grid.span))
    )
    problem = Problem(
        slots=grid.slots(),
        locations=locations,
        workshops=tuple(workshops),
        availability=availability,
        equipment_pools=pools,
        interests=interests,
        names=Names(
            hosts={h: f"Host {h}" for hosts in host_sets for h in hosts},
            locations={loc.id: f"Room {loc.id}" for loc in locations},
            equipment=dict(EQUIPMENT),
            capabilities={c: f"skill {c}" for c in range(1, 11)},
        ),
        consecutive_gap_minutes=15,
    )
    return problem, plan


def _add_prerequisites(rng, grid, groups, workshops, family):
    if family == "unit":
        return workshops
    first_start = [min(grid.span(b)[0] for b in g) for g in groups]
    first_end = [min(grid.span(b)[1] for b in g) for g in groups]
    updated = list(workshops)
    order = sorted(range(len(groups)), key=lambda i: first_end[i])
    for capability in range(1, 11):
        teacher = rng.choice(order[: max(1, len(order) // 3)])
        learners = [i for i in range(len(groups)) if first_start[i] >= first_end[teacher] and i != teacher]
        chosen = rng.sample(learners, min(len(learners), max(1, len(groups) // 40)))
        t = updated[teacher]
        updated[teacher] = Workshop(**{**t.__dict__, "teaches_ids": t.teaches_ids + (capability,)})
        for i in chosen:
            w = updated[i]
            updated[i] = Workshop(**{**w.__dict__, "prerequisite_ids": w.prerequisite_ids + (capability,)})
    return updated


def _availability(rng, grid, groups, host_sets, family):
    """unit/mixed: a quarter of hosts give the days of their runs; tight: every host gives
    only the half-days of their runs."""
    spans_by_host: dict[int, list[Block]] = {}
    for group, hosts in zip(groups, host_sets):
        for host in hosts:
            spans_by_host.setdefault(host, []).extend(group)
    availability = {}
    half = grid.slots_per_day // 2
    for host, blocks in spans_by_host.items():
        if family != "tight" and rng.random() > 0.25:
            continue
        windows = set()
        for block in blocks:
            if family == "tight":
                first = 0 if block.first < half else half
                last = half - 1 if block.first + block.length <= half else grid.slots_per_day - 1
                first = min(first, block.first)
                windows.add((grid.start(block.day, first), grid.start(block.day, last) + grid.slot_minutes))
            else:
                windows.add((grid.start(block.day, 0), grid.start(block.day, grid.slots_per_day - 1) + grid.slot_minutes))
        availability[host] = tuple(sorted(windows))
    return availability


def _interests(rng, workshop_count: int, size: Size) -> tuple[Interest, ...]:
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(workshop_count)]
    rng.shuffle(popularity)
    interests = []
    for attendee in range(1, size.attendees + 1):
        chosen: list[int] = []
        while len(chosen) < min(size.interests_per_attendee, workshop_count):
            pick = rng.choices(range(1, workshop_count + 1), weights=popularity)[0]
            if pick not in chosen:
                chosen.append(pick)
        interests.extend(Interest(attendee, w, rank) for rank, w in enumerate(chosen, start=1))
    return tuple(interests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--family", choices=FAMILIES, default="unit")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    json.dump(problem_to_json(generate(args.size, args.family, args.seed)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
