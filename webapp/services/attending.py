"""Attending: interest in workshops, registration for a run with capacity and a waitlist, schedules.

A *run* is the slots holding one (workshop, run_index), in one room; it is named by its first
slot, which is what `Selection.event_slot_id` points at. A run seats min(workshop.max_attendees,
room capacity). Everything that counts seats and then takes or frees one first locks the run's
first slot row (`_lock_runs`): SELECT ... FOR UPDATE on PostgreSQL; on SQLite a no-op UPDATE that
takes the database's single write lock, so the count and the write happen under one lock, in the
request's one transaction.

Decisions:
- interest needs a convention registration that is not cancelled (paying may come later);
  registering for a run needs the convention registration in status `registered`;
- the clash check looks at the attendee's registered AND waitlisted runs, so that moving up
  from a waitlist can never put someone in two places at once;
- a free seat goes to the waitlist first (`_fill_free_seats`), so nobody jumps the queue when a
  capacity grows;
- moving a registration to another run (PUT) needs a free seat there; otherwise 409 `run_full`
  and the attendee keeps the seat they have.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import (
    Capability, Convention, ConventionRegistration, EventSlot, Location, Selection, User, UserCapability,
    Workshop, utcnow,
)
from ..models.workshops import run_seats, workshop_teaches
from .access import find_visible, load
from .locks import lock_rows
from .lookup import get_or_404
from .local_time import local_span
from .mail import send_mail
from .permissions import require_self_or_admin, require_signed_in
from .seat_mode import require_first_come, require_wishes_open

ACTIVE = ("registered", "waitlisted")


# views handed to the serializers --------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    workshop_id: int
    run_index: int
    slot_ids: tuple[int, ...]
    start: datetime
    end: datetime
    location_id: int
    location_name: str
    location_capacity: int

    @property
    def first_slot_id(self) -> int:
        return self.slot_ids[0]

    def seats(self, workshop: Workshop) -> int:
        return run_seats(workshop.max_attendees, self.location_capacity)

    def overlaps(self, other: Run) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class SelectionView:
    selection: Selection
    workshop_title: str
    convention_id: int
    waitlist_position: int | None


@dataclass(frozen=True)
class WorkshopAttendee:
    selection: Selection
    user: User
    waitlist_position: int | None


@dataclass(frozen=True)
class ScheduleEntry:
    selection_id: int
    workshop_id: int
    workshop_title: str
    convention_id: int
    run: Run


@dataclass(frozen=True)
class CapabilityView:
    capability: Capability
    source: str
    granted_by_workshop_id: int | None
    earned_at: datetime | None


@dataclass(frozen=True)
class AttendeeView:
    registration: ConventionRegistration
    user: User
    full: bool  # admins see payment references; hosts do not


# loading and checking -------------------------------------------------------------------------


def require_open(con: Convention) -> None:
    if con.status != "open":
        raise Conflict(f"Convention '{con.name}' is {con.status}, not open for registration.",
                       code="convention_not_open")


def _visible_workshop(actor, workshop_id: int) -> tuple[Workshop, Convention]:
    workshop = load(actor, Workshop, workshop_id)
    return workshop, workshop.convention


def _require_attendable(workshop: Workshop, con: Convention) -> None:
    require_open(con)
    if workshop.status != "published":
        raise Conflict(f"Workshop '{workshop.title}' is {workshop.status}; attendees cannot sign up for it.",
                       code="workshop_not_published")


def _convention_registration(user_id: int, convention_id: int, *, share_lock: bool = False):
    query = select(ConventionRegistration).where(
        ConventionRegistration.user_id == user_id, ConventionRegistration.convention_id == convention_id
    ).execution_options(populate_existing=True)
    if share_lock:
        # Taken before any run lock, in the same order as cancelling a convention registration
        # (registration, then runs), so the two cannot deadlock on PostgreSQL.
        query = query.with_for_update(read=True)
    return db.session.scalar(query)


def _require_registered(user_id: int, con: Convention, *, share_lock: bool = False) -> None:
    reg = _convention_registration(user_id, con.id, share_lock=share_lock)
    if reg is None or reg.status != "registered":
        state = "you are not registered" if reg is None else f"your registration is {reg.status.replace('_', ' ')}"
        raise Conflict(
            f"Workshops need a completed registration for convention '{con.name}'; {state}.",
            code="convention_registration_required",
        )


def _require_not_cancelled_registration(user_id: int, con: Convention) -> None:
    reg = _convention_registration(user_id, con.id)
    if reg is None or reg.status == "cancelled":
        raise Conflict(f"Register for convention '{con.name}' first to show interest in its workshops.",
                       code="convention_registration_required")


def _lock_runs(first_slot_ids) -> None:
    """Serialise seat counting for these runs until the transaction ends (see module doc)."""
    lock_rows(EventSlot.__table__, first_slot_ids)


def runs_of_workshops(workshop_ids) -> dict[int, Run]:
    """Every placed run of these workshops, keyed by first slot id (one query)."""
    ids = set(workshop_ids)
    if not ids:
        return {}
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for slot, name, capacity in db.session.execute(
        select(EventSlot, Location.name, Location.capacity)
        .join(Location, Location.id == EventSlot.location_id)
        .where(EventSlot.workshop_id.in_(ids))
        .execution_options(populate_existing=True)
    ):
        groups[(slot.workshop_id, slot.run_index)].append((slot, name, capacity))
    runs = {}
    for (workshop_id, run_index), members in groups.items():
        members.sort(key=lambda m: m[0].start)
        first, name, capacity = members[0]
        run = Run(workshop_id, run_index, tuple(m[0].id for m in members), first.start,
                  max(m[0].end for m in members), first.location_id, name, capacity)
        runs[run.first_slot_id] = run
    return runs


def _run_for_slot(workshop: Workshop, event_slot_id: int) -> Run:
    slot = db.session.get(EventSlot, event_slot_id)
    if slot is None:
        raise ValidationFailed("Unknown event slot.", fields={"event_slot_id": f"unknown: {event_slot_id}"})
    if slot.workshop_id != workshop.id:
        raise ValidationFailed(
            f"Slot {event_slot_id} does not hold a run of workshop '{workshop.title}'.",
            fields={"event_slot_id": f"not a slot of workshop {workshop.id}"},
        )
    runs = runs_of_workshops([workshop.id])
    run = runs.get(event_slot_id)
    if run is None:
        first = next(r.first_slot_id for r in runs.values() if event_slot_id in r.slot_ids)
        raise ValidationFailed(
            f"Slot {event_slot_id} is not the first slot of its run; the run starts with slot {first}.",
            fields={"event_slot_id": f"not the first slot of a run (use {first})"},
        )
    return run


def _seat_counts(first_slot_id: int) -> tuple[int, int]:
    """(registered, waitlisted) seats in a run, in one query (a party counts its seats)."""
    counts = dict(db.session.execute(
        select(Selection.status, func.sum(Selection.party_size)).where(
            Selection.event_slot_id == first_slot_id, Selection.status.in_(ACTIVE)
        ).group_by(Selection.status)
    ).all())
    return int(counts.get("registered") or 0), int(counts.get("waitlisted") or 0)


def _fill_free_seats(run: Run, workshop: Workshop) -> list[Selection]:
    """Promote the longest-waiting attendees into free seats of a locked run, and tell them."""
    return _fill_and_count(run, workshop)[0]


def _fill_and_count(run: Run, workshop: Workshop) -> tuple[list[Selection], int]:
    """`_fill_free_seats`, and how many are registered in the run afterwards."""
    registered, waiting = _seat_counts(run.first_slot_id)
    free = run.seats(workshop) - registered
    if free <= 0 or not waiting:
        return [], registered
    promoted = []
    for row in db.session.scalars(
        select(Selection)
        .where(Selection.event_slot_id == run.first_slot_id, Selection.status == "waitlisted")
        .order_by(Selection.queued_at, Selection.id)
        .limit(free)
        .execution_options(populate_existing=True)
    ):
        if row.party_size > free:
            break  # a party moves up whole, and nobody passes it in the queue
        free -= row.party_size
        promoted.append(row)
    if not promoted:
        return [], registered
    for row in promoted:
        row.status = "registered"
    db.session.flush()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r.user_id for r in promoted])))}
    zone = db.session.get(Convention, workshop.convention_id).timezone
    for row in promoted:
        user = users[row.user_id]
        send_mail(
            user.email,
            f"You have a seat in '{workshop.title}'"[:200],
            f"Hello {user.display_name},\n\nA seat freed up in '{workshop.title}' "
            f"({local_span(run.start, run.end, zone)}, {run.location_name}) and it is yours now: "
            "you moved up from the waitlist and are registered.\n\nIf you cannot come, cancel the "
            "registration so the next person on the waitlist gets the seat.",
        )
    return promoted, registered + sum(row.party_size for row in promoted)


def _user_runs(user_id: int, statuses=ACTIVE, exclude_workshop_id: int | None = None) -> list[tuple[Selection, Run]]:
    query = select(Selection).where(
        Selection.user_id == user_id, Selection.status.in_(statuses), Selection.event_slot_id.is_not(None)
    )
    if exclude_workshop_id is not None:
        query = query.where(Selection.workshop_id != exclude_workshop_id)
    rows = list(db.session.scalars(query.execution_options(populate_existing=True)))
    runs = runs_of_workshops({r.workshop_id for r in rows})
    return [(r, runs[r.event_slot_id]) for r in rows if r.event_slot_id in runs]


def _missing_prerequisites(user_id: int, workshop: Workshop, run: Run, without_selection_id: int | None = None
                           ) -> set[int]:
    """The workshop's prerequisites the person neither holds nor learns in a registered run that ends before
    `run` starts (leaving out the selection `without_selection_id`, as if it were cancelled)."""
    needed = {c.id for c in workshop.prerequisites}
    if not needed:
        return set()
    held = set(db.session.scalars(
        select(UserCapability.capability_id).where(
            UserCapability.user_id == user_id, UserCapability.capability_id.in_(needed)
        )
    ))
    missing = needed - held
    if missing:
        earlier = [(sel, r) for sel, r in _user_runs(user_id, ("registered",))
                   if r.end <= run.start and sel.id != without_selection_id]
        if earlier:
            taught = db.session.execute(
                select(workshop_teaches.c.workshop_id, workshop_teaches.c.capability_id).where(
                    workshop_teaches.c.workshop_id.in_({sel.workshop_id for sel, _ in earlier}),
                    workshop_teaches.c.capability_id.in_(missing),
                )
            ).all()
            missing -= {capability_id for _, capability_id in taught}
    return missing


def _check_prerequisites(user_id: int, workshop: Workshop, run: Run) -> None:
    missing = _missing_prerequisites(user_id, workshop, run)
    if missing:
        needed = {c.id: c for c in workshop.prerequisites}
        names = ", ".join(f"{needed[i].name}" for i in sorted(missing))
        raise Conflict(
            f"'{workshop.title}' needs {names}: ask for it on your skills page if you have it, or register for "
            "an earlier run of a workshop that teaches it.",
            code="missing_prerequisites",
            fields={"prerequisite_ids": "missing: " + ", ".join(f"{i} ({needed[i].name})" for i in sorted(missing)),
                    "missing_capability_ids": sorted(missing)},
        )


def _check_clash(user_id: int, workshop: Workshop, run: Run) -> None:
    for sel, other in _user_runs(user_id, ACTIVE, exclude_workshop_id=workshop.id):
        if other.overlaps(run):
            zone = db.session.get(Convention, workshop.convention_id).timezone
            title = db.session.scalar(select(Workshop.title).where(Workshop.id == sel.workshop_id))
            state = "registered" if sel.status == "registered" else "on the waitlist"
            raise Conflict(
                f"This run of '{workshop.title}' overlaps '{title}' ({local_span(other.start, other.end, zone)}), "
                f"which you are {state} for.",
                code="time_clash",
                fields={"event_slot_id": f"clashes with workshop {sel.workshop_id} ('{title}')"},
            )


def _own_selection(user_id: int, workshop_id: int) -> Selection | None:
    return db.session.scalar(
        select(Selection).where(Selection.user_id == user_id, Selection.workshop_id == workshop_id)
        .execution_options(populate_existing=True)
    )


def _add_selection(row: Selection) -> None:
    """Insert a selection; a concurrent insert of the same (user, workshop) becomes a 409."""
    # No SAVEPOINT: pysqlite does not open a transaction before one, so RELEASE would commit.
    # The failed flush leaves the session to the error handler, which rolls the request back.
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict("This selection was changed by another request at the same time; try again.",
                       code="concurrent_change") from None


def waitlist_positions(selections) -> dict[int, int]:
    """Queue position (1 = next) of each waitlisted selection, in one query."""
    waiting = [s for s in selections if s.status == "waitlisted" and s.event_slot_id is not None]
    if not waiting:
        return {}
    ranked = (
        select(
            Selection.id.label("id"),
            func.row_number().over(
                partition_by=Selection.event_slot_id, order_by=(Selection.queued_at, Selection.id)
            ).label("position"),
        )
        .where(Selection.status == "waitlisted", Selection.event_slot_id.in_({s.event_slot_id for s in waiting}))
        .subquery()
    )
    return dict(db.session.execute(
        select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_([s.id for s in waiting]))
    ).all())


def selection_views(selections) -> list[SelectionView]:
    selections = list(selections)
    if not selections:
        return []
    workshops = {
        row.id: row for row in db.session.execute(
            select(Workshop.id, Workshop.title, Workshop.convention_id).where(
                Workshop.id.in_({s.workshop_id for s in selections})
            )
        )
    }
    positions = waitlist_positions(selections)
    return [
        SelectionView(s, workshops[s.workshop_id].title, workshops[s.workshop_id].convention_id, positions.get(s.id))
        for s in selections
    ]


def _view(selection: Selection) -> SelectionView:
    return selection_views([selection])[0]


# interest and registration --------------------------------------------------------------------


def show_interest(actor, workshop_id: int, rank: int | None = None) -> tuple[SelectionView, bool]:
    """Interest in a workshop (placed or not); answers (selection, created)."""
    user = require_signed_in(actor)
    workshop, con = _visible_workshop(user, workshop_id)
    _require_attendable(workshop, con)
    _require_not_cancelled_registration(user.id, con)
    require_wishes_open(con)
    row = _own_selection(user.id, workshop.id)
    created = row is None
    if row is None:
        row = Selection(user_id=user.id, workshop_id=workshop.id, status="interested", rank=rank)
        _add_selection(row)
    else:
        if row.status == "cancelled":
            row.status, row.event_slot_id, row.queued_at = "interested", None, None
        if rank is not None:
            row.rank = rank
    db.session.flush()
    return _view(row), created


def register_for_workshop(actor, workshop_id: int, event_slot_id: int, rank: int | None = None
                          ) -> tuple[SelectionView, bool]:
    """Take a seat in a run, or a waitlist place when it is full; answers (selection, changed)."""
    user = require_signed_in(actor)
    workshop, con = _visible_workshop(user, workshop_id)
    return _register(user.id, workshop, con, event_slot_id, rank)


def _register(user_id: int, workshop: Workshop, con: Convention, event_slot_id: int, rank: int | None,
              ) -> tuple[SelectionView, bool]:
    _require_attendable(workshop, con)
    require_first_come(con)
    _require_registered(user_id, con, share_lock=True)
    _lock_runs([event_slot_id])
    _require_registered(user_id, con)  # again under the lock: SQLite read it before taking the lock
    run = _run_for_slot(workshop, event_slot_id)
    row = _own_selection(user_id, workshop.id)
    if row is not None and row.status in ACTIVE:
        if row.event_slot_id == run.first_slot_id:
            if rank is not None:
                row.rank = rank
                db.session.flush()
            return _view(row), False
        raise Conflict(
            f"You are already {row.status} for another run of '{workshop.title}' (slot {row.event_slot_id}); "
            f"change that selection (PUT /api/attendees/selections/{row.id}) to move.",
            code="already_registered",
            fields={"event_slot_id": f"already {row.status} for run {row.event_slot_id}"},
        )
    _check_prerequisites(user_id, workshop, run)
    _check_clash(user_id, workshop, run)
    _, registered = _fill_and_count(run, workshop)
    party = row.party_size if row is not None else 1
    status = "registered" if registered + party <= run.seats(workshop) else "waitlisted"
    if row is None:
        row = Selection(user_id=user_id, workshop_id=workshop.id, rank=rank)
        row.status, row.event_slot_id, row.queued_at = status, run.first_slot_id, utcnow()
        _add_selection(row)
    else:
        row.status, row.event_slot_id, row.queued_at = status, run.first_slot_id, utcnow()
        if rank is not None:
            row.rank = rank
    db.session.flush()
    return _view(row), True


def create_selection(actor, workshop_id: int, event_slot_id: int | None, rank: int | None
                     ) -> tuple[SelectionView, bool]:
    """POST /attendees/selections: interest without a run, registration with one."""
    user = require_signed_in(actor)
    find_visible(user, Workshop, workshop_id, "workshop_id")  # hidden or missing: the same 422
    if event_slot_id is None:
        return show_interest(user, workshop_id, rank)
    return register_for_workshop(user, workshop_id, event_slot_id, rank)


def _owned_selection(actor, selection_id: int) -> tuple[User, Selection]:
    user = require_signed_in(actor)
    row = load(user, Selection, selection_id, "edit", refusal="This is another attendee's selection.")
    return user, row


def update_selection(actor, selection_id: int, changes: dict) -> SelectionView:
    """Change the rank and/or the run (`event_slot_id`) of a selection."""
    _, row = _owned_selection(actor, selection_id)
    workshop = db.session.get(Workshop, row.workshop_id)
    con = db.session.get(Convention, workshop.convention_id)
    if "rank" in changes:
        if row.status == "interested":
            require_wishes_open(con)
        row.rank = changes["rank"]
        db.session.flush()  # before any refresh below re-reads the row
    target = changes.get("event_slot_id")
    if target is not None and (row.status not in ACTIVE or target != row.event_slot_id):
        if row.status in ACTIVE:
            _move(row, workshop, con, target)
        else:
            _register(row.user_id, workshop, con, target, None)
    db.session.flush()
    db.session.refresh(row)
    return _view(row)


def _move(row: Selection, workshop: Workshop, con: Convention, target_slot_id: int) -> None:
    _require_attendable(workshop, con)
    require_first_come(con)
    _require_registered(row.user_id, con, share_lock=True)
    _lock_runs([row.event_slot_id, target_slot_id])
    _require_registered(row.user_id, con)
    db.session.refresh(row)
    if row.status not in ACTIVE:
        raise Conflict("This selection changed meanwhile; load it again.", code="concurrent_change")
    new_run = _run_for_slot(workshop, target_slot_id)
    if new_run.first_slot_id == row.event_slot_id:
        return
    _check_prerequisites(row.user_id, workshop, new_run)
    _check_clash(row.user_id, workshop, new_run)
    _, registered = _fill_and_count(new_run, workshop)
    if registered + row.party_size > new_run.seats(workshop):
        raise Conflict(
            f"That run of '{workshop.title}' is full; you keep your current place.",
            code="run_full", fields={"event_slot_id": "no free seat"},
        )
    old_slot, old_status = row.event_slot_id, row.status
    row.event_slot_id, row.status, row.queued_at = new_run.first_slot_id, "registered", utcnow()
    db.session.flush()
    if old_status == "registered":
        old_run = runs_of_workshops([workshop.id]).get(old_slot)
        if old_run is not None:
            _fill_free_seats(old_run, workshop)


def own_selection(actor, selection_id: int) -> SelectionView:
    """One of the actor's selections (an admin: anyone's), as it is now."""
    return _view(_owned_selection(actor, selection_id)[1])


def _dependents(row: Selection) -> list[Selection]:
    """The person's later registrations and waitlist places whose prerequisites only this registered run
    teaches them: cancelling it would leave them registered for a workshop they are not ready for."""
    if row.status != "registered" or row.event_slot_id is None:
        return []
    others = [(sel, run) for sel, run in _user_runs(row.user_id, ACTIVE) if sel.id != row.id]
    if not others:
        return []
    workshops = {w.id: w for w in db.session.scalars(
        select(Workshop).where(Workshop.id.in_({sel.workshop_id for sel, _ in others})))}
    return [sel for sel, run in sorted(others, key=lambda pair: (pair[1].start, pair[0].id))
            if workshops[sel.workshop_id].prerequisites
            and _missing_prerequisites(row.user_id, workshops[sel.workshop_id], run, without_selection_id=row.id)
            and not _missing_prerequisites(row.user_id, workshops[sel.workshop_id], run)]


def dependent_registrations(actor, selection_id: int) -> list[SelectionView]:
    """What cancelling this selection would leave without its prerequisite (see `_dependents`)."""
    _, row = _owned_selection(actor, selection_id)
    return selection_views(_dependents(row))


def cancel_selection(actor, selection_id: int, *, cancel_dependents: bool = False) -> SelectionView:
    """Cancel interest, a registration or a waitlist place; a freed seat goes to the next waiting.
    With `cancel_dependents`, the later registrations that need what this run teaches go too."""
    _, row = _owned_selection(actor, selection_id)
    if row.status == "cancelled":
        return _view(row)
    if row.status == "interested":
        require_wishes_open(db.session.get(Convention, db.session.get(Workshop, row.workshop_id).convention_id))
    if cancel_dependents:
        _lock_runs([row.event_slot_id])  # the dependents are judged as things stand under the lock
    cancel_selections([row, *(_dependents(row) if cancel_dependents else [])])
    return _view(row)


def cancel_selections(rows: list[Selection]) -> None:
    """Cancel these selections and give each freed seat to the first waiting, in this transaction."""
    _lock_runs([r.event_slot_id for r in rows if r.status in ACTIVE])
    freed: set[tuple[int, int]] = set()
    for row in rows:
        db.session.refresh(row)  # as it is now, under the lock
        if row.status == "registered" and row.event_slot_id is not None:
            freed.add((row.workshop_id, row.event_slot_id))
        row.status, row.queued_at = "cancelled", None
    db.session.flush()
    if not freed:
        return
    workshops = {w.id: w for w in db.session.scalars(select(Workshop).where(Workshop.id.in_({w for w, _ in freed})))}
    runs = runs_of_workshops(workshops)
    for workshop_id, slot_id in sorted(freed):
        if slot_id in runs:
            _fill_free_seats(runs[slot_id], workshops[workshop_id])


def promote_waitlisted(workshop_id: int) -> list[Selection]:
    """Give every free seat of a workshop's runs to the waitlist; for callers that raised a
    workshop's capacity or moved it to a bigger room (no permission check: the caller did it)."""
    workshop = get_or_404(Workshop, workshop_id, "workshop")
    _lock_runs(runs_of_workshops([workshop.id]))
    runs = runs_of_workshops([workshop.id])  # as they are under the lock
    promoted = []
    for first_slot_id in sorted(runs):
        promoted += _fill_free_seats(runs[first_slot_id], workshop)
    return promoted


def list_my_selections(actor, convention_id: int | None, status: str | None, limit: int, offset: int,
                       user_id: int | None = None) -> tuple[list[SelectionView], int]:
    """The actor's selections (an admin may name another person with `user_id`)."""
    user = require_signed_in(actor)
    if user_id is not None:
        require_self_or_admin(user, user_id)
    query = select(Selection).where(Selection.user_id == (user.id if user_id is None else user_id))
    if convention_id is not None:
        query = query.join(Workshop, Workshop.id == Selection.workshop_id).where(Workshop.convention_id == convention_id)
    if status is not None:
        query = query.where(Selection.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Selection.id).limit(limit).offset(offset)).all()
    return selection_views(rows), total


def workshop_attendees(actor, workshop_id: int, limit: int, offset: int) -> tuple[list[WorkshopAttendee], int]:
    """Registered, then waitlisted in queue order, run by run (admin or the workshop's hosts)."""
    require_signed_in(actor)
    workshop = load(actor, Workshop, workshop_id, "manage",
                    refusal="Only the workshop's hosts and admins see its attendees.")
    query = select(Selection).where(Selection.workshop_id == workshop.id, Selection.status.in_(ACTIVE))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.add_columns(User)
        .join(User, User.id == Selection.user_id)
        .outerjoin(EventSlot, EventSlot.id == Selection.event_slot_id)
        .order_by(EventSlot.start, Selection.event_slot_id,
                  sa.case((Selection.status == "registered", 0), else_=1), Selection.queued_at, Selection.id)
        .limit(limit).offset(offset)
    ).all()
    positions = waitlist_positions([sel for sel, _ in rows])
    return [WorkshopAttendee(sel, u, positions.get(sel.id)) for sel, u in rows], total


def my_schedule(actor, convention_id: int | None) -> list[ScheduleEntry]:
    """The actor's registered runs in time order (runs no longer placed are left out)."""
    user = require_signed_in(actor)
    query = (
        select(Selection, Workshop.title, Workshop.convention_id)
        .join(Workshop, Workshop.id == Selection.workshop_id)
        .where(Selection.user_id == user.id, Selection.status == "registered", Selection.event_slot_id.is_not(None))
    )
    if convention_id is not None:
        query = query.where(Workshop.convention_id == convention_id)
    rows = db.session.execute(query).all()
    runs = runs_of_workshops({sel.workshop_id for sel, _, _ in rows})
    entries = [
        ScheduleEntry(sel.id, sel.workshop_id, title, con_id, runs[sel.event_slot_id])
        for sel, title, con_id in rows if sel.event_slot_id in runs
    ]
    return sorted(entries, key=lambda e: (e.run.start, e.run.end, e.workshop_id))


def own_runs_and_workshops(actor, convention_id: int) -> tuple[set[int], set[int]]:
    """What a person's view of the grid marks: the first slots of the runs of this convention they are
    registered for (how selections name a run), and the workshops they host or co-host."""
    user = require_signed_in(actor)
    registered = set(db.session.scalars(
        select(Selection.event_slot_id).join(EventSlot, EventSlot.id == Selection.event_slot_id)
        .where(Selection.user_id == user.id, Selection.status == "registered", EventSlot.convention_id == convention_id)
    ))
    return registered, set(db.session.scalars(hosted_workshop_ids(user.id, convention_id)))


def user_capabilities(actor, user_id: int) -> list[CapabilityView]:
    """Capabilities declared or granted (stored), plus those taught by runs the user is registered for."""
    require_self_or_admin(actor, user_id)
    get_or_404(User, user_id, "user")
    views: dict[int, CapabilityView] = {}
    for held, capability in db.session.execute(
        select(UserCapability, Capability).join(Capability, Capability.id == UserCapability.capability_id)
        .where(UserCapability.user_id == user_id)
    ):
        views[capability.id] = CapabilityView(capability, held.source, held.granted_by_workshop_id, None)
    attended = _user_runs(user_id, ("registered",))
    if attended:
        teaches = defaultdict(list)
        for workshop_id, capability_id in db.session.execute(
            select(workshop_teaches.c.workshop_id, workshop_teaches.c.capability_id).where(
                workshop_teaches.c.workshop_id.in_({sel.workshop_id for sel, _ in attended})
            )
        ):
            teaches[workshop_id].append(capability_id)
        earned: dict[int, tuple[datetime, int]] = {}
        for sel, run in attended:
            for capability_id in teaches[sel.workshop_id]:
                if capability_id not in views and (capability_id not in earned or run.end < earned[capability_id][0]):
                    earned[capability_id] = (run.end, sel.workshop_id)
        if earned:
            caps = {c.id: c for c in db.session.scalars(select(Capability).where(Capability.id.in_(earned)))}
            for capability_id, (end, workshop_id) in earned.items():
                views[capability_id] = CapabilityView(caps[capability_id], "granted", workshop_id, end)
    return sorted(views.values(), key=lambda v: (v.capability.name, v.capability.id))


# for convention-level listings ----------------------------------------------------------------


def hosted_workshop_ids(user_id: int, convention_id: int):
    """A subquery of the workshops of a convention that this user hosts or co-hosts."""
    return select(Workshop.id).where(Workshop.convention_id == convention_id, Workshop.hosted_by(user_id))
