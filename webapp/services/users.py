"""User administration: listing, creating, editing, deleting users and setting their roles."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import ROLES, User, UserRole, Workshop
from .accounts import (
    create_user, find_user_by_email, normalise_email, replace_password, request_email_change, require_current_password,
)
from .permissions import require_admin, require_self_or_admin


def get_user(actor: User | None, user_id: int) -> User:
    require_self_or_admin(actor, user_id)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def list_users(actor: User | None, limit: int, offset: int, q: str | None = None) -> tuple[list[User], int]:
    require_admin(actor)
    query = select(User)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(User.email.like(pattern) | func.lower(User.display_name).like(pattern))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = db.session.scalars(
        query.options(selectinload(User.role_rows)).order_by(User.id).limit(limit).offset(offset)
    ).all()
    return list(users), total


def admin_create_user(actor: User | None, email: str, password: str, display_name: str, roles: list[str]) -> User:
    require_admin(actor)
    if find_user_by_email(email) is not None:
        raise Conflict("A user with this email exists already.", code="email_taken", fields={"email": "taken"})
    return create_user(email, password, display_name, set(_checked_roles(roles)))


def update_user(
    actor: User | None, user_id: int, *, email: str | None = None, display_name: str | None = None,
    password: str | None = None, current_password: str | None = None,
    keep_session: str | None = None, keep_token: str | None = None,
) -> User:
    """People change their own password or address only with their current password, and a new address
    only once the link mailed to it is opened; an admin may correct another person's directly.
    A new password ends the person's other sessions and tokens (`keep_*`: the actor's own)."""
    user = get_user(actor, user_id)
    own = actor.id == user.id
    new_email = normalise_email(email) if email is not None and normalise_email(email) != user.email else None
    if own and (password is not None or new_email is not None):
        require_current_password(user, current_password)
    if new_email is not None:
        if own:
            request_email_change(user, new_email)
        elif find_user_by_email(new_email) is not None:
            raise Conflict("A user with this email exists already.", code="email_taken", fields={"email": "taken"})
        else:
            user.email = new_email
    if display_name is not None:
        user.display_name = display_name.strip()
    if password is not None:
        replace_password(user, password, keep_session=keep_session if own else None,
                         keep_token=keep_token if own else None)
    db.session.flush()
    return user


def _checked_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationFailed(f"Unknown roles: {', '.join(unknown)}.", fields={"roles": f"allowed: {', '.join(ROLES)}"})
    return sorted(set(roles))


def _admin_count() -> int:
    return db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == "admin")) or 0


def set_roles(actor: User | None, user_id: int, roles: list[str]) -> User:
    require_admin(actor)
    wanted = set(_checked_roles(roles)) | {"attendee"}
    user = get_user(actor, user_id)
    if user.is_admin and "admin" not in wanted and _admin_count() <= 1:
        raise Conflict("This is the last admin; make someone else admin first.", code="last_admin")
    current = {row.role: row for row in user.role_rows}
    for role, row in current.items():
        if role not in wanted:
            user.role_rows.remove(row)
    for role in sorted(wanted - set(current)):
        user.role_rows.append(UserRole(role=role))
    db.session.flush()
    return user


def grant_role(user: User, role: str) -> None:
    if not user.has_role(role):
        user.role_rows.append(UserRole(role=role))


def delete_user(actor: User | None, user_id: int) -> None:
    require_admin(actor)
    user = get_user(actor, user_id)
    if user.is_admin and _admin_count() <= 1:
        raise Conflict("This is the last admin and cannot be deleted.", code="last_admin")
    hosted = list(db.session.scalars(select(Workshop).where(Workshop.host_id == user.id)))
    active = [w for w in hosted if w.status != "cancelled"]
    if active:
        raise Conflict(
            f"This user hosts {len(active)} workshop(s) that are not cancelled; give them another host or cancel "
            "them first.", code="user_hosts_workshops", fields={"workshop_ids": [w.id for w in active]},
        )
    for workshop in hosted:  # cancelled: no slots, nobody registered; they go with their host
        db.session.delete(workshop)
    db.session.delete(user)
    db.session.flush()
