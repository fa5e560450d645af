"""An attendee's ranked wishes in a convention that gives seats by allocation (issue 16).

A wish is an interest (`Selection` in status 'interested') with a rank and a party size; the list is kept
ranked 1..n without gaps. Adding, reordering and removing go through `attending.show_interest` and
`attending.cancel_selection`, so the attending rules (published workshop, open convention, a registration)
and the freeze while an allocation runs (`seat_mode.require_wishes_open`, 409) hold here too.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import Convention, ConventionRegistration, Selection, Workshop
from .access import load
from .attending import cancel_selection, show_interest
from .permissions import require_signed_in
from .seat_mode import require_wishes_open

MAX_WISHES = 10  # as many as the ranks an interest can carry (attending schemas: MAX_RANK)


@dataclass(frozen=True)
class WishView:
    selection: Selection
    workshop: Workshop

    @property
    def rank(self) -> int:
        return self.selection.rank or 0


@dataclass(frozen=True)
class WishList:
    convention: Convention
    wishes: list[WishView]
    max_workshops: int | None
    registration: ConventionRegistration | None


def _allocation_convention(actor, convention_id: int) -> Convention:
    con = load(actor, Convention, convention_id)
    if con.seat_mode != "allocation":
        raise Conflict(f"'{con.name}' gives seats first come, first served: register for a run directly.",
                       code="not_allocation_mode")
    return con


def _ranked(user_id: int, convention_id: int) -> list[WishView]:
    rows = db.session.execute(
        select(Selection, Workshop).join(Workshop, Workshop.id == Selection.workshop_id)
        .where(Selection.user_id == user_id, Workshop.convention_id == convention_id,
               Selection.status == "interested")
        .order_by(Selection.rank.is_(None), Selection.rank, Selection.id)
        .execution_options(populate_existing=True)).all()
    return [WishView(selection, workshop) for selection, workshop in rows]


def _renumber(wishes: list[WishView]) -> None:
    for rank, wish in enumerate(wishes, start=1):
        if wish.selection.rank != rank:
            wish.selection.rank = rank
    db.session.flush()


def _registration(user_id: int, convention_id: int) -> ConventionRegistration | None:
    return db.session.scalar(select(ConventionRegistration).where(
        ConventionRegistration.user_id == user_id, ConventionRegistration.convention_id == convention_id))


def my_wishes(actor, convention_id: int) -> WishList:
    user = require_signed_in(actor)
    con = load(user, Convention, convention_id)
    registration = _registration(user.id, con.id)
    return WishList(con, _ranked(user.id, con.id), registration.max_workshops if registration else None, registration)


def _check_party(con: Convention, party_size: int) -> None:
    if not 1 <= party_size <= con.max_party_size:
        raise ValidationFailed(f"A party at '{con.name}' is 1 to {con.max_party_size} seats.",
                               fields={"party_size": f"between 1 and {con.max_party_size}"})


def add_wish(actor, workshop_id: int, party_size: int = 1) -> WishView:
    """Add a workshop at the end of the actor's wishes (or change the party of a wish already there)."""
    user = require_signed_in(actor)
    workshop = load(user, Workshop, workshop_id)
    con = _allocation_convention(user, workshop.convention_id)
    _check_party(con, party_size)
    wishes = _ranked(user.id, con.id)
    existing = next((w for w in wishes if w.workshop.id == workshop_id), None)
    if existing is None and len(wishes) >= MAX_WISHES:
        raise Conflict(f"You have {MAX_WISHES} wishes already; remove one first.", code="too_many_wishes")
    view, _ = show_interest(user, workshop_id, existing.rank if existing else len(wishes) + 1)
    if view.selection.status != "interested":
        raise Conflict(f"You already have a place in '{workshop.title}'.", code="already_registered")
    view.selection.party_size = party_size
    _renumber(_ranked(user.id, con.id))
    return WishView(view.selection, workshop)


def _own_wish(actor, selection_id: int) -> tuple[Convention, list[WishView], int]:
    user = require_signed_in(actor)
    row = load(user, Selection, selection_id, "edit", refusal="This is another attendee's wish.")
    workshop = db.session.get(Workshop, row.workshop_id)
    con = _allocation_convention(user, workshop.convention_id)
    require_wishes_open(con)
    wishes = _ranked(row.user_id, con.id)
    index = next((i for i, w in enumerate(wishes) if w.selection.id == row.id), None)
    if index is None:
        raise Conflict(f"'{workshop.title}' is not among your wishes any more.", code="not_a_wish")
    return con, wishes, index


def move_wish(actor, selection_id: int, direction: str) -> list[WishView]:
    """Move a wish one place up (more wanted) or down."""
    _, wishes, index = _own_wish(actor, selection_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(wishes):
        wishes[index], wishes[other] = wishes[other], wishes[index]
    _renumber(wishes)
    return wishes


def set_party(actor, selection_id: int, party_size: int) -> WishView:
    con, wishes, index = _own_wish(actor, selection_id)
    _check_party(con, party_size)
    wishes[index].selection.party_size = party_size
    db.session.flush()
    return wishes[index]


def remove_wish(actor, selection_id: int) -> list[WishView]:
    con, wishes, index = _own_wish(actor, selection_id)
    cancel_selection(actor, wishes[index].selection.id)
    rest = wishes[:index] + wishes[index + 1:]
    _renumber(rest)
    return rest


def set_max_workshops(actor, convention_id: int, max_workshops: int | None) -> int | None:
    """How many workshops the actor wants at most in this convention (None: as many as they get)."""
    user = require_signed_in(actor)
    con = _allocation_convention(user, convention_id)
    if max_workshops is not None and not 1 <= max_workshops <= MAX_WISHES:
        raise ValidationFailed(f"At most 1 to {MAX_WISHES} workshops, or no limit.",
                               fields={"max_workshops": f"between 1 and {MAX_WISHES}, or empty"})
    require_wishes_open(con)
    registration = _registration(user.id, con.id)
    if registration is None or registration.status == "cancelled":
        raise Conflict(f"Register for convention '{con.name}' first.", code="convention_registration_required")
    registration.max_workshops = max_workshops
    db.session.flush()
    return max_workshops


def replace_wishes(actor, convention_id: int, items: list[tuple[int, int]], max_workshops: int | None) -> WishList:
    """The whole list at once (the JSON API): `items` are (workshop id, party size), most wanted first;
    wishes not named are removed."""
    user = require_signed_in(actor)
    con = _allocation_convention(user, convention_id)
    if len(items) > MAX_WISHES:
        raise ValidationFailed(f"At most {MAX_WISHES} wishes.", fields={"items": f"at most {MAX_WISHES}"})
    if len({workshop_id for workshop_id, _ in items}) != len(items):
        raise ValidationFailed("A workshop is named twice.", fields={"items": "each workshop once"})
    require_wishes_open(con)
    set_max_workshops(user, con.id, max_workshops)
    wanted = {workshop_id for workshop_id, _ in items}
    for wish in _ranked(user.id, con.id):
        if wish.workshop.id not in wanted:
            cancel_selection(user, wish.selection.id)
    for rank, (workshop_id, party_size) in enumerate(items, start=1):
        workshop = db.session.get(Workshop, workshop_id)
        if workshop is None or workshop.convention_id != con.id or not workshop.can_view(user):
            raise ValidationFailed("Unknown workshop in this convention.", fields={"items": f"unknown: {workshop_id}"})
        _check_party(con, party_size)
        view, _ = show_interest(user, workshop_id, rank)
        if view.selection.status != "interested":
            raise Conflict(f"You already have a place in '{workshop.title}'.", code="already_registered")
        view.selection.party_size = party_size
    _renumber(_ranked(user.id, con.id))
    return my_wishes(user, con.id)
