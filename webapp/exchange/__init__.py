"""Schedules in and out: frab XML/JSON and iCalendar exports, CSV for organisers, and imports."""
from . import api  # noqa: F401  (registers the JSON routes)
from .views import bp  # noqa: F401
