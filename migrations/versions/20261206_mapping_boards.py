"""mapping boards saved with revisions (and kept copies to restore), the learner's own map entries, and entries kept with each check

Revision ID: 20261206_mapping_boards
Revises: 20261205_loop_learning_loop
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa
import course.models.types


revision = "20261206_mapping_boards"
down_revision = "20261205_loop_learning_loop"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "map_boards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("vignette_id", sa.String(length=80), nullable=False),
        sa.Column("placements", sa.JSON(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=True),
        sa.Column("scale_reason", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("saved_at", course.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_map_boards_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_boards")),
        sa.UniqueConstraint("user_id", "vignette_id", name=op.f("uq_map_boards_user_id")),
    )
    with op.batch_alter_table("map_boards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_map_boards_user_id"), ["user_id"], unique=False)

    op.create_table(
        "map_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("column_id", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["board_id"], ["map_boards.id"], name=op.f("fk_map_entries_board_id_map_boards"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_entries")),
        sa.UniqueConstraint("board_id", "key", name=op.f("uq_map_entries_board_id")),
    )
    with op.batch_alter_table("map_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_map_entries_board_id"), ["board_id"], unique=False)

    op.create_table(
        "map_board_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("started_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["board_id"], ["map_boards.id"],
                                name=op.f("fk_map_board_revisions_board_id_map_boards"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_board_revisions")),
    )
    with op.batch_alter_table("map_board_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_map_board_revisions_board_id"), ["board_id"], unique=False)

    # Tries made before learners wrote entries have none.
    with op.batch_alter_table("mapping_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entries", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("mapping_attempts", schema=None) as batch_op:
        batch_op.drop_column("entries")
    with op.batch_alter_table("map_board_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_map_board_revisions_board_id"))
    op.drop_table("map_board_revisions")
    with op.batch_alter_table("map_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_map_entries_board_id"))
    op.drop_table("map_entries")
    with op.batch_alter_table("map_boards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_map_boards_user_id"))
    op.drop_table("map_boards")
