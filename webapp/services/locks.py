"""Serialising writers that check before they write, on both databases.

PostgreSQL: SELECT ... FOR UPDATE on a row every such writer locks first. SQLite has no row locks
and no FOR UPDATE; its one write lock is taken by a transaction's first write, so a no-op UPDATE
comes first, before anything the checks read (pysqlite opens the transaction right before it)."""
from __future__ import annotations

from sqlalchemy import Table, select

from ..extensions import db
from ..models import Convention


def lock_rows(table: Table, row_ids) -> None:
    """Hold these rows (SQLite: the whole database) until the transaction ends."""
    ids = sorted({i for i in row_ids if i is not None})
    if not ids:
        return
    if db.session.get_bind().dialect.name == "sqlite":
        key = table.c.id
        db.session.execute(table.update().where(key == ids[0]).values(id=key))
    db.session.execute(select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update())


def lock_convention(convention_id: int | None) -> None:
    """Placements and proposals in one convention are judged one after another: taken before the
    workshop, its hosts, the equipment or the runs are read for the rule checks."""
    lock_rows(Convention.__table__, [convention_id])
