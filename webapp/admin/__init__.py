"""Admins' pages for running a convention: host applications, registrations and payments, people.

Each page calls the same service function as the JSON API, so permissions and rules are judged
once (a 403 page for anyone but an admin)."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from ..workshops.views import page_helpers

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(page_helpers)


@bp.app_context_processor
def admin_navigation() -> dict:
    """The count beside "Host applications" in every admin's navigation."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return {}
    from ..services.hosts import pending_application_count

    return {"pending_host_applications": pending_application_count(current_user)}


from . import applications, people, registrations  # noqa: E402,F401  (routes register on bp)
