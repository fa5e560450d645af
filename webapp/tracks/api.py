"""JSON routes for a convention's tracks."""
from flask_login import current_user

from ..api import bp as api_bp
from ..api.routing import api_route, listing, parse_body
from ..services import tracks
from .schemas import TrackIn, TrackList, TrackOut, TrackUpdateIn, track_json


@api_route(api_bp, "/conventions/<int:convention_id>/tracks", ["GET"], summary="A convention's tracks",
           response=TrackList, auth=False, tag="tracks")
def list_tracks(convention_id: int):
    rows = tracks.list_tracks(current_user, convention_id)
    return listing([track_json(t) for t in rows], len(rows))


@api_route(api_bp, "/conventions/<int:convention_id>/tracks", ["POST"], summary="Add a track (admin)",
           body=TrackIn, response=TrackOut, status=201, tag="tracks")
def create_track(convention_id: int):
    data = parse_body(TrackIn)
    return track_json(tracks.create_track(current_user, convention_id, **data.model_dump()))


@api_route(api_bp, "/tracks/<int:track_id>", ["PUT"], summary="Rename or recolour a track (admin)",
           body=TrackUpdateIn, response=TrackOut, tag="tracks")
def update_track(track_id: int):
    data = parse_body(TrackUpdateIn)
    return track_json(tracks.update_track(current_user, track_id, **data.model_dump(exclude_unset=True)))


@api_route(api_bp, "/tracks/<int:track_id>", ["DELETE"],
           summary="Delete a track (admin); its workshops stay, without a track", status=204, tag="tracks")
def delete_track(track_id: int):
    tracks.delete_track(current_user, track_id)
    return "", 204
