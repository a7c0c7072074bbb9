"""Course home, agenda and module pages."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..completion import services as rules
from ..extensions import db
from . import bp
from .diagrams import expand_diagrams
from .glossary_links import link_module_html
from .render import drop_leading_title, headings, render_markdown
from .services import (
    completion,
    get_module,
    library,
    plan,
    progress_by_module,
    record_position,
    resume_point,
    set_complete,
)


def _audience() -> str:
    """Return which version of the text the current user sees."""
    return "trainer" if current_user.is_authenticated and current_user.is_trainer else "learner"


@bp.route("/")
def home():
    """Show the course home: the agenda and progress, or a welcome page when signed out."""
    if not current_user.is_authenticated:
        course = plan(None)
        return render_template("curriculum/welcome.html", days=course.days, plan=course)
    done, total = completion(current_user)
    course = plan(current_user)
    return render_template(
        "curriculum/home.html", days=course.days, plan=course, done=done, total=total, resume=resume_point(current_user)
    )


@bp.route("/modules/<module_id>")
@login_required
def module(module_id: str):
    """Show one module, with previous/next links and how it counts as complete (a button only when it has no check
    or activity)."""
    mod = get_module(module_id)
    if mod is None:
        abort(404)
    row = progress_by_module(current_user).get(mod.id)  # read only: the page's script records the position
    before, after = library().neighbours(mod.id)
    return render_template(
        "curriculum/module.html",
        module=mod,
        # Diagrams go in after the glossary links, so no term inside a drawing becomes a link.
        html=expand_diagrams(
            link_module_html(render_markdown(drop_leading_title(mod.body), _audience(), diagrams=False))
        ),
        outline=[h for h in headings(mod.body) if h.level == 2],
        progress=row,
        state=rules.module_state(current_user._get_current_object(), mod),
        before=before,
        after=after,
    )


@bp.route("/modules/<module_id>/complete", methods=["POST"])
@login_required
def complete(module_id: str):
    """Mark a module complete (or not complete) and move on; only a module with no check or activity is marked."""
    mod = get_module(module_id)
    if mod is None:
        abort(404)
    state = rules.module_state(current_user._get_current_object(), mod)
    if state.counts != "mark":
        # Clicking is not evidence: this module counts by its check or activity, worked out from the records.
        flash(f"{state.how} {state.todo.text}", "warning")
        return redirect(url_for(".module", module_id=mod.id) + "#module-status")
    mark = request.form.get("complete", "1") != "0"
    set_complete(current_user, mod.id, mark)
    db.session.commit()
    if not mark:
        return redirect(url_for(".module", module_id=mod.id))
    _, after = library().neighbours(mod.id)
    return redirect(url_for(".module", module_id=after.id) if after else url_for(".home"))


@bp.route("/modules/<module_id>/position", methods=["POST"])
@login_required
def position(module_id: str):
    """Remember the section the learner is reading, so the next visit resumes there."""
    mod = get_module(module_id)
    if mod is None:
        abort(404)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error='Send a JSON object like {"position": "heading-id"}.'), 400
    anchor = data.get("position", "")
    valid = {h.anchor for h in headings(mod.body)}
    if not isinstance(anchor, str) or (anchor and anchor not in valid):
        return jsonify(error="position must be the id of a heading in this module"), 400
    record_position(current_user, mod.id, anchor)
    db.session.commit()
    return jsonify(saved=True, position=anchor)
