"""The capabilities catalogue page: admins add, rename, describe and delete skills; others read it."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..conventions.forms import CAPABILITY_FIELDS, parse_capability
from ..extensions import htmx
from ..forms import FormErrors
from ..pages import page_action
from ..services import catalogue

bp = Blueprint("catalogue", __name__)

LIST_LIMIT = 500


def _render(errors: dict | None = None, values: dict | None = None, notice: str | None = None, status: int = 200):
    rows, total = catalogue.list_capabilities(current_user, LIST_LIMIT, 0)
    context = {"capabilities": rows, "total": total, "errors": errors or {}, "values": values or {}, "notice": notice}
    template = "catalogue/_capabilities.html" if htmx else "catalogue/capabilities.html"
    return make_response(render_template(template, **context), status)


def _done(message: str):
    if htmx:
        return _render(notice=message)
    flash(message)
    return redirect(url_for("catalogue.capabilities_page"))


def _refused(errors: FormErrors, capability_id: int | None = None):
    key = "new" if capability_id is None else f"capability-{capability_id}"
    return _render(errors={key: errors}, values={key: request.form}, status=errors.status)


@bp.get("/capabilities")
@login_required
def capabilities_page():
    return _render()


@bp.post("/capabilities")
@login_required
@page_action(_refused, CAPABILITY_FIELDS)
def create_capability():
    data = parse_capability(request.form)
    row = catalogue.create_capability(current_user, **data.model_dump())
    return _done(f"Capability '{row.name}' added.")


@bp.post("/capabilities/<int:capability_id>")
@login_required
@page_action(_refused, CAPABILITY_FIELDS)
def update_capability(capability_id: int):
    data = parse_capability(request.form)
    row = catalogue.update_capability(current_user, capability_id, **data.model_dump())
    return _done(f"Capability '{row.name}' saved.")


@bp.post("/capabilities/<int:capability_id>/delete")
@login_required
@page_action(_refused)
def delete_capability(capability_id: int):
    catalogue.delete_capability(current_user, capability_id, cascade=request.form.get("cascade") == "on")
    return _done("Capability deleted.")
