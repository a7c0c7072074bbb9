"""Access rules: the one role decorator, ownership checks and safe redirects."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Allow the view only to signed-in users holding one of the roles (admins always pass)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Return whether a `next` value is a plain relative path on this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(default_endpoint: str = "curriculum.home") -> str:
    """Return the request's `next` if it is safe, otherwise the default page."""
    target = request.values.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


def client_ip() -> str:
    """Return the caller's address as the app sees it (set ProxyFix behind a proxy)."""
    return (request.remote_addr or "")[:64]
