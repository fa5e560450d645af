"""Who may act: the checks every service calls before it changes or reveals anything."""
from __future__ import annotations

from ..errors import Forbidden, Unauthorized
from ..models import User


def require_signed_in(actor: User | None) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Unauthorized("Sign in first.")
    return actor


def require_role(actor: User | None, role: str) -> User:
    user = require_signed_in(actor)
    if not user.has_role(role):
        raise Forbidden(f"This needs the {role} role.")
    return user


def require_admin(actor: User | None) -> User:
    return require_role(actor, "admin")


def require_self_or_admin(actor: User | None, user_id: int) -> User:
    user = require_signed_in(actor)
    if user.id != user_id and not user.is_admin:
        raise Forbidden("You may only see or change your own account.")
    return user
