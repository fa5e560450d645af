"""Loading rows by id for services: a missing row is a 404 with a readable message."""
from __future__ import annotations

from typing import TypeVar

from ..errors import NotFound
from ..extensions import db
from ..models.types import MAX_ID

M = TypeVar("M")


def get_or_404(model: type[M], row_id: int, what: str | None = None, *, for_update: bool = False) -> M:
    options = {"with_for_update": True} if for_update else {}
    row = db.session.get(model, row_id, **options) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"No {what or model.__name__.lower()} {row_id}.", fields={"id": row_id})
    return row

