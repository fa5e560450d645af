"""Checking that a name is free (without regard to case, see models/names.py) and keeping it so under races."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from ..extensions import db
from ..models.names import name_key

SAME_NAME = "names that differ only in upper and lower case count as the same"
UNIQUE_VIOLATION = {"postgresql": "23505", "sqlite": "SQLITE_CONSTRAINT_UNIQUE"}


def holder_of_name(model, name: str, exclude_id: int | None = None, **scope) -> str | None:
    """The name of the row of `model` (within `scope`, e.g. convention_id=3) whose name equals `name` without
    regard to case, or None."""
    query = select(model.name).where(model.name_key == name_key(name),
                                     *(getattr(model, column) == value for column, value in scope.items()))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1))


def is_unique_violation(error: IntegrityError) -> bool:
    driver_error = error.orig
    return UNIQUE_VIOLATION.get(db.session.get_bind().dialect.name) in (
        getattr(driver_error, "sqlstate", None), getattr(driver_error, "sqlite_errorname", None))


def flush_keeping_names_unique(conflict: Conflict) -> None:
    """Flush; when a parallel request took the name after our check, the table's unique key refuses the row
    and this raises `conflict` (a 409; the error handler rolls back), not a 500."""
    try:
        db.session.flush()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise conflict from None
