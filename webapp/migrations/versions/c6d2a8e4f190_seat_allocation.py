"""seat allocation: a convention's seat mode and party size, a selection's party, an attendee's maximum,
a run's kind and allocation result

Revision ID: c6d2a8e4f190
Revises: c7d2e9a4f160
Create Date: 2026-12-02 11:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c6d2a8e4f190'
down_revision = 'c7d2e9a4f160'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seat_mode', sa.String(length=16), server_default='first_come', nullable=False))
        batch_op.add_column(sa.Column('max_party_size', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_conventions_seat_mode_known'),
                                         "seat_mode IN ('first_come', 'allocation')")
        batch_op.create_check_constraint(op.f('ck_conventions_max_party_size_range'),
                                         'max_party_size BETWEEN 1 AND 20')
    with op.batch_alter_table('convention_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_workshops', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_convention_registrations_max_workshops_positive'),
                                         'max_workshops IS NULL OR max_workshops >= 1')
    with op.batch_alter_table('selections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_size', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_selections_party_size_positive'), 'party_size >= 1')
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='schedule', nullable=False))
        batch_op.add_column(sa.Column('allocation', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_schedule_runs_kind_known'), "kind IN ('schedule', 'allocation')")


def downgrade():
    with op.batch_alter_table('schedule_runs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_schedule_runs_kind_known'), type_='check')
        batch_op.drop_column('allocation')
        batch_op.drop_column('kind')
    with op.batch_alter_table('selections', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_selections_party_size_positive'), type_='check')
        batch_op.drop_column('party_size')
    with op.batch_alter_table('convention_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_convention_registrations_max_workshops_positive'), type_='check')
        batch_op.drop_column('max_workshops')
    with op.batch_alter_table('conventions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_conventions_max_party_size_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_conventions_seat_mode_known'), type_='check')
        batch_op.drop_column('max_party_size')
        batch_op.drop_column('seat_mode')
