"""Request and response schemas for conventions, locations and event slots, and their JSON rendering."""
from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, StringConstraints, model_validator

from ..models import Convention, EventSlot, Location, Workshop
from ..models.conventions import DESCRIPTION_MAX, TITLE_MAX
from ..schemas import PartialUpdate, Schema
from ..serializers import iso
from ..models.types import MAX_ID

FEE_PATTERN = r"^\d{1,8}(\.\d{1,2})?$"
MAX_CONVENTION_DAYS = 366
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)]
ConventionStatus = Literal["draft", "open", "closed"]


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_timezone(name: str) -> str:
    # Checked against the list, never by opening a file named by the client.
    if name not in known_timezones():
        raise ValueError("must be an IANA time zone name such as Europe/Berlin or UTC")
    return name


def _plausible_date(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def _plausible_moment(value: datetime) -> datetime:
    _plausible_date(value.date())
    return value


TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_known_timezone)]
Day = Annotated[date, AfterValidator(_plausible_date)]
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
Fee = Annotated[str, StringConstraints(pattern=FEE_PATTERN, max_length=11)]


class QuerySchema(Schema):
    """Query strings arrive as text: numbers and booleans are converted (lax), unknown names refused."""

    model_config = ConfigDict(extra="forbid", strict=False)


class PageQuery(QuerySchema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_ID)


class CascadeQuery(QuerySchema):
    cascade: bool = False


# conventions ----------------------------------------------------------------------------------


class ConventionQuery(PageQuery):
    q: Annotated[str, StringConstraints(max_length=TITLE_MAX)] | None = None
    status: ConventionStatus | None = None


def _dates_ordered(start: date | None, end: date | None) -> None:
    if start is not None and end is not None:
        if end < start:
            raise ValueError("end_date must be on or after start_date")
        if (end - start).days >= MAX_CONVENTION_DAYS:
            raise ValueError(f"a convention lasts at most {MAX_CONVENTION_DAYS} days")


class ConventionIn(Schema):
    name: Name
    description: Description = ""
    start_date: Day
    end_date: Day
    timezone: TimeZoneName = "UTC"
    registration_fee: Fee = Field("0", description='decimal string, "0" = free, at most 2 decimals')
    payment_instructions: Description = Field("", description="how to pay the fee, shown to attendees")
    status: ConventionStatus = "draft"

    @model_validator(mode="after")
    def _check_dates(self):
        _dates_ordered(self.start_date, self.end_date)
        return self


class ConventionUpdateIn(PartialUpdate):
    name: Name | None = None
    description: Description | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    timezone: TimeZoneName | None = None
    registration_fee: Fee | None = None
    payment_instructions: Description | None = None
    status: ConventionStatus | None = None

    @model_validator(mode="after")
    def _check_dates(self):
        _dates_ordered(self.start_date, self.end_date)
        return self


class ConventionOut(Schema):
    id: int
    name: str
    description: str
    start_date: str
    end_date: str
    timezone: str
    registration_fee: str
    payment_instructions: str
    status: ConventionStatus
    created_at: str


class ConventionList(Schema):
    items: list[ConventionOut]
    total: int


def fee_text(fee: Decimal | None) -> str:
    return str(Decimal(fee or 0).quantize(Decimal("0.01")))


def convention_json(row: Convention) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "start_date": row.start_date.isoformat(),
        "end_date": row.end_date.isoformat(),
        "timezone": row.timezone,
        "registration_fee": fee_text(row.registration_fee),
        "payment_instructions": row.payment_instructions,
        "status": row.status,
        "created_at": iso(row.created_at),
    }


# locations ------------------------------------------------------------------------------------


class FixedEquipmentIn(Schema):
    equipment_id: Id
    quantity: int = Field(1, ge=1, le=100_000)


class LocationIn(Schema):
    name: Name
    capacity: int = Field(ge=0, le=1_000_000)
    equipment: list[FixedEquipmentIn] = Field(default_factory=list, max_length=200)


class LocationUpdateIn(PartialUpdate):
    name: Name | None = None
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    equipment: list[FixedEquipmentIn] | None = Field(None, max_length=200)


class FixedEquipmentOut(Schema):
    equipment_id: int
    name: str
    quantity: int


class LocationOut(Schema):
    id: int
    convention_id: int
    name: str
    capacity: int
    equipment: list[FixedEquipmentOut]


class LocationList(Schema):
    items: list[LocationOut]
    total: int


def location_json(row: Location) -> dict:
    return {
        "id": row.id,
        "convention_id": row.convention_id,
        "name": row.name,
        "capacity": row.capacity,
        "equipment": [
            {"equipment_id": e.equipment_id, "name": e.item.name, "quantity": e.quantity}
            for e in sorted(row.equipment, key=lambda e: e.equipment_id)
        ],
    }


# event slots ----------------------------------------------------------------------------------


class SlotQuery(QuerySchema):
    limit: int = Field(500, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=MAX_ID)
    location_id: Id | None = None
    day: Day | None = Field(None, description="a day in the convention's time zone")
    available: bool | None = Field(None, description="true: free slots only; false: taken slots only")


class AllSlotsQuery(SlotQuery):
    convention_id: Id


class SlotIn(Schema):
    location_id: Id
    start: Moment
    end: Moment

    @model_validator(mode="after")
    def _check_order(self):
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class SlotUpdateIn(PartialUpdate):
    location_id: Id | None = None
    start: Moment | None = None
    end: Moment | None = None

    @model_validator(mode="after")
    def _check_order(self):
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class SlotOut(Schema):
    id: int
    convention_id: int
    location_id: int
    start: str
    end: str
    workshop_id: int | None
    run_index: int | None
    taken: bool


class SlotList(Schema):
    items: list[SlotOut]
    total: int


def slot_json(row: EventSlot, *, workshop_visible: bool = True) -> dict:
    """`workshop_visible=False`: the slot is shown taken (or free) without naming what holds it."""
    shown = workshop_visible and row.workshop_id is not None
    return {
        "id": row.id,
        "convention_id": row.convention_id,
        "location_id": row.location_id,
        "start": iso(row.start),
        "end": iso(row.end),
        "workshop_id": row.workshop_id if shown else None,
        "run_index": row.run_index if shown else None,
        "taken": row.workshop_id is not None,
    }


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
ClockEnd = Annotated[str, StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")]


class TimeRangeIn(Schema):
    start: ClockTime = Field(description='local wall-clock time "HH:MM"')
    end: ClockEnd = Field(description='local wall-clock time "HH:MM" ("24:00" = midnight at the end of the day)')

    @model_validator(mode="after")
    def _check_order(self):
        if self.end <= self.start:  # "HH:MM" strings sort like the times they name
            raise ValueError("end must be after start")
        return self


class BulkSlotsIn(Schema):
    days: list[Day] = Field(min_length=1, max_length=MAX_CONVENTION_DAYS)
    time_ranges: list[TimeRangeIn] = Field(min_length=1, max_length=48)
    slot_minutes: int = Field(ge=5, le=600)
    gap_minutes: int = Field(0, ge=0, le=240)
    location_ids: list[Id] = Field(min_length=1, max_length=500)


class SkippedSlotOut(Schema):
    location_id: int
    start: str
    end: str
    reason: str


class BulkSlotsOut(Schema):
    created: list[SlotOut]
    skipped: list[SkippedSlotOut]
    created_count: int
    skipped_count: int


class PlacedWorkshopOut(Schema):
    id: int
    convention_id: int
    title: str
    description: str
    host_id: int
    cohost_ids: list[int]
    max_attendees: int
    duration_slots: int
    runs: int
    status: str
    run_index: int | None
    event_slot_ids: list[int]


def placed_workshop_json(workshop: Workshop, run_index: int | None, slot_ids: list[int]) -> dict:
    return {
        "id": workshop.id,
        "convention_id": workshop.convention_id,
        "title": workshop.title,
        "description": workshop.description,
        "host_id": workshop.host_id,
        "cohost_ids": sorted(u.id for u in workshop.cohosts),
        "max_attendees": workshop.max_attendees,
        "duration_slots": workshop.duration_slots,
        "runs": workshop.runs,
        "status": workshop.status,
        "run_index": run_index,
        "event_slot_ids": slot_ids,
    }


def bulk_json(created: list[EventSlot], skipped: list) -> dict:
    return {
        "created": [slot_json(row) for row in created],
        "skipped": [
            {"location_id": s.location_id, "start": iso(s.start), "end": iso(s.end), "reason": s.reason}
            for s in skipped
        ],
        "created_count": len(created),
        "skipped_count": len(skipped),
    }
