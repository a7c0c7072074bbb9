"""The mail outbox: messages waiting for the SMTP server, and their delivery state."""
from __future__ import annotations

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .outbox import FAILED, PENDING, SENT, OutboxRow  # noqa: F401  (the statuses are part of this model)

SKIPPED = "skipped"  # composed at send time, and there was nothing to send


class MailMessage(OutboxRow, db.Model):
    """One email; requests only insert these, a background sender (or `flask mail send`) delivers them."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), index=True)  # password_reset, verify_email, invitation ...
    # For a message composed at send time (see outbox.register_composer): what the composer needs, e.g. the site URL.
    context: Mapped[dict | None] = mapped_column(JSON)
