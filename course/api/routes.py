"""POST /api/v1/grade: grade a draft statement for a signed-in user."""
from flask import jsonify, request
from flask_login import current_user

from .. import grading
from ..ratelimit import too_many_requests
from . import bp
from .services import GradeRequestError, grade_request

RETRY_SECONDS = 30  # how soon to ask again when the grader is loading or failed


@bp.errorhandler(GradeRequestError)
def bad_grade_request(exc: GradeRequestError):
    """Answer a bad request with a JSON error that says what to fix."""
    return jsonify(error=str(exc), field=exc.field), exc.status


@bp.errorhandler(grading.GradingUnavailable)
def grader_unavailable(exc: grading.GradingUnavailable):
    """Answer 503 when the grader cannot run: nothing was stored, so the caller sends the text again later."""
    body = jsonify(error="Feedback is unavailable right now; the API keeps nothing, so send the text again in a "
                         "minute.", code="grader_unavailable", retry_after=RETRY_SECONDS)
    return body, 503, {"Retry-After": str(RETRY_SECONDS)}


@bp.route("/grade", methods=["POST"])
def grade():
    """Return the grader's report for {kind, text, vignette?, child_age?}."""
    if not current_user.is_authenticated:
        return jsonify(error="Sign in to use the grader."), 401
    refused = grading.rate_refusal(current_user.id)
    if refused is not None:
        return too_many_requests(refused, grading.RATE_MESSAGE)
    payload = request.get_json(silent=True)
    if payload is None:
        raise GradeRequestError(
            "Send a JSON object like {\"kind\": \"harm\", \"text\": \"...\"} with Content-Type application/json.",
            "body",
        )
    return jsonify(grade_request(payload, current_user.id))
