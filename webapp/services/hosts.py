"""Becoming a host (applications reviewed by admins) and hosts' availability windows.

Availability windows of one host in one convention never overlap or touch: a new window that
overlaps or touches existing ones is merged with them into one row. A host with no windows
is always available.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import Convention, HostApplication, HostAvailability, User, UserRole, utcnow
from .access import find_visible, load
from .mail import send_mail
from .permissions import require_admin, require_signed_in
from .users import grant_role


# -- applications -------------------------------------------------------------------------


def apply_to_host(actor, convention_id: int | None, motivation: str) -> HostApplication:
    user = require_signed_in(actor)
    if user.has_role("host"):
        raise Conflict("You are a host already.", code="already_host")
    if convention_id is not None:
        find_visible(user, Convention, convention_id, "convention_id")
    pending = db.session.scalar(
        select(HostApplication.id).where(HostApplication.user_id == user.id, HostApplication.status == "pending")
    )
    if pending is not None:
        raise Conflict(
            "You have a pending application already; wait for an admin's answer.",
            code="application_pending", fields={"application_id": pending},
        )
    row = HostApplication(user_id=user.id, convention_id=convention_id, motivation=motivation)
    db.session.add(row)
    db.session.flush()
    _tell_admins(row, user)
    return row


def _tell_admins(row: HostApplication, applicant: User) -> None:
    """Every admin hears of a new application, so none waits unseen."""
    convention = db.session.get(Convention, row.convention_id) if row.convention_id else None
    where = f" for {convention.name}" if convention else ""
    motivation = row.motivation.strip() or "(no motivation given)"
    admins = db.session.scalars(
        select(User.email).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.is_active.is_(True)).order_by(User.id)
    )
    for email in admins:
        send_mail(
            email,
            f"New host application from {applicant.display_name}",
            f"{applicant.display_name} ({applicant.email}) applied to host{where}.\n\n"
            f"Their motivation:\n{motivation}\n\nReview it on the host applications page.",
        )


def latest_application(actor) -> HostApplication | None:
    """The signed-in person's most recent application to host, whatever its status."""
    user = require_signed_in(actor)
    return db.session.scalar(
        select(HostApplication).where(HostApplication.user_id == user.id).order_by(HostApplication.id.desc()).limit(1)
    )


def pending_applications(actor, limit: int, offset: int) -> tuple[list[HostApplication], int]:
    require_admin(actor)
    query = select(HostApplication).where(HostApplication.status == "pending")
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(selectinload(HostApplication.user), selectinload(HostApplication.convention))
        .order_by(HostApplication.created_at, HostApplication.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def pending_application_count(actor) -> int:
    """How many applications wait for an admin (the count beside the navigation link)."""
    require_admin(actor)
    return db.session.scalar(
        select(func.count()).select_from(HostApplication).where(HostApplication.status == "pending")
    ) or 0


def _review(actor, application_id: int, status: str) -> HostApplication:
    admin = require_admin(actor)
    row = db.session.get(HostApplication, application_id, with_for_update=True)
    if row is None:
        raise NotFound(f"No host application {application_id}.", fields={"id": application_id})
    if row.status != "pending":
        raise Conflict(f"This application was {row.status} already.", code="application_reviewed")
    row.status = status
    row.reviewed_by_id = admin.id
    row.reviewed_at = utcnow()
    return row


def _with_message(text: str, message: str) -> str:
    message = message.strip()
    return f"{text}\n\nA note from the admin who reviewed it:\n{message}" if message else text


def approve_application(actor, application_id: int, message: str = "") -> HostApplication:
    row = _review(actor, application_id, "approved")
    grant_role(row.user, "host")
    send_mail(
        row.user.email,
        "You are a Slotwise host now",
        _with_message("Your application to host was approved. You can now propose workshops and enter when you "
                      "are available.", message),
    )
    db.session.flush()
    return row


def reject_application(actor, application_id: int, message: str = "") -> HostApplication:
    row = _review(actor, application_id, "rejected")
    send_mail(
        row.user.email,
        "Your host application",
        _with_message("Your application to host was not approved this time. You may apply again.", message),
    )
    db.session.flush()
    return row


# -- availability -------------------------------------------------------------------------


def _target_user(actor: User, user_id: int | None) -> User:
    if user_id is None or user_id == actor.id:
        if not actor.may_host:
            raise Forbidden("Availability is for hosts; apply to host first.")
        return actor
    if not actor.is_admin:
        raise Forbidden("Only an admin may see or set another host's availability.")
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed("Unknown user.", fields={"user_id": f"unknown: {user_id}"})
    return user


def convention_bounds(convention: Convention) -> tuple[datetime, datetime]:
    """The convention's first midnight and the midnight after its last day, in its time zone."""
    zone = ZoneInfo(convention.timezone)
    start = datetime.combine(convention.start_date, time(0), tzinfo=zone)
    end = datetime.combine(convention.end_date + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def list_availability(actor, convention_id: int | None = None, user_id: int | None = None) -> list[HostAvailability]:
    user = require_signed_in(actor)
    target = _target_user(user, user_id)
    query = select(HostAvailability).where(HostAvailability.user_id == target.id)
    if convention_id is not None:
        query = query.where(HostAvailability.convention_id == convention_id)
    return list(db.session.scalars(query.order_by(HostAvailability.convention_id, HostAvailability.start)))


def add_availability(actor, convention_id: int, start: datetime, end: datetime,
                     user_id: int | None = None) -> HostAvailability:
    """Add a window, merged with every window it overlaps or touches; returns the merged row."""
    user = require_signed_in(actor)
    target = _target_user(user, user_id)
    convention = find_visible(user, Convention, convention_id, "convention_id")
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)  # as stored
    if convention.status == "closed":
        raise Conflict("The convention is closed.", code="convention_closed")
    fields = {}
    if end <= start:
        fields["end"] = "must be after start"
    first, last = convention_bounds(convention)
    if start < first or start > last:
        fields["start"] = f"must be within the convention ({first.isoformat()} to {last.isoformat()})"
    if end > last or end < first:
        fields["end"] = f"must be within the convention ({first.isoformat()} to {last.isoformat()})"
    if fields:
        raise ValidationFailed("The window is invalid.", fields=fields)
    touching = list(db.session.scalars(
        select(HostAvailability).where(
            HostAvailability.user_id == target.id, HostAvailability.convention_id == convention.id,
            HostAvailability.start <= end, HostAvailability.end >= start,
        ).with_for_update()
    ))
    if not touching:
        row = HostAvailability(user_id=target.id, convention_id=convention.id, start=start, end=end)
        db.session.add(row)
    else:
        row = touching[0]
        row.start = min([start] + [w.start for w in touching])
        row.end = max([end] + [w.end for w in touching])
        for other in touching[1:]:
            db.session.delete(other)
    db.session.flush()
    return row


def delete_availability(actor, availability_id: int) -> None:
    user = require_signed_in(actor)
    row = load(user, HostAvailability, availability_id, "delete", what="availability window",
               refusal="You may only remove your own availability.")
    convention = db.session.get(Convention, row.convention_id)
    if convention.status == "closed":
        raise Conflict("The convention is closed.", code="convention_closed")
    db.session.delete(row)
    db.session.flush()
