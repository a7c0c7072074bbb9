"""Rewrite drills: turn one vague, jargon-filled or judgmental sentence into plain, specific words."""
from flask import Blueprint

bp = Blueprint("drills", __name__, url_prefix="/drills")

from . import routes  # noqa: E402,F401
