"""Seat allocation (issue 16): the seat setting, attendees' ranked wishes, allocation runs and their review."""
from flask import Blueprint

bp = Blueprint("allocation", __name__)

from . import api, views  # noqa: E402,F401  (routes register on import)
