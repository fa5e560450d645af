"""Admins' pages for running a convention: host applications, registrations and payments, people.

Each page calls the same service function as the JSON API, so permissions and rules are judged
once (a 403 page for anyone but an admin)."""
from __future__ import annotations

from flask import Blueprint, flash
from flask_login import current_user

from ..forms import FormErrors

from ..workshops.views import page_helpers

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(page_helpers)


def flash_refusal(errors: FormErrors, labels: dict[str, str] | None = None) -> None:
    """A refusal on a list page, which shows no form: the reason, each input named as the page names it."""
    parts = [f"{(labels or {}).get(name, name)}: {problem}" for name, problem in errors.items() if name != "_form"]
    flash(errors.general or "; ".join(parts) or "That did not work.", "error")


@bp.app_context_processor
def admin_navigation() -> dict:
    """The counts beside "Host applications" and "People" (skill requests) in every admin's navigation."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return {}
    from ..services.held_capabilities import pending_request_count
    from ..services.hosts import pending_application_count

    return {"pending_host_applications": pending_application_count(current_user),
            "pending_capability_requests": pending_request_count(current_user)}


from . import applications, people, registrations, tracks  # noqa: E402,F401  (routes register on bp)
