"""schedule_runs.applied_changes: what an accepted run changed, recorded when it was accepted

Revision ID: b4e81d2c7a05
Revises: a3f8d2c61e47
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4e81d2c7a05'
down_revision = 'a3f8d2c61e47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applied_changes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_column('applied_changes')
