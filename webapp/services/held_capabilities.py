"""Admins grant a person a capability (a skill shown to workshops that need it) or take a grant back;
people ask for one (a capability request) and an admin grants or refuses the request.

What a person earned by attending a run that teaches the capability is derived, not stored, so it
cannot be taken back here; `attending.user_capabilities` lists both kinds."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import Capability, CapabilityRequest, User, UserCapability, utcnow
from ..models.types import MAX_ID
from .attending import user_capabilities
from .locks import lock_rows
from .lookup import get_or_404
from .mail import send_mail
from .permissions import require_admin, require_self_or_admin, require_signed_in


def grant_capability(actor, user_id: int, capability_id: int) -> UserCapability:
    """Record that the person holds the capability, granted by an admin (idempotent)."""
    require_admin(actor)
    get_or_404(User, user_id, "user")
    get_or_404(Capability, capability_id, "capability")
    row = db.session.get(UserCapability, (user_id, capability_id))
    if row is None:
        row = UserCapability(user_id=user_id, capability_id=capability_id, source="granted")
        db.session.add(row)
    else:
        row.source = "granted"  # an admin's word outranks a person's own declaration
    db.session.flush()
    return row


def revoke_capability(actor, user_id: int, capability_id: int) -> None:
    require_admin(actor)
    person = get_or_404(User, user_id, "user")
    capability = get_or_404(Capability, capability_id, "capability")
    row = db.session.scalar(select(UserCapability).where(
        UserCapability.user_id == user_id, UserCapability.capability_id == capability_id).with_for_update())
    if row is None:
        raise Conflict(f"{person.display_name} holds '{capability.name}' only by attending a workshop that teaches "
                       "it, or not at all; there is no grant to take back.", code="not_granted")
    db.session.delete(row)
    db.session.flush()


# -- requests: a person asks, an admin grants or refuses ----------------------------------------


def request_capability(actor, capability_id: int, note: str = "") -> CapabilityRequest:
    """The actor asks for a capability they do not hold; one pending request per capability."""
    user = require_signed_in(actor)
    capability = db.session.get(Capability, capability_id) if 0 < capability_id <= MAX_ID else None
    if capability is None:
        raise ValidationFailed("Unknown capability.", fields={"capability_id": f"unknown: {capability_id}"})
    lock_rows(User.__table__, [user.id])  # two quick clicks make one request, not two
    if any(view.capability.id == capability.id for view in user_capabilities(user, user.id)):
        raise Conflict(f"You hold '{capability.name}' already.", code="capability_held",
                       fields={"capability_id": "held already"})
    pending = db.session.scalar(select(CapabilityRequest.id).where(
        CapabilityRequest.user_id == user.id, CapabilityRequest.capability_id == capability.id,
        CapabilityRequest.status == "pending"))
    if pending is not None:
        raise Conflict(f"You asked for '{capability.name}' already; an admin will answer.",
                       code="capability_request_pending", fields={"capability_id": "asked already"})
    row = CapabilityRequest(user_id=user.id, capability_id=capability.id, note=note.strip())
    db.session.add(row)
    db.session.flush()
    return row


def list_capability_requests(actor, status: str | None, limit: int, offset: int,
                             user_id: int | None = None) -> tuple[list[CapabilityRequest], int]:
    """Requests, oldest first: an admin sees everyone's (or `user_id`'s), anyone else only their own."""
    user = require_signed_in(actor)
    if user_id is not None:
        require_self_or_admin(user, user_id)
    elif not user.is_admin:
        user_id = user.id
    query = select(CapabilityRequest)
    if user_id is not None:
        query = query.where(CapabilityRequest.user_id == user_id)
    if status is not None:
        query = query.where(CapabilityRequest.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(selectinload(CapabilityRequest.user), selectinload(CapabilityRequest.capability))
        .order_by(CapabilityRequest.created_at, CapabilityRequest.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def pending_request_count(actor) -> int:
    """How many requests wait for an admin (the count beside "People")."""
    require_admin(actor)
    return db.session.scalar(select(func.count()).select_from(CapabilityRequest)
                             .where(CapabilityRequest.status == "pending")) or 0


def decide_capability_request(actor, request_id: int, grant: bool, message: str = "") -> CapabilityRequest:
    """Grant (records the capability) or refuse a pending request; the person is mailed the answer."""
    admin = require_admin(actor)
    row = get_or_404(CapabilityRequest, request_id, "capability request", for_update=True)
    if row.status != "pending":
        raise Conflict(f"This request was {row.status} already.", code="capability_request_decided")
    if grant:
        grant_capability(admin, row.user_id, row.capability_id)
    row.status = "granted" if grant else "refused"
    row.decided_by_id, row.decided_at, row.answer = admin.id, utcnow(), message.strip()
    name = row.capability.name
    if grant:
        text = (f"An admin granted you '{name}'. Workshops that need it now take your registration; it is listed "
                "on your skills page.")
    else:
        text = f"An admin did not grant you '{name}' this time. You may ask again."
    if row.answer:
        text += f"\n\nA note from the admin:\n{row.answer}"
    send_mail(row.user.email, f"Your request for '{name}'", f"Hello {row.user.display_name},\n\n{text}")
    db.session.flush()
    return row
