"""Tracks: a convention's groups of workshops (JSON routes in api.py)."""
from . import api  # noqa: F401  (registers the JSON routes)
