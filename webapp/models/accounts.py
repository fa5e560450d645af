"""People and how they prove who they are: users, roles, API tokens, identities, reset tokens."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

ROLES = ("admin", "host", "attendee")
EMAIL_MAX = 254
NAME_MAX = 100


def signed_in_user(actor) -> User | None:
    """The actor as a user when someone is signed in; None for the anonymous visitor (or no actor)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def is_admin(actor) -> bool:
    """The one admin test every access rule uses; the anonymous visitor is never an admin."""
    user = signed_in_user(actor)
    return user is not None and user.is_admin


class OwnedByUser:
    """Access for a row that is one person's own (`user_id`: their selection, their availability
    window): its owner and admins change it, anyone else is refused (403: an id reveals nothing)."""

    def can_view(self, actor) -> bool:
        return True

    def can_edit(self, actor) -> bool:
        user = signed_in_user(actor)
        return is_admin(user) or (user is not None and user.id == self.user_id)

    can_delete = can_edit


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the service, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # An address the user asked to change to; it applies once the link mailed to it is opened.
    pending_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @property
    def roles(self) -> list[str]:
        return sorted(r.role for r in self.role_rows)

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.role_rows)

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def may_host(self) -> bool:
        """Hosts, and admins (who may do whatever a host does)."""
        return self.has_role("host") or self.is_admin

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (sa.CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no usable token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """A signed-in browser. The session cookie carries its token, so the server can end it: on
    sign-out, and for every browser of a user whose password changes."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class OAuthIdentity(db.Model):
    __tablename__ = "oauth_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("provider", "subject"),)


class PasswordResetToken(db.Model):
    """Records each issued reset token so that it can be used once only."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(db.Model):
    """Every mail Slotwise sends; kept for admins to read when no SMTP server is configured."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(sa.String(500))
