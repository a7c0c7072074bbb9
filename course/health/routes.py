"""GET /healthz: can the database be read and written, is there disk space, and is the grader loaded?"""
import shutil
from pathlib import Path

from flask import current_app, jsonify
from sqlalchemy import text
from sqlalchemy.engine import make_url

from .. import grading
from ..extensions import csrf, db
from ..models.ratelimit import RateLimit
from . import bp


def _sqlite_folder() -> Path | None:
    """Return the folder of a file-based SQLite database, or None for any other database."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database.removeprefix("file:").split("?")[0]).resolve().parent


def _probe_write() -> None:
    """Write a row and roll it back: a read-only database (or a standby) refuses the write, and nothing is kept.

    This and save-before-grade are the named exceptions to "GET never writes"; here nothing is committed.
    """
    db.session.execute(RateLimit.__table__.insert().values(key="healthz:probe", hits=0, reset_at=0.0, blocked_until=0.0,
                                                           penalty=0.0, last_token="", expires_at=0.0))
    db.session.flush()
    db.session.rollback()


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """Report database and grader state; 503 when the database cannot be reached, cannot write, or its disk is full.

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
    try:
        _probe_write()
    except Exception as exc:
        current_app.logger.warning("health check: database cannot write: %s", exc)
        db.session.rollback()
        body.update(status="error", db="read-only")
        return jsonify(body), 503
    folder = _sqlite_folder()
    if folder is not None and shutil.disk_usage(folder).free < int(current_app.config["HEALTH_MIN_FREE_BYTES"]):
        # SQLite writes only at commit, so a rolled-back probe cannot see a full disk: measure the space instead.
        body.update(status="error", db="disk-full")
        return jsonify(body), 503
    return jsonify(body)
