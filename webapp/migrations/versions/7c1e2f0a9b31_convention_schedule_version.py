"""conventions.schedule_version: which state of the schedule grid a cached copy shows

Revision ID: 7c1e2f0a9b31
Revises: d5a9ce969f81
Create Date: 2026-11-25 21:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e2f0a9b31'
down_revision = 'd5a9ce969f81'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.drop_column('schedule_version')
