"""JSON routes of schedule exchange: CSV files for organisers and the personal calendar feed's address."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route
from ..input_guard import allow_large_body
from ..services import calendar_export, csv_exports, registration_export, schedule_import
from .schemas import CalendarFeedOut, ImportOut, ImportUploadIn, parse_import_form


def csv_response(text: str, filename: str):
    response = current_app.response_class(text.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api_route(api_bp, "/conventions/<int:convention_id>/schedule.csv", ["GET"],
           summary="The schedule as CSV: run, room, start, end, hosts, track, seats, registered (admins; hosts: "
                   "their own runs)", tag="exports")
def schedule_csv(convention_id: int):
    return csv_response(csv_exports.schedule_csv(current_user, convention_id), f"schedule-{convention_id}.csv")


@api_route(api_bp, "/conventions/<int:convention_id>/registrations.csv", ["GET"],
           summary="A convention's registrations as CSV (admins)",
           tag="exports")
def registrations_csv(convention_id: int):
    return csv_response(registration_export.registrations_csv(current_user, convention_id),
                        f"registrations-{convention_id}.csv")


@api_route(api_bp, "/workshops/<int:workshop_id>/attendees.csv", ["GET"],
           summary="A workshop's attendees as CSV, run by run (admins and the workshop's hosts)", tag="exports")
def attendees_csv(workshop_id: int):
    return csv_response(csv_exports.attendees_csv(current_user, workshop_id), f"attendees-{workshop_id}.csv")


def _feed_json(feed) -> dict:
    return calendar_export.feed_urls(feed) if feed else {"url": None, "webcal_url": None}


@api_route(api_bp, "/users/me/calendar-feed", ["GET"],
           summary="Your personal calendar feed's secret address (null until you make one with POST)",
           response=CalendarFeedOut, tag="exports")
def get_calendar_feed():
    return _feed_json(calendar_export.calendar_feed(current_user))


@api_route(api_bp, "/users/me/calendar-feed", ["POST"],
           summary="Make or replace your calendar feed's secret address (the old one stops working)",
           response=CalendarFeedOut, status=201, tag="exports")
def rotate_calendar_feed():
    return _feed_json(calendar_export.rotate_calendar_feed(current_user))


@api_route(api_bp, "/conventions/import", ["POST"],
           summary="Import a frab schedule.xml or frab/pretalx schedule.json (admin; multipart: file, optional "
                   "convention_id, keep_placements, timezone) into a new or an existing convention",
           body=ImportUploadIn, body_media="multipart/form-data", response=ImportOut, status=201, tag="import")
@allow_large_body
def import_schedule():
    form = parse_import_form()
    report = schedule_import.import_schedule_file(current_user, form.raw, convention_id=form.convention_id,
                                                  keep_placements=form.keep_placements,
                                                  timezone_name=form.timezone)
    return {"convention_id": report.convention_id, "report": report.as_dict()}
