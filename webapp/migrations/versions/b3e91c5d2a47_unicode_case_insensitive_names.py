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

from webapp.models.names import NAME_KEY_LENGTH, fill_name_keys


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


def upgrade():
    bind = op.get_bind()
    for table in SCOPES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', sa.String(length=NAME_KEY_LENGTH), nullable=True))
        fill_name_keys(bind, table, SCOPES[table], TITLE_MAX)
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
