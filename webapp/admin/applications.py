"""The host applications inbox: pending applications, approved or rejected with an optional note."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import Conflict, NotFound
from ..forms import FormErrors, parse_form
from ..hosts.schemas import ReviewIn
from ..pages import page_action
from ..services import hosts
from . import bp, flash_refusal

INBOX_SIZE = 200


@bp.get("/host-applications")
@login_required
def host_applications():
    rows, total = hosts.pending_applications(current_user, INBOX_SIZE, 0)
    return render_template("admin/applications.html", applications=rows, total=total)


def _review_refused(errors: FormErrors, application_id: int, decision: str):
    flash_refusal(errors, {"message": "The message"})
    return redirect(url_for("admin.host_applications", _anchor=f"application-{application_id}"))


@bp.post("/host-applications/<int:application_id>/<any(approve, reject):decision>")
@login_required
@page_action(_review_refused, ["message"])
def review_application(application_id: int, decision: str):
    note = parse_form(ReviewIn, request.form, ["message"])
    review = hosts.approve_application if decision == "approve" else hosts.reject_application
    try:
        row = review(current_user, application_id, note.message)
    except NotFound as gone:  # withdrawn meanwhile: said on the inbox, not as an error page
        raise Conflict(gone.message) from None
    name = row.user.display_name
    if decision == "approve":
        flash(f"{name} is a host now; they were mailed the answer.")
    else:
        flash(f"{name}'s application was rejected; they were mailed the answer.")
    return redirect(url_for("admin.host_applications"))
