"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import date

from flask import Flask

from .timezones import localtime, zone_label


def format_minutes(minutes: int) -> str:
    """Return minutes as '45 min' or '1 h 15 min'."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def format_date(value: date | None) -> str:
    """Return a calendar date (a cohort's Day 1) like 'Mon 3 Mar 2027'; a timestamp goes through `localtime`."""
    return localtime(value, "date", empty="not set")  # a timestamp's date depends on the zone


def register_template_helpers(app: Flask) -> None:
    """Register the filters and globals; every timestamp on a page goes through `localtime`."""
    app.add_template_filter(format_minutes, "minutes")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(zone_label, "zone_label")
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    from .nav import register_nav

    register_nav(app)
