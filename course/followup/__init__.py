"""The follow-up 30 days after a learner's certificate: how they use the tools, what got in the way, one statement."""
from flask import Blueprint, Flask

bp = Blueprint("followup", __name__, url_prefix="/follow-up")

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Schedule the follow-up mail when a certificate is issued, write it when it is sent, and show the notice."""
    from .. import events
    from ..mail.outbox import register_composer
    from .services import FREQUENCIES, MAIL_CATEGORY, compose_invitation, notice_for_current_user, on_course_completed

    events.course_completed.connect(on_course_completed, weak=False)
    register_composer(MAIL_CATEGORY, compose_invitation)
    app.jinja_env.globals["follow_up_notice"] = notice_for_current_user
    app.jinja_env.globals["pilot_practice_use"] = _practice_use
    app.jinja_env.globals["follow_up_frequencies"] = FREQUENCIES
    _add_practice_csv(app)


def _add_practice_csv(app: Flask) -> None:
    """Offer the pilot report's "use in practice" section as a CSV beside the report's other tables."""
    from ..pilot.exports import SectionTable, register_table
    from .report import PRACTICE_HEADER, practice_rows

    register_table(app, "practice", SectionTable("Use in practice, 30 days on", PRACTICE_HEADER, practice_rows))


def _practice_use(flt):
    """The pilot report's "use in practice" section for a filter (the report template calls this)."""
    from .report import practice_use

    return practice_use(flt)
