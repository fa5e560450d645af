"""Names that are unique without regard to case, for all of Unicode and on every database.

SQLite's lower() folds only ASCII, so a check in SQL let "Élan" and "élan" both in (and a second "Élan" reached
the plain unique constraint: a 500). The key is computed in Python instead, stored beside the name and made
unique by the table; the model fills it whenever the name is set, so no writer can forget it.
"""
from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

NAME_KEY_LENGTH = 64


def name_key(name: str) -> str:
    """Equal for names that differ only in case or in Unicode form ("Élan", "ÉLAN", "e\u0301lan", "Straße" and
    "STRASSE", "ﬁx" and "fix"). A digest, so its length is fixed: NFKC can turn one character into 18, and a
    key of the folded text could outgrow PostgreSQL's index row."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())
    return hashlib.sha256(folded.encode()).hexdigest()


class CaseInsensitiveName:
    """Mixin for a model with a `name` column: adds `name_key`; the model's table makes the key unique."""

    name_key: Mapped[str] = mapped_column(sa.String(NAME_KEY_LENGTH))

    @validates("name")
    def _keep_name_key(self, _field: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


def fill_name_keys(bind: Any, table: str, scope_column: str | None, title_max: int) -> None:
    """For a migration that adds `name_key` to `table`: fill it for every row. Rows that an older, ASCII-only
    check let in twice ("Élan" and "élan" in one scope) keep the oldest row's name; each later one gets " (2)",
    " (3)", … appended, so no row, and nothing referring to it, is lost. Migrations call this: keep what it does."""
    rows = bind.execute(sa.text(f"SELECT id, {scope_column or 'NULL'}, name FROM {table} ORDER BY id")).all()
    taken = {(scope, name_key(name)) for _, scope, name in rows}
    first_of: set = set()
    for row_id, scope, name in rows:
        key = (scope, name_key(name))
        if key in first_of:
            number = 2
            while (scope, name_key(f"{name[:title_max - len(f' ({number})')]} ({number})")) in taken:
                number += 1
            name = f"{name[:title_max - len(f' ({number})')]} ({number})"
            key = (scope, name_key(name))
            taken.add(key)
        first_of.add(key)
        bind.execute(sa.text(f"UPDATE {table} SET name = :name, name_key = :key WHERE id = :id"),
                     {"name": name, "key": key[1], "id": row_id})
