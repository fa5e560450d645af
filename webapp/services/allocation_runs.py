"""Seat allocation in the web app (issue 16): the convention's seat mode, the wishes snapshot and its export,
allocation runs (queued like auto-schedule, run by the same worker, reviewed, accepted or rejected).

The mechanism itself is the pure core in `solver/allocation/`; this module only turns the database into its
plain records and its answer back into registrations and waitlists.

Decisions:
- an allocation run is a `ScheduleRun` of kind 'allocation': one active run per convention of either kind,
  the same worker, progress, cancel and compare-and-set state changes (`scheduling.transition_run`);
- wishes are the attendees' interests (status 'interested') with ranks, renumbered 1..k per person in rank
  order (no rank last, then oldest first); a wish's party and a person's maximum come from the selection and
  the convention registration. People are opaque integers in the problem (their user ids in order), so the
  admin's export repeats the run offline with `slotwise allocate`;
- wishes are frozen from the moment an allocation run is queued until its result is accepted or rejected
  (changing them answers 409 `allocation_running`), so what is accepted is what the wishes were;
- accepting checks the schedule version the run read: any change since (a run moved, a room resized, a
  workshop edited) answers 409 `allocation_outdated` and applies nothing.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from solver.allocation import AllocationProblem, Person, Run, Wish
from solver.allocation.jsonio import problem_to_json

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import (
    Convention, ConventionRegistration, EventSlot, ScheduleRun, Selection, User, UserCapability, Workshop, utcnow,
)
from ..models.conventions import MAX_PARTY_SIZE, SEAT_MODES
from ..models.workshops import workshop_prerequisites, workshop_teaches
from .attending import ACTIVE, runs_of_workshops
from .conventions import admin_convention
from .local_time import local_span
from .locks import lock_convention, lock_rows
from .mail import send_mails
from .permissions import require_admin
from .scheduling import (
    MAX_SEED, cancel_run, get_run, list_runs, not_in_status, queue_run, reject_run, transition_run,
)
from .seat_mode import KIND, pending_run
from .transactions import on_commit

SEAT_MODE_WORDS = {"first_come": "first come, first served", "allocation": "allocation from ranked wishes"}


# the convention's setting ---------------------------------------------------------------------


def set_seat_settings(actor, convention_id: int, seat_mode: str, max_party_size: int) -> Convention:
    con = admin_convention(actor, convention_id)
    if seat_mode not in SEAT_MODES:
        raise ValidationFailed("Unknown seat mode.", fields={"seat_mode": f"one of {', '.join(SEAT_MODES)}"})
    if not 1 <= max_party_size <= MAX_PARTY_SIZE:
        raise ValidationFailed(f"A party is 1 to {MAX_PARTY_SIZE} seats.",
                               fields={"max_party_size": f"between 1 and {MAX_PARTY_SIZE}"})
    if seat_mode != con.seat_mode and pending_run(convention_id) is not None:
        raise Conflict("An allocation run is active or waiting for review; decide it before changing how seats "
                       "are given.", code="allocation_running")
    con.seat_mode, con.max_party_size = seat_mode, max_party_size
    db.session.flush()
    return con


# the snapshot: the database as the core's plain records ---------------------------------------


@dataclass
class Snapshot:
    problem: AllocationProblem
    user_of: dict[int, int]  # opaque person id -> user id
    skipped: list[dict]  # {user_id, workshop_id, reason}: wishes the allocation cannot honour
    schedule_version: int
    wishers: list[int] = field(default_factory=list)  # user ids of everyone with a wish


def _minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def wishes_snapshot(convention_id: int) -> Snapshot:
    con = db.session.get(Convention, convention_id, populate_existing=True)
    workshops = {w.id: w for w in db.session.scalars(select(Workshop).where(Workshop.convention_id == convention_id))}
    published = [w_id for w_id, w in workshops.items() if w.status == "published"]
    placed = runs_of_workshops(published)
    requires, teaches = defaultdict(list), defaultdict(list)
    for table, into in ((workshop_prerequisites, requires), (workshop_teaches, teaches)):
        for workshop_id, capability_id in db.session.execute(
                select(table.c.workshop_id, table.c.capability_id).where(table.c.workshop_id.in_(published or [0]))):
            into[workshop_id].append(capability_id)
    taken = dict(db.session.execute(
        select(Selection.event_slot_id, func.sum(Selection.party_size))
        .where(Selection.event_slot_id.in_(list(placed) or [0]), Selection.status == "registered")
        .group_by(Selection.event_slot_id)).all())
    runs = tuple(sorted((
        Run(first_slot_id, run.workshop_id, max(0, run.seats(workshops[run.workshop_id]) - int(taken.get(first_slot_id, 0))),
            _minutes(run.start), _minutes(run.end), tuple(sorted(requires[run.workshop_id])),
            tuple(sorted(teaches[run.workshop_id])))
        for first_slot_id, run in placed.items()), key=lambda r: r.id))
    placed_workshops = {run.workshop_id for run in runs}
    registrations = {r.user_id: r for r in db.session.scalars(
        select(ConventionRegistration).where(ConventionRegistration.convention_id == convention_id))}
    rows = list(db.session.scalars(
        select(Selection).where(Selection.workshop_id.in_(list(workshops) or [0]),
                                Selection.status.in_(("interested", *ACTIVE)))
        .order_by(Selection.user_id, Selection.rank.is_(None), Selection.rank, Selection.id)))
    skipped: list[dict] = []
    wishes_of: dict[int, list[Selection]] = defaultdict(list)
    attending: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.status in ACTIVE:
            if row.event_slot_id in placed:
                attending[row.user_id].append(row.event_slot_id)
            continue
        workshop = workshops[row.workshop_id]
        registration = registrations.get(row.user_id)
        reason = ""
        if registration is None or registration.status != "registered":
            reason = "the convention registration is not complete"
        elif workshop.status != "published":
            reason = f"the workshop is {workshop.status}"
        elif workshop.id not in placed_workshops:
            reason = "the workshop has no time in the schedule"
        elif row.party_size > con.max_party_size:
            reason = f"a party of {row.party_size} is more than the convention's {con.max_party_size}"
        if reason:
            skipped.append({"user_id": row.user_id, "workshop_id": row.workshop_id, "reason": reason})
        else:
            wishes_of[row.user_id].append(row)
    user_ids = sorted(wishes_of)
    person_of = {user_id: i for i, user_id in enumerate(user_ids, start=1)}
    holds = defaultdict(list)
    for user_id, capability_id in db.session.execute(
            select(UserCapability.user_id, UserCapability.capability_id).where(UserCapability.user_id.in_(user_ids or [0]))):
        holds[user_id].append(capability_id)
    wishes = tuple(Wish(person_of[user_id], row.workshop_id, rank, row.party_size)
                   for user_id in user_ids for rank, row in enumerate(wishes_of[user_id], start=1))
    people = tuple(Person(person_of[user_id], registrations[user_id].max_workshops, tuple(sorted(holds[user_id])),
                          tuple(sorted(attending[user_id]))) for user_id in user_ids)
    return Snapshot(AllocationProblem(runs, wishes, people), {p: u for u, p in person_of.items()}, skipped,
                    con.schedule_version, user_ids)


def export_wishes(actor, convention_id: int) -> dict:
    """The wishes export that `slotwise allocate WISHES.json --seed S` reads (people as opaque ids)."""
    admin_convention(actor, convention_id)
    return problem_to_json(wishes_snapshot(convention_id).problem)


# runs ------------------------------------------------------------------------------------------


def request_allocation(actor, convention_id: int, seed: int | None = None) -> ScheduleRun:
    """Queue an allocation run; the worker starts once this transaction has committed."""
    admin = require_admin(actor)
    con = admin_convention(admin, convention_id)
    if con.seat_mode != "allocation":
        raise Conflict(f"'{con.name}' gives seats first come, first served; switch it to allocation first.",
                       code="not_allocation_mode")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if not 0 <= seed <= MAX_SEED:
        raise ValidationFailed(f"The seed is 0 to {MAX_SEED}.", fields={"seed": f"must be between 0 and {MAX_SEED}"})
    lock_convention(convention_id)  # after any change of wishes in flight (seat_mode.require_wishes_open)
    pending = pending_run(convention_id)
    if pending is not None and pending.status == "succeeded":
        raise Conflict(f"Allocation run {pending.id} waits for your decision; accept or reject it first.",
                       code="allocation_running", fields={"run_id": pending.id})
    run = queue_run(convention_id, admin.id, KIND, {"seed": seed})
    from worker.dispatch import enqueue

    run_id = run.id
    on_commit(lambda: enqueue(run_id))
    return run


def get_allocation_run(actor, run_id: int) -> ScheduleRun:
    return get_run(actor, run_id, KIND)


def list_allocation_runs(actor, convention_id: int, limit: int, offset: int):
    return list_runs(actor, convention_id, limit, offset, KIND)


def result_json(snapshot: Snapshot, allocation, figures: dict, baselines: dict, skipped_by_core) -> dict:
    """What a finished run stores: in user ids and first slot ids (the admin's review, never exported)."""
    user_of = snapshot.user_of
    runs = {run.id: run for run in snapshot.problem.runs}
    return {
        "seed": allocation.seed,
        "mechanism": allocation.mechanism,
        "schedule_version": snapshot.schedule_version,
        "wishers": snapshot.wishers,
        "wishes": len(snapshot.problem.wishes),
        "assignments": [{"user_id": user_of[a.person], "workshop_id": runs[a.run_id].workshop_id,
                         "event_slot_id": a.run_id, "party_size": a.party_size} for a in allocation.assignments],
        "waitlists": [{"event_slot_id": w.run_id, "workshop_id": runs[w.run_id].workshop_id,
                       "user_ids": [user_of[p] for p in w.people]} for w in allocation.waitlists if w.people],
        "skipped": snapshot.skipped + [{"user_id": user_of[s.wish.person], "workshop_id": s.wish.workshop_id,
                                        "reason": s.reason} for s in skipped_by_core],
        "figures": figures,
        "baselines": baselines,
        "stats": dict(allocation.stats),
    }


def reject_allocation(actor, run_id: int) -> ScheduleRun:
    return reject_run(actor, run_id, KIND)


def cancel_allocation(actor, run_id: int) -> ScheduleRun:
    return cancel_run(actor, run_id, KIND)


# accepting -------------------------------------------------------------------------------------


def accept_allocation(actor, run_id: int) -> dict:
    """Registrations and waitlists from a succeeded run, in this transaction; then first come for the rest.

    Any reason not to (the schedule changed since the run, a run would be over its seats): 409, nothing
    applied (the caller's rollback undoes the status change too)."""
    admin = require_admin(actor)
    get_allocation_run(actor, run_id)
    if not transition_run(run_id, ("succeeded",), "accepted", decided_by_id=admin.id, decided_at=utcnow()):
        raise not_in_status(run_id, "a succeeded allocation can be accepted", "run_not_reviewable")
    run = db.session.get(ScheduleRun, run_id)
    lock_convention(run.convention_id)
    con = db.session.get(Convention, run.convention_id, populate_existing=True)
    result = run.allocation or {}
    if con.schedule_version != result.get("schedule_version"):
        raise Conflict("The schedule changed since this allocation ran (a run moved, a room or a workshop changed). "
                       "Nothing was applied: run the allocation again.", code="allocation_outdated",
                       fields={"schedule_version": con.schedule_version, "run_schedule_version": result.get("schedule_version")})
    slot_ids = {a["event_slot_id"] for a in result["assignments"]} | {w["event_slot_id"] for w in result["waitlists"]}
    lock_rows(EventSlot.__table__, slot_ids)
    workshop_ids = {a["workshop_id"] for a in result["assignments"]} | {w["workshop_id"] for w in result["waitlists"]}
    runs = runs_of_workshops(workshop_ids)
    workshops = {w.id: w for w in db.session.scalars(select(Workshop).where(Workshop.id.in_(workshop_ids or [0])))}
    user_ids = set(result["wishers"])
    # plain rows and one bulk UPDATE per kind: an accept writes tens of thousands of selections
    selections = {(user_id, workshop_id): [selection_id, status] for selection_id, user_id, workshop_id, status
                  in db.session.execute(select(Selection.id, Selection.user_id, Selection.workshop_id, Selection.status)
                                        .where(Selection.workshop_id.in_(workshop_ids or [0])))}
    seats_taken = defaultdict(int, db.session.execute(
        select(Selection.event_slot_id, func.sum(Selection.party_size))
        .where(Selection.event_slot_id.in_(slot_ids or [0]), Selection.status == "registered")
        .group_by(Selection.event_slot_id)).all())
    now = utcnow()
    given: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # user -> (workshop, first slot, party)
    registered_rows = []
    for a in result["assignments"]:
        row, run_ = selections.get((a["user_id"], a["workshop_id"])), runs.get(a["event_slot_id"])
        if run_ is None:
            raise Conflict("A run of this allocation is no longer in the schedule; nothing was applied.",
                           code="allocation_outdated")
        if row is None or row[1] != "interested":
            continue  # the wish was withdrawn with the convention registration: the seat stays free
        seats_taken[run_.first_slot_id] += a["party_size"]
        if seats_taken[run_.first_slot_id] > run_.seats(workshops[a["workshop_id"]]):
            raise Conflict(f"'{workshops[a['workshop_id']].title}' would be over its seats; nothing was applied.",
                           code="allocation_outdated")
        row[1] = "registered"
        registered_rows.append({"id": row[0], "status": "registered", "event_slot_id": run_.first_slot_id,
                                "queued_at": now, "party_size": a["party_size"], "updated_at": now})
        given[a["user_id"]].append((a["workshop_id"], run_.first_slot_id, a["party_size"]))
    occupied: dict[int, list] = defaultdict(list)  # user -> runs they hold or wait for (no overlap allowed)
    for user_id, held in given.items():
        occupied[user_id] = [runs[slot_id] for _, slot_id, _ in held]
    waiting: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # user -> (workshop, slot, position)
    waitlisted_rows = []
    for w in result["waitlists"]:
        run_ = runs.get(w["event_slot_id"])
        if run_ is None:
            continue
        position = 0
        for user_id in w["user_ids"]:
            row = selections.get((user_id, w["workshop_id"]))
            if row is None or row[1] != "interested" or any(run_.overlaps(o) for o in occupied[user_id]):
                continue  # one place per workshop, and never two places at once
            position += 1
            row[1] = "waitlisted"
            waitlisted_rows.append({"id": row[0], "status": "waitlisted", "event_slot_id": run_.first_slot_id,
                                    "queued_at": now + timedelta(microseconds=len(waitlisted_rows) + 1),
                                    "updated_at": now})
            occupied[user_id].append(run_)
            waiting[user_id].append((w["workshop_id"], run_.first_slot_id, position))
    for rows in (registered_rows, waitlisted_rows):
        if rows:
            db.session.execute(update(Selection), rows)
    con.seat_mode = "first_come"
    db.session.flush()
    _mail_outcome(con, user_ids, given, waiting, runs, workshops)
    return {"run_id": run.id, "registered": sum(len(v) for v in given.values()),
            "waitlisted": sum(len(v) for v in waiting.values()), "people": len(user_ids),
            "seat_mode": con.seat_mode}


def _mail_outcome(con: Convention, user_ids, given, waiting, runs, workshops) -> None:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids or [0])))}
    zone = con.timezone
    mails = []
    for user_id in sorted(user_ids):
        user = users.get(user_id)
        if user is None:
            continue
        lines = [f"- a seat in '{workshops[workshop_id].title}'" + (f" for {party} people" if party > 1 else "")
                 + f": {local_span(runs[slot].start, runs[slot].end, zone)}, {runs[slot].location_name}"
                 for workshop_id, slot, party in sorted(given.get(user_id, []), key=lambda g: runs[g[1]].start)]
        lines += [f"- the waitlist of '{workshops[workshop_id].title}' "
                  f"({local_span(runs[slot].start, runs[slot].end, zone)}, {runs[slot].location_name}), "
                  f"place {position}: you move up by yourself when a seat frees"
                  for workshop_id, slot, position in waiting.get(user_id, [])]
        if not lines:
            lines = ["- no seat this time: every workshop you wished for was full."]
        mails.append((user.email, f"Your seats at {con.name}",
                      f"Hello {user.display_name},\n\nThe seats at {con.name} were allocated from everyone's ranked "
                      "wishes. You have:\n\n" + "\n".join(lines) + "\n\nThe seats left are now open first come, "
                      "first served on the convention's workshop pages."))
    send_mails(mails)


# the review ------------------------------------------------------------------------------------

FIGURES = (  # (key, what it says, format)
    ("share_with_a_wish", "People given at least one wish", "percent"),
    ("share_with_first_wish", "People given their first wish", "percent"),
    ("mean_wishes_granted", "Wishes granted per person (mean)", "decimal"),
    ("seats_filled", "Seats filled by wishes", "count"),
    ("worst_tenth_mean", "Worst-off tenth: wishes granted (mean)", "decimal"),
    ("swap_pairs", "Pairs who would both gain by swapping seats", "count"),
    ("waiting_beside_free_seat", "People waiting although a wished seat is free", "count"),
)
BASELINE_NAMES = {"first_come": "First come, first served", "emf_lottery": "EMF's lottery (one win each)",
                  "serial_dictatorship": "Random serial dictatorship"}
REVIEW_PAGE_SIZE = 25


def _figure_text(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "percent":
        return f"{100 * value:.1f} %"
    if kind == "decimal":
        return f"{value:.2f}"
    return f"{int(value):,}"


@dataclass(frozen=True)
class ReviewRun:
    workshop_id: int
    title: str
    when: str
    room: str
    seats: int
    given: list[str]  # names, "(party of 3)" added
    waiting: list[str]  # in waitlist order


@dataclass(frozen=True)
class Review:
    figures: list[tuple[str, list[str]]]  # (what, [Slotwise, baselines...])
    columns: list[str]
    runs: list[ReviewRun]
    skipped: list[tuple[str, str, str]]  # (person, workshop, reason)
    page: int
    pages: int
    total_runs: int
    people: int
    seats_given: int
    waiting: int


def allocation_review(run: ScheduleRun, page: int = 1) -> Review | None:
    """What an admin reads before accepting: the figures beside the baselines', and run by run who gets a seat
    and who waits (names, times in the convention's zone), a page of runs at a time."""
    result = run.allocation
    if not result:
        return None
    con = db.session.get(Convention, run.convention_id)
    baselines = result.get("baselines") or {}
    columns = ["Slotwise (this allocation)"] + [BASELINE_NAMES.get(name, name) for name in baselines]
    figures = [(label, [_figure_text((result.get("figures") or {}).get(key), kind)]
                + [_figure_text(values.get(key), kind) for values in baselines.values()])
               for key, label, kind in FIGURES]
    given, waiting = defaultdict(list), {}
    for a in result["assignments"]:
        given[a["event_slot_id"]].append((a["user_id"], a["party_size"]))
    for w in result["waitlists"]:
        waiting[w["event_slot_id"]] = w["user_ids"]
    slot_ids = sorted(set(given) | set(waiting))
    workshop_of = {a["event_slot_id"]: a["workshop_id"] for a in result["assignments"]}
    workshop_of.update({w["event_slot_id"]: w["workshop_id"] for w in result["waitlists"]})
    runs = runs_of_workshops(set(workshop_of.values()))
    workshops = {w.id: w for w in db.session.scalars(select(Workshop).where(Workshop.id.in_(set(workshop_of.values()) or [0])))}
    ordered = sorted(slot_ids, key=lambda s: (s not in runs, runs[s].start.timestamp() if s in runs else 0,
                                              workshops[workshop_of[s]].title, s))
    pages = max(1, -(-len(ordered) // REVIEW_PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = ordered[(page - 1) * REVIEW_PAGE_SIZE: page * REVIEW_PAGE_SIZE]
    skipped = result.get("skipped", [])
    names_needed = {u for s in shown for u, _ in given.get(s, [])} | {u for s in shown for u in waiting.get(s, [])}
    names_needed |= {s["user_id"] for s in skipped[:100]}
    names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(names_needed or [0]))).all())
    titles = dict(db.session.execute(select(Workshop.id, Workshop.title).where(
        Workshop.id.in_({s["workshop_id"] for s in skipped[:100]} | set(workshops) or [0]))).all())
    rows = []
    for slot_id in shown:
        run_ = runs.get(slot_id)
        workshop = workshops[workshop_of[slot_id]]
        rows.append(ReviewRun(
            workshop.id, workshop.title,
            local_span(run_.start, run_.end, con.timezone) if run_ else "no longer in the schedule",
            run_.location_name if run_ else "–", run_.seats(workshop) if run_ else 0,
            [names.get(u, f"person {u}") + (f" (party of {p})" if p > 1 else "") for u, p in given.get(slot_id, [])],
            [names.get(u, f"person {u}") for u in waiting.get(slot_id, [])]))
    return Review(figures, columns, rows,
                  [(names.get(s["user_id"], f"person {s['user_id']}"), titles.get(s["workshop_id"], str(s["workshop_id"])),
                    s["reason"]) for s in skipped[:100]],
                  page, pages, len(ordered), len(result.get("wishers", [])), len(result["assignments"]),
                  sum(len(w["user_ids"]) for w in result["waitlists"]))
