"""cohort time zone

Revision ID: 20261205_live_cohort_time_zone
Revises: 20261204_networks_practice_works
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


revision = "20261205_live_cohort_time_zone"
down_revision = "20261204_networks_practice_works"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False,
                                      server_default="America/Los_Angeles"))


def downgrade():
    # SQLite rebuilds the table to drop a column; with foreign keys on, dropping the old cohorts table would
    # cascade-delete every enrollment and session, so they are off for the rebuild.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")
