"""Learner views under /live: type the room code, then write, map and play from a phone."""
from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import grading
from ..extensions import db
from ..models.classroom import ClassSession
from ..ratelimit import too_many_requests
from . import activities, game, live_bp
from .forms import CodeForm
from .routes import classroom_error, json_body, poll
from .services import ClassroomError, etag_for, may_join, session_by_join_code, session_counters
from .state import learner_state

live_bp.register_error_handler(ClassroomError, classroom_error)


def _joined_session(code: str) -> ClassSession:
    """Return the live session for a learner code that this user may join, or refuse."""
    session = session_by_join_code(code)
    if session is None:
        raise ClassroomError("No running session has that code. Check the code on the screen.", 404)
    if not may_join(current_user, session):
        raise ClassroomError("This session is for another cohort. Ask your trainer which code to use.", 403)
    return session


@live_bp.route("/", methods=["GET", "POST"])
@login_required
def enter():
    """Type the code shown on the screen."""
    form = CodeForm()
    if form.validate_on_submit():
        session = session_by_join_code(form.code.data)
        if session is None:
            form.code.errors.append("No running session has that code. Check the code on the screen.")
        elif not may_join(current_user, session):
            form.code.errors.append("That session is for another cohort. Ask your trainer which code to use.")
        else:
            return redirect(url_for(".room", code=session.join_code))
    return render_template("classroom/live_enter.html", form=form), 400 if form.errors else 200


@live_bp.route("/<code>")
@login_required
def room(code: str):
    """The learner's page for a session."""
    session = session_by_join_code(code)
    if session is None:
        return redirect(url_for(".enter"))
    if not may_join(current_user, session):
        abort(403)
    return render_template("classroom/live.html", session=session, initial=learner_state(session, current_user))


@live_bp.route("/<code>/state")
@login_required
def room_poll(code: str):
    """The learner's state, or 304 when nothing they see changed."""
    counters = session_counters(ClassSession.join_code, code)
    if counters is None:
        return jsonify(ended=True), 410
    session = _joined_session(code)
    session_id, version, board, _queue, activity_id, game_id = counters
    parts = ["l", session_id, version, activities.learner_stamp(activity_id, current_user)]
    if game_id:
        parts.append(board)  # answer counts and teams change with every device's answer
    return poll(etag_for(*parts), lambda: learner_state(session, current_user))


@live_bp.route("/<code>/respond", methods=["POST"])
@login_required
def respond(code: str):
    """Submit a statement or a map; a retry with the same key returns the first result."""
    session = _joined_session(code)
    data = json_body()
    if data.get("text") is not None:  # a statement is graded: count it against the grading limits first
        refused = grading.rate_refusal(current_user.id)
        if refused is not None:
            return too_many_requests(refused, grading.RATE_MESSAGE + " Your draft is kept on this device.")
    response, changed = activities.submit(session, current_user, data.get("activity_id"), data.get("submit_key"),
                                          text=data.get("text"), placements=data.get("placements"))
    # Save before grading (a named exception to one commit a request): the console sees the response at
    # once, and a grading failure never loses it.
    db.session.commit()
    message = None
    if changed:
        message = activities.grade_response(session, response)
        db.session.commit()
    return jsonify(ok=True, duplicate=not changed, submit_key=response.submit_key, revision=response.revision,
                   grader_state=response.grader_state, report=response.report, message=message)


@live_bp.route("/<code>/game/join", methods=["POST"])
@login_required
def game_join(code: str):
    """Choose a team (or become an anonymous player)."""
    session = _joined_session(code)
    entrant = game.join(session, current_user, json_body().get("entrant_id"))
    db.session.commit()
    return jsonify(ok=True, entrant={"id": entrant.id, "label": entrant.label})


@live_bp.route("/<code>/game/answer", methods=["POST"])
@login_required
def game_answer(code: str):
    """Answer the open question from the device."""
    session = _joined_session(code)
    data = json_body()
    row = game.answer(session, current_user, data.get("clue_id"), data.get("choice"), data.get("submit_key"))
    db.session.commit()
    return jsonify(ok=True, choice=row.choice)
