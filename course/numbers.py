"""Reading whole numbers from untrusted text."""
from __future__ import annotations


def plain_int(value, max_digits: int = 18) -> int | None:
    """Return the value as a non-negative int if it is plain ASCII digits ("²" and "٣" are not), else None."""
    text = str(value if value is not None else "")
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
