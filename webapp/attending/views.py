"""Attendees' actions and their schedule: register for a convention, show interest, take a seat, cancel.

Each route parses its form with the JSON API's schema, calls the same service function as the
API, commits once, and answers the workshop's action block (htmx) or goes back to the page. A
refusal the person can act on (a clash, a full run they are queued for, a missing prerequisite
or registration: 409/422) is shown in the block; 401/403/404 go to the one error renderer.
"""
from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import htmx
from ..models import Convention
from ..services import access, attending, catalogue, held_capabilities, registration
from ..forms import FormErrors, parse_form
from ..pages import page_action
from ..workshops.views import SERVICE_PAGE, action_context, page_helpers
from .schemas import CapabilityRequestIn, InterestIn, WorkshopRegisterIn

bp = Blueprint("attending_pages", __name__)
bp.context_processor(page_helpers)

def _block(workshop_id: int, message: str):
    """After an action: the workshop's action block (htmx) or back to the workshop page."""
    if not htmx:
        flash(message)
        return redirect(url_for("workshop_pages.detail", workshop_id=workshop_id))
    return render_template("workshops/_actions.html", **action_context(workshop_id, message=message))


def _block_refused(errors: FormErrors, workshop_id: int):
    """A refusal shown in the action block (or on the workshop page) with its reason."""
    context = action_context(workshop_id, error=errors)
    template = "workshops/_actions.html" if htmx else "workshops/detail.html"
    return render_template(template, **context), errors.status


def _workshop_id_from_form() -> int | None:
    value = request.form.get("workshop_id", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _attend_refused(errors: FormErrors, convention_id: int):
    workshop_id = _workshop_id_from_form()
    if workshop_id is not None:
        return _block_refused(errors, workshop_id)
    flash(errors.message)
    return redirect(url_for("workshop_pages.browse", convention_id=convention_id))


@bp.post("/conventions/<int(max=2147483647):convention_id>/attend")
@login_required
@page_action(_attend_refused)
def attend_convention(convention_id: int):
    row, created = registration.register_for_convention(current_user, convention_id)
    if row.status == "registered":
        message = "You are registered for the convention." if created else "You were registered already."
    else:
        message = "Registration recorded: it is complete once the fee is paid. You can show interest meanwhile."
    workshop_id = _workshop_id_from_form()
    if workshop_id is not None:
        return _block(workshop_id, message)
    flash(message)
    return redirect(url_for("workshop_pages.browse", convention_id=convention_id))


@bp.post("/workshops/<int(max=2147483647):workshop_id>/interest")
@login_required
@page_action(_block_refused)
def show_interest(workshop_id: int):
    data = parse_form(InterestIn, request.form, ["rank"])
    view, _ = attending.show_interest(current_user, workshop_id, data.rank)
    rank = f" (rank {view.selection.rank})" if view.selection.rank else ""
    return _block(workshop_id, f"Noted: you are interested{rank}.")


@bp.post("/workshops/<int(max=2147483647):workshop_id>/register")
@login_required
@page_action(_block_refused)
def register(workshop_id: int):
    data = parse_form(WorkshopRegisterIn, request.form, ["event_slot_id"])
    view, _ = attending.register_for_workshop(current_user, workshop_id, data.event_slot_id)
    if view.selection.status == "registered":
        message = "You are registered: the seat is yours."
    else:
        message = f"This run is full: you are on the waitlist, position {view.waitlist_position}."
    return _block(workshop_id, message)


def _cancel_refused(errors: FormErrors, **_):
    flash(errors.message)
    return redirect(url_for("attending_pages.my_schedule"))


@bp.post("/selections/<int(max=2147483647):selection_id>/cancel")
@login_required
@page_action(_cancel_refused)
def cancel_selection(selection_id: int):
    if request.form.get("confirmed") != "1":
        current = attending.own_selection(current_user, selection_id)
        if current.selection.status == "registered":  # a seat is given up: ask first (nothing is written)
            return _confirm_cancel(current, attending.dependent_registrations(current_user, selection_id))
    also = request.form.get("dependents") == "cancel"
    dependents = attending.dependent_registrations(current_user, selection_id) if also else []
    view = attending.cancel_selection(current_user, selection_id, cancel_dependents=also)
    also_text = " and ".join(f"'{d.workshop_title}'" for d in dependents)
    if request.form.get("back") == "schedule":
        flash(f"Cancelled: {view.workshop_title}" + (f", and {also_text}, which needed it." if dependents else "."))
        return redirect(url_for("attending_pages.my_schedule"))
    return _block(view.selection.workshop_id, "Cancelled; your place went to the next person waiting, if any."
                  + (f" Also cancelled: {also_text}, which needed it." if dependents else ""))


def _confirm_cancel(view, dependents):
    """The question before giving up a seat: in the workshop's action block (htmx) or as a page. When later
    registrations need what this run teaches, the question lists them and offers to cancel them too."""
    workshop_id = view.selection.workshop_id
    if htmx and not dependents:
        return render_template("workshops/_actions.html", **action_context(workshop_id, confirm_cancel=True))
    context = action_context(workshop_id)
    run = context["row"].run_for(view.selection.event_slot_id)
    template = "attending/_confirm_cancel_block.html" if htmx else "attending/confirm_cancel.html"
    return render_template(template, view=view, run=run, convention=context["convention"],
                           back=request.form.get("back", ""), dependents=dependents)


# the personal schedule ------------------------------------------------------------------------


@bp.get("/my/schedule")
@login_required
def my_schedule():
    registrations, _ = registration.my_conventions(current_user, SERVICE_PAGE, 0)
    conventions = {v.convention.id: v.convention for v in registrations}
    entries = attending.my_schedule(current_user, None)
    for con_id in {e.convention_id for e in entries} - set(conventions):
        conventions[con_id] = access.load(current_user, Convention, con_id)
    days: dict[tuple, list] = defaultdict(list)
    for entry in entries:  # in time order already
        con = conventions[entry.convention_id]
        local = entry.run.start.astimezone(ZoneInfo(con.timezone))
        days[(local.date(), con.id)].append(entry)
    interests, _ = attending.list_my_selections(current_user, None, "interested", SERVICE_PAGE, 0)
    waiting, _ = attending.list_my_selections(current_user, None, "waitlisted", SERVICE_PAGE, 0)
    for con_id in {s.convention_id for s in interests + waiting} - set(conventions):
        conventions[con_id] = access.load(current_user, Convention, con_id)
    runs = attending.runs_of_workshops({s.selection.workshop_id for s in waiting})
    return render_template(
        "attending/schedule.html", days=list(days.items()), conventions=conventions,
        interests=sorted(interests, key=lambda s: (s.selection.rank or 99, s.workshop_title)),
        waiting=waiting, runs=runs, registrations=registrations,
    )


# skills: what the person holds, and asking for one ---------------------------------------------

REQUEST_FIELDS = ["capability_id", "note"]


def _skills_page(errors=None, values=None, status=200):
    held = attending.user_capabilities(current_user, current_user.id)
    asked, _ = held_capabilities.list_capability_requests(current_user, None, SERVICE_PAGE, 0, current_user.id)
    everything, _ = catalogue.list_capabilities(current_user, SERVICE_PAGE, 0)
    taken = {v.capability.id for v in held} | {r.capability_id for r in asked if r.status == "pending"}
    values = dict(values or {})
    values.setdefault("capability_id", request.args.get("capability_id", ""))
    return render_template(
        "attending/skills.html", held=held, asked=list(reversed(asked)),
        askable=[c for c in everything if c.id not in taken], errors=errors or FormErrors(), values=values,
    ), status


@bp.get("/my/skills")
@login_required
def my_skills():
    return _skills_page()


@bp.post("/my/skills/request")
@login_required
@page_action(lambda errors: _skills_page(errors, request.form, status=errors.status), REQUEST_FIELDS)
def request_capability():
    data = parse_form(CapabilityRequestIn, request.form, REQUEST_FIELDS, required=["capability_id"])
    row = held_capabilities.request_capability(current_user, data.capability_id, data.note)
    flash(f"You asked for '{row.capability.name}'. An admin decides, and you get a mail with the answer.")
    return redirect(url_for("attending_pages.my_skills"))
