"""What a host is told about a workshop around a solve: what can never fit, and why the latest
auto-schedule run left it out.

"Never fits" is the solver's own static judgement (`solver.explain.never_fits`, the reasons a solve
gives for a workshop with no possible place), on the convention as `snapshot.build_problem` sees it
today, for the workshop as the form describes it: no second copy of the rules. Nothing is written.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from solver.explain import never_fits as solver_never_fits
from solver.problem import Workshop as SolverWorkshop

from ..errors import Forbidden
from ..extensions import db
from ..models import Convention, ScheduleRun, User, Workshop
from ..models.scheduling import ScheduleRunUnplaced
from .access import find_visible, load
from .accounts import normalise_email
from .permissions import require_signed_in
from .snapshot import build_problem

# runs whose proposal (and reasons for what it left out) were written
RESULT_STATUSES = ("succeeded", "accepted", "rejected", "infeasible")


def never_fits(actor, convention_id: int | None, *, workshop_id: int | None = None, max_attendees: int,
               duration_slots: int = 1, location_ids=(), equipment=(), cohost_emails=()) -> list[str]:
    """Why a workshop with these values could never be placed in the convention (empty: it could).

    For a new workshop the actor is its host and must be one; for a saved one (`workshop_id`) the
    actor must be one who may edit it, and its host stays its host. Co-hosts are named by email as
    on the form; an address with no account is left out here (saving the form says so)."""
    user = require_signed_in(actor)
    if workshop_id is not None:
        workshop = load(user, Workshop, workshop_id, "edit",
                        refusal="Only the workshop's host or a co-host or an admin may do this.")
        convention_id, owner = workshop.convention_id, workshop.host_id
    else:
        if not user.may_host:
            raise Forbidden("Only hosts propose workshops; apply to host first.")
        find_visible(user, Convention, convention_id or 0, "convention_id")
        owner = user.id
    emails = [normalise_email(e) for e in cohost_emails if e.strip()]
    cohosts = db.session.scalars(select(User.id).where(User.email.in_(emails)).order_by(User.id)).all() \
        if emails else []
    hosts = (owner, *[c for c in cohosts if c != owner])
    problem = build_problem(convention_id, include_interests=False, also_host_ids=frozenset(hosts),
                            with_workshops=False)
    candidate = SolverWorkshop(
        id=workshop_id or 0, host_ids=hosts, max_attendees=max_attendees, duration_slots=duration_slots,
        equipment=tuple(sorted(dict(equipment).items())), allowed_location_ids=tuple(location_ids),
    )
    return solver_never_fits(problem, candidate)


def saved_never_fits(actor, workshop_id: int) -> list[str]:
    """`never_fits` for a saved workshop as it is stored (for one who may edit it)."""
    workshop = load(actor, Workshop, workshop_id, "edit",
                    refusal="Only the workshop's host or a co-host or an admin may do this.")
    return never_fits(
        actor, None, workshop_id=workshop.id, max_attendees=workshop.max_attendees,
        duration_slots=workshop.duration_slots, location_ids=[loc.id for loc in workshop.allowed_locations],
        equipment=[(e.equipment_id, e.quantity) for e in workshop.equipment],
        cohost_emails=[u.email for u in workshop.cohosts])


@dataclass(frozen=True)
class UnplacedNote:
    """Why one auto-schedule run left a workshop's run (or the whole workshop: run_index None) out."""

    run_id: int
    finished_at: datetime | None
    run_index: int | None
    reasons: tuple[str, ...]


def latest_unplaced_reasons(actor, workshop_ids) -> dict[int, list[UnplacedNote]]:
    """For each of these workshops that the actor manages (its hosts, admins), the reasons the latest
    auto-schedule run of its convention gave for leaving it out; workshops it placed are absent."""
    user = require_signed_in(actor)
    ids = sorted(set(workshop_ids))
    if not ids:
        return {}
    workshops = [w for w in db.session.scalars(select(Workshop).where(Workshop.id.in_(ids))) if w.can_manage(user)]
    if not workshops:
        return {}
    latest = (
        select(func.max(ScheduleRun.id))
        .where(ScheduleRun.convention_id.in_({w.convention_id for w in workshops}),
               ScheduleRun.status.in_(RESULT_STATUSES))
        .group_by(ScheduleRun.convention_id)
    )
    notes: dict[int, list[UnplacedNote]] = defaultdict(list)
    for item, finished_at in db.session.execute(
        select(ScheduleRunUnplaced, ScheduleRun.finished_at)
        .join(ScheduleRun, ScheduleRun.id == ScheduleRunUnplaced.run_id)
        .where(ScheduleRunUnplaced.run_id.in_(latest),
               ScheduleRunUnplaced.workshop_id.in_([w.id for w in workshops]))
        .order_by(ScheduleRunUnplaced.workshop_id, ScheduleRunUnplaced.id)
    ):
        notes[item.workshop_id].append(UnplacedNote(item.run_id, finished_at, item.run_index, tuple(item.reasons)))
    return dict(notes)
