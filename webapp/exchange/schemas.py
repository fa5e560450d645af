"""Schemas of the exchange routes."""
from __future__ import annotations

from ..schemas import Schema


class CalendarFeedOut(Schema):
    url: str | None
    webcal_url: str | None
