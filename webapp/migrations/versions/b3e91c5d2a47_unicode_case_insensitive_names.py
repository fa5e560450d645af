"""name_key on capabilities, equipment and locations: names unique without regard to case for all of Unicode

The unique constraints move from the name to a key computed in Python (webapp/models/names.py), because
SQLite's lower() folds only ASCII. Rows that the old check let in twice ("Élan" and "élan" in one scope) keep
the oldest row's name; each later one gets " (2)", " (3)", … appended, so no row, and nothing referring to it,
is lost.

Revision ID: b3e91c5d2a47
Revises: b4e81d2c7a05
Create Date: 2026-12-02 07:50:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.models.names import NAME_KEY_LENGTH, name_key


revision = 'b3e91c5d2a47'
down_revision = 'b4e81d2c7a05'
branch_labels = None
depends_on = None

TITLE_MAX = 200
# table -> the column a name is unique within (None: unique across the table)
SCOPES = {'capabilities': None, 'equipment': 'convention_id', 'locations': 'convention_id'}


def _unique_columns(table: str, column: str) -> list[str]:
    return [SCOPES[table], column] if SCOPES[table] else [column]


def _constraint(table: str, column: str) -> str:
    return f"uq_{table}_{'_'.join(_unique_columns(table, column))}"


def _renamed(name: str, scope, taken: set) -> str:
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = name[:TITLE_MAX - len(suffix)] + suffix
        if (scope, name_key(candidate)) not in taken:
            return candidate
        number += 1


def _fill_keys(bind, table: str) -> None:
    scope_column = SCOPES[table] or 'NULL'
    rows = bind.execute(sa.text(f"SELECT id, {scope_column}, name FROM {table} ORDER BY id")).all()
    taken = {(scope, name_key(name)) for _, scope, name in rows}
    first_of: set = set()
    for row_id, scope, name in rows:
        key = (scope, name_key(name))
        if key in first_of:
            name = _renamed(name, scope, taken)
            key = (scope, name_key(name))
            taken.add(key)
        first_of.add(key)
        bind.execute(sa.text(f"UPDATE {table} SET name = :name, name_key = :key WHERE id = :id"),
                     {"name": name, "key": key[1], "id": row_id})


def upgrade():
    bind = op.get_bind()
    for table in SCOPES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', sa.String(length=NAME_KEY_LENGTH), nullable=True))
        _fill_keys(bind, table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('name_key', existing_type=sa.String(length=NAME_KEY_LENGTH), nullable=False)
            batch_op.drop_constraint(_constraint(table, 'name'), type_='unique')
            batch_op.create_unique_constraint(_constraint(table, 'name_key'), _unique_columns(table, 'name_key'))


def downgrade():
    for table in SCOPES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(_constraint(table, 'name_key'), type_='unique')
            batch_op.create_unique_constraint(_constraint(table, 'name'), _unique_columns(table, 'name'))
            batch_op.drop_column('name_key')
