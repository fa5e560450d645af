"""A convention and its physical frame: locations, time slots, equipment and the skills catalogue."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import is_admin
from .names import CaseInsensitiveName
from .types import UTCDateTime, utcnow

CONVENTION_STATUSES = ("draft", "open", "closed")
SEAT_MODES = ("first_come", "allocation")  # how workshop seats are given (issue 16, services/allocation_runs.py)
MAX_PARTY_SIZE = 20
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000


class Convention(db.Model):
    __tablename__ = "conventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    registration_fee: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), default=Decimal("0"))
    # How to pay the fee (bank details, a payment link), shown to attendees before and after they register
    payment_instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped in the same transaction as any change the schedule grid shows (services/schedule_versions.py)
    schedule_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # when schedule_version last moved: the Last-Modified of the convention's published schedule files
    schedule_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seat allocation: 'first_come' (register directly) or 'allocation' (ranked wishes until an admin's
    # allocation is accepted, then first come for what is left); a wish's party is at most max_party_size
    seat_mode: Mapped[str] = mapped_column(sa.String(16), default="first_come", server_default="first_come")
    max_party_size: Mapped[int] = mapped_column(default=1, server_default="1")

    locations: Mapped[list[Location]] = relationship(back_populates="convention", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint(f"status IN {CONVENTION_STATUSES!r}", name="status_known"),
        sa.CheckConstraint("registration_fee >= 0", name="fee_not_negative"),
        sa.CheckConstraint(f"seat_mode IN {SEAT_MODES!r}", name="seat_mode_known"),
        sa.CheckConstraint(f"max_party_size BETWEEN 1 AND {MAX_PARTY_SIZE}", name="max_party_size_range"),
    )

    # Access: a draft is an admin's alone (everyone else is told it does not exist); only admins
    # change, delete or run a convention. Each predicate has its SQL form beside it for lists.

    @staticmethod
    def status_visible(status: str, actor) -> bool:
        """`can_view` for a convention known only by its status (a cached grid reads no row)."""
        return status != "draft" or is_admin(actor)

    def can_view(self, actor) -> bool:
        return Convention.status_visible(self.status, actor)

    @classmethod
    def visible_to(cls, actor) -> sa.ColumnElement[bool]:
        """SQL form of `can_view`."""
        return sa.true() if is_admin(actor) else cls.status != "draft"

    def can_manage(self, actor) -> bool:
        return is_admin(actor)

    can_edit = can_delete = can_manage


class Location(CaseInsensitiveName, db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    capacity: Mapped[int]

    convention: Mapped[Convention] = relationship(back_populates="locations")
    equipment: Mapped[list[LocationEquipment]] = relationship(
        back_populates="location", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.UniqueConstraint("convention_id", "name_key"),
        # Target of event_slots' composite key: a slot's convention must be its room's convention.
        sa.UniqueConstraint("id", "convention_id", name="uq_locations_id_convention"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )


class Equipment(CaseInsensitiveName, db.Model):
    """An item with a pool quantity per convention that moves between rooms."""

    __tablename__ = "equipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    quantity: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("convention_id", "name_key"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )


class LocationEquipment(db.Model):
    """Equipment fixed in a room (a projector bolted to the ceiling)."""

    __tablename__ = "location_equipment"

    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("equipment.id", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[int] = mapped_column(default=1)

    location: Mapped[Location] = relationship(back_populates="equipment")
    item: Mapped[Equipment] = relationship()

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class Capability(CaseInsensitiveName, db.Model):
    """A named skill: a workshop may require it or teach it; attendees hold it."""

    __tablename__ = "capabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.UniqueConstraint("name_key"),)


class EventSlot(db.Model):
    """A time slot in one room; a workshop run occupies one or more consecutive slots."""

    __tablename__ = "event_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column()
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    workshop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workshops.id", ondelete="SET NULL"), index=True)
    run_index: Mapped[int | None]

    location: Mapped[Location] = relationship(
        primaryjoin="EventSlot.location_id == Location.id", foreign_keys=[location_id], viewonly=True
    )

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["location_id", "convention_id"],
            ["locations.id", "locations.convention_id"],
            ondelete="CASCADE",
            name="fk_event_slots_location_convention",
        ),
        sa.UniqueConstraint("location_id", "start"),
        sa.CheckConstraint('"end" > start', name="end_after_start"),
        sa.CheckConstraint(
            "(workshop_id IS NULL AND run_index IS NULL) OR (workshop_id IS NOT NULL AND run_index >= 0)",
            name="run_index_with_workshop",
        ),
        sa.Index("ix_event_slots_convention_start", "convention_id", "start"),
    )
