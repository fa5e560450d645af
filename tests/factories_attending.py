"""Rows for the attending tests: placed runs, held capabilities (straight through the models)."""
from __future__ import annotations

from datetime import datetime, timedelta

from webapp.extensions import db
from webapp.models import EventSlot, Location, UserCapability, Workshop

from . import factories


def run(ws: Workshop, loc: Location, start: datetime, slots: int = 1, run_index: int = 0,
        minutes: int = 60) -> list[EventSlot]:
    """Place run `run_index` of `ws` in `slots` consecutive new slots of `loc` from `start`."""
    rows = factories.slots(loc, count=slots, start=start, minutes=minutes)
    factories.place(ws, rows, run_index=run_index)
    return rows


def hold(user, capability, source: str = "declared") -> UserCapability:
    row = UserCapability(user_id=user.id, capability_id=capability.id, source=source)
    db.session.add(row)
    db.session.flush()
    return row


def at(hours: float) -> datetime:
    return factories.T0 + timedelta(hours=hours)
