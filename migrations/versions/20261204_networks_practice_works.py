"""practice_works and practice_versions: the safety network and child-interview exercises

Revision ID: 20261204_networks_practice_works
Revises: 20261204_cert_attendance_revocation
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

import course.models.types

revision = "20261204_networks_practice_works"
down_revision = "20261204_cert_attendance_revocation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "practice_works",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vignette_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("draft_saved_at", course.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_revision", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("created_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_practice_works_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_works")),
        sa.UniqueConstraint("user_id", "vignette_id", "kind", "subject", name=op.f("uq_practice_works_user_id")),
    )
    with op.batch_alter_table("practice_works", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practice_works_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_practice_works_vignette_id"), ["vignette_id"], unique=False)

    op.create_table(
        "practice_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("created_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["work_id"], ["practice_works.id"],
                                name=op.f("fk_practice_versions_work_id_practice_works"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_versions")),
        sa.UniqueConstraint("work_id", "number", name=op.f("uq_practice_versions_work_id")),
    )
    with op.batch_alter_table("practice_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practice_versions_work_id"), ["work_id"], unique=False)


def downgrade():
    with op.batch_alter_table("practice_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_versions_work_id"))
    op.drop_table("practice_versions")
    with op.batch_alter_table("practice_works", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_works_vignette_id"))
        batch_op.drop_index(batch_op.f("ix_practice_works_user_id"))
    op.drop_table("practice_works")
