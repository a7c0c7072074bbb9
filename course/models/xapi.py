"""The xAPI outbox: statements waiting to be sent to a Learning Record Store, and their delivery state."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .outbox import FAILED, PENDING, SENT, OutboxRow  # noqa: F401  (the statuses are part of this model)


class XapiStatement(OutboxRow, db.Model):
    """One xAPI statement; requests only insert these, a background sender delivers them."""

    __tablename__ = "xapi_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)  # the statement's own UUID
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    verb: Mapped[str] = mapped_column(String(32))  # short name: completed | scored | submitted | passed
    statement: Mapped[dict] = mapped_column(JSON)
