"""Times as people read them: in the convention's time zone, in a human format, never ISO or UTC.

Every message, mail and page that names a moment formats it here."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MOMENT = "%a %d %b %H:%M"  # Sat 01 May 15:00


def local_moment(moment: datetime, zone: str, pattern: str = MOMENT) -> str:
    """A stored (UTC) instant as wall-clock time in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)


def local_span(start: datetime, end: datetime, zone: str) -> str:
    """"Sat 01 May 15:00–16:00", with the end's day named only when it differs."""
    first, last = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    end_pattern = "%H:%M" if first.date() == last.date() else MOMENT
    return f"{first.strftime(MOMENT)}–{last.strftime(end_pattern)}"
