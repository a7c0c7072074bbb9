"""POST /api/v1/grade: grade a draft statement for a signed-in user."""
from flask import current_app, jsonify, request
from flask_login import current_user

from . import bp
from .services import GradeRequestError, grade_request


@bp.errorhandler(GradeRequestError)
def bad_grade_request(exc: GradeRequestError):
    """Answer a bad request with a JSON error that says what to fix."""
    return jsonify(error=str(exc), field=exc.field), exc.status


@bp.route("/grade", methods=["POST"])
def grade():
    """Return the grader's report for {kind, text, vignette?}."""
    if not current_user.is_authenticated:
        return jsonify(error="Sign in to use the grader."), 401
    payload = request.get_json(silent=True)
    if payload is None:
        raise GradeRequestError(
            "Send a JSON object like {\"kind\": \"harm\", \"text\": \"...\"} with Content-Type application/json.",
            "body",
        )
    report = grade_request(payload, current_app.config["GRADE_MAX_CHARS"])
    return jsonify(report)
