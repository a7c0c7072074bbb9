"""Times as people in the room read them: in the cohort's time zone, with the zone named.

Every timestamp is stored in UTC. Templates show one through a single filter, `localtime`
(registered in course/templating.py), which converts it to a zone and names the zone:
"Tue 5 Jan 2027, 12:05 PM PST". The zone is the cohort's when the template passes one, else
the viewer's (a learner's cohort, or the one zone all of a trainer's cohorts share), else
DEFAULT_ZONE.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context
from flask_login import current_user

DEFAULT_ZONE = "America/Los_Angeles"

# The zones a cohort may choose, in the order the form lists them (the course is Californian; the rest are
# for trainers who teach it elsewhere).
ZONE_CHOICES: tuple[tuple[str, str], ...] = (
    ("America/Los_Angeles", "Pacific time (California)"),
    ("America/Phoenix", "Arizona time"),
    ("America/Denver", "Mountain time"),
    ("America/Chicago", "Central time"),
    ("America/New_York", "Eastern time"),
    ("America/Anchorage", "Alaska time"),
    ("Pacific/Honolulu", "Hawaii time"),
    ("UTC", "Coordinated Universal Time (UTC)"),
)
ZONE_NAMES = frozenset(key for key, _label in ZONE_CHOICES)

STYLES = {
    "datetime": "{date}, {time}",
    "date": "{date}",
    "time": "{time}",
    "long_date": "{long_date}",
}


def zone_label(name: str | None) -> str:
    """Return how the cohort form names a zone ("Pacific time (California)"), or the zone's own name."""
    return dict(ZONE_CHOICES).get(name or DEFAULT_ZONE, name or DEFAULT_ZONE)


def zone_info(name: str | None) -> ZoneInfo:
    """Return the zone for a name, or the default zone when the name is empty or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def _viewer_zone() -> str:
    """Return the signed-in viewer's zone: their cohort's, or the one all their led cohorts share, or the default."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return DEFAULT_ZONE
    cohort = current_user.cohort
    if cohort is not None:
        return cohort.time_zone or DEFAULT_ZONE
    led = {c.time_zone or DEFAULT_ZONE for c in current_user.trainer_cohorts}
    return led.pop() if len(led) == 1 else DEFAULT_ZONE


def zone_name_for(where=None) -> str:
    """Return a zone name from a cohort (anything with `time_zone`), a zone name, or the viewer when None."""
    if where is None:
        return _viewer_zone()
    if isinstance(where, str):
        return where
    return getattr(where, "time_zone", None) or DEFAULT_ZONE


def zone_abbreviation(moment: datetime) -> str:
    """Return the zone's short name at that moment ("PST", "PDT"), or its offset when it has none."""
    short = moment.tzname() or ""
    if short and short[0] not in "+-":
        return short
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def to_zone(value: datetime, where=None) -> datetime:
    """Return a UTC (or naive, taken as UTC) timestamp converted to the zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_info(zone_name_for(where)))


def _clock(moment: datetime) -> str:
    """Return '9:05 AM PST' (a 12-hour clock, as California reads it, with the zone)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'} {zone_abbreviation(moment)}"


def localtime(value: datetime | date | None, style: str = "datetime", where=None, empty: str = "") -> str:
    """Format a timestamp in a zone, naming the zone: style is datetime, date, time or long_date.

    `where` is a cohort, a zone name, or None for the viewer's zone. A plain date (no time) is shown
    as it is; `empty` is what None becomes.
    """
    if value is None:
        return empty
    if style not in STYLES:
        raise ValueError(f"localtime: unknown style {style!r}; use one of {', '.join(STYLES)}")
    moment = to_zone(value, where) if isinstance(value, datetime) else value
    parts = {
        "date": f"{moment:%a} {moment.day} {moment:%b %Y}",
        "long_date": f"{moment.day} {moment:%B %Y}",
        "time": _clock(moment) if isinstance(moment, datetime) else "",
    }
    return STYLES[style].format(**parts)
