"""The weekly check after the course: weekly_plans (opt-in, next due) and weekly_checks (each week taken).

Revision ID: 20261207_loop3_weekly_checks
Revises: 20261206_loop2_review_items
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa
import course.models.types


# revision identifiers, used by Alembic.
revision = '20261207_loop3_weekly_checks'
down_revision = '20261206_loop2_review_items'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('weekly_plans',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('opted_in_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_due_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notified_for', course.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_weekly_plans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_weekly_plans'))
    )
    with op.batch_alter_table('weekly_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_weekly_plans_next_due_at'), ['next_due_at'], unique=False)

    op.create_table('weekly_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('due_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('taken_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_weekly_checks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_checks')),
    sa.UniqueConstraint('user_id', 'due_at', name=op.f('uq_weekly_checks_user_id'))
    )
    with op.batch_alter_table('weekly_checks', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_checks_user_taken', ['user_id', 'taken_at'], unique=False)


def downgrade():
    with op.batch_alter_table('weekly_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_checks_user_taken')
    op.drop_table('weekly_checks')
    with op.batch_alter_table('weekly_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_weekly_plans_next_due_at'))
    op.drop_table('weekly_plans')
