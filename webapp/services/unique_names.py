"""Checking that a name is free (without regard to case, see models/names.py) and keeping it so under races."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from ..extensions import db
from ..models.names import name_key
from .lookup import get_or_404
from .permissions import require_admin

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


@dataclass(frozen=True)
class UniqueName:
    """How one kind of row keeps its name unique without regard to case, within its scope (a convention's rooms,
    equipment and tracks; all capabilities): the check before writing, the table's key behind it, and the
    refusal a person reads either way."""

    model: type
    code: str  # the error code of a taken name, e.g. "location_name_taken"
    taken: str  # the refusal's words before the name: "This convention already has a room named"
    scope: str | None = "convention_id"  # the column a name is unique within; None: the whole table

    def conflict(self, name: str) -> Conflict:
        return Conflict(f"{self.taken} '{name}'; {SAME_NAME}.", code=self.code,
                        fields={"name": f"already used by '{name}'"})

    def require_free(self, name: str, scope_value: int | None = None, exclude_id: int | None = None) -> None:
        holder = holder_of_name(self.model, name, exclude_id, **({self.scope: scope_value} if self.scope else {}))
        if holder is not None:
            raise self.conflict(holder)

    def rename(self, row, name: str | None) -> None:
        """Give `row` the name `name` (when one is given and it differs), refusing one another row holds."""
        if name is not None and name != row.name:
            self.require_free(name, getattr(row, self.scope) if self.scope else None, exclude_id=row.id)
            row.name = name

    def flush(self, row) -> None:
        flush_keeping_names_unique(self.conflict(row.name))

    def add(self, row):
        """A new row, its name checked first and kept unique under races; flushed, so it has its id."""
        self.require_free(row.name, getattr(row, self.scope) if self.scope else None)
        db.session.add(row)
        self.flush(row)
        return row


def update_named_row(actor, rule: UniqueName, row_id: int, what: str, *, name: str | None = None, **changes):
    """The admins' edit of a row with a unique name and plain fields (equipment, a track, a capability): 404 for
    an unknown id, 409 when the new name is another row's; fields left None keep their value."""
    require_admin(actor)
    row = get_or_404(rule.model, row_id, what)
    rule.rename(row, name)
    for field, value in changes.items():
        if value is not None:
            setattr(row, field, value)
    rule.flush(row)
    return row
