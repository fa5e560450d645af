"""Tracks of a convention: anyone who may see the convention lists them; admins change them."""
from __future__ import annotations

from sqlalchemy import func, select

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Convention, Track, User, Workshop
from .access import load
from .conventions import admin_convention
from .lookup import get_or_404
from .unique_names import UniqueName, update_named_row
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


TRACK_NAME = UniqueName(Track, "track_name_taken", "This convention already has a track named")


def create_track(actor: User | None, convention_id: int, *, name: str, colour: str) -> Track:
    admin_convention(actor, convention_id)
    return TRACK_NAME.add(Track(convention_id=convention_id, name=name, colour=colour.lower()))


def update_track(actor: User | None, track_id: int, *, name: str | None = None, colour: str | None = None) -> Track:
    return update_named_row(actor, TRACK_NAME, track_id, "track", name=name,
                            colour=colour.lower() if colour is not None else None)


def track_in(actor: User | None, convention_id: int, track_id: int) -> Track:
    """A track of this convention, for an admin's page whose address names both (404 otherwise)."""
    admin_convention(actor, convention_id)
    track = get_or_404(Track, track_id, "track")
    if track.convention_id != convention_id:
        raise NotFound(f"No track {track_id} in convention {convention_id}.", fields={"id": track_id})
    return track


def managed_tracks(actor: User | None, convention_id: int) -> tuple[Convention, list[tuple[Track, int]]]:
    """For the admins' tracks page: the convention and each of its tracks with how many workshops it holds
    (what deleting it would leave without a track)."""
    convention = admin_convention(actor, convention_id)
    counts = dict(db.session.execute(
        select(Workshop.track_id, func.count()).where(Workshop.convention_id == convention_id,
                                                       Workshop.track_id.is_not(None))
        .group_by(Workshop.track_id)).all())
    return convention, [(track, counts.get(track.id, 0)) for track in list_tracks(actor, convention_id)]


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
