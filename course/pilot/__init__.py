"""Pilot evaluation and completion: module feedback, course evaluation, report, certificates."""
from flask import Blueprint, Flask

bp = Blueprint("pilot", __name__)

from . import routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Issue certificates when a milestone meets the last requirement, and give module pages the feedback form."""
    from .. import events
    from .services import on_milestone
    from .templating import module_feedback_context

    events.module_completed.connect(on_milestone, weak=False)
    events.quiz_scored.connect(on_milestone, weak=False)  # module checks and the post-course check
    events.work_accepted.connect(on_milestone, weak=False)
    app.jinja_env.globals["pilot_module_feedback"] = module_feedback_context
