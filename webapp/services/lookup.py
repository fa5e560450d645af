"""Loading rows by id for services: a missing row is a 404 with a readable message."""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models.types import MAX_ID

M = TypeVar("M")


def get_or_404(model: type[M], row_id: int, what: str | None = None, *, for_update: bool = False) -> M:
    options = {"with_for_update": True} if for_update else {}
    row = db.session.get(model, row_id, **options) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"No {what or model.__name__.lower()} {row_id}.", fields={"id": row_id})
    return row


def require_name_free(model, convention_id: int, name: str, *, code: str, what: str,
                      exclude_id: int | None = None) -> None:
    """A convention's rooms, equipment and tracks each have names unique ignoring case: 409 naming `name`."""
    query = select(model.id).where(model.convention_id == convention_id, func.lower(model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Conflict(f"This convention has {what} named '{name}' already.", code=code, fields={"name": "taken"})
