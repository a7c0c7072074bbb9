"""The trainer's home page."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ..security import roles_required
from . import bp
from .services import home_panels, stalled_after


@bp.route("/")
@roles_required("trainer")
def home():
    """Show each cohort's reviews, learners to follow up, returned work, today's class and attendance."""
    panels = home_panels(current_user)
    return render_template("trainers/home.html", panels=panels, stalled_days=stalled_after().days,
                           waiting=sum(p.waiting for p in panels),
                           mine=sum(p.counts["mine"] for p in panels))
