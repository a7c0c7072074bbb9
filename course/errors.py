"""Friendly error pages, and a rollback so a failed request never leaves a half-done session."""
import json
import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError

from .extensions import db
from .security import json_nesting_exceeds

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check what you entered and try again."),
    401: ("Please sign in", "Sign in to see this page."),
    403: ("This page is not available to you", "If you think you should see it, ask your trainer or an admin."),
    404: ("We could not find that page", "The link may be out of date. Use the course home to find your way."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    413: ("That was too large", "Send less text or a smaller file."),
    429: ("Too many tries", "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "Your work saved before this point is safe. Try again in a moment."),
    503: ("The site cannot save changes right now", "Its database is read-only, full or out of reach. Your work "
          "saved before this point is safe. Try again in a few minutes; if this keeps happening, tell an admin."),
}
# SQLSTATEs that mean "the database cannot take writes": read-only transaction, disk full, out of memory or space.
UNWRITABLE_SQLSTATES = {"25006", "53100", "53200", "53300"}


def _wants_json() -> bool:
    """Return whether the caller expects JSON rather than a page."""
    return request.path.startswith("/api/") or request.is_json or (
        request.accept_mimetypes.best == "application/json"
    )


def _render(code: int, detail: str | None = None, field: str | None = None):
    """Render the error as JSON (naming the field at fault, when known) or a page."""
    title, advice = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        body = {"error": detail or f"{title}. {advice}"}
        if field:
            body["field"] = field
        return jsonify(body), code
    return render_template("errors/error.html", code=code, title=title, advice=detail or advice), code


def _has_nul(value) -> bool:
    """Return whether any string in a decoded JSON value holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def register_error_handlers(app: Flask) -> None:
    """Install handlers for the common HTTP errors and CSRF failures."""
    for code in MESSAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda exc, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        """Explain an expired or missing form token."""
        return _render(400, "The form expired or was sent from another page. Reload the page and try again; "
                            "what you typed may need to be pasted back.")

    @app.before_request
    def refuse_nul_characters():
        """Refuse NUL characters anywhere in the request: PostgreSQL cannot store them, and no one types them."""
        values = [request.path, *request.args.values()]
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.is_json:
            values.extend(request.form.values())
        if any("\x00" in value for value in values):
            return _render(
                400, "The request holds an invisible NUL character. Remove it (retype the text) and try again."
            )
        return None

    @app.before_request
    def refuse_json_that_is_not_an_object():
        """Refuse a JSON body that is nested too deeply or is not an object: every JSON route here reads an
        object, and a form view would fail on a list or a number (Flask-WTF reads JSON bodies as form data)."""
        if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.is_json:
            return None
        limit = app.config.get("MAX_JSON_DEPTH", 32)
        if json_nesting_exceeds(request.get_data(cache=True), limit):  # checked before parsing: no RecursionError
            return _render(400, f"The JSON body is nested more than {limit} levels deep. Send a flat JSON object, "
                                'like {"text": "..."}.', "body")
        try:
            data = request.get_json(silent=True)  # malformed JSON is left to each view, which explains it
        except RecursionError:
            return _render(400, "The JSON body is nested too deeply. Send a JSON object.", "body")
        if data is not None and not isinstance(data, dict):
            return _render(400, 'Send a JSON object, like {"text": "..."}.', "body")
        try:  # a lone surrogate escape such as "\ud800" is valid JSON but cannot be stored or graded
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return _render(400, "The JSON body holds text that is not valid Unicode.", "body")
        if _has_nul(data):  # PostgreSQL cannot store it
            return _render(400, "The JSON body holds an invisible NUL character. Remove it and try again.", "body")
        return None

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        """Answer 503 with advice when the database cannot take writes or be reached; anything else is a 500."""
        db.session.rollback()
        sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if isinstance(exc, OperationalError) or sqlstate in UNWRITABLE_SQLSTATES:
            logging.getLogger(__name__).warning("database unavailable for %s: %s", request.path, exc.orig)
            response = make_response(_render(503))
            response.headers["Retry-After"] = "60"
            return response
        logging.getLogger(__name__).exception("database error on %s", request.path)
        return _render(500)

    @app.errorhandler(500)
    def server_error(exc):
        """Roll back the session and show a calm message."""
        db.session.rollback()
        return _render(500)
