"""conventions.payment_instructions: how attendees pay the registration fee

Revision ID: a3f8d2c61e47
Revises: a3f1c9d2e7b4
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3f8d2c61e47'
down_revision = 'a3f1c9d2e7b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_instructions', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.drop_column('payment_instructions')
