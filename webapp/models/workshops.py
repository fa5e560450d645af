"""Workshops, who hosts them, what they need and teach, and when hosts can run them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import OwnedByUser, User, is_admin, signed_in_user
from .conventions import DESCRIPTION_MAX, TITLE_MAX, Capability, Convention, Location
from .tracks import Track
from .types import UTCDateTime, utcnow

WORKSHOP_STATUSES = ("draft", "published", "cancelled")
APPLICATION_STATUSES = ("pending", "approved", "rejected")

workshop_cohosts = sa.Table(
    "workshop_cohosts",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)
workshop_locations = sa.Table(
    "workshop_locations",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("location_id", sa.ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
)
workshop_prerequisites = sa.Table(
    "workshop_prerequisites",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("capability_id", sa.ForeignKey("capabilities.id", ondelete="CASCADE"), primary_key=True, index=True),
)
workshop_teaches = sa.Table(
    "workshop_teaches",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("capability_id", sa.ForeignKey("capabilities.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def run_seats(max_attendees: int, room_capacity: int) -> int:
    """Seats of one run: the workshop's limit, or fewer when its room holds fewer."""
    return max(0, min(max_attendees, room_capacity))


def seats_left(seats: int, registered: int) -> int:
    """Never below 0: a run moved to a smaller room can hold more people than seats."""
    return max(0, seats - registered)


class Workshop(db.Model):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    host_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    max_attendees: Mapped[int]
    duration_slots: Mapped[int] = mapped_column(default=1)
    runs: Mapped[int] = mapped_column(default=1)
    priority: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(16), default="published")
    track_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tracks.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    convention: Mapped[Convention] = relationship()
    host: Mapped[User] = relationship(foreign_keys=[host_id])
    track: Mapped[Track | None] = relationship()
    cohosts: Mapped[list[User]] = relationship(secondary=workshop_cohosts)
    allowed_locations: Mapped[list[Location]] = relationship(secondary=workshop_locations)
    prerequisites: Mapped[list[Capability]] = relationship(secondary=workshop_prerequisites)
    teaches: Mapped[list[Capability]] = relationship(secondary=workshop_teaches)
    equipment: Mapped[list[WorkshopEquipment]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("max_attendees >= 0", name="max_attendees_not_negative"),
        sa.CheckConstraint("duration_slots >= 1", name="duration_positive"),
        sa.CheckConstraint("runs >= 1", name="runs_positive"),
        sa.CheckConstraint(f"status IN {WORKSHOP_STATUSES!r}", name="status_known"),
        sa.CheckConstraint(f"length(title) <= {TITLE_MAX}", name="title_length"),
        sa.CheckConstraint(f"length(description) <= {DESCRIPTION_MAX}", name="description_length"),
    )

    def host_ids(self) -> list[int]:
        return [self.host_id] + [u.id for u in self.cohosts if u.id != self.host_id]

    # Access: admins see and change every workshop. Others see a workshop of a visible convention
    # when it is published, or when they host it (owner or co-host: a draft or a cancelled one is
    # its hosts' alone). Hosts edit and see who registered; only the owner (or an admin) deletes.
    # Each predicate has its SQL form beside it for lists.

    def is_hosted_by(self, actor) -> bool:
        """The owner or a co-host."""
        user = signed_in_user(actor)
        return user is not None and (user.id == self.host_id or any(u.id == user.id for u in self.cohosts))

    @classmethod
    def hosted_by(cls, user_id: int) -> sa.ColumnElement[bool]:
        """SQL form of `is_hosted_by` for one user id."""
        return sa.or_(cls.host_id == user_id, sa.exists().where(
            workshop_cohosts.c.workshop_id == cls.id, workshop_cohosts.c.user_id == user_id))

    def can_view(self, actor) -> bool:
        if is_admin(actor):
            return True
        return self.convention.can_view(actor) and (self.status == "published" or self.is_hosted_by(actor))

    @classmethod
    def visible_to(cls, actor) -> sa.ColumnElement[bool]:
        """SQL form of `can_view`."""
        if is_admin(actor):
            return sa.true()
        shown = cls.status == "published"
        user = signed_in_user(actor)
        if user is not None:
            shown = sa.or_(shown, cls.hosted_by(user.id))
        convention_shown = sa.select(Convention.id).where(Convention.visible_to(actor))
        return sa.and_(cls.convention_id.in_(convention_shown), shown)

    def can_edit(self, actor) -> bool:
        return is_admin(actor) or self.is_hosted_by(actor)

    can_manage = can_edit  # its attendee list, its placement

    def can_delete(self, actor) -> bool:
        user = signed_in_user(actor)
        return is_admin(user) or (user is not None and user.id == self.host_id)


class WorkshopEquipment(db.Model):
    __tablename__ = "workshop_equipment"

    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("equipment.id", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[int] = mapped_column(default=1)

    workshop: Mapped[Workshop] = relationship(back_populates="equipment")

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class HostAvailability(OwnedByUser, db.Model):
    """A window in which a host can run workshops; a host with none is always available."""

    __tablename__ = "host_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint('"end" > start', name="end_after_start"),
        sa.Index("ix_host_availability_user_convention", "user_id", "convention_id"),
    )


class HostApplication(db.Model):
    __tablename__ = "host_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    convention_id: Mapped[int | None] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"))
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    convention: Mapped[Convention | None] = relationship()

    __table_args__ = (sa.CheckConstraint(f"status IN {APPLICATION_STATUSES!r}", name="status_known"),)
