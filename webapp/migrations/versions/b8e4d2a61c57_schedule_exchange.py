"""schedule exchange: calendar feeds, calendar run states, imported events, conventions.schedule_changed_at

Revision ID: b8e4d2a61c57
Revises: a3f1c9d27e10
Create Date: 2026-12-02 08:05:00

"""
from alembic import op
import sqlalchemy as sa

from webapp.models.types import UTCDateTime


revision = 'b8e4d2a61c57'
down_revision = 'a3f1c9d27e10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_changed_at', UTCDateTime(), nullable=True))
    op.create_table(
        'calendar_feeds',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('secret', name=op.f('uq_calendar_feeds_secret')),
    )
    op.create_table(
        'calendar_run_states',
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('run_index', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('start', UTCDateTime(), nullable=False),
        sa.Column('end', UTCDateTime(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_calendar_run_states_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workshop_id', 'run_index', name=op.f('pk_calendar_run_states')),
    )
    op.create_table(
        'imported_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.String(length=200), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['convention_id'], ['conventions.id'],
                                name=op.f('fk_imported_events_convention_id_conventions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_imported_events_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_events')),
        sa.UniqueConstraint('convention_id', 'source_key', name=op.f('uq_imported_events_convention_id_source_key')),
    )
    with op.batch_alter_table('imported_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_events_workshop_id'), ['workshop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('imported_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_events_workshop_id'))
    op.drop_table('imported_events')
    op.drop_table('calendar_run_states')
    op.drop_table('calendar_feeds')
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.drop_column('schedule_changed_at')
