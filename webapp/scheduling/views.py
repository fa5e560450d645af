"""Auto-schedule pages: start a run, watch its progress (HTMX polling), review, accept or reject."""
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db, htmx
from ..services import proposal_review, proposals, scheduling
from ..services.lookup import get_or_404
from ..services.permissions import require_admin
from ..models import Convention
from . import bp
from .forms import AutoScheduleForm


@bp.get("/conventions/<int:convention_id>/auto-schedule")
@login_required
def auto_schedule_page(convention_id: int):
    require_admin(current_user)
    convention = get_or_404(Convention, convention_id, "convention")
    runs, total = scheduling.list_runs(current_user, convention_id, 20, 0)
    db.session.commit()  # a stale run found while listing is recorded as failed
    return render_template("scheduling/page.html", convention=convention, runs=runs, total=total,
                           zone=ZoneInfo(convention.timezone),
                           form=AutoScheduleForm(), active=scheduling.active_run(convention_id))


@bp.post("/conventions/<int:convention_id>/auto-schedule")
@login_required
def start_auto_schedule(convention_id: int):
    form = AutoScheduleForm()
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            flash(f"{field}: {'; '.join(errors)}")
        return redirect(url_for("scheduling.auto_schedule_page", convention_id=convention_id))
    try:
        run = scheduling.request_auto_schedule(
            current_user, convention_id, time_limit_seconds=form.time_limit_seconds.data,
            keep_current=form.keep_current.data, reproducible=form.reproducible.data, seed=form.seed.data or 0)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("scheduling.auto_schedule_page", convention_id=convention_id))
    return redirect(url_for("scheduling.run_page", run_id=run.id))


def _status_context(run_id: int) -> dict:
    run = scheduling.get_run(current_user, run_id)
    db.session.commit()
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


@bp.post("/schedule-runs/<int:run_id>/<any(cancel, accept, reject):action>")
@login_required
def run_action(run_id: int, action: str):
    try:
        if action == "accept":
            result = proposals.accept_run(current_user, run_id)
            flash(f"Schedule applied: {result['added_runs']} added, {result['moved_runs']} moved, "
                  f"{result['removed_runs']} removed; {len(result['clashes'])} attendee clash(es) reported.")
        elif action == "reject":
            scheduling.reject_run(current_user, run_id)
            flash("Proposal rejected; the schedule is unchanged.")
        else:
            scheduling.cancel_run(current_user, run_id)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        if error.fields.get("violations"):
            for violation in error.fields["violations"][:10]:
                flash(violation["message"])
    if htmx:
        return render_template("scheduling/_run_status.html", **_status_context(run_id))
    return redirect(url_for("scheduling.run_page", run_id=run_id))
