"""Which child: a roster child, a child noun, or a name the words make a child (an age under 18, "her son Omar")."""

from __future__ import annotations

from .common import Context, Found, child_mentions


def detect(ctx: Context) -> Found:
    """Every mention of a child."""
    return Found(child_mentions(ctx.a))
