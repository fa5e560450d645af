"""Seat allocation's whole input and output as plain immutable records with integer ids.

People are opaque integers (an export never names anyone). Times are integer minutes, end exclusive,
on any common clock (the web app uses minutes since the Unix epoch, UTC).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """One placed run of a workshop: its seats, its time, what it needs and what it teaches."""

    id: int
    workshop_id: int
    seats: int
    start: int
    end: int
    requires: tuple[int, ...] = ()  # capabilities a person must hold or learn in an earlier run
    teaches: tuple[int, ...] = ()


@dataclass(frozen=True)
class Wish:
    """A person's ranked wish for a workshop (any of its runs), for a party of seats taken together."""

    person: int
    workshop_id: int
    rank: int  # 1 = most wanted; a person's ranks are distinct
    party_size: int = 1


@dataclass(frozen=True)
class Person:
    """What is known about a person besides their wishes (people without an entry: no limit, nothing held)."""

    id: int
    max_workshops: int | None = None  # None: as many as they wished for
    holds: tuple[int, ...] = ()  # capabilities already held
    # runs the person already has a place in, outside this allocation (their seats are not in `Run.seats`):
    # they count against the maximum, rule out overlapping runs and teach what they teach
    attending: tuple[int, ...] = ()


@dataclass(frozen=True)
class AllocationProblem:
    runs: tuple[Run, ...]
    wishes: tuple[Wish, ...]
    people: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Assignment:
    person: int
    run_id: int
    party_size: int = 1


@dataclass(frozen=True)
class Waitlist:
    run_id: int
    people: tuple[int, ...]  # first = first to move up when a seat frees


@dataclass(frozen=True)
class Allocation:
    assignments: tuple[Assignment, ...]
    waitlists: tuple[Waitlist, ...] = ()
    seed: int = 0
    mechanism: str = "draft"
    stats: dict = field(default_factory=dict, compare=False)

    __hash__ = None  # holds a dict; compare, never hash
