"""The host applications inbox: pending applications, approved or rejected with an optional note."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import Conflict, NotFound
from ..extensions import db
from ..hosts.schemas import ReviewIn
from ..services import hosts
from ..workshops.forms import parse_form
from . import bp

INBOX_SIZE = 200


@bp.get("/host-applications")
@login_required
def host_applications():
    rows, total = hosts.pending_applications(current_user, INBOX_SIZE, 0)
    return render_template("admin/applications.html", applications=rows, total=total)


@bp.post("/host-applications/<int:application_id>/<any(approve, reject):decision>")
@login_required
def review_application(application_id: int, decision: str):
    note, errors = parse_form(ReviewIn, request.form, ["message"])
    if note is None:
        flash(f"The message is too long: {errors.get('message', '')}", "error")
        return redirect(url_for("admin.host_applications", _anchor=f"application-{application_id}"))
    review = hosts.approve_application if decision == "approve" else hosts.reject_application
    try:
        row = review(current_user, application_id, note.message)
    except (Conflict, NotFound) as error:  # reviewed meanwhile by another admin, or withdrawn
        db.session.rollback()
        flash(error.message, "error")
    else:
        name = row.user.display_name
        db.session.commit()
        if decision == "approve":
            flash(f"{name} is a host now; they were mailed the answer.")
        else:
            flash(f"{name}'s application was rejected; they were mailed the answer.")
    return redirect(url_for("admin.host_applications"))
