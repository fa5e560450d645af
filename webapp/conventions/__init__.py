from flask import Blueprint

bp = Blueprint("conventions", __name__)

from . import api, views  # noqa: E402,F401  (JSON routes register on the API blueprint; pages on bp)
