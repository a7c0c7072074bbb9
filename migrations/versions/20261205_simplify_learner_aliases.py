"""number every enrolled learner for anonymous review (numbers are now given when a learner joins)

Pages that show learners used to number them on first view (a GET that wrote). Numbers are now
given at enrollment; this numbers the learners enrolled before, in the order they joined.

Revision ID: 20261205_simplify_learner_aliases
Revises: 20261204_accounts_sessions
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


revision = "20261205_simplify_learner_aliases"
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
