"""Drill pages: the list, and one drill with its graded rewrite and model answer."""
from flask import abort, render_template
from flask_login import current_user, login_required

from ..exercises.grading import summary
from ..extensions import db
from . import bp
from .forms import RewriteForm
from .loader import KIND_LABELS
from .services import attempts_by_drill, grade_rewrite, library


@bp.route("/")
@login_required
def index():
    """List the drills by kind, with what the learner has tried."""
    drills = library().all()
    groups = [(label, [d for d in drills if d.kind == kind]) for kind, label in KIND_LABELS.items()]
    return render_template("drills/index.html", groups=[g for g in groups if g[1]],
                           attempts=attempts_by_drill(current_user.id))


@bp.route("/<drill_id>", methods=["GET", "POST"])
@login_required
def drill(drill_id: str):
    """Rewrite one sentence; the grader checks it and the model answer shows after a try."""
    drills = library().all()
    current = next((d for d in drills if d.id == drill_id), None)
    if current is None:
        abort(404)
    form = RewriteForm()
    report = grader_error = None
    text = ""
    status = 200
    if form.validate_on_submit():
        text = form.text.data
        _, report, grader_error = grade_rewrite(current_user.id, current, text)
        db.session.commit()
    elif form.errors:
        status = 422
    tried = attempts_by_drill(current_user.id).get(current.id, [])
    index = drills.index(current)
    following = drills[index + 1] if index + 1 < len(drills) else None
    return render_template("drills/drill.html", drill=current, form=form, report=report, text=text,
                           grader_error=grader_error, report_summary=summary(report), tried=tried,
                           next_drill=following, kind=current.kind), status
