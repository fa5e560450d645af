"""A convention's registrations and payments: list with status filter, search and counts; mark paid
with a payment reference; cancel (after a confirm step saying what else ends); CSV download."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..attending.schemas import CompleteRegistrationIn
from ..errors import Conflict, NotFound
from ..forms import FormErrors, parse_form
from ..pages import page_action
from ..models.attending import REGISTRATION_STATUSES
from ..models.conventions import TITLE_MAX
from ..services import conventions, registration
from ..services.registration_export import registrations_csv
from . import bp, flash_refusal

PAGE_SIZE = 200
STATUS_LABELS = {"signed_up": "signed up", "pending_payment": "waiting for payment", "registered": "registered",
                 "cancelled": "cancelled"}


def _filters(source) -> dict:
    """The list's filters from a query string or a form's hidden inputs; unknown statuses mean all."""
    status = source.get("status") or None
    q = (source.get("q") or "").strip()[:TITLE_MAX] or None
    return {"status": status if status in REGISTRATION_STATUSES else None, "q": q}


def _back(convention_id: int, filters: dict):
    return redirect(url_for("admin.registrations", convention_id=convention_id,
                            **{k: v for k, v in filters.items() if v}))


@bp.get("/conventions/<int:convention_id>/registrations")
@login_required
def registrations(convention_id: int):
    filters = _filters(request.args)
    people, total = registration.search_registrations(current_user, convention_id, limit=PAGE_SIZE, offset=0,
                                                      **filters)
    counts = registration.registration_counts(current_user, convention_id)
    convention = conventions.get_convention(current_user, convention_id)
    return render_template("admin/registrations.html", convention=convention, people=people, total=total,
                           counts=counts, filters=filters, labels=STATUS_LABELS, page_size=PAGE_SIZE)


@bp.get("/conventions/<int:convention_id>/registrations.csv")
@login_required
def registrations_download(convention_id: int):
    filters = _filters(request.args)
    text = registrations_csv(current_user, convention_id, **filters)
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="convention-{convention_id}-registrations.csv"'})


def _refused(errors: FormErrors, convention_id: int, user_id: int):
    flash_refusal(errors, {"payment_reference": "Payment reference"})
    return _back(convention_id, _filters(request.form))


@bp.post("/conventions/<int:convention_id>/registrations/<int:user_id>/paid")
@login_required
@page_action(_refused, ["payment_reference"])
def mark_paid(convention_id: int, user_id: int):
    data = parse_form(CompleteRegistrationIn, request.form, ["payment_reference"], required=["payment_reference"],
                      extra={"user_id": user_id})
    view = registration.registration_of(current_user, convention_id, user_id)
    registration.complete_registration(current_user, convention_id, data.payment_reference, user_id)
    flash(f"{view.user.display_name} has paid (reference {data.payment_reference}) and is registered.")
    return _back(convention_id, _filters(request.form))


@bp.get("/conventions/<int:convention_id>/registrations/<int:user_id>/cancel")
@login_required
def confirm_cancel(convention_id: int, user_id: int):
    view = registration.registration_of(current_user, convention_id, user_id)
    convention = conventions.get_convention(current_user, convention_id)
    return render_template("admin/confirm_cancel_registration.html", convention=convention, view=view,
                           places=registration.active_selection_count(user_id, convention_id),
                           filters=_filters(request.args))


@bp.post("/conventions/<int:convention_id>/registrations/<int:user_id>/cancel")
@login_required
@page_action(_refused)
def cancel(convention_id: int, user_id: int):
    view = registration.registration_of(current_user, convention_id, user_id)
    try:
        registration.cancel_convention_registration(current_user, convention_id, user_id)
    except NotFound as gone:  # cancelled meanwhile: said on the list, not as an error page
        raise Conflict(gone.message) from None
    flash(f"{view.user.display_name}'s registration is cancelled; they were mailed.")
    return _back(convention_id, _filters(request.form))
