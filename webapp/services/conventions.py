"""Conventions: creating, changing and deleting them."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import Convention, ConventionRegistration, EventSlot, User
from .access import load
from .permissions import require_admin

MAX_CONVENTION_DAYS = 366


def admin_convention(actor: User | None, convention_id: int) -> Convention:
    """For writes under a convention: admin first (401/403), then the convention (404)."""
    require_admin(actor)
    return load(actor, Convention, convention_id, "manage")


def local_midnight(convention: Convention, day: date) -> datetime:
    """The instant a local day starts in the convention's time zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(convention.timezone)).astimezone(timezone.utc)


def convention_window(convention: Convention) -> tuple[datetime, datetime]:
    """From the first day's local midnight to the midnight after the last day, in UTC."""
    return local_midnight(convention, convention.start_date), local_midnight(
        convention, convention.end_date + timedelta(days=1)
    )


def list_conventions(
    actor: User | None, limit: int, offset: int, q: str | None = None, status: str | None = None
) -> tuple[list[Convention], int]:
    query = select(Convention).where(Convention.visible_to(actor))
    if status:
        query = query.where(Convention.status == status)
    if q:
        query = query.where(func.lower(Convention.name).contains(q.lower(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Convention.start_date.desc(), Convention.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def get_convention(actor: User | None, convention_id: int) -> Convention:
    return load(actor, Convention, convention_id)


def create_convention(
    actor: User | None, *, name: str, description: str, start_date: date, end_date: date, timezone: str,
    registration_fee: str, status: str, payment_instructions: str = "",
) -> Convention:
    require_admin(actor)
    row = Convention(
        name=name, description=description, start_date=start_date, end_date=end_date, timezone=timezone,
        registration_fee=Decimal(registration_fee), status=status, payment_instructions=payment_instructions,
    )
    db.session.add(row)
    db.session.flush()
    return row


def update_convention(actor: User | None, convention_id: int, **changes) -> Convention:
    require_admin(actor)
    row = load(actor, Convention, convention_id, "edit")
    start = changes.get("start_date") or row.start_date
    end = changes.get("end_date") or row.end_date
    if end < start:
        raise ValidationFailed(
            "The convention would end before it starts.",
            fields={"end_date": f"must be on or after start_date ({start.isoformat()})"},
        )
    if (end - start).days >= MAX_CONVENTION_DAYS:
        raise ValidationFailed(
            f"A convention lasts at most {MAX_CONVENTION_DAYS} days.", fields={"end_date": "too far after start_date"}
        )
    for name in ("name", "description", "start_date", "end_date", "timezone", "status", "payment_instructions"):
        if changes.get(name) is not None:
            setattr(row, name, changes[name])
    if changes.get("registration_fee") is not None:
        row.registration_fee = Decimal(changes["registration_fee"])
    if {"start_date", "end_date", "timezone"} & {k for k, v in changes.items() if v is not None}:
        _slots_still_inside(row)
    db.session.flush()
    return row


def _slots_still_inside(row: Convention) -> None:
    """New dates or a new time zone must not leave existing slots outside the convention."""
    begin, finish = convention_window(row)
    outside = db.session.scalar(
        select(func.count()).select_from(EventSlot).where(
            EventSlot.convention_id == row.id, (EventSlot.start < begin) | (EventSlot.end > finish)
        )
    ) or 0
    if outside:
        raise Conflict(
            f"{outside} slot(s) would fall outside the convention's new dates; move or delete them first.",
            code="slots_outside_dates",
        )


def delete_convention(actor: User | None, convention_id: int, cascade: bool = False) -> None:
    require_admin(actor)
    row = load(actor, Convention, convention_id, "delete")
    if not cascade:
        registrations = db.session.scalar(
            select(func.count()).select_from(ConventionRegistration).where(
                ConventionRegistration.convention_id == row.id, ConventionRegistration.status != "cancelled"
            )
        ) or 0
        placed = db.session.scalar(
            select(func.count(func.distinct(EventSlot.workshop_id))).where(
                EventSlot.convention_id == row.id, EventSlot.workshop_id.is_not(None)
            )
        ) or 0
        if registrations or placed:
            raise Conflict(
                f"'{row.name}' has {registrations} registration(s) and {placed} placed workshop(s). "
                "Deleting it removes everything in it.",
                code="convention_in_use",
                fields={"registrations": registrations, "placed_workshops": placed,
                        "cascade": "true deletes it with everything in it"},
            )
    # Rows below the convention (slots, workshops, selections, runs...) go by the database's cascades.
    db.session.delete(row)
    db.session.flush()
    db.session.expire_all()
