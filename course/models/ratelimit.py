"""Rate-limit counters shared by every worker and machine (see course/ratelimit.py)."""
from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimit(db.Model):
    """One counter: hits in the current window, or failures with a growing block (times are epoch seconds)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    reset_at: Mapped[float] = mapped_column(Float)  # the window ends (or, with backoff, the failures are forgotten)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    penalty: Mapped[float] = mapped_column(Float, default=0.0)  # the last block's length, doubled by each failure
    last_token: Mapped[str] = mapped_column(String(32), default="")  # which caller the last allowed hit was
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # after this the row means nothing: clean-up drops it
