"""Tracks of a convention: anyone who may see the convention lists them; admins change them."""
from __future__ import annotations

from sqlalchemy import func, select

from ..errors import ValidationFailed
from ..extensions import db
from ..models import Convention, Track, User
from .access import load
from .conventions import admin_convention
from .lookup import get_or_404, require_name_free
from .permissions import require_admin


def list_tracks(actor: User | None, convention_id: int) -> list[Track]:
    load(actor, Convention, convention_id)
    return list(db.session.scalars(
        select(Track).where(Track.convention_id == convention_id).order_by(func.lower(Track.name), Track.id)
    ))


def tracks_by_convention(convention_ids: list[int]) -> dict[int, list[Track]]:
    """Every listed convention's tracks, for forms that offer them (the caller already sees these conventions)."""
    found: dict[int, list[Track]] = {i: [] for i in convention_ids}
    if convention_ids:
        for track in db.session.scalars(
            select(Track).where(Track.convention_id.in_(convention_ids)).order_by(func.lower(Track.name))
        ):
            found[track.convention_id].append(track)
    return found


def _check_name_free(convention_id: int, name: str, exclude_id: int | None = None) -> None:
    require_name_free(Track, convention_id, name, code="track_name_taken", what="a track", exclude_id=exclude_id)


def create_track(actor: User | None, convention_id: int, *, name: str, colour: str) -> Track:
    admin_convention(actor, convention_id)
    _check_name_free(convention_id, name)
    track = Track(convention_id=convention_id, name=name, colour=colour.lower())
    db.session.add(track)
    db.session.flush()
    return track


def update_track(actor: User | None, track_id: int, *, name: str | None = None, colour: str | None = None) -> Track:
    require_admin(actor)
    track = get_or_404(Track, track_id, "track")
    if name is not None and name != track.name:
        _check_name_free(track.convention_id, name, exclude_id=track.id)
        track.name = name
    if colour is not None:
        track.colour = colour.lower()
    db.session.flush()
    return track


def delete_track(actor: User | None, track_id: int) -> None:
    """Its workshops stay, without a track (the database sets their track_id to NULL)."""
    require_admin(actor)
    db.session.delete(get_or_404(Track, track_id, "track"))
    db.session.flush()


def checked_track_id(convention_id: int, track_id: int | None) -> int | None:
    """A workshop's track must be one of its convention's; 422 naming `track_id` otherwise."""
    if track_id is None:
        return None
    track = db.session.get(Track, track_id)
    if track is None or track.convention_id != convention_id:
        raise ValidationFailed("Some references are invalid.",
                               fields={"track_id": f"unknown: {track_id} (in this convention)"})
    return track_id
