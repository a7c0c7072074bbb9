"""Default settings, overridden by instance/config.py and then by the environment."""
from __future__ import annotations

import os
from datetime import timedelta
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
    # most about 40 a minute; a classroom behind one address multiplies that by the room, so the
    # address limit is a full room of 40 writing at once (an attacker's accounts are capped by
    # the per-user limit and by registration's own per-address limit).
    "GRADE_RATE_WINDOW_SECONDS": 60,
    "GRADE_RATE_PER_USER": 60,
    "GRADE_RATE_PER_ADDRESS": 2400,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a long drafting session must not expire the form
    # Werkzeug's strong default; the test config sets a cheap one (it costs 0.075 s a hash).
    "PASSWORD_HASH_METHOD": "scrypt",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    # Sign-in throttling (course/auth/throttle.py): per account-and-address pair, then per address.
    "LOGIN_MAX_FAILURES": 5,  # wrong passwords per pair before the first pause
    "LOGIN_BACKOFF_SECONDS": 30,  # the first pause; each further failure doubles it
    "LOGIN_BACKOFF_MAX_SECONDS": 3600,
    "LOGIN_FORGET_SECONDS": 86400,  # a pair with no failures for this long starts over
    "LOGIN_ADDRESS_MAX_FAILURES": 100,  # failures per address per window (password spraying); a classroom fits
    "LOGIN_ADDRESS_WINDOW_SECONDS": 900,
    "TRUSTED_PROXIES": 0,  # proxies in front that set X-Forwarded-For/-Proto (ProxyFix); 0 trusts no header
    "SITE_URL": None,  # base address for links in email, e.g. https://sop.example.org (else the request's host)
    # Registration and codes
    "REGISTER_PER_ADDRESS": 60,  # new accounts per address per hour (a classroom shares one address)
    "REGISTER_PER_CODE": 60,  # new accounts per cohort join code per hour
    "JOIN_CODE_GUESSES_PER_ADDRESS": 20,  # wrong or expired join codes per address per hour
    "COHORT_CODE_EXPIRY_DAYS": 30,  # a join code stops working this many days after Day 2 (or its rotation)
    "SCREEN_CODE_GUESSES_PER_ATTEMPT": 10,  # wrong screen codes per projector browser per 10 minutes
    "SCREEN_CODE_GUESSES_GLOBAL": 200,  # wrong screen codes on the whole site per 10 minutes
    # Joining a live session with its code only (course/classroom/participants.py): never per address.
    "LIVE_CODE_GUESSES_PER_DEVICE": 10,  # wrong live codes per phone per 10 minutes
    "LIVE_CODE_GUESSES_GLOBAL": 300,  # wrong live codes on the whole site per 10 minutes
    "LIVE_JOINS_PER_SESSION": 300,  # joins (and re-joins) per live session per 10 minutes: a large room twice over
    "LIVE_JOINS_PER_DEVICE": 10,  # joins per phone per 10 minutes (changing the name counts)
    "LIVE_POSTS_PER_PARTICIPANT": 60,  # responses and game answers per participant per minute
    "LIVE_REQUEST_TIMEOUT_SECONDS": 10,  # a phone gives up a request that hangs this long (poor wifi) and sends again
    "LIVE_EXPORT_DAYS": 30,  # how long an ended session's CSV and Markdown summary are kept
    "REQUIRE_EMAIL_VERIFICATION": False,  # new learners confirm their email (through the outbox) before using the site
    "EMAIL_VERIFICATION_HOURS": 48,
    "PASSWORD_RESET_MINUTES": 60,
    "RESET_PER_ADDRESS": 10,  # reset requests per address per hour
    "RESET_PER_EMAIL": 3,  # reset requests per email per hour
    "REVIEW_CLAIM_IDLE_MINUTES": 120,  # after this long untouched, another trainer may take a claim over
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_JSON_DEPTH": 32,  # deeper JSON bodies get a 400 before they are parsed
    "HEALTH_MIN_FREE_BYTES": 64 * 1024 * 1024,  # /healthz says 503 when the SQLite disk has less free space
    "XAPI_SITE_URL": None,  # stable base IRI for xAPI activity ids, e.g. https://sop.example.org/
    "XAPI_LRS_URL": None,
    "XAPI_LRS_USERNAME": None,
    "XAPI_LRS_PASSWORD": None,
    "XAPI_INCLUDE_LEARNER_TEXT": False,
    "SITE_NAME": "SOP Foundations",
    # Mail: with no MAIL_SERVER, messages wait in the outbox and notices stay in-app.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS after connecting (usually port 587)
    "MAIL_USE_SSL": False,  # TLS from the first byte (usually port 465)
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": None,  # the From address, e.g. "SOP Foundations <no-reply@sop.example.org>"
    "MAIL_BACKGROUND": None,  # run the per-process sender thread (default: yes, except in tests)
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
