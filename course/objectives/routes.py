"""The objectives page."""
from flask import render_template
from flask_login import current_user, login_required

from . import bp
from .services import coverage


@bp.route("")
@login_required
def index():
    """List the ten objectives with the modules, exercises and quiz items for each, and the learner's status."""
    return render_template("objectives/index.html", objectives=coverage(current_user))
