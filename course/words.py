"""Small wording helpers used by every page and message: counts with the right plural, lists in prose."""
from __future__ import annotations

import re

_ES = re.compile(r"(s|x|z|ch|sh)$")
_IES = re.compile(r"[^aeiou]y$")


def plural_of(singular: str) -> str:
    """Return the regular English plural of a word or of a phrase's last word ('new notice' -> 'new notices')."""
    head, _, last = singular.rpartition(" ")
    if _IES.search(last):
        last = last[:-1] + "ies"
    elif _ES.search(last):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def number_words(count: float) -> str:
    """Return a count as digits, without a trailing '.0' (1.5 stays 1.5, 2.0 becomes 2)."""
    return f"{count:g}" if isinstance(count, float) else str(count)


def pluralise(count: float | None, singular: str, plural: str | None = None, *, number: bool = True) -> str:
    """Return '1 hour', '2 hours', '1.5 hours', '0 hours' (or only the word when number=False).

    Give the plural for irregular words: pluralise(n, 'person', 'people')."""
    count = count or 0
    word = singular if count == 1 else (plural or plural_of(singular))
    return f"{number_words(count)} {word}" if number else word


def join_words(items: list[str], last: str = "and") -> str:
    """Return items as prose: 'a', 'a and b', 'a, b and c'."""
    items = [str(item) for item in items if str(item)]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def age_words(seconds: float) -> str:
    """Return an age in the largest whole unit: 'less than a minute', '5 minutes', '3 hours', '2 days'."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "less than a minute"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return pluralise(seconds // size, unit)
    return "less than a minute"


def ago(value, now=None) -> str:
    """Return how long ago a timestamp was, like '3 hours ago' (empty for none)."""
    if value is None:
        return ""
    from .database import utcnow

    words = age_words(((now or utcnow()) - value).total_seconds())
    return "just now" if words == "less than a minute" else f"{words} ago"
