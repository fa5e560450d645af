"""Auto-schedule pages: start a run, watch its progress (HTMX polling), review, accept or reject."""
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db, htmx
from ..forms import FormErrors, parse_form
from ..pages import page_action
from ..services import proposal_review, proposals, scheduling
from ..services.conventions import admin_convention
from ..models import Convention
from solver.instance import Weights
from . import bp
from .schemas import AutoScheduleIn, TrackWeightsForm

FORM_FIELDS = ["time_limit_seconds", "keep_current", "reproducible", "seed"]
WEIGHT_FIELDS = ["track_overlap", "track_rooms"]


def _auto_schedule_page(convention_id: int, errors: FormErrors | None = None, values=None, status: int = 200):
    convention = admin_convention(current_user, convention_id)
    runs, total = scheduling.list_runs(current_user, convention_id, 20, 0)
    defaults = {name: field.default for name, field in AutoScheduleIn.model_fields.items() if name in FORM_FIELDS}
    return render_template("scheduling/page.html", convention=convention, runs=runs, total=total,
                           errors=errors or FormErrors(), values=values or defaults, default_weights=Weights(),
                           zone=ZoneInfo(convention.timezone), active=scheduling.active_run(convention_id)), status


@bp.get("/conventions/<int:convention_id>/auto-schedule")
@login_required
def auto_schedule_page(convention_id: int):
    return _auto_schedule_page(convention_id)


@bp.post("/conventions/<int:convention_id>/auto-schedule")
@login_required
@page_action(lambda errors, convention_id: _auto_schedule_page(convention_id, errors, request.form, errors.status),
             FORM_FIELDS + WEIGHT_FIELDS)
def start_auto_schedule(convention_id: int):
    data = parse_form(AutoScheduleIn, request.form, FORM_FIELDS)
    chosen = parse_form(TrackWeightsForm, request.form, WEIGHT_FIELDS).model_dump(exclude_none=True)
    run = scheduling.request_auto_schedule(
        current_user, convention_id, time_limit_seconds=data.time_limit_seconds,
        keep_current=data.keep_current, reproducible=data.reproducible, seed=data.seed, weights=chosen)
    return redirect(url_for("scheduling.run_page", run_id=run.id))


def _status_context(run_id: int) -> dict:
    run = scheduling.get_run(current_user, run_id)
    review = quality = None
    if run.status in ("succeeded", "accepted", "rejected"):
        page = request.args.get("page", "1")
        review = proposal_review.review_page(run, request.args.get("show", "changes"),
                                             int(page) if page.isdigit() and len(page) < 6 else 1)
        quality = proposal_review.quality_in_words(run)
    convention = db.session.get(Convention, run.convention_id)
    return {"run": run, "review": review, "quality": quality, "convention": convention,
            "zone": ZoneInfo(convention.timezone)}


@bp.get("/schedule-runs/<int:run_id>")
@login_required
def run_page(run_id: int):
    context = _status_context(run_id)
    if htmx:
        return render_template("scheduling/_run_status.html", **context)
    return render_template("scheduling/run.html", **context)


def _run_answer(run_id: int):
    if htmx:
        return render_template("scheduling/_run_status.html", **_status_context(run_id))
    return redirect(url_for("scheduling.run_page", run_id=run_id))


def _run_refused(errors: FormErrors, run_id: int, action: str):
    flash(errors.message)
    for violation in errors.details.get("violations", [])[:10]:
        flash(violation["message"])
    return _run_answer(run_id)


@bp.post("/schedule-runs/<int:run_id>/<any(cancel, accept, reject):action>")
@login_required
@page_action(_run_refused)
def run_action(run_id: int, action: str):
    if action == "accept":
        result = proposals.accept_run(current_user, run_id)
        flash(f"Schedule applied: {result['added_runs']} added, {result['moved_runs']} moved, "
              f"{result['removed_runs']} removed; {len(result['clashes'])} attendee clash(es) reported.")
    elif action == "reject":
        scheduling.reject_run(current_user, run_id)
        flash("Proposal rejected; the schedule is unchanged.")
    else:
        # the run's status section says what happens next ("Stopping…"), so no banner
        scheduling.cancel_run(current_user, run_id, keep_best=request.form.get("keep_best") == "1")
    return _run_answer(run_id)
