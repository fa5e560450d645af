"""Public schedule files (no sign-in; drafts and unpublished workshops never appear), personal
calendar feeds at secret addresses, the page where a person gets or replaces their feed address, and
the admins' page for importing a schedule file."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import Conflict, Malformed, NotFound, ValidationFailed
from ..extensions import db
from ..input_guard import allow_large_body
from ..models import Location
from ..services import calendar_export, frab_export, schedule_import
from ..services import conventions as convention_service
from ..services.export_cache import cached_export
from ..services.permissions import require_admin
from ..services.published_schedule import acronym, published_schedule, visible_convention_for_export
from .schemas import parse_import_form

bp = Blueprint("exchange", __name__)

MEDIA_TYPES = {
    "xml": "application/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}


def file_response(body: bytes, kind: str, filename: str, etag: str | None = None, last_modified=None):
    response = current_app.response_class(body, content_type=MEDIA_TYPES[kind])
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "public, no-cache"  # revalidate each time: a 304 costs little
    if etag:
        response.set_etag(etag)
        response.last_modified = last_modified
    else:
        response.add_etag()
    return response.make_conditional(request)


def _public_file(convention_id: int, kind: str, build, location_id: int | None = None):
    name = acronym(visible_convention_for_export(convention_id))  # 404 first for drafts and unknown ids
    exported = cached_export(convention_id, (kind, location_id or 0, request.url_root), build)
    db.session.commit()  # an iCalendar build remembers where each run was (its SEQUENCE)
    suffix = f"-room-{location_id}" if location_id else ""
    return file_response(exported.body, kind, f"{name}{suffix}.{kind}", exported.etag, exported.last_modified)


@bp.get("/conventions/<int:convention_id>/schedule.xml")
def schedule_xml(convention_id: int):
    return _public_file(convention_id, "xml", lambda: frab_export.schedule_xml(published_schedule(convention_id)))


@bp.get("/conventions/<int:convention_id>/schedule.json")
def schedule_json(convention_id: int):
    return _public_file(convention_id, "json", lambda: frab_export.schedule_json(published_schedule(convention_id)))


@bp.get("/conventions/<int:convention_id>/schedule.ics")
def convention_calendar(convention_id: int):
    return _public_file(convention_id, "ics", lambda: calendar_export.convention_calendar(convention_id))


@bp.get("/conventions/<int:convention_id>/locations/<int:location_id>/schedule.ics")
def room_calendar(convention_id: int, location_id: int):
    location = db.session.get(Location, location_id)
    if location is None or location.convention_id != convention_id:
        raise NotFound(f"No location {location_id} in convention {convention_id}.", fields={"id": location_id})
    return _public_file(convention_id, "ics", lambda: calendar_export.convention_calendar(convention_id, location_id),
                        location_id)


@bp.get("/calendar/<string(maxlength=100):secret>.ics")
def personal_calendar(secret: str):
    body = calendar_export.personal_calendar(secret)
    db.session.commit()
    response = file_response(body, "ics", "slotwise.ics")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/calendar")
@login_required
def calendar_page():
    feed = calendar_export.calendar_feed(current_user)
    return render_template("exchange/calendar.html", urls=calendar_export.feed_urls(feed) if feed else None)


@bp.post("/calendar")
@login_required
def rotate_calendar():
    had_one = calendar_export.calendar_feed(current_user) is not None
    calendar_export.rotate_calendar_feed(current_user)
    db.session.commit()
    flash("A new calendar address is ready; the old one no longer works." if had_one
          else "Your calendar address is ready.")
    return redirect(url_for("exchange.calendar_page"))


# importing (admins) ---------------------------------------------------------------------------------


def _import_page(errors: dict | None = None, report=None, status: int = 200):
    conventions, _ = convention_service.list_conventions(current_user, 500, 0)
    return render_template("exchange/import.html", conventions=[c for c in conventions if c.status != "closed"],
                           errors=errors or {}, report=report, values=request.form), status


@bp.get("/conventions/import")
@login_required
def import_page():
    require_admin(current_user)
    return _import_page()


@bp.post("/conventions/import")
@login_required
@allow_large_body
def import_upload():
    require_admin(current_user)
    try:
        form = parse_import_form()
        report = schedule_import.import_schedule_file(
            current_user, form.raw, convention_id=form.convention_id, keep_placements=form.keep_placements,
            timezone_name=form.timezone)
    except (Malformed, ValidationFailed, Conflict, NotFound) as error:
        db.session.rollback()
        return _import_page({"message": error.message, **error.fields}, status=error.status)
    db.session.commit()
    return _import_page(report=report, status=201)
