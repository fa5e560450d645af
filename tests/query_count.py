"""Counting the SQL statements a block sends: the one helper behind every "queries do not grow" test."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from sqlalchemy import event

from webapp.extensions import db


@dataclass
class QueryCount:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_queries():
    """Every statement sent on the app's engine while the block runs (all its connections)."""
    counted = QueryCount()

    def record(conn, cursor, statement, parameters, context, executemany):
        counted.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield counted
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
