"""schedule_runs.best_so_far: the best schedule a running run has found, readable before it ends

Revision ID: c1d7e3a95b20
Revises: b8e4d2a61c57
Create Date: 2026-12-02 12:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c1d7e3a95b20'
down_revision = 'b8e4d2a61c57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('best_so_far', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_column('best_so_far')
