"""Drill pages: the list, and one drill with its graded rewrite and model answer."""
from flask import abort, render_template, request
from flask_login import current_user, login_required

from grader.vocabulary import kind_label

from .. import grading
from ..extensions import db
from ..feedback import summary
from ..ratelimit import wait_words
from ..vignettes import KINDS
from . import bp
from .forms import RewriteForm
from .services import attempts_by_drill, grade_attempt, library, save_attempt, unchecked_text


@bp.route("/")
@login_required
def index():
    """List the drills by kind, with what the learner has tried."""
    drills = library().all()
    kinds = list(dict.fromkeys([*KINDS, *(d.kind for d in drills)]))
    groups = [(kind_label(kind, plural=True), [d for d in drills if d.kind == kind]) for kind in kinds]
    return render_template("drills/index.html", groups=[g for g in groups if g[1]],
                           attempts=attempts_by_drill(current_user.id))


@bp.route("/<drill_id>", methods=["GET", "POST"])
@login_required
def drill(drill_id: str):
    """Rewrite one sentence; it is saved, then graded, and the model answer shows after a try."""
    drills = library().all()
    current = next((d for d in drills if d.id == drill_id), None)
    if current is None:
        abort(404)
    form = RewriteForm()
    report = grader_error = None
    text = ""
    status, headers = 200, {}
    if form.validate_on_submit():
        text = form.text.data
        attempt = save_attempt(current_user.id, current, text)
        db.session.commit()  # save before grading (a named exception to one commit a request)
        refused = grading.rate_refusal(current_user.id)
        if refused is None:
            report, grader_error = grade_attempt(attempt, current)
            db.session.commit()
        else:
            grader_error = (f"{grading.RATE_MESSAGE} Your rewrite is saved; check it again in "
                            f"{wait_words(refused.retry_after)}.")
            status, headers = 429, {"Retry-After": str(refused.retry_after)}
    elif form.errors:
        status = 422
    tried = attempts_by_drill(current_user.id).get(current.id, [])
    if request.method == "GET":
        form.text.data = unchecked_text(tried)  # a rewrite that was saved but could not be checked comes back
    index = drills.index(current)
    following = drills[index + 1] if index + 1 < len(drills) else None
    return render_template("drills/drill.html", drill=current, form=form, report=report, text=text,
                           grader_error=grader_error, report_summary=summary(report), tried=tried,
                           next_drill=following, kind=current.kind), status, headers
