"""tracks: a convention's tracks (name, colour) and a workshop's optional track

Revision ID: a3f1c9d27e10
Revises: b3e91c5d2a47
Create Date: 2026-12-02 07:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3f1c9d27e10'
down_revision = 'b3e91c5d2a47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tracks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('colour', sa.String(length=7), nullable=False),
        sa.CheckConstraint('length(colour) = 7', name=op.f('ck_tracks_colour_rrggbb')),
        sa.ForeignKeyConstraint(['convention_id'], ['conventions.id'], name=op.f('fk_tracks_convention_id_conventions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tracks')),
        sa.UniqueConstraint('convention_id', 'name', name=op.f('uq_tracks_convention_id_name')),
    )
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracks_convention_id'), ['convention_id'], unique=False)
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('track_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_workshops_track_id'), ['track_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_workshops_track_id_tracks'), 'tracks', ['track_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workshops_track_id_tracks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_workshops_track_id'))
        batch_op.drop_column('track_id')
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracks_convention_id'))
    op.drop_table('tracks')
