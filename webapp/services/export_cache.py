"""Public schedule files built once per schedule version and answered with ETag and Last-Modified.

The key holds the convention's identity, the file's kind and the address the links in it were made
for; the value is valid for one `schedule_version` (schedule_versions.py). So the first reader after a
change pays for the build and everyone after gets the stored bytes, or a 304 when their copy is current.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from ..extensions import db
from ..models import Convention
from .collector import collector_paused
from .published_schedule import visible_convention_for_export
from .schedule_versions import version_of
from .versioned_cache import app_cache


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    etag: str
    last_modified: datetime


def _built(build: Callable[[], bytes]) -> Callable[[], bytes]:
    def paused() -> bytes:
        with collector_paused():
            return build()
    return paused


def cached_export(convention_id: int, kind: tuple, build: Callable[[], bytes]) -> ExportFile:
    convention: Convention = visible_convention_for_export(convention_id)
    found = version_of(db.session, convention_id)
    key = (*found.cache_key, "export", *kind)
    body = app_cache("exports").cached(key, found.version, _built(build))
    changed = convention.schedule_changed_at or convention.created_at
    etag = f"{convention_id}-{found.cache_key[1]:.0f}-{found.version}-{'-'.join(map(str, kind[:2]))}"
    return ExportFile(body, etag, changed)
