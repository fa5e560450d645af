"""Names that are unique without regard to case, for all of Unicode and on every database.

SQLite's lower() folds only ASCII, so a check in SQL let "Élan" and "élan" both in (and a second "Élan" reached
the plain unique constraint: a 500). The key is computed in Python instead, stored beside the name and made
unique by the table; the model fills it whenever the name is set, so no writer can forget it.
"""
from __future__ import annotations

import hashlib
import unicodedata

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
