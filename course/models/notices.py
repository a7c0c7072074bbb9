"""Notices: what the app tells a learner (returned, accepted, a new comment, a certificate), and how they
want to hear about it by email."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db
from .types import UTCDateTime

# How a user hears about notices by email. With no mail server configured, every notice stays in-app.
EMAIL_IMMEDIATE = "immediate"
EMAIL_DAILY = "daily"
EMAIL_NONE = "none"
EMAIL_CHOICES = (EMAIL_IMMEDIATE, EMAIL_DAILY, EMAIL_NONE)
NOT_MAILED = "-"  # mail_batch of a notice that no email will ever carry


class Notice(db.Model):
    """One notice in a user's list; read when they open it, carried by at most one email."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # indexed with read_at
    kind: Mapped[str] = mapped_column(String(16))  # returned | accepted | comment | certificate
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")  # a path on this site
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None while an email may still carry it; the sender claims it by writing its batch here in one UPDATE,
    # so an immediate email and a digest never both send the same notice.
    mail_batch: Mapped[str | None] = mapped_column(String(40), index=True)


class NoticeSetting(db.Model):
    """A user's email choice for notices (no row: immediate)."""

    __tablename__ = "notice_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(16), default=EMAIL_IMMEDIATE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
