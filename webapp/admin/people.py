"""People: search everyone; one person's roles, capabilities, registrations and workshops, with the
roles and capability grants changed from the page (the services behind /api/users and /api/attendees)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..attending.schemas import CapabilityDecisionIn, CapabilityGrantIn
from ..errors import Conflict, NotFound
from ..forms import FormErrors, parse_form
from ..models.accounts import NAME_MAX
from ..services import attending, catalogue, held_capabilities, registration, users, workshops
from ..pages import page_action
from . import bp, flash_refusal

LIST_SIZE = 100
DETAIL_SIZE = 500
CHANGEABLE_ROLES = ("admin", "host")  # everyone is an attendee


@bp.get("/people")
@login_required
def people():
    q = request.args.get("q", "").strip()[:NAME_MAX] or None
    rows, total = users.list_users(current_user, LIST_SIZE, 0, q)
    asked, waiting = held_capabilities.list_capability_requests(current_user, "pending", LIST_SIZE, 0)
    return render_template("admin/people.html", people=rows, total=total, q=q or "", asked=asked, waiting=waiting)


@bp.get("/people/<int:user_id>")
@login_required
def person(user_id: int):
    person = users.get_user(current_user, user_id)
    held = attending.user_capabilities(current_user, user_id)
    catalogue_rows, _ = catalogue.list_capabilities(current_user, DETAIL_SIZE, 0)
    held_ids = {view.capability.id for view in held}
    registrations, _ = registration.my_conventions(current_user, DETAIL_SIZE, 0, user_id=user_id)
    places, _ = attending.list_my_selections(current_user, None, None, DETAIL_SIZE, 0, user_id=user_id)
    hosted, _ = workshops.list_workshops(current_user, limit=DETAIL_SIZE, offset=0, host_id=user_id)
    asked, _ = held_capabilities.list_capability_requests(current_user, "pending", DETAIL_SIZE, 0, user_id=user_id)
    return render_template(
        "admin/person.html", person=person, held=held, asked=asked, grantable=[c for c in catalogue_rows if c.id not in held_ids],
        registrations=registrations, places=[p for p in places if p.selection.status != "cancelled"],
        hosted=hosted, changeable_roles=CHANGEABLE_ROLES)


def _back(user_id: int, anchor: str):
    return redirect(url_for("admin.person", user_id=user_id, _anchor=anchor))


def _refused(anchor: str):
    def refused(errors: FormErrors, user_id: int, **_):
        flash_refusal(errors, {"capability_id": "Capability"})
        return _back(user_id, anchor)

    return refused


@bp.post("/people/<int:user_id>/roles")
@login_required
@page_action(_refused("roles"))
def set_roles(user_id: int):
    wanted = [role for role in request.form.getlist("roles") if role in CHANGEABLE_ROLES]
    person = users.set_roles(current_user, user_id, wanted + ["attendee"])
    shown = ", ".join(r for r in person.roles if r != "attendee") or "attendee only"
    flash(f"{person.display_name}'s roles saved: {shown}.")
    return _back(user_id, "roles")


@bp.post("/people/<int:user_id>/capabilities")
@login_required
@page_action(_refused("capabilities"), ["capability_id"])
def grant_capability(user_id: int):
    data = parse_form(CapabilityGrantIn, request.form, ["capability_id"], required=["capability_id"],
                      message="Choose a capability to grant.")
    try:
        held_capabilities.grant_capability(current_user, user_id, data.capability_id)
    except NotFound as gone:  # the capability was deleted meanwhile
        raise Conflict(gone.message) from None
    flash("Capability granted.")
    return _back(user_id, "capabilities")


@bp.post("/people/<int:user_id>/capabilities/<int:capability_id>/revoke")
@login_required
@page_action(_refused("capabilities"))
def revoke_capability(user_id: int, capability_id: int):
    try:
        held_capabilities.revoke_capability(current_user, user_id, capability_id)
    except NotFound as gone:
        raise Conflict(gone.message) from None
    flash("Capability taken back.")
    return _back(user_id, "capabilities")


def _decision_refused(errors: FormErrors, request_id: int, decision: str):
    flash_refusal(errors, {"message": "The message"})
    return redirect(url_for("admin.people", _anchor="capability-requests"))


@bp.post("/capability-requests/<int:request_id>/<any(grant, refuse):decision>")
@login_required
@page_action(_decision_refused, ["message"])
def decide_capability_request(request_id: int, decision: str):
    data = parse_form(CapabilityDecisionIn, request.form, ["message"], extra={"decision": decision})
    try:
        row = held_capabilities.decide_capability_request(current_user, request_id, data.decision == "grant",
                                                          data.message)
    except NotFound as gone:  # the person or the capability was deleted meanwhile
        raise Conflict(gone.message) from None
    answer = "granted" if row.status == "granted" else "not granted"
    flash(f"{row.user.display_name}: '{row.capability.name}' {answer}; they were mailed the answer.")
    return redirect(url_for("admin.people", _anchor="capability-requests"))
