"""The JSON API blueprint and the helpers every JSON route uses."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def refuse_cross_site_writes():
    # the blueprint is exempt from the pages' CSRF tokens; a cross-site form can still reach
    # endpoints that read no body, carrying the session cookie, so its origin is checked instead
    from ..errors import render_error
    from ..security import cross_site_write_refusal

    reason = cross_site_write_refusal()
    if reason:
        return render_error(403, "cross_site_request", reason)
    return None


from .routing import api_route, page_args, parse_body  # noqa: E402  (helpers need bp)

__all__ = ["bp", "api_route", "parse_body", "page_args"]
