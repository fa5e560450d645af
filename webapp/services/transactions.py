"""Work to do once the request's transaction has committed (enqueueing a task, for one)."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import event

from ..extensions import db


def on_commit(callback: Callable[[], None]) -> None:
    """Call `callback` after the current transaction commits; never if it rolls back.

    A task enqueued before the commit could start before its row is visible to the worker."""
    session = db.session()
    pending: list = session.info.setdefault("on_commit", [])
    pending.append(callback)
    if len(pending) == 1:
        event.listen(session, "after_commit", _run_pending, once=True)
        event.listen(session, "after_rollback", _drop_pending, once=True)


def _run_pending(session) -> None:
    callbacks = session.info.pop("on_commit", [])
    if event.contains(session, "after_rollback", _drop_pending):
        event.remove(session, "after_rollback", _drop_pending)
    for callback in callbacks:
        callback()


def _drop_pending(session) -> None:
    session.info.pop("on_commit", None)
    if event.contains(session, "after_commit", _run_pending):
        event.remove(session, "after_commit", _run_pending)
