"""Who may act: the checks every service calls before it changes or reveals anything."""
from __future__ import annotations

from ..errors import Forbidden, Unauthorized
from ..models import User
from ..models.accounts import is_admin, signed_in_user


def require_signed_in(actor: User | None) -> User:
    user = signed_in_user(actor)
    if user is None:
        raise Unauthorized("Sign in first.")
    return user


def require_role(actor: User | None, role: str) -> User:
    user = require_signed_in(actor)
    if not user.has_role(role):
        raise Forbidden(f"This needs the {role} role.")
    return user


def require_admin(actor: User | None) -> User:
    return require_role(actor, "admin")


def require_self_or_admin(actor: User | None, user_id: int) -> User:
    user = require_signed_in(actor)
    if user.id != user_id and not is_admin(user):
        raise Forbidden("You may only see or change your own account.")
    return user
