"""The capabilities catalogue page: admins add, rename, describe and delete skills; others read it."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..conventions.forms import CAPABILITY_FIELDS, parse_capability
from ..forms import FormErrors, domain_errors
from ..errors import Conflict, ValidationFailed
from ..extensions import db, htmx
from ..services import catalogue

bp = Blueprint("catalogue", __name__)

FIXABLE = (Conflict, ValidationFailed)
LIST_LIMIT = 500


def _render(errors: dict | None = None, values: dict | None = None, notice: str | None = None, status: int = 200):
    rows, total = catalogue.list_capabilities(current_user, LIST_LIMIT, 0)
    context = {"capabilities": rows, "total": total, "errors": errors or {}, "values": values or {}, "notice": notice}
    template = "catalogue/_capabilities.html" if htmx else "catalogue/capabilities.html"
    return make_response(render_template(template, **context), status)


def _done(message: str):
    db.session.commit()
    if htmx:
        return _render(notice=message)
    flash(message)
    return redirect(url_for("catalogue.capabilities_page"))


def _refused(key: str, errors: FormErrors, status: int):
    db.session.rollback()
    return _render(errors={key: errors}, values={key: request.form}, status=status)


@bp.get("/capabilities")
@login_required
def capabilities_page():
    return _render()


@bp.post("/capabilities")
@login_required
def create_capability():
    data, errors = parse_capability(request.form)
    if data is None:
        return _refused("new", errors, 422)
    try:
        row = catalogue.create_capability(current_user, **data.model_dump())
    except FIXABLE as error:
        return _refused("new", domain_errors(error, CAPABILITY_FIELDS), error.status)
    return _done(f"Capability '{row.name}' added.")


@bp.post("/capabilities/<int:capability_id>")
@login_required
def update_capability(capability_id: int):
    key = f"capability-{capability_id}"
    data, errors = parse_capability(request.form)
    if data is None:
        return _refused(key, errors, 422)
    try:
        row = catalogue.update_capability(current_user, capability_id, **data.model_dump())
    except FIXABLE as error:
        return _refused(key, domain_errors(error, CAPABILITY_FIELDS), error.status)
    return _done(f"Capability '{row.name}' saved.")


@bp.post("/capabilities/<int:capability_id>/delete")
@login_required
def delete_capability(capability_id: int):
    try:
        catalogue.delete_capability(current_user, capability_id, cascade=request.form.get("cascade") == "on")
    except FIXABLE as error:
        return _refused(f"capability-{capability_id}", domain_errors(error, []), error.status)
    return _done("Capability deleted.")
