"""What schedule exchange remembers: personal calendar feeds, what each calendar client was last told
about a run (for iCalendar's SEQUENCE), and which imported event became which workshop."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

SOURCE_KEY_MAX = 200


class CalendarFeed(db.Model):
    """A person's secret feed address; rotating it replaces the secret, so the old address stops working."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarRunState(db.Model):
    """Where a run was when a calendar last showed it, and its SEQUENCE there: a run that moved since
    gets the next number, so calendar clients replace the old time instead of keeping it."""

    __tablename__ = "calendar_run_states"

    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    run_index: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int]
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(default=0)


class ImportedEvent(db.Model):
    """An event of an imported schedule file and the workshop made of it: importing the file again finds
    the workshop by the event's guid (or its id when the file has no guids) instead of making another."""

    __tablename__ = "imported_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"))
    source_key: Mapped[str] = mapped_column(sa.String(SOURCE_KEY_MAX))
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True)

    workshop: Mapped["Workshop"] = relationship()  # noqa: F821  (resolved by name: workshops imports accounts)

    __table_args__ = (sa.UniqueConstraint("convention_id", "source_key"),)
