"""Default settings, overridden by instance/config.py and then by the environment."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class MissingSecretKey(RuntimeError):
    """Raised at start-up when production settings lack a SECRET_KEY."""


SECRET_KEY_HELP = (
    "SECRET_KEY is not set. Set it before starting the app, for example:\n"
    "  export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\n"
    "or put SECRET_KEY = '...' in instance/config.py. "
    "(`flask --app wsgi demo` writes one into the instance folder for you.)"
)

DEFAULTS = {
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance path when unset
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "CONTENT_DIR": str(REPO_ROOT / "content"),
    "VIGNETTES_DIR": str(REPO_ROOT / "vignettes"),
    "DRILLS_DIR": str(REPO_ROOT / "drills"),
    "GRADER_PRELOAD": True,
    "GRADE_MAX_CHARS": 5000,  # the longest text the app grades; at most grader.MAX_CHARS (checked at start-up)
    # Rate limits on every request that grades, per fixed window, per user and per address. The
    # editor checks 1.5 s after typing pauses, one request at a time, so a learner typing sends at
    # most about 40 a minute; a classroom behind one address multiplies that by the room.
    "GRADE_RATE_WINDOW_SECONDS": 60,
    "GRADE_RATE_PER_USER": 60,
    "GRADE_RATE_PER_ADDRESS": 600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a long drafting session must not expire the form
    # Werkzeug's strong default; the test config sets a cheap one (it costs 0.075 s a hash).
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
    "REVIEW_CLAIM_IDLE_MINUTES": 120,  # after this long untouched, another trainer may take a claim over
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "XAPI_SITE_URL": None,  # stable base IRI for xAPI activity ids, e.g. https://sop.example.org/
    "XAPI_LRS_URL": None,
    "XAPI_LRS_USERNAME": None,
    "XAPI_LRS_PASSWORD": None,
    "XAPI_INCLUDE_LEARNER_TEXT": False,
    "SITE_NAME": "SOP Foundations",
}


def database_url_from_env() -> str | None:
    """Return DATABASE_URL, rewritten so SQLAlchemy uses psycopg 3 for PostgreSQL."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
