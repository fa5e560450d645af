"""The solver's whole input and output as plain immutable records with integer ids.

Times are integer minutes since the Unix epoch (UTC). Nothing here knows about the
database: the worker builds a `Problem` from its rows and writes a `Solution` back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import Mapping

EquipmentNeed = tuple[tuple[int, int], ...]  # ((equipment_id, quantity), ...)
Window = tuple[int, int]  # (start, end) in epoch minutes, end exclusive


@dataclass(frozen=True)
class Slot:
    id: int
    location_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Location:
    id: int
    capacity: int
    equipment: EquipmentNeed = ()  # fixed in the room, never moves


@dataclass(frozen=True)
class Workshop:
    id: int
    host_ids: tuple[int, ...]  # first = owner, the rest co-hosts; all must be free
    max_attendees: int
    duration_slots: int = 1
    runs: int = 1
    priority: int = 1
    equipment: EquipmentNeed = ()
    prerequisite_ids: tuple[int, ...] = ()  # capabilities an attendee needs
    teaches_ids: tuple[int, ...] = ()  # capabilities attending grants
    allowed_location_ids: tuple[int, ...] = ()  # empty = any location
    title: str = ""
    # the track (a devroom, a congress theme) it belongs to; same-track talks should not
    # overlap and a track should keep to few rooms a day (soft rules, Weights)
    track: int | None = None


@dataclass(frozen=True)
class Interest:
    attendee_id: int
    workshop_id: int
    rank: int = 1  # 1 = most wanted


@dataclass(frozen=True)
class Placement:
    """One run of a workshop on consecutive slots of one location."""

    workshop_id: int
    run_index: int
    slot_ids: tuple[int, ...]


@dataclass(frozen=True)
class Names:
    """Optional display names, so explanations can say "host Ana" rather than "host #7"."""

    hosts: Mapping[int, str] = field(default_factory=dict)
    locations: Mapping[int, str] = field(default_factory=dict)
    equipment: Mapping[int, str] = field(default_factory=dict)
    capabilities: Mapping[int, str] = field(default_factory=dict)
    timezone: str = "UTC"  # IANA name: times in explanations and violations are shown in it


@dataclass(frozen=True, eq=True)
class Problem:
    slots: tuple[Slot, ...]
    locations: tuple[Location, ...]
    workshops: tuple[Workshop, ...]
    availability: Mapping[int, tuple[Window, ...]] = field(default_factory=dict)
    equipment_pools: Mapping[int, int] = field(default_factory=dict)
    interests: tuple[Interest, ...] = ()
    pinned: tuple[Placement, ...] = ()
    current: tuple[Placement, ...] = ()  # the schedule before this solve, for stability
    names: Names = field(default_factory=Names)
    # Two slots of one location are consecutive when the next starts at most this many
    # minutes after the previous one ends (a short changeover break is allowed).
    consecutive_gap_minutes: int = 15

    __hash__ = None  # holds dicts; compare, never hash

    # -- display helpers shared by explanations and validation messages ------------

    def host_label(self, host_id: int) -> str:
        return f"host {self.names.hosts.get(host_id, f'#{host_id}')}"

    def location_label(self, location_id: int) -> str:
        return self.names.locations.get(location_id, f"location #{location_id}")

    def equipment_label(self, equipment_id: int) -> str:
        return self.names.equipment.get(equipment_id, f"equipment #{equipment_id}")

    def capability_label(self, capability_id: int) -> str:
        return self.names.capabilities.get(capability_id, f"capability #{capability_id}")

    def clock(self, minutes: int, with_date: bool = False) -> str:
        """A moment as people at the convention read it, in its own time zone."""
        try:
            zone = ZoneInfo(self.names.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        moment = datetime.fromtimestamp(minutes * 60, tz=timezone.utc).astimezone(zone)
        return moment.strftime("%a %Y-%m-%d %H:%M %Z" if with_date else "%a %H:%M")

    def workshop_label(self, workshop_id: int) -> str:
        for workshop in self.workshops:
            if workshop.id == workshop_id and workshop.title:
                return f"'{workshop.title}'"
        return f"workshop #{workshop_id}"


@dataclass(frozen=True)
class Unplaced:
    workshop_id: int
    run_index: int | None  # None: no run of the workshop was placed
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Solution:
    status: str  # optimal, feasible, infeasible, cancelled, invalid
    assignments: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...] = ()
    objective: float | None = None
    bound: float | None = None
    stats: Mapping[str, object] = field(default_factory=dict)

    __hash__ = None
