"""Admins grant a person a capability (a skill shown to workshops that need it) or take a grant back.

What a person earned by attending a run that teaches the capability is derived, not stored, so it
cannot be taken back here; `attending.user_capabilities` lists both kinds."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import Conflict
from ..extensions import db
from ..models import Capability, User, UserCapability
from .lookup import get_or_404
from .permissions import require_admin


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
