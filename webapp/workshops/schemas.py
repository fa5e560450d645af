"""Workshop and placement request/response schemas, and the JSON of workshops, runs and schedules."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from ..models.conventions import DESCRIPTION_MAX, TITLE_MAX
from ..models.workshops import seats_left
from ..schemas import Limit, Offset, PartialUpdate, Schema
from ..serializers import iso

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
IdList = Annotated[list[Id], Field(max_length=100)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)]
MaxAttendees = Annotated[int, Field(ge=1, le=100_000)]
MAX_DURATION_SLOTS = 288  # a whole day of 5-minute slots (FOSDEM 2019 has a 7.5-hour session: 90 of them)
Duration = Annotated[int, Field(ge=1, le=MAX_DURATION_SLOTS)]
Runs = Annotated[int, Field(ge=1, le=20)]
Priority = Annotated[int, Field(ge=1, le=10)]
EditableStatus = Literal["draft", "published"]


class EquipmentNeedIn(Schema):
    equipment_id: Id
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1


EquipmentList = Annotated[list[EquipmentNeedIn], Field(max_length=100)]


def equipment_pairs(items) -> list[tuple[int, int]]:
    """(equipment_id, quantity) pairs, as the workshop services take them."""
    return [(item.equipment_id, item.quantity) for item in items]


class WorkshopCreateIn(Schema):
    convention_id: Id
    host_id: Id | None = None
    cohost_ids: IdList = Field(default_factory=list)
    location_ids: IdList = Field(default_factory=list)
    title: Title
    description: Description = ""
    max_attendees: MaxAttendees
    duration_slots: Duration = 1
    runs: Runs = 1
    priority: Priority = 1
    prerequisite_ids: IdList = Field(default_factory=list)
    teaches_ids: IdList = Field(default_factory=list)
    equipment: EquipmentList = Field(default_factory=list)
    status: EditableStatus = "published"
    track_id: Id | None = None


class WorkshopUpdateIn(PartialUpdate):
    nullable = frozenset({"track_id"})

    host_id: Id | None = None
    cohost_ids: IdList | None = None
    location_ids: IdList | None = None
    title: Title | None = None
    description: Description | None = None
    max_attendees: MaxAttendees | None = None
    duration_slots: Duration | None = None
    runs: Runs | None = None
    priority: Priority | None = None
    prerequisite_ids: IdList | None = None
    teaches_ids: IdList | None = None
    equipment: EquipmentList | None = None
    status: EditableStatus | None = None
    track_id: Id | None = Field(None, description="null takes the workshop out of its track")


class PrerequisitesIn(Schema):
    capability_ids: IdList


class WorkshopEquipmentIn(Schema):
    equipment: EquipmentList


class WorkshopQuery(Schema):
    # query strings are text: allow "5" for 5 and "true" for True
    model_config = ConfigDict(extra="forbid", strict=False)

    convention_id: Id | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    host_id: Id | None = None
    capability_id: Id | None = None
    equipment_id: Id | None = None
    track_id: Id | None = None
    available_slots_only: bool = False
    status: Literal["draft", "published", "cancelled"] | None = None
    limit: Limit = 50
    offset: Offset = 0


class AssignSlotIn(Schema):
    event_slot_id: Id
    run_index: Annotated[int, Field(ge=0, le=19)] | None = None


class HostOut(Schema):
    id: int
    display_name: str
    role: Literal["host", "cohost"]


class EquipmentNeedOut(Schema):
    equipment_id: int
    quantity: int


class PlacedRunOut(Schema):
    run_index: int
    event_slot_ids: list[int]
    location_id: int
    start: str
    end: str
    seats: int = Field(description="min(max_attendees, the room's capacity)")
    registered: int
    seats_left: int


class CountsOut(Schema):
    interested: int
    registered: int
    waitlisted: int


class WorkshopOut(Schema):
    id: int
    convention_id: int
    host_id: int
    cohost_ids: list[int]
    hosts: list[HostOut]
    location_ids: list[int]
    title: str
    description: str
    max_attendees: int
    duration_slots: int
    runs: int
    priority: int
    status: str
    track_id: int | None
    prerequisite_ids: list[int]
    teaches_ids: list[int]
    equipment: list[EquipmentNeedOut]
    placed_runs: list[PlacedRunOut]
    unplaced_runs: int
    counts: CountsOut
    created_at: str
    updated_at: str


class WorkshopList(Schema):
    items: list[WorkshopOut]
    total: int


class PlacedRunList(Schema):
    items: list[PlacedRunOut]
    total: int


class UnassignOut(Schema):
    freed_slot_ids: list[int]
    workshop: WorkshopOut


class CellWorkshopOut(Schema):
    id: int
    title: str
    host_ids: list[int]
    hosts: list[str]


class CellOut(Schema):
    event_slot_id: int
    location_id: int
    start: str
    end: str
    taken: bool
    workshop_id: int | None
    run_index: int | None
    workshop: CellWorkshopOut | None


class RowOut(Schema):
    start: str
    cells: list[CellOut | None]


class ScheduleLocationOut(Schema):
    id: int
    name: str
    capacity: int


class ScheduleGridOut(Schema):
    convention_id: int
    timezone: str
    locations: list[ScheduleLocationOut]
    rows: list[RowOut]


# -- JSON ---------------------------------------------------------------------------------


def run_static_json(run) -> dict:
    return {
        "run_index": run.run_index,
        "event_slot_ids": [s.id for s in run.slots],
        "location_id": run.location_id,
        "start": iso(run.start),
        "end": iso(run.end),
        "seats": run.seats,
    }


def with_registrations(run: dict, registered: int) -> dict:
    return {**run, "registered": registered, "seats_left": seats_left(run["seats"], registered)}


def run_json(run) -> dict:
    return with_registrations(run_static_json(run), run.registered)


def workshop_static_json(w, runs) -> dict:
    """Everything about a workshop but its selection counts (see services/workshop_listing.py)."""
    cohosts = [u for u in w.cohosts if u.id != w.host_id]
    return {
        "id": w.id,
        "convention_id": w.convention_id,
        "host_id": w.host_id,
        "cohost_ids": [u.id for u in cohosts],
        "hosts": [{"id": w.host.id, "display_name": w.host.display_name, "role": "host"}]
        + [{"id": u.id, "display_name": u.display_name, "role": "cohost"} for u in cohosts],
        "location_ids": [loc.id for loc in w.allowed_locations],
        "title": w.title,
        "description": w.description,
        "max_attendees": w.max_attendees,
        "duration_slots": w.duration_slots,
        "runs": w.runs,
        "priority": w.priority,
        "status": w.status,
        "track_id": w.track_id,
        "prerequisite_ids": [c.id for c in w.prerequisites],
        "teaches_ids": [c.id for c in w.teaches],
        "equipment": [{"equipment_id": e.equipment_id, "quantity": e.quantity} for e in w.equipment],
        "placed_runs": [run_static_json(r) for r in runs],
        "unplaced_runs": max(0, w.runs - len(runs)),
        "counts": None,  # filled by with_counts; here to keep the documented key order
        "created_at": iso(w.created_at),
        "updated_at": iso(w.updated_at),
    }


def with_counts(static: dict, counts: dict[str, int], registered_per_run: dict[int, int]) -> dict:
    return {
        **static,
        "placed_runs": [with_registrations(run, registered_per_run.get(run["event_slot_ids"][0], 0))
                        for run in static["placed_runs"]],
        "counts": {
            "interested": counts.get("interested", 0),
            "registered": counts.get("registered", 0),
            "waitlisted": counts.get("waitlisted", 0),
        },
    }


def workshop_json(view) -> dict:
    return with_counts(workshop_static_json(view.workshop, view.runs), view.counts, view.registered_per_run)


def listed_workshop_json(item) -> dict:
    return with_counts(item.static, item.counts, item.registered_per_run)


def schedule_json(schedule) -> dict:
    """Rooms as columns, slot start times as rows; a cell is null where a room has no slot then."""
    columns = {loc.id: i for i, loc in enumerate(schedule.locations)}
    shown = {
        workshop.id: {
            "id": workshop.id,
            "title": workshop.title,
            "host_ids": workshop.host_ids(),
            "hosts": [workshop.host.display_name] + [u.display_name for u in workshop.cohosts
                                                     if u.id != workshop.host_id],
        }
        for workshop in schedule.workshops.values()
    }
    rows: dict = {}
    for slot in schedule.slots:
        cells = rows.setdefault(slot.start, [None] * len(columns))
        workshop = shown.get(slot.workshop_id)
        cells[columns[slot.location_id]] = {
            "event_slot_id": slot.id,
            "location_id": slot.location_id,
            "start": iso(slot.start),
            "end": iso(slot.end),
            "taken": slot.workshop_id is not None,
            "workshop_id": slot.workshop_id if workshop else None,
            "run_index": slot.run_index if workshop else None,
            "workshop": workshop,
        }
    return {
        "convention_id": schedule.convention.id,
        "timezone": schedule.convention.timezone,
        "locations": [{"id": loc.id, "name": loc.name, "capacity": loc.capacity} for loc in schedule.locations],
        "rows": [{"start": iso(start), "cells": cells} for start, cells in sorted(rows.items())],
    }
