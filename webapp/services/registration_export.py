"""A convention's registrations as CSV, for admins: the one function every CSV download of them calls."""
from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from ..models import Convention
from .lookup import get_or_404
from .permissions import require_admin
from .registration import search_registrations

CSV_COLUMNS = ["name", "email", "status", "payment_reference", "registered_at"]
EXPORT_PAGE = 1000


def registrations_csv(actor, convention_id: int, status: str | None = None, q: str | None = None) -> str:
    """Every registration the filters match (all of them by default), one row a person, times in the
    convention's time zone. Cells that a spreadsheet would run as a formula are quoted with a '."""
    require_admin(actor)
    con = get_or_404(Convention, convention_id, "convention")
    zone = ZoneInfo(con.timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    offset = 0
    while True:
        views, total = search_registrations(actor, convention_id, status=status, q=q, limit=EXPORT_PAGE, offset=offset)
        for view in views:
            reg = view.registration
            writer.writerow([spreadsheet_cell(view.user.display_name), spreadsheet_cell(view.user.email),
                             reg.status,
                             spreadsheet_cell(reg.payment_reference or ""),
                             reg.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")])
        offset += len(views)
        if not views or offset >= total:
            return out.getvalue()


def spreadsheet_cell(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is written with a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
