"""Security headers on every response, and no-store on anything with personal data."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

# No inline script or style anywhere: every script and stylesheet is a file in course/static/.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # data: for the favicon-sized images browsers make; never remote images
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
EXPORT_TYPES = ("text/csv", "application/json")


def _personal(response) -> bool:
    """Return whether the response may hold personal data: any signed-in page, and every CSV or JSON export."""
    if request.endpoint == "static":
        return False
    if response.mimetype in EXPORT_TYPES or "attachment" in response.headers.get("Content-Disposition", ""):
        return True
    try:
        return bool(current_user) and current_user.is_authenticated
    except Exception:  # the database may be what failed this request: assume the page was personal
        return True


def set_security_headers(app: Flask, response):
    """Add the CSP, framing, referrer, sniffing and (with secure cookies) HSTS headers, and Cache-Control."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers that predate it
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if _personal(response):
        headers["Cache-Control"] = "no-store"  # ETag polling still works: the scripts send If-None-Match themselves
        headers.pop("Expires", None)
    return response


def register_security_headers(app: Flask) -> None:
    """Install the header hook."""
    app.after_request(lambda response: set_security_headers(app, response))
