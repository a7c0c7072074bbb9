"""The learning loop: follow_ups, a learner's answers 30 days after their certificate.

Revision ID: 20261205_loop_learning_loop
Revises: 20261205_live_participants
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa
import course.models.types


# revision identifiers, used by Alembic.
revision = '20261205_loop_learning_loop'
down_revision = '20261205_live_participants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('tool_use', sa.JSON(), nullable=False),
    sa.Column('obstacles', sa.JSON(), nullable=False),
    sa.Column('obstacle_note', sa.Text(), nullable=False),
    sa.Column('statement_kind', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('created_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_follow_ups_cohort_id_cohorts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follow_ups_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('user_id', name=op.f('uq_follow_ups_user_id'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_created_at'))
        batch_op.drop_index(batch_op.f('ix_follow_ups_cohort_id'))

    op.drop_table('follow_ups')
