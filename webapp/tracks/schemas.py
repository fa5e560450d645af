"""Track request and response schemas."""
from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from ..models.conventions import TITLE_MAX
from ..models.tracks import DEFAULT_COLOUR
from ..schemas import PartialUpdate, Schema

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Colour = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^#[0-9a-fA-F]{6}$")]


class TrackIn(Schema):
    name: Name
    colour: Colour = DEFAULT_COLOUR


class TrackUpdateIn(PartialUpdate):
    name: Name | None = None
    colour: Colour | None = None


class TrackOut(Schema):
    id: int
    convention_id: int
    name: str
    colour: str


class TrackList(Schema):
    items: list[TrackOut]
    total: int


def track_json(track) -> dict:
    return {"id": track.id, "convention_id": track.convention_id, "name": track.name, "colour": track.colour}
