"""Load, check, act: the one loader every service and page uses for a row with access rules.

The rules themselves are methods on the models (`can_view`, `can_edit`, `can_delete`,
`can_manage`, each with its SQL form `visible_to` beside it); this module only applies them.
What the actor may not see does not exist for them (404, the same answer as a wrong id), so
a hidden draft is never revealed; what they may see but not change is a 403.
"""
from __future__ import annotations

from typing import Literal, TypeVar

from ..errors import Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models.accounts import is_admin, signed_in_user
from ..models.types import MAX_ID
from .lookup import get_or_404
from .permissions import require_signed_in

M = TypeVar("M")
Need = Literal["view", "edit", "delete", "manage"]

__all__ = ["Need", "find_visible", "is_admin", "load", "require_access", "signed_in_user"]


def _name(model: type, what: str | None) -> str:
    return what or model.__name__.lower()


def require_access(actor, row: M, need: Need = "view", *, what: str | None = None,
                   refusal: str | None = None) -> M:
    """`row` when the actor may do `need` to it: NotFound when they may not even see it,
    Unauthorized (sign in first) or Forbidden (`refusal`) when they may see but not `need`."""
    if not row.can_view(actor):
        raise NotFound(f"No {_name(type(row), what)} {row.id}.", fields={"id": row.id})
    if need != "view" and not getattr(row, f"can_{need}")(actor):
        require_signed_in(actor)
        raise Forbidden(refusal or f"You may not {need} this {_name(type(row), what)}.")
    return row


def load(actor, model: type[M], row_id: int, need: Need = "view", *, what: str | None = None,
         refusal: str | None = None, for_update: bool = False) -> M:
    """The row by id when the actor may do `need` to it (see `require_access`)."""
    row = get_or_404(model, row_id, what, for_update=for_update)
    return require_access(actor, row, need, what=what, refusal=refusal)


def find_visible(actor, model: type[M], row_id: int, field: str) -> M:
    """A row a request body refers to by id (`field`): unknown or hidden is the field's error (422)."""
    row = db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if row is None or not row.can_view(actor):
        raise ValidationFailed(f"Unknown {_name(model, None)}.", fields={field: f"unknown: {row_id}"})
    return row
