"""Host application and availability schemas, and their JSON."""
from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from ..schemas import Schema
from ..serializers import iso

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ApplyIn(Schema):
    convention_id: Id | None = None
    motivation: Annotated[str, StringConstraints(max_length=5000)] = ""


class ReviewIn(Schema):
    """Approving or rejecting: an optional note, mailed to the applicant with the answer."""
    message: Annotated[str, StringConstraints(max_length=5000)] = ""


class ApplicationOut(Schema):
    id: int
    user_id: int
    display_name: str
    email: str
    convention_id: int | None
    convention_name: str | None
    motivation: str
    status: str
    created_at: str
    reviewed_by_id: int | None
    reviewed_at: str | None


class ApplicationList(Schema):
    items: list[ApplicationOut]
    total: int


class AvailabilityIn(Schema):
    convention_id: Id
    # AwareDatetime: a time without an offset is ambiguous, so it is a 422
    start: AwareDatetime
    end: AwareDatetime
    user_id: Id | None = None


class AvailabilityQuery(Schema):
    model_config = ConfigDict(extra="forbid", strict=False)

    convention_id: Id | None = None
    user_id: Id | None = None


class WorkshopRef(Schema):
    """The saved workshop a page's form is about (a hidden input)."""
    workshop_id: Id


class AvailabilityOut(Schema):
    id: int
    user_id: int
    convention_id: int
    start: str
    end: str


class AvailabilityList(Schema):
    items: list[AvailabilityOut]
    total: int
    always_available: bool


def application_json(row) -> dict:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "display_name": row.user.display_name,
        "email": row.user.email,
        "convention_id": row.convention_id,
        "convention_name": row.convention.name if row.convention else None,
        "motivation": row.motivation,
        "status": row.status,
        "created_at": iso(row.created_at),
        "reviewed_by_id": row.reviewed_by_id,
        "reviewed_at": iso(row.reviewed_at),
    }


def availability_json(row) -> dict:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "convention_id": row.convention_id,
        "start": iso(row.start),
        "end": iso(row.end),
    }
