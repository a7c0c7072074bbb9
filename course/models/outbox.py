"""What every outbox table has (mail, xAPI): a status, the tries so far and a sender's claim on the row.

course/outbox_sender.Outbox claims, retries and counts rows through exactly these columns.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from .types import UTCDateTime

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class OutboxRow:
    """Columns of a row waiting to be delivered, mixed into each outbox's model."""

    status: Mapped[str] = mapped_column(String(8), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A sender sets these when it takes a row; a claim older than the stale limit may be taken over.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
