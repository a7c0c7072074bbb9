"""The follow-up page: closed until 30 days after the certificate, then the form, a preview, and the answers."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import events, grading
from ..extensions import db
from ..ratelimit import wait_words
from . import bp
from .forms import FollowUpForm
from .services import DAYS, FREQUENCIES, OBSTACLES, TOOLS, guard, guard_note, save_answers, state_of


def _page(form, state, status: int = 200, preview=None, error: str | None = None):
    """Render the follow-up page."""
    return render_template("followup/index.html", form=form, state=state, preview=preview, error=error, days=DAYS,
                           tools=TOOLS, frequencies=FREQUENCIES, obstacles=OBSTACLES), status


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    """Show the follow-up; a preview shows the text with names masked, and only an unchanged preview is saved."""
    state = state_of(current_user.id)
    form = FollowUpForm()
    if state.name != "open" or not form.validate_on_submit():
        status = 409 if form.is_submitted() and state.name != "open" else 422 if form.errors else 200
        return _page(form, state, status)
    refused = grading.rate_refusal(current_user.id)
    if refused is not None:
        return _page(form, state, 429, error=f"{grading.RATE_MESSAGE} Your answers are still in the form; "
                                             f"preview them again in {wait_words(refused.retry_after)}.")
    try:
        statement = guard(form.statement_kind.data, form.statement.data)
        note = guard_note(form.obstacle_note.data or "")
    except grading.GradingUnavailable as exc:
        message = "The privacy check cannot run right now; your answers are still in the form. Try again in a minute."
        return _page(form, state, exc.status,
                     error=message if exc.status == 503 else str(exc))
    if statement.identifiers or note.identifiers:
        found = ", ".join(f"“{t}”" for t in statement.identifiers + note.identifiers)
        return _page(form, state, 422, error=f"This looks like real identifying detail: {found}. Take it out or "
                                            "make it up, then preview again. Nothing has been kept.")
    unchanged = statement.text == form.statement.data and note.text == (form.obstacle_note.data or "")
    if not (form.save.data and unchanged):
        form.statement.data, form.obstacle_note.data = statement.text, note.text
        return _page(form, state, preview=(statement, note))
    saved = save_answers(current_user, form.tool_use(), list(form.obstacles.data or []), note,
                         form.statement_kind.data, statement)
    if saved is not None:
        events.follow_up_answered.send(current_app._get_current_object(), user=current_user._get_current_object(),
                                       answers=saved)
    db.session.commit()
    flash("Thank you: your follow-up answers are kept." if saved else "You had already sent your follow-up.",
          "success")
    return redirect(url_for("followup.index"))
