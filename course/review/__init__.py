"""Trainer review: the queue, the review screen, feedback to learners, agreement, analytics, exports."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from . import comments, learner, reports, routes  # noqa: E402,F401
