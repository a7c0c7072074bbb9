"""The course objectives, with what teaches and checks each one and the learner's progress on it."""
from flask import Blueprint

bp = Blueprint("objectives", __name__, url_prefix="/objectives")

from . import routes  # noqa: E402,F401
