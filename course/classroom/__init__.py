"""Classroom mode: presenter slides, trainer console, projector, live practice and the review game.

Two blueprints: `classroom` (/classroom: trainers and the projector) and `live` (/live: the
short address learners type on their phones).
"""
from flask import Blueprint, Flask

bp = Blueprint("classroom", __name__, url_prefix="/classroom")
live_bp = Blueprint("live", __name__, url_prefix="/live")

from . import live, routes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register the learners' /live blueprint, the classroom CLI commands and the presenting flag for templates."""
    from ..names import is_presenting
    from .cli import classroom_group

    app.register_blueprint(live_bp)
    app.cli.add_command(classroom_group)
    app.context_processor(lambda: {"presenting": is_presenting()})
