"""name_key on tracks: track names unique without regard to case for all of Unicode, as rooms and equipment

Tracks came after b3e91c5d2a47 gave rooms, equipment and capabilities their key, and were unique on lower()
alone (ASCII-only on SQLite). Old case duplicates ("Éco", "éco") keep the oldest name; later ones get " (2)", …

Revision ID: c7d2e9a4f160
Revises: c7d2e9f4a1b8
Create Date: 2026-12-02 11:45:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.models.names import NAME_KEY_LENGTH, fill_name_keys


revision = 'c7d2e9a4f160'
down_revision = 'c7d2e9f4a1b8'
branch_labels = None
depends_on = None

TITLE_MAX = 200


def upgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=NAME_KEY_LENGTH), nullable=True))
    fill_name_keys(op.get_bind(), 'tracks', 'convention_id', TITLE_MAX)
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=NAME_KEY_LENGTH), nullable=False)
        batch_op.drop_constraint('uq_tracks_convention_id_name', type_='unique')
        batch_op.create_unique_constraint('uq_tracks_convention_id_name_key', ['convention_id', 'name_key'])


def downgrade():
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tracks_convention_id_name_key', type_='unique')
        batch_op.create_unique_constraint('uq_tracks_convention_id_name', ['convention_id', 'name'])
        batch_op.drop_column('name_key')
