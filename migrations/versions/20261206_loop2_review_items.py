"""Spaced retrieval: review_items, knowledge-check items a learner missed and when each comes back.

Revision ID: 20261206_loop2_review_items
Revises: 20261206_loop2_regraded_summaries
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa
import course.models.types


# revision identifiers, used by Alembic.
revision = '20261206_loop2_review_items'
down_revision = '20261206_loop2_regraded_summaries'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.String(length=80), nullable=False),
    sa.Column('item_id', sa.String(length=80), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('due_at', course.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items')),
    sa.UniqueConstraint('user_id', 'quiz_id', 'item_id', name=op.f('uq_review_items_user_id'))
    )
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.create_index('ix_review_items_user_due', ['user_id', 'due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_index('ix_review_items_user_due')
    op.drop_table('review_items')
