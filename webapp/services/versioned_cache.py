"""A small in-process cache whose entries carry the version they were built at (see schedule_versions.py).

Readers ask for (key, version): an entry built at another version is a miss and is rebuilt. Only
one thread builds a given key at a time; the others wait and reuse its result. Each app has its
own caches (tests build many apps), and each server process its own app.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from flask import current_app


class VersionedCache:
    """Values keyed by anything, each valid for one version; older versions are misses."""

    def __init__(self, capacity: int = 96):
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
            while len(self.entries) > self.capacity:
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


def app_cache(name: str, capacity: int = 96) -> VersionedCache:
    return current_app.extensions.setdefault(f"slotwise_cache_{name}", VersionedCache(capacity))
