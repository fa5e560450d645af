"""Accepting an auto-schedule proposal: re-check it against today's data, apply it whole or not at all."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from solver.problem import Placement

from ..errors import Conflict
from ..extensions import db
from ..models import EventSlot, ScheduleRun, Selection, User, Workshop, utcnow
from .attending import promote_waitlisted
from .mail import send_mail
from .permissions import require_admin
from .proposal_review import record_changes
from .placement import apply_placements, check_placement, lock_slots, violation_json
from .scheduling import get_run, not_in_status, transition_run
from .snapshot import current_placements


def _proposal(run: ScheduleRun) -> list[Placement]:
    return [Placement(a.workshop_id, a.run_index, tuple(a.event_slot_ids)) for a in run.assignments]


def accept_run(actor: User | None, run_id: int) -> dict:
    """Apply a succeeded run's proposal in this transaction.

    Runs of workshops the snapshot knew are replaced by the proposal; placements made for newer
    workshops stay and are checked together with it. Any broken rule: 409 listing every one,
    nothing applied. Registered attendees follow their run; new clashes are listed and mailed."""
    admin = require_admin(actor)
    get_run(actor, run_id)  # an auto-schedule run (an allocation run is accepted in allocation_runs.py)
    # first, so that of an accept and a reject racing exactly one wins; a broken rule below rolls it back
    if not transition_run(run_id, ("succeeded",), "accepted", decided_by_id=admin.id, decided_at=utcnow()):
        raise not_in_status(run_id, "a succeeded proposal can be accepted", "run_not_reviewable")
    run = db.session.get(ScheduleRun, run_id)
    all_slot_ids = list(db.session.scalars(select(EventSlot.id).where(EventSlot.convention_id == run.convention_id)))
    # the same locks and rule checker as a manual assign-slot, so neither can slip past the other
    slots = {s.id: s for s in lock_slots(run.convention_id, all_slot_ids)}
    current = current_placements(list(slots.values()))
    known = set((run.stats or {}).get("snapshot_workshop_ids") or {a.workshop_id for a in run.assignments})
    proposal = _proposal(run)
    kept = [p for p in current if p.workshop_id not in known]
    problems = check_placement(run.convention_id, proposal + kept, replace_current=True)
    if problems:
        raise Conflict(
            f"The convention changed since this proposal was made; {len(problems)} assignment(s) no longer hold. "
            "Nothing was applied: run auto-schedule again.",
            code="proposal_outdated",
            fields={"violations": [violation_json(v) for v in problems]},
        )
    record_changes(run)  # against the schedule it replaces: after this, the schedule is the proposal
    before = {(p.workshop_id, p.run_index): p.slot_ids for p in current if p.workshop_id in known}
    after = {(p.workshop_id, p.run_index): p.slot_ids for p in proposal}
    staying = {key for key, slot_ids in after.items() if before.get(key) == slot_ids}  # written once already
    for slot in slots.values():
        if slot.workshop_id in known and (slot.workshop_id, slot.run_index) not in staying:
            slot.workshop_id = slot.run_index = None
    db.session.flush()
    apply_placements(run.convention_id, [p for p in proposal if (p.workshop_id, p.run_index) not in staying])
    moved_people, dropped_people = _move_attendees(before, after)
    clashes = _clashes_for(moved_people, slots)
    _notify(moved_people, dropped_people, clashes)
    for workshop_id in sorted({key[0] for key in after if key in before and before[key] != after[key]}):
        promote_waitlisted(workshop_id)  # a bigger room may have freed seats for those waiting
    db.session.flush()
    return {
        "run_id": run.id,
        "moved_runs": sum(1 for k in after if k in before and before[k] != after[k]),
        "added_runs": sum(1 for k in after if k not in before),
        "removed_runs": sum(1 for k in before if k not in after),
        "clashes": clashes,
    }


def _move_attendees(before: dict, after: dict) -> tuple[dict[int, list[Selection]], dict[int, list[Selection]]]:
    """Point selections of moved runs at the run's new first slot; drop those of runs removed."""
    first_slot_moves = {
        slots[0]: after[key][0] for key, slots in before.items() if key in after and after[key][0] != slots[0]
    }
    removed_first_slots = {slots[0] for key, slots in before.items() if key not in after}
    watched = set(first_slot_moves) | removed_first_slots
    moved: dict[int, list[Selection]] = defaultdict(list)
    dropped: dict[int, list[Selection]] = defaultdict(list)
    if not watched:
        return moved, dropped
    for selection in db.session.scalars(
        select(Selection).where(Selection.event_slot_id.in_(watched),
                                Selection.status.in_(("registered", "waitlisted")))
    ):
        if selection.event_slot_id in first_slot_moves:
            selection.event_slot_id = first_slot_moves[selection.event_slot_id]
            moved[selection.user_id].append(selection)
        else:
            selection.event_slot_id = None
            selection.status = "interested"
            dropped[selection.user_id].append(selection)
    db.session.flush()
    return moved, dropped


def _run_span(slots: dict[int, EventSlot], first_slot_id: int) -> tuple:
    first = slots[first_slot_id]
    members = [s for s in slots.values() if s.workshop_id == first.workshop_id and s.run_index == first.run_index]
    return min(s.start for s in members), max(s.end for s in members)


def _clashes_for(moved: dict[int, list[Selection]], slots: dict[int, EventSlot]) -> list[dict]:
    """Attendees whose moved run now overlaps another run they are registered for."""
    if not moved:
        return []
    registered = db.session.scalars(
        select(Selection).where(Selection.user_id.in_(moved), Selection.status == "registered",
                                Selection.event_slot_id.is_not(None))
    ).all()
    by_user: dict[int, list[Selection]] = defaultdict(list)
    for selection in registered:
        if selection.event_slot_id in slots:
            by_user[selection.user_id].append(selection)
    clashes = []
    for user_id, moved_selections in moved.items():
        for mine in moved_selections:
            if mine.status != "registered":
                continue
            start, end = _run_span(slots, mine.event_slot_id)
            for other in by_user[user_id]:
                if other.id == mine.id:
                    continue
                other_start, other_end = _run_span(slots, other.event_slot_id)
                if start < other_end and other_start < end:
                    clashes.append({"user_id": user_id, "workshop_id": mine.workshop_id,
                                    "clashes_with_workshop_id": other.workshop_id})
    return clashes


def _notify(moved: dict, dropped: dict, clashes: list[dict]) -> None:
    user_ids = set(moved) | set(dropped)
    if not user_ids:
        return
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    workshop_ids = {s.workshop_id for group in (*moved.values(), *dropped.values()) for s in group}
    titles = dict(db.session.execute(select(Workshop.id, Workshop.title).where(Workshop.id.in_(workshop_ids))).all())
    clash_by_user = defaultdict(list)
    for clash in clashes:
        clash_by_user[clash["user_id"]].append(clash)
    for user_id in sorted(user_ids):
        lines = [f"- '{titles[s.workshop_id]}' moved to a new time; you are still registered."
                 for s in moved.get(user_id, [])]
        lines += [f"- '{titles[s.workshop_id]}' is no longer scheduled; your registration became an interest."
                  for s in dropped.get(user_id, [])]
        lines += [f"- '{titles.get(c['workshop_id'], c['workshop_id'])}' now overlaps another workshop you "
                  "registered for: please pick one." for c in clash_by_user[user_id]]
        send_mail(users[user_id].email, "Your convention schedule changed", "\n".join(lines))
