"""The learning loop: regraded_summaries, kept versions graded again by the current grader for growth.

Revision ID: 20261206_loop2_regraded_summaries
Revises: 20261204_review2_sets_notices
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa
import course.models.types


# revision identifiers, used by Alembic.
revision = '20261206_loop2_regraded_summaries'
down_revision = '20261204_review2_sets_notices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('regraded_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('grader_version', sa.String(length=60), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('graded_at', course.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['work_versions.id'], name=op.f('fk_regraded_summaries_version_id_work_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regraded_summaries')),
    sa.UniqueConstraint('version_id', 'grader_version', name=op.f('uq_regraded_summaries_version_id'))
    )
    with op.batch_alter_table('regraded_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regraded_summaries_grader_version'), ['grader_version'], unique=False)
        batch_op.create_index(batch_op.f('ix_regraded_summaries_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('regraded_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regraded_summaries_version_id'))
        batch_op.drop_index(batch_op.f('ix_regraded_summaries_grader_version'))
    op.drop_table('regraded_summaries')
