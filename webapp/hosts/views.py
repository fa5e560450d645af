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
from ..services import attending, hosts, workshops
from ..services.tracks import tracks_by_convention
from ..forms import FormErrors, FormInvalid, parse_form, validate_form
from ..pages import page_action
from ..workshops.forms import local_datetime
from ..workshops.schemas import WorkshopCreateIn, WorkshopUpdateIn, equipment_pairs
from ..workshops.views import SERVICE_PAGE, page_helpers, workshop_rows
from .schemas import ApplyIn, AvailabilityIn, AvailabilityQuery

bp = Blueprint("host_pages", __name__, url_prefix="/host")
bp.context_processor(page_helpers)

APPLY_FIELDS = ["convention_id", "motivation"]
WORKSHOP_FIELDS = ["convention_id", "title", "description", "max_attendees", "duration_slots", "runs", "track_id"]
EDIT_FIELDS = ["title", "description", "max_attendees", "duration_slots", "runs", "track_id"]


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


def _workshops_page(errors=None, values=None, status=200):
    views, total = workshops.my_workshops(current_user, SERVICE_PAGE, 0)
    conventions = _conventions()
    tracks = tracks_by_convention([c.id for c in conventions])
    return render_template("hosts/workshops.html", rows=workshop_rows(views), total=total,
                           conventions=conventions, by_id={c.id: c for c in conventions},
                           track_groups=[(c.name, tracks[c.id]) for c in conventions],
                           errors=errors or FormErrors(), values=values or {}), status


@bp.get("/workshops")
@login_required
def workshops_page():
    return _workshops_page()


@bp.post("/workshops")
@login_required
@page_action(lambda errors: _workshops_page(errors, request.form, status=errors.status), WORKSHOP_FIELDS)
def propose_workshop():
    data = parse_form(WorkshopCreateIn, request.form, WORKSHOP_FIELDS)
    values = data.model_dump()
    values["equipment"] = equipment_pairs(data.equipment)
    view = workshops.create_workshop(current_user, **values)
    flash(f"Workshop '{view.workshop.title}' proposed.")
    return redirect(url_for("host_pages.workshops_page", _anchor=f"workshop-{view.workshop.id}"))


def _edit_page(workshop_id: int, errors=None, values=None, status=200):
    view = workshops.get_workshop(current_user, workshop_id)
    w = view.workshop
    convention = access.load(current_user, Convention, w.convention_id)
    if values is None:
        values = {name: getattr(w, name) for name in EDIT_FIELDS}
    return render_template("hosts/edit_workshop.html", workshop=w, convention=convention,
                           tracks=tracks_by_convention([convention.id])[convention.id],
                           errors=errors or FormErrors(), values=values), status


@bp.get("/workshops/<int(max=2147483647):workshop_id>/edit")
@login_required
def edit_workshop_page(workshop_id: int):
    workshops.require_editable(current_user, workshop_id)  # 403 for anyone but its hosts and admins
    db.session.rollback()  # nothing was written; release the convention row at once
    return _edit_page(workshop_id)


@bp.post("/workshops/<int(max=2147483647):workshop_id>/edit")
@login_required
@page_action(lambda errors, workshop_id: _edit_page(workshop_id, errors, request.form, status=errors.status),
             EDIT_FIELDS)
def edit_workshop(workshop_id: int):
    data = parse_form(WorkshopUpdateIn, request.form, EDIT_FIELDS,
                      required=["title", "max_attendees", "duration_slots", "runs"],
                      extra={"description": request.form.get("description", ""),
                             # a blank track means "no track", not "unchanged"
                             **({} if request.form.get("track_id") else {"track_id": None})})
    view = workshops.update_workshop(current_user, workshop_id, **data.model_dump(exclude_unset=True))
    flash(f"Workshop '{view.workshop.title}' saved.")
    return redirect(url_for("host_pages.workshops_page", _anchor=f"workshop-{workshop_id}"))



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
