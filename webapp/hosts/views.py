"""Hosts' pages: apply to host, availability windows (in the convention's local time), own workshops.

Forms are parsed into the JSON API's schemas (ApplyIn, AvailabilityIn, WorkshopCreateIn,
WorkshopUpdateIn) and handed to the same service functions; who may do what is the services'
call (a 403 page for an attendee opening a host page). Refusals a person can fix (409/422) are
shown beside the inputs, with nothing written.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import ValidationFailed
from ..extensions import db
from ..models import Convention
from ..services import access, conventions as convention_service
from ..services import attending, catalogue, csv_exports, hosts, locations, workshop_advice, workshops
from ..services.tracks import tracks_by_convention
from ..exchange.api import csv_response
from ..forms import FormErrors, FormInvalid, parse_form, validate_form
from ..pages import page_action
from ..workshops.forms import local_datetime
from ..workshops.schemas import WorkshopCreateIn, WorkshopUpdateIn, equipment_pairs
from ..workshops.views import SERVICE_PAGE, page_helpers, workshop_rows
from .schemas import ApplyIn, AvailabilityIn, AvailabilityQuery, WorkshopRef
from .workshop_form import FIELDS, equipment_input, parse_workshop_form, values_of_form, values_of_workshop

bp = Blueprint("host_pages", __name__, url_prefix="/host")
bp.context_processor(page_helpers)

APPLY_FIELDS = ["convention_id", "motivation"]


def _conventions() -> list:
    rows, _ = convention_service.list_conventions(current_user, SERVICE_PAGE, 0)
    return rows


# applying -------------------------------------------------------------------------------------


def _apply_page(errors=None, values=None, application=None, status=200):
    return render_template("hosts/apply.html", conventions=_conventions(), errors=errors or FormErrors(),
                           values=values or {}, application=application), status


@bp.get("/apply")
@login_required
def apply_page():
    return _apply_page(application=hosts.latest_application(current_user))


@bp.post("/apply")
@login_required
@page_action(lambda errors: _apply_page(errors, request.form, status=errors.status), APPLY_FIELDS)
def apply():
    data = parse_form(ApplyIn, request.form, APPLY_FIELDS)
    application = hosts.apply_to_host(current_user, data.convention_id, data.motivation)
    return _apply_page(application=application)


# availability ---------------------------------------------------------------------------------


def _convention_id(raw) -> int | None:
    """The convention named by a query or form value, checked by the API's AvailabilityQuery."""
    if not raw:
        return None
    try:
        return validate_form(AvailabilityQuery, {"convention_id": raw}).convention_id
    except FormInvalid:
        raise ValidationFailed("Choose a convention from the list.", fields={"convention_id": f"unknown: {raw}"}) from None


def _availability_page(convention_id: int | None, errors=None, values=None, status=200):
    convention = windows = bounds = None
    if convention_id is not None:
        convention = access.load(current_user, Convention, convention_id)
        windows = hosts.list_availability(current_user, convention.id)
        bounds = hosts.convention_bounds(convention)
    else:
        hosts.list_availability(current_user)  # the host check, before showing the choice
    return render_template("hosts/availability.html", conventions=_conventions(), convention=convention,
                           windows=windows, bounds=bounds, errors=errors or FormErrors(),
                           values=values or {}), status


@bp.get("/availability")
@login_required
def availability_page():
    return _availability_page(_convention_id(request.args.get("convention_id")))


def _availability_refused(errors: FormErrors):
    convention_id = _convention_id(request.form.get("convention_id"))
    return _availability_page(convention_id, errors, request.form, status=errors.status)


@bp.post("/availability")
@login_required
@page_action(_availability_refused, ["start", "end"])
def add_availability():
    convention_id = _convention_id(request.form.get("convention_id"))
    if convention_id is None:
        raise ValidationFailed("Choose a convention first.", fields={"convention_id": "missing"})
    convention = access.load(current_user, Convention, convention_id)
    errors = FormErrors()
    moments = {}
    for name in ("start", "end"):
        raw = request.form.get(name, "")
        moments[name] = local_datetime(raw, convention.timezone) if raw.strip() else None
        if moments[name] is None:
            errors[name] = "Fill this in." if not raw.strip() else "Enter a date and time, such as 2027-05-01 09:00."
    if errors:
        raise FormInvalid(errors)
    validate_form(AvailabilityIn, {"convention_id": convention_id, **moments})
    row = hosts.add_availability(current_user, convention_id, moments["start"], moments["end"])
    merged = row.start != moments["start"] or row.end != moments["end"]
    flash("Window added" + (", merged with the windows it touches." if merged else "."))
    return redirect(url_for("host_pages.availability_page", convention_id=convention_id))


def _back_to_availability():
    return redirect(url_for("host_pages.availability_page",
                            convention_id=_convention_id(request.form.get("convention_id"))))


def _flash_refusal(errors: FormErrors, **_):
    flash(errors.message)
    return _back_to_availability()


@bp.post("/availability/<int(max=2147483647):availability_id>/delete")
@login_required
@page_action(_flash_refusal)
def delete_availability(availability_id: int):
    _convention_id(request.form.get("convention_id"))  # a bad one is refused before anything changes
    hosts.delete_availability(current_user, availability_id)
    flash("Window removed.")
    return _back_to_availability()


# own workshops --------------------------------------------------------------------------------


def _workshops_page():
    views, total = workshops.my_workshops(current_user, SERVICE_PAGE, 0)
    conventions = _conventions()
    rows = workshop_rows(views)
    not_all_placed = [r.workshop.id for r in rows if r.workshop.status != "cancelled" and len(r.runs) < r.workshop.runs]
    unplaced = workshop_advice.latest_unplaced_reasons(current_user, not_all_placed)
    return render_template("hosts/workshops.html", rows=rows, total=total, unplaced=unplaced,
                           conventions=conventions, by_id={c.id: c for c in conventions})


@bp.get("/workshops")
@login_required
def workshops_page():
    return _workshops_page()


def _form_context(convention: Convention) -> dict:
    """What the whole-workshop form offers to choose from in this convention."""
    rooms, _ = locations.list_locations(current_user, convention.id, SERVICE_PAGE, 0)
    equipment, _ = catalogue.list_equipment(current_user, SERVICE_PAGE, 0, convention_id=convention.id)
    capabilities, _ = catalogue.list_capabilities(current_user, SERVICE_PAGE, 0)
    return {"convention": convention, "rooms": rooms, "equipment": equipment, "capabilities": capabilities,
            "tracks": tracks_by_convention([convention.id])[convention.id], "equipment_input": equipment_input}


def _new_page(convention_id: int | None, errors=None, values=None, status=200):
    workshops.my_workshops(current_user, 1, 0)  # the host check, before showing anything
    convention = None
    if convention_id is not None:
        convention = access.load(current_user, Convention, convention_id)
    values = values or {"convention_id": convention_id}
    context = _form_context(convention) if convention is not None else {"convention": None}
    open_conventions = [c for c in _conventions() if c.status != "closed"]
    return render_template("hosts/new_workshop.html", conventions=open_conventions, errors=errors or FormErrors(),
                           values=values, advice=None, **context), status


@bp.get("/workshops/new")
@login_required
def new_workshop_page():
    return _new_page(_convention_id(request.args.get("convention_id")))


def _propose_refused(errors: FormErrors):
    try:
        convention_id = _convention_id(request.form.get("convention_id"))
    except ValidationFailed:
        convention_id = None
    return _new_page(convention_id, errors, values_of_form(request.form), status=errors.status)


@bp.post("/workshops")
@login_required
@page_action(_propose_refused, FIELDS)
def propose_workshop():
    data, cohost_emails = parse_workshop_form(WorkshopCreateIn, request.form, with_convention=True)
    values = data.model_dump()
    values["equipment"] = equipment_pairs(data.equipment)
    view = workshops.create_workshop(current_user, **values, cohost_emails=cohost_emails)
    flash(f"Workshop '{view.workshop.title}' proposed.")
    _flash_never_fits(view.workshop)
    return redirect(url_for("host_pages.workshops_page", _anchor=f"workshop-{view.workshop.id}"))


def _flash_never_fits(w) -> None:
    db.session.flush()
    reasons = workshop_advice.saved_never_fits(current_user, w.id)
    if reasons:
        flash(f"As it stands '{w.title}' can never be placed: " + "; ".join(reasons) + ".")


def _edit_page(workshop_id: int, errors=None, values=None, status=200):
    view = workshops.get_workshop(current_user, workshop_id)
    w = view.workshop
    convention = access.load(current_user, Convention, w.convention_id)
    advice = None
    if values is None:
        values = values_of_workshop(w)
        if w.status != "cancelled":  # what the saved workshop can never fit, said on arrival
            advice = workshop_advice.saved_never_fits(current_user, w.id)
    unplaced = workshop_advice.latest_unplaced_reasons(current_user, [w.id]).get(w.id, []) \
        if len(view.runs) < w.runs else []
    return render_template("hosts/edit_workshop.html", workshop=w, row=workshop_rows([view])[0], unplaced=unplaced,
                           errors=errors or FormErrors(), values=values, advice=advice,
                           may_cancel=w.can_delete(current_user), **_form_context(convention)), status


@bp.get("/workshops/<int(max=2147483647):workshop_id>/edit")
@login_required
def edit_workshop_page(workshop_id: int):
    workshops.require_editable(current_user, workshop_id)  # 403 for anyone but its hosts and admins
    db.session.rollback()  # nothing was written; release the convention row at once
    return _edit_page(workshop_id)


@bp.post("/workshops/<int(max=2147483647):workshop_id>/edit")
@login_required
@page_action(lambda errors, workshop_id: _edit_page(workshop_id, errors, values_of_form(request.form),
                                                    status=errors.status), FIELDS)
def edit_workshop(workshop_id: int):
    data, cohost_emails = parse_workshop_form(
        WorkshopUpdateIn, request.form, with_convention=False,
        required=["title", "max_attendees", "duration_slots", "runs"],
        # a blank description or track means "none", not "unchanged"
        extra={"description": request.form.get("description", ""),
               **({} if request.form.get("track_id") else {"track_id": None})})
    changes = data.model_dump(exclude_unset=True)
    changes["equipment"] = equipment_pairs(data.equipment or [])
    view = workshops.update_workshop(current_user, workshop_id, **changes, cohost_emails=cohost_emails)
    flash(f"Workshop '{view.workshop.title}' saved.")
    _flash_never_fits(view.workshop)
    return redirect(url_for("host_pages.workshops_page", _anchor=f"workshop-{workshop_id}"))


@bp.post("/workshops/feasibility")
@login_required
def feasibility():
    """The form's values judged as the solver would: what can never fit (an htmx partial; nothing is written)."""
    raw_workshop = request.form.get("workshop_id") or None
    workshop_id = validate_form(WorkshopRef, {"workshop_id": raw_workshop}).workshop_id if raw_workshop else None
    convention_id = None if workshop_id else _convention_id(request.form.get("convention_id"))
    try:
        data, cohost_emails = parse_workshop_form(WorkshopUpdateIn, request.form, with_convention=False)
    except FormInvalid:
        data = None  # saving says what is wrong with the values; nothing to judge yet
    advice = None
    if data is not None and data.max_attendees is not None and (workshop_id or convention_id):
        advice = workshop_advice.never_fits(
            current_user, convention_id, workshop_id=workshop_id, max_attendees=data.max_attendees,
            duration_slots=data.duration_slots or 1, location_ids=data.location_ids or [],
            equipment=equipment_pairs(data.equipment or []), cohost_emails=cohost_emails)
    db.session.rollback()
    return render_template("hosts/_feasibility.html", advice=advice)


@bp.get("/workshops/<int(max=2147483647):workshop_id>/cancel")
@login_required
def confirm_cancel_workshop(workshop_id: int):
    workshop, impact = workshops.cancellation_impact(current_user, workshop_id)
    db.session.rollback()  # nothing was written; release the convention row at once
    return render_template("hosts/confirm_cancel_workshop.html", workshop=workshop, impact=impact)


def _cancel_refused(errors: FormErrors, workshop_id: int):
    flash(errors.message)
    return redirect(url_for("host_pages.workshops_page"))


@bp.post("/workshops/<int(max=2147483647):workshop_id>/cancel")
@login_required
@page_action(_cancel_refused)
def cancel_workshop(workshop_id: int):
    workshop, impact = workshops.cancellation_impact(current_user, workshop_id)
    title = workshop.title
    workshops.delete_workshop(current_user, workshop_id)
    told = impact.registered + impact.waitlisted
    flash(f"Workshop '{title}' cancelled." + (f" {told} {'person was' if told == 1 else 'people were'} mailed."
                                               if told else ""))
    return redirect(url_for("host_pages.workshops_page", _anchor=f"workshop-{workshop_id}"))


@bp.get("/workshops/<int(max=2147483647):workshop_id>/runs/<int(min=1, max=20):run>/attendees.csv")
@login_required
def run_attendees_csv(workshop_id: int, run: int):
    """One placed run's attendees (names, emails) as CSV: the workshop's hosts and admins."""
    return csv_response(csv_exports.attendees_csv(current_user, workshop_id, run - 1),
                        f"attendees-{workshop_id}-run-{run}.csv")


@bp.get("/workshops/<int(max=2147483647):workshop_id>/attendees")
@login_required
def attendees_page(workshop_id: int):
    """Who is registered, then who waits in queue order, run by run (the workshop's hosts and admins)."""
    people, total = attending.workshop_attendees(current_user, workshop_id, SERVICE_PAGE, 0)
    view = workshops.get_workshop(current_user, workshop_id)
    convention = access.load(current_user, Convention, view.workshop.convention_id)
    row = workshop_rows([view])[0]
    return render_template("hosts/attendees.html", workshop=view.workshop, convention=convention, row=row,
                           people=people, total=total)
