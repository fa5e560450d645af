"""Helpers for the workshop, placement and host tests."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import event

from webapp.extensions import db


@dataclass
class QueryCount:
    count: int = 0
    statements: list[str] | None = None


@contextlib.contextmanager
def count_queries():
    """Counts the SQL statements sent while the block runs (every connection of the engine)."""
    counted = QueryCount(statements=[])

    def before(conn, cursor, statement, parameters, context, executemany):
        counted.count += 1
        counted.statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before)
