"""Who comes: convention registrations, workshop selections and the skills attendees hold."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import OwnedByUser
from .types import UTCDateTime, utcnow

REGISTRATION_STATUSES = ("signed_up", "pending_payment", "registered", "cancelled")
SELECTION_STATUSES = ("interested", "registered", "waitlisted", "cancelled")
CAPABILITY_SOURCES = ("declared", "granted")
REQUEST_STATUSES = ("pending", "granted", "refused")


class ConventionRegistration(db.Model):
    __tablename__ = "convention_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="signed_up")
    payment_reference: Mapped[str | None] = mapped_column(sa.String(200))
    # seat allocation: how many workshops this attendee wants at most (None: as many as they wish for)
    max_workshops: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "convention_id"),
        sa.CheckConstraint(f"status IN {REGISTRATION_STATUSES!r}", name="status_known"),
        sa.CheckConstraint("max_workshops IS NULL OR max_workshops >= 1", name="max_workshops_positive"),
    )


class Selection(OwnedByUser, db.Model):
    """One attendee's interest in, registration for, or place in the queue of one workshop.

    One row per (user, workshop): interest turns into a registration for a run (the run's
    first slot) or a waitlist place; `queued_at` orders the waitlist.
    """

    __tablename__ = "selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    event_slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_slots.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default="interested")
    rank: Mapped[int | None]
    # seats taken together (a parent with children): a wish for a party, then its registration
    party_size: Mapped[int] = mapped_column(default=1, server_default="1")
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "workshop_id"),
        sa.CheckConstraint(f"status IN {SELECTION_STATUSES!r}", name="status_known"),
        sa.CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        sa.CheckConstraint("party_size >= 1", name="party_size_positive"),
        sa.Index("ix_selections_slot_status", "event_slot_id", "status"),
    )


class UserCapability(db.Model):
    __tablename__ = "user_capabilities"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    capability_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capabilities.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(sa.String(16), default="declared")
    granted_by_workshop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workshops.id", ondelete="SET NULL"))

    __table_args__ = (sa.CheckConstraint(f"source IN {CAPABILITY_SOURCES!r}", name="source_known"),)


class CapabilityRequest(OwnedByUser, db.Model):
    """A person asks for a capability (a skill a workshop needs); an admin grants or refuses it.
    Granting records a `UserCapability`; the request stays as the answer the person reads."""

    __tablename__ = "capability_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    capability_id: Mapped[int] = mapped_column(sa.ForeignKey("capabilities.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str] = mapped_column(sa.Text, default="")

    user = relationship("User", foreign_keys=[user_id])
    capability = relationship("Capability")

    __table_args__ = (sa.CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status_known"),)
