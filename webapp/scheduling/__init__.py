from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from . import api, views  # noqa: E402,F401  (routes register on import)
