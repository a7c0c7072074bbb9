"""number every enrolled learner for anonymous cohorts (numbers are now given when a learner joins)

Pages that named learners used to number them on first view (a GET that wrote). Numbers are now
given at enrollment, and pages only read them; this numbers the learners enrolled before, in the
order they joined. It skips anyone already numbered, so running it after another branch's copy
of the same backfill changes nothing.

Revision ID: 20261204_harden_learner_aliases
Revises: 20261204_accounts_sessions
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = "20261204_harden_learner_aliases"
down_revision = "20261204_accounts_sessions"
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    missing = connection.execute(sa.text(
        "SELECT e.cohort_id, e.user_id FROM enrollments e "
        "WHERE NOT EXISTS (SELECT 1 FROM learner_aliases a WHERE a.cohort_id = e.cohort_id AND a.user_id = e.user_id) "
        "ORDER BY e.cohort_id, e.joined_at, e.id")).all()
    top: dict[int, int] = {}
    for cohort_id, user_id in missing:
        if cohort_id not in top:
            top[cohort_id] = connection.execute(sa.text(
                "SELECT COALESCE(MAX(number), 0) FROM learner_aliases WHERE cohort_id = :c"), {"c": cohort_id}).scalar()
        top[cohort_id] += 1
        connection.execute(sa.text(
            "INSERT INTO learner_aliases (cohort_id, user_id, number) VALUES (:c, :u, :n)"),
            {"c": cohort_id, "u": user_id, "n": top[cohort_id]})


def downgrade():
    pass  # the numbers are kept: a learner's number must never change once trainers have seen it
