"""Phone views under /live: join with the live code only, then write, answer, map and play.

No sign-in is needed: the device's cookie token makes it a participant (participants.py). A
signed-in learner of the cohort is linked to their account as well.
"""
from __future__ import annotations

from flask import jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from .. import grading
from ..extensions import db
from ..models.classroom import ClassSession, LiveParticipant
from ..ratelimit import too_many_requests
from . import activities, game, live_bp
from .forms import JoinLiveForm
from .participants import (
    current_participant,
    device_token,
    guarded_session,
    join,
    join_refusal,
    new_device_token,
    participant_or_error,
    post_refusal,
    set_device_cookie,
)
from .routes import classroom_error, json_body, poll
from .services import ClassroomError, ended_session_by_join_code, etag_for, session_by_join_code, session_counters
from .state import learner_state

live_bp.register_error_handler(ClassroomError, classroom_error)

GUESS_WAIT = ("Too many wrong codes were typed recently. Check the code on the classroom screen, "
              "or ask your trainer.")
JOIN_WAIT = "Too many phones joined this session in the last few minutes."
POST_WAIT = "That is a lot of sending in one minute. Your work is saved on this phone."


def _join_page(form: JoinLiveForm, token: str, status: int = 200):
    """Render the join form, giving a new device its token cookie."""
    response = make_response(render_template("classroom/live_enter.html", form=form), status)
    if device_token() != token:
        set_device_cookie(response, token)
    return response


@live_bp.route("/", methods=["GET", "POST"])
def enter():
    """Join a session: the live code and, if the learner wants, a name."""
    form = JoinLiveForm()
    token = device_token() or new_device_token()
    if form.validate_on_submit():
        session, refused = guarded_session(form.code.data, token)
        if refused is not None:
            return set_device_cookie(too_many_requests(refused, GUESS_WAIT), token)
        if session is None:
            form.code.errors.append("No running session has that code. Check the code on the classroom screen.")
        else:
            if current_participant(session) is None:
                refused = join_refusal(session, token)
                if refused is not None:
                    return set_device_cookie(too_many_requests(refused, JOIN_WAIT), token)
            join(session, token, form.name.data)
            db.session.commit()
            return set_device_cookie(redirect(url_for(".room", code=session.join_code)), token)
    elif request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:12]
    return _join_page(form, token, 400 if form.errors else 200)


@live_bp.route("/<code>")
def room(code: str):
    """The phone's page for a session; a phone that has not joined gets the join form with the code filled in."""
    session = session_by_join_code(code)
    participant = current_participant(session) if session is not None else None
    if participant is None:
        ended = ended_session_by_join_code(code) if session is None else None
        if ended is not None and current_participant(ended) is not None:
            return render_template("classroom/live_ended.html", session=ended), 410
        form = JoinLiveForm(formdata=None, code=code[:12])
        return _join_page(form, device_token() or new_device_token())
    return render_template("classroom/live.html", session=session, participant=participant,
                           initial=learner_state(session, participant),
                           signed_in=getattr(current_user, "is_authenticated", False))


def _joined(code: str) -> tuple[ClassSession, LiveParticipant]:
    """Return the running session and this phone's participant in it, or refuse."""
    session = session_by_join_code(code)
    if session is None:
        raise ClassroomError("This session has ended. Your trainer has the responses.", 410)
    return session, participant_or_error(session)


@live_bp.route("/<code>/state")
def room_poll(code: str):
    """The phone's state, or 304 when nothing it shows changed."""
    counters = session_counters(ClassSession.join_code, code)
    if counters is None:
        return jsonify(ended=True), 410
    session, participant = _joined(code)
    session_id, version, board, _queue, activity_id, game_id = counters
    parts = ["l", session_id, participant.id, version, activities.learner_stamp(activity_id, participant)]
    if game_id:
        parts.append(board)  # answer counts and teams change with every device's answer
    return poll(etag_for(*parts), lambda: learner_state(session, participant))


def _limited(participant: LiveParticipant):
    """Return a 429 answer when the participant is sending too fast, else None."""
    refused = post_refusal(participant)
    return too_many_requests(refused, POST_WAIT) if refused is not None else None


@live_bp.route("/<code>/respond", methods=["POST"])
def respond(code: str):
    """Submit a statement, an answer or a map; a retry with the same key returns the first result."""
    session, participant = _joined(code)
    if (refused := _limited(participant)) is not None:
        return refused
    data = json_body()
    if activities.is_graded(session, data.get("activity_id")):  # count a statement against the grading limits
        refused = grading.rate_refusal(participant.user_id)
        if refused is not None:
            return too_many_requests(refused, grading.RATE_MESSAGE + " Your draft is kept on this device.")
    response, changed = activities.submit(session, participant, data.get("activity_id"), data.get("submit_key"),
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
def game_join(code: str):
    """Choose a team (or become an anonymous player)."""
    session, participant = _joined(code)
    if (refused := _limited(participant)) is not None:
        return refused
    entrant = game.join(session, participant, json_body().get("entrant_id"))
    db.session.commit()
    return jsonify(ok=True, entrant={"id": entrant.id, "label": entrant.label})


@live_bp.route("/<code>/game/answer", methods=["POST"])
def game_answer(code: str):
    """Answer the open question from the phone."""
    session, participant = _joined(code)
    if (refused := _limited(participant)) is not None:
        return refused
    data = json_body()
    row = game.answer(session, participant, data.get("clue_id"), data.get("choice"), data.get("submit_key"))
    db.session.commit()
    return jsonify(ok=True, choice=row.choice)
