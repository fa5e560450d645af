"""The schedule grid as served to readers: built once per version of the convention, then reused.

A large convention's grid is about 1,500 slots; building and encoding it costs far more than
any other read, yet it changes only when slots, rooms or placed workshops do. Each process keeps
the encoded grid per (convention, audience) with the `schedule_version` it was built at (see
schedule_versions.py); a reader looks the version up (one small query) and reuses the copy when
it matches. The version is read before the grid is built, so a copy is never older than its
version says, and several server processes stay correct without talking to each other.

Audiences: admins see every placed workshop; everyone else sees the published ones, except the
hosts of a placed unpublished workshop, who also see their own: their grid is built fresh. The schedule
page keeps its rendered days per audience the same way (conventions/grid_page.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import NotFound
from ..extensions import db
from .placement import Schedule, convention_schedule, hosts_of_hidden_runs
from .schedule_versions import version_of
from .versioned_cache import app_cache
from ..models import Convention
from .access import is_admin, signed_in_user


@dataclass(frozen=True)
class RenderedGrid:
    body: bytes
    etag: str | None  # None: built for one person, not cached


@dataclass(frozen=True)
class Audience:
    """Whose view of the grid `actor` gets: "all" (admins) or "public" (everyone else), kept per version;
    None for a host of a placed unpublished workshop, whose grid is built for them alone."""
    name: str | None
    version: int
    key: tuple  # the convention's cache key (schedule_versions.ConventionVersion.cache_key)
    reader: object  # the actor to read the grid as: the admin, or None (anonymous) for "public"


def audience_of(actor, convention_id: int) -> Audience:
    """The version read now and the audience; NotFound when the actor may not see the convention."""
    found = version_of(db.session, convention_id)
    if found is None or not Convention.status_visible(found.status, actor):
        raise NotFound(f"No convention {convention_id}.", fields={"id": convention_id})
    if is_admin(actor):
        return Audience("all", found.version, found.cache_key, actor)
    hidden_hosts = app_cache("schedule-grid").cached((*found.cache_key, "hidden-hosts"), found.version,
                                                     lambda: frozenset(hosts_of_hidden_runs(convention_id)))
    user = signed_in_user(actor)
    if user is not None and user.id in hidden_hosts:
        return Audience(None, found.version, found.cache_key, actor)
    return Audience("public", found.version, found.cache_key, None)  # the public grid is the anonymous reader's


def schedule_grid(actor, convention_id: int, render: Callable[[Schedule], bytes]) -> RenderedGrid:
    """The convention's grid as `actor` may see it, encoded by `render`."""
    audience = audience_of(actor, convention_id)
    if audience.name is None:
        return RenderedGrid(render(convention_schedule(actor, convention_id)), None)
    body = app_cache("schedule-grid").cached((*audience.key, audience.name), audience.version,
                                             lambda: render(convention_schedule(audience.reader, convention_id)))
    return RenderedGrid(body, f"{convention_id}.{audience.key[1]:.6f}.{audience.version}.{audience.name}")
