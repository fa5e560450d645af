"""Request and response schemas for convention registration and attending, and their JSON rendering."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..conventions.schemas import fee_text
from ..models import ConventionRegistration
from ..models.types import MAX_ID
from ..schemas import PageQuery, QuerySchema, Schema
from ..serializers import iso
from ..services.attending import AttendeeView, CapabilityView, ScheduleEntry, SelectionView, WorkshopAttendee
from ..services.registration import RegistrationView

MAX_RANK = 10
REFERENCE_MAX = 200

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Rank = Annotated[int, Field(ge=1, le=MAX_RANK, description="1 = most wanted")]
PaymentReference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REFERENCE_MAX)]
RegistrationStatus = Literal["signed_up", "pending_payment", "registered", "cancelled"]
SelectionStatus = Literal["interested", "registered", "waitlisted", "cancelled"]


# convention registration ----------------------------------------------------------------------


class CompleteRegistrationIn(Schema):
    payment_reference: PaymentReference
    user_id: Id | None = Field(None, description="whose registration; default: your own")


class PaymentWebhookIn(Schema):
    convention_id: Id
    user_id: Id
    payment_reference: PaymentReference


class RegistrationOut(Schema):
    id: int
    user_id: int
    convention_id: int
    status: RegistrationStatus
    payment_reference: str | None
    created_at: str
    updated_at: str


class ConventionBriefOut(Schema):
    id: int
    name: str
    start_date: str
    end_date: str
    timezone: str
    status: str
    registration_fee: str


class MyConventionOut(RegistrationOut):
    convention: ConventionBriefOut


class MyConventionList(Schema):
    items: list[MyConventionOut]
    total: int


class AttendeeQuery(PageQuery):
    status: RegistrationStatus | None = None


class AttendeeOut(RegistrationOut):
    display_name: str
    email: str


class AttendeeList(Schema):
    items: list[AttendeeOut]
    total: int


def registration_json(row: ConventionRegistration) -> dict:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "convention_id": row.convention_id,
        "status": row.status,
        "payment_reference": row.payment_reference,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def my_convention_json(view: RegistrationView) -> dict:
    con = view.convention
    return {
        **registration_json(view.registration),
        "convention": {
            "id": con.id,
            "name": con.name,
            "start_date": con.start_date.isoformat(),
            "end_date": con.end_date.isoformat(),
            "timezone": con.timezone,
            "status": con.status,
            "registration_fee": fee_text(con.registration_fee),
        },
    }


def attendee_json(view: AttendeeView) -> dict:
    body = registration_json(view.registration)
    if not view.full:  # a host sees who comes, not how they paid
        body["payment_reference"] = None
    return {**body, "display_name": view.user.display_name, "email": view.user.email}


# selections -----------------------------------------------------------------------------------


class InterestIn(Schema):
    rank: Rank | None = None


class WorkshopRegisterIn(Schema):
    event_slot_id: Id = Field(description="the first slot of a placed run of the workshop")


class SelectionIn(Schema):
    workshop_id: Id
    event_slot_id: Id | None = Field(None, description="register for this run; leave out to show interest")
    rank: Rank | None = None


class SelectionUpdateIn(Schema):  # rank null clears the rank
    rank: Rank | None = None
    event_slot_id: Id | None = Field(None, description="move to (or register for) this run of the workshop")


class CancelSelectionQuery(QuerySchema):
    cancel_dependents: bool = Field(False, description="also cancel the later registrations that need what this "
                                                       "run teaches")


class SelectionQuery(PageQuery):
    convention_id: Id | None = None
    status: SelectionStatus | None = None


class SelectionOut(Schema):
    id: int
    user_id: int
    workshop_id: int
    workshop_title: str
    convention_id: int
    event_slot_id: int | None
    status: SelectionStatus
    rank: int | None
    queued_at: str | None
    waitlist_position: int | None = Field(description="1 = next to get a seat; null unless waitlisted")
    created_at: str
    updated_at: str


class SelectionList(Schema):
    items: list[SelectionOut]
    total: int


def selection_json(view: SelectionView) -> dict:
    row = view.selection
    return {
        "id": row.id,
        "user_id": row.user_id,
        "workshop_id": row.workshop_id,
        "workshop_title": view.workshop_title,
        "convention_id": view.convention_id,
        "event_slot_id": row.event_slot_id,
        "status": row.status,
        "rank": row.rank,
        "queued_at": iso(row.queued_at),
        "waitlist_position": view.waitlist_position,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


class WorkshopAttendeeOut(Schema):
    selection_id: int
    user_id: int
    display_name: str
    email: str
    event_slot_id: int | None
    status: Literal["registered", "waitlisted"]
    queued_at: str | None
    waitlist_position: int | None


class WorkshopAttendeeList(Schema):
    items: list[WorkshopAttendeeOut]
    total: int


def workshop_attendee_json(view: WorkshopAttendee) -> dict:
    row = view.selection
    return {
        "selection_id": row.id,
        "user_id": row.user_id,
        "display_name": view.user.display_name,
        "email": view.user.email,
        "event_slot_id": row.event_slot_id,
        "status": row.status,
        "queued_at": iso(row.queued_at),
        "waitlist_position": view.waitlist_position,
    }


# schedule and capabilities --------------------------------------------------------------------


class ScheduleQuery(QuerySchema):
    convention_id: Id | None = None


class ScheduleEntryOut(Schema):
    selection_id: int
    workshop_id: int
    workshop_title: str
    convention_id: int
    event_slot_id: int
    event_slot_ids: list[int]
    start: str
    end: str
    location_id: int
    location_name: str


class AttendeeScheduleOut(Schema):
    items: list[ScheduleEntryOut]
    total: int


def schedule_entry_json(entry: ScheduleEntry) -> dict:
    return {
        "selection_id": entry.selection_id,
        "workshop_id": entry.workshop_id,
        "workshop_title": entry.workshop_title,
        "convention_id": entry.convention_id,
        "event_slot_id": entry.run.first_slot_id,
        "event_slot_ids": list(entry.run.slot_ids),
        "start": iso(entry.run.start),
        "end": iso(entry.run.end),
        "location_id": entry.run.location_id,
        "location_name": entry.run.location_name,
    }


class CapabilityHeldOut(Schema):
    capability_id: int
    name: str
    description: str
    source: Literal["declared", "granted"]
    granted_by_workshop_id: int | None
    earned_at: str | None = Field(description="end of the attended run that teaches it; null when stored")


class CapabilityGrantIn(Schema):
    capability_id: Id


class CapabilityHeldList(Schema):
    items: list[CapabilityHeldOut]
    total: int


def capability_held_json(view: CapabilityView) -> dict:
    return {
        "capability_id": view.capability.id,
        "name": view.capability.name,
        "description": view.capability.description,
        "source": view.source,
        "granted_by_workshop_id": view.granted_by_workshop_id,
        "earned_at": iso(view.earned_at),
    }


# capability requests --------------------------------------------------------------------------

NOTE_MAX = 2000
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX)]
RequestStatus = Literal["pending", "granted", "refused"]


class CapabilityRequestIn(Schema):
    capability_id: Id
    note: Note = Field("", description="why you hold it, for the admin who decides")


class CapabilityDecisionIn(Schema):
    decision: Literal["grant", "refuse"]
    message: Annotated[str, StringConstraints(max_length=5000)] = Field(
        "", description="mailed to the person with the answer")


class CapabilityRequestQuery(PageQuery):
    status: RequestStatus | None = None
    user_id: Id | None = Field(None, description="whose requests (admin); default: yours, or everyone's for admins")


class CapabilityRequestOut(Schema):
    id: int
    user_id: int
    display_name: str
    capability_id: int
    capability_name: str
    note: str
    status: RequestStatus
    created_at: str
    decided_by_id: int | None
    decided_at: str | None
    answer: str


class CapabilityRequestList(Schema):
    items: list[CapabilityRequestOut]
    total: int


def capability_request_json(row) -> dict:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "display_name": row.user.display_name,
        "capability_id": row.capability_id,
        "capability_name": row.capability.name,
        "note": row.note,
        "status": row.status,
        "created_at": iso(row.created_at),
        "decided_by_id": row.decided_by_id,
        "decided_at": iso(row.decided_at),
        "answer": row.answer,
    }
