"""live: code-only participants, the response wall, questions and session exports

Phones join a live session as participants (a cookie token, stored hashed), so responses,
game members, answers and players point at a participant instead of a user. Rows from
sessions running during the upgrade get one participant per (session, user), linked to
that user, so nothing in a running class is lost.

Revision ID: 20261205_live_participants
Revises: 20261205_live_cohort_time_zone
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa
import course.models.types


revision = "20261205_live_participants"
down_revision = "20261205_live_cohort_time_zone"
branch_labels = None
depends_on = None

# (table, how to reach the session from a row, whether participant_id may be NULL)
LINKED = (
    ("class_responses", "SELECT a.session_id FROM class_activities a WHERE a.id = class_responses.activity_id", False),
    ("class_game_members", "SELECT g.session_id FROM class_games g WHERE g.id = class_game_members.game_id", False),
    ("class_game_answers", "SELECT g.session_id FROM class_games g WHERE g.id = class_game_answers.game_id", False),
    ("class_game_entrants", "SELECT g.session_id FROM class_games g WHERE g.id = class_game_entrants.game_id", True),
)


def _sqlite_foreign_keys(on: bool) -> None:
    """Switch SQLite's foreign keys for this connection: a batch rebuild drops and recreates a table, and with
    foreign keys on, dropping class_game_entrants would cascade-delete every member, answer and award."""
    if op.get_bind().dialect.name == "sqlite":
        with op.get_context().autocommit_block():  # the pragma is ignored inside a transaction
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _sqlite_foreign_keys(False)
    _upgrade()
    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    _downgrade()
    _sqlite_foreign_keys(True)


def _upgrade():
    op.create_table(
        "class_session_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("started_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("csv_text", sa.Text(), nullable=False),
        sa.Column("markdown_text", sa.Text(), nullable=False),
        sa.Column("created_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name=op.f("fk_class_session_exports_cohort_id_cohorts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"], name=op.f("fk_class_session_exports_ended_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_session_exports")),
    )
    with op.batch_alter_table("class_session_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_session_exports_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_session_exports_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "class_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", course.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["class_sessions.id"],
                                name=op.f("fk_class_participants_session_id_class_sessions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_class_participants_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_participants")),
        sa.UniqueConstraint("session_id", "number", name="uq_class_participants_session_number"),
        sa.UniqueConstraint("session_id", "token_hash", name="uq_class_participants_session_token"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_class_participants_session_user"),
    )
    with op.batch_alter_table("class_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_participants_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_participants_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("class_activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("show_approved", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("show_words", sa.Boolean(), nullable=False, server_default=sa.false()))

    # One participant per (session, user) already in a running session, linked to that user. Their token hash
    # is no sha256, so no cookie ever matches it: the account link is how these learners are found.
    op.execute("""
        INSERT INTO class_participants (session_id, token_hash, number, display_name, user_id, created_at)
        SELECT session_id, 'migrated:' || session_id || ':' || user_id,
               ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY user_id), '', user_id, CURRENT_TIMESTAMP
        FROM (
            SELECT a.session_id AS session_id, r.user_id AS user_id
              FROM class_responses r JOIN class_activities a ON a.id = r.activity_id
            UNION SELECT g.session_id, m.user_id FROM class_game_members m JOIN class_games g ON g.id = m.game_id
            UNION SELECT g.session_id, x.user_id FROM class_game_answers x JOIN class_games g ON g.id = x.game_id
            UNION SELECT g.session_id, e.user_id FROM class_game_entrants e JOIN class_games g ON g.id = e.game_id
             WHERE e.user_id IS NOT NULL
        ) AS pairs
    """)
    for table, session_of, _nullable in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("participant_id", sa.Integer(), nullable=True))
        op.execute(f"""
            UPDATE {table} SET participant_id = (
                SELECT p.id FROM class_participants p
                 WHERE p.user_id = {table}.user_id AND p.session_id = ({session_of}))
        """)

    with op.batch_alter_table("class_responses", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
        batch_op.add_column(sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_index(batch_op.f("ix_class_responses_user_id"))
        batch_op.drop_constraint(batch_op.f("uq_class_responses_activity_user"), type_="unique")
        batch_op.create_index(batch_op.f("ix_class_responses_participant_id"), ["participant_id"], unique=False)
        batch_op.create_unique_constraint("uq_class_responses_activity_participant", ["activity_id", "participant_id"])
        batch_op.drop_constraint(batch_op.f("fk_class_responses_user_id_users"), type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_responses_participant_id_class_participants"),
                                    "class_participants", ["participant_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_column("user_id")

    with op.batch_alter_table("class_game_members", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_class_game_members_game_user"), type_="unique")
        batch_op.create_unique_constraint("uq_class_game_members_game_participant", ["game_id", "participant_id"])
        batch_op.drop_constraint(batch_op.f("fk_class_game_members_user_id_users"), type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_game_members_participant_id_class_participants"),
                                    "class_participants", ["participant_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_column("user_id")

    with op.batch_alter_table("class_game_answers", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_class_game_answers_game_clue_user"), type_="unique")
        batch_op.create_unique_constraint("uq_class_game_answers_game_clue_participant",
                                          ["game_id", "clue_id", "participant_id"])
        batch_op.drop_constraint(batch_op.f("fk_class_game_answers_user_id_users"), type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_game_answers_participant_id_class_participants"),
                                    "class_participants", ["participant_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_column("user_id")

    with op.batch_alter_table("class_game_entrants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_class_game_entrants_user_id_users"), type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_game_entrants_participant_id_class_participants"),
                                    "class_participants", ["participant_id"], ["id"], ondelete="CASCADE")
        batch_op.drop_column("user_id")


def _downgrade():
    # Going back, each row returns to its participant's account; rows of phones that joined without one cannot
    # be kept (the old schema has no place for them), so they are deleted first.
    for table, _session_of, nullable in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET user_id = (SELECT p.user_id FROM class_participants p "
                   f"WHERE p.id = {table}.participant_id)")
        if not nullable:
            op.execute(f"DELETE FROM {table} WHERE user_id IS NULL")

    with op.batch_alter_table("class_responses", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_class_responses_participant_id_class_participants"),
                                 type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_responses_user_id_users"), "users", ["user_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.drop_constraint("uq_class_responses_activity_participant", type_="unique")
        batch_op.drop_index(batch_op.f("ix_class_responses_participant_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_class_responses_activity_user"), ["activity_id", "user_id"])
        batch_op.create_index(batch_op.f("ix_class_responses_user_id"), ["user_id"], unique=False)
        batch_op.drop_column("approved")
        batch_op.drop_column("participant_id")

    with op.batch_alter_table("class_game_members", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_class_game_members_participant_id_class_participants"),
                                 type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_game_members_user_id_users"), "users", ["user_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.drop_constraint("uq_class_game_members_game_participant", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_class_game_members_game_user"), ["game_id", "user_id"])
        batch_op.drop_column("participant_id")

    with op.batch_alter_table("class_game_entrants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_class_game_entrants_participant_id_class_participants"),
                                 type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_game_entrants_user_id_users"), "users", ["user_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.drop_column("participant_id")

    with op.batch_alter_table("class_game_answers", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_class_game_answers_participant_id_class_participants"),
                                 type_="foreignkey")
        batch_op.create_foreign_key(batch_op.f("fk_class_game_answers_user_id_users"), "users", ["user_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.drop_constraint("uq_class_game_answers_game_clue_participant", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_class_game_answers_game_clue_user"),
                                          ["game_id", "clue_id", "user_id"])
        batch_op.drop_column("participant_id")

    with op.batch_alter_table("class_activities", schema=None) as batch_op:
        batch_op.drop_column("show_words")
        batch_op.drop_column("show_approved")
        batch_op.drop_column("question")

    with op.batch_alter_table("class_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_participants_user_id"))
        batch_op.drop_index(batch_op.f("ix_class_participants_session_id"))
    op.drop_table("class_participants")
    with op.batch_alter_table("class_session_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_session_exports_expires_at"))
        batch_op.drop_index(batch_op.f("ix_class_session_exports_cohort_id"))
    op.drop_table("class_session_exports")
