"""Drill pages: the list, one drill with its graded rewrite and model answer, and the learner's writing habits."""
from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from grader.vocabulary import kind_label

from .. import events, grading
from ..cohorts.services import enrollment_or_none, managed_cohort
from ..extensions import db
from ..feedback import summary
from ..models import User
from ..names import Namer
from ..ratelimit import wait_words
from ..security import roles_required
from ..vignettes import KINDS
from . import bp
from .forms import RewriteForm
from .habits import drafts_of, growth_now, habits_from, mastered, practice_picks
from .services import attempts_by_drill, grade_attempt, library, save_attempt, unchecked_text


@bp.route("/")
@login_required
def index():
    """List the drills by kind, with what the learner has tried."""
    drills = library().all()
    kinds = list(dict.fromkeys([*KINDS, *(d.kind for d in drills)]))
    groups = [(kind_label(kind, plural=True), [d for d in drills if d.kind == kind]) for kind in kinds]
    attempts = attempts_by_drill(current_user.id)
    return render_template("drills/index.html", groups=[g for g in groups if g[1]], attempts=attempts,
                           mastered={d for d, tries in attempts.items() if mastered(tries)})


@bp.route("/habits")
@login_required
def habits():
    """Show the learner's own writing habits, drills picked for them, and how their drafts changed."""
    drafts = drafts_of(current_user.id)
    found = habits_from(drafts)
    attempts = attempts_by_drill(current_user.id)
    growth, waiting = growth_now(current_user.id)
    return render_template("drills/habits.html", drafts=drafts, habits=found, growth=growth, waiting=waiting,
                           picks=practice_picks(found, library().all(), attempts), attempts=attempts, learner=None)


@bp.route("/cohorts/<int:cohort_id>/learners/<int:user_id>/habits")
@roles_required("trainer")
def learner_habits(cohort_id: int, user_id: int):
    """Show a learner's habits and growth to their cohort's trainers (a pseudonym in an anonymous cohort)."""
    cohort = managed_cohort(cohort_id, current_user)
    if enrollment_or_none(cohort, user_id) is None:
        abort(404)
    learner = db.get_or_404(User, user_id)
    drafts = drafts_of(user_id)
    found = habits_from(drafts)
    attempts = attempts_by_drill(user_id)
    growth, waiting = growth_now(user_id)
    return render_template("drills/habits.html", drafts=drafts, habits=found, growth=growth, waiting=waiting,
                           picks=practice_picks(found, library().all(), attempts), attempts=attempts,
                           learner=Namer().name(learner, cohort), cohort=cohort)


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
            if report is not None:
                events.drill_graded.send(current_app._get_current_object(), user=current_user._get_current_object(),
                                         drill_id=current.id, ready=report.get("verdict") == "ready",
                                         practice=request.args.get("practice") == "1")
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


@bp.app_template_global("pilot_growth")
def pilot_growth(flt):
    """The pilot report's growth section for a filter (the report template calls this)."""
    from .growth import growth_report

    return growth_report(flt)


@bp.app_template_global("growth_chart")
def growth_chart(cells, hidden_note: str):
    """The growth section's chart: ready at the first check against ready when accepted, per kind."""
    from ..pilot.charts import growth_chart as draw

    return draw(cells, hidden_note)
