"""The JSON API blueprint and the helpers every JSON route uses."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from .routing import api_route, page_args, parse_body  # noqa: E402  (helpers need bp)

__all__ = ["bp", "api_route", "parse_body", "page_args"]
