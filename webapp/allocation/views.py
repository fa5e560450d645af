"""Seat allocation pages: the admin's setting, runs and review; an attendee's ranked wishes.

Thin routes: each parses its form with the JSON API's schema, calls one service, and `page_action` commits
once or shows the refusal (409/422) on the page.
"""
from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import htmx
from ..forms import FormErrors, parse_form
from ..models import Convention
from ..pages import page_action
from ..services import access, allocation_runs, seat_mode, wishes
from ..services.conventions import admin_convention
from ..workshops.views import action_context, page_helpers
from . import bp
from .schemas import AllocationIn, SeatSettingsIn, WishIn, WishLimitIn

bp.context_processor(page_helpers)


# the admin's page ------------------------------------------------------------------------------


def _allocation_page(convention_id: int, errors: FormErrors | None = None, status: int = 200):
    convention = admin_convention(current_user, convention_id)
    runs, total = allocation_runs.list_allocation_runs(current_user, convention_id, 20, 0)
    return render_template("allocation/page.html", convention=convention, runs=runs, total=total,
                           errors=errors or FormErrors(), pending=seat_mode.pending_run(convention_id),
                           modes=allocation_runs.SEAT_MODE_WORDS), status


@bp.get("/conventions/<int(max=2147483647):convention_id>/seat-allocation")
@login_required
def allocation_page(convention_id: int):
    return _allocation_page(convention_id)


def _page_refused(errors: FormErrors, convention_id: int):
    return _allocation_page(convention_id, errors, errors.status)


@bp.post("/conventions/<int(max=2147483647):convention_id>/seat-allocation/settings")
@login_required
@page_action(_page_refused, ["seat_mode", "max_party_size"])
def save_settings(convention_id: int):
    data = parse_form(SeatSettingsIn, request.form, ["seat_mode", "max_party_size"])
    con = allocation_runs.set_seat_settings(current_user, convention_id, data.seat_mode, data.max_party_size)
    flash(f"Seats are given by {allocation_runs.SEAT_MODE_WORDS[con.seat_mode]}; parties of up to {con.max_party_size}.")
    return redirect(url_for("allocation.allocation_page", convention_id=convention_id))


@bp.post("/conventions/<int(max=2147483647):convention_id>/seat-allocation")
@login_required
@page_action(_page_refused, ["seed"])
def start_allocation(convention_id: int):
    data = parse_form(AllocationIn, request.form, ["seed"])
    run = allocation_runs.request_allocation(current_user, convention_id, data.seed)
    return redirect(url_for("allocation.run_page", run_id=run.id))


@bp.get("/conventions/<int(max=2147483647):convention_id>/seat-allocation/wishes.json")
@login_required
def wishes_export(convention_id: int):
    document = allocation_runs.export_wishes(current_user, convention_id)
    return Response(json.dumps(document, indent=1), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="wishes-convention-{convention_id}.json"'})


def _run_context(run_id: int) -> dict:
    run = allocation_runs.get_allocation_run(current_user, run_id)
    page = request.args.get("page", "1")
    review = allocation_runs.allocation_review(run, int(page) if page.isdigit() and len(page) < 6 else 1)
    convention = access.load(current_user, Convention, run.convention_id)
    return {"run": run, "review": review, "convention": convention}


@bp.get("/allocation-runs/<int(max=2147483647):run_id>")
@login_required
def run_page(run_id: int):
    context = _run_context(run_id)
    if htmx:
        return render_template("allocation/_run_status.html", **context)
    return render_template("allocation/run.html", **context)


def _run_answer(run_id: int):
    if htmx:
        return render_template("allocation/_run_status.html", **_run_context(run_id))
    return redirect(url_for("allocation.run_page", run_id=run_id))


def _run_refused(errors: FormErrors, run_id: int, action: str):
    flash(errors.message, "error")
    return _run_answer(run_id)


@bp.post("/allocation-runs/<int(max=2147483647):run_id>/<any(cancel, accept, reject):action>")
@login_required
@page_action(_run_refused)
def run_action(run_id: int, action: str):
    if action == "accept":
        result = allocation_runs.accept_allocation(current_user, run_id)
        flash(f"Allocation accepted: {result['registered']} seat(s) given, {result['waitlisted']} waitlist place(s); "
              f"{result['people']} people were mailed. Remaining seats are now first come, first served.")
    elif action == "reject":
        allocation_runs.reject_allocation(current_user, run_id)
        flash("Allocation rejected; nothing changed.")
    else:
        allocation_runs.cancel_allocation(current_user, run_id)
    return _run_answer(run_id)


# an attendee's wishes ----------------------------------------------------------------------------


def _wishes_page(convention_id: int, errors: FormErrors | None = None, status: int = 200):
    wish_list = wishes.my_wishes(current_user, convention_id)
    context = {"wish_list": wish_list, "convention": wish_list.convention, "errors": errors or FormErrors(),
               "pending": seat_mode.pending_run(convention_id)}
    if htmx:
        return render_template("allocation/_wishes.html", **context), status
    return render_template("allocation/wishes.html", **context), status


@bp.get("/conventions/<int(max=2147483647):convention_id>/my-wishes")
@login_required
def wishes_page(convention_id: int):
    return _wishes_page(convention_id)


def _wishes_refused(errors: FormErrors, convention_id: int, **_):
    return _wishes_page(convention_id, errors, errors.status)


@bp.post("/conventions/<int(max=2147483647):convention_id>/my-wishes/<int(max=2147483647):selection_id>/<any(up, down, remove):action>")
@login_required
@page_action(_wishes_refused)
def change_wish(convention_id: int, selection_id: int, action: str):
    if action == "remove":
        wishes.remove_wish(current_user, selection_id)
    else:
        wishes.move_wish(current_user, selection_id, action)
    return _after_wishes(convention_id)


@bp.post("/conventions/<int(max=2147483647):convention_id>/my-wishes/<int(max=2147483647):selection_id>/party")
@login_required
@page_action(_wishes_refused, ["party_size"])
def change_party(convention_id: int, selection_id: int):
    data = parse_form(WishIn, request.form, ["party_size"], extra={"workshop_id": 1})
    wishes.set_party(current_user, selection_id, data.party_size)
    return _after_wishes(convention_id)


@bp.post("/conventions/<int(max=2147483647):convention_id>/my-wishes/limit")
@login_required
@page_action(_wishes_refused, ["max_workshops"])
def change_limit(convention_id: int):
    data = parse_form(WishLimitIn, request.form, ["max_workshops"])
    wishes.set_max_workshops(current_user, convention_id, data.max_workshops)
    return _after_wishes(convention_id)


def _after_wishes(convention_id: int):
    if htmx:
        return _wishes_page(convention_id)
    return redirect(url_for("allocation.wishes_page", convention_id=convention_id))


def _wish_refused(errors: FormErrors, workshop_id: int):
    context = action_context(workshop_id, error=errors)
    template = "workshops/_actions.html" if htmx else "workshops/detail.html"
    return render_template(template, **context), errors.status


@bp.post("/workshops/<int(max=2147483647):workshop_id>/wish")
@login_required
@page_action(_wish_refused, ["party_size"])
def add_wish(workshop_id: int):
    data = parse_form(WishIn, request.form, ["party_size"], extra={"workshop_id": workshop_id})
    view = wishes.add_wish(current_user, workshop_id, data.party_size)
    message = f"Added to your wishes as number {view.rank}."
    if not htmx:
        flash(message)
        return redirect(url_for("workshop_pages.detail", workshop_id=workshop_id))
    return render_template("workshops/_actions.html", **action_context(workshop_id, message=message))
