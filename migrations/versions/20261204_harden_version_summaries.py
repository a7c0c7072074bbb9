"""work_versions.summary: every checked version keeps a short summary; only submitted and latest keep the report

Adds the summary column, fills it from each stored report, caps the reports that stay, and drops the
full report from checked versions that are neither submitted nor their work's latest version.

Revision ID: 20261204_harden_version_summaries
Revises: 20261204_harden_learner_aliases
Create Date: 2026-12-04

"""
import json

import sqlalchemy as sa
from alembic import op

revision = "20261204_harden_version_summaries"
down_revision = "20261204_harden_learner_aliases"
branch_labels = None
depends_on = None

BATCH = 500


def _loaded(value):
    """Return a JSON column's value as Python data (SQLite hands back text)."""
    return json.loads(value) if isinstance(value, str) else value


def upgrade():
    from course.exercises.versions import capped, summarise

    with op.batch_alter_table("work_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.JSON(), nullable=True))
    connection = op.get_bind()
    latest = dict(connection.execute(sa.text("SELECT work_id, MAX(number) FROM work_versions GROUP BY work_id")).all())
    versions = sa.table("work_versions", sa.column("id", sa.Integer), sa.column("report", sa.JSON),
                        sa.column("summary", sa.JSON))
    last_id = 0
    while True:  # in batches, so a large table never sits in memory at once
        rows = connection.execute(sa.text(
            "SELECT id, work_id, number, source, report FROM work_versions "
            "WHERE id > :last AND report IS NOT NULL ORDER BY id LIMIT :n"), {"last": last_id, "n": BATCH}).all()
        if not rows:
            break
        for version_id, work_id, number, source, report in rows:
            report = _loaded(report)
            keep = source == "submit" or number == latest.get(work_id)
            connection.execute(versions.update().where(versions.c.id == version_id).values(
                summary=summarise(report), report=capped(report) if keep else None))
        last_id = rows[-1][0]


def downgrade():
    with op.batch_alter_table("work_versions", schema=None) as batch_op:
        batch_op.drop_column("summary")
