"""The schedule grid as served to readers: built once per version of the convention, then reused.

A large convention's grid is about 1,500 slots; building and encoding it costs far more than
any other read, yet it changes only when slots, rooms or placed workshops do. Each process keeps
the encoded grid per (convention, audience) with the `schedule_version` it was built at (see
schedule_versions.py); a reader looks the version up (one small query) and reuses the copy when
it matches. The version is read before the grid is built, so a copy is never older than its
version says, and several server processes stay correct without talking to each other.

Audiences: admins see every placed workshop; everyone else sees the published ones, except the
hosts of a placed unpublished workshop, who also see their own: their grid is built fresh.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from ..errors import NotFound
from ..extensions import db
from .placement import Schedule, convention_schedule, hosts_of_hidden_runs
from .schedule_versions import version_of
from .workshops import is_admin

CACHED_CONVENTIONS = 32


@dataclass(frozen=True)
class RenderedGrid:
    body: bytes
    etag: str | None  # None: built for one person, not cached


class _GridCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self.entries: OrderedDict[tuple, tuple[int, object]] = OrderedDict()
        self.lock = threading.Lock()
        self.build_locks: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, version: int):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] != version:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: tuple, version: int, value) -> None:
        with self.lock:
            current = self.entries.get(key)
            if current is not None and current[0] > version:
                return  # a slower request built an older state; keep the newer one
            self.entries[key] = (version, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.capacity * 3:  # three keys per convention at most
                self.entries.popitem(last=False)

    def build_lock(self, key: tuple) -> threading.Lock:
        with self.lock:
            return self.build_locks.setdefault(key, threading.Lock())

    def cached(self, key: tuple, version: int, build: Callable[[], object]):
        value = self.get(key, version)
        if value is not None:
            return value
        with self.build_lock(key):  # many readers after a change: one builds, the rest wait for it
            value = self.get(key, version)
            if value is None:
                value = build()
                self.put(key, version, value)
        return value


def _cache() -> _GridCache:
    return current_app.extensions.setdefault("slotwise_schedule_grid", _GridCache(CACHED_CONVENTIONS))


def schedule_grid(actor, convention_id: int, render: Callable[[Schedule], bytes]) -> RenderedGrid:
    """The convention's grid as `actor` may see it, encoded by `render`."""
    found = version_of(db.session, convention_id)
    admin = is_admin(actor)
    if found is None or (found[0] == "draft" and not admin):
        raise NotFound(f"No convention {convention_id}.", fields={"id": convention_id})
    version = found[1]
    cache = _cache()
    if admin:
        audience = "all"
    else:
        hidden_hosts = cache.cached((convention_id, "hidden-hosts"), version,
                                    lambda: frozenset(hosts_of_hidden_runs(convention_id)))
        if getattr(actor, "is_authenticated", False) and actor.id in hidden_hosts:
            return RenderedGrid(render(convention_schedule(actor, convention_id)), None)
        audience = "public"
        actor = None  # the public grid is the anonymous reader's

    body = cache.cached((convention_id, audience), version,
                        lambda: render(convention_schedule(actor, convention_id)))
    return RenderedGrid(body, f"{convention_id}.{version}.{audience}")
