"""Tracks: how a convention groups its workshops (FOSDEM's devrooms, a CCC track, EMF's workshop types)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .conventions import TITLE_MAX
from .names import CaseInsensitiveName

DEFAULT_COLOUR = "#6b7280"


class Track(CaseInsensitiveName, db.Model):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(sa.ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    # stored lower-cased, as `#rrggbb`, so comparing and exporting never has to normalise it
    colour: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_COLOUR)

    __table_args__ = (
        sa.UniqueConstraint("convention_id", "name_key"),
        sa.CheckConstraint("length(colour) = 7", name="colour_rrggbb"),
    )
