"""GET /healthz: is the database reachable and is the grader loaded?"""
from flask import current_app, jsonify
from sqlalchemy import text

from .. import grading
from ..extensions import csrf, db
from . import bp


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """Report database and grader state; 503 when the database cannot be reached.

    A grader that failed to load makes the status "degraded" (still 200): pages and saving work, and
    every check says "Feedback is unavailable right now; your draft is saved."
    """
    body = {"status": "ok", "db": "ok", "grader": grading.status()}
    if body["grader"] == "unavailable":
        body["status"] = "degraded"
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "unreachable" to a load balancer
        current_app.logger.warning("health check: database unreachable: %s", exc)
        db.session.rollback()
        body.update(status="error", db="unreachable")
        return jsonify(body), 503
    return jsonify(body)
