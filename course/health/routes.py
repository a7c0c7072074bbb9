"""GET /healthz: is the database reachable and is the grader loaded?"""
from flask import current_app, jsonify
from sqlalchemy import text

from ..extensions import csrf, db
from . import bp


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """Report database and grader state; 503 when the database cannot be reached."""
    from grader import pipeline_status

    body = {"status": "ok", "db": "ok", "grader": pipeline_status()}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "unreachable" to a load balancer
        current_app.logger.warning("health check: database unreachable: %s", exc)
        db.session.rollback()
        body.update(status="error", db="unreachable")
        return jsonify(body), 503
    return jsonify(body)
