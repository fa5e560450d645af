"""A convention's tracks: list them with their colour and how many workshops each holds, add one (name and
colour picker), rename or recolour one, and delete one after a step that says how many workshops lose it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..forms import FormErrors, parse_form
from ..models.tracks import DEFAULT_COLOUR
from ..pages import page_action
from ..services import tracks
from ..tracks.schemas import TrackIn, TrackUpdateIn
from . import bp

FIELDS = ("name", "colour")


def _page(convention_id: int, *, errors: dict | None = None, values: dict | None = None,
          confirm: int | None = None, status: int = 200):
    """The page; `errors` and `values` are keyed by form ("new" or the track's id), `confirm` names the track
    whose delete button asks first."""
    convention, rows = tracks.managed_tracks(current_user, convention_id)
    return render_template("admin/tracks.html", convention=convention, rows=rows, errors=errors or {},
                           values=values or {}, confirm=confirm, default_colour=DEFAULT_COLOUR), status


def _back(convention_id: int, message: str, anchor: str | None = None):
    flash(message)
    return redirect(url_for("admin.tracks_page", convention_id=convention_id, _anchor=anchor))


def _refused(form_key):
    def refused(errors: FormErrors, convention_id: int, track_id: int | None = None):
        key = form_key if track_id is None else track_id
        return _page(convention_id, errors={key: errors}, values={key: request.form}, status=errors.status)

    return refused


@bp.get("/conventions/<int:convention_id>/tracks")
@login_required
def tracks_page(convention_id: int):
    return _page(convention_id)


@bp.post("/conventions/<int:convention_id>/tracks")
@login_required
@page_action(_refused("new"), FIELDS)
def add_track(convention_id: int):
    data = parse_form(TrackIn, request.form, FIELDS, required=["name"])
    row = tracks.create_track(current_user, convention_id, name=data.name, colour=data.colour)
    return _back(convention_id, f"Track '{row.name}' added.", f"track-{row.id}")


@bp.post("/conventions/<int:convention_id>/tracks/<int:track_id>")
@login_required
@page_action(_refused(None), FIELDS)
def save_track(convention_id: int, track_id: int):
    tracks.track_in(current_user, convention_id, track_id)
    data = parse_form(TrackUpdateIn, request.form, FIELDS, required=FIELDS)
    row = tracks.update_track(current_user, track_id, name=data.name, colour=data.colour)
    return _back(convention_id, f"Track '{row.name}' saved.", f"track-{row.id}")


@bp.post("/conventions/<int:convention_id>/tracks/<int:track_id>/delete")
@login_required
@page_action(_refused(None))
def delete_track(convention_id: int, track_id: int):
    row = tracks.track_in(current_user, convention_id, track_id)
    if request.form.get("confirmed") != "1":  # ask first, saying how many workshops lose their track
        return _page(convention_id, confirm=track_id)
    name = row.name
    tracks.delete_track(current_user, track_id)
    return _back(convention_id, f"Track '{name}' deleted; its workshops have no track now.")
