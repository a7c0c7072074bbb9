"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import date

from flask import Flask

from grader.vocabulary import component_label, is_numbered, kind_label, kind_slug

from . import feedback
from .timezones import localtime, zone_label
from .words import ago, join_words, pluralise


def format_minutes(minutes: int) -> str:
    """Return minutes as '45 min' or '1 h 15 min'."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def format_date(value: date | None) -> str:
    """Return a calendar date (a cohort's Day 1) like 'Mon 3 Mar 2027'; a timestamp goes through `localtime`."""
    return localtime(value, "date", empty="not set")  # a timestamp's date depends on the zone


def family_title(vignette_id: str) -> str:
    """Return a practice family's title for a page ('The Hill family'), never its raw id when it is known."""
    from .vignettes import get_vignette

    vignette = get_vignette(vignette_id)
    return vignette.title if vignette else vignette_id


def register_template_helpers(app: Flask) -> None:
    """Register the filters and globals (the vocabulary's labels, once, for every page); every timestamp on a
    page goes through `localtime`."""
    app.add_template_filter(format_minutes, "minutes")
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(zone_label, "zone_label")
    app.add_template_filter(pluralise, "plural")
    app.add_template_filter(join_words, "join_words")
    app.add_template_filter(ago, "ago")
    app.add_template_filter(family_title, "family_title")
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    vocabulary = {
        "kind_label": kind_label, "kind_slug": kind_slug, "is_numbered": is_numbered,
        "numbered_label": feedback.numbered_label, "component_label": component_label,
        "category_label": feedback.category_label, "question_type_label": feedback.question_type_label,
    }
    for name, function in vocabulary.items():
        app.add_template_filter(function, name)
        app.jinja_env.globals[name] = function
    app.jinja_env.globals.update(mark_segments=feedback.mark_segments, feedback_summary=feedback.summary,
                                 marked_html=feedback.marked_html, finding_notes=feedback.finding_notes)
    from .nav import register_nav

    register_nav(app)
