"""capability requests: a person asks for a capability, an admin grants or refuses it

Revision ID: c7d2e9f4a1b8
Revises: c1d7e3a95b20
Create Date: 2026-12-02 11:35:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.models.types import UTCDateTime


revision = 'c7d2e9f4a1b8'
down_revision = 'c1d7e3a95b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'capability_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('capability_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'granted', 'refused')",
                           name=op.f('ck_capability_requests_status_known')),
        sa.ForeignKeyConstraint(['capability_id'], ['capabilities.id'],
                                name=op.f('fk_capability_requests_capability_id_capabilities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_capability_requests_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_capability_requests_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_capability_requests')),
    )
    with op.batch_alter_table('capability_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capability_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_capability_requests_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('capability_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capability_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_capability_requests_status'))
    op.drop_table('capability_requests')
