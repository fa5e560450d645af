"""What workshop and host forms read that no schema can: a local date and time input."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_datetime(value: str, zone: str) -> datetime | None:
    """An <input type="datetime-local"> value read in the convention's time zone; None when unreadable."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return None
    return naive.replace(tzinfo=ZoneInfo(zone))
